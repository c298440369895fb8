# backup_restore.sh — the restore drill: an instance serving, a dossier in the middle of the
# procedure (issued on tokens, pickup notified), `backup --with-secrets` while the server answers
# OCSP, the home destroyed, `restore` into a new one; the audit chain verifies, the procedure goes
# on from where it was, OCSP answers for the earlier certificates verify with `openssl ocsp`, the
# tokens open with their PINs. Refused: a corrupted file, a wrong passphrase, a non-empty home,
# each with its code and nothing written. A backup without --with-secrets holds no key and no
# passphrase.
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db
MODULE=/usr/lib/softhsm/libsofthsm2.so
utc() { date -u -d "$1" +%s; }
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
# wait_for DESCRIPTION COMMAND...: the command comes true within 20 s (the sanitizers' pace)
wait_for() {
    local what=$1 i; shift
    for i in $(seq 1 200); do "$@" && { pass; return 0; }; sleep 0.1; done
    fail "$what (not within 20 s)"
    return 1
}
healthy() { [ "$(curl -m 5 -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ]; }
start_server() {
    "$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2>>"$T/server.log" &
    SERVER=$!
    wait_for "the server answers" healthy
}
stop_server() { kill $SERVER; wait $SERVER 2>/dev/null; SERVER=; }
# ocsp SERIAL: the server's answer for a certificate, verified by openssl against the chain
ocsp() {
    openssl ocsp -issuer "$T/issuing.crt" -serial "0x$1" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
    curl -m 10 -s -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$URL/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$T/issuing.crt" -serial "0x$1" -CAfile "$T/chain.pem" 2>&1
}
modes_private() { # every directory 0700 and every file 0600 under $1
    [ -z "$(find "$1" \( -type d ! -perm 700 \) -o \( -type f ! -perm 600 \))" ]
}

# ---- an instance with a dossier half way: issued on tokens, pickup notified ----
check "init" ct init --root-key p384 --issuing-key p256
check "agency" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state
check "token stock" ct token stock --count 3
check "submit" ct dossier submit --agency BNV --channel direct --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Thanh Trà, Bộ trưởng" --json
D=$(json 'd["code"]')
check "accept" ct dossier accept "$D"
check "issue on tokens" ct dossier issue "$D"
today=$(date -u -d '+7 hours' +%F)
pickup_day=$(ct calendar add-working-days "$today" 2)
check "notify pickup" ct dossier notify-pickup "$D" --at "$pickup_day 09:00" --place "Phòng 203, 23 Ngụy Như Kon Tum"
check "a signed checkpoint, in the file outside the database" ct audit checkpoint
mkdir -m 0700 "$CHUNGTHU_HOME/mail"
printf 'Đã nhận hồ sơ {{dossier}}\n\nMẫu thư riêng của đơn vị.\n' > "$CHUNGTHU_HOME/mail/received.txt"
chmod 0600 "$CHUNGTHU_HOME/mail/received.txt"
serials=$(sqlite3 "$DB" "select cert_serial from applicants where dossier='$D' order by n")
s1=$(printf '%s\n' "$serials" | sed -n 1p)
s2=$(printf '%s\n' "$serials" | sed -n 2p)
tok1=$(sqlite3 "$DB" "select token_serial from applicants where dossier='$D' and n=1")
pin1=$(sed -n 's/^MÃ PIN \/ USER PIN: *//p' "$CHUNGTHU_HOME/envelopes/$tok1.txt")
label1=$(sqlite3 "$DB" "select label from tokens where serial='$tok1'")
same "the first PIN was read" "8" "$(printf '%s' "$pin1" | tr -cd 0-9 | wc -c)"
passphrase=$(cat "$CHUNGTHU_HOME/secrets/ca-passphrase")
cat "$CHUNGTHU_HOME/ca/root.crt" "$CHUNGTHU_HOME/ca/issuing.crt" > "$T/chain.pem"
cp "$CHUNGTHU_HOME/ca/issuing.crt" "$T/issuing.crt"

# ---- backups while the server answers OCSP ----
start_server || exit 1
contains "OCSP before: on hold" "$s1: revoked" "$(ocsp "$s1")"
(
    n=0 bad=0
    while [ ! -e "$T/stop" ] && [ $n -lt 2000 ]; do
        ocsp "$s2" | grep -q "Response verify OK" || bad=$((bad + 1))
        n=$((n + 1))
    done
    echo "$n $bad" > "$T/load"
) &
LOAD=$!
export BACKUP_PASSPHRASE="drill passphrase, kept apart"
check "backup with secrets while serving" ct backup "$T/bk" --with-secrets --passphrase-env BACKUP_PASSPHRASE
check "a backup without secrets" ct backup "$T/public" --json
manifest_head=$(json 'd["audit_head"]["id"]')
touch "$T/stop"
wait $LOAD
read -r answered bad < "$T/load"
echo "OCSP answers during the backups: $answered"
same "every OCSP answer during the backups verified" "0" "$bad"
[ "$answered" -ge 1 ] && pass || fail "no OCSP request was answered during the backups"
contains "OCSP answers after the backups" "Response verify OK" "$(ocsp "$s1")"
stop_server

same "the backup row is the live trail's last" "instance.backup" "$(sqlite3 "$DB" "select action from audit order by id desc limit 1")"
same "the manifest names the head before it" "$manifest_head" "$(sqlite3 "$DB" "select max(id) - 1 from audit")"
check "backup directories 0700, files 0600" modes_private "$T/bk"
check "... the public one too" modes_private "$T/public"
same "every hash in the manifest matches" "ok" "$(cd "$T/bk" && python3 -c '
import json, hashlib
m = json.load(open("manifest.json"))
bad = [f["path"] for f in m["files"] if hashlib.sha256(open(f["path"], "rb").read()).hexdigest() != f["sha256"]]
print("ok" if not bad and m["with_secrets"] and m["schema_version"] > 0 else bad)')"
if grep -rqa "PRIVATE KEY" "$T/public" "$T/bk"; then fail "a private key in clear in a backup"; else pass; fi
if grep -rqaF "$passphrase" "$T/public" "$T/bk"; then fail "the CA passphrase in a backup"; else pass; fi
if grep -rqaF "$BACKUP_PASSPHRASE" "$T/bk"; then fail "the backup passphrase in the backup"; else pass; fi
same "no secrets file without --with-secrets" "" "$(ls "$T/public" | grep -v '^ca$\|^holidays$\|^mail$\|^chungthu\.\(db\|ini\)$\|^manifest\.json$\|^audit-checkpoints\.jsonl$')"
same "no key file, no token" "" "$(find "$T/public" -name '*.key' -o -name 'tokens' -o -name 'secrets*')"
mkdir "$T/used" && touch "$T/used/x"
refuse "backup into a non-empty directory" backup.dir_not_empty ct backup "$T/used"
same "... left as it was" "x" "$(ls "$T/used")"
refuse "a weak passphrase" backup.passphrase_weak env SHORT=short "$CHUNGTHU" backup "$T/weak" --with-secrets --passphrase-env SHORT
[ ! -e "$T/weak" ] && pass || fail "a refused backup left $T/weak"

# ---- the machine is lost ----
rm -rf "$CHUNGTHU_HOME"

cp -r "$T/bk" "$T/bad"
printf 'X' | dd of="$T/bad/holidays/2026.txt" bs=1 seek=10 conv=notrunc 2>/dev/null
refuse "a corrupted file" restore.file_corrupt ct restore "$T/bad" --home "$CHUNGTHU_HOME" --passphrase-env BACKUP_PASSPHRASE
contains "... named" "holidays/2026.txt" "$(cat "$T/err")"
[ ! -e "$CHUNGTHU_HOME" ] && pass || fail "a refused restore (corrupted) wrote the home"
refuse "a wrong passphrase" restore.passphrase_wrong env WRONG="not the drill passphrase" "$CHUNGTHU" restore "$T/bk" --home "$CHUNGTHU_HOME" --passphrase-env WRONG
[ ! -e "$CHUNGTHU_HOME" ] && pass || fail "a refused restore (passphrase) wrote the home"
refuse "a non-empty home" restore.home_not_empty ct restore "$T/bk" --home "$T/used" --passphrase-env BACKUP_PASSPHRASE
same "... left as it was" "x" "$(ls "$T/used")"
refuse "no passphrase for sealed secrets" restore.passphrase_missing ct restore "$T/bk" --home "$CHUNGTHU_HOME" </dev/null
[ ! -e "$CHUNGTHU_HOME" ] && pass || fail "a refused restore (no passphrase) wrote the home"
refuse "a PostgreSQL URL for an SQLite backup" restore.database_url ct restore "$T/bk" --home "$CHUNGTHU_HOME" --database-url "postgresql:///elsewhere" --passphrase-env BACKUP_PASSPHRASE
[ ! -e "$CHUNGTHU_HOME" ] && pass || fail "a refused restore (URL) wrote the home"

check "restore" ct restore "$T/bk" --home "$CHUNGTHU_HOME" --passphrase-env BACKUP_PASSPHRASE
contains "integrity check" "integrity_check: ok" "$(cat "$T/out")"
contains "audit verified against the checkpoint file" "against the checkpoint file" "$(cat "$T/out")"
contains "the keys came back" "$CHUNGTHU_HOME/ca/issuing.key" "$(cat "$T/out")"
check "restored home 0700, files 0600" modes_private "$CHUNGTHU_HOME"
check "the instance's own mail template came back" cmp "$T/bk/mail/received.txt" "$CHUNGTHU_HOME/mail/received.txt"
contains "... as it was" "Mẫu thư riêng của đơn vị." "$(cat "$CHUNGTHU_HOME/mail/received.txt")"
check "audit verify" ct audit verify --checkpoint "$CHUNGTHU_HOME/audit-checkpoints.jsonl"
same "the restore is audited in the restored instance" "instance.restore" "$(sqlite3 "$DB" "select action from audit order by id desc limit 1")"
refuse "restoring over the restored home" restore.home_not_empty ct restore "$T/bk" --home "$CHUNGTHU_HOME" --passphrase-env BACKUP_PASSPHRASE

# ---- the procedure goes on from where it was (the agency collects after the pickup time) ----
same "still awaiting pickup" "awaiting_pickup" "$(sqlite3 "$DB" "select state from applicants where dossier='$D' and n=1")"
export CHUNGTHU_NOW=$(utc "$pickup_day 10:00 +07")
check "agency received" ct dossier agency-received "$D" --by "Nguyễn Văn Nhận"
check "handed over" ct dossier handed-over "$D" --applicant 1
check "request activation" ct dossier request-activation "$D" --applicant 1
check "publish" ct dossier publish "$D" --applicant 1
same "published" "active" "$(sqlite3 "$DB" "select status from certificates where serial='$s1'")"
unset CHUNGTHU_NOW
check "audit verify after the steps" ct audit verify

# ---- relying parties and subscribers see the same CA ----
start_server || exit 1
contains "OCSP: the published certificate is good" "$s1: good" "$(ocsp "$s1")"
contains "... the answer verifies" "Response verify OK" "$(ocsp "$s1")"
contains "OCSP: the one not yet published is on hold" "Reason: certificateHold" "$(ocsp "$s2")"
contains "... verifies" "Response verify OK" "$(ocsp "$s2")"
stop_server
export SOFTHSM2_CONF=$CHUNGTHU_HOME/tokens/softhsm2.conf
objects=$(pkcs11-tool --module $MODULE --token-label "$label1" --login --pin "$pin1" --list-objects 2>&1)
contains "the token opens with its PIN, its key inside" "Private Key Object" "$objects"
contains "... and its certificate" "Certificate Object" "$objects"
finish

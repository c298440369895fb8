# backup_restore_pg.sh — the restore drill on PostgreSQL: an instance on PostgreSQL serving, a
# dossier half way (issued on tokens, pickup notified), `backup --with-secrets` while the server
# answers OCSP (the database as `pg_dump -Fc` of one snapshot, hashed in the manifest); the
# database dropped and the home destroyed; `restore --database-url` into a new empty database
# (pg_restore): the audit chain verifies, chungthu.ini names the new database, OCSP answers
# verify, and the procedure goes on from where it was. Refused, nothing written: no
# --database-url, a database that holds a table (backup_restore.sh: --database-url for an SQLite
# backup).
CT_BACKEND=postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
trap 'stop_server; pg_stop; rm -rf "$T"' EXIT
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }
pgq() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$1" -c "$2"; }
ocsp() {
    openssl ocsp -issuer "$T/issuing.crt" -serial "0x$1" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
    curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$BASE/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$T/issuing.crt" -serial "0x$1" -CAfile "$T/chain.pem" 2>&1
}

# ---- an instance on PostgreSQL with a dossier half way ----
check "init on PostgreSQL" ct init --root-key p384 --issuing-key p256
OLD_URL=$(sed -n 's/^url = //p' "$CHUNGTHU_HOME/chungthu.ini")
check "agency" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state
check "token stock" ct token stock --count 3
check "submit" ct dossier submit --agency BNV --channel direct --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Thanh Trà, Bộ trưởng" --json
D=$(json 'd["code"]')
check "accept" ct dossier accept "$D"
check "issue on tokens" ct dossier issue "$D"
today=$(date -u -d '+7 hours' +%F)
pickup_day=$(ct calendar add-working-days "$today" 2)
check "notify pickup" ct dossier notify-pickup "$D" --at "$pickup_day 09:00" --place "Phòng 203"
check "a signed checkpoint" ct audit checkpoint
s1=$(sqlite3 "$DB" "select cert_serial from applicants where dossier='$D' and n=1")
cat "$CHUNGTHU_HOME/ca/root.crt" "$CHUNGTHU_HOME/ca/issuing.crt" > "$T/chain.pem"
cp "$CHUNGTHU_HOME/ca/issuing.crt" "$T/issuing.crt"

# ---- the backup, while the server answers ----
start_server || exit 1
contains "OCSP before: on hold" "Reason: certificateHold" "$(ocsp "$s1")"
export BACKUP_PASSPHRASE="drill passphrase, kept apart"
check "backup with secrets while serving" ct backup "$T/bk" --with-secrets --passphrase-env BACKUP_PASSPHRASE --json
head_id=$(json 'd["audit_head"]["id"]')
same "the manifest says PostgreSQL" "postgresql" "$(json 'd["backend"]')"
same "the database is pg_dump's custom format" "PGDMP" "$(head -c 5 "$T/bk/database.pgdump")"
same "... hashed in the manifest" "ok" "$(cd "$T/bk" && python3 -c '
import json, hashlib
m = json.load(open("manifest.json"))
f = [f for f in m["files"] if f["path"] == "database.pgdump"][0]
print("ok" if hashlib.sha256(open(f["path"], "rb").read()).hexdigest() == f["sha256"] and f["what"] == "database_pg_dump" else f)')"
same "... no SQLite file in it" "" "$(ls "$T/bk" | grep -x chungthu.db)"
same "the home's files are in it" "ok" "$(for f in chungthu.ini ca/root.crt ca/issuing.crt holidays secrets.sealed audit-checkpoints.jsonl; do [ -e "$T/bk/$f" ] || echo "$f"; done; echo ok)"
contains "OCSP after the backup" "Response verify OK" "$(ocsp "$s1")"
stop_server
same "the backup row follows the dumped head" "instance.backup" "$(sqlite3 "$DB" "select action from audit where id = $((head_id + 1))")"
if grep -rqa "PRIVATE KEY" "$T/bk"; then fail "a private key in clear in the backup"; else pass; fi

# ---- the machine and the database are lost ----
rm -rf "$CHUNGTHU_HOME"
"$PG_BIN/dropdb" -h "$PG_DIR" -U chungthu "$(printf '%s' "$OLD_URL" | sed 's|^postgresql:///||; s|?.*||')"
check "the old database is gone" test -z "$(psql -X -A -t -h "$PG_DIR" -U chungthu -d postgres -c "select 1 from pg_database where datname = '$(printf '%s' "$OLD_URL" | sed 's|^postgresql:///||; s|?.*||')'")"

refuse "no --database-url for a PostgreSQL backup" restore.database_url ct restore "$T/bk" --home "$CHUNGTHU_HOME" --passphrase-env BACKUP_PASSPHRASE
[ ! -e "$CHUNGTHU_HOME" ] && pass || fail "a refused restore (no URL) wrote the home"
USED=$(pg_createdb)
pgq "$USED" "CREATE TABLE keep (x int); INSERT INTO keep VALUES (7)" >/dev/null
refuse "a database that holds a table" restore.database_not_empty ct restore "$T/bk" --home "$CHUNGTHU_HOME" --database-url "$USED" --passphrase-env BACKUP_PASSPHRASE
[ ! -e "$CHUNGTHU_HOME" ] && pass || fail "a refused restore (database not empty) wrote the home"
same "... the database left as it was" "keep|7" "$(pgq "$USED" "SELECT tablename, (SELECT x FROM keep) FROM pg_tables WHERE schemaname = 'public'")"

# made as docs/operations.md says, from template0 (pg.sh's template1 holds functions of its own,
# which the dump holds too)
NEW_DB=ct_restored_$$
"$PG_BIN/createdb" -h "$PG_DIR" -U chungthu -T template0 --locale=C -E UTF8 "$NEW_DB"
NEW_URL="postgresql:///$NEW_DB?host=$PG_DIR&user=chungthu"
check "restore into a new database" ct restore "$T/bk" --home "$CHUNGTHU_HOME" --database-url "$NEW_URL" --passphrase-env BACKUP_PASSPHRASE
contains "audit verified against the checkpoint file" "against the checkpoint file" "$(cat "$T/out")"
same "chungthu.ini names the new database" "$NEW_URL" "$(sed -n 's/^url = //p' "$CHUNGTHU_HOME/chungthu.ini")"
same "... on PostgreSQL" "postgresql" "$(sed -n 's/^backend = //p' "$CHUNGTHU_HOME/chungthu.ini")"
same "no SQLite file was made" "" "$(ls "$CHUNGTHU_HOME" | grep '\.db$')"
check "audit verify" ct audit verify --checkpoint "$CHUNGTHU_HOME/audit-checkpoints.jsonl"
same "the restore is audited in the restored database" "instance.restore" "$(pgq "$NEW_URL" "select action from audit order by id desc limit 1")"
same "... right after the dumped head" "$((head_id + 1))" "$(pgq "$NEW_URL" "select max(id) from audit")"
same "the schema version the manifest names" "$(python3 -c "import json; print(json.load(open('$T/bk/manifest.json'))['schema_version'])")" "$(pgq "$NEW_URL" "select max(version) from schema_version")"
refuse "the same backup again into the filled database" restore.database_not_empty ct restore "$T/bk" --home "$T/again" --database-url "$NEW_URL" --passphrase-env BACKUP_PASSPHRASE

# ---- the procedure goes on from where it was ----
same "still awaiting pickup" "awaiting_pickup" "$(sqlite3 "$DB" "select state from applicants where dossier='$D' and n=1")"
export CHUNGTHU_NOW=$(date -u -d "$pickup_day 10:00 +07" +%s)
check "agency received" ct dossier agency-received "$D" --by "Nguyễn Văn Nhận"
check "handed over" ct dossier handed-over "$D" --applicant 1
check "request activation" ct dossier request-activation "$D" --applicant 1
check "publish" ct dossier publish "$D" --applicant 1
unset CHUNGTHU_NOW
check "audit verify after the steps" ct audit verify
start_server || exit 1
contains "OCSP: the published certificate is good" "$s1: good" "$(ocsp "$s1")"
contains "... the answer verifies" "Response verify OK" "$(ocsp "$s1")"
contains "the directory finds it" "Nguyễn Thị Thu Hà" "$(curl "$BASE/certs?q=nguyen+thi+thu+ha")"
stop_server
finish

# audit_attacks.sh — every way of tampering with the audit trail that an auditor asks about is
# named by `audit verify`: an edited row, a row deleted in the middle, rows reordered, rows
# deleted at the end, a forged or deleted checkpoint, and a whole database put back to an older
# copy (caught against a checkpoint kept outside it). Each attack runs on a fresh copy of one
# instance whose trail has signed checkpoints; the checkpoints themselves are checked with
# OpenSSL alone, from the published line.
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db
q() { sqlite3 "$DB" "$1"; }

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
same "the audit-signing certificate is made at init" "1" "$(q "select count(*) from certificates where kind='audit'")"
check "it chains to the issuing CA (strict)" openssl verify -x509_strict -CAfile "$CHUNGTHU_HOME/ca/root.crt" -untrusted "$CHUNGTHU_HOME/ca/issuing.crt" "$CHUNGTHU_HOME/ca/audit.crt"
contains "with its own extended key usage" "1.3.6.1.4.1.32473.1.2" "$(openssl x509 -in "$CHUNGTHU_HOME/ca/audit.crt" -noout -ext extendedKeyUsage)"
contains "for signatures only" "Digital Signature, Non Repudiation" "$(openssl x509 -in "$CHUNGTHU_HOME/ca/audit.crt" -noout -ext keyUsage)"
check "the procedure, for rows to sign" ct demo
check "a checkpoint" ct audit checkpoint
contains "signed" "audit checkpoint 1" "$(cat "$T/out")"
check "nothing new: no second checkpoint" ct audit checkpoint
contains "said so" "nothing new" "$(cat "$T/out")"
check "more rows" ct token stock --count 2
check "a second checkpoint" ct audit checkpoint
same "two checkpoints in the database" "2" "$(q "select count(*) from audit_checkpoints")"
same "and two lines outside it" "2" "$(wc -l < "$CHUNGTHU_HOME/audit-checkpoints.jsonl")"
check "verify" ct audit verify
contains "intact, with its checkpoints" "2 signed checkpoints" "$(cat "$T/out")"

# ---- the published line checks with OpenSSL alone ----
tail -1 "$CHUNGTHU_HOME/audit-checkpoints.jsonl" > "$T/line.json"
python3 - "$T/line.json" "$T" <<'PY'
import base64, json, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[2] + "/body", "w").write(json.dumps(d["checkpoint"], separators=(",", ":"), sort_keys=True, ensure_ascii=False))
open(sys.argv[2] + "/sig", "wb").write(base64.b64decode(d["signature"]))
open(sys.argv[2] + "/signer.der", "wb").write(base64.b64decode(d["certificate"]))
PY
openssl x509 -inform DER -in "$T/signer.der" -pubkey -noout > "$T/signer.pub"
check "openssl verifies the checkpoint's signature" openssl dgst -sha256 -verify "$T/signer.pub" -signature "$T/sig" "$T/body"
same "it names the rows and the head" "$(q "select max(id) || ' ' || (select hash from audit order by id desc limit 1) from audit")" \
    "$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["checkpoint"]; print(c["rows"], c["head_hash"])' "$T/line.json")"

cp "$DB" "$T/good.db"
cp "$CHUNGTHU_HOME/audit-checkpoints.jsonl" "$T/outside-old.jsonl"
n=$(q "select max(id) from audit")
k=$(q "select head_id from audit_checkpoints order by seq desc limit 1")
restore() { cp "$T/good.db" "$DB"; rm -f "$DB-wal" "$DB-shm"; }
# attack NAME SQL EXPECTED: on a fresh copy, run SQL (the triggers dropped first), then verify
# must fail and name EXPECTED
attack() {
    restore
    q "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;
       DROP TRIGGER IF EXISTS audit_checkpoints_no_update; DROP TRIGGER IF EXISTS audit_checkpoints_no_delete; $2"
    ct audit verify > "$T/verify.out" 2>&1
    same "$1: verify fails" "1" "$?"
    contains "$1: named" "$3" "$(cat "$T/verify.out")"
}
attack "an edited row" "UPDATE audit SET actor='mallory' WHERE id=5" "row 5: its content does not match its hash"
attack "a row deleted in the middle" "DELETE FROM audit WHERE id=7" "row 8 follows row 6: rows are missing"
attack "two rows swapped" "UPDATE audit SET id=-1 WHERE id=9; UPDATE audit SET id=9 WHERE id=10; UPDATE audit SET id=10 WHERE id=-1" "row 9"
attack "rows deleted at the end, past a checkpoint" "DELETE FROM audit WHERE id > $((k - 3))" "checkpoint 2"
contains "... said as such" "rows were deleted at the end" "$(cat "$T/verify.out")"
attack "a forged checkpoint" "UPDATE audit_checkpoints SET body=replace(body, '\"rows\":', '\"rows\":1') WHERE seq=2" "checkpoint 2: its signature does not verify"
attack "a checkpoint deleted in the middle" "DELETE FROM audit_checkpoints WHERE seq=1" "checkpoint 2 follows checkpoint 0"
# ---- the database put back to an older copy: only a checkpoint kept outside shows it ----
restore
check "more work after the copy" ct token stock --count 3
check "a checkpoint of it, kept outside" ct audit checkpoint
cp "$CHUNGTHU_HOME/audit-checkpoints.jsonl" "$T/outside.jsonl"
restore # the older copy put back
check "the older copy verifies on its own" ct audit verify
ct audit verify --checkpoint "$T/outside.jsonl" > "$T/verify.out" 2>&1
same "against the checkpoint kept outside it fails" "1" "$?"
contains "naming the database replaced by an older copy" "replaced by an older copy" "$(cat "$T/verify.out")"
check "an older checkpoint kept outside is fine" ct audit verify --checkpoint "$T/outside-old.jsonl"
contains "and said to be checked" "the checkpoint kept outside" "$(cat "$T/out")"
# rewritten instead of cut: the row the outside checkpoint signed is not there as signed
q "DROP TRIGGER audit_no_update; UPDATE audit SET detail='{}' WHERE id=$k"
ct audit verify --checkpoint "$T/outside-old.jsonl" > "$T/verify.out" 2>&1
same "a rewritten row under an outside checkpoint fails" "1" "$?"
contains "and is named" "row $k" "$(cat "$T/verify.out")"
restore
sed 's/"signature":"./"signature":"A/' "$T/outside.jsonl" > "$T/forged.jsonl"
refuse "a forged outside checkpoint is refused" audit.checkpoint_invalid ct audit verify --checkpoint "$T/forged.jsonl"
check "from standard input" sh -c "tail -1 '$T/outside-old.jsonl' | '$CHUNGTHU' audit verify --checkpoint -"

# ---- served to anyone, and made by the upkeep when due ----
restore
sed -i 's/^checkpoint_rows = .*/checkpoint_rows = 3/' "$CHUNGTHU_HOME/chungthu.ini"
check "more rows than checkpoint_rows" ct token stock --count 4
check "run-due signs the checkpoint that is due" ct run-due
contains "... and says so" "audit checkpoint: 3" "$(cat "$T/out")"
PORT=$(free_port)
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2> "$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" -o /dev/null && break; sleep 0.1; done
same "the latest checkpoint is public" "200" "$(curl -s -o "$T/published.json" -w '%{http_code}' "http://127.0.0.1:$PORT/audit/checkpoint")"
same "and is the latest" "3" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checkpoint"]["seq"])' "$T/published.json")"
check "the auditor checks the database against the published line" sh -c "'$CHUNGTHU' audit verify --checkpoint '$T/published.json'"
same "the audit-signing certificate is served" "200" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/ca/audit.crt")"
kill -TERM $SERVER; wait $SERVER

# ---- an instance made before checkpoints: its audit-signing certificate is made on first use ----
export CHUNGTHU_HOME=$T/older
check "another instance" ct init --root-key p384 --issuing-key p256
rm "$CHUNGTHU_HOME/ca/audit.crt" "$CHUNGTHU_HOME/ca/audit.key"
sqlite3 "$CHUNGTHU_HOME/chungthu.db" "DELETE FROM certificates WHERE kind='audit'"
check "its first checkpoint" ct audit checkpoint
same "made the certificate, recorded" "1" "$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select count(*) from certificates where kind='audit'")"
check "which chains to its issuing CA" openssl verify -x509_strict -CAfile "$CHUNGTHU_HOME/ca/root.crt" -untrusted "$CHUNGTHU_HOME/ca/issuing.crt" "$CHUNGTHU_HOME/ca/audit.crt"
check "and verifies" ct audit verify
finish

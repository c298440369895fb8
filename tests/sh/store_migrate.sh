# store_migrate.sh — an SQLite instance moved to PostgreSQL with `store migrate --to URL
# --switch` (docs/operator-guide.md): an instance with the procedure under way (dossiers
# accepted, issued, rejected; certificates published, one revoked; audit rows and a signed
# checkpoint; accounts and sessions) is copied, each table's rows counted on both sides; then on
# PostgreSQL `audit verify` passes, the certificates answer the OCSP status they answered before
# (verified by `openssl ocsp`), the directory finds a published name, and the procedure goes on
# (the next dossier number of the day, an accepted dossier issued). Refused, the target left as it
# was: a bad URL, a database that cannot be reached, a target holding a table, a copy that fails
# half way (a row PostgreSQL's foreign key refuses), an instance already on PostgreSQL.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
. "$CT_SRC/tests/pg.sh"
pg_start || exit 1
trap 'stop_server; pg_stop; rm -rf "$T"' EXIT
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }
pgq() { psql -X -A -t -q -v ON_ERROR_STOP=1 "$1" -c "$2"; }
# ocsp SERIAL: the server's answer for a certificate, verified by openssl against the chain
ocsp() {
    openssl ocsp -issuer "$T/issuing.crt" -serial "0x$1" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
    curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$BASE/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$T/issuing.crt" -serial "0x$1" -CAfile "$T/chain.pem" 2>&1
}
SAMPLE=$CT_SRC/data/samples/mau02.csv
submit() {
    ct dossier submit --agency BNV --channel direct --file "$SAMPLE" --confirmed-by "Phạm Thị Thanh Trà, Bộ trưởng" --json >"$T/out" || return 1
    json 'd["code"]'
}

# ---- an SQLite instance with the procedure under way ----
check "init --demo on SQLite" ct init --demo --root-key p384 --issuing-key p256
check "agency" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state
check "token stock" ct token stock --count 6
D1=$(submit) && pass || fail "submit 1"
D2=$(submit) && pass || fail "submit 2"
D3=$(submit) && pass || fail "submit 3"
check "accept 1" ct dossier accept "$D1"
check "issue 1 on tokens" ct dossier issue "$D1"
check "accept 2 (issued after the move)" ct dossier accept "$D2"
check "reject 3" ct dossier reject "$D3" --reason "Thiếu văn bản đề nghị"
s1=$(sqlite3 "$DB" "select cert_serial from applicants where dossier='$D1' and n=1")
s2=$(sqlite3 "$DB" "select cert_serial from applicants where dossier='$D1' and n=2")
today=$(date -u -d '+7 hours' +%F)
pickup_day=$(ct calendar add-working-days "$today" 2)
check "notify pickup" ct dossier notify-pickup "$D1" --at "$pickup_day 09:00" --place "Phòng 203"
export CHUNGTHU_NOW=$(date -u -d "$pickup_day 10:00 +07" +%s)
check "agency received" ct dossier agency-received "$D1" --by "Nguyễn Văn Nhận"
check "handed over" ct dossier handed-over "$D1" --applicant 1
check "request activation" ct dossier request-activation "$D1" --applicant 1
check "publish" ct dossier publish "$D1" --applicant 1
unset CHUNGTHU_NOW
check "revoke applicant 2's certificate" ct cert revoke "$s2" --reason keyCompromise
check "a signed checkpoint" ct audit checkpoint
cat "$CHUNGTHU_HOME/ca/root.crt" "$CHUNGTHU_HOME/ca/issuing.crt" > "$T/chain.pem"
cp "$CHUNGTHU_HOME/ca/issuing.crt" "$T/issuing.crt"
start_server || exit 1
login_demo
same "sessions were opened" "yes" "$([ "$(sqlite3 "$DB" "select count(*) from sessions")" -ge 3 ] && echo yes)"
contains "OCSP on SQLite: the published certificate is good" "$s1: good" "$(ocsp "$s1")"
contains "OCSP on SQLite: the revoked one is revoked" "$s2: revoked" "$(ocsp "$s2")"
contains "the directory finds the published name on SQLite" "Nguyễn Thị Thu Hà" "$(curl "$BASE/certs?q=nguyen+thi+thu+ha")"
stop_server
sqlite_audit=$(sqlite3 "$DB" "select count(*) from audit")
sqlite_seq=$(sqlite3 "$DB" "select max(seq) from dossiers where day=(select day from dossiers where code='$D3')")
sqlite_certs=$(sqlite3 "$DB" "select count(*) from certificates")

# ---- refused, nothing written ----
refuse "a URL that is not PostgreSQL's" store.migrate_url ct store migrate --to "$T/other.db"
refuse "no --to" store.migrate_url ct store migrate
refuse "a database that cannot be reached" store.migrate_connect ct store migrate --to "postgresql:///no_such_db?host=$PG_DIR&user=chungthu"
USED=$(pg_createdb)
pgq "$USED" "CREATE TABLE certificates (serial TEXT); INSERT INTO certificates VALUES ('keep')" >/dev/null
refuse "a target holding a table" store.migrate_target_not_empty ct store migrate --to "$USED"
same "... left as it was" "certificates|keep" "$(pgq "$USED" "SELECT tablename, (SELECT serial FROM certificates) FROM pg_tables WHERE schemaname = 'public'")"
# SQLite does not enforce the sessions' foreign key on a row written behind its back;
# PostgreSQL refuses it when the sessions are copied, after the tables copied before them
HALF=$(pg_createdb)
sqlite3 "$DB" "insert into sessions (token_hash, username, created_at, expires_at) values ('orphan', 'nobody', 0, 0)"
refuse "a copy failing half way" store.postgresql ct store migrate --to "$HALF"
contains "... naming the table" "sessions" "$(cat "$T/err")"
same "... the target left empty" "0" "$(pgq "$HALF" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
sqlite3 "$DB" "delete from sessions where token_hash = 'orphan'"
# a table SQLite has and PostgreSQL lacks is refused, not dropped
sqlite3 "$DB" "create table notes (x text); insert into notes values ('kept')"
refuse "a table PostgreSQL lacks" store.migrate_schema ct store migrate --to "$HALF"
contains "... naming it" "notes" "$(cat "$T/err")"
same "... the target left empty" "0" "$(pgq "$HALF" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
sqlite3 "$DB" "drop table notes"
same "the refusals wrote nothing on SQLite" "$sqlite_audit" "$(sqlite3 "$DB" "select count(*) from audit")"
same "... and the instance is still on SQLite" "sqlite" "$(sed -n 's/^backend = //p' "$CHUNGTHU_HOME/chungthu.ini")"

# ---- the move ----
PG=$(pg_createdb)
check "store migrate --switch" ct store migrate --to "$PG" --switch
cp "$T/out" "$T/migrate.out"
contains "the counts, table by table" "audit " "$(cat "$T/migrate.out")"
same "every table holds as many rows on both sides" "" "$(awk '/^  [a-z_]+ +[0-9]+ +[0-9]+$/ && $2 != $3' "$T/migrate.out")"
same "... seventeen tables counted" "17" "$(grep -cE '^  [a-z_]+ +[0-9]+ +[0-9]+$' "$T/migrate.out")"
same "... the audit rows" "$sqlite_audit" "$(awk '$1 == "audit" && NF == 3 { print $3 }' "$T/migrate.out")"
same "... the directory's entry" "1" "$(awk '$1 == "directory" { print $3 }' "$T/migrate.out")"
contains "the SQLite file is named as kept" "$DB" "$(cat "$T/migrate.out")"
same "chungthu.ini switched: backend" "postgresql" "$(sed -n 's/^backend = //p' "$CHUNGTHU_HOME/chungthu.ini")"
same "... and url" "$PG" "$(sed -n 's/^url = //p' "$CHUNGTHU_HOME/chungthu.ini")"
contains "... its other lines kept" "the tests act as one person" "$(cat "$CHUNGTHU_HOME/chungthu.ini")"
same "the SQLite file is kept, unwritten" "$sqlite_audit" "$(command sqlite3 "$DB" "select count(*) from audit")"
same "the move is audited on PostgreSQL" "store.migrated" "$(pgq "$PG" "SELECT action FROM audit ORDER BY id DESC LIMIT 1")"
same "... with the counts" "$sqlite_certs" "$(pgq "$PG" "SELECT detail::jsonb #>> '{rows,certificates}' FROM audit ORDER BY id DESC LIMIT 1")"
same "the schema at the program's version" "$(command sqlite3 "$DB" "pragma user_version")" "$(pgq "$PG" "SELECT max(version) FROM schema_version")"
refuse "migrating an instance already on PostgreSQL" store.migrate_not_sqlite ct store migrate --to "$(pg_createdb)"

# ---- on PostgreSQL ----
check "audit verify on PostgreSQL" ct audit verify --checkpoint "$CHUNGTHU_HOME/audit-checkpoints.jsonl"
contains "... against the checkpoint" "intact" "$(cat "$T/out")"
start_server || exit 1
contains "OCSP on PostgreSQL: the published certificate is good" "$s1: good" "$(ocsp "$s1")"
contains "... verified" "Response verify OK" "$(ocsp "$s1")"
contains "OCSP on PostgreSQL: the revoked one is revoked" "$s2: revoked" "$(ocsp "$s2")"
contains "the directory finds the published name on PostgreSQL" "Nguyễn Thị Thu Hà" "$(curl "$BASE/certs?q=nguyen+thi+thu+ha")"
login_demo
stop_server
D4=$(submit) && pass || fail "a new dossier on PostgreSQL"
same "... the next number of the day" "$((sqlite_seq + 1))" "$(pgq "$PG" "SELECT seq FROM dossiers WHERE code = '$D4'")"
check "the dossier accepted before the move is issued" ct dossier issue "$D2"
same "... its certificates made on PostgreSQL" "$((sqlite_certs + 3))" "$(pgq "$PG" "SELECT count(*) FROM certificates")"
same "... with ids after the copied ones" "3" "$(pgq "$PG" "SELECT count(*) FROM certificates WHERE id > (SELECT max(id) FROM certificates c JOIN applicants a ON a.cert_serial = c.serial WHERE a.dossier = '$D1')")"
check "audit verify after the steps" ct audit verify
finish

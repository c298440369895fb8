# standby.sh — a read-only node on a PostgreSQL hot standby, and the failover (docs/operations.md,
# "A read-only standby"):
#   - a standby made from the primary with `pg_basebackup -R` (streaming replication);
#   - node B, `serve --read-only` on the standby, serves OCSP (verified by openssl), the CRL, the
#     directory and the public pages, and reads of the API with a session opened on the primary;
#   - every write there answers 503 "store.read_only" (API and command line) and changes nothing;
#   - a revocation made on the primary is answered revoked by node B once replicated;
#   - a node started with --read-only on the primary stays read-only (it sees no promotion);
#   - the primary fails, the standby is promoted: node B notices by itself, takes writes, leads the
#     upkeep, and the audit chain it extends verifies.
CT_BACKEND=postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
CA=$CHUNGTHU_HOME/ca

# wait_for SECONDS COMMAND...: poll the command every 0.1 s until it succeeds or time runs out
wait_for() {
    local tries=$(($1 * 10))
    shift
    for _ in $(seq 1 "$tries"); do "$@" && return 0; sleep 0.1; done
    return 1
}
field() { python3 -c 'import json,sys; v=json.load(sys.stdin)'"$1"'; print(json.dumps(v) if isinstance(v,bool) else v)'; }

check "init --demo on PostgreSQL" ct init --demo --root-key p384 --issuing-key p256
sed -i 's/^upkeep_interval = .*/upkeep_interval = 1/' "$CHUNGTHU_HOME/chungthu.ini"
DB_URL=$(sed -n 's/^url = //p' "$CHUNGTHU_HOME/chungthu.ini")

# ---- node A on the primary, with two certificates ----
start_server || exit 1
login_demo
OFFICER=$(awk '$2 == "ca_officer" { print $1; exit }' "$CHUNGTHU_HOME/demo-accounts.txt")
CLERK=$(awk '$2 == "agency_clerk" { print $1; exit }' "$CHUNGTHU_HOME/demo-accounts.txt")
AGENCY=$(awk '$2 == "agency_clerk" { print $4; exit }' "$CHUNGTHU_HOME/demo-accounts.txt")
[ -n "$AGENCY" ] || AGENCY=BKHCN.VPC
issue() { # issue N NAME → the serial
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
        -subj "/CN=x" -out "$T/$1.csr" 2>/dev/null
    ct cert issue --csr "$T/$1.csr" --name "$2" --email "n$1@moh.gov.vn" --province "Hà Nội" \
        --org "Bộ Y tế" --out "$T/$1.crt" >/dev/null &&
        openssl x509 -in "$T/$1.crt" -noout -serial | cut -d= -f2
}
S1=$(issue 1 "Trần Văn Dự Phòng")
S2=$(issue 2 "Lê Thị Sao Chép")
[ -n "$S1" ] && [ -n "$S2" ] && pass || fail "two certificates issued on the primary"
cat "$CA/issuing.crt" "$CA/root.crt" >"$T/chain.pem"

# ---- the standby ----
check "a hot standby made with pg_basebackup -R" pg_standby_start
SB_URL=$(printf '%s' "$DB_URL" | sed "s|host=[^&]*|host=$PG_STANDBY|")
contains "the standby's URL names its own socket directory" "host=$PG_STANDBY" "$SB_URL"
same "the standby is in recovery" "t" "$(psql -X -A -t "$SB_URL" -c 'select pg_is_in_recovery()')"
replicated() { [ "$(psql -X -A -t "$SB_URL" -c "select count(*) from certificates where serial = '$1'" 2>/dev/null)" = 1 ]; }
check "the certificates reached the standby" wait_for 20 replicated "$S2"
[ "$FAILED" = 0 ] || { finish; exit 1; } # nothing below means anything without the standby

# node B: the same instance (a copy of the home) on the standby's database
HOME_B=$T/home_b
cp -a "$CHUNGTHU_HOME" "$HOME_B"
sed -i "s|^url = .*|url = ${SB_URL//&/\\&}|" "$HOME_B/chungthu.ini"
same "node B's home names the standby" "$SB_URL" "$(sed -n 's/^url = //p' "$HOME_B/chungthu.ini")"
PORT_B=$(free_port)
BASE_B=http://127.0.0.1:$PORT_B
CHUNGTHU_HOME=$HOME_B "$CHUNGTHU" serve --read-only --listen "127.0.0.1:$PORT_B" 2>>"$T/server_b.log" &
NODE_B=$!
disown "$NODE_B"
NODE_C=
trap 'kill -KILL $NODE_B $NODE_C 2>/dev/null; stop_server; pg_stop; rm -rf "$T"' EXIT
check "node B answers on the standby" wait_for 20 curl -sf -o /dev/null "$BASE_B/healthz" ||
    { cat "$T/server_b.log" >&2; finish; exit 1; }
contains "node B says it serves reads only" "reads only: the database is a standby" "$(cat "$T/server_b.log")"
H=$(curl -s "$BASE_B/healthz")
same "/healthz says read-only" "true" "$(field '["read_only"]' <<<"$H")"
same "/healthz says standby" "true" "$(field '["standby"]' <<<"$H")"
same "node A's /healthz: read-write" "false" "$(curl -s "$BASE/healthz" | field '["read_only"]')"
contains "/metrics: chungthu_read_only 1" "chungthu_read_only 1" "$(curl -s "$BASE_B/metrics")"

# ---- what node B serves ----
ocsp_b() { # ocsp_b SERIAL → openssl's verdict on node B's answer, verified against the chain
    openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$1" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
    curl -s -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$BASE_B/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$CA/issuing.crt" -serial "0x$1" -CAfile "$T/chain.pem" 2>&1
}
V=$(ocsp_b "$S1")
contains "OCSP (POST) on node B: good" "0x$S1: good" "$V"
contains "... and the answer verifies" "Response verify OK" "$V"
openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$S1" -no_nonce -reqout "$T/g.req" >/dev/null 2>&1
GET_PATH=$(base64 -w0 <"$T/g.req" | python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.stdin.read(), safe=""))')
same "OCSP (GET) on node B" "200" "$(curl -s -o "$T/g.resp" -w '%{http_code}' "$BASE_B/ocsp/$GET_PATH")"
contains "... good" "0x$S1: good" "$(openssl ocsp -respin "$T/g.resp" -issuer "$CA/issuing.crt" -serial "0x$S1" -CAfile "$T/chain.pem" 2>&1)"
same "the CRL on node B" "200" "$(curl -s -o "$T/b.crl" -w '%{http_code}' "$BASE_B/crl/issuing.crl")"
contains "... signed by the issuing CA" "verify OK" "$(openssl crl -inform DER -in "$T/b.crl" -CAfile "$T/chain.pem" -noout 2>&1)"
contains "the directory on node B finds a certificate" "Trần Văn Dự Phòng" \
    "$(curl -s "$BASE_B/certs?q=tran%20van%20du%20phong")"
same "the public home page on node B" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE_B/")"
same "the procedure's page on node B" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE_B/thu-tuc")"
same "a session opened on the primary reads on node B" "200" \
    "$(curl -s -b "$T/$OFFICER.jar" -o /dev/null -w '%{http_code}' "$BASE_B/api/v1/session")"
same "... the dossier queue too" "200" \
    "$(curl -s -b "$T/$OFFICER.jar" -o /dev/null -w '%{http_code}' "$BASE_B/api/v1/dossiers")"

# ---- writes on node B: 503, nothing changed ----
count() { psql -X -A -t "$SB_URL" -c "select (select count(*) from dossiers) || '/' || (select count(*) from audit) || '/' || (select count(*) from sessions)"; }
before=$(count)
PASSWORD=$(awk -v u="$OFFICER" '$1 == u { print $3 }' "$CHUNGTHU_HOME/demo-accounts.txt")
code=$(curl -s -H 'Content-Type: application/json' -d "{\"username\":\"$OFFICER\",\"password\":\"$PASSWORD\"}" \
    -o "$T/login.json" -w '%{http_code}' "$BASE_B/api/v1/session")
same "a login on node B answers 503" "503" "$code"
same "... code store.read_only" "store.read_only" "$(field '["code"]' <"$T/login.json")"
contains "... said in Vietnamese" "chỉ phục vụ đọc" "$(cat "$T/login.json")"
same "a revocation through node B answers 503" "503" \
    "$(curl -s -b "$T/$OFFICER.jar" -H 'Content-Type: application/json' -d '{"reason":"keyCompromise"}' \
        -o /dev/null -w '%{http_code}' "$BASE_B/api/v1/certificates/$S1/revoke")"
printf '1,Nguyễn Văn Dự,01/02/1980,001080000001,01/01/2021,Cục CS,du@most.gov.vn,Vụ A,Hà Nội,Chuyên viên,Công chức,0912000001,\n' >"$T/list.csv"
refuse "a dossier submitted on the standby's home (command line)" store.read_only \
    env CHUNGTHU_HOME="$HOME_B" "$CHUNGTHU" dossier submit --agency "$AGENCY" --channel postal \
    --file "$T/list.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng"
refuse "a revocation on the standby's home (command line)" store.read_only \
    env CHUNGTHU_HOME="$HOME_B" "$CHUNGTHU" cert revoke "$S1" --reason keyCompromise
check "a read on the standby's home (command line)" env CHUNGTHU_HOME="$HOME_B" "$CHUNGTHU" cert show "$S1"
same "nothing changed on the standby (dossiers/audit/sessions)" "$before" "$(count)"
contains "node B's OCSP still good after the refused revocation" "0x$S1: good" "$(ocsp_b "$S1")"

# ---- a change on the primary reaches node B's answers ----
same "S2 revoked on the primary (node A)" "200" "$(api "$OFFICER" "certificates/$S2/revoke" '{"reason":"keyCompromise"}')"
revoked_on_b() { ocsp_b "$S2" | grep -qF "0x$S2: revoked"; }
t0=$(date +%s%N)
check "node B answers S2 revoked once replicated" wait_for 15 revoked_on_b
echo "node B answered revoked $((($(date +%s%N) - t0) / 1000000)) ms after node A's revocation"
contains "... while S1 stays good" "0x$S1: good" "$(ocsp_b "$S1")"

# ---- --read-only on the primary: read-only for good (no promotion to see) ----
PORT_C=$(free_port)
"$CHUNGTHU" serve --read-only --listen "127.0.0.1:$PORT_C" 2>>"$T/server_c.log" &
NODE_C=$!
disown "$NODE_C"
check "node C (--read-only on the primary) answers" wait_for 20 curl -sf -o /dev/null "http://127.0.0.1:$PORT_C/healthz"
contains "node C says why it is read-only" "reads only (--read-only)" "$(cat "$T/server_c.log")"
H=$(curl -s "http://127.0.0.1:$PORT_C/healthz")
same "node C: read-only" "true" "$(field '["read_only"]' <<<"$H")"
same "node C: not a standby" "false" "$(field '["standby"]' <<<"$H")"
same "node C refuses a login" "503" \
    "$(curl -s -H 'Content-Type: application/json' -d '{"username":"x","password":"y"}' -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_C/api/v1/session")"
# rounds of its upkeep (one a second) change nothing: still read-only two rounds later (an
# absence: nothing to poll for)
sleep 2
same "node C stays read-only" "true" "$(curl -s "http://127.0.0.1:$PORT_C/healthz" | field '["read_only"]')"
same "node C never led the upkeep" "0" "$(grep -c "runs the shared upkeep" "$T/server_c.log")"
kill -TERM "$NODE_C"

# ---- failover: the primary fails, the standby is promoted ----
stop_server
check "the primary fails" pg_primary_stop
check "the standby is promoted" pg_standby_promote
writes_again() { [ "$(curl -s "$BASE_B/healthz" | field '["read_only"]')" = false ]; }
t0=$(date +%s%N)
check "node B reads and writes again by itself" wait_for 15 writes_again
echo "node B took writes $((($(date +%s%N) - t0) / 1000000)) ms after the promotion"
contains "node B says the database was promoted" "the database was promoted" "$(cat "$T/server_b.log")"
same "/healthz: no longer a standby" "false" "$(curl -s "$BASE_B/healthz" | field '["standby"]')"
code=$(curl -s -c "$T/b.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$OFFICER\",\"password\":\"$PASSWORD\"}" \
    -o /dev/null -w '%{http_code}' "$BASE_B/api/v1/session")
same "a login on node B now" "200" "$code"
same "a revocation through node B now" "200" \
    "$(curl -s -b "$T/b.jar" -H 'Content-Type: application/json' -d '{"reason":"keyCompromise"}' \
        -o /dev/null -w '%{http_code}' "$BASE_B/api/v1/certificates/$S1/revoke")"
contains "... answered revoked by node B" "0x$S1: revoked" "$(ocsp_b "$S1")"
check "a dossier submitted on node B's home" env CHUNGTHU_HOME="$HOME_B" "$CHUNGTHU" dossier submit \
    --agency "$AGENCY" --channel postal --file "$T/list.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng"
leads_b() { grep -q "this node runs the shared upkeep" "$T/server_b.log"; }
check "node B leads the upkeep" wait_for 15 leads_b
check "the audit chain verifies on the promoted database" env CHUNGTHU_HOME="$HOME_B" "$CHUNGTHU" audit verify

# ---- --read-only on SQLite: the process writes nothing, the file refuses it too ----
HOME_S=$T/home_s
check "an SQLite instance" env CHUNGTHU_HOME="$HOME_S" "$CHUNGTHU" init --demo --root-key p384 --issuing-key p256
check "its CRLs signed" env CHUNGTHU_HOME="$HOME_S" "$CHUNGTHU" crl generate
audit_rows() { sqlite3 "$HOME_S/chungthu.db" "select count(*) from audit"; }
before=$(audit_rows)
PORT_S=$(free_port)
CHUNGTHU_HOME=$HOME_S "$CHUNGTHU" serve --read-only --listen "127.0.0.1:$PORT_S" 2>>"$T/server_s.log" &
NODE_C=$!
disown "$NODE_C"
check "the SQLite node answers" wait_for 20 curl -sf -o /dev/null "http://127.0.0.1:$PORT_S/healthz"
USER_S=$(awk '$2 == "ca_officer" { print $1 " " $3; exit }' "$HOME_S/demo-accounts.txt")
same "a login there answers 503" "503" \
    "$(curl -s -H 'Content-Type: application/json' -d "{\"username\":\"${USER_S% *}\",\"password\":\"${USER_S#* }\"}" \
        -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_S/api/v1/session")"
same "the CRL there" "200" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT_S/crl/issuing.crl")"
same "nothing written to the file" "$before" "$(audit_rows)"
kill -TERM "$NODE_C"
finish

# nodes.sh — several nodes on one PostgreSQL database (docs/operations.md, "Several nodes"): two
# `chungthu serve` processes of one instance on one database, as behind a load balancer.
#   - a session opened on node A is valid on node B, and a logout on B ends it on A;
#   - the rate limits count both nodes' requests together;
#   - a revocation made through node A is answered as revoked by node B's OCSP to any request
#     sent a second later, though B had just answered (and cached) "good";
#   - dossiers submitted by many processes at once get single numbers and one unforked audit
#     chain;
#   - the shared upkeep runs on exactly one node, and when that node dies the other takes it
#     over.
# Always on PostgreSQL (its private server, tests/pg.sh): SQLite is one server per file.
CT_BACKEND=postgresql
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
CA=$CHUNGTHU_HOME/ca

check "init --demo on PostgreSQL" ct init --demo --root-key p384 --issuing-key p256
contains "the instance's database is PostgreSQL" "backend = postgresql" "$(cat "$CHUNGTHU_HOME/chungthu.ini")"
# a round of upkeep every second, so that a takeover shows within the test
sed -i 's/^upkeep_interval = .*/upkeep_interval = 1/' "$CHUNGTHU_HOME/chungthu.ini"
same "the upkeep's interval is set" "1" "$(sed -n 's/^upkeep_interval = //p' "$CHUNGTHU_HOME/chungthu.ini")"
DB_URL=$(sed -n 's/^url = //p' "$CHUNGTHU_HOME/chungthu.ini")

# node A: server.sh's server ($BASE, $URL, $T/server.log); node B beside it
start_server || exit 1
PORT_B=$(free_port)
BASE_B=http://127.0.0.1:$PORT_B
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT_B" 2>>"$T/server_b.log" &
NODE_B=$!
disown "$NODE_B" # killed at the end, not waited for: no job report
trap 'kill -KILL $NODE_B 2>/dev/null; stop_server; pg_stop; rm -rf "$T"' EXIT
for _ in $(seq 1 200); do
    curl -f -o /dev/null "$BASE_B/healthz" && break
    sleep 0.05
done
check "node B answers" curl -f -o /dev/null "$BASE_B/healthz"

# ---- sessions: opened on one node, used and ended on the other ----
login_demo
OFFICER=$(awk '$2 == "ca_officer" { print $1; exit }' "$CHUNGTHU_HOME/demo-accounts.txt")
same "the session works on node A" "200" "$(api "$OFFICER" session)"
same "the session opened on A works on node B" "200" \
    "$(curl -b "$T/$OFFICER.jar" -o /dev/null -w '%{http_code}' "$BASE_B/api/v1/session")"
AUDITOR=$(awk '$2 == "auditor" { print $1; exit }' "$CHUNGTHU_HOME/demo-accounts.txt")
same "a logout on node B" "200" \
    "$(curl -b "$T/$AUDITOR.jar" -H 'Content-Type: application/json' -d '{}' -o /dev/null \
        -w '%{http_code}' "$BASE_B/api/v1/session/logout")"
same "... ends the session on node A" "401" "$(api "$AUDITOR" session)"

# ---- rate limits, counted by both nodes together: 20 failed logins per address ----
wrong_login() { # wrong_login BASE N → the status
    curl -H 'Content-Type: application/json' -d "{\"username\":\"khongai$2\",\"password\":\"sai-mat-khau\"}" \
        -o /dev/null -w '%{http_code}' "$1/api/v1/session"
}
statuses=
for i in $(seq 1 10); do statuses="$statuses $(wrong_login "$BASE" "a$i") $(wrong_login "$BASE_B" "b$i")"; done
same "twenty failed logins from one address, half on each node" "20" "$(printf '%s\n' $statuses | grep -c '^401$')"
same "the 21st is stopped on node A" "429" "$(wrong_login "$BASE" a21)"
same "... and on node B" "429" "$(wrong_login "$BASE_B" b21)"

# ---- OCSP: a revocation through A, answered by B within a second ----
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/s.key" \
    -subj "/CN=x" -out "$T/s.csr" 2>/dev/null
check "issue" ct cert issue --csr "$T/s.csr" --name "Nguyễn Thị Hai Nút" --email hai@moh.gov.vn \
    --province "Hà Nội" --org "Bộ Y tế" --out "$T/s.crt"
S=$(openssl x509 -in "$T/s.crt" -noout -serial | cut -d= -f2)
cat "$CA/issuing.crt" "$CA/root.crt" >"$T/chain.pem"
openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$S" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
ocsp_b() {
    curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$BASE_B/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$CA/issuing.crt" -serial "0x$S" -CAfile "$T/chain.pem" 2>&1
}
contains "node B answers good (and keeps the answer)" "0x$S: good" "$(ocsp_b)"
contains "... twice" "0x$S: good" "$(ocsp_b)"
same "revoked through node A" "200" "$(api "$OFFICER" "certificates/$S/revoke" '{"reason":"keyCompromise"}')"
# The revocation is committed before node A answers. Node B looks for other nodes' changes at
# most once a second (app_ocsp_respond): any request it gets a second after that must be
# answered revoked. Each poll's start is what counts, so a slow machine (slow polls) cannot
# make the check pass or fail by itself.
revoked_at=$(date +%s%N)
verdict= late_good=0
for _ in $(seq 1 60); do
    poll_at=$((($(date +%s%N) - revoked_at) / 1000000))
    verdict=$(ocsp_b)
    case $verdict in *"0x$S: revoked"*) break ;; esac
    [ "$poll_at" -gt 1000 ] && late_good=$((late_good + 1))
    sleep 0.05
done
echo "node B answered revoked to a request sent ${poll_at} ms after node A's revocation"
contains "node B answers revoked" "0x$S: revoked" "$verdict"
same "no answer good to a request sent more than a second after the revocation" "0" "$late_good"

# ---- dossiers from twelve processes at once: single numbers, one audit chain ----
AGENCY=$(awk '$2 == "agency_clerk" { print $4; exit }' "$CHUNGTHU_HOME/demo-accounts.txt")
[ -n "$AGENCY" ] || AGENCY=BKHCN.VPC
GIVEN=(An Bình Chi Dũng Giang Hà Khoa Lan Minh Nga Phúc Quân)
submit() {
    printf '1,Nguyễn Văn %s,01/02/1980,0010800%05d,01/01/2021,Cục CS,so%s@most.gov.vn,Vụ A,Hà Nội,Chuyên viên,Công chức,0912000001,\n' \
        "${GIVEN[$1 - 1]}" "$1" "$1" >"$T/list.$1.csv"
    if "$CHUNGTHU" dossier submit --agency "$AGENCY" --channel postal --file "$T/list.$1.csv" \
        --confirmed-by "Phạm Thị Lan, Vụ trưởng" >"$T/submit.$1" 2>&1; then echo ok; else echo failed; fi
}
before=$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select count(*) from dossiers")
race 12 submit
same "twelve submissions at once, all recorded" "12" "$(race_count ok)"
[ "$(race_count ok)" = 12 ] || cat "$T"/submit.* >&2
same "twelve dossiers more" "$((before + 12))" "$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select count(*) from dossiers")"
same "no dossier number taken twice" "0" \
    "$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select count(*) from (select day, seq from dossiers group by day, seq having count(*) > 1) d")"
check "the audit chain is one, unforked" ct audit verify

# ---- the shared upkeep: exactly one node, taken over when it dies ----
leads() { grep -c "this node runs the shared upkeep" "$1"; }
for _ in $(seq 1 100); do
    [ $(($(leads "$T/server.log") + $(leads "$T/server_b.log"))) -ge 1 ] && break
    sleep 0.1
done
sleep 2 # two more rounds: a second leader would have shown by now
same "exactly one node leads the upkeep" "1" "$(($(leads "$T/server.log") + $(leads "$T/server_b.log")))"
if [ "$(leads "$T/server.log")" = 1 ]; then
    leader=$SERVER follower_log=$T/server_b.log
    SERVER= # killed here, not stopped cleanly
else
    leader=$NODE_B follower_log=$T/server.log
fi
kill -KILL "$leader"
[ "$leader" = "$NODE_B" ] || wait "$leader" 2>/dev/null
for _ in $(seq 1 100); do
    [ "$(leads "$follower_log")" = 1 ] && break
    sleep 0.1
done
same "the other node takes the upkeep over when the leader dies" "1" "$(leads "$follower_log")"
contains "... having said another node ran it" "another node runs the shared upkeep" "$(cat "$follower_log")"
[ -n "$DB_URL" ] && same "the database is the instance's" "1" \
    "$(psql -X -A -t -q "$DB_URL" -c "select count(*) from pg_locks where locktype = 'advisory' and objid = $((0x63745f7570 & 0xffffffff))")"
finish

# requests_e2e.sh — an agency's requests about issued certificates through the portal, in headless
# Chromium (tests/e2e/requests.mjs), on real SoftHSM2 tokens: the clerk asks for a suspension, a
# resumption, a revocation, a renewal and a change of details from the form; the CA officer
# accepts each and takes its step from the dossier page; OCSP (openssl ocsp, verified against the
# issuer) is asked before and after each. Three certificates of the demo agency are published
# first from the command line, as lifecycle.sh does. REQUESTS_SCREENSHOTS=DIR saves the
# screenshots there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../e2e/run.sh"
CA=$CHUNGTHU_HOME/ca
AGENCY=BKHCN.VPC # the demo clerk's agency
q() { sqlite3 "$CHUNGTHU_HOME/chungthu.db" "$1"; }
utc() { date -u -d "$1" +%s; }
# certificates of 300 days, all inside a renewal window of 400: each may be renewed
sed -i 's|^default_days *=.*|default_days = 300|; s|^renewal_window_days *=.*|renewal_window_days = 400|' "$CHUNGTHU_HOME/chungthu.ini"
contains "renewal window widened" "renewal_window_days = 400" "$(cat "$CHUNGTHU_HOME/chungthu.ini")"
check "token stock" ct token stock --count 6

# The sample list of three taken through the whole procedure: its certificates published (the
# agency's steps at the pickup time, two working days ahead).
today=$(date -u -d '+7 hours' +%F)
pickup_day=$(ct calendar add-working-days "$today" 2)
code=$(ct dossier submit --agency "$AGENCY" --channel direct --file "$CT_SRC/data/samples/mau02.csv" \
    --confirmed-by "Phạm Thị Lan, Vụ trưởng" | sed -n 's/^Mã hồ sơ (Dossier code): //p')
contains "a dossier of three" "-" "$code"
check "accepted" ct dossier accept "$code"
check "issued on tokens" ct dossier issue "$code"
check "pickup notified" ct dossier notify-pickup "$code" --at "$pickup_day 09:00" --place "Phòng 203"
check "published" env CHUNGTHU_NOW="$(utc "$pickup_day 10:00 +07")" sh -c '
    "$0" dossier agency-received "$1" --by "Nguyễn Văn Nhận" && "$0" dossier handed-over "$1" &&
    "$0" dossier request-activation "$1" && "$0" dossier publish "$1"' "$CHUNGTHU" "$code"
S1=$(q "select cert_serial from applicants where dossier='$code' and n=1")
S2=$(q "select cert_serial from applicants where dossier='$code' and n=2")
S3=$(q "select cert_serial from applicants where dossier='$code' and n=3")
same "three active certificates" "active active active" "$(for s in $S1 $S2 $S3; do q "select status from certificates where serial='$s'"; done | paste -sd ' ')"

# The server's clock is a file the browser test moves (CHUNGTHU_NOW=@FILE) for the renewal's and
# the change's pickup, the next working day; empty, it is the real time.
: > "$T/clock"
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
export E2E_CLOCK=$T/clock E2E_PICKUP_DAY=$(ct calendar add-working-days "$today" 1)
export E2E_ISSUER=$CA/issuing.crt E2E_CHAIN=$T/chain.pem
CHUNGTHU_NOW=@$T/clock e2e_serve
contains "the request form's script is served" "viewRequests" "$(curl -s "$BASE/portal/requests.js")"

e2e_node requests "$S1" "$S2" "$S3"

# what the browser did, as the database and the audit trail keep it
same "five requests, one of each kind, completed" "change|completed renewal|completed resumption|completed revocation|completed suspension|completed" \
    "$(q "select kind || '|' || state from dossiers where kind <> 'new' order by kind" | paste -sd ' ')"
same "the revoked one: keyCompromise" "revoked|1" "$(q "select status || '|' || revocation_reason from certificates where serial='$S2'")"
same "the changed one: superseded" "revoked|4" "$(q "select status || '|' || revocation_reason from certificates where serial='$S1'")"
same "the renewed one runs to its end" "active" "$(q "select status from certificates where serial='$S3'")"
same "each officer's step audited once" "1 1 1" "$(for a in suspend resume revoke; do q "select count(*) from audit where action='applicant.$a'"; done | paste -sd ' ')"
same "the audit chain still verifies" "0" "$(ct audit verify >/dev/null 2>&1; echo $?)"
stop_server
finish

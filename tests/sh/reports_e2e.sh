# reports_e2e.sh — the portal's reports page in headless Chromium (tests/e2e/reports.mjs): the CA
# officer and the auditor open it, its charts load, a CSV downloads, it fits 1280 px and 375 px;
# an agency clerk is refused. Two dossiers received this month give it something to show.
# REPORTS_SCREENSHOTS=DIR saves the screenshots there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../e2e/run.sh"
submit() {
    "$CHUNGTHU" dossier submit --agency BKHCN.VPC --channel postal --file "$CT_SRC/data/samples/mau02.csv" \
        --confirmed-by "Phạm Thị Lan, Vụ trưởng" | sed -n 's/^Mã hồ sơ (Dossier code): //p'
}
FIRST=$(submit)
contains "a dossier received" "-" "$FIRST"
check "accept it" ct dossier accept "$FIRST"
contains "another received" "-" "$(submit)"

e2e_serve
contains "the page's script is served" "viewReports" "$(curl -s "$BASE/portal/reports.js")"
e2e_node reports
stop_server
finish

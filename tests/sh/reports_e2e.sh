# reports_e2e.sh — the portal's reports page in headless Chromium (tests/e2e/reports.mjs): the CA
# officer and the auditor open it, its charts load, a CSV downloads, it fits 1280 px and 375 px;
# an agency clerk is refused. Two dossiers received this month give it something to show.
# REPORTS_SCREENSHOTS=DIR saves the screenshots there.
. "$(dirname "$0")/../lib.sh"
E2E=$CT_SRC/tests/e2e
if [ ! -x /usr/bin/chromium ] || [ ! -d "$E2E/node_modules/playwright-core" ]; then
    fail "Chromium or playwright-core missing: run scripts/install-deps"
    finish
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
check "init --demo" ct init --demo --base-url "http://127.0.0.1:$PORT"
submit() {
    "$CHUNGTHU" dossier submit --agency BKHCN.VPC --channel postal --file "$CT_SRC/data/samples/mau02.csv" \
        --confirmed-by "Phạm Thị Lan, Vụ trưởng" | sed -n 's/^Mã hồ sơ (Dossier code): //p'
}
FIRST=$(submit)
contains "a dossier received" "-" "$FIRST"
check "accept it" ct dossier accept "$FIRST"
contains "another received" "-" "$(submit)"

"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2> "$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" -o /dev/null && break; sleep 0.1; done
contains "the page's script is served" "viewReports" "$(curl -s "http://127.0.0.1:$PORT/portal/reports.js")"

if node "$E2E/reports.mjs" "http://127.0.0.1:$PORT" "$CHUNGTHU_HOME/demo-accounts.txt" ${REPORTS_SCREENSHOTS:-} > "$T/e2e.log" 2>&1; then
    pass
    tail -1 "$T/e2e.log"
else
    fail "the browser test"
    sed 's/^/  | /' "$T/e2e.log" >&2
    tail -20 "$T/server.log" | sed 's/^/  server | /' >&2
fi
kill -TERM $SERVER; wait $SERVER
finish

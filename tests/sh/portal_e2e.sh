# portal_e2e.sh — the portal end to end in headless Chromium (tests/e2e/portal.mjs): the whole
# procedure clicked through by an agency clerk, its head, a CA officer, the administrator and
# the auditor, against a real server on a demo instance; then the public directory.
# PORTAL_SCREENSHOTS=DIR also saves the screenshots of docs/screenshots/ there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../e2e/run.sh"
# The queue's colours: a dossier accepted a month ago is late; one accepted three working
# days before today (when today is a working day) is due today. Recorded by the CA at the time.
at_nine() { date -u -d "$1 02:00" +%s; } # 09:00 in Vietnam
seed() { # seed DAY → a dossier received and accepted at 09:00 that day
    local code
    code=$(CHUNGTHU_NOW=$(at_nine "$1") "$CHUNGTHU" dossier submit --agency BKHCN.VPC --channel postal \
        --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng" |
        sed -n 's/^Mã hồ sơ (Dossier code): //p')
    CHUNGTHU_NOW=$(at_nine "$1") "$CHUNGTHU" dossier accept "$code" >/dev/null && echo "$code"
}
local_now=$(( $(date +%s) + 7 * 3600 )) # Vietnam time, whatever the machine's zone
today=$(date -u -d "@$local_now" +%F)
LATE=$(seed "$(date -d "$today -30 days" +%F)")
contains "a late dossier" "-" "$LATE"
DUE=
# due today only until the day's closing time (17:00): after it, such a dossier is late
if [ "$(date -u -d "@$local_now" +%H)" -lt 16 ] && ct calendar is-working-day "$today" >/dev/null; then
    for k in $(seq 3 12); do
        day=$(date -d "$today -$k days" +%F)
        if ct calendar is-working-day "$day" >/dev/null && [ "$(ct calendar add-working-days "$day" 3)" = "$today" ]; then
            DUE=$(seed "$day"); break
        fi
    done
fi
export E2E_LATE=$LATE E2E_DUE_TODAY=$DUE
# The server's clock is a file the browser test moves (CHUNGTHU_NOW=@FILE): the agency collects
# its tokens at the pickup time it was given, the next working day, not before. Empty, it is
# the real time.
: > "$T/clock"
export E2E_CLOCK=$T/clock E2E_PICKUP_DAY=$(ct calendar add-working-days "$today" 1)

CHUNGTHU_NOW=@$T/clock e2e_serve
same "the portal is served" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/portal/")"
contains "its scripts are our own only" "script-src 'self'" "$(curl -s -D - -o /dev/null "$BASE/portal/portal.js")"
same "no file outside it" "400" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/portal/..%2Fportal%2Fportal.js")"
same "nor a name it does not serve" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/portal/README.md")"
same "nor a path below it" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/portal/x/portal.js")"

e2e_node portal
same "the audit chain still verifies" "0" "$(ct audit verify >/dev/null 2>&1; echo $?)"
stop_server
finish

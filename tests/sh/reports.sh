# reports.sh — the reports page's figures, exactly: dossiers of two agencies taken through the
# procedure at chosen instants (CHUNGTHU_NOW), some on time and some late, around Giỗ Tổ (Mon
# 27/04/2026, in place of Sunday 26/04), 30/04, 01/05 and the weekends; then the report of
# [2026-04-20, 2026-05-10) through the command line, the API, its CSV tables and its SVG charts,
# each checked number by number. Roles: the CA and the auditor read it, an agency clerk gets 403;
# bad dates get 400 with a stable code.
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db
TEST_NAME='Ban "Thử" & <Kiểm tra>' # every XML and CSV special in one agency's name
at() { export CHUNGTHU_NOW=$(date -u -d "$1 +07" +%s); } # Vietnam time
code() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/out"; }

check "init" ct init --root-key p384 --issuing-key p256
check "agency BNV" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state
check "agency STP" ct agency add --code STP --name "Sở Tư pháp Hà Nội" --province "Hà Nội" --head-name "Lê Văn B" --head-title "Giám đốc" --kind state
# (a certificate's organisation refuses "<": this agency's dossier is only received)
check "agency TEST" ct agency add --code TEST --name "$TEST_NAME" --province "Huế" --head-name "C" --head-title "Trưởng ban" --kind state
check "token stock" ct token stock --count 4
head -2 "$CT_SRC/data/samples/mau02.csv" > "$T/one.csv"
submit() { ct dossier submit --agency "$1" --channel direct --file "$T/one.csv" --confirmed-by "A, B" --json >"$T/out" && code; }
issue_notify() { # CODE PICKUP_DAY
    check "issue $1" ct dossier issue "$1"
    check "notify $1" ct dossier notify-pickup "$1" --at "$2 09:00" --place "Phòng 203"
}
to_activation() {
    check "agency received $1" ct dossier agency-received "$1" --by "Nguyễn Văn Nhận"
    check "handed over $1" ct dossier handed-over "$1"
    check "activation requested $1" ct dossier request-activation "$1"
}

at "2026-04-16 09:00"; A6=$(submit BNV)      # received before the period; step 2 ends in it
at "2026-04-20 09:00"; A1=$(submit BNV); A2=$(submit BNV)
check "accept A1" ct dossier accept "$A1"; check "accept A2" ct dossier accept "$A2"
at "2026-04-20 10:00"; issue_notify "$A1" 2026-04-21       # step 2: 0 working days, on time
at "2026-04-21 09:00"; A4=$(submit BNV); A5=$(submit BNV)
check "supplement A4" ct dossier supplement "$A4" --reason "Thiếu giấy tờ"
check "withdraw A5" ct dossier withdraw "$A5"
check "accept A6" ct dossier accept "$A6"
issue_notify "$A6" 2026-04-22                              # 16/04 → 21/04: 3, on time (due 21/04 17:00)
at "2026-04-22 09:00"; B1=$(submit STP); A7=$(submit BNV)
check "accept B1" ct dossier accept "$B1"; check "accept A7" ct dossier accept "$A7"
at "2026-04-22 10:00"; B2=$(submit STP)                     # never checked
at "2026-04-23 09:00"; C1=$(submit TEST)
at "2026-04-24 10:00"; issue_notify "$A2" 2026-04-28       # 20/04 → 24/04: 4, late (due 23/04)
at "2026-04-24 17:00"; A3=$(submit BNV)                     # after the cut-off: counts from Tue 28/04
at "2026-04-28 10:00"; to_activation "$A2"
at "2026-04-29 09:00"; check "issue B1" ct dossier issue "$B1"
check "notify B1" ct dossier notify-pickup "$B1" --at "2026-05-04 09:00" --place "Phòng 203" # 22/04 → 29/04: 4, late
at "2026-04-29 10:00"; to_activation "$A1"
at "2026-05-04 09:00"
check "publish A1" ct dossier publish "$A1"                 # 29/04 → 04/05: 1, on time
check "publish A2" ct dossier publish "$A2"                 # 28/04 → 04/05: 2, late (due 29/04)
check "reject A3" ct dossier reject "$A3" --reason "Không đủ điều kiện" # 28/04 → 04/05: 2, on time
at "2026-05-06 09:00"; to_activation "$B1"
at "2026-05-06 14:00"; check "publish B1" ct dossier publish "$B1" # 0, on time
at "2026-05-07 09:00"; check "revoke B1's certificate" ct cert revoke "$(sqlite3 "$DB" "select cert_serial from applicants where dossier='$B1'")" --reason affiliationChanged
same "the dossiers' states" "completed completed rejected needs_supplement withdrawn accepted accepted completed received received" \
    "$(for d in "$A1" "$A2" "$A3" "$A4" "$A5" "$A6" "$A7" "$B1" "$B2" "$C1"; do sqlite3 "$DB" "select state from dossiers where code='$d'"; done | tr '\n' ' ' | sed 's/ $//')"

# one line per row: code | dossiers | certificates | step 2 | step 3 | step 4
summary() {
    python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def f(v): return "-" if v is None else (str(int(v)) if float(v).is_integer() and not isinstance(v, float) else str(v))
def row(code, x):
    d, c, s = x["dossiers"], x["certificates"], x["steps"]
    step = lambda k: " ".join(f(s[k][n]) for n in ("done", "on_time", "late", "on_time_percent", "median_days") if n in s[k])
    return " | ".join([code, " ".join(str(d[n]) for n in ("received", "waiting", "accepted", "needs_supplement", "rejected", "withdrawn", "completed")),
                       " ".join(str(c[n]) for n in ("issued", "published", "revoked")), step("step2"), step("step3"), step("step4")])
print(r["from"], r["to"], r["agency"])
for a in r["agencies"]: print(row(a["agency"], a))
print(row("total", r["total"]))
PY
}
EXPECTED="2026-04-20 2026-05-10 None
BNV | 6 0 1 1 1 1 2 | 3 2 0 | 4 3 1 75.0 2.5 | 2 3.5 | 2 1 1 50.0 1.5
STP | 2 1 0 0 0 0 1 | 1 1 1 | 1 0 1 0.0 4.0 | 1 3.0 | 1 1 0 100.0 0.0
TEST | 1 1 0 0 0 0 0 | 0 0 0 | 0 0 0 - - | 0 - | 0 0 0 - -
total | 9 2 1 1 1 1 3 | 4 3 1 | 5 3 2 60.0 3.0 | 3 3.0 | 3 2 1 66.7 1.0"
check "report --json" ct report --from 2026-04-20 --to 2026-05-10 --json
cp "$T/out" "$T/cli.json"
same "the report's figures (command line)" "$EXPECTED" "$(summary "$T/cli.json")"
check "text report" ct report --from 2026-04-20 --to 2026-05-10
contains "text names the agency" "TEST  $TEST_NAME" "$(cat "$T/out")"
contains "text gives step 2's rate" "bước 2 / step 2: 5, đúng hạn / on time 3, trễ / late 2 (60.0%), trung vị / median 3 ngày" "$(cat "$T/out")"
# a period before: only A6's receipt (its step 2 ended after it)
check "report of early April" ct report --from 2026-04-01 --to 2026-04-20 --json
same "early April: A6 received, nothing ended" "2026-04-01 2026-04-20 None
BNV | 1 0 1 0 0 0 0 | 0 0 0 | 0 0 0 - - | 0 - | 0 0 0 - -
total | 1 0 1 0 0 0 0 | 0 0 0 | 0 0 0 - - | 0 - | 0 0 0 - -" "$(summary "$T/out")"
check "one agency" ct report --from 2026-04-20 --to 2026-05-10 --agency STP --json
same "one agency: its row is the total" "2026-04-20 2026-05-10 STP
STP | 2 1 0 0 0 0 1 | 1 1 1 | 1 0 1 0.0 4.0 | 1 3.0 | 1 1 0 100.0 0.0
total | 2 1 0 0 0 0 1 | 1 1 1 | 1 0 1 0.0 4.0 | 1 3.0 | 1 1 0 100.0 0.0" "$(summary "$T/out")"
refuse "an unknown agency" agency.not_found ct report --agency NOPE
refuse "not a date" report.bad_date ct report --from 2026-02-30
refuse "a reversed period" report.bad_period ct report --from 2026-05-10 --to 2026-04-20
refuse "an unknown table" report.no_table ct report --csv nope
at "2026-04-15 10:00"
check "the default period" ct report --json
same "default: this month" "2026-04-01 2026-05-01" "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["from"], r["to"])' "$T/out")"

# ---- the API, its CSV and SVG ----
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/api/v1
printf 'mật khẩu của cán bộ\n' | "$CHUNGTHU" user add --username canbo --role ca_officer >/dev/null
printf 'mật khẩu kiểm toán viên\n' | "$CHUNGTHU" user add --username kiemtoan --role auditor >/dev/null
printf 'mật khẩu của văn thư\n' | "$CHUNGTHU" user add --username vanthu --role agency_clerk --agency STP >/dev/null
at "2026-05-11 09:00"
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2>"$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" -o /dev/null && break; sleep 0.1; done
login() { curl -s -c "$T/$1.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$URL/session" -o /dev/null -w '%{http_code}'; }
same "officer logs in" 200 "$(login canbo 'mật khẩu của cán bộ')"
same "auditor logs in" 200 "$(login kiemtoan 'mật khẩu kiểm toán viên')"
same "clerk logs in" 200 "$(login vanthu 'mật khẩu của văn thư')"
get() { curl -s -b "$T/$1.jar" -o "$T/last" -w '%{http_code}' "$URL/$2"; }
Q='from=2026-04-20&to=2026-05-10'
same "officer reads the report" 200 "$(get canbo "reports?$Q")"
same "the report's figures (API)" "$EXPECTED" "$(summary "$T/last")"
same "the auditor reads it too" 200 "$(get kiemtoan "reports?$Q")"
same "an agency clerk is refused" 403 "$(get vanthu "reports?$Q")"
same "... and its CSV" 403 "$(get vanthu "reports/dossiers.csv?$Q")"
same "... and its chart" 403 "$(get vanthu "reports/agencies.svg?$Q")"
same "bad date" 400 "$(get canbo "reports?from=2026-04-31")"
contains "bad date's code" '"code":"report.bad_date"' "$(cat "$T/last")"
same "reversed period" 400 "$(get canbo "reports?from=2026-05-10&to=2026-05-10")"
contains "reversed period's code" '"code":"report.bad_period"' "$(cat "$T/last")"
same "unknown table" 404 "$(get canbo "reports/nope.csv?$Q")"
contains "unknown table's code" '"code":"report.no_table"' "$(cat "$T/last")"
same "unknown chart" 404 "$(get canbo "reports/nope.svg?$Q")"

# CSV: a byte-order mark, then the same numbers
same "dossiers CSV" 200 "$(get canbo "reports/dossiers.csv?$Q")"
same "CSV starts with the UTF-8 BOM" "efbbbf" "$(head -c 3 "$T/last" | od -An -tx1 | tr -d ' \n')"
same "dossiers CSV rows" "Mã cơ quan,Tên cơ quan,Tiếp nhận,Chờ kiểm tra,Đã tiếp nhận hợp lệ,Chờ bổ sung,Từ chối,Rút,Hoàn thành
BNV,Bộ Nội vụ,6,0,1,1,1,1,2
STP,Sở Tư pháp Hà Nội,2,1,0,0,0,0,1
TEST,\"Ban \"\"Thử\"\" & <Kiểm tra>\",1,1,0,0,0,0,0
,Tổng cộng,9,2,1,1,1,1,3" "$(tail -c +4 "$T/last" | tr -d '\r')"
same "CSV lines end in CRLF" 5 "$(grep -c $'\r$' "$T/last")"
same "certificates CSV" 200 "$(get canbo "reports/certificates.csv?$Q")"
same "certificates CSV rows" "BNV,Bộ Nội vụ,3,2,0|STP,Sở Tư pháp Hà Nội,1,1,1|TEST,\"Ban \"\"Thử\"\" & <Kiểm tra>\",0,0,0|,Tổng cộng,4,3,1" "$(tail -n +2 "$T/last" | tr -d '\r' | paste -sd'|')"
same "steps CSV" 200 "$(get kiemtoan "reports/steps.csv?$Q")"
same "steps CSV rows" "BNV,Bộ Nội vụ,4,3,1,75.0,2.5,2,3.5,2,1,1,50.0,1.5|STP,Sở Tư pháp Hà Nội,1,0,1,0.0,4,1,3,1,1,0,100.0,0|TEST,\"Ban \"\"Thử\"\" & <Kiểm tra>\",0,0,0,,,0,,0,0,0,,|,Tổng cộng,5,3,2,60.0,3,3,3,3,2,1,66.7,1" "$(tail -n +2 "$T/last" | tr -d '\r' | paste -sd'|')"
curl -s -b "$T/canbo.jar" -D "$T/h" -o /dev/null "$URL/reports/steps.csv?$Q"
contains "CSV as a download" 'attachment; filename="bao-cao-steps-2026-04-20-2026-05-10.csv"' "$(cat "$T/h")"
contains "CSV's type" "text/csv; charset=utf-8" "$(cat "$T/h")"
same "the command line gives the same CSV bytes" "$(sha256sum < "$T/last")" "$(ct report --from 2026-04-20 --to 2026-05-10 --csv steps | sha256sum)"

# SVG: well-formed, accessible, the names escaped
svg_check() { # FILE → the chart's title, then its texts
    python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg" and root.get("viewBox", "").startswith("0 0 ")
print(root.find(ns + "title").text)
print("|".join(t.text or "" for t in root.iter(ns + "text")))
PY
}
same "agencies chart" 200 "$(get canbo "reports/agencies.svg?$Q")"
curl -s -b "$T/canbo.jar" -D "$T/h" -o /dev/null "$URL/reports/agencies.svg?$Q"
contains "SVG's type" "image/svg+xml" "$(cat "$T/h")"
contains "a chart runs no script" "default-src 'none'" "$(cat "$T/h")"
check "agencies chart parses as XML" svg_check "$T/last"
[ -n "${REPORTS_CHARTS:-}" ] && cp "$T/last" "$REPORTS_CHARTS/agencies.svg" # REPORTS_CHARTS=DIR keeps the charts
svg_check "$T/last" > "$T/svg.txt" 2>&1
same "its title" "Hồ sơ tiếp nhận và hoàn thành theo cơ quan, 2026-04-20 – 2026-05-10" "$(sed -n 1p "$T/svg.txt")"
same "its labels and bars" "Tiếp nhận|Hoàn thành|Bộ Nội vụ|6|2|Sở Tư pháp Hà Nội|2|1|$TEST_NAME|1|0" "$(sed -n 2p "$T/svg.txt")"
contains "the name escaped in the SVG text" "Ban &quot;Thử&quot; &amp; &lt;Kiểm tra&gt;" "$(cat "$T/last")"
same "on-time chart" 200 "$(get kiemtoan "reports/on_time.svg?$Q")"
check "on-time chart parses as XML" svg_check "$T/last"
[ -n "${REPORTS_CHARTS:-}" ] && cp "$T/last" "$REPORTS_CHARTS/on_time.svg"
svg_check "$T/last" > "$T/svg.txt" 2>&1
contains "step 2's rate in the chart" "đúng hạn 60,0% (3/5), trung vị 3 ngày" "$(sed -n 2p "$T/svg.txt")"
contains "step 4's rate in the chart" "đúng hạn 66,7% (2/3), trung vị 1 ngày" "$(sed -n 2p "$T/svg.txt")"
contains "step 3 shown, not counted" "3 lượt, trung vị 3 ngày làm việc" "$(sed -n 2p "$T/svg.txt")"
same "an empty period still draws" 200 "$(get canbo "reports/agencies.svg?from=2020-01-01&to=2020-02-01")"
check "empty chart parses as XML" svg_check "$T/last"
contains "says there is nothing" "Không có hồ sơ trong kỳ" "$(cat "$T/last")"
kill -TERM $SERVER; wait $SERVER
finish

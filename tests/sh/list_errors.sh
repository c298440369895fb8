# list_errors.sh — a Mẫu 02 list with several bad rows is refused with every problem at once
# (row, column in both languages, stable code, both messages), through the command line, the
# API's dossier intake and a draft's list, and nothing is stored; the same list put right goes
# through.
. "$(dirname "$0")/../lib.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/api/v1
DB=$CHUNGTHU_HOME/chungthu.db
curl() { command curl -m 60 -s "$@"; }
LIST=$CT_SRC/data/samples/mau02.csv
count() { sqlite3 "$DB" "select (select count(*) from dossiers) || '/' || (select count(*) from applicants)"; }

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
BEFORE=$(count)
# three bad rows of three kinds: a date that does not exist (row 2), a category outside the
# procedure (row 3), a phone number that is not a mobile one (row 4)
sed '2s/12\/03\/1985/31\/02\/1985/; 3s/Công chức/Hợp đồng/; 4s/0905.123.456/0243 825 1234/' "$LIST" >"$T/bad.csv"

# ---- the command line: every problem, one a line, then the summary ----
refuse "a list with three bad rows" mau02.invalid ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/bad.csv" --confirmed-by "A, B"
cp "$T/err" "$T/cli_err"
contains "row 2's date" 'dòng 2, cột "Ngày sinh" [mau02.date_invalid]' "$(cat "$T/cli_err")"
contains "row 3's category" 'dòng 3, cột "Ngạch/Vị trí" [mau02.category_invalid]: "Hợp đồng"' "$(cat "$T/cli_err")"
contains "row 4's phone" '[mau02.phone_invalid]: "0243 825 1234" không phải số di động Việt Nam (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09) / row 4, field "mobile phone": "0243 825 1234" is not' "$(cat "$T/cli_err")"
same "one line each, then the summary in both languages" "5" "$(wc -l <"$T/cli_err")"
contains "the summary counts them" "3 errors in the list; the first: row 2" "$(cat "$T/cli_err")"
same "nothing stored" "$BEFORE" "$(count)"

# ---- the API ----
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" --threads 2 2>"$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -f "$URL/../../healthz" -o /dev/null && break; sleep 0.1; done
password() { awk -v u="$1" '$1 == u {print $3}' "$CHUNGTHU_HOME/demo-accounts.txt"; }
for u in vanthu canbo; do
    same "login $u" "200" "$(curl -c "$T/$u.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$u\",\"password\":\"$(password $u)\"}" -o /dev/null -w '%{http_code}' "$URL/session")"
done
# every problem as the API gives it: row|column|column_vi|code, one a line; then the count
problems() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["code"], d.get("error_count"))
for e in d.get("errors", []):
    assert e["message_vi"] and e["message_en"] and e["message"] == e["message_vi"]
    print("%s|%s|%s|%s" % (e["row"], e["column"], e["column_vi"], e["code"]))' "$1"
}
EXPECTED="mau02.invalid 3
2|date of birth|Ngày sinh|mau02.date_invalid
3|category|Ngạch/Vị trí|mau02.category_invalid
4|mobile phone|Số điện thoại di động|mau02.phone_invalid"

BODY=$(python3 -c 'import json,sys; print(json.dumps({"agency":"BKHCN.VPC","channel":"direct","confirmed_by":"A, B","csv":open(sys.argv[1],encoding="utf-8-sig").read()}))' "$T/bad.csv")
same "POST /dossiers: 400" "400" "$(curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -d "$BODY" -o "$T/last" -w '%{http_code}' "$URL/dossiers")"
same "POST /dossiers: all three problems" "$EXPECTED" "$(problems "$T/last")"
same "nothing stored by the API" "$BEFORE" "$(count)"
# the JSON form of the list: the same problems, the row being the applicant's place
BODY=$(python3 -c '
import json
ok = {"full_name":"Nguyễn Văn An","birth_date":"01/02/1980","id_number":"001080000001","id_issued_on":"01/01/2021","id_issued_at":"Cục CS","email":"an@x.gov.vn","unit":"Vụ A","province":"Hà Nội","position":"Chuyên viên","category":"Công chức","phone":"0912000001"}
a = dict(ok, birth_date="31/02/1980"); b = dict(ok, id_number="001080000002", email="b@x.gov.vn", category="Hợp đồng")
c = dict(ok, id_number="001080000003", email="c@x.gov.vn", phone=912000001)
print(json.dumps({"agency":"BKHCN.VPC","channel":"direct","confirmed_by":"A, B","applicants":[a, b, c]}))')
same "POST /dossiers as JSON: 400" "400" "$(curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -d "$BODY" -o "$T/last" -w '%{http_code}' "$URL/dossiers")"
same "POST /dossiers as JSON: all three problems" "mau02.invalid 3
1|date of birth|Ngày sinh|mau02.date_invalid
2|category|Ngạch/Vị trí|mau02.category_invalid
3|mobile phone|Số điện thoại di động|json.type" "$(problems "$T/last")"

# a draft's list: the same answer, and the draft keeps no list
ID=$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/json' -d '{"title":"Đợt thử"}' "$URL/drafts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
same "POST /drafts/{id}/list: 400" "400" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: text/csv' --data-binary @"$T/bad.csv" -o "$T/last" -w '%{http_code}' "$URL/drafts/$ID/list")"
same "POST /drafts/{id}/list: all three problems" "$EXPECTED" "$(problems "$T/last")"
same "the draft has no list" "" "$(curl -b "$T/vanthu.jar" "$URL/drafts/$ID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["list_sha256"])')"
# one problem alone keeps its own code, and the errors array holds it
sed '3s/Công chức/Hợp đồng/' "$LIST" >"$T/one.csv"
same "one bad row: 400" "400" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: text/csv' --data-binary @"$T/one.csv" -o "$T/last" -w '%{http_code}' "$URL/drafts/$ID/list")"
same "one bad row: its own code" "mau02.category_invalid 1
3|category|Ngạch/Vị trí|mau02.category_invalid" "$(problems "$T/last")"
# an error that is not the list's has no errors array
same "a missing draft: 404" "404" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: text/csv' --data-binary @"$T/bad.csv" -o "$T/last" -w '%{http_code}' "$URL/drafts/99999/list")"
same "a missing draft: no errors array" "draft.not_found None" "$(problems "$T/last")"
# the list put right goes through
same "the good list is taken" "200" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: text/csv' --data-binary @"$LIST" -o "$T/last" -w '%{http_code}' "$URL/drafts/$ID/list")"
same "the draft holds 3 applicants" "3" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["applicants"])' "$T/last")"
same "still no dossier stored" "$BEFORE" "$(count)"
finish

# lists_xlsx.sh — Mẫu 02 lists kept in Excel or LibreOffice: the .xlsx template downloads and is a
# workbook with the 13 headings, text ID/phone columns, dd/mm/yyyy dates, a frozen header and the
# two drop-downs; a filled workbook (shared strings, a numeric date serial, a text date, an inline
# string, an ID with a leading zero) gives the right applicants through the command line, a
# draft's list upload and a resubmission; three bad rows are reported all three (row, column,
# code); a zip bomb, a file that is no zip, a password-protected one and a workbook without its
# sheet are refused with their stable codes and change nothing.
. "$(dirname "$0")/../lib.sh"
. "$CT_SRC/tests/server.sh"
X() { python3 "$CT_SRC/tests/xlsx.py" "$@"; }
XLSX=application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
count() { q "select (select count(*) from dossiers) || '/' || (select count(*) from applicants) || '/' || (select count(*) from drafts where list_format != '')"; }

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
start_server --threads 2 || exit 1
login_demo

# ---- the templates ----
same "GET /forms/mau02.xlsx" "200" "$(curl -D "$T/h" -o "$T/mau02.xlsx" -w '%{http_code}' "$BASE/forms/mau02.xlsx")"
contains "served as a workbook" "Content-Type: $XLSX" "$(tr -d '\r' <"$T/h")"
contains "as an attachment" 'filename="mau02.xlsx"' "$(cat "$T/h")"
same "a valid zip" "ok" "$(python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print("ok" if z.testzip() is None else "bad")' "$T/mau02.xlsx")"
same "the 13 headings in Vietnamese" "STT|Họ và tên|Ngày sinh|Số CCCD/CMND/Hộ chiếu|Ngày cấp|Nơi cấp|Thư điện tử công vụ|Cơ quan, đơn vị công tác|Tỉnh/thành phố|Chức vụ|Ngạch/Vị trí|Số điện thoại di động|Số hiệu chứng thư số cũ (nếu có)" "$(X cells "$T/mau02.xlsx" | head -1)"
same "nothing but the headings" "1" "$(X cells "$T/mau02.xlsx" | wc -l)"
python3 - "$T/mau02.xlsx" >"$T/parts" <<'EOF'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sheet = z.read("xl/worksheets/sheet1.xml").decode()
styles = z.read("xl/styles.xml").decode()
book = z.read("xl/workbook.xml").decode()
fmts = dict(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
xfs = re.findall(r'<xf [^>]*numFmtId="(\d+)"', styles.split("<cellXfs")[1])
def fmt(col):  # the number format a column's cells get
    m = re.search(r'<col min="%d" max="%d"[^>]*style="(\d+)"' % (col, col), sheet)
    if not m: return "General"
    n = xfs[int(m.group(1))]
    return fmts.get(n, {"49": "@", "0": "General"}.get(n, n))
print("frozen", bool(re.search(r'<pane ySplit="1"[^>]*state="frozen"', sheet)))
print("id", fmt(4), "phone", fmt(12), "serial", fmt(13), "born", fmt(3), "issued", fmt(5), "name", fmt(2))
print("validations", len(re.findall(r"<dataValidation ", sheet)), "lists", sorted(set(re.findall(r'type="(list)"', sheet))))
print("first sheet", re.search(r'<sheet name="([^"]*)"', book).group(1))
EOF
same "header frozen" "frozen True" "$(sed -n 1p "$T/parts")"
same "text IDs, phones and serials; dd/mm/yyyy dates; names as typed" "id @ phone @ serial @ born dd/mm/yyyy issued dd/mm/yyyy name General" "$(sed -n 2p "$T/parts")"
same "drop-downs for province and category" "validations 2 lists ['list']" "$(sed -n 3p "$T/parts")"
same "the list is the first sheet" "first sheet Mẫu 02" "$(sed -n 4p "$T/parts")"
same "the template twice is the same bytes" "$(sha256sum <"$T/mau02.xlsx")" "$(curl "$BASE/forms/mau02.xlsx" | sha256sum)"
curl -o "$T/mau02.csv" "$BASE/forms/mau02.csv"
same "the CSV template starts with one UTF-8 byte order mark" "efbbbf53" "$(head -c 4 "$T/mau02.csv" | od -An -tx1 | tr -d ' \n')"
contains "the procedure page links both templates" 'href="/forms/mau02.xlsx"' "$(curl "$BASE/thu-tuc")"
refuse "the empty template is a list without applicants" mau02.empty ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/mau02.xlsx" --confirmed-by "A, B"

# ---- a filled workbook ----
HEAD='["STT","Họ và tên","Ngày sinh","Số CCCD/CMND/Hộ chiếu","Ngày cấp","Nơi cấp","Thư điện tử công vụ","Cơ quan, đơn vị công tác","Tỉnh/thành phố","Chức vụ","Ngạch/Vị trí","Số điện thoại di động","Số hiệu chứng thư số cũ (nếu có)"]'
# row 2: a date serial (31118 = 12/03/1985) and an ID with a leading zero as text; row 3 left
# empty; row 4: a text date, an inline string, a date serial for the issue date (44428 =
# 20/08/2021), a number in STT and a phone with +84
cat >"$T/good.json" <<EOF
[$HEAD,
 [{"n":1},"Nguyễn Thị Thu Hà",{"date":31118},"001185012345","10/05/2021","Cục Cảnh sát QLHC về TTXH","ha.ntt@mic.gov.vn","Vụ Pháp chế","Hà Nội","Chuyên viên chính","Công chức","0912345678"],
 {"row": 4, "cells": [{"n":2},{"inline":"Trần Văn Đức"},"02/11/1979","036079004567",{"date":44428},"Cục Cảnh sát QLHC về TTXH","duc.tv@mic.gov.vn","Vụ Pháp chế, Phòng 2","Hà Nội","Phó Vụ trưởng","Viên chức","+84 987 654 321"]}]
EOF
X make "$T/good.xlsx" "$T/good.json"
BEFORE=$(count)
check "submit the workbook" ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/good.xlsx" --confirmed-by "A, B" --json
CODE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/out")
check "dossier show" ct dossier show "$CODE" --json
applicants() {
    python3 -c '
import json, sys
for a in json.load(open(sys.argv[1]))["applicants"]:
    print("|".join([a["full_name"], a["birth_date"], a["id_number"], a["id_issued_on"], a["phone"], a["category"]]))' "$1"
}
same "the applicants as typed" "Nguyễn Thị Thu Hà|1985-03-12|001185012345|2021-05-10|0912345678|cong_chuc
Trần Văn Đức|1979-11-02|036079004567|2021-08-20|0987654321|vien_chuc" "$(applicants "$T/out")"

# the same workbook as a draft's list, sent with its own type and as a file of no known type
ID=$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/json' -d '{"title":"Đợt Excel"}' "$URL/drafts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
same "draft list as xlsx" "200" "$(curl -b "$T/vanthu.jar" -H "Content-Type: $XLSX" --data-binary @"$T/good.xlsx" -o "$T/last" -w '%{http_code}' "$URL/drafts/$ID/list")"
same "the draft holds 2 applicants read from a workbook" "2|xlsx" "$(jfield '["applicants"]')|$(jfield '["list_format"]')"
same "the draft's rows" "200" "$(api vanthu "drafts/$ID/rows")"
same "rows read back from the stored workbook" "Nguyễn Thị Thu Hà 001185012345|Trần Văn Đức 036079004567" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("|".join(r["full_name"] + " " + r["id_number"] for r in d["rows"]))' "$T/last")"
same "as application/octet-stream, told by its content" "200" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/octet-stream' --data-binary @"$T/good.xlsx" -o "$T/last" -w '%{http_code}' "$URL/drafts/$ID/list")"
same "still read as a workbook" "xlsx" "$(jfield '["list_format"]')"

# ---- three bad rows: all three reported ----
cat >"$T/bad.json" <<EOF
[$HEAD,
 [{"n":1},"Nguyễn Thị Thu Hà",{"date":31118},"001185012345","10/05/2021","Cục CS","ha@mic.gov.vn","Vụ A","Hà Nội","Chuyên viên","Công chức","0912345678"],
 [{"n":2},"Trần Văn Đức","31/02/1979","036079004567","20/08/2021","Cục CS","duc@mic.gov.vn","Vụ A","Hà Nội","Chuyên viên","Công chức","0987654321"],
 {"row": 5, "cells": [{"n":3},"Lê Văn Cường","01/01/1980","001080000003","20/08/2021","Cục CS","c@mic.gov.vn","Vụ A","Hà Nội","Chuyên viên","Hợp đồng","0987654322"]},
 [{"n":4},"Phạm Thị Dung",{"date":29221},"1080000004","20/08/2021","Cục CS","d@mic.gov.vn","Vụ A","Hà Nội","Chuyên viên","Viên chức","0987654323"]]
EOF
X make "$T/bad.xlsx" "$T/bad.json"
BEFORE=$(count)
refuse "a workbook with three bad rows" mau02.invalid ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/bad.xlsx" --confirmed-by "A, B"
cp "$T/err" "$T/cli_err"
contains "row 3's date" 'dòng 3, cột "Ngày sinh" [mau02.date_invalid]' "$(cat "$T/cli_err")"
contains "row 5's category (row 4 left empty)" 'dòng 5, cột "Ngạch/Vị trí" [mau02.category_invalid]' "$(cat "$T/cli_err")"
contains "row 6's ID number (a number lost its leading zero)" 'row 6, field "ID number"' "$(cat "$T/cli_err")"
contains "the summary counts three" "3 errors in the list; the first: row 3" "$(cat "$T/cli_err")"
same "nothing stored" "$BEFORE" "$(count)"
problems() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["code"], d.get("error_count"))
for e in d.get("errors", []):
    assert e["message_vi"] and e["message_en"]
    print("%s|%s|%s" % (e["row"], e["column_vi"], e["code"]))' "$1"
}
ID2=$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/json' -d '{"title":"Đợt lỗi"}' "$URL/drafts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
same "draft list: 400" "400" "$(curl -b "$T/vanthu.jar" -H "Content-Type: $XLSX" --data-binary @"$T/bad.xlsx" -o "$T/last" -w '%{http_code}' "$URL/drafts/$ID2/list")"
same "draft list: the three problems, by row and column" "mau02.invalid 3
3|Ngày sinh|mau02.date_invalid
5|Ngạch/Vị trí|mau02.category_invalid
6|Số CCCD/CMND/Hộ chiếu|mau02.id_invalid" "$(problems "$T/last")"

# ---- files that are no readable workbook ----
X bomb "$T/bomb.xlsx"
same "the bomb is small packed" "yes" "$([ "$(stat -c %s "$T/bomb.xlsx")" -lt 200000 ] && echo yes)"
X nosheet "$T/nosheet.xlsx"
printf 'STT,Họ và tên\n' >"$T/text.xlsx"
printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1encrypted' >"$T/locked.xlsx"
python3 -c 'import sys; d = bytearray(open(sys.argv[1], "rb").read()); d[len(d) // 2] ^= 0xff; open(sys.argv[2], "wb").write(d)' "$T/good.xlsx" "$T/corrupt.xlsx"
BEFORE=$(count)
refuse "a zip bomb" list.xlsx_too_large ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/bomb.xlsx" --confirmed-by "A, B"
refuse "not a zip" list.xlsx_invalid ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/text.xlsx" --confirmed-by "A, B"
refuse "no sheet" list.xlsx_invalid ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/nosheet.xlsx" --confirmed-by "A, B"
refuse "password-protected" list.xlsx_encrypted ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/locked.xlsx" --confirmed-by "A, B"
refuse "a corrupted workbook" list.xlsx_invalid ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/corrupt.xlsx" --confirmed-by "A, B"
for f in bomb:list.xlsx_too_large text:list.xlsx_invalid nosheet:list.xlsx_invalid locked:list.xlsx_encrypted; do
    same "draft list, ${f%%:*}: 400" "400" "$(curl -b "$T/vanthu.jar" -H "Content-Type: $XLSX" --data-binary @"$T/${f%%:*}.xlsx" -o "$T/last" -w '%{http_code}' "$URL/drafts/$ID2/list")"
    same "draft list, ${f%%:*}: its code, as the list's one problem" "${f#*:} 1
None|None|${f#*:}" "$(problems "$T/last")"
done
same "nothing stored by any of them" "$BEFORE" "$(count)"
same "the second draft still has no list" "" "$(api vanthu "drafts/$ID2" >/dev/null; jfield '["list_sha256"]')"

# ---- a resubmission with a workbook ----
check "supplement" ct dossier supplement "$CODE" --reason "Thiếu người"
refuse "resubmit with a bad workbook" mau02.invalid ct dossier resubmit "$CODE" --file "$T/bad.xlsx"
same "the list is unchanged" "2" "$(q "select count(*) from applicants where dossier='$CODE'")"
python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
rows.append({"row": 6, "cells": [{"n": 3}, "Lê Thị Mai", "05/06/1990", "001190000007", {"date": 44500}, "Cục CS", "mai@mic.gov.vn", "Vụ A", "Đà Nẵng", "Chuyên viên", "Công chức", "0987000007"]})
json.dump(rows, open(sys.argv[2], "w"), ensure_ascii=False)' "$T/good.json" "$T/three.json"
X make "$T/three.xlsx" "$T/three.json"
check "resubmit with a new workbook" ct dossier resubmit "$CODE" --file "$T/three.xlsx"
same "three applicants now, the third's dates read" "3|Lê Thị Mai|1990-06-05|2021-10-31" "$(q "select (select count(*) from applicants where dossier='$CODE') || '|' || full_name || '|' || birth_date || '|' || id_issued_on from applicants where dossier='$CODE' and n=3")"
stop_server
finish

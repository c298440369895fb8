# supplement.sh — a refusal and a supplement, in writing: a rejected dossier's applicants are
# refused with its reason and a withdrawn one's withdrawn (nobody left "pending"), the public
# lookup says so and why, and shows a dossier waiting for a supplement with the reason asked; a
# resubmission may bring a new Mẫu 02 list, checked as at intake (every problem at once), which
# replaces the applicants and is recorded by its SHA-256 and count; a missing file or a bad list
# changes nothing; the timeline keeps every step's reason.
. "$(dirname "$0")/../lib.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/api/v1
DB=$CHUNGTHU_HOME/chungthu.db
curl() { command curl -m 30 -s "$@"; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
q() { sqlite3 "$DB" "$1"; }
LIST=$CT_SRC/data/samples/mau02.csv
HEAD=$(head -1 "$LIST")
submit() { # → the new dossier's code
    ct dossier submit --agency BNV --channel direct --file "$LIST" --confirmed-by "Phạm Thị Thanh Trà, Bộ trưởng" --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])'
}
states() { q "select group_concat(state || ':' || reason, '|') from (select state, reason from applicants where dossier='$1' order by n) as a"; }

check "init" ct init --root-key p384 --issuing-key p256
check "agency" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state

# ---- a rejected dossier: every applicant refused, with the dossier's reason ----
R=$(submit)
check "reject" ct dossier reject "$R" --reason "Công văn không có chữ ký"
same "applicants refused with the reason" "refused:Công văn không có chữ ký|refused:Công văn không có chữ ký|refused:Công văn không có chữ ký" "$(states "$R")"
ct dossier show "$R" --json > "$T/r.json"
same "the officer's view says refused" "Bị từ chối,Bị từ chối,Bị từ chối" "$(field "$T/r.json" '",".join(a["state_label"]["vi"] for a in d["applicants"])')"
same "the reject row counts them" "3" "$(q "select json_extract(detail, '$.applicants_ended') from audit where action='dossier.reject' and object='$R'")"

# ---- a withdrawn dossier: nobody pending; an applicant refused before stays refused ----
W=$(submit)
check "withdraw with a reason" ct dossier withdraw "$W" --reason "Cơ quan rút để làm lại danh sách"
same "applicants withdrawn" "withdrawn:Cơ quan rút để làm lại danh sách|withdrawn:Cơ quan rút để làm lại danh sách|withdrawn:Cơ quan rút để làm lại danh sách" "$(states "$W")"
W2=$(submit)
check "accept W2" ct dossier accept "$W2"
check "refuse one of W2" ct dossier refuse "$W2" --applicant 2 --reason "Trùng người"
check "withdraw W2 without a reason" ct dossier withdraw "$W2"
same "the refused one keeps its reason, the others withdrawn" "withdrawn:|refused:Trùng người|withdrawn:" "$(states "$W2")"
same "no pending applicant left on a closed dossier" "0" "$(q "select count(*) from applicants a join dossiers d on d.code=a.dossier where d.state in ('rejected','withdrawn') and a.state='pending'")"

# ---- a supplement, then resubmissions ----
S=$(submit)
check "supplement" ct dossier supplement "$S" --reason "Thiếu bản sao Mẫu 01"
audit_rows() { q "select count(*) from audit"; }
ROWS=$(audit_rows)
refuse "a list file that does not exist" file.read ct dossier resubmit "$S" --file /nonexistent.csv
same "still waiting for the supplement" "needs_supplement|Thiếu bản sao Mẫu 01" "$(q "select state || '|' || reason from dossiers where code='$S'")"
same "the three applicants untouched" "3" "$(q "select count(*) from applicants where dossier='$S'")"
# a bad list: two rows wrong in different ways, both reported at once
{ printf '%s\r\n' "$HEAD"; sed -n 2p "$LIST" | sed 's/Công chức/Hợp đồng/'; sed -n 3p "$LIST" | sed 's/036079004567/0360790045/'; } > "$T/bad.csv"
refuse "a bad list" mau02.category_invalid ct dossier resubmit "$S" --file "$T/bad.csv"
contains "the first problem" 'row 3, field "category"' "$(cat "$T/err")"
contains "and the second, at once" 'row 4, field "ID number"' "$(cat "$T/err")"
same "nothing changed by the refusals: state" "needs_supplement" "$(q "select state from dossiers where code='$S'")"
same "nothing changed: applicants" "Nguyễn Thị Thu Hà|Trần Văn Đức|Lê Hoàng Yến" "$(q "select group_concat(full_name, '|') from (select full_name from applicants where dossier='$S' order by n) as a")"
same "nothing changed: no audit row" "$ROWS" "$(audit_rows)"
refuse "a rejected dossier cannot be resubmitted, list or not" procedure.wrong_state ct dossier resubmit "$R" --file "$LIST"
# the new list: two people, one new
{ printf '%s\r\n' "$HEAD"; sed -n 3p "$LIST"; printf '2,Đỗ Minh Khoa,05/06/1990,001090011223,01/02/2022,Cục Cảnh sát QLHC về TTXH,khoa.dm@mic.gov.vn,Vụ Pháp chế,Hà Nội,Chuyên viên,Công chức,0911222333,\r\n'; } > "$T/new.csv"
check "resubmit with a new list" ct dossier resubmit "$S" --file "$T/new.csv"
same "received again, the reason cleared on the dossier" "received|" "$(q "select state || '|' || reason from dossiers where code='$S'")"
same "the applicants replaced" "1:Trần Văn Đức:pending|2:Đỗ Minh Khoa:pending" "$(q "select group_concat(n || ':' || full_name || ':' || state, '|') from (select * from applicants where dossier='$S' order by n) as a")"
same "the resubmission recorded with the list's SHA-256 and count" "$(sha256sum "$T/new.csv" | cut -c1-64 | tr a-f A-F)|2" "$(q "select json_extract(detail, '$.list_sha256') || '|' || json_extract(detail, '$.applicants') from audit where action='dossier.resubmit' and object='$S'")"
check "audit chain holds" ct audit verify

# ---- the timeline keeps each reason ----
check "a second supplement" ct dossier supplement "$S" --reason "Thiếu ngày cấp CCCD của người số 2"
check "resubmit without a list" ct dossier resubmit "$S"
same "the list kept" "2" "$(q "select count(*) from applicants where dossier='$S'")"
ct dossier show "$S" --json > "$T/s.json"
same "both reasons in the timeline" "dossier.supplement:Thiếu bản sao Mẫu 01|dossier.supplement:Thiếu ngày cấp CCCD của người số 2" "$(field "$T/s.json" '"|".join(e["action"] + ":" + e["reason"] for e in d["timeline"] if "reason" in e)')"

# ---- through the API: the lookup, and a resubmission with a list ----
printf 'mật khẩu văn thư bnv\n' | "$CHUNGTHU" user add --username vanthu --role agency_clerk --agency BNV >/dev/null
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2> "$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -f "$URL/../../healthz" -o /dev/null && break; sleep 0.1; done
same "clerk logs in" "200" "$(curl -c "$T/c.jar" -H 'Content-Type: application/json' -d '{"username":"vanthu","password":"mật khẩu văn thư bnv"}' "$URL/session" -o /dev/null -w '%{http_code}')"
post() { curl -b "$T/c.jar" -H 'Content-Type: application/json' -d "$2" -o "$T/last" -w '%{http_code}' "$URL/$1"; }
lookup() { curl -o "$T/lookup.json" -w '%{http_code}' "$URL/lookup?code=$1&id_number=$2"; }

same "lookup of a rejected dossier's applicant" "200" "$(lookup "$R" 001185012345)"
same "refused, and why" "refused|Refused|Công văn không có chữ ký|rejected" "$(field "$T/lookup.json" '"|".join([d["state"], d["state_label"]["en"], d["reason"], d["dossier_state"]])')"
same "nothing about the person" "" "$(grep -o 'Nguyễn Thị Thu Hà\|ha.ntt\|Vụ Pháp chế' "$T/lookup.json")"
same "lookup of a withdrawn dossier's applicant" "200" "$(lookup "$W" 001185012345)"
same "withdrawn" "withdrawn|Đã rút" "$(field "$T/lookup.json" '"|".join([d["state"], d["state_label"]["vi"]])')"

check "a third supplement" ct dossier supplement "$S" --reason "Danh sách thiếu số điện thoại"
same "lookup while a supplement is awaited" "200" "$(lookup "$S" 001090011223)"
same "says the dossier waits for a supplement, and why" "pending|needs_supplement|Chờ bổ sung|Danh sách thiếu số điện thoại" "$(field "$T/lookup.json" '"|".join([d["state"], d["dossier_state"], d["dossier_state_label"]["vi"], d["dossier_reason"]])')"

same "a list with another step" "400|dossier.list_unexpected" "$(post "dossiers/$R/withdraw" '{"csv": "x"}')|$(field "$T/last" 'd["code"]')"
BAD_CSV=$(python3 -c 'import json,sys; print(json.dumps(open(sys.argv[1], encoding="utf-8-sig").read()))' "$T/bad.csv")
same "a bad list through the API" "400" "$(post "dossiers/$S/resubmit" "{\"csv\": $BAD_CSV}")"
same "every problem listed" "2|mau02.category_invalid,mau02.id_invalid" "$(field "$T/last" 'str(d["error_count"]) + "|" + ",".join(sorted(e["code"] for e in d["errors"]))')"
same "nothing changed" "needs_supplement|2" "$(q "select state || '|' || (select count(*) from applicants where dossier='$S') from dossiers where code='$S'")"
same "the clerk resubmits with applicants as JSON" "200" "$(post "dossiers/$S/resubmit" "$(python3 - "$CT_SRC/data/samples/mau02.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["applicants"] if isinstance(d, dict) else d
print(json.dumps({"applicants": rows[:1]}))
EOF
)")"
same "answered with the new list" "received|1|pending" "$(field "$T/last" '"|".join([d["state"], str(len(d["applicants"])), d["applicants"][0]["state"]])')"
same "the old applicants gone" "1" "$(q "select count(*) from applicants where dossier='$S'")"
same "two resubmissions with a list recorded" "2" "$(q "select count(*) from audit where action='dossier.resubmit' and object='$S' and json_extract(detail, '$.list_sha256') is not null")"

# ---- an online dossier's new letter, while a supplement is asked for ----
printf 'mật khẩu thủ trưởng bnv\n' | "$CHUNGTHU" user add --username thutruong --name "Phạm Thị Thanh Trà" --role agency_head --agency BNV >/dev/null
same "head logs in" "200" "$(curl -c "$T/h.jar" -H 'Content-Type: application/json' -d '{"username":"thutruong","password":"mật khẩu thủ trưởng bnv"}' "$URL/session" -o /dev/null -w '%{http_code}')"
printf '%%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' > "$T/letter.pdf"
printf '%%PDF-1.4\n%% the corrected letter\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' > "$T/letter2.pdf"
DR=$(curl -b "$T/c.jar" -H 'Content-Type: application/json' -d '{"title":"Đợt bổ sung"}' "$URL/drafts" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -b "$T/c.jar" -H 'Content-Type: text/csv' --data-binary @"$LIST" -o /dev/null "$URL/drafts/$DR/list"
curl -b "$T/c.jar" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.pdf" -o /dev/null "$URL/drafts/$DR/letter?name=cv.pdf"
curl -b "$T/h.jar" -H 'Content-Type: application/json' -d '{}' -o /dev/null "$URL/drafts/$DR/confirm"
same "an online dossier" "201" "$(post "drafts/$DR/submit" '{}')"
O=$(field "$T/last" 'd["code"]')
letter() { curl -b "$T/$1.jar" -H 'Content-Type: application/pdf' --data-binary @"$2" -o "$T/last" -w '%{http_code}' "$URL/dossiers/$3/letter?name=$4"; }
same "no new letter while the dossier is received" "409|dossier.not_awaiting_supplement" "$(letter c "$T/letter2.pdf" "$O" cv2.pdf)|$(field "$T/last" 'd["code"]')"
check "supplement the online dossier" ct dossier supplement "$O" --reason "Công văn thiếu dấu"
same "a letter whose content is not what it claims" "415" "$(curl -b "$T/c.jar" -H 'Content-Type: application/pdf' --data-binary @"$LIST" -o "$T/last" -w '%{http_code}' "$URL/dossiers/$O/letter?name=x.pdf")"
same "the head sends the new letter" "200" "$(letter h "$T/letter2.pdf" "$O" cv2.pdf)"
same "the dossier's letter is the new one" "$(sha256sum "$T/letter2.pdf" | cut -c1-64)" "$(curl -b "$T/c.jar" "$URL/dossiers/$O/letter" | sha256sum | cut -c1-64)"
same "the change audited with both fingerprints" "$(sha256sum "$T/letter.pdf" | cut -c1-64 | tr a-f A-F)|$(sha256sum "$T/letter2.pdf" | cut -c1-64 | tr a-f A-F)" "$(q "select json_extract(detail, '$.previous_sha256') || '|' || json_extract(detail, '$.sha256') from audit where action='dossier.letter' and object='$O'")"
same "the clerk resubmits" "200" "$(post "dossiers/$O/resubmit" '{}')"
check "supplement the paper dossier" ct dossier supplement "$S" --reason "Thiếu bản gốc"
same "a paper dossier's letter comes on paper" "409|dossier.not_online" "$(letter c "$T/letter2.pdf" "$S" cv2.pdf)|$(field "$T/last" 'd["code"]')"
check "audit chain holds at the end" ct audit verify

finish

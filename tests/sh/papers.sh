# papers.sh — the official papers of procedure 1.010847 (docs/papers.md): every kind as PDF and
# HTML, with Decree 30's heading, the dossier's code and its people's names in reading order; the
# PDF's fonts are Liberation Serif, embedded; a 60-applicant list goes over pages with no name
# lost; a paper asked again is the same bytes, and a later state makes a new one beside it; over
# HTTP another agency gets 404, a bad kind 400 with its code.
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db
q() { sqlite3 "$DB" "$1"; }
# the officer's steps are the demo officer's (canbo), logged in with a session of its own
officer() { HOME="$T/canbo" "$CHUNGTHU" "$@"; }
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/api/v1

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
check "token stock" ct token stock --count 3
mkdir -p "$T/canbo"
# (again when the instance's clock moves on: a session lasts 8 hours of it)
officer_login() { awk '$1 == "canbo" {print "canbo"; print $3}' "$CHUNGTHU_HOME/demo-accounts.txt" | officer login; }
check "the officer logs in" officer_login

# a list of 60 with Vietnamese names, each distinct ("Nguyễn Thị Hồng Nhung Ánh", …)
python3 - "$T/long.csv" <<'PY'
import sys
family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
middle = ["Thị Hồng", "Văn", "Đức", "Ngọc", "Thị Thu", "Quang"]
given = ["Ánh", "Bình", "Cường", "Dũng", "Giang", "Hạnh", "Khải", "Lộc", "Mỹ", "Nhung"]
rows = ["STT,Họ và tên,Ngày sinh,Số CCCD/CMND/Hộ chiếu,Ngày cấp,Nơi cấp,Thư điện tử công vụ,"
        "\"Cơ quan, đơn vị công tác\",Tỉnh/thành phố,Chức vụ,Ngạch/Vị trí,Số điện thoại di động,"
        "Số hiệu chứng thư số cũ (nếu có)"]
for i in range(60):
    name = f"{family[i % 10]} {middle[i % 6]} {given[i // 6]}"
    rows.append(f"{i + 1},{name},12/03/1985,0011850{i + 10000:05d},10/05/2021,"
                f"Cục Cảnh sát QLHC về TTXH,nv{i + 1}@mic.gov.vn,Vụ Pháp chế,Hà Nội,"
                f"Chuyên viên,Công chức,09120{i + 10000:05d},")
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
cut -d, -f2 "$T/long.csv" | tail -n +2 > "$T/long.names"
same "60 distinct names" "60" "$(sort -u "$T/long.names" | wc -l)"
SAMPLE=$CT_SRC/data/samples/mau02.csv
submit() { officer dossier submit --agency BKHCN.VPC --channel direct --file "$1" --confirmed-by "Phạm Thị Lan, Vụ trưởng" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])'; }
LONG=$(submit "$T/long.csv")
SMALL=$(submit "$SAMPLE")
SUPP=$(submit "$SAMPLE")
SUPP2=$(submit "$SAMPLE")
contains "dossiers submitted" "G12.35.01.H99-" "$LONG $SMALL $SUPP $SUPP2"

# the steps that call for each paper
check "accept the small dossier" officer dossier accept "$SMALL"
check "issue its tokens" officer dossier issue "$SMALL"
# the pickup two working days ahead (it must be still to come), collected an hour after it
today=$(date -u -d '+7 hours' +%F)
pickup_day=$(ct calendar add-working-days "$today" 2)
check "announce the pickup" officer dossier notify-pickup "$SMALL" --at "$pickup_day 09:00" --place "Phòng 203, 23 Ngụy Như Kon Tum"
export CHUNGTHU_NOW=$(date -u -d "$pickup_day 10:00 +07" +%s)
check "the officer logs in on the pickup day" officer_login
check "the agency received them" officer dossier agency-received "$SMALL" --by "Đỗ Văn Nhận"
check "handed to applicant 1" officer dossier handed-over "$SMALL" --applicant 1
check "handed to applicant 3 through a colleague" officer dossier handed-over "$SMALL" --applicant 3 --to "Lê Thị Thay"
check "supplement asked" officer dossier supplement "$SUPP" --reason "Thiếu bản sao Mẫu 01 của bà Lê Hoàng Yến"
check "supplement asked of the second" officer dossier supplement "$SUPP2" --reason "Thiếu bản sao Mẫu 01"

# paper KIND CODE [ARGS] → $T/KIND.pdf, $T/KIND.html and their text
paper() {
    local kind=$1 code=$2
    shift 2
    check "$kind as PDF" ct dossier paper "$code" "$kind" "$@" --pdf -o "$T/$kind.pdf"
    check "$kind as HTML" ct dossier paper "$code" "$kind" "$@" -o "$T/$kind.html"
    pdftotext -layout "$T/$kind.pdf" "$T/$kind.txt"
    flat "$T/$kind.pdf" > "$T/$kind.flat"
}
# flat PDF → its text in reading order on one line: a name or serial wrapped inside a table cell
# reads whole again
flat() { pdftotext "$1" - | tr -s ' \n' '  '; }
# in_order FILE TEXT... → the texts appear in FILE in this order (first occurrences)
in_order() {
    python3 - "$@" <<'PY'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
at = -1
for t in sys.argv[2:]:
    i = text.find(t, at + 1)
    if i < 0 or i <= at:
        print(f"missing or out of order: {t!r}")
        break
    at = i
else:
    print("ok")
PY
}
# fonts FILE → "ok" when every font is embedded and a Liberation Serif face
fonts() {
    pdffonts "$1" | tail -n +3 | awk '{ if ($1 !~ /^[A-Z]+\+LiberationSerif/ || $(NF-4) != "yes") bad = bad " " $1 } END { print bad ? "bad:" bad : "ok" }'
}
NATION="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO="Độc lập - Tự do - Hạnh phúc"
# every kind: fonts, heading → title → code (pdftotext -layout), then the names in order after
# the code (in the flat text, where a name wrapped in its cell reads whole), and the same in the
# HTML
kind_checks() { # KIND CODE TITLE NAME...
    local kind=$1 code=$2 title=$3
    shift 3
    same "$kind: fonts embedded, Liberation Serif only" "ok" "$(fonts "$T/$kind.pdf")"
    same "$kind: PDF reads heading, title, code in order" "ok" "$(in_order "$T/$kind.txt" "$NATION" "$MOTTO" "$title" "$code")"
    same "$kind: PDF then the names in order" "ok" "$(in_order "$T/$kind.flat" "$MOTTO" "$code" "$@")"
    same "$kind: HTML the same" "ok" "$(in_order "$T/$kind.html" "$NATION" "$MOTTO" "$title" "$code" "$@")"
}

paper receipt "$SMALL"
kind_checks receipt "$SMALL" "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" "Nguyễn Thị Thu Hà" "Trần Văn Đức" "Lê Hoàng Yến"
contains "receipt: fee" "Phí, lệ phí: 0 đồng" "$(cat "$T/receipt.txt")"
contains "receipt: the receiver's display name, not the user name" "Cán bộ Cục Chứng thực số" "$(cat "$T/receipt.html")"
contains "receipt: a date as HH giờ MM phút" " giờ " "$(cat "$T/receipt.txt")"
contains "receipt: legal basis" "Nghị định số 130/2018/NĐ-CP" "$(cat "$T/receipt.txt")"

paper pickup "$SMALL"
kind_checks pickup "$SMALL" "THÔNG BÁO" "Nguyễn Thị Thu Hà" "Trần Văn Đức" "Lê Hoàng Yến"
SERIAL=$(q "select cert_serial from applicants where dossier='$SMALL' and n=3")
contains "pickup: a whole serial on one line of its cell" "$SERIAL" "$(cat "$T/pickup.txt")"

paper handover "$SMALL"
kind_checks handover "$SMALL" "BIÊN BẢN BÀN GIAO" "Nguyễn Thị Thu Hà" "Trần Văn Đức" "Lê Hoàng Yến"
contains "handover: both sides sign" "ĐẠI DIỆN BÊN NHẬN" "$(cat "$T/handover.txt")"
contains "handover: the agency's person who collected" "Đỗ Văn Nhận" "$(cat "$T/handover.flat")"
contains "handover: the officer who delivered, by full name" "Cán bộ Cục Chứng thực số" "$(cat "$T/handover.flat")"
TOKEN=$(q "select token_serial from applicants where dossier='$SMALL' and n=2")
contains "handover: token serial" "$TOKEN" "$(cat "$T/handover.txt")"
contains "handover: certificate serial" "$(q "select cert_serial from applicants where dossier='$SMALL' and n=2")" "$(cat "$T/handover.txt")"

paper handover-subscriber "$SMALL" --applicant 1
kind_checks handover-subscriber "$SMALL" "BIÊN BẢN BÀN GIAO" "Nguyễn Thị Thu Hà"
contains "handover-subscriber: the agency's side is who collected" "Đỗ Văn Nhận" "$(cat "$T/handover-subscriber.flat")"
check "handover-subscriber of one received through a colleague" ct dossier paper "$SMALL" handover-subscriber --applicant 3 --pdf -o "$T/hs3.pdf"
contains "names who took it and for whom" "Lê Thị Thay, nhận thay người được cấp chứng thư số Lê Hoàng Yến" "$(flat "$T/hs3.pdf")"
refuse "handover-subscriber before the hand-over" paper.not_available ct dossier paper "$SMALL" handover-subscriber --applicant 2
refuse "a per-applicant paper needs one" paper.applicant_required ct dossier paper "$SMALL" mau01

paper mau01 "$SMALL" --applicant 3
same "mau01: fonts" "ok" "$(fonts "$T/mau01.pdf")"
same "mau01: heading, title, name, code in order" "ok" "$(in_order "$T/mau01.txt" "$NATION" "$MOTTO" "VĂN BẢN ĐỀ NGHỊ CẤP CHỨNG THƯ SỐ CÁ NHÂN" "Lê Hoàng Yến" "079192008910" "$SMALL")"
same "mau01: HTML the same" "ok" "$(in_order "$T/mau01.html" "$NATION" "$MOTTO" "VĂN BẢN ĐỀ NGHỊ CẤP CHỨNG THƯ SỐ CÁ NHÂN" "Lê Hoàng Yến" "079192008910" "$SMALL")"

paper supplement "$SUPP"
kind_checks supplement "$SUPP" "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" "Thiếu bản sao Mẫu 01 của bà Lê Hoàng Yến"
refuse "no supplement paper for a dossier not waiting for one" paper.not_available ct dossier paper "$SMALL" supplement

# the long list: receipt and Mẫu 02 over several pages, every name there
paper mau02 "$LONG"
kind_checks mau02 "$LONG" "VĂN BẢN ĐỀ NGHỊ CẤP CHỨNG THƯ SỐ" "$(sed -n 1p "$T/long.names")" "$(sed -n 30p "$T/long.names")" "$(sed -n 60p "$T/long.names")"
mv "$T/mau02.pdf" "$T/long-mau02.pdf"
paper receipt "$LONG"
PAGES=$(pdfinfo "$T/receipt.pdf" | awk '/^Pages:/ { print $2 }')
same "the 60-row receipt goes over pages" "yes" "$([ "$PAGES" -ge 3 ] && echo yes)"
missing=$(while read -r name; do grep -qF "$name" "$T/receipt.flat" || echo "$name"; done < "$T/long.names")
same "every one of the 60 names on the PDF receipt" "" "$missing"
missing=$(while read -r name; do grep -qF "$name" "$T/receipt.html" || echo "$name"; done < "$T/long.names")
same "every one of the 60 names in the HTML" "" "$missing"
same "the table's header repeats on every page" "$PAGES" "$(grep -c 'Họ và tên *Đơn vị' "$T/receipt.txt")"
same "page numbers from page 2" "yes" "$(pdftotext -f 2 -l 2 -layout "$T/receipt.pdf" - | head -3 | grep -qx ' *2' && echo yes)"
flat "$T/long-mau02.pdf" > "$T/long-mau02.flat"
missing=$(while read -r name; do grep -qF "$name" "$T/long-mau02.flat" || echo "$name"; done < "$T/long.names")
same "every name on Mẫu 02 (its columns within the page)" "" "$missing"

# refusal: applicants refused one by one, then a rejected dossier
check "accept the long dossier" officer dossier accept "$LONG"
check "refuse applicant 2" officer dossier refuse "$LONG" --applicant 2 --reason "Đã có chứng thư số còn hiệu lực"
check "refuse applicant 7" officer dossier refuse "$LONG" --applicant 7 --reason "Không thuộc đối tượng được cấp"
paper refusal "$LONG"
kind_checks refusal "$LONG" "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" "$(sed -n 2p "$T/long.names")" "Đã có chứng thư số còn hiệu lực" "$(sed -n 7p "$T/long.names")" "Không thuộc đối tượng được cấp"
same "refusal: only the refused are listed" "" "$(grep -F "$(sed -n 3p "$T/long.names")" "$T/refusal.txt")"
check "reject the supplement dossier" officer dossier reject "$SUPP" --reason "Cơ quan không bổ sung trong thời hạn"
paper refusal "$SUPP"
kind_checks refusal "$SUPP" "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" "Cơ quan không bổ sung trong thời hạn" "Nguyễn Thị Thu Hà"
refuse "no refusal paper for a dossier going on" paper.not_available ct dossier paper "$SMALL" refusal
refuse "a bad kind" paper.kind_invalid ct dossier paper "$SMALL" letter

# kept: asked again, the same bytes; a later state, a new paper beside the old one
sum() { ct dossier paper "$@" | sha256sum; }
A=$(sum "$SMALL" handover --pdf)
same "the handover asked again: same bytes" "$A" "$(sum "$SMALL" handover --pdf)"
same "the store holds what was served" "$(echo "$A" | cut -d' ' -f1)" "$(q "select sha256 from papers where dossier='$SMALL' and kind='handover' and format='pdf' order by id desc limit 1")"
same "kept byte for byte" "$(echo "$A" | cut -d' ' -f1)" "$(q "select hex(bytes) from papers where dossier='$SMALL' and kind='handover' and format='pdf' order by id desc limit 1" | xxd -r -p | sha256sum | cut -d' ' -f1)"
same "first issue audited once" "1" "$(q "select count(*) from audit where action='paper.issue' and object='$SMALL' and json_extract(detail, '$.kind')='handover' and json_extract(detail, '$.format')='pdf'")"
check "handed to applicant 2" officer dossier handed-over "$SMALL" --applicant 2
same "a change the paper does not show: the same paper" "$A" "$(sum "$SMALL" handover --pdf)"
# a second supplement request: a new paper, kept beside the first, served from then on
S1=$(sum "$SUPP2" supplement --pdf)
check "resubmitted" officer dossier resubmit "$SUPP2"
check "a second supplement asked" officer dossier supplement "$SUPP2" --reason "Thiếu chữ ký của thủ trưởng trên Mẫu 02"
S2=$(sum "$SUPP2" supplement --pdf)
same "a new supplement paper" "different" "$([ "$S1" != "$S2" ] && echo different)"
contains "with the new reason" "Thiếu chữ ký của thủ trưởng trên Mẫu 02" "$(ct dossier paper "$SUPP2" supplement)"
same "both kept" "2" "$(q "select count(*) from papers where dossier='$SUPP2' and kind='supplement' and format='pdf'")"
same "the newest served again" "$S2" "$(sum "$SUPP2" supplement --pdf)"

# over HTTP: the agency's and the CA's roles; another agency; a bad kind
check "another agency" ct agency add --code BYT --name "Bộ Y tế" --province "Hà Nội" --head-name "A" --head-title "Bộ trưởng" --kind state
printf 'mật khẩu của bộ y tế\n' | "$CHUNGTHU" user add --username vanthu.byt --role agency_clerk --agency BYT >/dev/null
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2> "$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -sf "$URL/../../healthz" -o /dev/null && break; sleep 0.1; done
login() {
    curl -s -c "$T/$1.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$URL/session" -o /dev/null -w '%{http_code}'
}
same "login vanthu" "200" "$(login vanthu "$(awk '/^vanthu /{print $3}' "$CHUNGTHU_HOME/demo-accounts.txt")")"
same "login other agency" "200" "$(login vanthu.byt 'mật khẩu của bộ y tế')"
get() { curl -s -b "$T/$1.jar" -o "$T/got" -w '%{http_code} %{content_type}' "$URL/$2"; }
same "the agency's clerk gets the PDF" "200 application/pdf" "$(get vanthu "dossiers/$SMALL/papers/receipt?format=pdf")"
same "the same bytes as the command line got" "$(sha256sum < "$T/got")" "$(sum "$SMALL" receipt --pdf)"
same "and again" "$(sha256sum < "$T/got")" "$(get vanthu "dossiers/$SMALL/papers/receipt?format=pdf" >/dev/null; sha256sum < "$T/got")"
same "HTML" "200 text/html; charset=utf-8" "$(get vanthu "dossiers/$SMALL/papers/mau01?applicant=2")"
contains "HTML names the applicant" "Trần Văn Đức" "$(cat "$T/got")"
same "the receipt route gives the same paper" "$(ct dossier paper "$SMALL" receipt | sha256sum)" "$(get vanthu "dossiers/$SMALL/receipt" >/dev/null; sha256sum < "$T/got")"
same "another agency: 404" "404" "$(get vanthu.byt "dossiers/$SMALL/papers/receipt?format=pdf" | cut -d' ' -f1)"
same "a bad kind: 400" "400" "$(get vanthu "dossiers/$SMALL/papers/nope" | cut -d' ' -f1)"
contains "with its code" "paper.kind_invalid" "$(cat "$T/got")"
same "a bad format: 400" "400" "$(get vanthu "dossiers/$SMALL/papers/receipt?format=docx" | cut -d' ' -f1)"
same "a bad applicant: 400" "400" "$(get vanthu "dossiers/$SMALL/papers/mau01?applicant=x" | cut -d' ' -f1)"
same "an applicant not in the dossier: 404" "404" "$(get vanthu "dossiers/$SMALL/papers/mau01?applicant=9" | cut -d' ' -f1)"
kill -TERM $SERVER; wait $SERVER
finish

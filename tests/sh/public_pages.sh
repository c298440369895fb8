# public_pages.sh — the procedure's public page (/thu-tuc, /procedure) in both languages with
# its fee, time limits and legal basis, the Mẫu 02 template download, and the lookup page
# without JavaScript: a found applicant shows the state and its times only, a wrong ID number
# and a missing dossier give the same "not found", and misses are limited.
. "$(dirname "$0")/../lib.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
curl() { command curl -m 10 -s "$@"; }

check "init --demo" ct init --demo --base-url "$URL"
CODE=$(ct dossier submit --agency BKHCN.VPC --channel postal --file "$CT_SRC/data/samples/mau02.csv" \
    --confirmed-by "Phạm Thị Lan, Vụ trưởng" | sed -n 's/^Mã hồ sơ (Dossier code): //p')
contains "a dossier to look up" "-" "$CODE"
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2> "$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -f "$URL/healthz" -o /dev/null && break; sleep 0.1; done

# the page, in Vietnamese and in English, at both addresses
vi=$(curl -f "$URL/thu-tuc")
same "the page answers" "0" "$?"
same "the alias is the same page" "$vi" "$(curl -f "$URL/procedure" | sed "s,href=\"/procedure?lang=en\",href=\"/thu-tuc?lang=en\",")"
contains "vi: procedure code" "1.010847" "$vi"
contains "vi: lang" '<html lang="vi">' "$vi"
contains "vi: fee" "0 đồng" "$vi"
contains "vi: step 2 in 3 working days" "Trong 03 ngày làm việc" "$vi"
contains "vi: publication in 1 working day" "Trong 01 ngày làm việc" "$vi"
contains "vi: the agency's time is its own" "không tính vào thời hạn của Cục" "$vi"
contains "vi: decree" "130/2018/NĐ-CP" "$vi"
contains "vi: circular" "185/2019/TT-BQP" "$vi"
contains "vi: decision" "1924/QĐ-BQP" "$vi"
contains "vi: who" "cơ quan Đảng, Nhà nước" "$vi"
contains "vi: Mẫu 01" "Mẫu 01" "$vi"
contains "vi: the three channels" "Dịch vụ bưu chính" "$vi"
contains "vi: the template link" 'href="/forms/mau02.csv"' "$vi"
contains "vi: the lookup form" 'action="/thu-tuc/tra-cuu"' "$vi"
contains "vi: the switch keeps the page" 'href="/thu-tuc?lang=en"' "$vi"
if printf '%s' "$vi" | grep -q '<script'; then fail "the page needs no script"; else pass; fi
en=$(curl -f "$URL/procedure?lang=en")
contains "en: lang" '<html lang="en">' "$en"
contains "en: fee" "0 VND" "$en"
contains "en: step 2" "Within 3 working days" "$en"
contains "en: publication" "Within 1 working day" "$en"
contains "en: decree" "Decree 130/2018/NĐ-CP" "$en"
contains "en: circular" "Circular 185/2019/TT-BQP" "$en"
contains "en: lookup form keeps the language" 'name="lang" value="en"' "$en"
contains "the home page links the procedure" 'href="/thu-tuc"' "$(curl -f "$URL/")"
contains "and in English" 'href="/thu-tuc?lang=en"' "$(curl -f "$URL/?lang=en")"

# the template: an attachment, UTF-8 with exactly one byte order mark, the 13 columns
curl -f -D "$T/h" -o "$T/mau02.csv" "$URL/forms/mau02.csv"
same "template downloads" "0" "$?"
contains "as an attachment" 'attachment; filename="mau02.csv"' "$(cat "$T/h")"
contains "as CSV" "text/csv; charset=utf-8" "$(cat "$T/h")"
same "starts with a BOM" "efbbbf" "$(head -c 3 "$T/mau02.csv" | od -An -tx1 | tr -d ' \n')"
same "only one BOM" "STT," "$(head -c 7 "$T/mau02.csv" | tail -c 4)"
same "13 columns" "13" "$(head -1 "$T/mau02.csv" | tr -d '\r' | python3 -c 'import csv,sys; print(len(next(csv.reader(sys.stdin))))')"

# the lookup: found → the state and its label, nothing about the person
status() { curl -o "$T/page" -w '%{http_code}' "$@"; }
same "found" "200" "$(status -G --data-urlencode "code=$CODE" --data-urlencode "id_number=001185012345" "$URL/thu-tuc/tra-cuu")"
contains "its state" 'data-state="pending"' "$(cat "$T/page")"
contains "its label" "Chờ cấp" "$(cat "$T/page")"
if grep -q "Nguyễn Thị Thu Hà\|001185012345\|ha.ntt@" "$T/page"; then fail "no personal data on the lookup page"; else pass; fi
same "found, in English" "200" "$(status -G --data-urlencode "code=$CODE" --data-urlencode "id_number=001185012345" --data-urlencode lang=en "$URL/procedure/lookup")"
contains "English label" "Pending" "$(cat "$T/page")"
result() { grep 'id="result"' "$T/page"; }
same "wrong ID: 404" "404" "$(status -G --data-urlencode "code=$CODE" --data-urlencode "id_number=001185099999" "$URL/thu-tuc/tra-cuu")"
wrong=$(result)
contains "wrong ID: not found" "Không có hồ sơ với mã và số giấy tờ này" "$wrong"
same "missing dossier: 404" "404" "$(status -G --data-urlencode "code=G00.00.00.H00-000000-0000" --data-urlencode "id_number=001185012345" "$URL/thu-tuc/tra-cuu")"
same "missing dossier: the same answer as a wrong ID" "$wrong" "$(result)"
same "an empty form is just the form" "200" "$(status "$URL/thu-tuc/tra-cuu")"
if grep -q 'id="result"' "$T/page"; then fail "an empty form looks nothing up"; else pass; fi
# misses are limited per address (10 in 10 minutes): two above, eight more, then 429
for _ in $(seq 1 8); do status -G --data-urlencode "code=X$RANDOM" --data-urlencode "id_number=1" "$URL/thu-tuc/tra-cuu" >/dev/null; done
same "too many misses" "429" "$(curl -D "$T/h" -o /dev/null -w '%{http_code}' -G --data-urlencode "code=$CODE" --data-urlencode "id_number=001185012345" "$URL/thu-tuc/tra-cuu")"
contains "with Retry-After" "Retry-After" "$(cat "$T/h")"
finish

# abuse.sh — what one account, one address or one guesser can do to everyone else, through the
# server: the day's dossier numbers and intake (quotas, the CA's reserve of numbers), the online
# channel only through a head-confirmed draft, password guessing (lock per name and address,
# one answer for every refusal, attempts counted before the check even 40 at once), sessions
# ended by a password change, the subscriber's lookup (rate limits, nothing personal in the
# answer), the instance's files closed to other users, and calendar arithmetic kept in range.
# The server runs at a fixed instant (CHUNGTHU_NOW), so windows and Retry-After are exact.
. "$(dirname "$0")/../lib.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/api/v1
DB=$CHUNGTHU_HOME/chungthu.db
curl() { command curl -m 60 -s "$@"; }
json() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/last" "$1"; }
NOW=$(date -u -d '2026-03-10 03:00' +%s) # Tuesday 10 March 2026, 10:00 in Vietnam
DAY=260310
export CHUNGTHU_NOW=$NOW

# ---- the instance's files: an existing 0755 directory becomes the operator's alone ----
umask 022
mkdir -m 0755 "$CHUNGTHU_HOME"
check "init --demo into an existing empty 0755 directory" ct init --demo --root-key p384 --issuing-key p256
same "the home is 0700" "700" "$(stat -c %a "$CHUNGTHU_HOME")"
same "the database is 0600" "600" "$(stat -c %a "$DB")"
same "the configuration is 0600" "600" "$(stat -c %a "$CHUNGTHU_HOME/chungthu.ini")"
same "the issuing CA key is 0600" "600" "$(stat -c %a "$CHUNGTHU_HOME/ca/issuing.key")"
same "the envelopes directory is 0700" "700" "$(stat -c %a "$CHUNGTHU_HOME/envelopes")"
same "every file init wrote is 0600" "" "$(find "$CHUNGTHU_HOME" -type f ! -perm 600)"
same "every directory is 0700" "" "$(find "$CHUNGTHU_HOME" -type d ! -perm 700)"

# two agencies; limits small enough to reach: 2 dossiers an hour per account, 3 a day per agency
check "another agency" ct agency add --code BYT --name "Bộ Y tế" --province "Hà Nội" --head-name "Đào Hồng Lan" --head-title "Bộ trưởng" --kind state
printf 'mật khẩu văn thư hai\n' | "$CHUNGTHU" user add --username vanthu2 --name "Văn thư hai" --role agency_clerk --agency BKHCN.VPC >/dev/null
printf 'mật khẩu của bộ y tế\n' | "$CHUNGTHU" user add --username vanthu.byt --name "Văn thư Bộ Y tế" --role agency_clerk --agency BYT >/dev/null
printf 'mật khẩu thủ trưởng byt\n' | "$CHUNGTHU" user add --username thutruong.byt --name "Đào Hồng Lan" --role agency_head --agency BYT >/dev/null
sed -i 's/^dossiers_per_agency_day = .*/dossiers_per_agency_day = 3/; s/^dossiers_per_account_hour = .*/dossiers_per_account_hour = 2/' "$CHUNGTHU_HOME/chungthu.ini"
# the test's clients stand at several addresses through a proxy on this machine
sed -i 's/^trusted_proxies = .*/trusted_proxies = 127.0.0.1/' "$CHUNGTHU_HOME/chungthu.ini"
contains "the limits are in the configuration" "dossiers_per_agency_day = 3" "$(cat "$CHUNGTHU_HOME/chungthu.ini")"

"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" --threads 8 2>"$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -f "$URL/../../healthz" -o /dev/null && break; sleep 0.1; done

password() { awk -v u="$1" '$1 == u {print $3}' "$CHUNGTHU_HOME/demo-accounts.txt"; }
login() { # login USER PASSWORD [JAR] [ADDRESS] → status; the cookie in JAR (default $T/USER.jar)
    curl -c "${3:-$T/$1.jar}" -H "X-Forwarded-For: ${4:-127.0.0.1}" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$2\"}" -o "$T/last" -w '%{http_code}' "$URL/session"
}
for u in vanthu thutruong canbo kiemtoan; do same "login $u" "200" "$(login $u "$(password $u)")"; done
same "login vanthu2" "200" "$(login vanthu2 'mật khẩu văn thư hai')"
same "login vanthu.byt" "200" "$(login vanthu.byt 'mật khẩu của bộ y tế')"
same "login thutruong.byt" "200" "$(login thutruong.byt 'mật khẩu thủ trưởng byt')"
same "the database's -wal is 0600 while the server has it open" "600" "$(stat -c %a "$DB-wal")"
same "the database's -shm is 0600 while the server has it open" "600" "$(stat -c %a "$DB-shm")"

# ---- the online channel goes through a draft only ----
row() { printf '1,Nguyễn Văn An,01/02/1980,0010800000%02d,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,Công chức,0912000001,\n' "$1"; }
direct() { # direct WHO CHANNEL N → status of POST /dossiers
    curl -b "$T/$1.jar" -H 'Content-Type: application/json' -o "$T/last" -w '%{http_code}' \
        -d "$(python3 -c 'import json,sys; print(json.dumps({"agency": "BKHCN.VPC", "channel": sys.argv[1], "confirmed_by": "Ai Đó, Bịa Ra", "csv": sys.argv[2]}))' "$2" "$(row "$3")")" "$URL/dossiers"
}
before=$(sqlite3 "$DB" "select count(*) from dossiers")
same "a clerk's direct online submission" "403" "$(direct vanthu online 1)"
same "says to go through a draft" "dossier.draft_required" "$(json code)"
same "nor as a paper dossier" "403" "$(direct vanthu postal 1)"
same "nor by the head" "403" "$(direct thutruong online 1)"
same "the officer cannot record an online one either" "400" "$(direct canbo online 1)"
same "nothing was recorded" "$before" "$(sqlite3 "$DB" "select count(*) from dossiers")"
same "the officer records a postal dossier" "201" "$(direct canbo postal 1)"
D=$(json code)
same "numbered in the day" "G12.35.01.H99-$DAY-0001" "$D"

# ---- quotas: one clerk cannot use up the intake of others ----
printf '%%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' >"$T/letter.pdf"
via_draft() { # via_draft CLERK HEAD N → status of the submission
    R=$(curl -b "$T/$1.jar" -H 'Content-Type: application/json' -d '{"title":"Đợt"}' "$URL/drafts" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    curl -b "$T/$1.jar" -H 'Content-Type: text/csv' --data-binary "$(row "$3")" -o /dev/null "$URL/drafts/$R/list"
    curl -b "$T/$1.jar" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.pdf" -o /dev/null "$URL/drafts/$R/letter?name=l.pdf"
    curl -b "$T/$2.jar" -H 'Content-Type: application/json' -d '{}' -o /dev/null "$URL/drafts/$R/confirm"
    curl -b "$T/$1.jar" -H 'Content-Type: application/json' -d '{}' -D "$T/headers" -o "$T/last" -w '%{http_code}' "$URL/drafts/$R/submit"
}
retry_after() { sed -n 's/^Retry-After: *\([0-9]*\).*/\1/ip' "$T/headers"; }
same "clerk: 1st online dossier" "201" "$(via_draft vanthu thutruong 2)"
same "clerk: 2nd" "201" "$(via_draft vanthu thutruong 3)"
same "clerk: 3rd within the hour" "429" "$(via_draft vanthu thutruong 4)"
same "the account's rate" "dossier.rate_limited" "$(json code)"
same "Retry-After: the hour's window from the first" "3600" "$(retry_after)"
same "the refused draft stays confirmed, ready for later" "confirmed|" "$(sqlite3 "$DB" "select state, dossier from drafts where id=(select max(id) from drafts)")"
same "another clerk of the agency: its 3rd of the day" "201" "$(via_draft vanthu2 thutruong 5)"
same "the agency's 4th of the day" "429" "$(via_draft vanthu2 thutruong 6)"
same "the agency's quota" "dossier.quota" "$(json code)"
same "Retry-After: until local midnight" "50400" "$(retry_after)"
same "another agency still submits" "201" "$(via_draft vanthu.byt thutruong.byt 7)"
same "the officer's walk-in intake for the agency goes on" "201" "$(direct canbo direct 8)"
# the day's numbers: past 899999 they are the CA's own
sqlite3 "$DB" "create temp table t as select * from dossiers where code='$D'; update t set code='FILL', seq=899999; insert into dossiers select * from t;"
same "an agency cannot take the CA's reserved numbers" "409" "$(via_draft vanthu.byt thutruong.byt 9)"
same "the numbers are exhausted for agencies" "dossier.sequence" "$(json code)"
same "the officer still records a walk-in dossier" "201" "$(direct canbo direct 10)"
same "numbered past four digits" "G12.35.01.H99-$DAY-900000" "$(json code)"

# ---- the subscriber's lookup: limited, and nothing personal in the answer ----
lookup() { # lookup ID ADDRESS → status
    curl -H "X-Forwarded-For: $2" -D "$T/headers" -o "$T/last" -w '%{http_code}' "$URL/lookup?code=$D&id_number=$1"
}
same "lookup by code and ID number" "200" "$(lookup 001080000001 203.0.113.1)"
same "only the state, its kind and its times" "dossier_reason dossier_state dossier_state_label due_step4 kind kind_label pickup_at published_at reason requested_effective_at state state_label" \
    "$(python3 -c 'import json,sys; print(" ".join(sorted(json.load(open(sys.argv[1])))))' "$T/last")"
same "the state" "pending" "$(json state)"
for k in full_name email unit position token_serial pickup_place an@x.gov.vn; do
    if grep -q "$k" "$T/last"; then fail "the lookup answer holds $k"; else pass; fi
done
for i in $(seq 1 10); do
    same "wrong ID number $i from one address" "404" "$(lookup "00108000$(printf %04d $((i + 100)))" 203.0.113.2)"
done
same "the 11th wrong try from that address" "429" "$(lookup 001080000111 203.0.113.2)"
same "says so" "lookup.rate_limited" "$(json code)"
same "with Retry-After (10 minutes)" "600" "$(retry_after)"
same "the right number from that address waits too" "429" "$(lookup 001080000001 203.0.113.2)"
same "another address is not held back" "200" "$(lookup 001080000001 203.0.113.3)"
# many addresses against one dossier code: the code is limited (30 misses an hour)
for i in $(seq 1 20); do lookup "00108000$(printf %04d $((i + 200)))" "203.0.113.$((i + 10))" >/dev/null; done
same "the 31st miss on one dossier code, from a fresh address" "429" "$(lookup 001080000999 203.0.113.99)"
same "the code's limit" "lookup.rate_limited" "$(json code)"

# ---- password guessing ----
WRONG='{"username":"kiemtoan","password":"không phải mật khẩu"}'
attempt() { # attempt BODY ADDRESS → status; the body in $T/last
    curl -H "X-Forwarded-For: $2" -H 'Content-Type: application/json' -d "$1" -D "$T/headers" -o "$T/last" -w '%{http_code}' "$URL/session"
}
for i in 1 2 3 4 5; do same "wrong password $i" "401" "$(attempt "$WRONG" 198.51.100.1)"; done
wrong_answer=$(cat "$T/last")
same "the right password from the guesser's address: locked, answered as a wrong one" "401" "$(login kiemtoan "$(password kiemtoan)" /dev/null 198.51.100.1)"
same "the same answer" "$wrong_answer" "$(cat "$T/last")"
for i in 1 2 3 4 5 6; do
    same "unknown name, try $i" "401" "$(attempt '{"username":"khong.co.ai","password":"không phải mật khẩu"}' 198.51.100.1)"
    same "unknown name, try $i: the same answer" "$wrong_answer" "$(cat "$T/last")"
done
same "the owner logs in from their own address" "200" "$(login kiemtoan "$(password kiemtoan)" /dev/null 198.51.100.2)"
# 40 guesses at once on one account from one address: at most 5 passwords checked
pids=
for i in $(seq 1 40); do
    curl -H 'X-Forwarded-For: 198.51.100.7' -H 'Content-Type: application/json' -d "$WRONG" -o /dev/null -w '%{http_code}\n' "$URL/session" >>"$T/parallel1" &
    pids="$pids $!"
done
wait $pids
same "40 parallel guesses on one account: 5 checked" "5" \
    "$(sqlite3 "$DB" "select count(*) from audit where action='auth.login_failed' and object='kiemtoan' and source='198.51.100.7'")"
same "the rest refused unchecked, the address stopped past 20" "20 401|20 429" "$(sort "$T/parallel1" | uniq -c | awk '{print $1, $2}' | paste -sd '|')"
# 40 at once on 40 names from one address: at most 20 checked
pids=
for i in $(seq 1 40); do
    curl -H 'X-Forwarded-For: 198.51.100.8' -H 'Content-Type: application/json' -d "{\"username\":\"ten.$i\",\"password\":\"sai\"}" -o /dev/null -w '%{http_code}\n' "$URL/session" >>"$T/parallel2" &
    pids="$pids $!"
done
wait $pids
same "40 parallel guesses from one address: 20 checked" "20" \
    "$(sqlite3 "$DB" "select count(*) from audit where action='auth.login_failed' and source='198.51.100.8'")"
same "20 answered, 20 stopped" "20 401|20 429" "$(sort "$T/parallel2" | uniq -c | awk '{print $1, $2}' | paste -sd '|')"
same "the stopped address is told when to come back" "429" "$(attempt "$WRONG" 198.51.100.8)"
contains "Retry-After on the address limit" "Retry-After: 600" "$(cat "$T/headers")"

# ---- a password change ends the account's other sessions ----
same "a second session of the head" "200" "$(login thutruong.byt 'mật khẩu thủ trưởng byt' "$T/other.jar")"
same "the password changed from the first" "200" "$(curl -b "$T/thutruong.byt.jar" -H 'Content-Type: application/json' -d '{"old_password":"mật khẩu thủ trưởng byt","new_password":"một mật khẩu mới hẳn"}' -o /dev/null -w '%{http_code}' "$URL/session/password")"
same "the other session has ended" "401" "$(curl -b "$T/other.jar" -o /dev/null -w '%{http_code}' "$URL/session")"
same "the session that changed it goes on" "200" "$(curl -b "$T/thutruong.byt.jar" -o /dev/null -w '%{http_code}' "$URL/session")"

# ---- calendar arithmetic stays within four-digit years ----
same "API: 3650 working days after 9999-12-31" "400" "$(curl -b "$T/canbo.jar" -o "$T/last" -w '%{http_code}' "$URL/calendar/add-working-days?date=9999-12-31&n=3650")"
same "API: says the range" "calendar.range" "$(json code)"
same "API: a year before 1900" "400" "$(curl -b "$T/canbo.jar" -o /dev/null -w '%{http_code}' "$URL/calendar/add-working-days?date=0001-01-01&n=1")"
same "API: n past 3650" "400" "$(curl -b "$T/canbo.jar" -o /dev/null -w '%{http_code}' "$URL/calendar/add-working-days?date=2026-01-05&n=3651")"
same "API: a plain question still answered" "200" "$(curl -b "$T/canbo.jar" -o "$T/last" -w '%{http_code}' "$URL/calendar/add-working-days?date=2026-02-13&n=3")"
same "API: across Tết" "2026-02-25" "$(json date)"
refuse "CLI: 3650 working days after 9999-12-31" calendar.range ct calendar add-working-days 9999-12-31 3650
refuse "CLI: a year before 1900" calendar.range ct calendar add-working-days 1899-12-31 1
refuse "CLI: n past 3650" calendar.range ct calendar add-working-days 2026-01-05 3651
check "CLI: the last days of 9999 still counted" ct calendar add-working-days 9999-12-20 3
same "CLI: within the year" "9999-12-23" "$(cat "$T/out")"

kill -TERM $SERVER
wait $SERVER

# ---- what may be a name, a unit or a position (CLI intake of a paper list) ----
submit_row() { # submit_row NAME UNIT POSITION
    printf '1,%s,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,%s,Hà Nội,%s,Công chức,0912000001,\n' "$1" "$2" "$3" >"$T/list.csv"
    ct dossier submit --agency BKHCN.VPC --channel postal --file "$T/list.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng"
}
before=$(sqlite3 "$DB" "select count(*) from dossiers")
refuse "markup as a full name" text.name_chars submit_row '<img src=x onerror=alert(1)>' 'Vụ A' 'Chuyên viên'
contains "names the row and field" 'row 1, field "full name"' "$(cat "$T/err")"
refuse "a formula as a full name" text.name_chars submit_row '=HYPERLINK("http://x")' 'Vụ A' 'Chuyên viên'
refuse "digits in a name" text.name_chars submit_row 'Nguyễn Văn 2' 'Vụ A' 'Chuyên viên'
refuse "a formula as a unit" text.formula submit_row 'Nguyễn Văn An' '=HYPERLINK("http://x")' 'Chuyên viên'
contains "names the field, in Vietnamese too" 'cột "Cơ quan, đơn vị công tác"' "$(cat "$T/err")"
refuse "a DDE formula as a position" text.formula submit_row 'Nguyễn Văn An' 'Vụ A' "=cmd|' /C calc'!A0"
refuse "@ at the start of a position" text.formula submit_row 'Nguyễn Văn An' 'Vụ A' '@SUM(1)'
refuse "markup in a unit" text.markup submit_row 'Nguyễn Văn An' 'Vụ <b>A</b>' 'Chuyên viên'
same "none of them recorded" "$before" "$(sqlite3 "$DB" "select count(*) from dossiers")"
check "a Vietnamese name with an apostrophe passes" submit_row "H'Hen Niê" 'Vụ A' 'Phó Trưởng phòng'
finish

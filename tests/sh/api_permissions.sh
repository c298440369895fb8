# api_permissions.sh — every API route tried with every role and with no session, each answer
# checked against the permission table below; one agency trying to read and act on another's
# dossier; bad input through the API answered 4xx with nothing changed.
. "$(dirname "$0")/../lib.sh"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/api/v1
DB=$CHUNGTHU_HOME/chungthu.db
curl() { command curl -m 20 -s "$@"; }

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
check "another agency" ct agency add --code BYT --name "Bộ Y tế" --province "Hà Nội" --head-name "A" --head-title "Bộ trưởng" --kind state
printf 'mật khẩu của bộ y tế\n' | "$CHUNGTHU" user add --username vanthu.byt --role agency_clerk --agency BYT >/dev/null
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2> "$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -f "$URL/../../healthz" -o /dev/null && break; sleep 0.1; done

login() { # login USER PASSWORD → cookie jar $T/USER.jar
    curl -c "$T/$1.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$URL/session" -o /dev/null -w '%{http_code}'
}
while read -r user role password; do
    case $user in \#*) continue ;; esac
    same "login $user" "200" "$(login "$user" "$password")"
done < "$CHUNGTHU_HOME/demo-accounts.txt"
same "login other agency" "200" "$(login vanthu.byt 'mật khẩu của bộ y tế')"
: > "$T/none.jar"
contains "session cookie is HttpOnly" "#HttpOnly_" "$(cat "$T/canbo.jar")"
curl -D "$T/h" -o /dev/null -H 'Content-Type: application/json' -d "{\"username\":\"kiemtoan\",\"password\":\"$(awk '/^kiemtoan /{print $3}' "$CHUNGTHU_HOME/demo-accounts.txt")\"}" "$URL/session"
contains "SameSite=Strict" "SameSite=Strict" "$(grep -i set-cookie "$T/h")"
same "wrong password" "401" "$(curl -c /dev/null -H 'Content-Type: application/json' -d '{"username":"canbo","password":"not the password"}' "$URL/session" -o /dev/null -w '%{http_code}')"

# a dossier of BKHCN.VPC, submitted by its clerk
LIST='1,Nguyễn Văn An,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,Công chức,0912000001,\n'
body() { printf '{"agency":"%s","channel":"%s","confirmed_by":"Phạm Thị Lan, Vụ trưởng","csv":"%s"}' "$1" "$2" "$LIST"; }
curl -b "$T/vanthu.jar" -H 'Content-Type: application/json' -d "$(body BKHCN.VPC online)" "$URL/dossiers" -o "$T/d.json"
D=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/d.json")
contains "dossier created" "G12.35.01.H99-" "$D"

# call WHO METHOD PATH [BODY] → status
call() {
    if [ "$2" = GET ]; then curl -b "$T/$1.jar" -o "$T/last" -w '%{http_code}' "$URL/$3"
    else curl -b "$T/$1.jar" -H 'Content-Type: application/json' -d "${4:-{\}}" -o "$T/last" -w '%{http_code}' "$URL/$3"; fi
}
n=0
# the permission table: route, then the expected status for
#   none quantri(admin) canbo(officer) kiemtoan(auditor) vanthu(clerk) thutruong(head) vanthu.byt(other agency's clerk)
while IFS='|' read -r method path body none admin officer auditor clerk head other; do
    case $method in \#*|'') continue ;; esac
    i=0
    for who in none quantri canbo kiemtoan vanthu thutruong vanthu.byt; do
        want=$(printf '%s\n' "$none" "$admin" "$officer" "$auditor" "$clerk" "$head" "$other" | sed -n "$((i + 1))p" | tr -d ' ')
        i=$((i + 1)); n=$((n + 1))
        b=${body//@N@/$n}
        got=$(call "$who" "$method" "${path//@D@/$D}" "$b")
        same "$method $path as $who" "$want" "$got"
    done
done <<TABLE
GET|session||401|200|200|200|200|200|200
GET|agencies||401|200|200|200|200|200|200
GET|dossiers||401|200|200|200|200|200|200
GET|dossiers/@D@||401|200|200|200|200|200|404
GET|dossiers/@D@/receipt||401|200|200|200|200|200|404
GET|tokens||401|200|200|200|403|403|403
GET|certificates||401|200|200|200|403|403|403
GET|users||401|200|403|200|403|403|403
GET|audit/verify||401|200|200|200|403|403|403
GET|calendar/holidays?year=2026||401|200|200|200|200|200|200
POST|agencies|{"code":"AG@N@","name":"Cơ quan @N@","province":"Huế","head_name":"A","head_title":"B","kind":"state"}|401|201|201|403|403|403|403
POST|dossiers|$(body BKHCN.VPC online)|401|403|201|403|201|403|403
POST|dossiers/@D@/publish|{}|401|403|409|403|403|403|403
POST|tokens/stock|{"count":1}|401|200|200|403|403|403|403
POST|users|{"username":"u@N@","role":"auditor","password":"một mật khẩu dài"}|401|201|403|403|403|403|403
POST|certificates/00FF/revoke|{"reason":"keyCompromise"}|401|404|404|403|403|403|403
TABLE

# one agency acting on another's dossier: refused as if it did not exist, and nothing changed
same "other agency cannot withdraw it (as if it did not exist)" "404" "$(call vanthu.byt POST "dossiers/$D/withdraw")"
same "other agency cannot accept it either" "403" "$(call vanthu.byt POST "dossiers/$D/accept")"
same "dossier untouched" "received" "$(sqlite3 "$DB" "select state from dossiers where code='$D'")"
same "the CA accepts" "200" "$(call canbo POST "dossiers/$D/accept")"
same "the agency cannot issue" "403" "$(call vanthu POST "dossiers/$D/issue")"
same "the auditor cannot issue" "403" "$(call kiemtoan POST "dossiers/$D/issue")"

# ---- bad input: 4xx, clear message, nothing changed ----
before=$(sqlite3 "$DB" "select count(*) from dossiers")
same "wrong JSON type" "400" "$(call vanthu POST dossiers '{"agency":12,"channel":"online"}')"
contains "names the field" 'field \"agency\" must be a string' "$(cat "$T/last")"
same "malformed JSON" "400" "$(call vanthu POST dossiers '{"agency":')"
contains "says where" "json.malformed" "$(cat "$T/last")"
same "missing confirmation" "400" "$(call vanthu POST dossiers '{"agency":"BKHCN.VPC","channel":"online","csv":"x"}')"
same "broken CSV row" "400" "$(call vanthu POST dossiers "$(printf '{"agency":"BKHCN.VPC","channel":"online","confirmed_by":"A, B","csv":"1,An,31/02/1980,001080000001,01/01/2021,CS,an@x.gov.vn,A,Hà Nội,CV,Công chức,0912000001,\\n"}')")"
contains "names row and field" 'row 1, field \"date of birth\"' "$(cat "$T/last")"
same "not JSON content type" "415" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: text/plain' -d '{}' -o /dev/null -w '%{http_code}' "$URL/dossiers")"
head -c 50000000 /dev/zero | tr '\0' 'a' > "$T/big"
same "a 50 MB upload" "413" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/json' --data-binary @"$T/big" -o /dev/null -w '%{http_code}' "$URL/dossiers")"
same "no dossier from bad input" "$before" "$(sqlite3 "$DB" "select count(*) from dossiers")"
# a disabled user's cookie stops working
check "disable the clerk" ct user disable vanthu
same "disabled user's session" "401" "$(call vanthu GET session)"
# the subscriber's own lookup, without an account
same "lookup by code + ID number" "200" "$(curl -o "$T/last" -w '%{http_code}' "$URL/lookup?code=$D&id_number=001080000001")"
contains "shows the applicant's status" '"state":"pending"' "$(cat "$T/last")"
same "lookup with a wrong ID number" "404" "$(curl -o /dev/null -w '%{http_code}' "$URL/lookup?code=$D&id_number=001080000002")"
same "logout" "200" "$(call canbo POST session/logout)"
same "logged out" "401" "$(call canbo GET session)"
kill -TERM $SERVER; wait $SERVER
finish

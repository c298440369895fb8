# api_permissions.sh — every API route tried with every role and with no session, each answer
# checked against the permission table below; one agency trying to read and act on another's
# dossier; bad input through the API answered 4xx with nothing changed.
. "$(dirname "$0")/../lib.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/api/v1
DB=$CHUNGTHU_HOME/chungthu.db
curl() { command curl -m 20 -s "$@"; }

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
# as behind nginx on this machine: its X-Forwarded-For is believed (by default nobody's is)
sed -i 's/^trusted_proxies = .*/trusted_proxies = 127.0.0.1/' "$CHUNGTHU_HOME/chungthu.ini"
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

# a dossier of BKHCN.VPC that came by post, recorded by the CA officer (agencies submit online
# through drafts only: below)
LIST='1,Nguyễn Văn An,01/02/1980,001080000001,01/01/2021,Cục CS,an@x.gov.vn,Vụ A,Hà Nội,CV,Công chức,0912000001,\n'
body() { printf '{"agency":"%s","channel":"%s","confirmed_by":"Phạm Thị Lan, Vụ trưởng","csv":"%s"}' "$1" "$2" "$LIST"; }
curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -d "$(body BKHCN.VPC postal)" "$URL/dossiers" -o "$T/d.json"
D=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/d.json")
contains "dossier created" "G12.35.01.H99-" "$D"

# the online channel: a draft with its list and scanned letter, confirmed by the head, submitted
printf '%%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' > "$T/letter.pdf"
python3 - "$T/letter.png" <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 0, 0, 0, 0))
                              + chunk(b'IDAT', zlib.compress(b'\x00\x00')) + chunk(b'IEND', b''))
PY
new_draft() { # → id of a draft of the clerk's agency with its list and letter
    curl -b "$T/vanthu.jar" -H 'Content-Type: application/json' -d '{"title":"Đợt 1"}' "$URL/drafts" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/last" "$1"; }
R1=$(new_draft)
same "list as CSV" "200" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: text/csv' --data-binary "$(printf "$LIST")" -o "$T/last" -w '%{http_code}' "$URL/drafts/$R1/list")"
same "the list counted" "1" "$(field applicants)"
same "letter as PDF" "200" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.pdf" -o "$T/last" -w '%{http_code}' "$URL/drafts/$R1/letter?name=C%C3%B4ng%20v%C4%83n.pdf")"
same "sniffed type" "application/pdf" "$(field letter_type)"
same "head confirms" "200" "$(curl -b "$T/thutruong.jar" -H 'Content-Type: application/json' -d '{}' -o "$T/last" -w '%{http_code}' "$URL/drafts/$R1/confirm")"
same "confirmed by the head's name" "Phạm Thị Lan" "$(field confirmed_name)"
same "clerk submits" "201" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/json' -d '{}' -o "$T/last" -w '%{http_code}' "$URL/drafts/$R1/submit")"
D2=$(field code)
same "the dossier carries the head's confirmation" "Phạm Thị Lan|Vụ trưởng|online" "$(sqlite3 "$DB" "select confirmed_name, confirmed_title, channel from dossiers where code='$D2'")"
same "the CA reads the letter as sent" "$(sha256sum < "$T/letter.pdf")" "$(curl -b "$T/canbo.jar" "$URL/dossiers/$D2/letter" | sha256sum)"
R=$(new_draft)
printf 'một mật khẩu tạm thời\n' | "$CHUNGTHU" user add --username tam.thoi --role auditor >/dev/null

# call WHO METHOD PATH [BODY] → status
call() { # [TYPE=content/type] call WHO METHOD PATH [BODY]
    if [ "$2" = GET ]; then curl -b "$T/$1.jar" -o "$T/last" -w '%{http_code}' "$URL/$3"
    else curl -b "$T/$1.jar" -H "Content-Type: ${TYPE:-application/json}" -d "${4:-{\}}" -o "$T/last" -w '%{http_code}' "$URL/$3"; fi
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
        p=${path//@D@/$D}; p=${p//@D2@/$D2}; p=${p//@R@/$R}
        type=application/json
        case $p in *"/letter?"*) type=application/pdf ;; esac # a letter is sent as what it is
        got=$(TYPE=$type call "$who" "$method" "$p" "$b")
        same "$method $path as $who" "$want" "$got"
    done
done <<TABLE
GET|session||401|200|200|200|200|200|200
GET|agencies||401|200|200|200|200|200|200
GET|agencies/BKHCN.VPC/certificates||401|200|200|200|200|200|404
GET|agencies/NONE/certificates||401|404|404|404|404|404|404
GET|dossiers||401|200|200|200|200|200|200
GET|dossiers/@D@||401|200|200|200|200|200|404
GET|dossiers/@D@/receipt||401|200|200|200|200|200|404
GET|tokens||401|200|200|200|403|403|403
GET|certificates||401|200|200|200|403|403|403
GET|users||401|200|403|200|403|403|403
GET|audit/verify||401|200|200|200|403|403|403
GET|reports||401|200|200|200|403|403|403
GET|reports/steps.csv?from=2026-01-01&to=2026-02-01||401|200|200|200|403|403|403
GET|reports/on_time.svg||401|200|200|200|403|403|403
GET|calendar/holidays?year=2026||401|200|200|200|200|200|200
GET|calendar/add-working-days?date=2026-02-13&n=3||401|200|200|200|200|200|200
GET|certificates/00FF||401|404|404|404|403|403|403
GET|lookup?code=@D@&id_number=001080000001||200|200|200|200|200|200|200
GET|dossiers/@D2@/letter||401|200|200|200|200|200|404
GET|dossiers/@D@/letter||401|404|404|404|404|404|404
GET|dossiers/@D@/notice||401|409|409|409|409|409|404
GET|dossiers/@D@/papers/receipt?format=pdf||401|200|200|200|200|200|404
GET|dossiers/@D@/papers/nope||401|400|400|400|400|400|400
GET|drafts||401|403|403|200|200|200|200
GET|drafts/@R@||401|403|403|200|200|200|404
GET|drafts/@R@/letter||401|403|403|404|404|404|404
POST|drafts|{}|401|403|403|403|201|403|201
POST|drafts/@R@/list|{"csv":"$LIST"}|401|403|403|403|200|403|404
POST|drafts/@R@/confirm|{}|401|403|403|403|403|409|403
POST|agencies|{"code":"AG@N@","name":"Cơ quan @N@","province":"Huế","head_name":"A","head_title":"B","kind":"state"}|401|201|201|403|403|403|403
POST|agencies/BYT/domains|{"email_domains":"moh.gov.vn"}|401|200|200|403|403|403|403
POST|agencies/BYT/contacts|{"email":"vanphong@moh.gov.vn"}|401|200|200|403|403|403|403
POST|agencies/BYT/contacts|{"email":"vanphong@"}|401|400|400|403|403|403|403
GET|mail||401|200|200|200|403|403|403
GET|mail?state=nope||401|400|400|400|403|403|403
POST|mail/1/retry|{}|401|404|404|403|403|403|403
POST|dossiers|$(body BKHCN.VPC postal)|401|403|201|403|403|403|403
POST|dossiers|$(body BKHCN.VPC online)|401|403|400|403|403|403|403
POST|dossiers/@D@/publish|{}|401|403|409|403|403|403|403
POST|tokens/stock|{"count":1}|401|200|200|403|403|403|403
POST|tokens/NOSUCH/lost|{"reason":"mất"}|401|404|404|403|404|403|404
POST|tokens/NOSUCH/reset-pin|{}|401|404|404|403|403|403|403
POST|users|{"username":"u@N@","role":"auditor","password":"một mật khẩu dài"}|401|201|403|403|403|403|403
POST|drafts/@R@/letter?name=l.pdf||401|403|403|403|415|403|404
POST|drafts/@R@/submit|{}|401|403|403|403|409|409|404
POST|drafts/@R@/delete|{}|401|403|403|403|200|403|404
POST|users/tam.thoi/disable|{}|401|200|403|403|403|403|403
POST|session/password|{"old_password":"not it","new_password":"một mật khẩu mới dài"}|401|403|403|403|403|403|403
POST|dossiers/@D@/accept|{}|401|403|200|403|403|403|403
POST|certificates/00FF/revoke|{"reason":"keyCompromise"}|401|404|404|403|403|403|403
POST|ca/activate|{}|401|409|403|403|403|403|403
TABLE

# what the caller may do now comes with the dossier, from the transition table (the portal draws
# its buttons from it): the accepted dossier's pending applicant may be issued by the officer
acts() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(",".join(a["name"] for a in d["actions"]), "|", ",".join(a["name"] for a in d["applicants"][0]["actions"]))' "$T/last"; }
call canbo GET "dossiers/$D" >/dev/null
same "the officer's actions on the accepted dossier and its pending applicant" "withdraw | issue,refuse" "$(acts)"
call kiemtoan GET "dossiers/$D" >/dev/null
same "the auditor is offered nothing" " | " "$(acts)"

# the route table, as the server serves it (GET /routes) and as docs/api.md shows it to people:
# the two agree, and every route refuses every role outside its "who" (403) and everyone without
# a session (401), before anything is looked up
curl -o "$T/routes.json" "$URL/routes"
python3 - "$T/routes.json" "$CT_SRC/docs/api.md" > "$T/routes.diff" <<'PY'
import json, re, sys
served = {(r["method"], r["pattern"]): ("anyone" if not r["session"] else ", ".join(r["roles"]))
          for r in json.load(open(sys.argv[1]))}
doc = {}
for line in open(sys.argv[2], encoding="utf-8"):
    m = re.match(r"^\| (GET|POST) \| `/([^`]*)` \| ([^|]*) \|", line)
    if m:
        doc[(m.group(1), m.group(2))] = m.group(3).strip()
for k in sorted(set(served) | set(doc)):
    if served.get(k) != doc.get(k):
        print(k, "served:", served.get(k), "docs/api.md:", doc.get(k))
PY
same "docs/api.md shows the served route table" "" "$(cat "$T/routes.diff")"
python3 - "$T/routes.json" "$D" "$R" > "$T/refusals" <<'PY'
import json, sys
users = {"agency_clerk": "vanthu", "agency_head": "thutruong", "ca_officer": "canbo",
         "ca_admin": "quantri", "auditor": "kiemtoan"}
fill = {"{code}": sys.argv[2], "{action}": "accept", "{id}": sys.argv[3], "{serial}": "00FF",
        "{username}": "tam.thoi", "{table}": "dossiers", "{chart}": "agencies"}
for r in json.load(open(sys.argv[1])):
    if not r["session"]:
        continue
    path = r["pattern"]
    for k, v in fill.items():
        path = path.replace(k, v)
    print(r["method"], path, "none", 401)
    for role, user in users.items():
        if role not in r["roles"]:
            print(r["method"], path, user, 403)
PY
while read -r method path who want; do
    same "$method $path as $who, outside the route's roles" "$want" "$(call "$who" "$method" "$path")"
done < "$T/refusals"

# one agency acting on another's dossier: refused as if it did not exist, and nothing changed
same "other agency cannot withdraw it (as if it did not exist)" "404" "$(call vanthu.byt POST "dossiers/$D/withdraw")"
same "other agency cannot accept it either" "403" "$(call vanthu.byt POST "dossiers/$D/accept")"
same "dossier untouched" "accepted" "$(sqlite3 "$DB" "select state from dossiers where code='$D'")"
same "the agency cannot issue" "403" "$(call vanthu POST "dossiers/$D/issue")"
same "the auditor cannot issue" "403" "$(call kiemtoan POST "dossiers/$D/issue")"

# ---- bad input: 4xx, clear message, nothing changed ----
before=$(sqlite3 "$DB" "select count(*) from dossiers")
same "wrong JSON type" "400" "$(call canbo POST dossiers '{"agency":12,"channel":"postal"}')"
contains "names the field" 'field \"agency\" must be a string' "$(cat "$T/last")"
same "malformed JSON" "400" "$(call canbo POST dossiers '{"agency":')"
contains "says where" "json.malformed" "$(cat "$T/last")"
same "missing confirmation" "400" "$(call canbo POST dossiers '{"agency":"BKHCN.VPC","channel":"postal","csv":"x"}')"
same "broken CSV row" "400" "$(call canbo POST dossiers "$(printf '{"agency":"BKHCN.VPC","channel":"postal","confirmed_by":"A, B","csv":"1,An,31/02/1980,001080000001,01/01/2021,CS,an@x.gov.vn,A,Hà Nội,CV,Công chức,0912000001,\\n"}')")"
contains "names row and field" 'row 1, field \"date of birth\"' "$(cat "$T/last")"
same "not JSON content type" "415" "$(curl -b "$T/canbo.jar" -H 'Content-Type: text/plain' -d '{}' -o /dev/null -w '%{http_code}' "$URL/dossiers")"
head -c 50000000 /dev/zero | tr '\0' 'a' > "$T/big"
same "a 50 MB upload" "413" "$(curl -b "$T/canbo.jar" -H 'Content-Type: application/json' --data-binary @"$T/big" -o /dev/null -w '%{http_code}' "$URL/dossiers")"
same "no dossier from bad input" "$before" "$(sqlite3 "$DB" "select count(*) from dossiers")"
# bad input to a draft: refused with a clear message, the draft as it was
R=$(new_draft)
curl -b "$T/vanthu.jar" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.pdf" -o /dev/null "$URL/drafts/$R/letter?name=a.pdf"
state() { sqlite3 "$DB" "select state, applicants, letter_name, letter_size, length(letter_data) from drafts where id=$R"; }
was=$(state)
same "a PNG named .pdf" "415" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.png" -o "$T/last" -w '%{http_code}' "$URL/drafts/$R/letter?name=b.pdf")"
contains "says what it is" "is named as PDF but its content is PNG" "$(cat "$T/last")"
same "a PNG sent as JPEG" "415" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: image/jpeg' --data-binary @"$T/letter.png" -o /dev/null -w '%{http_code}' "$URL/drafts/$R/letter?name=b.jpg")"
head -c 100 "$T/letter.pdf" | head -c 20 > "$T/cut.pdf"
same "a truncated PDF" "415" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/pdf' --data-binary @"$T/cut.pdf" -o "$T/last" -w '%{http_code}' "$URL/drafts/$R/letter?name=c.pdf")"
contains "says truncated" "truncated" "$(cat "$T/last")"
same "a 50 MB letter" "413" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/pdf' --data-binary @"$T/big" -o /dev/null -w '%{http_code}' "$URL/drafts/$R/letter?name=big.pdf")"
same "a broken CSV row" "400" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: text/csv' --data-binary '1,An,31/02/1980,001080000001,01/01/2021,CS,an@x.gov.vn,A,Hà Nội,CV,Công chức,0912000001,' -o "$T/last" -w '%{http_code}' "$URL/drafts/$R/list")"
contains "names row and field" 'row 1, field \"date of birth\"' "$(cat "$T/last")"
same "submit before the head confirms" "409" "$(call vanthu POST "drafts/$R/submit")"
same "the head cannot confirm without a list" "409" "$(call thutruong POST "drafts/$R/confirm")"
same "draft unchanged by all of it" "$was" "$(state)"
printf '\377\330\377\340\000\020JFIF\000\001\001\000\000\001\000\001\000\000\377\331' > "$T/letter.jpg"
same "a JPEG scan is taken" "200" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: image/jpeg' --data-binary @"$T/letter.jpg" -o "$T/last" -w '%{http_code}' "$URL/drafts/$R/letter?name=scan.JPEG")"
same "as a JPEG" "image/jpeg|scan.JPEG" "$(sqlite3 "$DB" "select letter_type, letter_name from drafts where id=$R")"
same "a PNG scan is taken" "200" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: image/png' --data-binary @"$T/letter.png" -o /dev/null -w '%{http_code}' "$URL/drafts/$R/letter?name=scan.png")"
same "the letter replaced, as sent" "$(sha256sum < "$T/letter.png" | cut -c1-64)" "$(curl -b "$T/vanthu.jar" "$URL/drafts/$R/letter" | sha256sum | cut -c1-64)"
# a disabled user's cookie stops working
check "disable the clerk" ct user disable vanthu
same "disabled user's session" "401" "$(call vanthu GET session)"
# the subscriber's own lookup, without an account
same "lookup by code + ID number" "200" "$(curl -o "$T/last" -w '%{http_code}' "$URL/lookup?code=$D&id_number=001080000001")"
contains "shows the applicant's status" '"state":"pending"' "$(cat "$T/last")"
same "lookup with a wrong ID number" "404" "$(curl -o /dev/null -w '%{http_code}' "$URL/lookup?code=$D&id_number=001080000002")"
same "logout" "200" "$(call canbo POST session/logout)"
same "logged out" "401" "$(call canbo GET session)"
# failed logins from one address, on many accounts: the address is stopped, not just an account
for i in $(seq 1 20); do login "khong.co.$i" "sai mật khẩu" >/dev/null; done
same "the 21st failed login from this address" "429" "$(login "khong.co.21" "sai mật khẩu")"
same "even with a right password, for a while" "429" "$(login kiemtoan "$(awk '/^kiemtoan /{print $3}' "$CHUNGTHU_HOME/demo-accounts.txt")")"
contains "says why" "auth.rate_limited" "$(curl -H 'Content-Type: application/json' -d '{"username":"a","password":"b"}' "$URL/session")"
# behind a local reverse proxy, the address is the one it forwards: another client is not stopped
same "another address behind the proxy" "200" "$(curl -c /dev/null -H 'X-Forwarded-For: 203.0.113.7' -H 'Content-Type: application/json' -d "{\"username\":\"kiemtoan\",\"password\":\"$(awk '/^kiemtoan /{print $3}' "$CHUNGTHU_HOME/demo-accounts.txt")\"}" "$URL/session" -o /dev/null -w '%{http_code}')"
kill -TERM $SERVER; wait $SERVER
finish

# approvals.sh — four eyes with the defaults ([approvals] revoke = 2, user = 2, role = 2) and
# accept = issue = publish = 2, through a running server and the command line: a revocation, an
# account, a role change or a dossier's acceptance, issue or publication waits as a request
# until a second person approves it (the step is then done, audited with both names) or
# declines it (nothing changes); nobody approves their own; twenty approvals at once carry the
# step out once (an issue too, carried out after its approval's commit); with revoke = 1 a
# revocation is direct again.
CT_FOUR_EYES=1 # the defaults, not the one-person instances of the other tests (lib.sh)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
CA=$CHUNGTHU_HOME/ca
INI=$CHUNGTHU_HOME/chungthu.ini

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
contains "init writes [approvals] revoke = 2" "revoke = 2" "$(sed -n '/^\[approvals\]/,/^\[/p' "$INI")"
contains "init writes [approvals] user = 2" "user = 2" "$(sed -n '/^\[approvals\]/,/^\[/p' "$INI")"
contains "init writes [approvals] role = 2" "role = 2" "$(sed -n '/^\[approvals\]/,/^\[/p' "$INI")"
contains "init writes [approvals] accept = 1" "accept = 1" "$(sed -n '/^\[approvals\]/,/^\[/p' "$INI")"
# the dossier steps with two people too, for the sections on them below
sed -i 's/^accept = 1/accept = 2/; s/^issue = 1/issue = 2/; s/^publish = 1/publish = 2/' "$INI"
ADMIN=$(awk '$2 == "ca_admin" { print $1; exit }' "$CHUNGTHU_HOME/demo-accounts.txt")
OFFICER=$(awk '$2 == "ca_officer" { print $1; exit }' "$CHUNGTHU_HOME/demo-accounts.txt")
CLERK=$(awk '$2 == "agency_clerk" { print $1; exit }' "$CHUNGTHU_HOME/demo-accounts.txt")
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
issue() { ct cert issue --csr "$T/r.csr" --name "$1" --email "$2" --province "Huế" --org "Bộ Y tế" --out "$T/$3.pem" >/dev/null; }
serial() { openssl x509 -in "$T/$1.pem" -noout -serial | sed 's/serial=//'; }
check "issue one to revoke" issue "Lý Tự Trọng" trong@moh.gov.vn one
check "issue another" issue "Võ Thị Sáu" sau@moh.gov.vn two
S=$(serial one)
S2=$(serial two)

# ---- an account from the command line: two administrators, the instance's owner (os:USER)
# and a CA administrator logged in (`chungthu login`; the session file under $HOME) ----
export HOME=$T/home
mkdir -p "$HOME"
OWNER=os:$(id -un)
ADMIN_PW=$(awk -v u="$ADMIN" '$1 == u { print $3 }' "$CHUNGTHU_HOME/demo-accounts.txt")
PW='mật khẩu cán bộ thứ hai'
printf '%s\n' "$PW" | ct user add --username canbo2 --name "Cán bộ Hai" --role ca_officer > "$T/out" 2>&1
contains "CLI user add: waiting for a second officer" "waiting for a second officer" "$(cat "$T/out")"
same "... the account does not exist yet" "0" "$(q "select count(*) from users where username='canbo2'")"
same "... the request holds the password's hash only" "0" "$(q "select count(*) from approvals where parameters like '%$PW%'")"
UA=$(q "select id from approvals where action='user.add' and object='canbo2' and state='pending'")
contains "approval list shows it" "canbo2" "$(ct approval list)"
refuse "the requester cannot approve it" approval.own_request ct approval approve "$UA"
same "... still no account" "0" "$(q "select count(*) from users where username='canbo2'")"
check "a CA administrator logs in" sh -c 'printf "%s\n%s\n" "$1" "$2" | "$3" login' sh "$ADMIN" "$ADMIN_PW" "$CHUNGTHU"
check "and approves" ct approval approve "$UA"
same "... the account exists" "ca_officer" "$(q "select role from users where username='canbo2'")"
same "... user.add audited by the approver" "$ADMIN" "$(q "select actor from audit where action='user.add' and object='canbo2'")"
contains "... approval.approve names both" "\"approved_by\":\"$ADMIN\"" "$(q "select detail from audit where action='approval.approve' and object='canbo2'")"
contains "... approval.approve names both (requester)" "\"requested_by\":\"$OWNER\"" "$(q "select detail from audit where action='approval.approve' and object='canbo2'")"
refuse "approved twice" approval.decided ct approval approve "$UA"
refuse "decline without a reason" approval.reason ct approval decline "$UA" --reason ""
refuse "an unknown request" approval.not_found ct approval approve 999
check "logout" ct logout

# ---- a revocation through the API ----
start_server || exit 1
login_demo
curl -c "$T/canbo2.jar" -H 'Content-Type: application/json' -o /dev/null \
    -d "{\"username\":\"canbo2\",\"password\":\"$PW\"}" "$URL/session"
ocsp_verdict() {
    openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$1" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
    curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$BASE/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$CA/issuing.crt" -serial "0x$1" -CAfile "$T/chain.pem" 2>&1
}
crl_lists() {
    curl -o "$T/issuing.crl" "$BASE/crl/issuing.crl"
    openssl crl -inform DER -in "$T/issuing.crl" -noout -text 2>&1 | grep -ci "serial number: *$1"
}
status() { q "select status from certificates where serial='$1'"; }

same "officer A revokes: 202" "202" "$(api "$OFFICER" "certificates/$S/revoke" '{"reason":"keyCompromise"}')"
same "... answered with the pending request" "pending revoke $S $OFFICER" \
    "$(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['state'], j['action'], j['object'], j['requested_by'])" "$T/last")"
R1=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$T/last")
same "... the certificate is still active" "active" "$(status "$S")"
contains "... OCSP still says good" "0x$S: good" "$(ocsp_verdict "$S")"
same "... not on the CRL" "0" "$(crl_lists "$S")"
same "a second request for the same revocation: 409" "409" "$(api canbo2 "certificates/$S/revoke" '{"reason":"superseded"}')"
contains "... approval.exists" "approval.exists" "$(cat "$T/last")"
same "officer A approves own request: 403" "403" "$(api "$OFFICER" "approvals/$R1/approve" '{}')"
contains "... approval.own_request" "approval.own_request" "$(cat "$T/last")"
same "the agency clerk cannot see the queue" "403" "$(api "$CLERK" approvals)"
same "officer B sees the queue" "200" "$(api canbo2 approvals)"
contains "... with A's request" "\"requested_by\": \"$OFFICER\"" "$(python3 -m json.tool "$T/last")"
same "officer B declines without a reason: 400" "400" "$(api canbo2 "approvals/$R1/decline" '{}')"
same "officer B declines with a reason: 200" "200" "$(api canbo2 "approvals/$R1/decline" '{"reason":"Nhầm số hiệu"}')"
same "... declined, by B, with the reason" "declined|canbo2|Nhầm số hiệu" "$(q "select state, decided_by, reason from approvals where id=$R1")"
same "... nothing changed: still active" "active" "$(status "$S")"
contains "... OCSP still good" "0x$S: good" "$(ocsp_verdict "$S")"
same "... audit: A requested, B declined" "approval.request|$OFFICER approval.decline|canbo2" \
    "$(q "select action || '|' || actor from audit where object='$S' and action like 'approval.%' order by id" | tr '\n' ' ' | sed 's/ $//')"
same "a declined request cannot be approved" "409" "$(api canbo2 "approvals/$R1/approve" '{}')"

same "A asks again: 202" "202" "$(api "$OFFICER" "certificates/$S/revoke" '{"reason":"keyCompromise"}')"
R2=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$T/last")
approve_r2() { api canbo2 "approvals/$R2/approve" '{}'; }
race 20 approve_r2
same "twenty approvals by B at once: exactly one 200" "1" "$(race_count 200)"
same "... the other nineteen 409" "19" "$(race_count 409)"
same "... the certificate is revoked (keyCompromise)" "revoked:1" "$(q "select status || ':' || revocation_reason from certificates where serial='$S'")"
same "... revoked once" "1" "$(q "select count(*) from audit where action='cert.revoke' and object='$S'")"
same "... by B" "canbo2" "$(q "select actor from audit where action='cert.revoke' and object='$S'")"
contains "... approval.approve names A and B" "\"approved_by\":\"canbo2\"" "$(q "select detail from audit where action='approval.approve' and object='$S'")"
contains "... approval.approve names A" "\"requested_by\":\"$OFFICER\"" "$(q "select detail from audit where action='approval.approve' and object='$S'")"
# the server answers the same OCSP request from a one-second microcache (http/ocsp_cache.c):
# the change shows within that bound, polled for
ocsp_revoked() {
    local v
    for _ in $(seq 1 60); do
        v=$(ocsp_verdict "$1")
        case $v in *"0x$1: revoked"*) break ;; esac
        sleep 0.05
    done
    printf '%s' "$v"
}
contains "OCSP says revoked" "0x$S: revoked" "$(ocsp_revoked "$S")"
same "the CRL lists it" "1" "$(crl_lists "$S")"
same "the queue is empty again" "[]" "$(api canbo2 approvals >/dev/null; python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))" "$T/last")"

# ---- an account through the API: pending until a second administrator approves ----
same "the admin adds an account: 202" "202" "$(api "$ADMIN" users '{"username":"kiemtoan2","role":"auditor","password":"một mật khẩu dài đủ"}')"
R3=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['id'])" "$T/last")
same "... no password hash in the answer" "0" "$(grep -c argon2 "$T/last")"
same "... the account does not exist yet" "0" "$(q "select count(*) from users where username='kiemtoan2'")"
same "an officer does not see account requests" "0" "$(api canbo2 approvals >/dev/null; grep -c kiemtoan2 "$T/last")"
same "an officer cannot approve one: 403" "403" "$(api canbo2 "approvals/$R3/approve" '{}')"
same "the admin cannot approve own: 403" "403" "$(api "$ADMIN" "approvals/$R3/approve" '{}')"
same "... still no account" "0" "$(q "select count(*) from users where username='kiemtoan2'")"
check "a second administrator approves (command line, the instance's owner)" ct approval approve "$R3"
same "... the account exists" "auditor" "$(q "select role from users where username='kiemtoan2'")"
same "... and logs in" "200" "$(curl -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"username":"kiemtoan2","password":"một mật khẩu dài đủ"}' "$URL/session")"
same "disabling an account waits too: 202" "202" "$(api "$ADMIN" users/kiemtoan2/disable '{}')"
same "... still enabled" "0" "$(q "select disabled from users where username='kiemtoan2'")"

# ---- a role change: CA administrators, and the account's sessions end ----
# a second CA administrator, with a session of its own (added, and approved by the owner)
same "the admin adds a second administrator: 202" "202" "$(api "$ADMIN" users '{"username":"quantri2","role":"ca_admin","password":"quản trị viên thứ hai"}')"
check "... the owner approves" ct approval approve "$(jfield '["id"]')"
curl -c "$T/quantri2.jar" -H 'Content-Type: application/json' -o /dev/null \
    -d '{"username":"quantri2","password":"quản trị viên thứ hai"}' "$URL/session"
curl -c "$T/kiemtoan2.jar" -H 'Content-Type: application/json' -o /dev/null \
    -d '{"username":"kiemtoan2","password":"một mật khẩu dài đủ"}' "$URL/session"
same "the auditor's session works" "200" "$(api kiemtoan2 certificates)"
same "an officer cannot change a role: 403" "403" "$(api canbo2 users/kiemtoan2/role '{"role":"ca_officer"}')"
same "an unknown role: 400" "400" "$(api "$ADMIN" users/kiemtoan2/role '{"role":"system"}')"
same "an agency role without its agency: 400" "400" "$(api "$ADMIN" users/kiemtoan2/role '{"role":"agency_clerk"}')"
same "the same role: 409" "409" "$(api "$ADMIN" users/kiemtoan2/role '{"role":"auditor"}')"
contains "... user.same_role" "user.same_role" "$(cat "$T/last")"
same "the admin asks: auditor → officer: 202" "202" "$(api "$ADMIN" users/kiemtoan2/role '{"role":"ca_officer"}')"
R4=$(jfield '["id"]')
same "... the role is unchanged" "auditor" "$(q "select role from users where username='kiemtoan2'")"
same "... the session still works" "200" "$(api kiemtoan2 certificates)"
same "an officer does not see it" "0" "$(api canbo2 approvals >/dev/null; grep -c '"user.role"' "$T/last")"
same "the admin approves own: 403" "403" "$(api "$ADMIN" "approvals/$R4/approve" '{}')"
contains "... approval.own_request" "approval.own_request" "$(cat "$T/last")"
same "the second administrator declines: 200" "200" "$(api quantri2 "approvals/$R4/decline" '{"reason":"Chưa có quyết định điều động"}')"
same "... nothing changed: the role" "auditor" "$(q "select role from users where username='kiemtoan2'")"
same "... nothing changed: the session" "200" "$(api kiemtoan2 certificates)"
same "... no user.role row" "0" "$(q "select count(*) from audit where action='user.role'")"
check "the owner asks from the command line" sh -c '"$1" user set-role kiemtoan2 ca_officer > "$2"' sh "$CHUNGTHU" "$T/out"
contains "... waiting for a second officer" "waiting for a second officer" "$(cat "$T/out")"
R5=$(q "select id from approvals where action='user.role' and object='kiemtoan2' and state='pending'")
approve_r5() { api quantri2 "approvals/$R5/approve" '{}'; }
race 20 approve_r5
same "twenty approvals by the second administrator: exactly one 200" "1" "$(race_count 200)"
same "... the other nineteen 409" "19" "$(race_count 409)"
same "... the role changed" "ca_officer" "$(q "select role from users where username='kiemtoan2'")"
same "... once, by the approver" "quantri2" "$(q "select group_concat(actor) from audit where action='user.role' and object='kiemtoan2'")"
contains "... with before and after" '"from":"auditor"' "$(q "select detail from audit where action='user.role'")"
contains "... approval.approve names the requester" "\"requested_by\":\"$OWNER\"" "$(q "select detail from audit where action='approval.approve' and object='kiemtoan2'")"
contains "... and the approver" '"approved_by":"quantri2"' "$(q "select detail from audit where action='approval.approve' and object='kiemtoan2'")"
same "... the account's session ended" "401" "$(api kiemtoan2 certificates)"
same "... no session of it is left" "0" "$(q "select count(*) from sessions where username='kiemtoan2'")"

# ---- the dossier steps ([approvals] accept, issue, publish = 2 above) ----
check "an agency" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state
check "tokens" ct token stock --count 4
check "a dossier" sh -c '"$1" dossier submit --agency BNV --channel direct --file "$2" --confirmed-by "Trần Anh Tuấn, Chánh Văn phòng" --json > "$3"' sh "$CHUNGTHU" "$CT_SRC/data/samples/mau02.csv" "$T/out"
D=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['code'])" "$T/out")
dstate() { q "select state from dossiers where code='$D'"; }
astates() { q "select group_concat(state) from (select state from applicants where dossier='$D' order by n) as a"; }
# step STEP [JSON]: the whole gate of one dossier step, officer A asking and officer B deciding
gate() {
    local step=$1 body=${2:-'{}'} before=$3 id
    same "$step: officer A asks: 202" "202" "$(api "$OFFICER" "dossiers/$D/$step" "$body")"
    id=$(jfield '["id"]')
    same "$step: ... nothing done yet" "$before" "$(dstate) $(astates)"
    same "$step: a second request waits for the first: 409" "409" "$(api canbo2 "dossiers/$D/$step" "$body")"
    same "$step: A approves own: 403" "403" "$(api "$OFFICER" "approvals/$id/approve" '{}')"
    same "$step: an administrator may not decide it: 403" "403" "$(api quantri2 "approvals/$id/approve" '{}')"
    same "$step: B declines: 200" "200" "$(api canbo2 "approvals/$id/decline" '{"reason":"Kiểm tra lại"}')"
    same "$step: ... nothing changed" "$before" "$(dstate) $(astates)"
    same "$step: A asks again: 202" "202" "$(api "$OFFICER" "dossiers/$D/$step" "$body")"
    GATE_ID=$(jfield '["id"]')
    approve_gate() { api canbo2 "approvals/$GATE_ID/approve" '{}'; }
    race 20 approve_gate
    same "$step: twenty approvals by B at once: exactly one 200" "1" "$(race_count 200)"
    same "$step: ... the other nineteen 409" "19" "$(race_count 409)"
    same "$step: ... audit: requested, declined, requested, approved, by A and B" \
        "approval.request|$OFFICER approval.decline|canbo2 approval.request|$OFFICER approval.approve|canbo2" \
        "$(q "select action || '|' || actor from audit where object='$D' and action like 'approval.%' and json_extract(detail, '$.action')='$step' order by id" | tr '\n' ' ' | sed 's/ $//')"
}
gate accept '{}' "received pending,pending,pending"
same "accept: ... accepted" "accepted" "$(dstate)"
same "accept: ... once, by B" "canbo2" "$(q "select group_concat(actor) from audit where action='dossier.accept' and object='$D'")"

gate issue '{}' "accepted pending,pending,pending"
same "issue: ... every applicant issued (after the approval's commit, in B's call)" "issued,issued,issued" "$(astates)"
same "issue: ... once each, by B" "canbo2 3" "$(q "select group_concat(distinct actor) || ' ' || count(*) from audit where action='applicant.issue' and object like '$D#%'")"
same "issue: ... three certificates on hold" "3" "$(q "select count(*) from certificates c join applicants a on a.cert_serial=c.serial where a.dossier='$D' and c.status='hold'")"
same "issue: ... each on a token of its own" "3" "$(q "select count(distinct token_serial) from applicants where dossier='$D' and token_serial != ''")"
same "issue: ... the request approved" "approved" "$(q "select state from approvals where id=$GATE_ID")"

# an issue that fails after its approval (one blank token for three applicants): the request
# waits again, the applicants issued before the failure stay issued, the rest wait for it
check "a second dossier" sh -c '"$1" dossier submit --agency BNV --channel direct --file "$2" --confirmed-by "Trần Anh Tuấn, Chánh Văn phòng" --json > "$3"' sh "$CHUNGTHU" "$CT_SRC/data/samples/mau02.csv" "$T/out"
D2=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['code'])" "$T/out")
api "$OFFICER" "dossiers/$D2/accept" '{}' >/dev/null
same "the second dossier accepted by two" "200" "$(api canbo2 "approvals/$(jfield '["id"]')/approve" '{}')"
same "issue with one token left: 202" "202" "$(api "$OFFICER" "dossiers/$D2/issue" '{}')"
R6=$(jfield '["id"]')
same "... B approves: the issue fails part way" "409" "$(api canbo2 "approvals/$R6/approve" '{}')"
# (the applicants are issued several at once, [token] parallel: which one gets the token is not fixed)
same "... one applicant issued" "issued,pending,pending" "$(q "select group_concat(state) from (select state from applicants where dossier='$D2' order by state) as a")"
same "... the request waits again" "pending||0" "$(q "select state || '|' || decided_by || '|' || decided_at from approvals where id=$R6")"
contains "... approval.reopen audited with the failure" "\"approval\":$R6" "$(q "select detail from audit where action='approval.reopen' and actor='canbo2'")"
same "more tokens (through the server, which holds the token module open)" "200" "$(api "$OFFICER" tokens/stock '{"count":2}')"
same "... B approves again: 200" "200" "$(api canbo2 "approvals/$R6/approve" '{}')"
same "... every applicant issued" "issued,issued,issued" "$(q "select group_concat(state) from (select state from applicants where dossier='$D2' order by n) as a")"
same "... approved" "approved|canbo2" "$(q "select state || '|' || decided_by from approvals where id=$R6")"

# publication comes after the pickup and the agency's steps, on the clock of the day after
today=$(date -u -d '+7 hours' +%F)
pickup_day=$(ct calendar add-working-days "$today" 2)
check "notify pickup" ct dossier notify-pickup "$D" --at "$pickup_day 09:00" --place "Phòng 203, 23 Ngụy Như Kon Tum"
stop_server
export CHUNGTHU_NOW=$(date -u -d "$pickup_day 10:00 +07" +%s)
check "agency received" ct dossier agency-received "$D" --by "Nguyễn Văn Nhận"
check "handed over" ct dossier handed-over "$D"
check "activation requested" ct dossier request-activation "$D"
start_server || exit 1
login_demo
curl -c "$T/canbo2.jar" -H 'Content-Type: application/json' -o /dev/null \
    -d "{\"username\":\"canbo2\",\"password\":\"$PW\"}" "$URL/session"
curl -c "$T/quantri2.jar" -H 'Content-Type: application/json' -o /dev/null \
    -d '{"username":"quantri2","password":"quản trị viên thứ hai"}' "$URL/session"
check "with publish = 2, run-due publishes nothing" sh -c '"$1" run-due > "$2"' sh "$CHUNGTHU" "$T/out"
contains "... published: 0" "published: 0" "$(cat "$T/out")"
gate publish '{}' "accepted activation_requested,activation_requested,activation_requested"
same "publish: ... every applicant published" "published,published,published" "$(astates)"
same "publish: ... the dossier completed" "completed" "$(dstate)"
same "publish: ... the certificates active" "3" "$(q "select count(*) from certificates c join applicants a on a.cert_serial=c.serial where a.dossier='$D' and c.status='active'")"
same "publish: ... once each, by B" "canbo2 3" "$(q "select group_concat(distinct actor) || ' ' || count(*) from audit where action='applicant.publish' and object like '$D#%'")"
stop_server
unset CHUNGTHU_NOW
start_server || exit 1
login_demo

# the instance keeps a CA administrator: the second one becomes an auditor (approved by the
# owner), and the last one cannot then lose the role
same "the admin asks: the second administrator → auditor: 202" "202" "$(api "$ADMIN" users/quantri2/role '{"role":"auditor"}')"
check "... the owner approves" ct approval approve "$(jfield '["id"]')"
same "... an auditor now" "auditor" "$(q "select role from users where username='quantri2'")"
same "the last administrator's role: 409" "409" "$(api "$ADMIN" "users/$ADMIN/role" '{"role":"auditor"}')"
contains "... user.last_admin" "user.last_admin" "$(cat "$T/last")"
same "... nothing recorded" "0" "$(q "select count(*) from approvals where action='user.role' and object='$ADMIN'")"

# ---- revoke = 1: direct again ----
refuse "[approvals] revoke = 3 is refused" config.invalid sh -c "sed 's/^revoke = 2/revoke = 3/' '$INI' > '$T/ini' && cp '$T/ini' '$INI' && \"$CHUNGTHU\" cert list"
sed -i 's/^revoke = 3/revoke = 1/' "$INI"
check "with revoke = 1, cert revoke is direct" ct cert revoke "$S2" --reason superseded
same "... revoked at once" "revoked" "$(status "$S2")"
same "... no request recorded" "0" "$(q "select count(*) from approvals where object='$S2'")"
sed -i 's/^role = 2/role = 1/' "$INI"
check "with role = 1, user set-role is direct" ct user set-role kiemtoan2 agency_clerk --agency BNV
same "... changed at once, with its agency" "agency_clerk|BNV" "$(q "select role || '|' || agency from users where username='kiemtoan2'")"
refuse "... an agency role names an agency that exists" agency.not_found ct user set-role kiemtoan2 agency_head --agency NOPE
refuse "... a CA role has no agency" user.agency_unexpected ct user set-role kiemtoan2 auditor --agency BNV
check "audit verify" ct audit verify
stop_server
finish

# officer_check.sh — the CA officer's check at step 2: every flag the software raises beside an
# applicant (an ID number that already holds a certificate, the same ID number twice in a list,
# an e-mail outside the agency's official domains, CCCD digits against the date of birth, the
# age, a previous serial unknown or someone else's), the agency's e-mail domains set from the
# command line and the API, what an agency sees of the flags; then one applicant refused with a
# reason while the others are issued and published, the dossier completed, and the applicant's
# own lookup saying "refused" and why.
. "$(dirname "$0")/../lib.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/api/v1
DB=$CHUNGTHU_HOME/chungthu.db
curl() { command curl -m 30 -s "$@"; }
# flags FILE N → "code code …" of applicant N in a dossier's JSON view
flags() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); a=[x for x in d["applicants"] if x["n"]==int(sys.argv[2])][0]; print(" ".join(f["code"] for f in a["flags"]))' "$1" "$2"; }
# flag_text FILE N CODE LANG → that flag's message
flag_text() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); a=[x for x in d["applicants"] if x["n"]==int(sys.argv[2])][0]; print(" | ".join(f[sys.argv[4]] for f in a["flags"] if f["code"]==sys.argv[3]))' "$1" "$2" "$3" "$4"; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
HEAD=$(head -1 "$CT_SRC/data/samples/mau02.csv")
list() { printf '%s\r\n' "$HEAD" "$@" > "$T/list.csv"; }
submit() { # submit → the new dossier's code
    ct dossier submit --agency BNV --channel direct --file "$T/list.csv" --confirmed-by "Phạm Thị Thanh Trà, Bộ trưởng" --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])'
}
CS="Cục Cảnh sát QLHC về TTXH"

check "init" ct init --root-key p384 --issuing-key p256
# ---- the agency's official e-mail domains ----
check "an agency with its e-mail domains" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state --email-domains " BNV.gov.vn;@bnv.gov.vn "
same "kept lower case, each once" "bnv.gov.vn" "$(ct agency list --json | python3 -c 'import json,sys; print([a for a in json.load(sys.stdin) if a["code"]=="BNV"][0]["email_domains"])')"
refuse "not a domain" agency.email_domains ct agency add --code BYT --name "Bộ Y tế" --province "Hà Nội" --head-name "A" --head-title "B" --kind state --email-domains "moh gov vn"
same "and no agency added" "0" "$(sqlite3 "$DB" "select count(*) from agencies where code='BYT'")"
check "set the domains" ct agency set-domains BNV --email-domains "bnv.gov.vn, MIC.gov.vn"
contains "says what is kept" "bnv.gov.vn, mic.gov.vn" "$(cat "$T/out")"
refuse "set-domains with a bad one" agency.email_domains ct agency set-domains BNV --email-domains "bnv.gov.vn, x..vn"
refuse "set-domains of no agency" agency.not_found ct agency set-domains NOPE --email-domains "a.vn"
same "the list as set, unchanged by the refusals" "bnv.gov.vn, mic.gov.vn" "$(sqlite3 "$DB" "select email_domains from agencies where code='BNV'")"
same "the change audited" "agency.domains|{\"from\":\"bnv.gov.vn\",\"to\":\"bnv.gov.vn, mic.gov.vn\"}" "$(sqlite3 "$DB" "select action, detail from audit where action='agency.domains'")"
check "token stock" ct token stock --count 5

# ---- a certificate already held: dossier A, Nguyễn Thị Thu Hà, issued (on hold) ----
list "1,Nguyễn Thị Thu Hà,12/03/1985,001185012345,10/05/2021,$CS,ha.ntt@bnv.gov.vn,Vụ Pháp chế,Hà Nội,Chuyên viên chính,Công chức,0912345678,"
A=$(submit)
check "accept A" ct dossier accept "$A"
check "issue A" ct dossier issue "$A"
S_A=$(sqlite3 "$DB" "select cert_serial from applicants where dossier='$A' and n=1")
contains "A's certificate on hold" "hold" "$(sqlite3 "$DB" "select status from certificates where serial='$S_A'")"
# and one made outside a dossier (token provision), for a renewal of it
check "a certificate outside a dossier" ct token provision --name "Phạm Văn Bình" --email binh.pv@bnv.gov.vn --province "Hà Nội" --org "Bộ Nội vụ" --json
S_P=$(field "$T/out" 'd["cert_serial"]')

# ---- dossier B: one row per flag, and two without ----
list "1,Nguyễn Thị Thu Hà,12/03/1985,001185012345,10/05/2021,$CS,ha.ntt2@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên chính,Công chức,0912345670," \
     "2,Trần Văn Đức,02/11/1979,036079004567,20/08/2021,$CS,duc.tv@gmail.com,Vụ Tổ chức,Hà Nội,Chuyên viên,Công chức,0987654321," \
     "3,Phạm Minh Tuấn,05/06/1990,001085011111,01/02/2021,$CS,tuan.pm@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Công chức,0912000003," \
     "4,Hoàng Văn Lâm,01/01/1955,012345678,01/02/2015,Công an Hà Nội,lam.hv@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên cao cấp,Công chức,0912000004," \
     "5,Lê Hoàng Yến,25/07/1992,079192008910,15/01/2022,$CS,yen.lh@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Viên chức,0912000005,$S_A" \
     "6,Đỗ Thị Mai,14/09/1988,001188022222,15/01/2022,$CS,mai.dt@mic.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Viên chức,0912000006,5A3F0C11D2E4B6A7" \
     "7,Vũ Quang Huy,03/03/1991,001091033333,15/01/2022,$CS,huy.vq@pc.bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Công chức,0912000007," \
     "8,PHẠM VĂN BÌNH,04/04/1984,001084044444,15/01/2022,$CS,binh.pv@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Công chức,0912000008,$S_P"
B=$(submit)
contains "B submitted" "-" "$B"
check "show B --json" ct dossier show "$B" --json
cp "$T/out" "$T/b.json"
same "(a) the ID number holds A's certificate" "id_holds_certificate" "$(flags "$T/b.json" 1)"
contains "(a) names the serial and its state" "$S_A (tạm dừng, chưa công bố; hồ sơ $A, người số 1)" "$(flag_text "$T/b.json" 1 id_holds_certificate vi)"
contains "(a) in English too" "already holds certificate $S_A (on hold" "$(flag_text "$T/b.json" 1 id_holds_certificate en)"
same "(c) an address outside the official domains" "email_domain" "$(flags "$T/b.json" 2)"
contains "(c) names the address and the domains" "duc.tv@gmail.com is outside the official domains of agency BNV (bnv.gov.vn, mic.gov.vn)" "$(flag_text "$T/b.json" 2 email_domain en)"
same "(d) CCCD digits against the date of birth" "cccd_birth_year" "$(flags "$T/b.json" 3)"
contains "(d) says both years" "encodes the birth year 1985, but the date of birth is 1990-06-05" "$(flag_text "$T/b.json" 3 cccd_birth_year en)"
same "(e) the age" "age" "$(flags "$T/b.json" 4)"
age=$(python3 -c 'import datetime as d; t=(d.datetime.utcnow()+d.timedelta(hours=7)).date(); print(t.year-1955)')
same "(e) with the age" "$age years old (over 65)" "$(flag_text "$T/b.json" 4 age en)"
same "(f) a previous serial of someone else" "previous_serial_other" "$(flags "$T/b.json" 5)"
contains "(f) says whose" "someone else's (dossier $A, row 1" "$(flag_text "$T/b.json" 5 previous_serial_other en)"
same "(f) a previous serial that does not exist" "previous_serial_unknown" "$(flags "$T/b.json" 6)"
same "a clean row (a subdomain of an official domain) has no flag" "" "$(flags "$T/b.json" 7)"
same "the renewal of one's own certificate, the name in other case, has no flag" "" "$(flags "$T/b.json" 8)"
same "every Mẫu 02 field in the view" "1985-03-12|001185012345|2021-05-10|$CS|0912345670|Vụ Tổ chức|Chuyên viên chính|" \
    "$(field "$T/b.json" '"|".join(d["applicants"][0][k] for k in ["birth_date","id_number","id_issued_on","id_issued_at","phone","unit","position","previous_serial"])')"
check "show B (text)" ct dossier show "$B"
contains "the text form shows the row" "giấy tờ / ID: 001185012345, cấp ngày / issued 2021-05-10, $CS" "$(cat "$T/out")"
contains "the text form shows a flag" "! Thư điện tử duc.tv@gmail.com ngoài tên miền công vụ" "$(cat "$T/out")"
contains "both languages and the code" "[cccd_birth_year]" "$(cat "$T/out")"
# a certificate no longer valid is no longer flagged
check "cancel A's applicant (revoked)" ct dossier cancel "$A" --applicant 1 --reason "Cấp nhầm"
ct dossier show "$B" --json > "$T/b2.json"
same "(a) gone once A's certificate is revoked" "" "$(flags "$T/b2.json" 1)"

# ---- (b) the same ID number twice in one list ----
list "1,Ngô Thị Lan,10/10/1990,001190044444,15/01/2022,$CS,lan.nt@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Công chức,0912000011," \
     "2,Ngô Thị Lan,10/10/1990,001190044445,15/01/2022,$CS,lan.nt2@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Công chức,0912000012,"
D=$(submit)
# intake refuses a list with one ID number twice; a list recorded before that rule (or mended in
# the database) still shows it to the officer
sqlite3 "$DB" "update applicants set id_number='001190044444' where dossier='$D' and n=2"
ct dossier show "$D" --json > "$T/d.json"
same "(b) row 1 flagged" "id_twice_in_list" "$(flags "$T/d.json" 1)"
same "(b) row 2 flagged" "id_twice_in_list" "$(flags "$T/d.json" 2)"
contains "(b) names the other row" "also on row 1 of this list" "$(flag_text "$T/d.json" 2 id_twice_in_list en)"
check "accept D" ct dossier accept "$D"
check "refuse D's second row" ct dossier refuse "$D" --applicant 2 --reason "Trùng số giấy tờ với người số 1"
check "a refused applicant does not stop a withdrawal" ct dossier withdraw "$D"
same "D withdrawn" "withdrawn" "$(sqlite3 "$DB" "select state from dossiers where code='$D'")"

# ---- through the API: the domains, and what an agency sees ----
printf 'mật khẩu cán bộ cục\n' | "$CHUNGTHU" user add --username canbo --role ca_officer >/dev/null
printf 'mật khẩu văn thư bnv\n' | "$CHUNGTHU" user add --username vanthu --role agency_clerk --agency BNV >/dev/null
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2> "$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -f "$URL/../../healthz" -o /dev/null && break; sleep 0.1; done
login() { curl -c "$T/$1.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$URL/session" -o /dev/null -w '%{http_code}'; }
same "officer logs in" "200" "$(login canbo 'mật khẩu cán bộ cục')"
same "clerk logs in" "200" "$(login vanthu 'mật khẩu văn thư bnv')"
post() { curl -b "$T/$1.jar" -H 'Content-Type: application/json' -d "$3" -o "$T/last" -w '%{http_code}' "$URL/$2"; }
same "the officer sets the domains" "200" "$(post canbo agencies/BNV/domains '{"email_domains":"bnv.gov.vn, GMAIL.com"}')"
same "answered with the agency" "bnv.gov.vn, gmail.com" "$(field "$T/last" 'd["email_domains"]')"
same "the address in gmail.com no longer flagged" "" "$(curl -b "$T/canbo.jar" "$URL/dossiers/$B" -o "$T/b3.json"; flags "$T/b3.json" 2)"
same "mic.gov.vn is no longer official" "email_domain" "$(flags "$T/b3.json" 6 | tr ' ' '\n' | grep email_domain)"
same "a bad domain through the API" "400" "$(post canbo agencies/BNV/domains '{"email_domains":"bnv"}')"
contains "says which" "agency.email_domains" "$(cat "$T/last")"
same "missing field" "400" "$(post canbo agencies/BNV/domains '{}')"
same "the clerk may not set them" "403" "$(post vanthu agencies/BNV/domains '{"email_domains":""}')"
same "an agency added with its domains" "201" "$(post canbo agencies '{"code":"BYT","name":"Bộ Y tế","province":"Hà Nội","head_name":"A","head_title":"B","kind":"state","email_domains":"moh.gov.vn"}')"
same "kept" "moh.gov.vn" "$(sqlite3 "$DB" "select email_domains from agencies where code='BYT'")"
same "\"\" ends the check" "200" "$(post canbo agencies/BYT/domains '{"email_domains":""}')"
same "ended" "" "$(sqlite3 "$DB" "select email_domains from agencies where code='BYT'")"
# the agency sees the flags of its own rows, not those drawn from other people's records
same "the clerk reads B" "200" "$(curl -b "$T/vanthu.jar" -o "$T/bc.json" -w '%{http_code}' "$URL/dossiers/$B")"
same "the clerk sees the CCCD flag" "cccd_birth_year" "$(flags "$T/bc.json" 3)"
same "the clerk sees the age flag" "age" "$(flags "$T/bc.json" 4)"
same "but not whose certificate a previous serial is" "" "$(flags "$T/bc.json" 5)"
same "nor whether a serial exists" "email_domain" "$(flags "$T/bc.json" 6)"

# ---- dossier C: one applicant refused, the others issued and published ----
list "1,Đinh Thị Hồng,01/05/1987,001187055555,15/01/2022,$CS,hong.dt@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Công chức,0912000021," \
     "2,Bùi Văn Nam,20/08/1985,001080066666,15/01/2022,$CS,nam.bv@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Công chức,0912000022," \
     "3,Đặng Thu Trang,12/12/1995,001195077777,15/01/2022,$CS,trang.dt@bnv.gov.vn,Vụ Tổ chức,Hà Nội,Chuyên viên,Công chức,0912000023,"
C=$(submit)
refuse "refuse before acceptance" dossier.not_accepted ct dossier refuse "$C" --applicant 2 --reason "x"
check "accept C" ct dossier accept "$C"
same "the officer is offered refuse beside issue" "issue,refuse" "$(curl -b "$T/canbo.jar" "$URL/dossiers/$C" -o "$T/c.json"; field "$T/c.json" '",".join(a["name"] for a in d["applicants"][1]["actions"])')"
same "with its label" "Từ chối cấp cho người này|Refuse this applicant" "$(field "$T/c.json" '[a["label"]["vi"]+"|"+a["label"]["en"] for a in d["applicants"][1]["actions"] if a["name"]=="refuse"][0]')"
same "the agency is not" "" "$(curl -b "$T/vanthu.jar" "$URL/dossiers/$C" -o "$T/cc.json"; field "$T/cc.json" '",".join(a["name"] for a in d["applicants"][1]["actions"])')"
refuse "refuse without a reason" procedure.reason_missing ct dossier refuse "$C" --applicant 2
refuse "refuse without naming the applicant" procedure.applicant_missing ct dossier refuse "$C" --reason "x"
same "refuse without naming the applicant (API)" "400" "$(post canbo "dossiers/$C/refuse" '{"reason":"x"}')"
contains "says so" "procedure.applicant_missing" "$(cat "$T/last")"
same "the agency may not refuse" "403" "$(post vanthu "dossiers/$C/refuse" '{"applicant":2,"reason":"x"}')"
same "nothing changed by the refusals" "pending pending pending" "$(sqlite3 "$DB" "select group_concat(state, ' ') from (select state from applicants where dossier='$C' order by n) as a")"
same "the officer refuses applicant 2" "200" "$(post canbo "dossiers/$C/refuse" '{"applicant":2,"reason":"Số CCCD không khớp năm sinh"}')"
same "refused, with its label and reason" "refused|Bị từ chối|Refused|Số CCCD không khớp năm sinh" "$(field "$T/last" '"|".join([d["applicants"][1]["state"], d["applicants"][1]["state_label"]["vi"], d["applicants"][1]["state_label"]["en"], d["applicants"][1]["reason"]])')"
same "and nothing more to do with it" "" "$(field "$T/last" '",".join(a["name"] for a in d["applicants"][1]["actions"])')"
refuse "refuse twice" procedure.wrong_state ct dossier refuse "$C" --applicant 2 --reason "x"
same "the refusal audited with its reason" "pending|refused|Số CCCD không khớp năm sinh" "$(sqlite3 "$DB" "select json_extract(detail, '\$.from') || '|' || json_extract(detail, '\$.to') || '|' || json_extract(detail, '\$.reason') from audit where action='applicant.refuse' and object='$C#2'")"
check "issue C: every applicant still pending" ct dossier issue "$C"
same "1 and 3 issued, 2 still refused" "issued refused issued" "$(sqlite3 "$DB" "select group_concat(state, ' ') from (select state from applicants where dossier='$C' order by n) as a")"
same "no certificate for the refused" "" "$(sqlite3 "$DB" "select cert_serial from applicants where dossier='$C' and n=2")"
pickup=$(ct calendar add-working-days "$(date -u -d '+7 hours' +%F)" 1)
check "notify pickup" ct dossier notify-pickup "$C" --at "$pickup 09:00" --place "Phòng 201"
same "step 2 done once the others are notified" "1" "$(sqlite3 "$DB" "select count(*) from dossiers where code='$C' and step2_done_at > 0")"
export CHUNGTHU_NOW=$(date -u -d "$pickup 10:00 +07" +%s) # the agency collects after the pickup time
check "agency received" ct dossier agency-received "$C" --by "Nguyễn Văn Nhận"
check "handed over" ct dossier handed-over "$C"
check "activation requested" ct dossier request-activation "$C"
same "not completed before publication" "accepted" "$(sqlite3 "$DB" "select state from dossiers where code='$C'")"
check "publish" ct dossier publish "$C"
same "published, refused, published" "published refused published" "$(sqlite3 "$DB" "select group_concat(state, ' ') from (select state from applicants where dossier='$C' order by n) as a")"
same "the dossier completed" "completed" "$(sqlite3 "$DB" "select state from dossiers where code='$C'")"
same "in the audit trail" "1" "$(sqlite3 "$DB" "select count(*) from audit where action='dossier.complete' and object='$C'")"
# the refused applicant's own lookup: refused, and why
same "lookup of the refused applicant" "200" "$(curl -o "$T/lookup.json" -w '%{http_code}' "$URL/lookup?code=$C&id_number=001080066666")"
same "says refused and why" "refused|Refused|Số CCCD không khớp năm sinh" "$(field "$T/lookup.json" '"|".join([d["state"], d["state_label"]["en"], d["reason"]])')"
same "and nothing about the person" "" "$(grep -o 'Bùi Văn Nam\|nam.bv\|Vụ Tổ chức' "$T/lookup.json")"
same "the audit chain verifies" "0" "$(ct audit verify >/dev/null 2>&1; echo $?)"
kill -TERM $SERVER; wait $SERVER
finish

# procedure.sh — procedure 1.010847 from the command line: intake, the CA's decision, issuance
# on tokens (on hold), pickup, the agency's steps, publication (active from that instant),
# scheduled publication, cancellation; deadlines that know Tết; refusals that change nothing.
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db
utc() { date -u -d "$1" +%s; } # "2026-02-13 10:00 +07" → Unix seconds
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }

check "init" ct init --root-key p384 --issuing-key p256
check "ministry" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state
check "department" ct agency add --code BNV.VP --name "Văn phòng Bộ" --parent BNV --province "ha noi" --head-name "Trần Anh Tuấn" --head-title "Chánh Văn phòng" --kind state
refuse "unknown parent" agency.not_found ct agency add --code X1 --name "X" --parent NOPE --province "Huế" --head-name "A" --head-title "B" --kind state
refuse "not a Party or State body" agency.kind ct agency add --code X2 --name "Công ty TNHH ABC" --province "Huế" --head-name "A" --head-title "B" --kind company
refuse "duplicate agency" agency.exists ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "A" --head-title "B" --kind state
check "token stock" ct token stock --count 4

LIST=$CT_SRC/data/samples/mau02.csv
count_dossiers() { sqlite3 "$DB" "select count(*) from dossiers"; }
count_applicants() { sqlite3 "$DB" "select count(*) from applicants"; }

# ---- refusals at intake change nothing ----
refuse "unknown agency" agency.not_found ct dossier submit --agency NOPE --channel direct --file "$LIST" --confirmed-by "A, B"
refuse "missing confirmation" dossier.confirmation ct dossier submit --agency BNV.VP --channel direct --file "$LIST"
refuse "bad channel" dossier.channel ct dossier submit --agency BNV.VP --channel fax --file "$LIST" --confirmed-by "A, B"
sed '3s/Công chức/Hợp đồng/' "$LIST" > "$T/bad.csv"
refuse "a row under no position category" mau02.category_invalid ct dossier submit --agency BNV.VP --channel direct --file "$T/bad.csv" --confirmed-by "A, B"
contains "the refusal names row and field" 'row 3, field "category"' "$(cat "$T/err")"
sed '3s/036079004567/0360790045/' "$LIST" > "$T/bad.csv"
refuse "an ID number of the wrong shape" mau02.id_invalid ct dossier submit --agency BNV.VP --channel direct --file "$T/bad.csv" --confirmed-by "A, B"
contains "names the row" 'row 3, field "ID number"' "$(cat "$T/err")"
sed '4s/079192008910/001185012345/' "$LIST" > "$T/bad.csv"
refuse "a duplicate applicant in one list" mau02.duplicate ct dossier submit --agency BNV.VP --channel direct --file "$T/bad.csv" --confirmed-by "A, B"
printf '{"applicants": [{"full_name": 12}]}' > "$T/bad.json"
refuse "wrong JSON type" json.type ct dossier submit --agency BNV.VP --channel postal --file "$T/bad.json" --confirmed-by "A, B"
same "no dossier stored by the refusals" "0" "$(count_dossiers)"
same "no applicant stored by the refusals" "0" "$(count_applicants)"

# ---- deadlines: received Friday 13/02/2026 10:00, Tết follows ----
export CHUNGTHU_NOW=$(utc "2026-02-13 10:00 +07")
check "submit (direct) before Tết" ct dossier submit --agency BNV.VP --channel direct --file "$LIST" --confirmed-by "Trần Anh Tuấn, Chánh Văn phòng" --json
D1=$(json 'd["code"]')
contains "dossier code format" "G12.35.01.H99-260213-0001" "$D1"
same "due (step 2) Wed 25/02/2026 17:00" "2026-02-25T10:00:00Z" "$(json 'd["due_step2"]')"
ct dossier receipt "$D1" > "$T/slip.txt"
contains "slip: processing time" "4 ngày làm việc" "$(cat "$T/slip.txt")"
contains "slip: due" "17 giờ 00 phút, ngày 25/02/2026" "$(cat "$T/slip.txt")"
contains "slip: documents" "01 bản chính, 01 bản sao" "$(cat "$T/slip.txt")"
ct dossier receipt "$D1" --html > "$T/slip.html"
contains "printable HTML slip" "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" "$(cat "$T/slip.html")"
export CHUNGTHU_NOW=$(utc "2026-02-13 16:45 +07")
check "submit after the cut-off" ct dossier submit --agency BNV.VP --channel postal --file "$CT_SRC/data/samples/mau02.json" --confirmed-by "Trần Anh Tuấn, Chánh Văn phòng" --json
D2=$(json 'd["code"]')
same "counts from Mon 23/02" "2026-02-23" "$(json 'd["counted_from"]')"
same "due Thu 26/02/2026" "2026-02-26T10:00:00Z" "$(json 'd["due_step2"]')"
contains "second dossier of the day" "-260213-0002" "$D2"
export CHUNGTHU_NOW=$(utc "2026-04-28 09:00 +07")
check "submit Tue 28/04/2026" ct dossier submit --agency BNV.VP --channel direct --file "$LIST" --confirmed-by "Trần Anh Tuấn, Chánh Văn phòng" --json
same "due Tue 05/05/2026 (Giỗ Tổ moved, 30/4, 1/5)" "2026-05-05T10:00:00Z" "$(json 'd["due_step2"]')"
D3=$(json 'd["code"]')
export CHUNGTHU_NOW=$(utc "2026-03-08 09:00 +07")
check "submit on a Sunday" ct dossier submit --agency BNV.VP --channel direct --file "$LIST" --confirmed-by "Trần Anh Tuấn, Chánh Văn phòng" --json
same "a Sunday counts from Monday" "2026-03-09" "$(json 'd["counted_from"]')"
unset CHUNGTHU_NOW

# overdue list for the officer's morning: D1 accepted but nothing done, long past due
check "accept D1" ct dossier accept "$D1"
contains "D1 is late" "$D1" "$(ct dossier list --overdue)"

# ---- wrong state and bad steps change nothing ----
refuse "publish before issue" procedure.wrong_state ct dossier publish "$D1" --applicant 1
contains "names state and allowed actions" 'allowed: issue' "$(cat "$T/err")"
refuse "accept twice" procedure.wrong_state ct dossier accept "$D1"
refuse "reject without a reason" procedure.reason_missing ct dossier reject "$D2"
refuse "issue before acceptance" dossier.not_accepted ct dossier issue "$D2"
refuse "unknown dossier" dossier.not_found ct dossier accept "G12.35.01.H99-990101-0001"
refuse "unknown applicant" applicant.not_found ct dossier issue "$D1" --applicant 9
check "supplement D2" ct dossier supplement "$D2" --reason "Thiếu bản sao Mẫu 01"
same "clock paused while waiting" "needs_supplement" "$(sqlite3 "$DB" "select state from dossiers where code='$D2'")"
check "resubmit D2" ct dossier resubmit "$D2"
check "reject D2" ct dossier reject "$D2" --reason "Người đề nghị không thuộc cơ quan"
refuse "rejected is final" procedure.wrong_state ct dossier accept "$D2"
check "withdraw D3 before any issue" ct dossier withdraw "$D3"

# ---- a token pulled out while the certificate is written: the applicant stays un-issued ----
export SOFTHSM2_CONF=$CHUNGTHU_HOME/tokens/softhsm2.conf
victim=$(ct token list --state blank --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["serial"])')
dir=$(dirname "$(grep -la "$victim" "$CHUNGTHU_HOME"/tokens/store/*/token.object)")
applicant_before=$(sqlite3 "$DB" "select * from applicants where dossier='$D1' and n=1")
certs_before=$(sqlite3 "$DB" "select count(*) from certificates where kind='subscriber'")
module=$(sed -n 's/^module = //p' "$CHUNGTHU_HOME/chungthu.ini")
sed -i "s|^module = .*|module = $CT_P11_PULL_MODULE|" "$CHUNGTHU_HOME/chungthu.ini"
CT_P11_PULL=C_CreateObject:3 CT_P11_PULL_DIR=$dir ct dossier issue "$D1" --applicant 1 >"$T/out" 2>"$T/err" && fail "issue with the token pulled out succeeded"
sed -i "s|^module = .*|module = $module|" "$CHUNGTHU_HOME/chungthu.ini"
# the certificate's write and the challenge run side by side: either one meets the missing token
contains "the error names the step" 'step "' "$(cat "$T/err")"
same "applicant untouched" "$applicant_before" "$(sqlite3 "$DB" "select * from applicants where dossier='$D1' and n=1")"
same "no certificate stored" "$certs_before" "$(sqlite3 "$DB" "select count(*) from certificates where kind='subscriber'")"
same "the token is set aside" "damaged" "$(sqlite3 "$DB" "select state from tokens where serial='$victim'")"
check "restock" ct token stock --count 1

# ---- the whole path for D1 ----
check "issue on tokens" ct dossier issue "$D1"
serials=$(sqlite3 "$DB" "select cert_serial from applicants where dossier='$D1' order by n")
s1=$(printf '%s\n' "$serials" | head -1)
contains "the issue names each certificate" "$s1" "$(cat "$T/out")"
contains "and where its PIN envelope is" "envelopes/$(sqlite3 "$DB" "select token_serial from applicants where dossier='$D1' and n=1").txt" "$(cat "$T/out")"
same "three certificates on hold" "hold
hold
hold" "$(for s in $serials; do sqlite3 "$DB" "select status from certificates where serial='$s'"; done)"
same "three tokens provisioned" "3" "$(ct token list --state provisioned | wc -l)"
check "cert on hold has no effective time" ct cert show "$s1" --json
contains "hold" '"status": "hold"' "$(cat "$T/out")"
contains "not effective" '"effective_at": null' "$(cat "$T/out")"
# ---- pickup and the agency's steps: times that cannot be right are refused ----
# Dates are chosen from today (Vietnam time): the pickup must be still to come.
today=$(date -u -d '+7 hours' +%F)
pickup_day=$(ct calendar add-working-days "$today" 2)
day_off=$(date -d "$today + 1 day" +%F)
while ct calendar is-working-day "$day_off" >/dev/null; do day_off=$(date -d "$day_off + 1 day" +%F); done
refuse "pickup on a day off" calendar.day_off ct dossier notify-pickup "$D1" --at "$day_off 09:00" --place "Phòng 203"
refuse "pickup without a place" procedure.pickup_missing ct dossier notify-pickup "$D1" --at "$pickup_day 09:00"
refuse "pickup in the past" procedure.pickup_past ct dossier notify-pickup "$D1" --at "$(date -d "$today - 7 days" +%F) 09:00" --place "Phòng 203"
contains "the refusal says the time" "đã qua" "$(cat "$T/err")"
refuse "pickup at 22:00" procedure.pickup_office_hours ct dossier notify-pickup "$D1" --at "$pickup_day 22:00" --place "Phòng 203"
refuse "pickup at 06:45" procedure.pickup_office_hours ct dossier notify-pickup "$D1" --at "$pickup_day 06:45" --place "Phòng 203"
refuse "pickup at place x" procedure.pickup_place ct dossier notify-pickup "$D1" --at "$pickup_day 09:00" --place "x"
same "refused pickups changed nothing" "issued
issued
issued" "$(sqlite3 "$DB" "select state from applicants where dossier='$D1' order by n")"
check "notify pickup" ct dossier notify-pickup "$D1" --at "$pickup_day 09:00" --place "Phòng 203, 23 Ngụy Như Kon Tum"
refuse "collected before the pickup time" procedure.before_pickup ct dossier agency-received "$D1" --by "Nguyễn Văn Nhận"
same "still awaiting pickup" "awaiting_pickup" "$(sqlite3 "$DB" "select state from applicants where dossier='$D1' and n=1")"
# from here the clock stands an hour after the pickup time
export CHUNGTHU_NOW=$(utc "$pickup_day 10:00 +07")
refuse "collected by nobody" procedure.recipient_missing ct dossier agency-received "$D1"
check "agency received" ct dossier agency-received "$D1" --by "Nguyễn Văn Nhận"
same "tokens with the agency" "3" "$(ct token list --state with_agency | wc -l)"
same "who collected is recorded" "Nguyễn Văn Nhận" "$(sqlite3 "$DB" "select distinct received_by from applicants where dossier='$D1'")"
check "handed over 1, to someone on the holder's behalf" ct dossier handed-over "$D1" --applicant 1 --to "Lê Thị Thay"
check "handed over 2" ct dossier handed-over "$D1" --applicant 2
check "handed over 3" ct dossier handed-over "$D1" --applicant 3
same "to whom each token went" "Lê Thị Thay
$(sqlite3 "$DB" "select full_name from applicants where dossier='$D1' and n=2")" "$(sqlite3 "$DB" "select handed_to from applicants where dossier='$D1' and n<=2 order by n")"
refuse "an effective time in the past" procedure.effective_past ct dossier request-activation "$D1" --applicant 1 --effective "$pickup_day 09:30"
contains "the refusal says so" "đã qua" "$(cat "$T/err")"
check "request activation now (1)" ct dossier request-activation "$D1" --applicant 1
check "publish 1" ct dossier publish "$D1" --applicant 1
check "published certificate" ct cert show "$s1" --json
contains "active after publication" '"status": "active"' "$(cat "$T/out")"
same "effective from the publication instant" "$CHUNGTHU_NOW" "$(date -u -d "$(json 'd["effective_at"]')" +%s)"

# scheduled publication: applicant 2 asks for a time in the future
check "request activation at a future time (2)" ct dossier request-activation "$D1" --applicant 2 --effective "2030-01-02 08:00"
refuse "not yet" procedure.not_yet ct dossier publish "$D1" --applicant 2
check "run-due now publishes nothing" ct run-due
contains "nothing due" "published: 0" "$(cat "$T/out")"
export CHUNGTHU_NOW=$(utc "2030-01-02 08:01 +07")
check "run-due at that time" ct run-due
contains "one published" "published: 1" "$(cat "$T/out")"
unset CHUNGTHU_NOW
same "applicant 2 published" "published" "$(sqlite3 "$DB" "select state from applicants where dossier='$D1' and n=2")"

# cancellation revokes the certificate
refuse "cancel without a reason" procedure.reason_missing ct dossier cancel "$D1" --applicant 3
check "cancel 3" ct dossier cancel "$D1" --applicant 3 --reason "Chuyển công tác"
s3=$(printf '%s\n' "$serials" | tail -1)
same "cancelled certificate revoked" "revoked" "$(sqlite3 "$DB" "select status from certificates where serial='$s3'")"
refuse "published is final" procedure.wrong_state ct dossier cancel "$D1" --applicant 1 --reason "x"

check "show with timeline" ct dossier show "$D1"
contains "timeline lists publication" "applicant.publish" "$(cat "$T/out")"
check "show --json" ct dossier show "$D1" --json
same "three applicants in JSON" "3" "$(json 'len(d["applicants"])')"

# the audit trail holds every step and catches an edit
check "audit verify" ct audit verify
n=$(sqlite3 "$DB" "select id from audit where action='applicant.publish' limit 1")
sqlite3 "$DB" "$AUDIT_UNGUARD; UPDATE audit SET actor='someone else' WHERE id=$n;"
if ct audit verify > "$T/out" 2>&1; then fail "audit verify passed on an edited trail"; else pass; fi
contains "names the edited row" "row $n" "$(cat "$T/out")"
finish

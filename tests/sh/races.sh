# races.sh — the same step asked for many times at once, or two steps that exclude each other
# asked for together, through a running server: each time exactly one takes effect and what is
# stored afterwards is whole. Twenty requests are released at the same instant (server.sh race).
#   B  a revoked certificate is never published (revoke first; revoke and publish together)
#   C  twenty `issue` for one applicant: one certificate, one token, one envelope
#   D  `cancel` and `publish` together; twenty `publish`
#   E  one confirmed draft submitted twenty times: one dossier
#   F  the head confirms while the clerk replaces the list: the dossier is what was confirmed
#   G  the agency withdraws while the CA issues: one of the two, never both
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
N=20
CA=$CHUNGTHU_HOME/ca

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
# P-256 keys on the tokens: key generation is not what these tests are about
sed -i 's/^subscriber_key = .*/subscriber_key = p256/' "$CHUNGTHU_HOME/chungthu.ini"
check "token stock" ct token stock --count 150
# The server's clock is a file (CHUNGTHU_NOW=@FILE; empty: the real time). The agency cannot
# collect its tokens before the pickup time it was told, the next working day: that step runs
# with the clock set an hour after it, and the sessions are opened at that time so that they
# are still open then.
PICKUP_DAY=$(ct calendar add-working-days "$(date -u -d '+7 hours' +%F)" 1)
PICKUP='{"applicant":1,"at":"'$PICKUP_DAY' 09:00","place":"Phòng 203, 23 Ngụy Như Kon Tum"}'
AFTER_PICKUP=$(date -u -d "$PICKUP_DAY 10:00 +07" +%s)
: > "$T/clock"
export CHUNGTHU_NOW=@$T/clock
# more worker threads than cores, so that requests really overlap inside the server
start_server --threads 8 || exit 1
echo "$AFTER_PICKUP" > "$T/clock"
login_demo
: > "$T/clock"
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"

# ---- building blocks ----
SEQ=0
# new_dossier K: a received dossier of K applicants (the CA records it, direct channel) → $D
new_dossier() {
    SEQ=$((SEQ + 1))
    python3 - "$1" "$SEQ" > "$T/body.json" <<'PY'
import json, sys
k, seq = int(sys.argv[1]), int(sys.argv[2])
rows = "".join(f"{i},Nguyễn Văn An,01/02/1980,001080{seq:03d}{i:03d},01/01/2021,Cục Cảnh sát QLHC,"
               f"an.{seq}.{i}@x.gov.vn,Vụ Pháp chế,Hà Nội,Chuyên viên,Công chức,0912{seq:03d}{i:03d},\n"
               for i in range(1, k + 1))
print(json.dumps({"agency": "BKHCN.VPC", "channel": "direct",
                  "confirmed_by": "Phạm Thị Lan, Vụ trưởng", "csv": rows}))
PY
    D=
    [ "$(api canbo dossiers "$(cat "$T/body.json")")" = 201 ] && D=$(jfield '["code"]')
}
# step WHO ACTION [JSON]: one procedure step on $D → the status
step() { api "$1" "dossiers/$D/$2" "${3:-{\}}"; }
# issued_dossier: a dossier of one applicant, accepted, issued (certificate on hold) → $D, $S
issued_dossier() {
    new_dossier 1
    S=
    [ -n "$D" ] && [ "$(step canbo accept)" = 200 ] && [ "$(step canbo issue '{"applicant":1}')" = 200 ] &&
        S=$(q "select cert_serial from applicants where dossier='$D' and n=1")
    [ -n "$S" ]
}
# ready_to_publish: as issued_dossier, then carried to the point where publication is allowed
ready_to_publish() {
    issued_dossier && [ "$(step canbo notify-pickup "$PICKUP")" = 200 ] &&
        echo "$AFTER_PICKUP" > "$T/clock" &&
        [ "$(step canbo agency-received '{"applicant":1,"received_by":"Nguyễn Văn Nhận"}')" = 200 ] &&
        : > "$T/clock" &&
        [ "$(step canbo handed-over '{"applicant":1}')" = 200 ] &&
        [ "$(step canbo request-activation '{"applicant":1}')" = 200 ]
}
applicant_state() { q "select state from applicants where dossier='$D' and n=1"; }
cert_status() { q "select status || ':' || revocation_reason from certificates where serial='$1'"; }
audit_rows() { q "select count(*) from audit where action='$1' and object='$2'"; }
ok_count() { race_count '2[0-9][0-9]'; }
publish_req() { step canbo publish '{"applicant":1}'; }
# ocsp_verdict SERIAL: the server's OCSP answer for it, as openssl verifies and prints it
ocsp_verdict() {
    openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$1" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
    curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$BASE/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$CA/issuing.crt" -serial "0x$1" -CAfile "$T/chain.pem" 2>&1
}
# crl_entry SERIAL: the server's issuing CRL entry for it (serial line and the lines under it)
crl_entry() {
    curl -o "$T/issuing.crl" "$BASE/crl/issuing.crl"
    openssl crl -inform DER -in "$T/issuing.crl" -noout -text 2>&1 |
        awk -v s="$1" '/Serial Number:/ { on = index(toupper($0), s) > 0 } on'
}
# whole CASE: what must hold after every case, whatever won. Each check is against what the
# previous case left, so that a case is blamed only for what it broke itself.
W_ORPHANS=0 W_SHARED=0 W_TWICE= W_ENVELOPES=
whole() {
    local orphans shared twice envelopes
    revive "$1"
    orphans=$(q "select count(*) from certificates c where kind='subscriber' and not exists
                 (select 1 from applicants a where a.cert_serial = c.serial)")
    shared=$(q "select (select count(*) from (select cert_serial from applicants where cert_serial <> ''
                  group by cert_serial having count(*) > 1) as a)
              + (select count(*) from (select cert_serial from tokens where cert_serial <> ''
                  group by cert_serial having count(*) > 1) as t)")
    twice=$(q "select object from audit where action='token.provision' group by object having count(*) > 1")
    # tokens holding a certificate without an envelope (<), envelopes of no such token (>)
    envelopes=$(diff <(q "select serial from tokens where cert_serial <> '' order by serial") \
        <(find "$CHUNGTHU_HOME/envelopes" -name '*.txt' -printf '%f\n' | sed 's/\.txt$//' | sort) | grep '^[<>]')
    same "$1: no (new) subscriber certificate outside an applicant" "$W_ORPHANS" "$orphans"
    same "$1: no (new) certificate given to two applicants or two tokens" "$W_SHARED" "$shared"
    same "$1: no (new) token provisioned twice" "$W_TWICE" "$twice"
    same "$1: the PIN envelopes are those of the tokens holding a certificate" "$W_ENVELOPES" "$envelopes"
    W_ORPHANS=$orphans W_SHARED=$shared W_TWICE=$twice W_ENVELOPES=$envelopes
    check "$1: audit verify" ct audit verify
}

# ---- B: a certificate revoked while on hold is never published ----
if ready_to_publish; then pass; else fail "B: could not bring a dossier to activation"; fi
same "B: the certificate is on hold before publication" "hold:6" "$(cert_status "$S")"
same "B: revoke (keyCompromise) through the API" "200" "$(api canbo "certificates/$S/revoke" '{"reason":"keyCompromise"}')"
race $N publish_req
same "B: publish after revocation: none of $N succeeds ($(race_summary))" "0" "$(ok_count)"
same "B: ... each refused as a conflict" "$N" "$(race_count 409)"
same "B: the certificate is still revoked for keyCompromise (1)" "revoked:1" "$(cert_status "$S")"
same "B: the applicant is not published" "0" "$(audit_rows applicant.publish "$D#1")"
same "B: GET /certificates/{serial}" "200" "$(api canbo "certificates/$S")"
same "B: ... says revoked" "revoked" "$(jfield '["status"]')"
crl=$(crl_entry "$S")
contains "B: still on the CRL" "$S" "$crl"
contains "B: ... for Key Compromise" "Key Compromise" "$crl"
v=$(ocsp_verdict "$S")
contains "B: OCSP says revoked" "0x$S: revoked" "$v"
contains "B: ... for keyCompromise" "Reason: keyCompromise" "$v"
contains "B: ... verifiably" "Response verify OK" "$v"

# revoked from the command line (another process on the same database), then published
if ready_to_publish; then pass; else fail "B: could not bring a second dossier to activation"; fi
check "B: cert revoke from the command line" ct cert revoke "$S" --reason keyCompromise
race $N publish_req
same "B: publish after a command-line revocation: none succeeds ($(race_summary))" "0" "$(ok_count)"
same "B: the certificate is still revoked for keyCompromise" "revoked:1" "$(cert_status "$S")"
same "B: GET /certificates/{serial} says revoked" "revoked" "$(api canbo "certificates/$S" >/dev/null; jfield '["status"]')"
contains "B: OCSP (server) says revoked" "0x$S: revoked" "$(ocsp_verdict "$S")"
openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$S" -no_nonce -reqout "$T/cli.req" >/dev/null 2>&1
ct ocsp respond --in "$T/cli.req" --out "$T/cli.resp" >/dev/null 2>&1
contains "B: OCSP (command line) says keyCompromise" "Reason: keyCompromise" \
    "$(openssl ocsp -respin "$T/cli.resp" -issuer "$CA/issuing.crt" -serial "0x$S" -CAfile "$T/chain.pem" 2>&1)"
ct crl generate >/dev/null 2>&1 && ct crl show issuing --out "$T/cli.crl" >/dev/null 2>&1
contains "B: on the CRL for Key Compromise" "Key Compromise" \
    "$(openssl crl -inform DER -in "$T/cli.crl" -noout -text 2>&1 | awk -v s="$S" '/Serial Number:/ { on = index(toupper($0), s) > 0 } on')"

# revoke and publish together: whichever comes first, the certificate ends revoked
if ready_to_publish; then pass; else fail "B: could not bring a third dossier to activation"; fi
revoke_or_publish() {
    if [ $(($1 % 2)) = 1 ]; then api canbo "certificates/$S/revoke" '{"reason":"keyCompromise"}'; else publish_req; fi
    echo " $(($1 % 2))" # 1: a revocation, 0: a publication
}
race $N revoke_or_publish
same "B: revoke ∥ publish: exactly one revocation succeeds" "1" "$(grep -c '^2[0-9][0-9] 1$' "$T/race/codes")"
if [ "$(grep -c '^2[0-9][0-9] 0$' "$T/race/codes")" -le 1 ]; then pass; else fail "B: revoke ∥ publish: more than one publication succeeded ($(race_summary))"; fi
same "B: revoke ∥ publish: the certificate ends revoked for keyCompromise" "revoked:1" "$(cert_status "$S")"
contains "B: revoke ∥ publish: OCSP says revoked" "0x$S: revoked" "$(ocsp_verdict "$S")"
whole B

# ---- C: twenty `issue` for one applicant ----
new_dossier 1
same "C: accept" "200" "$(step canbo accept)"
certs_before=$(q "select count(*) from certificates where kind='subscriber'")
issue_req() { step canbo issue '{"applicant":1}'; }
race $N issue_req
same "C: exactly one issue succeeds ($(race_summary))" "1" "$(ok_count)"
same "C: the others are refused (4xx, not a server error)" "$((N - 1))" "$(race_count '4[0-9][0-9]')"
same "C: one new certificate" "$((certs_before + 1))" "$(q "select count(*) from certificates where kind='subscriber'")"
same "C: one provisioned token for the applicant" "1" "$(q "select count(*) from tokens where dossier='$D' and state='provisioned'")"
same "C: one token.provision audit row for the dossier" "1" \
    "$(q "select count(*) from audit where action='token.provision' and json_extract(detail, '$.dossier')='$D'")"
same "C: one applicant.issue audit row" "1" "$(audit_rows applicant.issue "$D#1")"
same "C: the applicant's certificate is the token's" \
    "$(q "select cert_serial || '/' || token_serial from applicants where dossier='$D' and n=1")" \
    "$(q "select cert_serial || '/' || serial from tokens where dossier='$D' and state='provisioned'")"
whole C

# ---- D: `cancel` and `publish` together; twenty `publish` ----
cancel_or_publish() {
    if [ $(($1 % 2)) = 1 ]; then step canbo cancel '{"applicant":1,"reason":"Chuyển công tác"}'; else publish_req; fi
}
for round in 1 2 3; do
    if ! ready_to_publish; then fail "D: round $round: could not bring a dossier to activation"; continue; fi
    race $N cancel_or_publish
    same "D: round $round: cancel ∥ publish: exactly one succeeds ($(race_summary))" "1" "$(ok_count)"
    same "D: round $round: the others are refused (4xx)" "$((N - 1))" "$(race_count '4[0-9][0-9]')"
    same "D: round $round: one step recorded" "1" "$(($(audit_rows applicant.publish "$D#1") + $(audit_rows applicant.cancel "$D#1")))"
    case "$(applicant_state)" in
    published) same "D: round $round: published ⇒ the certificate is active" "active" "$(cert_status "$S" | cut -d: -f1)" ;;
    cancelled) same "D: round $round: cancelled ⇒ the certificate is revoked" "revoked" "$(cert_status "$S" | cut -d: -f1)" ;;
    *) fail "D: round $round: the applicant ended $(applicant_state), neither published nor cancelled" ;;
    esac
done
if ready_to_publish; then pass; else fail "D: could not bring a second dossier to activation"; fi
race $N publish_req
same "D: exactly one of $N publications succeeds ($(race_summary))" "1" "$(ok_count)"
same "D: the others are refused (4xx)" "$((N - 1))" "$(race_count '4[0-9][0-9]')"
same "D: one applicant.publish audit row" "1" "$(audit_rows applicant.publish "$D#1")"
same "D: published, the certificate active" "published active" "$(applicant_state) $(cert_status "$S" | cut -d: -f1)"
whole D

# ---- drafts: the online channel ----
printf '%%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' > "$T/letter.pdf"
rows() { # rows K TAG → a Mẫu 02 list of K applicants as CSV
    for i in $(seq 1 "$1"); do
        printf '%s,Trần Thị Bình,03/04/1985,0011850%02d%03d,01/01/2021,Cục Cảnh sát QLHC,binh.%s.%s@x.gov.vn,Vụ Pháp chế,Hà Nội,Chuyên viên,Viên chức,09130%02d%03d,\n' \
            "$i" "$(($2 % 100))" "$i" "$2" "$i" "$(($2 % 100))" "$i"
    done
}
rows 1 1 > "$T/one.csv"
rows 3 2 > "$T/three.csv"
# new_draft: a draft of the clerk's agency with a one-applicant list and the letter → $R
new_draft() {
    R=
    [ "$(api vanthu drafts '{"title":"Đợt thử"}')" = 201 ] && R=$(jfield '["id"]') &&
        [ "$(curl -b "$T/vanthu.jar" -H 'Content-Type: text/csv' --data-binary @"$T/one.csv" -o /dev/null -w '%{http_code}' "$URL/drafts/$R/list")" = 200 ] &&
        [ "$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.pdf" -o /dev/null -w '%{http_code}' "$URL/drafts/$R/letter?name=cong-van.pdf")" = 200 ]
}
confirm_req() { api thutruong "drafts/$R/confirm" '{}'; }
submit_req() { api vanthu "drafts/$R/submit" '{}'; }
replace_list_req() { curl -b "$T/vanthu.jar" -H 'Content-Type: text/csv' --data-binary @"$T/three.csv" -o /dev/null -w '%{http_code}' "$URL/drafts/$R/list"; }

# ---- E: one confirmed draft submitted twenty times (five drafts) ----
for round in 1 2 3 4 5; do
    if ! new_draft; then fail "E: round $round: could not prepare a draft"; continue; fi
    same "E: round $round: the head confirms" "200" "$(confirm_req)"
    dossiers_before=$(q "select count(*) from dossiers")
    race $N submit_req
    same "E: round $round: exactly one submission succeeds ($(race_summary))" "1" "$(race_count 201)"
    same "E: round $round: the others are refused (4xx)" "$((N - 1))" "$(race_count '4[0-9][0-9]')"
    same "E: round $round: one new dossier" "$((dossiers_before + 1))" "$(q "select count(*) from dossiers")"
    same "E: round $round: one draft.submit audit row" "1" "$(audit_rows draft.submit "draft:$R")"
    same "E: round $round: one dossier.submit audit row since the confirmation" "1" \
        "$(q "select count(*) from audit where action='dossier.submit' and id > (select max(id) from audit where action='draft.confirm' and object='draft:$R')")"
    same "E: round $round: the draft names the one dossier" "submitted 1" \
        "$(q "select state || ' ' || (select count(*) from dossiers where code = drafts.dossier) from drafts where id=$R")"
done
whole E

# ---- F: the head confirms while the clerk replaces the list ----
# In each round one replacement (three applicants for the one) meets confirmations sent with
# it, so that some of them read the draft while the replacement is being written. If the draft
# ends confirmed, what is submitted must be what the last confirmation recorded.
confirm_or_replace() { if [ "$1" = 1 ]; then replace_list_req; else confirm_req; fi; }
violations=0
confirmed_rounds=0
for round in $(seq 1 20); do
    if ! new_draft; then fail "F: round $round: could not prepare a draft"; continue; fi
    race $N confirm_or_replace
    [ "$(q "select state from drafts where id=$R")" = confirmed ] || continue
    confirmed_rounds=$((confirmed_rounds + 1))
    seen=$(q "select json_extract(detail, '$.applicants') from audit where action='draft.confirm' and object='draft:$R' order by id desc limit 1")
    if [ "$(submit_req)" != 201 ]; then
        fail "F: round $round: the confirmed draft could not be submitted: $(cat "$T/last")"
        continue
    fi
    got=$(q "select count(*) from applicants where dossier=(select dossier from drafts where id=$R)")
    if [ "$got" != "$seen" ]; then
        violations=$((violations + 1))
        echo "F: round $round: the head confirmed $seen applicant(s), the dossier holds $got" >&2
    fi
done
echo "F: $confirmed_rounds of 20 rounds ended confirmed"
if [ "$confirmed_rounds" -gt 0 ]; then pass; else fail "F: no round ended confirmed: nothing was checked"; fi
same "F: every submitted dossier is the list its head confirmed" "0" "$violations"
whole F

# ---- G: the agency withdraws while the CA issues ----
for round in 1 2 3 4 5; do
    new_dossier 1
    if [ "$(step canbo accept)" != 200 ]; then fail "G: round $round: accept"; continue; fi
    withdraw_or_issue() {
        if [ $(($1 % 2)) = 1 ]; then step vanthu withdraw; else step canbo issue '{"applicant":1}'; fi
        echo " $(($1 % 2))" # 1: a withdrawal, 0: an issue
    }
    race $N withdraw_or_issue
    same "G: round $round: exactly one of withdraw ∥ issue succeeds ($(race_summary))" "1" "$(race_count '2[0-9][0-9] [01]')"
    same "G: round $round: the others are refused (4xx)" "$((N - 1))" "$(race_count '4[0-9][0-9] [01]')"
    state=$(q "select state from dossiers where code='$D'")
    if [ "$state" = withdrawn ]; then
        same "G: round $round: withdrawn ⇒ no token holds a certificate for it" "0" "$(q "select count(*) from tokens where dossier='$D' and cert_serial <> ''")"
        same "G: round $round: withdrawn ⇒ no certificate for its applicant, withdrawn with the dossier" ":withdrawn" \
            "$(q "select cert_serial || ':' || state from applicants where dossier='$D'")"
        same "G: round $round: withdrawn ⇒ no issue succeeded" "0" "$(race_count '2[0-9][0-9] 0')"
    else
        same "G: round $round: issued ⇒ the dossier is still accepted" "accepted" "$state"
        same "G: round $round: issued ⇒ every withdrawal refused as a conflict" "$((N / 2))" "$(race_count '409 1')"
        same "G: round $round: issued ⇒ no withdrawal recorded" "0" "$(audit_rows dossier.withdraw "$D")"
        same "G: round $round: issued ⇒ one token for it" "1" "$(q "select count(*) from tokens where dossier='$D' and cert_serial <> ''")"
    fi
done
whole G

stop_server
finish

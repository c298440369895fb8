# token_kinds.sh — token care as dossier kinds, on real SoftHSM2 tokens after the whole procedure:
# the agency asks (API online, or the CA records it from paper with the command line), the CA
# receives it with a receipt and a due time of its kind, accepts it, and one officer's step per
# token carries it out through token care. A PIN reset after which the old PIN fails and the new
# one signs (pkcs11-tool; the signature verified by openssl against the certificate); a lost
# token (twenty steps at once: one revocation keyCompromise) and a broken one
# (cessationOfOperation), with OCSP asked by openssl before and after; the error paths (another
# agency's certificate, a token or certificate in a state that does not fit, at intake and at
# the step) changing nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
MODULE=/usr/lib/softhsm/libsofthsm2.so
N=20

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
# notices are queued (their delivery, to a port nobody listens on, is not this test's)
sed -i 's|^smtp_url *=.*|smtp_url = smtp://127.0.0.1:9|' "$CHUNGTHU_HOME/chungthu.ini"
check "the whole procedure: three tokens with their holders" ct demo
check "another agency" ct agency add --code BYT --name "Bộ Y tế" --province "Hà Nội" --head-name "A" --head-title "Bộ trưởng" --kind state
printf 'mật khẩu của bộ y tế\n' | "$CHUNGTHU" user add --username vanthu.byt --role agency_clerk --agency BYT >/dev/null
export SOFTHSM2_CONF=$CHUNGTHU_HOME/tokens/softhsm2.conf
CA=$CHUNGTHU_HOME/ca
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
ct token list --state with_subscriber --json > "$T/tokens.json"
nth() { python3 -c 'import json,sys; t=sorted(json.load(open(sys.argv[1])), key=lambda t: t["applicant"]); print(t[int(sys.argv[2])][sys.argv[3]])' "$T/tokens.json" "$1" "$2"; }
A=$(nth 0 serial); A_CERT=$(nth 0 cert_serial); A_LABEL=$(nth 0 label)
B=$(nth 1 serial); B_CERT=$(nth 1 cert_serial)
C=$(nth 2 serial); C_CERT=$(nth 2 cert_serial)
AGENCY=$(q "select agency from dossiers where code='$(nth 0 dossier)'")
CONFIRM="$(q "select head_name || ', ' || head_title from agencies where code='$AGENCY'")"
start_server || exit 1
login_demo
curl -c "$T/vanthu.byt.jar" -H 'Content-Type: application/json' -o /dev/null \
    -d '{"username":"vanthu.byt","password":"mật khẩu của bộ y tế"}' "$URL/session"

token_state() { q "select state from tokens where serial='$1'"; }
cert_status() { q "select status || ':' || revocation_reason from certificates where serial='$1'"; }
audits() { q "select count(*) from audit where action='$1' and object='$2'"; }
dossiers() { q "select count(*) from dossiers"; }
ocsp() {
    openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$1" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
    curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$BASE/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$CA/issuing.crt" -serial "0x$1" -CAfile "$T/chain.pem" 2>&1
}
# a change made by another process (the command line) reaches the server's answers in a bound
ocsp_until() {
    for _ in $(seq 1 100); do ocsp "$1" | grep -q "$2" && return 0; sleep 0.1; done
    return 1
}
p11() { pkcs11-tool --module "$MODULE" --token-label "$A_LABEL" "$@"; }
pin_of() { sed -n 's/^MÃ PIN \/ USER PIN: *//p' "$CHUNGTHU_HOME/envelopes/$1.txt"; }
request() { # KIND CERT [--reason TEXT]: recorded from paper by the officer
    local kind=$1 cert=$2
    shift 2
    ct dossier request --agency "$AGENCY" --channel direct --confirmed-by "$CONFIRM" --kind "$kind" --cert "$cert" "$@" --json
}
online() { # WHO KIND CERT [REASON] → status; the answer in $T/last
    api "$1" dossiers "{\"kind\":\"$2\",\"agency\":\"$AGENCY\",\"channel\":\"online\",\"confirmed_by\":\"$CONFIRM\",\"certificates\":[\"$3\"]${4:+,\"reason\":\"$4\"}}"
}
snapshot() {
    q "select serial || state || note from tokens order by serial"
    q "select serial || status || revoked_at from certificates order by serial"
    q "select count(*) from dossiers"
    q "select count(*) from audit"
}

# ---- a PIN reset asked online by the agency, carried out by the officer ----
old_pin=$(pin_of "$A")
same "the first envelope holds an 8-digit PIN" "8" "${#old_pin}"
ids=$(p11 --login --pin "$old_pin" --list-objects --type privkey 2>/dev/null | sed -n 's/^ *ID: *//p')
same "the subscriber's key is on the token" "1" "$(printf '%s\n' "$ids" | grep -c .)"
contains "OCSP before: good" "0x$A_CERT: good" "$(ocsp "$A_CERT")"
snapshot > "$T/before"
same "another agency's clerk may not name the certificate" "403" "$(api vanthu.byt dossiers "{\"kind\":\"pin_reset\",\"agency\":\"BYT\",\"channel\":\"online\",\"confirmed_by\":\"A, Bộ trưởng\",\"certificates\":[\"$A_CERT\"]}")"
same "... request.foreign_cert" "request.foreign_cert" "$(jfield '["code"]')"
same "a kind that is not one" "400" "$(online vanthu pin-reset "$A_CERT")"
same "... request.kind, listing the kinds" "request.kind|True" "$(jfield '["code"]')|$(jfield '["message_en"].endswith("pin_reset, token_lost or token_broken")')"
same "a lost token without a reason" "400" "$(online vanthu token_lost "$B_CERT")"
same "... request.reason_missing" "request.reason_missing" "$(jfield '["code"]')"
same "a reason with control characters" "400" "$(online vanthu token_broken "$B_CERT" 'a\u0007b')"
snapshot > "$T/after"
same "the refusals changed nothing" "" "$(diff "$T/before" "$T/after")"

same "the clerk asks for a PIN reset" "201" "$(online vanthu pin_reset "$A_CERT")"
PR=$(jfield '["code"]')
last() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/last" "$1"; }
same "its kind, in Vietnamese" "pin_reset|Đặt lại mã PIN" "$(last 'd["kind"] + "|" + d["kind_label"]["vi"]')"
same "due in [deadlines] pin_reset_days (1) working day" "$(ct calendar add-working-days "$(q "select counted_from from dossiers where code='$PR'")" 1)" "$(date -u -d "$(jfield '["due_step2"]')" +%F)"
same "the applicant names the certificate and its token" "$A_CERT|$A|pending" "$(q "select previous_serial || '|' || token_serial || '|' || state from applicants where dossier='$PR'")"
ct dossier receipt "$PR" > "$T/slip.txt"
contains "the receipt names the kind" "Đặt lại mã PIN" "$(cat "$T/slip.txt")"
same "in the clerk's list" "pin_reset" "$(curl -b "$T/vanthu.jar" "$URL/dossiers" | python3 -c "import json,sys; print([d['kind'] for d in json.load(sys.stdin) if d['code']=='$PR'][0])")"
same "reset before acceptance is refused" "409" "$(api canbo "dossiers/$PR/reset-pin" '{"applicant":1}')"
same "the officer accepts" "200" "$(api canbo "dossiers/$PR/accept" '{}')"
same "the officer is offered refuse and reset-pin" "refuse,reset-pin" "$(last '",".join(x["name"] for x in d["applicants"][0]["actions"])')"
same "a suspension is not this kind's step" "409" "$(api canbo "dossiers/$PR/suspend" '{"applicant":1}')"
same "the clerk may not reset the PIN" "403" "$(api vanthu "dossiers/$PR/reset-pin" '{"applicant":1}')"
same "the officer resets it" "200" "$(api canbo "dossiers/$PR/reset-pin" '{"applicant":1}')"
same "the applicant done" "done|Đã thực hiện" "$(last 'd["applicants"][0]["state"] + "|" + d["applicants"][0]["state_label"]["vi"]')"
same "the dossier completed" "completed" "$(q "select state from dossiers where code='$PR'")"
same "the step audited once" "1" "$(audits applicant.reset-pin "$PR#1")"
same "... and the token's reset once" "1" "$(audits token.reset_pin "$A")"
same "the token stays with its holder" "with_subscriber" "$(token_state "$A")"
new_pin=$(pin_of "$A")
same "the new PIN has 8 digits" "8" "${#new_pin}"
[ "$new_pin" != "$old_pin" ] && pass || fail "the new PIN is the old one"
contains "the new envelope says it is a reset" "ĐẶT LẠI MÃ PIN" "$(cat "$CHUNGTHU_HOME/envelopes/$A.txt")"
if q "select detail from audit" | grep -q "$new_pin"; then fail "the new PIN is in the audit trail"; else pass; fi
if p11 --login --pin "$old_pin" --list-objects >"$T/old.out" 2>&1; then fail "the old PIN still opens the token"; else pass; fi
contains "the old PIN fails" "CKR_PIN_INCORRECT" "$(cat "$T/old.out")"
printf 'quyết định số 16/2026/QĐ' > "$T/msg"
check "the new PIN signs on the token" p11 --login --pin "$new_pin" --sign --id "$ids" -m SHA256-RSA-PKCS -i "$T/msg" -o "$T/msg.sig"
ct cert show "$A_CERT" --pem | openssl x509 -pubkey -noout > "$T/a.pub"
check "openssl verifies the signature against the certificate" openssl dgst -sha256 -verify "$T/a.pub" -signature "$T/msg.sig" "$T/msg"
contains "OCSP after: still good" "0x$A_CERT: good" "$(ocsp "$A_CERT")"
same "a second reset: refused, the applicant is done" "409" "$(api canbo "dossiers/$PR/reset-pin" '{"applicant":1}')"
idn=$(q "select id_number from applicants where dossier='$PR' and n=1")
same "the subscriber's lookup names the kind" "Đặt lại mã PIN|done" "$(curl "$URL/lookup?code=$PR&id_number=$idn" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["kind_label"]["vi"] + "|" + d["state"])')"

# ---- the same from paper, on the command line ----
check "a PIN reset recorded from paper" request pin_reset "$A_CERT"
P1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/out")
same "its kind" "pin_reset|Đặt lại mã PIN" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["kind"] + "|" + d["kind_label"]["vi"])' "$T/out")"
check "accept" ct dossier accept "$P1"
check "reset-pin (the command line)" ct dossier reset-pin "$P1" --applicant 1
same "done, completed" "done|completed" "$(q "select a.state || '|' || d.state from applicants a join dossiers d on d.code = a.dossier where d.code='$P1'")"
third_pin=$(pin_of "$A")
[ "$third_pin" != "$new_pin" ] && pass || fail "the PIN did not change"
if p11 --login --pin "$new_pin" --list-objects >/dev/null 2>&1; then fail "the previous PIN still opens the token"; else pass; fi
check "the newest PIN signs" p11 --login --pin "$third_pin" --sign --id "$ids" -m SHA256-RSA-PKCS -i "$T/msg" -o "$T/msg2.sig"
check "... verified against the certificate" openssl dgst -sha256 -verify "$T/a.pub" -signature "$T/msg2.sig" "$T/msg"
same "two resets audited on the token" "2" "$(audits token.reset_pin "$A")"

# ---- a lost token: recorded from paper, twenty revocations at once, one effect ----
contains "OCSP before: good" "0x$B_CERT: good" "$(ocsp "$B_CERT")"
check "the loss recorded" request token_lost "$B_CERT" --reason "mất trên xe buýt ngày 01/12"
TL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/out")
same "kind and due time" "Báo mất thiết bị|$(ct calendar add-working-days "$(q "select counted_from from dossiers where code='$TL'")" 1)" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["kind_label"]["vi"])' "$T/out")|$(date -u -d "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["due_step2"])' "$T/out")" +%F)"
same "the circumstances kept with the applicant" "mất trên xe buýt ngày 01/12" "$(q "select reason from applicants where dossier='$TL'")"
check "accept" ct dossier accept "$TL"
step_lost() { api canbo "dossiers/$TL/revoke" '{"applicant":1}'; }
race $N step_lost
same "one of $N is carried out" "1" "$(race_count 200)"
same "the others: 409" "$((N - 1))" "$(race_count 409)"
same "the token is lost" "lost" "$(token_state "$B")"
same "its certificate revoked keyCompromise (1)" "revoked:1" "$(cert_status "$B_CERT")"
same "one step audited" "1" "$(audits applicant.revoke "$TL#1")"
same "one token.lost row, with the agency's reason" "1|mất trên xe buýt ngày 01/12" "$(q "select count(*) || '|' || max(json_extract(detail, '$.reason')) from audit where action='token.lost' and object='$B'")"
same "one revocation" "1" "$(audits cert.revoke "$B_CERT")"
same "the dossier completed" "completed|done" "$(q "select d.state || '|' || a.state from dossiers d join applicants a on a.dossier = d.code where d.code='$TL'")"
ocsp_until "$B_CERT" "Reason: keyCompromise" && pass || fail "OCSP does not say keyCompromise: $(ocsp "$B_CERT")"
contains "OCSP after: revoked" "0x$B_CERT: revoked" "$(ocsp "$B_CERT")"

# ---- a broken token: asked online, carried out from the command line ----
contains "OCSP before: good" "0x$C_CERT: good" "$(ocsp "$C_CERT")"
same "the clerk reports it broken" "201" "$(online vanthu token_broken "$C_CERT" "không nhận trên máy tính")"
TB=$(jfield '["code"]')
check "accept" ct dossier accept "$TB"
refuse "reset-pin is not this kind's step" procedure.wrong_state ct dossier reset-pin "$TB" --applicant 1
contains "... naming what is allowed" "allowed: refuse, revoke" "$(cat "$T/err")"
check "revoke (the command line)" ct dossier revoke "$TB"
same "the token is damaged" "damaged" "$(token_state "$C")"
same "its certificate revoked cessationOfOperation (5)" "revoked:5" "$(cert_status "$C_CERT")"
same "one token.broken row" "1" "$(audits token.broken "$C")"
same "the subscriber and the agency told of the revocation" "1" "$(q "select count(*) from outbox where kind='revoked' and ref='$C_CERT'")"
ocsp_until "$C_CERT" "Reason: cessationOfOperation" && pass || fail "OCSP does not say cessationOfOperation: $(ocsp "$C_CERT")"

# ---- states that do not fit: refused at intake, and at the step, changing nothing ----
snapshot > "$T/before"
refuse "a PIN reset for a revoked certificate" request.cert_state request pin_reset "$C_CERT"
refuse "a loss of a damaged token" token.custody request token_lost "$C_CERT" --reason "mất"
refuse "a broken report of a lost token" token.custody request token_broken "$B_CERT"
refuse "a reason over 300 characters" text.too_long request token_lost "$A_CERT" --reason "$(head -c 400 /dev/zero | tr '\0' x)"
snapshot > "$T/after"
same "the refusals changed nothing" "" "$(diff "$T/before" "$T/after")"
# the token moves between the request and the step: the step is refused, nothing changes
check "another PIN reset asked" request pin_reset "$A_CERT"
P2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/out")
check "accept" ct dossier accept "$P2"
check "meanwhile the token is reported lost" ct token lost "$A" --reason "mất khi đi công tác"
sha256sum "$CHUNGTHU_HOME/envelopes/$A.txt" > "$T/env.sum"
snapshot > "$T/before"
refuse "the reset is refused by the token's custody" token.custody ct dossier reset-pin "$P2" --applicant 1
snapshot > "$T/after"
same "nothing changed" "" "$(diff "$T/before" "$T/after")"
same "the applicant still pending" "pending" "$(q "select state from applicants where dossier='$P2'")"
same "the envelope untouched" "$(cat "$T/env.sum")" "$(sha256sum "$CHUNGTHU_HOME/envelopes/$A.txt")"
check "the officer refuses it, saying why" ct dossier refuse "$P2" --applicant 1 --reason "Thiết bị đã báo mất"
same "the dossier completed" "completed" "$(q "select state from dossiers where code='$P2'")"

check "audit chain intact" ct audit verify
stop_server
finish

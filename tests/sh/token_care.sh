# token_care.sh — token care on real SoftHSM2 tokens after the whole procedure: a PIN reset
# after which the old PIN fails and the new one signs (OpenSC's pkcs11-tool, the signature
# verified by openssl against the certificate); a lost token (twenty reports at once: one
# revocation keyCompromise, one audit row), a broken one (cessationOfOperation), one returned
# and destroyed (wiped on the device), with OCSP asked by openssl before and after; the error
# paths (unknown serial, wrong state, wrong role, another agency's token) changing nothing; a
# revocation moving its token; and the store refusing a move the custody table has no row for.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
MODULE=/usr/lib/softhsm/libsofthsm2.so
N=20

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
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
same "three tokens with their holders" "3" "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/tokens.json")"
start_server || exit 1
login_demo
curl -c "$T/vanthu.byt.jar" -H 'Content-Type: application/json' -o /dev/null \
    -d '{"username":"vanthu.byt","password":"mật khẩu của bộ y tế"}' "$URL/session"

token_state() { q "select state from tokens where serial='$1'"; }
cert_status() { q "select status || ':' || revocation_reason from certificates where serial='$1'"; }
audits() { q "select count(*) from audit where action='$1' and object='$2'"; }
# OCSP as a relying party asks it (openssl ocsp against the server's responder)
ocsp() {
    openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$1" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
    curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$BASE/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$CA/issuing.crt" -serial "0x$1" -CAfile "$T/chain.pem" 2>&1
}
# ocsp_until SERIAL TEXT: a change made by another process (the command line) reaches the
# server's pre-signed answers within a bounded wait
ocsp_until() {
    for _ in $(seq 1 100); do ocsp "$1" | grep -q "$2" && return 0; sleep 0.1; done
    return 1
}
p11() { pkcs11-tool --module "$MODULE" --token-label "$A_LABEL" "$@"; }

# ---- a PIN reset: the old PIN fails, the new one signs ----
old_pin=$(sed -n 's/^MÃ PIN \/ USER PIN: *//p' "$CHUNGTHU_HOME/envelopes/$A.txt")
same "the first envelope holds an 8-digit PIN" "8" "${#old_pin}"
check "the first envelope printed (the PIN is kept nowhere else)" ct token envelope "$A" --output "$T/first.html"
ids=$(p11 --login --pin "$old_pin" --list-objects --type privkey 2>/dev/null | sed -n 's/^ *ID: *//p')
same "the subscriber's key is on the token" "1" "$(printf '%s\n' "$ids" | grep -c .)"
# SoftHSM2 keeps no count of failed logins: ten wrong PINs do not lock it (a hardware token
# would, and the reset below unblocks it the same way, C_InitPIN by the SO); here the PIN is
# simply unknown, as when the holder forgot it
for _ in $(seq 1 10); do p11 --login --pin 00000000 --list-objects >/dev/null 2>&1; done
contains "a wrong PIN is refused" "CKR_PIN_INCORRECT" "$(p11 --login --pin 00000000 --list-objects 2>&1)"
flags=$(pkcs11-tool --module "$MODULE" --list-token-slots 2>&1 | grep -A10 "$A_LABEL" | grep 'token flags')
if printf '%s' "$flags" | grep -q 'locked'; then fail "SoftHSM2 locked the PIN: $flags"; else pass; fi
same "the agency clerk may not reset a PIN" "403" "$(api vanthu "tokens/$A/reset-pin" '{}')"
same "the officer resets the PIN" "200" "$(api canbo "tokens/$A/reset-pin" '{"reason":"quên mã PIN"}')"
same "the token stays with its holder" "with_subscriber" "$(jfield '["state"]')"
same "a new envelope waits" "True" "$(jfield '["envelope_waiting"]')"
same "the reset is audited once" "1" "$(audits token.reset_pin "$A")"
same "the certificate is untouched" "active:-1" "$(cert_status "$A_CERT")"
curl -b "$T/canbo.jar" -H "Origin: $BASE" -X POST -o "$T/second.html" "$URL/tokens/$A/envelope"
contains "the new envelope is the paper envelope" "PHONG BÌ MÃ PIN" "$(cat "$T/second.html")"
new_pin=$(sed -n 's/.*Mã PIN: \([0-9]*\).*/\1/p' "$T/second.html" | head -1)
same "the new PIN has 8 digits" "8" "${#new_pin}"
[ "$new_pin" != "$old_pin" ] && pass || fail "the new PIN is the old one"
if q "select detail from audit" | grep -q "$new_pin"; then fail "the new PIN is in the audit trail"; else pass; fi
if p11 --login --pin "$old_pin" --list-objects >"$T/old.out" 2>&1; then fail "the old PIN still opens the token"; else pass; fi
contains "the old PIN fails" "CKR_PIN_INCORRECT" "$(cat "$T/old.out")"
printf 'quyết định số 15/2026/QĐ' > "$T/msg"
check "the new PIN signs on the token" p11 --login --pin "$new_pin" --sign --id "$ids" -m SHA256-RSA-PKCS -i "$T/msg" -o "$T/msg.sig"
ct cert show "$A_CERT" --pem | openssl x509 -pubkey -noout > "$T/a.pub"
check "openssl verifies the signature against the certificate" openssl dgst -sha256 -verify "$T/a.pub" -signature "$T/msg.sig" "$T/msg"

# ---- error paths: a clear error, nothing changed ----
snapshot() {
    q "select serial || state || note from tokens order by serial"
    q "select serial || status || revoked_at from certificates order by serial"
    q "select count(*) from audit"
}
snapshot > "$T/before"
same "an unknown serial" "404" "$(api canbo tokens/NOSUCH/lost '{"reason":"x"}')"
same "... named" "token.not_found" "$(jfield '["code"]')"
same "destroy a token its holder has" "409" "$(api canbo "tokens/$A/destroy" '{}')"
same "... token.custody" "token.custody" "$(jfield '["code"]')"
contains "... naming the state and what is allowed" 'the token is \"with_subscriber\": \"destroy\" is not allowed (allowed: reset-pin, lost, broken, returned)' "$(cat "$T/last")"
same "the auditor may not report a loss" "403" "$(api kiemtoan "tokens/$B/lost" '{"reason":"x"}')"
same "nor the agency head" "403" "$(api thutruong "tokens/$B/lost" '{"reason":"x"}')"
same "the clerk may not report it broken" "403" "$(api vanthu "tokens/$B/broken" '{}')"
same "another agency's clerk: as if it did not exist" "404" "$(api vanthu.byt "tokens/$B/lost" '{"reason":"x"}')"
same "a loss without a reason" "400" "$(api vanthu "tokens/$B/lost" '{}')"
same "... token.reason_missing" "token.reason_missing" "$(jfield '["code"]')"
same "a reason with control characters" "400" "$(api vanthu "tokens/$B/lost" '{"reason":"a\u0007b"}')"
refuse "the command line: wrong state" token.custody ct token destroy "$B"
refuse "the command line: unknown serial" token.not_found ct token returned NOSUCH
snapshot > "$T/after"
same "tokens, certificates and audit trail unchanged by the refusals" "" "$(diff "$T/before" "$T/after")"

# ---- a lost token: twenty reports at once, one revocation ----
contains "OCSP before: good" "0x$B_CERT: good" "$(ocsp "$B_CERT")"
report_lost() { api vanthu "tokens/$B/lost" '{"reason":"mất trên xe buýt ngày 01/12"}'; }
race $N report_lost
same "one of $N is recorded" "1" "$(race_count 200)"
same "the others: 409" "$((N - 1))" "$(race_count 409)"
contains "... token.custody" "token.custody" "$(cat "$T"/race/body.* | sort -u)"
same "the token is lost" "lost" "$(token_state "$B")"
same "its certificate revoked keyCompromise (1)" "revoked:1" "$(cert_status "$B_CERT")"
same "one token.lost audit row" "1" "$(audits token.lost "$B")"
same "one revocation" "1" "$(audits cert.revoke "$B_CERT")"
ocsp "$B_CERT" > "$T/ocsp.b"
contains "OCSP after: revoked" "0x$B_CERT: revoked" "$(cat "$T/ocsp.b")"
contains "... keyCompromise" "Reason: keyCompromise" "$(cat "$T/ocsp.b")"

# ---- a broken token (command line): cessationOfOperation ----
contains "OCSP before: good" "0x$C_CERT: good" "$(ocsp "$C_CERT")"
check "broken" ct token broken "$C" --reason "không nhận trên máy tính"
same "the token is damaged" "damaged" "$(token_state "$C")"
same "its certificate revoked cessationOfOperation (5)" "revoked:5" "$(cert_status "$C_CERT")"
ocsp_until "$C_CERT" "Reason: cessationOfOperation" && pass || fail "OCSP does not say cessationOfOperation: $(ocsp "$C_CERT")"

# ---- returned and destroyed ----
check "returned" ct token returned "$A" --json
same "back at the CA" "returned" "$(token_state "$A")"
same "its active certificate revoked cessationOfOperation first" "revoked:5" "$(cert_status "$A_CERT")"
ocsp_until "$A_CERT" "0x$A_CERT: revoked" && pass || fail "OCSP does not say revoked: $(ocsp "$A_CERT")"
same "the officer destroys it" "200" "$(api canbo "tokens/$A/destroy" '{"reason":"biên bản hủy số 3"}')"
same "destroyed" "destroyed" "$(jfield '["state"]')"
same "nothing more may be done with it" "[]" "$(jfield '["actions"]')"
same "the device was wiped" "1" "$(q "select json_extract(detail, '$.wiped') from audit where action='token.destroy' and object='$A'")"
if pkcs11-tool --module "$MODULE" --list-token-slots 2>&1 | grep -q "$A_LABEL"; then fail "the destroyed token still holds its label"; else pass; fi
same "destroy again: the state is final" "409" "$(api canbo "tokens/$A/destroy" '{}')"
# a lost token found again is destroyed; a broken one whose device is gone is recorded so
same "the lost one, found, destroyed" "200" "$(api canbo "tokens/$B/destroy" '{}')"
for d in "$CHUNGTHU_HOME"/tokens/store/*/; do
    if grep -qa "$C" "$d"/token.object 2>/dev/null; then rm -rf "$d"; fi
done
check "the broken one destroyed, its device gone" ct token destroy "$C"
same "... recorded as not wiped" "0" "$(q "select json_extract(detail, '$.wiped') from audit where action='token.destroy' and object='$C'")"

# ---- a revocation moves the token; the replacement is a new token ----
check "stock one" ct token stock --count 1
check "provision one outside a dossier" ct token provision --name "Đỗ Thị Hồng" --email hong.dt@mic.gov.vn --province "Huế" --org "Bộ Khoa học và Công nghệ" --json
D=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token_serial"])' "$T/out")
D_CERT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cert_serial"])' "$T/out")
same "provisioned" "provisioned" "$(token_state "$D")"
check "revoke its certificate" ct cert revoke "$D_CERT" --reason superseded
same "the token follows: revoked, still to come back" "revoked" "$(token_state "$D")"
same "... audited" "1" "$(audits token.cert_revoked "$D")"
check "a token whose certificate is revoked may still be lost" ct token lost "$D" --reason "mất"
same "no second revocation" "1" "$(audits cert.revoke "$D_CERT")"
same "its first reason stays" "revoked:4" "$(cert_status "$D_CERT")"

# ---- the store refuses a move the custody table has no row for ----
if q "update tokens set state='blank' where serial='$A'" 2>"$T/sql.err"; then fail "destroyed → blank accepted by the database"; else pass; fi
contains "... by the custody trigger" "token.custody" "$(cat "$T/sql.err")"
same "still destroyed" "destroyed" "$(token_state "$A")"
check "audit chain intact" ct audit verify
stop_server
finish

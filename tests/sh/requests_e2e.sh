# requests_e2e.sh — an agency's requests about issued certificates through the portal, in headless
# Chromium (tests/e2e/requests.mjs), on real SoftHSM2 tokens: the clerk asks for a suspension, a
# resumption, a revocation, a renewal, a change of details, a PIN reset, a lost token and a
# broken one from the form; the CA officer accepts each and takes its step from the dossier page;
# OCSP (openssl ocsp, verified against the issuer) is asked before and after each. Two lists of
# three certificates of the demo agency are published first from the command line, as
# lifecycle.sh does; after the browser, the tokens' states, the OCSP answers and, for the PIN
# reset, the token itself (pkcs11-tool: the old PIN fails, the new envelope's opens it) are
# checked here. REQUESTS_SCREENSHOTS=DIR saves the screenshots there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../e2e/run.sh"
CA=$CHUNGTHU_HOME/ca
AGENCY=BKHCN.VPC # the demo clerk's agency
q() { sqlite3 "$CHUNGTHU_HOME/chungthu.db" "$1"; }
utc() { date -u -d "$1" +%s; }
# certificates of 300 days, all inside a renewal window of 400: each may be renewed
sed -i 's|^default_days *=.*|default_days = 300|; s|^renewal_window_days *=.*|renewal_window_days = 400|' "$CHUNGTHU_HOME/chungthu.ini"
contains "renewal window widened" "renewal_window_days = 400" "$(cat "$CHUNGTHU_HOME/chungthu.ini")"
check "token stock" ct token stock --count 9

# The sample list of three taken through the whole procedure, twice (the first three for the
# requests about certificates, the second for token care): their certificates published (the
# agency's steps at the pickup time, two working days ahead).
today=$(date -u -d '+7 hours' +%F)
pickup_day=$(ct calendar add-working-days "$today" 2)
publish_list() { # → the dossier's code in $code
    code=$(ct dossier submit --agency "$AGENCY" --channel direct --file "$CT_SRC/data/samples/mau02.csv" \
        --confirmed-by "Phạm Thị Lan, Vụ trưởng" | sed -n 's/^Mã hồ sơ (Dossier code): //p')
    contains "a dossier of three" "-" "$code"
    check "accepted" ct dossier accept "$code"
    check "issued on tokens" ct dossier issue "$code"
    check "pickup notified" ct dossier notify-pickup "$code" --at "$pickup_day 09:00" --place "Phòng 203"
    check "published" env CHUNGTHU_NOW="$(utc "$pickup_day 10:00 +07")" sh -c '
        "$0" dossier agency-received "$1" --by "Nguyễn Văn Nhận" && "$0" dossier handed-over "$1" &&
        "$0" dossier request-activation "$1" && "$0" dossier publish "$1"' "$CHUNGTHU" "$code"
}
cert_of() { q "select cert_serial from applicants where dossier='$1' and n=$2"; }
token_of() { q "select token_serial from applicants where dossier='$1' and n=$2"; }
publish_list
S1=$(cert_of "$code" 1) S2=$(cert_of "$code" 2) S3=$(cert_of "$code" 3)
publish_list
T1=$(cert_of "$code" 1) T2=$(cert_of "$code" 2) T3=$(cert_of "$code" 3)
K1=$(token_of "$code" 1) K2=$(token_of "$code" 2) K3=$(token_of "$code" 3)
same "six active certificates" "active active active active active active" \
    "$(for s in $S1 $S2 $S3 $T1 $T2 $T3; do q "select status from certificates where serial='$s'"; done | paste -sd ' ')"
same "their tokens with their holders" "with_subscriber with_subscriber with_subscriber" \
    "$(for k in $K1 $K2 $K3; do q "select state from tokens where serial='$k'"; done | paste -sd ' ')"

# the PIN of the first token of the second list, before its reset in the browser
export SOFTHSM2_CONF=$CHUNGTHU_HOME/tokens/softhsm2.conf
MODULE=/usr/lib/softhsm/libsofthsm2.so
LABEL1=$(q "select label from tokens where serial='$K1'")
pin_of() { sed -n 's/^MÃ PIN \/ USER PIN: *//p' "$CHUNGTHU_HOME/envelopes/$1.txt"; }
p11() { pkcs11-tool --module "$MODULE" --token-label "$LABEL1" --login --pin "$1" --list-objects --type privkey; }
old_pin=$(pin_of "$K1")
same "the first envelope holds an 8-digit PIN" "8" "${#old_pin}"
check "... which opens the token" p11 "$old_pin"

# The server's clock is a file the browser test moves (CHUNGTHU_NOW=@FILE) for the renewal's and
# the change's pickup, the next working day; empty, it is the real time.
: > "$T/clock"
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
export E2E_CLOCK=$T/clock E2E_PICKUP_DAY=$(ct calendar add-working-days "$today" 1)
export E2E_ISSUER=$CA/issuing.crt E2E_CHAIN=$T/chain.pem
CHUNGTHU_NOW=@$T/clock e2e_serve
contains "the request form's script is served" "viewRequests" "$(curl -s "$BASE/portal/requests.js")"

e2e_node requests "$S1" "$S2" "$S3" "$T1" "$T2" "$T3"

# what the browser did, as the database and the audit trail keep it
same "eight requests, one of each kind, completed" "change|completed pin_reset|completed renewal|completed resumption|completed revocation|completed suspension|completed token_broken|completed token_lost|completed" \
    "$(q "select kind || '|' || state from dossiers where kind <> 'new' order by kind" | paste -sd ' ')"
same "the revoked one: keyCompromise" "revoked|1" "$(q "select status || '|' || revocation_reason from certificates where serial='$S2'")"
same "the changed one: superseded" "revoked|4" "$(q "select status || '|' || revocation_reason from certificates where serial='$S1'")"
same "the renewed one runs to its end" "active" "$(q "select status from certificates where serial='$S3'")"
same "each officer's step audited once (revoke: a revocation, a lost and a broken token)" "1 1 3 1" \
    "$(for a in suspend resume revoke reset-pin; do q "select count(*) from audit where action='applicant.$a'"; done | paste -sd ' ')"

# token care, as OCSP, the database and the token itself say it
ocsp() { # SERIAL → "good", "revoked keyCompromise"…, the answer verified against the issuer
    openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$1" -url "$BASE/ocsp" -CAfile "$T/chain.pem" -no_nonce \
        -validity_period 2592000 > "$T/ocsp.out" 2>&1
    if ! grep -q 'Response verify OK' "$T/ocsp.out"; then echo unverified; return; fi
    sed -n "s/^0x$1: \(\S*\)/\1/p" "$T/ocsp.out" | tr -d '\n'
    sed -n 's/^\s*Reason: \(\S*\)/ \1/p' "$T/ocsp.out"
}
same "OCSP: the PIN reset's certificate still good" "good" "$(ocsp "$T1")"
same "OCSP: the lost token's certificate revoked keyCompromise" "revoked keyCompromise" "$(ocsp "$T2")"
same "OCSP: the broken token's certificate revoked cessationOfOperation" "revoked cessationOfOperation" "$(ocsp "$T3")"
same "the tokens: still with the holder, lost, damaged" "with_subscriber lost damaged" \
    "$(for k in $K1 $K2 $K3; do q "select state from tokens where serial='$k'"; done | paste -sd ' ')"
same "token care audited once each" "1 1 1" \
    "$(q "select count(*) from audit where action='token.reset_pin' and object='$K1'") $(q "select count(*) from audit where action='token.lost' and object='$K2'") $(q "select count(*) from audit where action='token.broken' and object='$K3'")"
same "the loss's circumstances kept, as the clerk wrote them" "Mất trên xe buýt số 32 chiều 01/12/2026" \
    "$(q "select a.reason from applicants a join dossiers d on d.code = a.dossier where d.kind='token_lost'")"
new_pin=$(pin_of "$K1")
same "a new envelope: an 8-digit PIN" "8" "${#new_pin}"
[ "$new_pin" != "$old_pin" ] && pass || fail "the PIN did not change"
if p11 "$old_pin" > "$T/old.out" 2>&1; then fail "the old PIN still opens the token"; else pass; fi
contains "the old PIN fails" "CKR_PIN_INCORRECT" "$(cat "$T/old.out")"
check "the new PIN logs in" p11 "$new_pin"
same "... and finds the holder's key there" "1" "$(p11 "$new_pin" 2>/dev/null | grep -c 'Private Key Object')"
same "the audit chain still verifies" "0" "$(ct audit verify >/dev/null 2>&1; echo $?)"
stop_server
finish

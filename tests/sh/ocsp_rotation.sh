# ocsp_rotation.sh — the OCSP responder's certificate is renewed before it expires, with a new
# key, while a server answers: every answer before, during and after verifies with `openssl
# ocsp`, the served responder certificate becomes the new one, two renewals at once make one, and
# past the old certificate's expiry answers still verify. With the issuing key on an HSM
# (SoftHSM2), the responder's key is there too, never in a file, and a renewal makes a new one.
. "$(dirname "$0")/../lib.sh"
CA=$CHUNGTHU_HOME/ca
DAY=86400
NOW0=$(date +%s)
echo "$NOW0" > "$T/now"
export CHUNGTHU_NOW="@$T/now"

check "init" ct init --root-key p384 --issuing-key p256
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
issue() { ct cert issue --csr "$T/r.csr" --name "$1" --email "$2" --province "Huế" --org "Bộ Y tế" --out "$T/$3.pem" >/dev/null; }
check "issue good" issue "Hoàng Văn Thụ" thu@moh.gov.vn good
check "issue to revoke" issue "Lý Tự Trọng" trong@moh.gov.vn bad
check "revoke" ct cert revoke "$(openssl x509 -in "$T/bad.pem" -noout -serial | sed 's/serial=//')" --reason keyCompromise
for c in good bad; do
    openssl ocsp -issuer "$CA/issuing.crt" -cert "$T/$c.pem" -reqout "$T/$c.req" -no_nonce >/dev/null 2>&1
done

PORT=$(free_port)
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2>"$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" -o /dev/null && break; sleep 0.1; done

fetch() { # fetch NAME OUT: POST NAME's request to the server
    curl -sf -H 'Content-Type: application/ocsp-request' --data-binary "@$T/$1.req" "http://127.0.0.1:$PORT/ocsp" -o "$2"
}
# verify NAME RESPONSE: openssl's verdict at the instant of the test's clock (thisUpdate may be
# weeks ahead of the machine's clock: -validity_period allows for it)
verify() {
    openssl ocsp -respin "$2" -issuer "$CA/issuing.crt" -cert "$T/$1.pem" -CAfile "$T/chain.pem" \
        -attime "$(cat "$T/now")" -validity_period $((60 * DAY)) 2>&1
}
verdict_ok() { # verdict_ok NAME RESPONSE EXPECTED-STATUS
    local out; out=$(verify "$1" "$2")
    printf '%s' "$out" | grep -q "Response verify OK" && printf '%s' "$out" | grep -q ": $3"
}
served() { # the responder certificate a response carries: "SERIAL NOTAFTER-EPOCH"
    local pem; pem=$(openssl ocsp -respin "$1" -resp_text -noverify 2>/dev/null | sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p')
    printf '%s %s' "$(printf '%s\n' "$pem" | openssl x509 -noout -serial | sed 's/serial=//')" \
        "$(date -d "$(printf '%s\n' "$pem" | openssl x509 -noout -enddate | sed 's/notAfter=//')" +%s)"
}
# hammer N: N clients, 20 requests each for the good and the revoked certificate, in parallel
hammer() {
    for w in $(seq 1 "$1"); do
        ( for i in $(seq 1 20); do
            fetch good "$T/h/g-$w-$i" || echo "fail g-$w-$i" >> "$T/h/failures"
            fetch bad "$T/h/b-$w-$i" || echo "fail b-$w-$i" >> "$T/h/failures"
        done ) &
    done
}
check_hammered() { # every answer collected verifies, with the right status
    local bad=0 n=0
    [ -e "$T/h/failures" ] && bad=$(wc -l < "$T/h/failures")
    for f in "$T"/h/g-* "$T"/h/b-*; do
        n=$((n + 1))
        case $(basename "$f") in
        g-*) verdict_ok good "$f" good || { bad=$((bad + 1)); verify good "$f" | head -3 >&2; } ;;
        b-*) verdict_ok bad "$f" revoked || { bad=$((bad + 1)); verify bad "$f" | head -3 >&2; } ;;
        esac
    done
    same "$1: $n answers, all verified" "0" "$bad"
}
# wait_served SERIAL: poll (bounded) until the server's answers carry another responder
wait_new() {
    for _ in $(seq 1 50); do
        fetch good "$T/probe" && [ "${SERVED0%% *}" != "$(served "$T/probe" | cut -d' ' -f1)" ] && return 0
        sleep 0.1
    done
    return 1
}

# ---- before ----
check "fetch good" fetch good "$T/good.resp"
check "fetch revoked" fetch bad "$T/bad.resp"
check "good verifies" verdict_ok good "$T/good.resp" good
check "revoked verifies" verdict_ok bad "$T/bad.resp" revoked
SERVED0=$(served "$T/good.resp")
same "the served responder is ca/ocsp.crt" "$(openssl x509 -in "$CA/ocsp.crt" -noout -serial | sed 's/serial=//')" "${SERVED0%% *}"
check "ocsp rotate --if-due: not due yet" ct ocsp rotate --if-due
contains "says not due" "not due" "$(cat "$T/out")"
same "nothing rotated" "1" "$(ct cert list --kind ocsp --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"

# ---- 25 days later: two renewals at once while clients hammer the server ----
echo $((NOW0 + 25 * DAY)) > "$T/now"
mkdir -p "$T/h"
hammer 4
( ct ocsp rotate --if-due > "$T/rot1" 2>&1; echo $? >> "$T/rot1" ) &
ROT1=$!
( ct ocsp rotate --if-due > "$T/rot2" 2>&1; echo $? >> "$T/rot2" ) &
ROT2=$!
wait $ROT1 $ROT2
check "the server takes the new responder" wait_new
for job in $(jobs -p); do [ "$job" = "$SERVER" ] || wait "$job"; done
check_hammered "during the first renewal"
same "both commands succeeded" "0 0" "$(tail -n1 "$T/rot1") $(tail -n1 "$T/rot2")"
same "one renewal made" "1" "$(cat "$T/rot1" "$T/rot2" | grep -c "has a new key")"
same "two responder certificates recorded" "2" "$(ct cert list --kind ocsp --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
same "one ca.ocsp_rotate audited" "1" "$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select count(*) from audit where action='ca.ocsp_rotate'")"
if [ -e "$CA/ocsp-${SERVED0%% *}.crt" ]; then pass; else fail "the old certificate is not kept as ocsp-SERIAL.crt"; fi
if [ -e "$CA/ocsp.crt.next" ] || [ -e "$CA/ocsp-next.key" ]; then fail "rotation left its new files behind"; else pass; fi
check "fetch after" fetch good "$T/after1.resp"
check "verifies after" verdict_ok good "$T/after1.resp" good
SERVED1=$(served "$T/after1.resp")
same "served = ca/ocsp.crt" "$(openssl x509 -in "$CA/ocsp.crt" -noout -serial | sed 's/serial=//')" "${SERVED1%% *}"
if [ "${SERVED1#* }" -gt "${SERVED0#* }" ]; then pass; else fail "new notAfter ${SERVED1#* } not after ${SERVED0#* }"; fi
check "key matches the certificate" sh -c "[ \"\$(openssl x509 -in '$CA/ocsp.crt' -noout -pubkey)\" = \"\$(openssl pkey -in '$CA/ocsp.key' -passin file:'$CHUNGTHU_HOME/secrets/ca-passphrase' -pubout 2>/dev/null)\" ]"

# ---- 50 days: the server's own upkeep renews (it runs as the server starts) ----
kill -TERM $SERVER; wait $SERVER
echo $((NOW0 + 50 * DAY)) > "$T/now"
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2>"$T/server.log" &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" -o /dev/null && break; sleep 0.1; done
SERVED0=$SERVED1
check "the upkeep renews" wait_new
contains "the server says so" "new key and certificate" "$(cat "$T/server.log")"
check "fetch" fetch good "$T/after2.resp"
check "verifies" verdict_ok good "$T/after2.resp" good
check "revoked still revoked" fetch bad "$T/after2b.resp"
check "revoked verifies" verdict_ok bad "$T/after2b.resp" revoked
SERVED2=$(served "$T/after2.resp")
if [ "${SERVED2#* }" -gt "${SERVED1#* }" ]; then pass; else fail "upkeep: notAfter did not move"; fi

# ---- 56 days: past the second certificate's expiry, answers still verify ----
echo $((NOW0 + 56 * DAY)) > "$T/now"
check "fetch past the old expiry" fetch good "$T/after3.resp"
check "verifies past the old expiry" verdict_ok good "$T/after3.resp" good
same "signed by the newest" "${SERVED2%% *}" "$(served "$T/after3.resp" | cut -d' ' -f1)"
kill -TERM $SERVER; wait $SERVER
check "ocsp respond (another process) loads the newest" ct ocsp respond --in "$T/good.req" --out "$T/cli.resp"
same "the command line signs with it too" "${SERVED2%% *}" "$(served "$T/cli.resp" | cut -d' ' -f1)"
check "audit chain" ct audit verify

# ---- on an HSM ----
MODULE=/usr/lib/softhsm/libsofthsm2.so
echo "$NOW0" > "$T/now"
export CHUNGTHU_HOME=$T/hsm-home CA=$T/hsm-home/ca
mkdir -p "$T/hsm"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$T/hsm" > "$T/softhsm2.conf"
export SOFTHSM2_CONF=$T/softhsm2.conf
check "an HSM token" softhsm2-util --init-token --free --label chungthu-hsm --so-pin 12345678 --pin 87654321
export CHUNGTHU_HSM_PIN=87654321
check "init on the HSM" ct init --root-key p384 --issuing-key p256 --hsm-token chungthu-hsm
if [ -e "$CA/ocsp.key" ] || [ -e "$CA/issuing.key" ]; then fail "a key file exists on an HSM instance"; else pass; fi
labels() { pkcs11-tool --module $MODULE --token-label chungthu-hsm --login --pin 87654321 --list-objects --type privkey 2>/dev/null | sed -n 's/^ *label: *//p' | sort | tr '\n' ' '; }
S1=$(openssl x509 -in "$CA/ocsp.crt" -noout -serial | sed 's/serial=//')
contains "the responder's key is on the HSM" "chungthu-ocsp-$S1" "$(labels)"
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
check "issue" issue "Võ Thị Sáu" sau@moh.gov.vn hsm
openssl ocsp -issuer "$CA/issuing.crt" -cert "$T/hsm.pem" -reqout "$T/hsm.req" -no_nonce >/dev/null 2>&1
check "ocsp respond on the HSM" ct ocsp respond --in "$T/hsm.req" --out "$T/hsm1.resp"
check "verifies" verdict_ok hsm "$T/hsm1.resp" good
check "ocsp rotate" ct ocsp rotate
S2=$(openssl x509 -in "$CA/ocsp.crt" -noout -serial | sed 's/serial=//')
contains "a new key on the HSM" "chungthu-ocsp-$S2" "$(labels)"
if [ "$S1" != "$S2" ] && [ ! -e "$CA/ocsp.key" ] && [ -e "$CA/ocsp-$S1.crt" ]; then pass; else fail "HSM rotation: $S1 → $S2"; fi
check "ocsp respond after" ct ocsp respond --in "$T/hsm.req" --out "$T/hsm2.resp"
check "verifies after" verdict_ok hsm "$T/hsm2.resp" good
same "signed by the new responder" "$S2" "$(served "$T/hsm2.resp" | cut -d' ' -f1)"

# the replaced key stays on the HSM while its certificate is valid (another process may still
# sign with it for a moment), and is destroyed once that certificate has expired
all_labels() { pkcs11-tool --module $MODULE --token-label chungthu-hsm --login --pin 87654321 --list-objects 2>/dev/null | sed -n 's/^ *label: *//p' | sort -u | tr '\n' ' '; }
check "a renewal check while the old certificate is valid" ct ocsp rotate --if-due
contains "... the old key is still there" "chungthu-ocsp-$S1" "$(all_labels)"
OLD_END=$(date -d "$(openssl x509 -in "$CA/ocsp-$S1.crt" -noout -enddate | cut -d= -f2)" +%s)
echo $((OLD_END + 60)) > "$T/now"
check "a renewal check past its expiry (the current one renews too)" ct ocsp rotate --if-due
S3=$(openssl x509 -in "$CA/ocsp.crt" -noout -serial | sed 's/serial=//')
case $(all_labels) in *"chungthu-ocsp-$S1"*) fail "the expired responder's key objects are still on the HSM" ;; *) pass ;; esac
contains "... the newest key is there" "chungthu-ocsp-$S3" "$(all_labels)"
contains "... the one replaced now stays for now" "chungthu-ocsp-$S2" "$(all_labels)"
check "... its certificate kept as retired" test -s "$CA/ocsp-$S1.retired.crt"
check "the next renewal check" ct ocsp rotate --if-due
case $(all_labels) in *"chungthu-ocsp-$S2"*) fail "the second expired key is still on the HSM" ;; *) pass ;; esac
same "each destruction audited once" "2" "$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "SELECT count(*) FROM audit WHERE action='ca.ocsp_key_destroy'")"
same "the HSM holds the issuing, audit and newest responder keys only" "chungthu-audit chungthu-issuing-ca chungthu-ocsp-$S3 " "$(all_labels)"
check "ocsp respond after the sweep" ct ocsp respond --in "$T/hsm.req" --out "$T/hsm3.resp"
check "verifies after the sweep" verdict_ok hsm "$T/hsm3.resp" good
same "signed by the newest responder" "$S3" "$(served "$T/hsm3.resp" | cut -d' ' -f1)"
check "audit chain after the sweep" ct audit verify
finish

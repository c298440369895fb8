# token.sh — provisioning SoftHSM2 tokens, judged by OpenSC's pkcs11-tool and OpenSSL; every
# failure leaves no certificate behind and the token wiped or marked damaged.
. "$(dirname "$0")/../lib.sh"
MODULE=/usr/lib/softhsm/libsofthsm2.so

check "init" ct init --root-key p384 --issuing-key p256
who=(--name "Phạm Văn Đồng" --email dong.pv@chinhphu.vn --province "Hà Nội" --org "Văn phòng Chính phủ" --unit "Vụ Tổng hợp")

refuse "no blank token in stock" token.no_blank ct token provision "${who[@]}"
check "stock 3 blank tokens" ct token stock --count 3
same "three blank tokens listed" "3" "$(ct token list --state blank | wc -l)"
# the instance keeps its SoftHSM2 tokens in its own directory; the independent tools look there
export SOFTHSM2_CONF=$CHUNGTHU_HOME/tokens/softhsm2.conf
contains "instance's own token directory" "$CHUNGTHU_HOME/tokens/store" "$(cat "$SOFTHSM2_CONF")"
check "provision one (RSA-2048)" ct token provision "${who[@]}" --json
serial=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token_serial"])' "$T/out")
cert=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cert_serial"])' "$T/out")
envelope=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["envelope"])' "$T/out")
same "envelope is private" "600" "$(stat -c %a "$envelope")"
pin=$(sed -n 's/^MÃ PIN \/ USER PIN: *//p' "$envelope")
same "PIN is 8 digits" "8" "$(printf '%s' "$pin" | tr -cd 0-9 | wc -c)"
if grep -rq "$pin" "$CHUNGTHU_HOME/chungthu.db" "$CHUNGTHU_HOME/chungthu.ini" 2>/dev/null; then fail "the PIN is stored in the database or config"; else pass; fi
if sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select detail from audit" | grep -q "$pin"; then fail "the PIN is in the audit trail"; else pass; fi

label=$(ct token list --json | python3 -c 'import json,sys; print([t["label"] for t in json.load(sys.stdin) if t["serial"]==sys.argv[1]][0])' "$serial")
objects=$(pkcs11-tool --module $MODULE --token-label "$label" --login --pin "$pin" --list-objects 2>&1)
contains "private key on the token" "Private Key Object; RSA" "$objects"
contains "public key on the token" "Public Key Object; RSA 2048 bits" "$objects"
contains "sensitive, never extractable" "sensitive, always sensitive, never extractable, local" "$objects"
contains "CA chain on the token" "CA gốc / root CA" "$objects"
ids=$(printf '%s\n' "$objects" | grep -A3 "label:      $label" | sed -n 's/^ *ID: *//p' | sort -u)
same "key, public key and certificate share one ID" "1" "$(printf '%s\n' "$ids" | wc -l)"
# the certificate on the token is the one issued, and a signature made on the token verifies
pkcs11-tool --module $MODULE --token-label "$label" --login --pin "$pin" --read-object --type cert --id "$ids" -o "$T/oncard.der" >/dev/null 2>&1
same "certificate on the token = certificate issued" "$(ct cert show "$cert" --pem | openssl x509 -outform der | sha256sum)" "$(sha256sum < "$T/oncard.der")"
printf 'hợp đồng số 12/2026' > "$T/msg"
check "sign on the token with pkcs11-tool" pkcs11-tool --module $MODULE --token-label "$label" --login --pin "$pin" --sign --id "$ids" -m SHA256-RSA-PKCS -i "$T/msg" -o "$T/msg.sig"
openssl x509 -inform der -in "$T/oncard.der" -pubkey -noout > "$T/pub.pem"
check "openssl verifies the token's signature" openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/msg.sig" "$T/msg"
check "token's certificate chains to the root" openssl verify -x509_strict -purpose smimesign -CAfile "$CHUNGTHU_HOME/ca/root.crt" -untrusted "$CHUNGTHU_HOME/ca/issuing.crt" <(openssl x509 -inform der -in "$T/oncard.der")

check "provision P-256" ct token provision --name "Võ Nguyên Giáp" --email giap@chinhphu.vn --province "Quảng Trị" --org "Bộ Quốc phòng" --key-type p256
refuse "token already provisioned" token.not_blank ct token provision "${who[@]}" --token "$serial"

# ---- failures: nothing half done ----
certs_before=$(ct cert list --kind subscriber | wc -l)
left=$(ct token list --state blank --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["serial"])')
# the device's SO PIN no longer matches what the CA holds (someone changed it)
sealed=$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select so_pin from tokens where serial='$left'")
sqlite3 "$CHUNGTHU_HOME/chungthu.db" "create table keep as select so_pin from tokens where serial='$left'"
other=$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select so_pin from tokens where serial='$serial'")
sqlite3 "$CHUNGTHU_HOME/chungthu.db" "update tokens set so_pin='$other' where serial='$left'"
refuse "wrong SO PIN" token.wrong_so_pin ct token provision "${who[@]}" --token "$left"
contains "error names the step" "initialise token" "$(cat "$T/err")"
same "token marked damaged" "damaged" "$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select state from tokens where serial='$left'")"
same "no certificate left by the failure" "$certs_before" "$(ct cert list --kind subscriber | wc -l)"
# put it back in stock as it was: a repair around the custody table (core/token_custody.c has no
# move from damaged back to blank, and the store's trigger refuses one), so the row is replaced,
# in SQL both backends speak
sqlite3 "$CHUNGTHU_HOME/chungthu.db" "create temp table fix as select * from tokens where serial='$left'; update fix set so_pin='$sealed', state='blank'; delete from tokens where serial='$left'; insert into tokens select * from fix"

# the token's storage disappears (device removed)
check "stock one more" ct token stock --count 1
gone=$(ct token list --state blank --json | python3 -c 'import json,sys; print([t["serial"] for t in json.load(sys.stdin) if t["serial"] != sys.argv[1]][0])' "$left")
for d in "$CHUNGTHU_HOME"/tokens/store/*/; do
    if grep -qa "$gone" "$d"/token.object 2>/dev/null; then rm -rf "$d"; fi
done
refuse "token removed" token.not_found ct token provision "${who[@]}" --token "$gone"
same "removed token marked damaged" "damaged" "$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select state from tokens where serial='$gone'")"
same "still no certificate left behind" "$certs_before" "$(ct cert list --kind subscriber | wc -l)"

# the device is pulled out mid-way: at key generation, while the CA chain is written (which
# happens during key generation), at the certificate's write, at the challenge. A stand-in
# module in front of SoftHSM2 deletes the token's directory at that call.
check "stock four more" ct token stock --count 4
sed -i "s|^module = .*|module = $CT_P11_PULL_MODULE|" "$CHUNGTHU_HOME/chungthu.ini"
unissued_count() { ct audit verify --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["reserved_not_issued"])'; }
for at in C_GenerateKeyPair:1 C_CreateObject:1 C_CreateObject:3 C_Sign:1; do
    unissued=$(unissued_count)
    victim=$(ct token list --state blank --json | python3 -c 'import json,sys; print([t["serial"] for t in json.load(sys.stdin) if t["serial"] != sys.argv[1]][0])' "$left")
    dir=$(dirname "$(grep -la "$victim" "$CHUNGTHU_HOME"/tokens/store/*/token.object)")
    if CT_P11_PULL=$at CT_P11_PULL_DIR=$dir ct token provision "${who[@]}" --token "$victim" >"$T/out" 2>"$T/err"; then
        fail "pulled at $at: provisioning succeeded"
    else
        contains "pulled at $at: the error names the step" 'step "' "$(cat "$T/err")"
    fi
    state=$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select state from tokens where serial='$victim'")
    case $state in damaged | wiped) pass ;; *) fail "pulled at $at: token left $state" ;; esac
    same "pulled at $at: no certificate left behind" "$certs_before" "$(ct cert list --kind subscriber | wc -l)"
    same "pulled at $at: no PIN envelope left behind" "" "$(ls "$CHUNGTHU_HOME/envelopes" | grep "$victim")"
    # the serial meant for it is accounted for: one more reserved for a token and never issued,
    # and it is this token's
    ct audit verify --json >"$T/verify.json"
    same "pulled at $at: audit verify lists one more serial reserved and never issued" "$((unissued + 1))" "$(unissued_count)"
    same "pulled at $at: reserved for this token" "$victim" \
        "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reserved_not_issued_first"][-1]["token"])' "$T/verify.json")"
done
sed -i "s|^module = .*|module = $MODULE|" "$CHUNGTHU_HOME/chungthu.ini"

# bad input is refused before any device is touched
refuse "bad e-mail, token untouched" email.invalid ct token provision --name "A B" --email nope --province "Huế" --org "Bộ X"
same "token still blank" "blank" "$(sqlite3 "$CHUNGTHU_HOME/chungthu.db" "select state from tokens where serial='$left'")"

# wrong module path
sed -i 's|^module = .*|module = /nonexistent/libpkcs11.so|' "$CHUNGTHU_HOME/chungthu.ini"
refuse "module path wrong" token.module ct token stock --count 1
check "audit chain intact after all this" ct audit verify
finish

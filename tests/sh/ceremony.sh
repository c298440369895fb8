# ceremony.sh — an offline root: the key ceremony on its own home with a SoftHSM token, the
# online instance stopping at a CSR, the bundle carried back and imported; the chain verifies
# with OpenSSL and GnuTLS, root CRLs come only from the ceremony, no root private key is left
# anywhere online, and the ceremony's log shows and proves what was done before whom.
. "$(dirname "$0")/../lib.sh"
MODULE=/usr/lib/softhsm/libsofthsm2.so
OFF=$T/offline
ON=$CHUNGTHU_HOME
# two machines: each has its own SoftHSM token directory
mkdir -p "$T/hsm-off" "$T/hsm-on"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$T/hsm-off" >"$T/off.conf"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$T/hsm-on" >"$T/on.conf"
off() { SOFTHSM2_CONF=$T/off.conf CHUNGTHU_HSM_PIN=11112222 ct --home "$OFF" ceremony "$@"; }
on() { SOFTHSM2_CONF=$T/on.conf CHUNGTHU_HSM_PIN=33334444 ct --home "$ON" "$@"; }
check "ceremony token" env SOFTHSM2_CONF="$T/off.conf" softhsm2-util --init-token --free --label root-token --so-pin 12345678 --pin 11112222
check "online HSM" env SOFTHSM2_CONF="$T/on.conf" softhsm2-util --init-token --free --label online-hsm --so-pin 12345678 --pin 33334444

# the offline side: the root on the token, before two witnesses
refuse "one witness is not enough" ceremony.witnesses off init --hsm-token root-token --root-key p384 --witness "Nguyễn Văn A"
if [ -e "$OFF" ]; then fail "a refused ceremony init left files"; else pass; fi
refuse "the same witness twice" ceremony.witnesses off init --hsm-token root-token --witness A --witness A
check "ceremony init" off init --hsm-token root-token --root-key p384 --crl-days 90 \
    --witness "Nguyễn Văn A" --witness "Trần Thị B"
if [ -e "$OFF/root.key" ]; then fail "a root key file next to the token"; else pass; fi
objects=$(SOFTHSM2_CONF=$T/off.conf pkcs11-tool --module $MODULE --token-label root-token --login --pin 11112222 --list-objects 2>&1)
contains "root key on the token" "chungthu-root-ca" "$objects"
contains "never extractable" "never extractable" "$objects"
check "root self-signed, strict" openssl verify -x509_strict -CAfile "$OFF/root.crt" "$OFF/root.crt"

# where there is no token: the root key in an encrypted file, under a passphrase of 12 or more
CHUNGTHU_CEREMONY_PASSPHRASE=short refuse "a short passphrase" ceremony.passphrase ct --home "$T/filekey" ceremony init --root-key p384 --witness A --witness B
CHUNGTHU_CEREMONY_PASSPHRASE=correct-horse-battery check "ceremony init with a file key" ct --home "$T/filekey" ceremony init --root-key p384 --witness A --witness B
contains "the file key is encrypted" "BEGIN ENCRYPTED PRIVATE KEY" "$(cat "$T/filekey/root.key")"
CHUNGTHU_CEREMONY_PASSPHRASE=correct-horse-battery check "a CRL signed with the file key" ct --home "$T/filekey" ceremony sign-crl
check "... verifies under its root" openssl crl -inform DER -in "$T/filekey/root.crl" -CAfile "$T/filekey/root.crt" -verify -noout
CHUNGTHU_CEREMONY_PASSPHRASE=wrong-passphrase-here refuse "the wrong passphrase" key.passphrase ct --home "$T/filekey" ceremony sign-crl

# the online side stops at a request
check "online init stops at a CSR" on init --offline-root --issuing-key rsa3072 --hsm-token online-hsm
contains "says where the CSR is" "CSR written to $ON/ca/issuing.csr" "$(cat "$T/out")"
contains "the CSR's signature verifies" "verify OK" "$(openssl req -in "$ON/ca/issuing.csr" -verify -noout 2>&1)"
refuse "not usable before the import" ca.not_imported on cert list
KEY_SHA=$(openssl req -in "$ON/ca/issuing.csr" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)

# refusals at the ceremony: nothing is signed
openssl req -new -newkey rsa:3072 -nodes -keyout "$T/other.key" -subj "/CN=someone else" -out "$T/other.csr" 2>/dev/null
lines_before=$(wc -l <"$OFF/ceremony.log")
refuse "a CSR whose key is not the one on paper" ceremony.csr_key_mismatch off sign-issuing --csr "$T/other.csr" --key-fingerprint "$KEY_SHA" --witness A --witness B
# a request whose signature is not its key's: the key swapped after signing
openssl req -in "$ON/ca/issuing.csr" -outform DER -out "$T/good.der"
openssl req -in "$T/other.csr" -outform DER -out "$T/other.der"
python3 - "$T/good.der" "$T/other.der" "$T/forged.der" <<'PY'
import sys
good, other = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
# flip one byte of the signature at the end: the request no longer verifies with its key
forged = bytearray(good); forged[-5] ^= 0xff
open(sys.argv[3], 'wb').write(forged)
PY
refuse "a CSR whose signature does not verify" csr.signature off sign-issuing --csr "$T/forged.der" --witness A --witness B
refuse "sign-issuing with one witness" ceremony.witnesses off sign-issuing --csr "$ON/ca/issuing.csr" --witness A
same "refusals wrote nothing to the log" "$lines_before" "$(wc -l <"$OFF/ceremony.log")"
if ls "$OFF/issuing/"*.crt >/dev/null 2>&1; then fail "a refused request was signed"; else pass; fi

check "sign-issuing" off sign-issuing --csr "$ON/ca/issuing.csr" --key-fingerprint "$KEY_SHA" --witness "Nguyễn Văn A" --witness "Lê Văn C"
check "sign-crl" off sign-crl --days 30 --witness "Nguyễn Văn A"
check "bundle" off bundle --out "$T/bundle"
for f in root.crt issuing.crt root.crl; do
    if [ -f "$T/bundle/$f" ]; then pass; else fail "bundle lacks $f"; fi
done

# a bundle for another instance's key is refused at import, nothing changed
mkdir -p "$T/wrong"
cp "$T/bundle/root.crt" "$T/bundle/root.crl" "$T/wrong/"
openssl req -new -newkey rsa:3072 -nodes -keyout "$T/w.key" -subj "/CN=w" -out "$T/w.csr" 2>/dev/null
check "the ceremony signs a request for another key" off sign-issuing --csr "$T/w.csr" --witness A --witness B
cp "$OFF/issuing.crt" "$T/wrong/issuing.crt"
refuse "bundle for another key" ca.import_key_mismatch on ca import "$T/wrong"
if [ -e "$ON/ca/root.crt" ]; then fail "a refused import left the root certificate"; else pass; fi
refuse "still not usable" ca.not_imported on cert list

# the bundle carries the log's head in its manifest; a bundled log cut short is refused
check "the bundle has a manifest" test -s "$T/bundle/manifest.json"
HEAD=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["head"])' "$T/bundle/manifest.json")
same "... whose head is the log's as bundled" "$(wc -l <"$T/bundle/ceremony.log"):$(tail -1 "$T/bundle/ceremony.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hash"])')" "$HEAD"
cp "$T/bundle/ceremony.log" "$T/bundle-log.bak"
sed -i '$d' "$T/bundle/ceremony.log"
refuse "a bundle whose log was cut short" ceremony.log_truncated on ca import "$T/bundle"
contains "... names the missing line" "lines ${HEAD%%:*} to ${HEAD%%:*} are missing" "$(cat "$T/err")"
if [ -e "$ON/ca/root.crt" ]; then fail "a refused import left the root certificate"; else pass; fi
cp "$T/bundle-log.bak" "$T/bundle/ceremony.log"
mv "$T/bundle/manifest.json" "$T/manifest.bak"
refuse "a bundle without its manifest" ceremony.manifest_missing on ca import "$T/bundle"
mv "$T/manifest.bak" "$T/bundle/manifest.json"
# an import that fails after making its keys on the HSM takes them away again: here the root
# CRL's number is taken already in the database, the last step of the import
hsm_labels() { SOFTHSM2_CONF=$T/on.conf pkcs11-tool --module $MODULE --token-label online-hsm --login --pin 33334444 --list-objects 2>/dev/null | sed -n 's/^ *label: *//p' | sort -u | tr '\n' ' '; }
same "before the import: the issuing key alone on the online HSM" "chungthu-issuing-ca " "$(hsm_labels)"
sqlite3 "$ON/chungthu.db" "INSERT INTO crls (issuer, number, this_update, next_update, der) VALUES ('root', 1, 0, 0, x'00')"
if on ca import "$T/bundle" >"$T/out" 2>"$T/err"; then fail "an import over a taken CRL number succeeded"; else pass; fi
same "... the responder's and audit signer's keys it made are gone from the HSM" "chungthu-issuing-ca " "$(hsm_labels)"
if [ -e "$ON/ca/root.crt" ] || [ -e "$ON/ca/issuing.inactive" ]; then fail "a failed import left files"; else pass; fi
sqlite3 "$ON/chungthu.db" "DELETE FROM crls WHERE issuer='root' AND number=1"
check "ca import" on ca import "$T/bundle"
contains "the import made the responder's and audit signer's keys on the HSM" "chungthu-audit chungthu-issuing-ca chungthu-ocsp-" "$(hsm_labels)"
contains "the import records the ceremony log's head in the audit trail" "\"ceremony_log_head\":\"$HEAD\"" "$(sqlite3 "$ON/chungthu.db" "SELECT detail FROM audit WHERE action='ca.import'")"
contains "import says the key is not active" "imported but not active" "$(cat "$T/out")"
CA=$ON/ca
DB=$ON/chungthu.db
q() { sqlite3 "$DB" "$1"; }

# imported, not active: nothing is signed with the issuing key until a second person approves
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
issue() { on cert issue --csr "$T/r.csr" --name "Trần Hưng Đạo" --email dao@mod.gov.vn --province "Ninh Bình" --org "Bộ Quốc phòng" "$@"; }
refuse "no certificate before activation" ca.not_active issue --out "$T/c0.pem"
same "... none stored" "0" "$(q "SELECT count(*) FROM certificates WHERE kind='subscriber'")"
refuse "no issuing CRL before activation" ca.not_active on crl generate
same "... none stored" "0" "$(q "SELECT count(*) FROM crls WHERE issuer='issuing'")"
refuse "no new OCSP responder before activation" ca.not_active on ocsp rotate
on doctor --json >"$T/doctor.json" 2>&1
same "doctor warns while the issuing key waits for activation" "warning ca.not_active" "$(jq -r '.checks[] | select(.name=="ca_issuing") | "\(.status) \(.code)"' "$T/doctor.json")"
check "activation requested" on ca activate
contains "... waits for a second officer" "waiting for a second officer" "$(cat "$T/out")"
REQ=$(q "SELECT id FROM approvals WHERE action='ca.activate' AND state='pending'")
refuse "one activation request waits at a time" approval.exists on ca activate
refuse "the requester cannot approve its own activation" approval.own_request on approval approve "$REQ"
refuse "still not active" ca.not_active issue --out "$T/c0.pem"
# a second CA administrator, logged in from a home of its own
mkdir -m 700 "$T/admin2"
check "a second CA administrator" sh -c 'echo "Mat-khau-quan-tri-2" | "$@"' sh env SOFTHSM2_CONF="$T/on.conf" CHUNGTHU_HSM_PIN=33334444 "$CHUNGTHU" --home "$ON" user add --username quantri2 --role ca_admin --name "Quản trị Hai"
check "... logs in" sh -c 'printf "quantri2\nMat-khau-quan-tri-2\n" | "$@"' sh env HOME="$T/admin2" SOFTHSM2_CONF="$T/on.conf" CHUNGTHU_HSM_PIN=33334444 "$CHUNGTHU" --home "$ON" login
check "the second administrator approves" env HOME="$T/admin2" SOFTHSM2_CONF="$T/on.conf" CHUNGTHU_HSM_PIN=33334444 "$CHUNGTHU" --home "$ON" approval approve "$REQ"
same "the trail: requested by one, activated by the other" "approval.request|os:root approval.approve|quantri2 ca.activate|quantri2" "$(q "SELECT group_concat(action || '|' || actor, ' ') FROM (SELECT action, actor FROM audit WHERE action IN ('approval.request','approval.approve','ca.activate') ORDER BY id)")"
contains "... the activation names the requester" '"requested_by":"os:root"' "$(q "SELECT detail FROM audit WHERE action='ca.activate'")"
refuse "activating twice" ca.already_active on ca activate
check "issuing chain strict (openssl)" openssl verify -x509_strict -CAfile "$T/bundle/root.crt" "$CA/issuing.crt"
check "issue online, once active" issue --out "$T/c.pem"
check "subscriber verifies to the ceremony's root" openssl verify -x509_strict -purpose smimesign -CAfile "$T/bundle/root.crt" -untrusted "$CA/issuing.crt" "$T/c.pem"
cat "$T/c.pem" "$CA/issuing.crt" "$T/bundle/root.crt" >"$T/full.pem"
contains "certtool verifies" "Chain verification output: Verified" "$(certtool --verify-chain --infile "$T/full.pem" 2>&1)"
check "OCSP responder made at import" openssl verify -x509_strict -CAfile "$CA/root.crt" -untrusted "$CA/issuing.crt" "$CA/ocsp.crt"
check "audit signer made at import" test -s "$CA/audit.crt"

# root CRLs come only from the ceremony
check "crl generate" on crl generate
check "crl show root" on crl show root --out "$T/served.crl"
same "the root CRL is the ceremony's" "$(sha256sum <"$OFF/root.crl")" "$(sha256sum <"$T/served.crl")"
PORT=$(free_port)
SOFTHSM2_CONF=$T/on.conf CHUNGTHU_HSM_PIN=33334444 "$CHUNGTHU" --home "$ON" serve --listen "127.0.0.1:$PORT" >"$T/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/crl/root.crl" -o "$T/http.crl"
same "/crl/root.crl is the ceremony's" "$(sha256sum <"$OFF/root.crl")" "$(sha256sum <"$T/http.crl" 2>/dev/null)"
kill $SERVER; wait $SERVER 2>/dev/null

# a newer root CRL from the ceremony; an older one or another CA's is refused
check "second root CRL" off sign-crl --witness "Nguyễn Văn A"
check "import-crl" on ca import-crl "$OFF/root.crl"
refuse "an older CRL" crl.not_newer on ca import-crl "$OFF/crl/1.crl"
on crl show issuing --out "$T/issuing.crl" >/dev/null 2>&1
refuse "another CA's CRL" crl.issuer on ca import-crl "$T/issuing.crl"
check "crl show root" on crl show root --out "$T/served2.crl"
same "the newer CRL is served" "$(sha256sum <"$OFF/crl/2.crl")" "$(sha256sum <"$T/served2.crl")"

# the root revokes the issuing CA at a ceremony: the next root CRL lists it, and once it is
# imported the online key signs nothing more
ISSUING_SERIAL=$(openssl x509 -in "$CA/issuing.crt" -noout -serial | cut -d= -f2)
lines_before=$(wc -l <"$OFF/ceremony.log")
refuse "revoke-issuing with one witness" ceremony.witnesses off revoke-issuing --serial "$ISSUING_SERIAL" --reason keyCompromise --witness A
refuse "revoke-issuing for a reason not a CA's" ceremony.reason off revoke-issuing --serial "$ISSUING_SERIAL" --reason affiliationChanged --witness A --witness B
refuse "revoke-issuing a serial this root never signed" ceremony.unknown_serial off revoke-issuing --serial 0123456789ABCDEF --reason keyCompromise --witness A --witness B
same "refusals wrote nothing to the log" "$lines_before" "$(wc -l <"$OFF/ceremony.log")"
check "revoke-issuing (lower case serial)" off revoke-issuing --serial "$(printf '%s' "$ISSUING_SERIAL" | tr A-F a-f)" --reason keyCompromise --witness "Nguyễn Văn A" --witness "Lê Văn C"
refuse "revoking it twice" ceremony.already_revoked off revoke-issuing --serial "$ISSUING_SERIAL" --reason superseded --witness A --witness B
revocation=$(off log | grep -A1 revoke-issuing)
contains "the log records the revocation" "\"serial\":\"$ISSUING_SERIAL\"" "$revocation"
contains "... before its witnesses" "witnesses: Nguyễn Văn A, Lê Văn C" "$revocation"
check "sign-crl after the revocation" off sign-crl --witness "Nguyễn Văn A"
PAPER=$(sed -n 's/^.*paper record: //p' "$T/out")
same "the step prints the log's head for the paper record" "$(wc -l <"$OFF/ceremony.log")" "${PAPER%%:*}"
crl_text=$(openssl crl -inform DER -in "$OFF/root.crl" -noout -text 2>&1)
contains "openssl crl lists the issuing CA" "Serial Number: $ISSUING_SERIAL" "$crl_text"
contains "... for keyCompromise" "Key Compromise" "$crl_text"
openssl crl -inform DER -in "$OFF/root.crl" -out "$T/root-revoking.pem"
contains "openssl verify -crl_check: the issuing CA is revoked" "certificate revoked" "$(openssl verify -crl_check -CAfile "$T/bundle/root.crt" -CRLfile "$T/root-revoking.pem" "$CA/issuing.crt" 2>&1)"
check "before the import, the key still signs" issue --out "$T/c-before.pem"
check "import-crl of the revoking CRL" on ca import-crl "$OFF/root.crl"
contains "... says the issuing CA is revoked" "revokes this instance's issuing CA" "$(cat "$T/out")"
contains "... audited with the serial" "\"revokes_issuing\":\"$ISSUING_SERIAL\"" "$(q "SELECT detail FROM audit WHERE action='crl.import' ORDER BY id DESC LIMIT 1")"
subscribers=$(q "SELECT count(*) FROM certificates WHERE kind='subscriber'")
refuse "no certificate from a revoked issuing CA" ca.issuing_revoked issue --out "$T/c-after.pem"
contains "... naming the root CRL and the reason" "keyCompromise" "$(cat "$T/err")"
same "... none stored" "$subscribers" "$(q "SELECT count(*) FROM certificates WHERE kind='subscriber'")"
refuse "no issuing CRL from a revoked issuing CA" ca.issuing_revoked on crl generate
refuse "no new OCSP responder from a revoked issuing CA" ca.issuing_revoked on ocsp rotate
rc=0; on doctor --json >"$T/doctor.json" 2>&1 || rc=$?
same "doctor: a revoked issuing CA is an error (exit 2)" 2 "$rc"
same "... naming it in ca_issuing" "error ca.issuing_revoked" "$(jq -r '.checks[] | select(.name=="ca_issuing") | "\(.status) \(.code)"' "$T/doctor.json")"
check "the revoking root CRL is served" on crl show root --out "$T/served3.crl"
same "... the ceremony's" "$(sha256sum <"$OFF/root.crl")" "$(sha256sum <"$T/served3.crl")"

# no root private key anywhere online
if grep -rl "PRIVATE KEY" "$ON" | grep -v "/ca/\(ocsp\|audit\)" | grep -q .; then
    fail "a private key file other than the OCSP/audit ones: $(grep -rl 'PRIVATE KEY' "$ON")"
else pass; fi
if [ -e "$CA/root.key" ]; then fail "ca/root.key exists online"; else pass; fi
ROOT_SPKI=$(openssl x509 -in "$OFF/root.crt" -pubkey -noout | openssl pkey -pubin -outform DER | xxd -p | tr -d '\n')
found=
for f in $(find "$ON" -type f); do
    if xxd -p "$f" | tr -d '\n' | grep -q "${ROOT_SPKI:64:128}"; then
        case $f in */ca/root.crt|*/ca/issuing.crt|*.db|*.db-wal) ;; *) found="$found $f" ;; esac
    fi
done
same "the root's key appears online only in certificates" "" "$found"
online_objects=$(SOFTHSM2_CONF=$T/on.conf pkcs11-tool --module $MODULE --token-label online-hsm --login --pin 33334444 --list-objects 2>&1)
contains "the online HSM holds the issuing key" "chungthu-issuing-ca" "$online_objects"
case $online_objects in *chungthu-root-ca*) fail "the root key on the online HSM" ;; *) pass ;; esac
# no key on the online HSM is the root's: compare each public key with the root certificate's
root_pub=$(openssl x509 -in "$OFF/root.crt" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum)
same_key= compared=0
for id in $(printf '%s\n' "$online_objects" | sed -n 's/^ *ID: *//p' | sort -u); do
    SOFTHSM2_CONF=$T/on.conf pkcs11-tool --module $MODULE --token-label online-hsm --read-object --type pubkey --id "$id" -o "$T/pub.der" >/dev/null 2>&1 || continue
    compared=$((compared + 1))
    [ "$(sha256sum <"$T/pub.der")" = "$root_pub" ] && same_key=$id
done
[ "$compared" -ge 1 ] && pass || fail "no public key read from the online HSM"
same "no root key object online" "" "$same_key"

# the ceremony's log
log=$(off log)
contains "log: init" "init" "$log"
contains "log: sign-issuing" "sign-issuing" "$log"
contains "log: sign-crl" "sign-crl" "$log"
contains "log: bundle" "bundle" "$log"
contains "log: witnesses" "witnesses: Nguyễn Văn A, Lê Văn C" "$log"
contains "log: by whom" "by os:" "$log"
check "ceremony verify" off verify
cp "$OFF/ceremony.log" "$T/log.bak"
sed -i '3s/"Nguyễn Văn A"/"Phạm Văn D"/' "$OFF/ceremony.log"
refuse "edited log" ceremony.log_broken off verify
contains "names the line" "line 3" "$(cat "$T/err")"
refuse "nothing is signed after a broken log" ceremony.log_broken off sign-crl --witness A
cp "$T/log.bak" "$OFF/ceremony.log"
sed -i '2d' "$OFF/ceremony.log"
refuse "a deleted line" ceremony.log_broken off verify
contains "names the line" "line 2" "$(cat "$T/err")"

# a log cut at its end still chains; the head written on paper names the cut
cp "$T/log.bak" "$OFF/ceremony.log"
check "verify against the head on paper" off verify --expect-head "$PAPER"
sed -i '$d' "$OFF/ceremony.log"
check "a log cut at its end still chains on its own" off verify
refuse "... the head on paper names the truncation" ceremony.log_truncated off verify --expect-head "$PAPER"
contains "... and the missing line" "lines ${PAPER%%:*} to ${PAPER%%:*} are missing" "$(cat "$T/err")"
LINE1=$(head -1 "$T/log.bak" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hash"])')
refuse "another ceremony's log in its place" ceremony.log_head_mismatch ct --home "$T/filekey" ceremony verify --expect-head "1:$LINE1"
refuse "a head not written LINES:SHA256" ceremony.head off verify --expect-head "7:abc"
finish

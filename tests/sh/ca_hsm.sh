# ca_hsm.sh — the issuing CA's key on a PKCS#11 HSM (SoftHSM2): made there at init, never in a
# file; certificates, CRLs and OCSP answers signed through C_Sign verify exactly as with a file
# key.
. "$(dirname "$0")/../lib.sh"
MODULE=/usr/lib/softhsm/libsofthsm2.so
mkdir -p "$T/hsm"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$T/hsm" > "$T/softhsm2.conf"
export SOFTHSM2_CONF=$T/softhsm2.conf
check "an HSM token" softhsm2-util --init-token --free --label chungthu-hsm --so-pin 12345678 --pin 87654321
export CHUNGTHU_HSM_PIN=87654321

refuse "HSM label unknown" hsm.not_found ct init --root-key p384 --issuing-key rsa3072 --hsm-token nope
if [ -e "$CHUNGTHU_HOME" ]; then fail "a failed init left files"; else pass; fi
CHUNGTHU_HSM_PIN= refuse "no PIN" hsm.pin ct init --root-key p384 --issuing-key rsa3072 --hsm-token chungthu-hsm
check "init with the issuing key on the HSM" ct init --root-key p384 --issuing-key rsa3072 --hsm-token chungthu-hsm
if [ -e "$CHUNGTHU_HOME/ca/issuing.key" ]; then fail "an issuing key file exists"; else pass; fi
contains "config says pkcs11" "key_storage = pkcs11" "$(cat "$CHUNGTHU_HOME/chungthu.ini")"
objects=$(pkcs11-tool --module $MODULE --token-label chungthu-hsm --login --pin 87654321 --list-objects 2>&1)
contains "CA key on the HSM" "Private Key Object; RSA" "$objects"
contains "never extractable" "never extractable" "$objects"

CA=$CHUNGTHU_HOME/ca
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
check "issue through the HSM" ct cert issue --csr "$T/r.csr" --name "Trần Hưng Đạo" --email dao@mod.gov.vn --province "Ninh Bình" --org "Bộ Quốc phòng" --out "$T/c.pem"
check "chain verifies strictly" openssl verify -x509_strict -purpose smimesign -CAfile "$CA/root.crt" -untrusted "$CA/issuing.crt" "$T/c.pem"
cat "$T/c.pem" "$CA/issuing.crt" "$CA/root.crt" > "$T/full.pem"
contains "certtool verifies" "Chain verification output: Verified" "$(certtool --verify-chain --infile "$T/full.pem" 2>&1)"
check "OCSP responder certificate verifies" openssl verify -x509_strict -CAfile "$CA/root.crt" -untrusted "$CA/issuing.crt" "$CA/ocsp.crt"
check "revoke" ct cert revoke "$(openssl x509 -in "$T/c.pem" -noout -serial | sed 's/serial=//')" --reason superseded
check "CRL signed on the HSM" ct crl show issuing --out "$T/i.crl"
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
check "openssl crl -verify" openssl crl -inform DER -in "$T/i.crl" -CAfile "$T/chain.pem" -verify -noout
contains "revoked entry" "Superseded" "$(openssl crl -inform DER -in "$T/i.crl" -noout -text)"
CHUNGTHU_HSM_PIN=00000000 refuse "wrong HSM PIN" token.wrong_pin ct cert list
finish

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
# the audit-signing key beside the issuing CA's on the HSM
if [ -e "$CA/audit.key" ]; then fail "an audit key file exists"; else pass; fi
contains "the audit-signing key is on the HSM" "label:      chungthu-audit" "$(pkcs11-tool --module $MODULE --token-label chungthu-hsm --login --pin 87654321 --list-objects 2>&1)"
check "a checkpoint signed on the HSM" ct audit checkpoint
check "which verifies" ct audit verify
contains "... with its checkpoint" "signed checkpoints" "$(cat "$T/out")"
tail -1 "$CHUNGTHU_HOME/audit-checkpoints.jsonl" > "$T/line.json"
python3 - "$T/line.json" "$T" <<'PY'
import base64, json, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[2] + "/body", "w").write(json.dumps(d["checkpoint"], separators=(",", ":"), sort_keys=True, ensure_ascii=False))
open(sys.argv[2] + "/sig", "wb").write(base64.b64decode(d["signature"]))
PY
openssl x509 -in "$CA/audit.crt" -pubkey -noout > "$T/audit.pub"
check "OpenSSL verifies the HSM's signature on it" openssl dgst -sha256 -verify "$T/audit.pub" -signature "$T/sig" "$T/body"
CHUNGTHU_HSM_PIN=00000000 refuse "wrong HSM PIN" token.wrong_pin ct cert list
finish

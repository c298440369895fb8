# crl_ocsp.sh — what relying parties check: CRLs verified by `openssl crl`, OCSP answers
# verified by `openssl ocsp` and GnuTLS `ocsptool`, for good, on-hold, revoked and foreign
# certificates, with SHA-1 and SHA-256 CertIDs; garbage gets malformedRequest.
. "$(dirname "$0")/../lib.sh"
CA=$CHUNGTHU_HOME/ca
DB=$CHUNGTHU_HOME/chungthu.db

check "init" ct init --root-key p384 --issuing-key p256
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
issue() { ct cert issue --csr "$T/r.csr" --name "$1" --email "$2" --province "Huế" --org "Bộ Y tế" --out "$T/$3.pem" ${4:-} >/dev/null; }
check "issue active" issue "Hoàng Văn Thụ" thu@moh.gov.vn good
check "issue on hold" issue "Nguyễn Thị Minh Khai" khai@moh.gov.vn held --hold
check "issue to revoke" issue "Lý Tự Trọng" trong@moh.gov.vn bad
serial() { openssl x509 -in "$T/$1.pem" -noout -serial | sed 's/serial=//'; }
check "revoke keyCompromise" ct cert revoke "$(serial bad)" --reason keyCompromise
refuse "revoke twice" cert.already_revoked ct cert revoke "$(serial bad)" --reason keyCompromise
refuse "unknown reason" revoke.reason ct cert revoke "$(serial good)" --reason boredom
refuse "certificateHold is not an operator's reason" revoke.reason ct cert revoke "$(serial good)" --reason certificateHold

# ---- CRLs ----
check "crl generate" ct crl generate
check "issuing CRL" ct crl show issuing --out "$T/issuing.crl"
check "root CRL" ct crl show root --out "$T/root.crl"
check "openssl crl -verify (issuing)" openssl crl -inform DER -in "$T/issuing.crl" -CAfile "$T/chain.pem" -verify -noout
check "openssl crl -verify (root)" openssl crl -inform DER -in "$T/root.crl" -CAfile "$CA/root.crt" -verify -noout
text=$(openssl crl -inform DER -in "$T/issuing.crl" -noout -text)
contains "CRL number" "X509v3 CRL Number" "$text"
contains "AKI" "X509v3 Authority Key Identifier" "$text"
contains "hold entry" "$(serial held)" "$text"
contains "hold reason" "Certificate Hold" "$text"
contains "revoked entry" "$(serial bad)" "$text"
contains "revoked reason" "Key Compromise" "$text"
if printf '%s' "$text" | grep -q "$(serial good)"; then fail "an active certificate is on the CRL"; else pass; fi
same "entries match the database" "$(sqlite3 "$DB" "select count(*) from certificates where issuer='issuing' and status in ('hold','revoked')")" \
    "$(printf '%s\n' "$text" | grep -c 'Serial Number:')"
n1=$(openssl crl -inform DER -in "$T/issuing.crl" -noout -crlnumber | sed 's/crlNumber=0x//')
check "crl generate again" ct crl generate
ct crl show issuing --out "$T/issuing2.crl" >/dev/null
n2=$(openssl crl -inform DER -in "$T/issuing2.crl" -noout -crlnumber | sed 's/crlNumber=0x//')
if [ $((16#$n2)) -gt $((16#$n1)) ]; then pass; else fail "CRL number did not increase ($n1 → $n2)"; fi
contains "root CRL lists nothing" "No Revoked Certificates" "$(openssl crl -inform DER -in "$T/root.crl" -noout -text)"

# ---- OCSP ----
ask() { # ask NAME [digest] → prints openssl's verdict
    openssl ocsp -issuer "$CA/issuing.crt" ${2:+-$2} -cert "$T/$1.pem" -reqout "$T/$1.req" -no_nonce >/dev/null 2>&1
    ct ocsp respond --in "$T/$1.req" --out "$T/$1.resp" >/dev/null
    openssl ocsp -respin "$T/$1.resp" -issuer "$CA/issuing.crt" ${2:+-$2} -cert "$T/$1.pem" -CAfile "$T/chain.pem" 2>&1
}
contains "good (SHA-1 CertID)" "$T/good.pem: good" "$(ask good)"
contains "response verifies" "Response verify OK" "$(ask good)"
contains "good (SHA-256 CertID)" "$T/good.pem: good" "$(ask good sha256)"
held=$(ask held)
contains "on hold: revoked" "$T/held.pem: revoked" "$held"
contains "on hold: certificateHold" "Reason: certificateHold" "$held"
bad=$(ask bad sha256)
contains "revoked: keyCompromise" "Reason: keyCompromise" "$bad"
# a certificate from another CA
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other.key" -subj "/CN=Other CA" -days 30 -out "$T/other-ca.pem" 2>/dev/null
openssl req -new -key "$T/k.pem" -subj "/CN=stranger" -out "$T/s.csr" 2>/dev/null
openssl x509 -req -in "$T/s.csr" -CA "$T/other-ca.pem" -CAkey "$T/other.key" -set_serial 0x$(serial good) -days 10 -out "$T/stranger.pem" 2>/dev/null
openssl ocsp -issuer "$T/other-ca.pem" -cert "$T/stranger.pem" -reqout "$T/stranger.req" -no_nonce >/dev/null 2>&1
check "answer a foreign certificate" ct ocsp respond --in "$T/stranger.req" --out "$T/stranger.resp"
contains "foreign: unknown" "unknown" "$(openssl ocsp -respin "$T/stranger.resp" -issuer "$T/other-ca.pem" -cert "$T/stranger.pem" -CAfile "$T/chain.pem" -noverify 2>&1)"
# several CertIDs and a nonce in one request
openssl ocsp -issuer "$CA/issuing.crt" -cert "$T/good.pem" -cert "$T/bad.pem" -reqout "$T/two.req" >/dev/null 2>&1
check "two CertIDs with a nonce" ct ocsp respond --in "$T/two.req" --out "$T/two.resp"
two=$(openssl ocsp -reqin "$T/two.req" -respin "$T/two.resp" -CAfile "$T/chain.pem" -resp_text 2>&1)
contains "nonce echoed and response verified" "Response verify OK" "$two"
if printf '%s' "$two" | grep -qi "nonce verify error"; then fail "nonce not echoed"; else pass; fi
same "both answered" "good revoked" "$(printf '%s\n' "$two" | sed -n 's/^ *Cert Status: //p' | tr '\n' ' ' | sed 's/ $//')"
# GnuTLS judges the same responses
gnutls=$(ocsptool --response-info --load-response "$T/held.resp" 2>&1)
contains "ocsptool parses the response" "Certificate Status: revoked" "$gnutls"
check "ocsptool verifies the response" ocsptool --verify-response --load-response "$T/good.resp" --load-issuer "$CA/issuing.crt" --load-trust "$T/chain.pem"
# CertID hash algorithm parameters: none or NULL are answered (in the form asked), anything
# else is a malformed request, not a signed answer echoing them
certid() { python3 "$CT_SRC/tests/ocsp_certid.py" "$T/good.req" "$T/$1.req" "$2"; ct ocsp respond --in "$T/$1.req" --out "$T/$1.resp" >/dev/null; }
openssl ocsp -issuer "$CA/issuing.crt" -cert "$T/good.pem" -reqout "$T/good.req" -no_nonce >/dev/null 2>&1
certid params-integer 020105
contains "INTEGER parameters: malformedRequest" "malformedrequest" "$(openssl ocsp -respin "$T/params-integer.resp" -noverify 2>&1 | tr A-Z a-z)"
certid params-oid 06032a0304
contains "OID parameters: malformedRequest" "malformedrequest" "$(openssl ocsp -respin "$T/params-oid.resp" -noverify 2>&1 | tr A-Z a-z)"
certid params-two-nulls 05000500
contains "two NULLs: malformedRequest" "malformedrequest" "$(openssl ocsp -respin "$T/params-two-nulls.resp" -noverify 2>&1 | tr A-Z a-z)"
certid params-absent ""
contains "absent parameters: answered good" "$T/good.pem: good" "$(openssl ocsp -respin "$T/params-absent.resp" -reqin "$T/params-absent.req" -issuer "$CA/issuing.crt" -cert "$T/good.pem" -CAfile "$T/chain.pem" 2>&1)"
hex() { od -An -tx1 -v "$1" | tr -d ' \n'; }
# the answer's CertID: SEQUENCE { OID sha1 } (30 07 06 05 2b0e03021a), without a NULL after it
contains "absent parameters echoed absent" "300706052b0e03021a0414" "$(hex "$T/params-absent.resp")"
certid params-null 0500
contains "NULL parameters: answered good" "$T/good.pem: good" "$(openssl ocsp -respin "$T/params-null.resp" -reqin "$T/params-null.req" -issuer "$CA/issuing.crt" -cert "$T/good.pem" -CAfile "$T/chain.pem" 2>&1)"
contains "NULL parameters echoed NULL" "300906052b0e03021a05000414" "$(hex "$T/params-null.resp")"
# garbage, truncated and oversized requests → malformedRequest, not a crash
printf 'garbage' > "$T/garbage.req"
check "garbage request answered" ct ocsp respond --in "$T/garbage.req" --out "$T/garbage.resp"
contains "malformedRequest" "malformedrequest" "$(openssl ocsp -respin "$T/garbage.resp" -noverify 2>&1 | tr A-Z a-z)"
head -c 20 "$T/good.req" > "$T/short.req"
check "truncated request answered" ct ocsp respond --in "$T/short.req" --out "$T/short.resp"
contains "truncated: malformedRequest" "malformedrequest" "$(openssl ocsp -respin "$T/short.resp" -noverify 2>&1 | tr A-Z a-z)"
check "audit verify" ct audit verify
finish

# cert_issue.sh — an instance's CA hierarchy and subscriber certificates, judged by OpenSSL and
# GnuTLS; bad input refused with nothing stored; the audit chain catches an edited row.
. "$(dirname "$0")/../lib.sh"

# ---- init with the default hierarchy (RSA-4096 root, RSA-3072 issuing) ----
check "init" ct init
same "config is private" "600" "$(stat -c %a "$CHUNGTHU_HOME/chungthu.ini")"
same "root key is private" "600" "$(stat -c %a "$CHUNGTHU_HOME/ca/root.key")"
same "issuing key is private" "600" "$(stat -c %a "$CHUNGTHU_HOME/ca/issuing.key")"
contains "key is encrypted" "ENCRYPTED PRIVATE KEY" "$(head -1 "$CHUNGTHU_HOME/ca/issuing.key")"
refuse "init twice" instance.exists ct init
ROOT=$CHUNGTHU_HOME/ca/root.crt
ISSUING=$CHUNGTHU_HOME/ca/issuing.crt
contains "root is RSA-4096" "Public-Key: (4096 bit)" "$(openssl x509 -in "$ROOT" -noout -text)"
contains "issuing is RSA-3072" "Public-Key: (3072 bit)" "$(openssl x509 -in "$ISSUING" -noout -text)"
check "issuing CA verifies against root (strict)" openssl verify -x509_strict -CAfile "$ROOT" "$ISSUING"
check "OCSP responder cert verifies" openssl verify -x509_strict -CAfile "$ROOT" -untrusted "$ISSUING" -purpose ocsphelper "$CHUNGTHU_HOME/ca/ocsp.crt"
text=$(openssl x509 -in "$ISSUING" -noout -text)
contains "issuing pathlen 0, critical" "CA:TRUE, pathlen:0" "$text"
contains "issuing CDP of root CRL" "http://127.0.0.1:8080/crl/root.crl" "$text"
text=$(openssl x509 -in "$CHUNGTHU_HOME/ca/ocsp.crt" -noout -text)
contains "OCSP EKU" "OCSP Signing" "$text"
contains "OCSP nocheck" "OCSP No Check" "$text"

# ---- a subscriber from a CSR ----
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/sub.key" -subj "/CN=ignored" -out "$T/sub.csr" 2>/dev/null
NAME="Nguyễn Thị Thu Hà"
check "issue from CSR" ct cert issue --csr "$T/sub.csr" --name "$NAME" --email "ha.ntt@bocongan.gov.vn" \
    --province "Hà Nội" --org "Bộ Công an" --unit "Cục Viễn thông" --unit "Phòng 3" --out "$T/sub.crt"
cat "$ISSUING" "$ROOT" > "$T/chain.pem"
check "openssl verify -x509_strict -purpose smimesign" \
    openssl verify -x509_strict -purpose smimesign -CAfile "$ROOT" -untrusted "$ISSUING" "$T/sub.crt"
check "openssl verify -purpose sslclient" \
    openssl verify -x509_strict -purpose sslclient -CAfile "$ROOT" -untrusted "$ISSUING" "$T/sub.crt"
cat "$T/sub.crt" "$ISSUING" "$ROOT" > "$T/full.pem"
check "certtool --verify-chain" certtool --verify-chain --infile "$T/full.pem"
contains "certtool says verified" "Chain verification output: Verified" "$(certtool --verify-chain --infile "$T/full.pem" 2>&1)"
check "certtool --verify against root" certtool --verify --load-ca-certificate "$ROOT" --infile <(cat "$T/sub.crt" "$ISSUING")

text=$(openssl x509 -in "$T/sub.crt" -noout -text)
contains "v3" "Version: 3 (0x2)" "$text"
contains "basicConstraints critical" "X509v3 Basic Constraints: critical" "$text"
contains "CA:FALSE" "CA:FALSE" "$text"
contains "keyUsage critical" "X509v3 Key Usage: critical" "$text"
contains "keyUsage bits (RSA)" "Digital Signature, Non Repudiation, Key Encipherment" "$text"
contains "EKU" "TLS Web Client Authentication, E-mail Protection" "$text"
contains "policy OID" "Policy: 1.3.6.1.4.1.32473.1.1" "$text"
contains "CPS" "CPS: http://127.0.0.1:8080/cps" "$text"
contains "SAN e-mail" "email:ha.ntt@bocongan.gov.vn" "$text"
contains "AKI" "X509v3 Authority Key Identifier" "$text"
contains "SKI" "X509v3 Subject Key Identifier" "$text"
contains "CDP" "URI:http://127.0.0.1:8080/crl/issuing.crl" "$text"
contains "AIA OCSP" "OCSP - URI:http://127.0.0.1:8080/ocsp" "$text"
contains "AIA caIssuers" "CA Issuers - URI:http://127.0.0.1:8080/ca/issuing.crt" "$text"
contains "sha256WithRSA" "Signature Algorithm: sha256WithRSAEncryption" "$text"
# criticality: exactly two critical extensions
same "only basicConstraints and keyUsage are critical" "2" "$(printf '%s\n' "$text" | grep -c ': critical')"
serial_len=$(openssl x509 -in "$T/sub.crt" -noout -serial | sed 's/serial=//' | tr -d '\n' | wc -c)
same "serial is 16 bytes" "32" "$serial_len"

# The CN round-trips byte for byte as UTF8String.
cn_hex=$(openssl asn1parse -in "$T/sub.crt" | grep -A1 ':commonName' | tail -1)
contains "CN is UTF8STRING" "UTF8STRING" "$cn_hex"
subj=$(openssl x509 -in "$T/sub.crt" -noout -subject -nameopt utf8,-esc_msb,sep_multiline | sed -n 's/^ *CN=//p')
same "CN bytes" "$(printf '%s' "$NAME" | od -An -tx1)" "$(printf '%s' "$subj" | od -An -tx1)"
contains "subject order" "C = VN, L = Hà Nội, O = Bộ Công an, OU = Cục Viễn thông, OU = Phòng 3, CN = $NAME" \
    "$(openssl x509 -in "$T/sub.crt" -noout -subject -nameopt utf8,-esc_msb,sep_comma_plus_space,space_eq)"

# The same name typed decomposed (NFD) gives the same subject bytes.
NFD=$(python3 -c 'import unicodedata,sys; print(unicodedata.normalize("NFD", sys.argv[1]), end="")' "$NAME")
check "issue with decomposed name" ct cert issue --csr "$T/sub.csr" --name "$NFD" --email "ha2@bocongan.gov.vn" \
    --province "ha noi" --org "Bộ Công an" --out "$T/nfd.crt"
subj2=$(openssl x509 -in "$T/nfd.crt" -noout -subject -nameopt utf8,-esc_msb,sep_multiline | sed -n 's/^ *CN=//p')
same "NFD and NFC give the same CN bytes" "$(printf '%s' "$NAME" | od -An -tx1)" "$(printf '%s' "$subj2" | od -An -tx1)"
contains "province canonicalised" "L = Hà Nội" "$(openssl x509 -in "$T/nfd.crt" -noout -subject -nameopt utf8,-esc_msb,space_eq)"

# ---- show / list ----
serial=$(openssl x509 -in "$T/sub.crt" -noout -serial | sed 's/serial=//')
check "cert show" ct cert show "$serial" --json
contains "show: status active" '"status": "active"' "$(cat "$T/out")"
contains "show: subject" "CN=$NAME" "$(cat "$T/out")"
check "cert show lower-case serial" ct cert show "$(printf '%s' "$serial" | tr A-F a-f)"
same "cert show --pem gives the same certificate" "$(openssl x509 -in "$T/sub.crt" -outform der | sha256sum)" \
    "$(ct cert show "$serial" --pem | openssl x509 -outform der | sha256sum)"
check "cert list" ct cert list --kind subscriber --json
same "two subscriber certificates" "2" "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")"
contains "search is diacritic-insensitive" "$serial" "$(ct cert list --query "nguyen thi thu ha bo cong an")"
refuse "unknown serial" cert.not_found ct cert show 0011223344
refuse "bad serial" cert.serial_invalid ct cert show "zz'; drop table"

count() { ct cert list --kind subscriber | wc -l; }
before=$(count)
base=(--csr "$T/sub.csr" --email a@b.gov.vn --province "Hà Nội" --org "Bộ Nội vụ")
refuse "empty name" text.empty ct cert issue "${base[@]}" --name "   "
refuse "65-character name" text.too_long ct cert issue "${base[@]}" --name "$(printf 'Ă%.0s' $(seq 65))"
check "64-character name accepted" ct cert issue "${base[@]}" --name "$(printf 'Ă%.0s' $(seq 64))" --days 30
before=$(count)
refuse "control character" text.control_char ct cert issue "${base[@]}" --name "$(printf 'Lê\tVăn')"
refuse "invalid UTF-8" text.invalid_utf8 ct cert issue "${base[@]}" --name "$(printf 'L\xc3\x28')"
refuse "invalid e-mail" email.invalid ct cert issue --csr "$T/sub.csr" --name "Lê Văn Tám" --email "not-an-address" --province "Huế" --org "Bộ Nội vụ"
refuse "unknown province" province.unknown ct cert issue --csr "$T/sub.csr" --name "Lê Văn Tám" --email t@b.gov.vn --province "Hà Tây" --org "Bộ Nội vụ"
refuse "over 5 years" validity.too_long ct cert issue "${base[@]}" --name "Lê Văn Tám" --days 1900
refuse "zero days" validity.invalid ct cert issue "${base[@]}" --name "Lê Văn Tám" --days 0
# Nine years on, a 3-year certificate would outlive the 10-year issuing CA.
refuse "beyond the issuing CA" validity.beyond_issuer env CHUNGTHU_NOW=$(( $(date +%s) + 9*365*86400 )) "$CHUNGTHU" cert issue "${base[@]}" --name "Lê Văn Tám" --days 1000
openssl genrsa -out "$T/small.key" 1024 2>/dev/null
openssl req -new -key "$T/small.key" -subj "/CN=x" -out "$T/small.csr" 2>/dev/null
refuse "RSA-1024 key" key.too_small ct cert issue --csr "$T/small.csr" --name "Lê Văn Tám" --email t@b.gov.vn --province "Huế" --org "Bộ Nội vụ"
openssl req -in "$T/sub.csr" -outform der -out "$T/sub.der"
python3 - "$T/sub.der" "$T/bad.der" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[-5] ^= 0x01  # inside the signature
open(sys.argv[2], 'wb').write(d)
PY
refuse "CSR whose signature does not verify" csr.signature ct cert issue --csr "$T/bad.der" --name "Lê Văn Tám" --email t@b.gov.vn --province "Huế" --org "Bộ Nội vụ"
printf 'garbage' > "$T/garbage.csr"
refuse "garbage CSR" csr.malformed ct cert issue --csr "$T/garbage.csr" --name "Lê Văn Tám" --email t@b.gov.vn --province "Huế" --org "Bộ Nội vụ"
same "nothing stored by refused requests" "$before" "$(count)"

# ---- public key file, on hold ----
openssl pkey -in "$T/sub.key" -pubout -out "$T/sub.pub" 2>/dev/null
check "issue from public key, on hold" ct cert issue --pubkey "$T/sub.pub" --name "Trần Văn Đức" --email duc@mof.gov.vn --province "Đà Nẵng" --org "Bộ Tài chính" --hold --json
contains "on hold" '"status": "hold"' "$(cat "$T/out")"
contains "hold has no effective time" '"effective_at": null' "$(cat "$T/out")"

# ---- the audit chain ----
check "audit verify" ct audit verify
contains "audit verify counts rows" "rows" "$(cat "$T/out")"
DB=$CHUNGTHU_HOME/chungthu.db
refuse_edit=$(sqlite3 "$DB" "UPDATE audit SET actor='mallory' WHERE id=2;" 2>&1 || true)
contains "audit rows refuse UPDATE" "append-only" "$refuse_edit"
sqlite3 "$DB" "$AUDIT_UNGUARD; UPDATE audit SET actor='mallory' WHERE id=3;"
if ct audit verify >"$T/out" 2>&1; then fail "audit verify passed on an edited trail"; else pass; fi
contains "audit verify names the edited row" "row 3" "$(cat "$T/out")"

# ---- an EC hierarchy: P-384 root, P-256 issuing, P-256 subscriber ----
export CHUNGTHU_HOME=$T/ec
check "init EC" ct init --root-key p384 --issuing-key p256
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ec.key" -subj "/CN=x" -out "$T/ec.csr" 2>/dev/null
check "issue P-256" ct cert issue --csr "$T/ec.csr" --name "Phạm Minh Chính" --email pmc@chinhphu.vn --province "Hà Nội" --org "Văn phòng Chính phủ" --out "$T/ec.crt"
check "EC chain verifies strictly" openssl verify -x509_strict -purpose smimesign -CAfile "$T/ec/ca/root.crt" -untrusted "$T/ec/ca/issuing.crt" "$T/ec.crt"
cat "$T/ec.crt" "$T/ec/ca/issuing.crt" "$T/ec/ca/root.crt" > "$T/ecfull.pem"
contains "certtool verifies EC chain" "Chain verification output: Verified" "$(certtool --verify-chain --infile "$T/ecfull.pem" 2>&1)"
text=$(openssl x509 -in "$T/ec.crt" -noout -text)
contains "ecdsa-with-SHA256" "Signature Algorithm: ecdsa-with-SHA256" "$text"
if printf '%s' "$text" | grep -q "Key Encipherment"; then fail "EC key must not get keyEncipherment"; else pass; fi
contains "root signs with SHA-384" "ecdsa-with-SHA384" "$(openssl x509 -in "$T/ec/ca/issuing.crt" -noout -text)"

# ---- init failure leaves nothing ----
export CHUNGTHU_HOME=$T/failed
refuse "bad key type" key.type ct init --root-key rsa1024
if [ -e "$T/failed" ]; then fail "failed init left $T/failed behind"; else pass; fi
finish

# ocsp_unknown.sh — an OCSP request for a serial this CA never issued, under our own issuer:
# answered `unknown` (signed, verifiable) by `ocsp respond` and by the server over POST and GET,
# with SHA-1 and SHA-256 CertIDs, twenty at once, and the server keeps serving afterwards.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
CA=$CHUNGTHU_HOME/ca
UNKNOWN=0123456789ABCDEF0123456789ABCDEF

check "init" ct init --root-key p384 --issuing-key p256
start_server --threads 8 || exit 1
# the issuer as a relying party gets it: from the server, checked against the instance's copy
same "GET /ca/issuing.crt" "200" "$(curl -o "$T/issuing.der" -w '%{http_code}' "$BASE/ca/issuing.crt")"
openssl x509 -inform DER -in "$T/issuing.der" -out "$T/issuing.pem"
same "it is the instance's issuing CA" "$(openssl x509 -in "$CA/issuing.crt" -noout -fingerprint -sha256)" \
    "$(openssl x509 -in "$T/issuing.pem" -noout -fingerprint -sha256)"
cat "$T/issuing.pem" "$CA/root.crt" > "$T/chain.pem"

# a certificate that does exist, to show the same path answers `good` for it
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
check "issue one certificate" ct cert issue --csr "$T/r.csr" --name "Hoàng Văn Thụ" --email thu@moh.gov.vn --province "Huế" --org "Bộ Y tế" --out "$T/good.pem"
GOOD=$(openssl x509 -in "$T/good.pem" -noout -serial | sed 's/serial=//')

# request DIGEST SERIAL NAME: an OCSP request (no nonce) in $T/NAME.req
request() { openssl ocsp $1 -issuer "$T/issuing.pem" -serial "0x$2" -no_nonce -reqout "$T/$3.req" >/dev/null 2>&1; }
# verdict DIGEST SERIAL RESPONSE: what openssl makes of the response, verified against the chain
verdict() { openssl ocsp $1 -respin "$3" -issuer "$T/issuing.pem" -serial "0x$2" -CAfile "$T/chain.pem" 2>&1; }
status_of() { printf '%s\n' "$1" | sed -n "s/^0x$2: *//Ip" | head -1; }
urlsafe() { base64 -w0 < "$1" | tr '+/' '-_' | tr -d '='; }
pct() { base64 -w0 < "$1" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g'; }

check "openssl builds a SHA-1 CertID request" request "" "$UNKNOWN" unknown1
check "openssl builds a SHA-256 CertID request" request -sha256 "$UNKNOWN" unknown256
contains "the request carries SHA-256" "Hash Algorithm: sha256" "$(openssl ocsp -reqin "$T/unknown256.req" -req_text 2>&1)"
check "request for the good certificate" request "" "$GOOD" good

# ---- the command line ----
for d in 1 256; do
    digest=; [ $d = 256 ] && digest=-sha256
    ct ocsp respond --in "$T/unknown$d.req" --out "$T/cli$d.resp" > "$T/out" 2> "$T/err"
    same "ocsp respond (SHA-$d CertID) exits 0" "0" "$?"
    v=$(verdict "$digest" "$UNKNOWN" "$T/cli$d.resp")
    same "ocsp respond (SHA-$d): unknown" "unknown" "$(status_of "$v" "$UNKNOWN")"
    contains "ocsp respond (SHA-$d): signed and verifiable" "Response verify OK" "$v"
done
ct ocsp respond --in "$T/good.req" --out "$T/cli-good.resp" > /dev/null 2>&1
same "ocsp respond: the issued certificate is good" "good" "$(status_of "$(verdict "" "$GOOD" "$T/cli-good.resp")" "$GOOD")"

# ---- the server, one request at a time ----
post() { curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/$1.req" -o "$T/$2" -w '%{http_code}' "$BASE/ocsp"; }
same "POST /ocsp (good certificate)" "200" "$(post good http-good.resp)"
same "POST /ocsp: good" "good" "$(status_of "$(verdict "" "$GOOD" "$T/http-good.resp")" "$GOOD")"
for d in 1 256; do
    digest=; [ $d = 256 ] && digest=-sha256
    same "POST /ocsp (SHA-$d, unknown serial)" "200" "$(post "unknown$d" "post$d.resp")"
    v=$(verdict "$digest" "$UNKNOWN" "$T/post$d.resp")
    same "POST /ocsp (SHA-$d): unknown" "unknown" "$(status_of "$v" "$UNKNOWN")"
    contains "POST /ocsp (SHA-$d): verifiable" "Response verify OK" "$v"
    same "/healthz after POST (SHA-$d)" "200" "$(curl -o /dev/null -w '%{http_code}' "$BASE/healthz")"
    revive "POST /ocsp (SHA-$d, unknown serial)"
    same "GET /ocsp/<base64url> (SHA-$d)" "200" "$(curl -o "$T/get$d.resp" -w '%{http_code}' "$BASE/ocsp/$(urlsafe "$T/unknown$d.req")")"
    same "GET /ocsp/<base64url> (SHA-$d): unknown" "unknown" "$(status_of "$(verdict "$digest" "$UNKNOWN" "$T/get$d.resp")" "$UNKNOWN")"
    revive "GET /ocsp/<base64url> (SHA-$d, unknown serial)"
    same "GET /ocsp/<percent-encoded> (SHA-$d)" "200" "$(curl -o "$T/pct$d.resp" -w '%{http_code}' "$BASE/ocsp/$(pct "$T/unknown$d.req")")"
    same "GET /ocsp/<percent-encoded> (SHA-$d): unknown" "unknown" "$(status_of "$(verdict "$digest" "$UNKNOWN" "$T/pct$d.resp")" "$UNKNOWN")"
    revive "GET /ocsp/<percent-encoded> (SHA-$d, unknown serial)"
done

# ---- twenty at once, POST and GET mixed: every one answered unknown, the server still up ----
get_path=$(urlsafe "$T/unknown1.req")
one() {
    if [ $(($1 % 2)) = 0 ]; then
        curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/unknown1.req" -o "$T/race/$1.resp" -w '%{http_code}' "$BASE/ocsp"
    else
        curl -o "$T/race/$1.resp" -w '%{http_code}' "$BASE/ocsp/$get_path"
    fi
}
race 20 one
same "20 parallel requests all answered 200 ($(race_summary))" "20" "$(race_count 200)"
unknowns=0
for i in $(seq 1 20); do
    [ "$(status_of "$(verdict "" "$UNKNOWN" "$T/race/$i.resp")" "$UNKNOWN")" = unknown ] && unknowns=$((unknowns + 1))
done
same "20 parallel requests all answered unknown" "20" "$unknowns"
same "/healthz at the end" "200" "$(curl -o /dev/null -w '%{http_code}' "$BASE/healthz")"
check "audit verify" ct audit verify
stop_server
finish

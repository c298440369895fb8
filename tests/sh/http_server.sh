# http_server.sh — `chungthu serve` on 127.0.0.1: the public site, downloads, CRLs and OCSP as
# relying parties use them (openssl ocsp -url, GnuTLS ocsptool --ask), hostile requests, and a
# clean stop on SIGTERM.
. "$(dirname "$0")/../lib.sh"
CA=$CHUNGTHU_HOME/ca
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
curl() { command curl -m 10 "$@"; } # no request may hang the test

check "init" ct init --root-key p384 --issuing-key p256 --base-url "$URL"
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
issue() { ct cert issue --csr "$T/r.csr" --name "$1" --email "$2" --province "Hà Nội" --org "Bộ Tư pháp" --unit "Vụ Pháp luật" --out "$T/$3.pem" ${4:-} >/dev/null; }
serial() { openssl x509 -in "$T/$1.pem" -noout -serial | sed 's/serial=//'; }
check "publish one" issue "Nguyễn Thị Thu Hà" ha@moj.gov.vn ha
check "one on hold" issue "Đỗ Hoàng Nam" nam@moj.gov.vn nam --hold
check "one to revoke" issue "Phan Bội Châu" chau@moj.gov.vn chau

# a page of results and more: 21 more people named Nguyễn (names hold letters only; no given
# name below is the beginning of another)
i=0
for given in Hùng Lâm Khoa Quân Kiên Huy Long Lực Đạt Cường Dũng Định Hiếu Hòa Hải Khánh Kỳ Luân Quý Thắng Xuân; do
    i=$((i + 1))
    ct cert issue --csr "$T/r.csr" --name "Nguyễn Văn Số $given" --email "so$i@moj.gov.vn" --province "Hà Nội" --org "Bộ Tư pháp" >/dev/null || fail "issue $given"
done

# the binary itself (not a shell function) in the background, so that $! is the server
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" --access-log "$T/access.log" 2> "$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$T"' EXIT
# wait until it answers (bounded: 20 s under the sanitizers)
for _ in $(seq 1 200); do curl -fs "$URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
check "healthz" curl -fsS "$URL/healthz"
contains "healthz says ok" '"status":"ok","database":"ok"' "$(cat "$T/out")"

# ---- the site ----
home=$(curl -fsS -D "$T/h" "$URL/")
contains "home in Vietnamese" "Tra cứu chứng thư số" "$home"
contains "home lists the root certificate" "/ca/root.crt" "$home"
contains "CSP header" "Content-Security-Policy: default-src 'self'" "$(cat "$T/h")"
contains "no sniffing" "X-Content-Type-Options: nosniff" "$(cat "$T/h")"
contains "no framing" "X-Frame-Options: DENY" "$(cat "$T/h")"
en=$(curl -fsS "$URL/?lang=en")
contains "English switch" "Certificate directory" "$en"
contains "English links keep the language" 'href="/certs?lang=en"' "$en"
contains "home: fingerprint of the root" "$(openssl x509 -in "$CA/root.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')" "$home"
contains "home: CRL link" '/crl/issuing.crl' "$home"
same "HEAD /" "200" "$(curl -s -I -o /dev/null -w '%{http_code}' "$URL/")"
same "style sheet" "text/css; charset=utf-8" "$(curl -fsS -o /dev/null -w '%{content_type}' "$URL/site.css")"
found=$(curl -fsS "$URL/certs?q=nguyen+thi+thu+ha")
contains "diacritic-insensitive search" "Nguyễn Thị Thu Hà" "$found"
contains "search result links the page" "/certs/$(serial ha)" "$found"
contains "search by serial" "Nguyễn Thị Thu Hà" "$(curl -fsS "$URL/certs?q=$(serial ha)")"
contains "search by unit" "Nguyễn Thị Thu Hà" "$(curl -fsS "$URL/certs?q=vu+phap+luat")"
contains "search by words in another order, upper case" "Nguyễn Thị Thu Hà" "$(curl -fsS "$URL/certs?q=HA+Nguyen")"
contains "search with diacritics" "Nguyễn Thị Thu Hà" "$(curl -fsS "$URL/certs?q=Nguy%E1%BB%85n+Th%E1%BB%8B")"
contains "search by e-mail" "Nguyễn Thị Thu Hà" "$(curl -fsS "$URL/certs?q=ha%40moj.gov.vn")"
contains "the last word still being typed" "Nguyễn Thị Thu Hà" "$(curl -fsS "$URL/certs?q=nguyen+thi+thu+h")"
contains "one word being typed" "Nguyễn Thị Thu Hà" "$(curl -fsS "$URL/certs?q=lua")"
same "a name as typed finds just it" "1" "$(curl -fsS "$URL/certs?q=van+so+hai" | grep -c '<tr><td><a href="/certs/')"
same "words anywhere, in any order" "1" "$(curl -fsS "$URL/certs?q=hai+so+nguyen" | grep -c '<tr><td><a href="/certs/')"
contains "search: organisation column" "Vụ Pháp luật, Bộ Tư pháp" "$found"
p1=$(curl -fsS "$URL/certs?q=nguyen")
same "page 1 holds 20" "20" "$(printf '%s' "$p1" | grep -c '<tr><td><a href="/certs/')"
contains "page 1 links page 2" "/certs?q=nguyen&amp;page=2" "$p1"
contains "newest publication first" "Nguyễn Văn Số Xuân" "$(printf '%s' "$p1" | grep -m1 '<tr><td><a href="/certs/')"
p2=$(curl -fsS "$URL/certs?q=nguyen&page=2")
same "page 2 holds the rest" "2" "$(printf '%s' "$p2" | grep -c '<tr><td><a href="/certs/')"
contains "page 2 links back" "page=1" "$p2"
same "bad page number: 400" "400" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs?q=a&page=-3")"
contains "nothing found" "Không tìm thấy" "$(curl -fsS "$URL/certs?q=zzzzqqq")"
contains "HTML escaped in the form" 'value="&lt;script&gt;' "$(curl -fsS "$URL/certs?q=%3Cscript%3E")"
if curl -fsS "$URL/certs?q=do+hoang+nam" | grep -q "Đỗ Hoàng Nam"; then fail "a certificate on hold is listed"; else pass; fi
if curl -fsS "$URL/certs" | grep -q "Đỗ Hoàng Nam"; then fail "a certificate on hold is listed (all)"; else pass; fi
same "a certificate on hold has no page" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs/$(serial nam)")"
page=$(curl -fsS "$URL/certs/$(serial ha)")
contains "page: effective from" "Có hiệu lực từ" "$page"
contains "page: status" "Đang hiệu lực" "$page"
contains "page: time in UTC+7" "(UTC+7)" "$page"
contains "page: time in UTC" " UTC</span>" "$page"
contains "page: serial" "$(serial ha)" "$page"
contains "page in English" "Effective from" "$(curl -fsS "$URL/certs/$(serial ha)?lang=en")"
same "lower-case serial works" "200" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs/$(serial ha | tr A-F a-f)")"
same "on hold: no .pem either" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs/$(serial nam).pem")"
same "unknown serial: 404" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs/0123456789ABCDEF")"
same ".pem content type" "application/x-pem-file" "$(curl -fsS -o /dev/null -w '%{content_type}' "$URL/certs/$(serial ha).pem")"
same ".der = the stored certificate" "$(openssl x509 -in "$T/ha.pem" -outform der | sha256sum)" "$(curl -fsS "$URL/certs/$(serial ha).der" | sha256sum)"
contains "page: fingerprint" "$(ct cert show "$(serial ha)" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256"])')" "$page"
same ".pem download = the stored certificate" "$(ct cert show "$(serial ha)" --pem | sha256sum)" "$(curl -fsS "$URL/certs/$(serial ha).pem" | sha256sum)"
same ".der content type" "application/pkix-cert" "$(curl -fsS -o /dev/null -w '%{content_type}' "$URL/certs/$(serial ha).der")"
same "CA certificate download" "$(openssl x509 -in "$CA/root.crt" -outform der | sha256sum)" "$(curl -fsS "$URL/ca/root.crt" | sha256sum)"

# ---- CRLs ----
check "CRL download" curl -fsS -D "$T/crlh" -o "$T/issuing.crl" "$URL/crl/issuing.crl"
check "openssl crl -verify" openssl crl -inform DER -in "$T/issuing.crl" -CAfile "$T/chain.pem" -verify -noout
contains "hold on the CRL" "$(serial nam)" "$(openssl crl -inform DER -in "$T/issuing.crl" -noout -text)"
etag=$(sed -n 's/^ETag: //p' "$T/crlh" | tr -d '\r')
same "If-None-Match gives 304" "304" "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$URL/crl/issuing.crl")"
same "CRL content type" "application/pkix-crl" "$(curl -fsS -o /dev/null -w '%{content_type}' "$URL/crl/root.crl")"
contains "CRL Last-Modified" "Last-Modified: " "$(cat "$T/crlh")"
contains "CRL max-age" "Cache-Control: public, max-age=" "$(cat "$T/crlh")"
same "unknown CRL: 404" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/crl/ocsp.crl")"

# ---- OCSP ----
ocsp() { openssl ocsp -url "$URL/ocsp" -issuer "$CA/issuing.crt" -cert "$T/$1.pem" -CAfile "$T/chain.pem" 2>&1; }
contains "openssl ocsp: good" "$T/ha.pem: good" "$(ocsp ha)"
contains "response verified" "Response verify OK" "$(ocsp ha)"
contains "on hold: certificateHold" "Reason: certificateHold" "$(ocsp nam)"
# without a nonce, as browsers ask: answered from the pre-signed set and the one-second cache
nonce_free() { openssl ocsp -url "$URL/ocsp" -no_nonce -issuer "$CA/issuing.crt" -cert "$T/$1.pem" -CAfile "$T/chain.pem" 2>&1; }
for _ in 1 2 3 4; do contains "no nonce: good" "$T/chau.pem: good" "$(nonce_free chau)"; done
check "revoke while serving" ct cert revoke "$(serial chau)" --reason keyCompromise
answer=""
for _ in $(seq 1 30); do answer=$(ocsp chau); printf '%s' "$answer" | grep -q keyCompromise && break; sleep 0.1; done
contains "revoked: keyCompromise (seen by the running server)" "Reason: keyCompromise" "$answer"
# the cached nonce-free answers follow within a few seconds (bounded wait, never a fixed sleep)
answer=""
for _ in $(seq 1 50); do answer=$(nonce_free chau); printf '%s' "$answer" | grep -q keyCompromise && break; sleep 0.1; done
contains "revoked, no nonce: keyCompromise within seconds" "Reason: keyCompromise" "$answer"
ocsptool --ask="$URL/ocsp" --load-issuer "$CA/issuing.crt" --load-cert "$T/ha.pem" --load-trust "$T/chain.pem" > "$T/gnutls" 2>&1
contains "GnuTLS ocsptool verifies" "Verifying OCSP Response: Success" "$(cat "$T/gnutls")"
contains "GnuTLS ocsptool: good" "Certificate Status: good" "$(cat "$T/gnutls")"
ocsptool --ask="$URL/ocsp" --load-issuer "$CA/issuing.crt" --load-cert "$T/nam.pem" --load-trust "$T/chain.pem" > "$T/gnutls" 2>&1
contains "GnuTLS ocsptool: on hold is revoked" "Certificate Status: revoked" "$(cat "$T/gnutls")"
# a foreign certificate
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/o.key" -subj "/CN=Other" -days 9 -out "$T/o.pem" 2>/dev/null
openssl x509 -req -in "$T/r.csr" -CA "$T/o.pem" -CAkey "$T/o.key" -set_serial 7 -days 9 -out "$T/stranger.pem" 2>/dev/null
contains "foreign: unknown" "unknown" "$(openssl ocsp -url "$URL/ocsp" -issuer "$T/o.pem" -cert "$T/stranger.pem" -CAfile "$T/chain.pem" -noverify 2>&1)"
# GET form (RFC 6960 A.1), with caching headers
openssl ocsp -issuer "$CA/issuing.crt" -cert "$T/ha.pem" -no_nonce -reqout "$T/ha.req" >/dev/null 2>&1
b64=$(base64 -w0 < "$T/ha.req" | sed 's|/|%2F|g; s|+|%2B|g; s|=|%3D|g')
check "OCSP over GET" curl -fsS -D "$T/gh" -o "$T/get.resp" "$URL/ocsp/$b64"
contains "GET answer is good" "good" "$(openssl ocsp -respin "$T/get.resp" -issuer "$CA/issuing.crt" -cert "$T/ha.pem" -CAfile "$T/chain.pem" 2>&1)"
contains "Cache-Control max-age" "Cache-Control: public, max-age=" "$(cat "$T/gh")"
contains "ETag" "ETag: \"" "$(cat "$T/gh")"
contains "Last-Modified" "Last-Modified: " "$(cat "$T/gh")"
getetag=$(sed -n 's/^ETag: //p' "$T/gh" | tr -d '\r')
same "GET: If-None-Match gives 304" "304" "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $getetag" "$URL/ocsp/$b64")"
raw=$(base64 -w0 < "$T/ha.req")
check "GET with the Base64 not URL-escaped" curl -fsS -o "$T/get2.resp" "$URL/ocsp/$raw"
contains "unescaped GET answer is good" "good" "$(openssl ocsp -respin "$T/get2.resp" -issuer "$CA/issuing.crt" -cert "$T/ha.pem" -CAfile "$T/chain.pem" 2>&1)"
same "GET /ocsp: 405" "405" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ocsp")"
contains "405 names the allowed method" "Allow: POST" "$(curl -s -D - -o /dev/null "$URL/ocsp")"
# hostile requests: proper answers, and the server keeps serving
head -c 300 /dev/urandom > "$T/garbage"
curl -fsS -H 'Content-Type: application/ocsp-request' --data-binary @"$T/garbage" -o "$T/g.resp" "$URL/ocsp"
contains "garbage: malformedRequest" "malformedrequest" "$(openssl ocsp -respin "$T/g.resp" -noverify 2>&1 | tr A-Z a-z)"
head -c 30 "$T/ha.req" > "$T/short"
curl -fsS -H 'Content-Type: application/ocsp-request' --data-binary @"$T/short" -o "$T/s.resp" "$URL/ocsp"
contains "truncated: malformedRequest" "malformedrequest" "$(openssl ocsp -respin "$T/s.resp" -noverify 2>&1 | tr A-Z a-z)"
head -c 20000 /dev/zero > "$T/big"
same "oversized OCSP body: 413" "413" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/ocsp-request' --data-binary @"$T/big" "$URL/ocsp")"
same "wrong content type: 415" "415" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary @"$T/ha.req" "$URL/ocsp")"
same "bad base64 GET: 400" "400" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ocsp/@@@")"
same "path traversal: 400" "400" "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$URL/certs/../../etc/passwd")"
same "bad serial hex: 400" "400" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs/XYZ123")"
same "unknown CA: 404" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ca/evil.crt")"
same "unknown page: 404" "404" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/etc/passwd")"
same "wrong method: 405" "405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/certs")"
same "DELETE: 405" "405" "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$URL/")"
same "encoded dot segments: 400" "400" "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$URL/certs/%2e%2e/%2e%2e/etc/passwd")"
same "backslash: 400" "400" "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$URL/certs/..%5c..%5cetc")"
same "serial too long: 400" "400" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs/$(head -c 60 /dev/zero | tr '\0' 'A')")"
same "odd extension: 400" "400" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs/$(serial ha).exe")"
same "a body where none is taken: 4xx" "400" "$(curl -s -o /dev/null -w '%{http_code}' -X GET --data-binary @"$T/ha.req" "$URL/")"
long=$(head -c 60000 /dev/zero | tr '\0' 'a')
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs?q=$long")
case $code in 4??) pass ;; *) fail "huge query string answered $code" ;; esac
same "search text over 200 characters: 400" "400" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/certs?q=$(head -c 300 /dev/zero | tr '\0' 'a')")"
check "still serving" curl -fsS "$URL/healthz"

# ---- metrics and the access log ----
m=$(curl -fsS "$URL/metrics")
contains "requests counted" 'chungthu_http_requests_total{route="ocsp",code="2xx"}' "$m"
contains "latency histogram" 'chungthu_http_request_duration_seconds_bucket{route="ocsp",le="+Inf"}' "$m"
contains "certificates by status" 'chungthu_certificates{status="hold"} 1' "$m"
contains "OCSP cache hits" 'chungthu_ocsp_cache_hits_total' "$m"
contains "certificates active" 'chungthu_certificates{status="active"} 22' "$m"
contains "certificates revoked" 'chungthu_certificates{status="revoked"} 1' "$m"
contains "dossiers by state" 'chungthu_dossiers{state="received"} 0' "$m"
contains "404s counted" 'chungthu_http_requests_total{route="other",code="4xx"}' "$m"
contains "JSON access log" '"path":"/healthz","route":"healthz","status":200' "$(cat "$T/access.log")"
check "every access log line is JSON" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/access.log"
if grep -q 'nguyen' "$T/access.log"; then fail "a search text reached the access log"; else pass; fi

# ---- a clean stop ----
kill -TERM $SERVER
if wait $SERVER; then pass; else fail "serve did not exit 0 on SIGTERM"; fi
contains "said it stops" "stopping" "$(cat "$T/server.log")"
trap 'rm -rf "$T"' EXIT
finish

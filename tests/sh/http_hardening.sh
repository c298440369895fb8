# http_hardening.sh — the HTTP face against hostile clients: slow clients that trickle their
# request heads and bodies while another client must still be answered within a second (per
# address and through a trusted proxy), the deadlines that close them, X-Forwarded-For believed
# only from configured proxies, invalid UTF-8 in paths and queries, bodies over the limit, and
# cross-site or mistyped state-changing calls. The slow clients are tests/http/slow_clients.py;
# 127.0.0.0/8 is all loopback, so 127.0.0.2… stand for other machines.
. "$(dirname "$0")/../lib.sh"
PORT=$(free_port)
SITE=http://127.0.0.1:$PORT
URL=$SITE/api/v1
INI=$CHUNGTHU_HOME/chungthu.ini
SLOW=$CT_SRC/tests/http/slow_clients.py
curl() { command curl -m 10 -s "$@"; }
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

start() {
    "$CHUNGTHU" serve --listen "127.0.0.1:$PORT" --access-log "$T/access.log" 2> "$T/server.log" &
    SERVER=$!
    for _ in $(seq 1 200); do curl -f "$SITE/healthz" -o /dev/null && return 0; sleep 0.1; done
    fail "the server did not start"; cat "$T/server.log" >&2
}
stop() { # and it exits cleanly (under the sanitizers: without a leak)
    kill -TERM $SERVER
    if wait $SERVER; then pass; else fail "serve did not exit 0 on SIGTERM"; sed 's/^/  | /' "$T/server.log" | tail -20 >&2; fi
    SERVER=
}
setting() { # setting KEY VALUE: in [server] of chungthu.ini
    sed -i "s|^$1 = .*|$1 = $2|" "$INI"
    grep -q "^$1 = $2\$" "$INI" || fail "could not set $1"
}
json() { # json FILE EXPRESSION: a field of a JSON answer (python syntax on j)
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>&1
}

check "init --demo" ct init --demo --root-key p384 --issuing-key p256 --base-url "$SITE"
for key in trusted_proxies header_timeout body_timeout max_connections max_connections_per_client; do
    contains "init writes [server] $key" "$key = " "$(cat "$INI")"
done
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
check "a certificate to ask OCSP about" ct cert issue --csr "$T/r.csr" --name "Nguyễn Thị Thu Hà" --email ha@moj.gov.vn --province "Hà Nội" --org "Bộ Tư pháp" --out "$T/ha.pem"
openssl ocsp -issuer "$CHUNGTHU_HOME/ca/issuing.crt" -cert "$T/ha.pem" -no_nonce -reqout "$T/ha.req" >/dev/null 2>&1
start
contains "says its limits" "4000 connections, 256 per address, 0 trusted proxies; request head within 10 s, body within 120 s" "$(cat "$T/server.log")"
password() { awk -v u="$1" '$1 == u {print $3}' "$CHUNGTHU_HOME/demo-accounts.txt"; }
login() { curl -c "$T/$1.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$(password "$1")\"}" -o /dev/null -w '%{http_code}' "$URL/session"; }
for u in quantri canbo vanthu; do same "login $u" "200" "$(login $u)"; done

# ---- invalid UTF-8 in the path or the query: 400 JSON, never 500 ----
bad_utf8() { # bad_utf8 METHOD ROUTE
    local code
    if [ "$1" = GET ]; then code=$(curl -b "$T/canbo.jar" -o "$T/last" -w '%{http_code} %{content_type}' "$URL/$2")
    else code=$(curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -d '{}' -o "$T/last" -w '%{http_code} %{content_type}' "$URL/$2"); fi
    same "$1 $2: 400 JSON" "400 application/json; charset=utf-8" "$code"
    same "$1 $2: its code" "http.bad_utf8" "$(json "$T/last" 'j["code"]')"
}
bad_utf8 GET "dossiers/%FF"
bad_utf8 GET "dossiers/%FF/receipt"
bad_utf8 GET "dossiers/%FF/notice"
bad_utf8 GET "dossiers/%FF/letter"
bad_utf8 POST "dossiers/%FF/accept"
bad_utf8 POST "dossiers/A%E1%BB/reject"
bad_utf8 GET "lookup?code=%FF&id_number=1"
bad_utf8 GET "certificates?q=Nguy%E1%BB"
bad_utf8 GET "tokens?state=%C0%AF"
bad_utf8 GET "%ED%A0%80" # a surrogate
same "the site: invalid UTF-8 is a 400 page" "400 text/html; charset=utf-8" "$(curl -o /dev/null -w '%{http_code} %{content_type}' "$SITE/certs/%FF")"
same "the site's search: 400" "400" "$(curl -o /dev/null -w '%{http_code}' "$SITE/certs?q=%FF")"
same "OCSP GET: 400" "400" "$(curl -o /dev/null -w '%{http_code}' "$SITE/ocsp/%FF")"
# a path segment too long for any dossier code, ending inside a character once cut
long=$(printf 'a%.0s' $(seq 1 62))
same "an over-long code, cut inside ễ: 404 JSON" "404 dossier.not_found" "$(curl -b "$T/canbo.jar" -o "$T/last" -w '%{http_code}' "$URL/dossiers/${long}%E1%BB%85x") $(json "$T/last" 'j["code"]')"
same "the same in a step: 404 JSON" "404" "$(curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -d '{}' -o "$T/last" -w '%{http_code}' "$URL/dossiers/${long}%E1%BB%85x/accept")"
# a message that quotes 600 bytes of Vietnamese is cut at 512 inside a character
code="x$(printf 'ễ%.0s' $(seq 1 200))"
same "a message cut inside a character: a 400 JSON error" "400" "$(curl -b "$T/quantri.jar" -H 'Content-Type: application/json' -d "{\"code\":\"$code\",\"name\":\"N\",\"province\":\"Huế\",\"head_name\":\"A\",\"head_title\":\"B\",\"kind\":\"state\"}" -o "$T/last" -w '%{http_code}' "$URL/agencies")"
same "its code" "agency.code_invalid" "$(json "$T/last" 'j["code"]')"
contains "its message keeps whole characters" 'agency code "xễễễ' "$(json "$T/last" 'j["message_en"]')"
check "the message is valid UTF-8" python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["message_vi"]; m.encode("utf-8")' "$T/last"

# ---- bodies over the limit: 413 in the route's form ----
head -c 3000000 /dev/zero | tr '\0' ' ' > "$T/big"
same "announced too large: 413 JSON" "413 application/json; charset=utf-8" "$(curl -b "$T/canbo.jar" -H 'Content-Type: application/json' --data-binary @"$T/big" -o "$T/last" -w '%{http_code} %{content_type}' "$URL/dossiers")"
same "its code" "http.too_large" "$(json "$T/last" 'j["code"]')"
contains "it says the limit" "2097152" "$(json "$T/last" 'j["message_en"]')"
same "chunked, too large: 413 JSON" "413 http.too_large" "$(curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$T/big" -o "$T/last" -w '%{http_code}' "$URL/dossiers") $(json "$T/last" 'j["code"]')"
head -c 11000000 /dev/zero > "$T/huge"
same "a letter over 10 MiB: 413 JSON" "413 http.too_large" "$(curl -b "$T/vanthu.jar" -H 'Content-Type: application/pdf' --data-binary @"$T/huge" -o "$T/last" -w '%{http_code}' "$URL/drafts/1/letter?name=a.pdf") $(json "$T/last" 'j["code"]')"
same "a body on an API GET: 400 JSON" "400 http.no_body" "$(curl -b "$T/canbo.jar" -X GET --data-binary 'x' -o "$T/last" -w '%{http_code}' "$URL/session") $(json "$T/last" 'j["code"]')"
head -c 20000 /dev/zero > "$T/big-ocsp"
same "OCSP too large: 413 in plain text" "413 text/plain; charset=utf-8" "$(curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/big-ocsp" -o /dev/null -w '%{http_code} %{content_type}' "$SITE/ocsp")"

# ---- state-changing calls: from this site, of the declared type, logout by POST ----
post() { # [TYPE=…] post USER ROUTE BODY [curl options…] → status and code
    local user=$1 route=$2 body=$3; shift 3
    local status
    # the cookie by hand: with another Host header curl would not send the jar's
    status=$(curl -H "Cookie: chungthu_session=$(awk '$6 == "chungthu_session" {print $7}' "$T/$user.jar")" \
        -H "Content-Type: ${TYPE:-application/json}" "$@" -d "$body" -o "$T/last" -w '%{http_code}' "$URL/$route")
    echo "$status $(json "$T/last" 'j.get("code", "")')"
}
session_ok() { curl -b "$T/$1.jar" -o /dev/null -w '%{http_code}' "$URL/session"; }
same "cross-site Origin: 403" "403 http.origin" "$(post canbo session/logout '{}' -H 'Origin: https://evil.example')"
same "the session was not ended" "200" "$(session_ok canbo)"
same "cross-site Referer: 403" "403 http.origin" "$(post canbo session/logout '{}' -H 'Referer: https://evil.example/page')"
same "Origin null (a sandboxed frame): 403" "403 http.origin" "$(post canbo session/logout '{}' -H 'Origin: null')"
same "same host, another port: 403" "403 http.origin" "$(post canbo session/logout '{}' -H "Origin: http://127.0.0.1:1")"
same "login from another site: 403" "403 http.origin" "$(curl -H 'Content-Type: application/json' -H 'Origin: https://evil.example' -d '{"username":"x","password":"y"}' -o "$T/last" -w '%{http_code}' "$URL/session") $(json "$T/last" 'j["code"]')"
same "this site's Origin (base_url) passes" "400 token.count" "$(post quantri tokens/stock '{"count":0}' -H "Origin: $SITE")"
same "this site's Origin with the default port passes" "400 token.count" "$(post quantri tokens/stock '{"count":0}' -H "Origin: http://ca.example.vn:80" -H 'Host: ca.example.vn')"
same "the Host the browser asked for passes (behind a proxy)" "400 token.count" "$(post quantri tokens/stock '{"count":0}' -H 'Origin: https://ca.example.vn' -H 'Host: ca.example.vn')"
same "a Referer of this site passes" "400 token.count" "$(post quantri tokens/stock '{"count":0}' -H "Referer: $SITE/portal/")"
same "JSON routes: another type is 415" "415 api.content_type" "$(TYPE=text/plain post quantri tokens/stock '{"count":0}')"
same "JSON routes: application/jsonp is not JSON" "415 api.content_type" "$(TYPE=application/jsonp post quantri tokens/stock '{"count":0}')"
same "JSON routes: with a charset passes" "400 token.count" "$(TYPE='Application/JSON; charset=utf-8' post quantri tokens/stock '{"count":0}')"
printf '%%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n' > "$T/letter.pdf"
same "a draft" "201" "$(post vanthu drafts '{"title":"Đợt 1"}' | cut -d' ' -f1)"
DRAFT=$(json "$T/last" 'j["id"]')
letter() { curl -b "$T/vanthu.jar" "$@" --data-binary @"$T/letter.pdf" -o "$T/last" -w '%{http_code}' "$URL/drafts/$DRAFT/letter?name=cv.pdf"; }
same "a letter with no Content-Type: 415" "415 api.content_type" "$(letter -H 'Content-Type:') $(json "$T/last" 'j["code"]')"
same "a letter as text/plain: 415" "415 api.content_type" "$(letter -H 'Content-Type: text/plain') $(json "$T/last" 'j["code"]')"
same "a letter as a form: 415" "415 api.content_type" "$(letter -H 'Content-Type: application/x-www-form-urlencoded') $(json "$T/last" 'j["code"]')"
same "no letter was taken" "" "$(curl -b "$T/vanthu.jar" "$URL/drafts/$DRAFT" -o "$T/last"; json "$T/last" 'j["letter_name"]')"
same "a letter as application/pdf: taken" "200" "$(letter -H 'Content-Type: application/pdf')"
same "logout by GET: 405" "405 http.method" "$(curl -b "$T/canbo.jar" -D "$T/h" -o "$T/last" -w '%{http_code}' "$URL/session/logout") $(json "$T/last" 'j["code"]')"
contains "405 names POST" "Allow: POST" "$(cat "$T/h")"
same "logout as text/plain: 415" "415 api.content_type" "$(curl -b "$T/canbo.jar" -H 'Content-Type: text/plain' -d '{}' -o "$T/last" -w '%{http_code}' "$URL/session/logout") $(json "$T/last" 'j["code"]')"
same "logout with no type: 415" "415" "$(curl -b "$T/canbo.jar" -X POST -o /dev/null -w '%{http_code}' "$URL/session/logout")"
same "still logged in" "200" "$(session_ok canbo)"
same "logout as JSON from this site" "200 " "$(post canbo session/logout '{}' -H "Origin: $SITE")"
same "logged out" "401" "$(session_ok canbo)"
same "unknown API route: 404 JSON" "404 application/json; charset=utf-8" "$(curl -o /dev/null -w '%{http_code} %{content_type}' "$SITE/api/v2/x")"
same "API: wrong method is JSON too" "405 application/json; charset=utf-8" "$(curl -X DELETE -o /dev/null -w '%{http_code} %{content_type}' "$URL/session")"

# ---- X-Forwarded-For: ignored unless the peer is a configured proxy ----
curl -H 'X-Forwarded-For: 203.0.113.7' -o /dev/null "$SITE/nowhere-1"
stop
check "every access log line is JSON" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1], encoding="utf-8", errors="strict")]' "$T/access.log"
contains "an invalid byte is logged as U+FFFD" '"path":"/api/v1/dossiers/\ufffd"' "$(cat "$T/access.log")"
contains "by default X-Forwarded-For is not believed" '"client":"127.0.0.1","method":"GET","path":"/nowhere-1"' "$(cat "$T/access.log")"

setting trusted_proxies "10.0.0.0/33"
refuse "a malformed trusted_proxies" config.trusted_proxies timeout 10 "$CHUNGTHU" serve --listen "127.0.0.1:$PORT"
setting trusted_proxies "127.0.0.1, 10.0.0.0/8"
start
contains "says it trusts them" "2 trusted proxies" "$(cat "$T/server.log")"
curl -H 'X-Forwarded-For: 198.51.100.1, 10.1.2.3' -o /dev/null "$SITE/nowhere-2"
curl -H 'X-Forwarded-For: 198.51.100.1, 203.0.113.9' -o /dev/null "$SITE/nowhere-3"
curl -H 'X-Forwarded-For: 198.51.100.1, not-an-address, 10.1.2.3' -o /dev/null "$SITE/nowhere-4"
curl -H 'X-Forwarded-For: 198.51.100.1' -H 'X-Forwarded-For: 203.0.113.10' -o /dev/null "$SITE/nowhere-5"
stop
log=$(cat "$T/access.log")
contains "the right-most hop that is not a proxy" '"client":"198.51.100.1","method":"GET","path":"/nowhere-2"' "$log"
contains "what a client prepends is not believed" '"client":"203.0.113.9","method":"GET","path":"/nowhere-3"' "$log"
contains "a hop that is not an address stops the walk" '"client":"10.1.2.3","method":"GET","path":"/nowhere-4"' "$log"
contains "the last header's hops come first" '"client":"203.0.113.10","method":"GET","path":"/nowhere-5"' "$log"

# ---- slow clients ----
# 1,000 connections from each of four addresses, each sending a header line a second and never
# finishing its head: a fifth address is answered within a second throughout
setting trusted_proxies ""
start
python3 "$SLOW" hold --port "$PORT" --sources 127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5 --per-address 1000 \
    --probe-from 127.0.0.6 --ocsp "$T/ha.req" --hold 4 > "$T/slow.json"
echo "slow clients, four addresses: $(cat "$T/slow.json")"
same "four addresses: another client's answers, all within 1 s" "[]" "$(json "$T/slow.json" 'j["failures"]')"
same "four addresses: asked at least thrice" "True" "$(json "$T/slow.json" 'j["rounds"] >= 3')"
same "four addresses: each held only its share (256)" "True" "$(json "$T/slow.json" '0 < j["held"] <= 4 * 256')"
contains "refusals counted" 'chungthu_http_connections_refused_total{reason="per_client"}' "$(curl "$SITE/metrics")"
stop
# 1,000 through a trusted proxy on this machine (all from 127.0.0.1): another client through the
# same proxy is answered within a second, and known by the address the proxy names
setting trusted_proxies "127.0.0.1"
start
python3 "$SLOW" hold --port "$PORT" --sources 127.0.0.1 --per-address 1000 --slow-xff 192.0.2.1 \
    --probe-from 127.0.0.1 --probe-xff 203.0.113.50 --ocsp "$T/ha.req" --hold 4 > "$T/slow.json"
echo "slow clients through the proxy: $(cat "$T/slow.json")"
same "through the proxy: another client's answers, all within 1 s" "[]" "$(json "$T/slow.json" 'j["failures"]')"
same "through the proxy: asked at least thrice" "True" "$(json "$T/slow.json" 'j["rounds"] >= 3')"
same "the proxy is not capped per address" "$(json "$T/slow.json" 'j["per_address"]')" "$(json "$T/slow.json" 'j["held"]')"
stop
contains "the client behind the proxy is logged" '"client":"203.0.113.50","method":"POST","path":"/ocsp"' "$(cat "$T/access.log")"

# the deadlines: a head or a body trickled a byte at a time, or an idle kept-alive connection,
# is closed once its time is up (2 s here), whatever bytes keep coming
setting trusted_proxies ""
setting header_timeout 2
setting body_timeout 2
setting max_connections_per_client 5
start
python3 "$SLOW" dribble --port "$PORT" --limit 6 > "$T/dribble.json"
echo "deadlines of 2 s, closed after: $(cat "$T/dribble.json")"
same "a trickled head is closed after 2 s" "True" "$(json "$T/dribble.json" 'j["head"] is not None and 1.5 <= j["head"] <= 4.5')"
same "a trickled body is closed after 2 s" "True" "$(json "$T/dribble.json" 'j["body"] is not None and 1.5 <= j["body"] <= 4.5')"
same "an idle kept-alive connection is closed after 2 s" "True" "$(json "$T/dribble.json" 'j["idle"] is not None and 1.5 <= j["idle"] <= 4.5')"
m=$(curl "$SITE/metrics")
contains "late heads counted" 'chungthu_http_connections_late_total{phase="head"} 2' "$m"
contains "late bodies counted" 'chungthu_http_connections_late_total{phase="body"} 1' "$m"
python3 "$SLOW" hold --port "$PORT" --sources 127.0.0.7 --per-address 12 --probe-from 127.0.0.8 \
    --ocsp "$T/ha.req" --hold 0.5 > "$T/slow.json"
same "max_connections_per_client = 5: five held" "5" "$(json "$T/slow.json" 'j["held"]')"
same "others still answered" "[]" "$(json "$T/slow.json" 'j["failures"]')"
check "still serving" curl -f "$SITE/healthz"
stop
finish

# nginx_cache.sh — contrib/nginx/chungthu.conf with a real nginx in front of a node: OCSP GET
# answers and CRLs are cached by the node's Cache-Control and ETag (a second fetch is a HIT with
# the same bytes, a stale one is revalidated with a 304), everything else passes through
# uncached, and a revocation made on the node is seen through the cache within the max-age the
# cached answer announced, never later.
. "$(dirname "$0")/../lib.sh"
CA=$CHUNGTHU_HOME/ca
MAX_AGE=4 # [server] cache_max_age for this test: short, so that the bound is seen quickly
PORT=$(free_port)
NPORT=$(free_port)
NODE=http://127.0.0.1:$PORT
EDGE=http://127.0.0.1:$NPORT

check "init" ct init --root-key p384 --issuing-key p256 --base-url "$NODE"
printf '\n[server]\ncache_max_age = %d\n' "$MAX_AGE" >> "$CHUNGTHU_HOME/chungthu.ini"
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
issue() { ct cert issue --csr "$T/r.csr" --name "$1" --email "$2" --province "Huế" --org "Bộ Y tế" --out "$T/$3.pem" >/dev/null; }
check "issue the certificate to revoke" issue "Hoàng Văn Thụ" thu@moh.gov.vn good
check "issue one that stays" issue "Lý Tự Trọng" trong@moh.gov.vn other
serial() { openssl x509 -in "$T/$1.pem" -noout -serial | sed 's/serial=//'; }
# the GET path of each certificate's OCSP request (RFC 6960 A.1: Base64, then URL-escaped)
for c in good other; do
    openssl ocsp -issuer "$CA/issuing.crt" -cert "$T/$c.pem" -reqout "$T/$c.req" -no_nonce >/dev/null 2>&1
    python3 -c 'import base64,sys,urllib.parse; print(urllib.parse.quote(base64.b64encode(open(sys.argv[1],"rb").read()).decode(), safe=""))' "$T/$c.req" > "$T/$c.path"
done

"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2>"$T/server.log" &
SERVER=$!
# nginx as the operator would run it: the shipped file included in an http block, only the
# addresses and the cache directory changed for this test
mkdir -p "$T/nginx/cache" "$T/nginx/tmp"
sed -e "s|server 127.0.0.1:8080|server 127.0.0.1:$PORT|" -e "s|listen 80;|listen 127.0.0.1:$NPORT;|" \
    -e "s|/var/cache/nginx/chungthu|$T/nginx/cache|" "$CT_SRC/contrib/nginx/chungthu.conf" > "$T/nginx/chungthu.conf"
cat > "$T/nginx/nginx.conf" <<CONF
daemon off;
user root;
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
    log_format upstream '\$upstream_cache_status upstream=\$upstream_status \$request_uri';
    access_log $T/nginx/access.log upstream;
    client_body_temp_path $T/nginx/tmp/body;
    proxy_temp_path $T/nginx/tmp/proxy;
    fastcgi_temp_path $T/nginx/tmp/fastcgi;
    uwsgi_temp_path $T/nginx/tmp/uwsgi;
    scgi_temp_path $T/nginx/tmp/scgi;
    include $T/nginx/chungthu.conf;
}
CONF
check "nginx accepts the shipped configuration" nginx -t -p "$T/nginx" -c "$T/nginx/nginx.conf"
nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" 2>"$T/nginx/stderr" &
NGINX=$!
trap 'kill $SERVER $NGINX 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
up() { curl -sf "$1/healthz" -o /dev/null; }
for _ in $(seq 1 100); do up "$NODE" && up "$EDGE" && break; sleep 0.1; done
check "the node answers through nginx" up "$EDGE"

# get NAME OUT: NAME's OCSP answer over GET through nginx; headers in OUT.h
get() { curl -s -D "$2.h" -o "$2" "$EDGE/ocsp/$(cat "$T/$1.path")"; }
header() { tr -d '\r' < "$1.h" | sed -n "s/^$2: //Ip" | head -1; }
status_of() { # NAME RESPONSE: good / revoked, as openssl ocsp verifies it
    openssl ocsp -respin "$2" -issuer "$CA/issuing.crt" -cert "$T/$1.pem" -CAfile "$T/chain.pem" 2>&1 |
        grep -q "Response verify OK" || { echo unverified; return; }
    openssl ocsp -respin "$2" -issuer "$CA/issuing.crt" -cert "$T/$1.pem" -CAfile "$T/chain.pem" 2>/dev/null |
        sed -n "s/^.*\.pem: //p"
}

# ---- cached by the node's headers ----
get good "$T/g1"
T0=$(date +%s.%N)
same "first GET is a MISS" MISS "$(header "$T/g1" X-Cache-Status)"
same "the answer verifies and says good" good "$(status_of good "$T/g1")"
age=$(header "$T/g1" Cache-Control | sed -n 's/.*max-age=\([0-9]*\).*/\1/p')
check "max-age announced is at most cache_max_age" test -n "$age" -a "$age" -le "$MAX_AGE" -a "$age" -ge 1
contains "ETag on the answer" '"' "$(header "$T/g1" ETag)"
get good "$T/g2"
same "second GET is a HIT" HIT "$(header "$T/g2" X-Cache-Status)"
check "the HIT is the same bytes" cmp -s "$T/g1" "$T/g2"
T0_CRL=$(date +%s.%N) # the CRL's copy in nginx runs from here, not from the OCSP answer's
curl -s -D "$T/c1.h" -o "$T/c1.crl" "$EDGE/crl/issuing.crl"
curl -s -D "$T/c2.h" -o "$T/c2.crl" "$EDGE/crl/issuing.crl"
same "CRL: first MISS" MISS "$(header "$T/c1" X-Cache-Status)"
same "CRL: then HIT" HIT "$(header "$T/c2" X-Cache-Status)"
check "CRL: the HIT is the same bytes" cmp -s "$T/c1.crl" "$T/c2.crl"
check "CRL through nginx verifies" openssl crl -inform DER -in "$T/c2.crl" -CAfile "$T/chain.pem" -noout

# ---- passed through, not cached ----
openssl ocsp -issuer "$CA/issuing.crt" -cert "$T/other.pem" -url "$EDGE/ocsp" -CAfile "$T/chain.pem" > "$T/post.out" 2>&1
contains "OCSP POST through nginx" "other.pem: good" "$(cat "$T/post.out")"
curl -s -D "$T/p.h" -o /dev/null "$EDGE/"
curl -s -D "$T/p.h" -o /dev/null "$EDGE/"
same "the site is not cached" "" "$(header "$T/p" X-Cache-Status)"

# ---- a revocation through the cache: seen within the announced max-age, never later ----
check "revoke on the node" ct cert revoke "$(serial good)" --reason keyCompromise
# The node itself notices a revocation made by another process within about a second (its
# change counter); the cache must add nothing past the max-age it was told. So each round asks
# the node directly too, and the property checked is: no answer still saying "good" (or a CRL
# without the serial) comes through nginx for a request sent after the later of the cached
# answer's end (T0 + max-age) and the node's own first revoked answer, give or take nginx's
# clock, which counts whole seconds.
stamp() { date +%s.%N; }
seen_at= crl_at= node_at= node_crl_at= old_at=0 old_crl_at=0 last_ocsp=
for i in $(seq 1 $(( (MAX_AGE + 10) * 10 ))); do
    if [ -z "$node_at" ]; then
        curl -s -o "$T/direct" "$NODE/ocsp/$(cat "$T/good.path")"
        [ "$(status_of good "$T/direct")" = revoked ] && node_at=$(stamp)
    fi
    if [ -z "$node_crl_at" ]; then
        curl -s -o "$T/direct.crl" "$NODE/crl/issuing.crl"
        [ "$(openssl crl -inform DER -in "$T/direct.crl" -noout -text 2>/dev/null | grep -c "Serial Number: $(serial good)")" = 1 ] && node_crl_at=$(stamp)
    fi
    if [ -z "$seen_at" ]; then
        sent=$(stamp)
        get good "$T/poll"
        last_ocsp=$(status_of good "$T/poll")
        if [ "$last_ocsp" = revoked ]; then seen_at=$sent; else old_at=$sent; fi
    fi
    if [ -z "$crl_at" ]; then
        sent=$(stamp)
        curl -s -o "$T/poll.crl" "$EDGE/crl/issuing.crl"
        if [ "$(openssl crl -inform DER -in "$T/poll.crl" -noout -text 2>/dev/null | grep -c "Serial Number: $(serial good)")" = 1 ]; then
            crl_at=$sent
        else
            old_crl_at=$sent
        fi
    fi
    [ -n "$seen_at" ] && [ -n "$crl_at" ] && [ -n "$node_at" ] && [ -n "$node_crl_at" ] && break
    sleep 0.1
done
never_later() { # OLD NODE CACHED_AT: the last stale answer's request was sent before the bound
    [ -n "$2" ] && python3 -c "import sys; sys.exit(0 if $1 <= max($3 + $age, $2) + 1 else 1)"
}
check "OCSP through nginx: revoked seen" test -n "$seen_at"
check "... no good answer past max-age ($age s) of the cached one" never_later "$old_at" "$node_at" "$T0"
check "the CRL through nginx: the serial listed" test -n "$crl_at"
check "... no CRL without it past max-age" never_later "$old_crl_at" "$node_crl_at" "$T0_CRL"
same "the revoked answer verifies" revoked "$last_ocsp"
[ -n "$seen_at" ] && [ -n "$node_at" ] && python3 -c "print('revocation seen through nginx %.1f s after the cached answer (max-age %s s), by the node itself %.1f s after' % ($seen_at - $T0, '$age', $node_at - $T0))"

# ---- a stale answer is revalidated, not fetched whole: the other certificate did not change ----
get other "$T/o1"
stale=
for i in $(seq 1 $(( (MAX_AGE + 3) * 10 ))); do
    get other "$T/o2"
    s=$(header "$T/o2" X-Cache-Status)
    [ "$s" != HIT ] && { stale=$s; break; }
    sleep 0.1
done
same "past max-age nginx revalidates with the node (304)" REVALIDATED "$stale"
check "the revalidated answer is the one cached" cmp -s "$T/o1" "$T/o2"
contains "the node answered nginx's revalidation with a 304" "REVALIDATED upstream=304 /ocsp/" "$(cat "$T/nginx/access.log")"

kill "$NGINX" "$SERVER" 2>/dev/null
wait "$NGINX" "$SERVER" 2>/dev/null
finish

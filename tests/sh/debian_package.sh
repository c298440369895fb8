# debian_package.sh — the Debian package as an operator meets it: dpkg-buildpackage builds it
# from a copy of the sources, lintian finds no error, dpkg -i installs it (the chungthu system
# user, /var/lib/chungthu 0700), the instance is created as that user and the unit's own
# ExecStart line serves it as that user (runuser: systemd is not PID 1 here), answering /healthz
# and OCSP, the upkeep unit's line runs, and dpkg --purge removes the user and the files.
# It installs into this machine: it runs as root only, and never over an installed chungthu.
. "$(dirname "$0")/../lib.sh"

skip() {
    echo "debian_package.sh: skipped: $*"
    finish
    exit 0
}
for tool in dpkg-buildpackage dh lintian runuser; do
    command -v "$tool" >/dev/null || skip "$tool is missing (scripts/install-deps --test installs it)"
done
[ "$(id -u)" -eq 0 ] || skip "dpkg -i needs root"
dpkg-query -W -f='${Status}' chungthu 2>/dev/null | grep -q installed &&
    skip "a chungthu package is installed here already; it is left alone"
getent passwd chungthu >/dev/null && skip "a chungthu user exists here already; it is left alone"
# The package is built from the sources, not from the binary under test: once is enough, by the
# release build's run of the suite.
grep -q '^CT_SANITIZE:BOOL=ON' "${CT_BUILD:-/nonexistent}/CMakeCache.txt" 2>/dev/null &&
    skip "the sanitizers' build; the package is tested by the release build's run"
grep -q '^CT_TSAN:BOOL=ON' "${CT_BUILD:-/nonexistent}/CMakeCache.txt" 2>/dev/null &&
    skip "the ThreadSanitizer build; the package is tested by the release build's run"

PORT=$(free_port)
URL=http://127.0.0.1:$PORT
HOME_DIR=/var/lib/chungthu
curl() { command curl -m 10 -s "$@"; }
as_ct() { runuser -u chungthu -- "$@"; }
RUNNER=
INSTALLED=no
cleanup() {
    if [ -n "$RUNNER" ]; then
        server=$(ps -o pid= --ppid "$RUNNER" 2>/dev/null)
        [ -n "$server" ] && kill $server 2>/dev/null
        wait "$RUNNER" 2>/dev/null
    fi
    [ "$INSTALLED" = yes ] && dpkg --purge chungthu >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT

# ---- build: a copy of the sources as git knows them (tracked, and new files not ignored) ----
mkdir -p "$T/src/chungthu"
(cd "$CT_SRC" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) |
    tar -C "$T/src/chungthu" -xf -
started=$(date +%s)
if (cd "$T/src/chungthu" && DEB_BUILD_OPTIONS="parallel=2 nocheck noddebs" \
    nice dpkg-buildpackage -us -uc -b >"$T/build.log" 2>&1); then pass; else
    fail "dpkg-buildpackage"; tail -30 "$T/build.log" >&2; finish; exit 1
fi
echo "package built in $(($(date +%s) - started)) s"
DEB=$(ls "$T"/src/chungthu_*_*.deb)
check "lintian finds no error" lintian --fail-on error "$T"/src/chungthu_*.changes
grep -v '^N:' "$T/out" | sed 's/^/lintian: /'
contents=$(dpkg-deb -c "$DEB")
for f in ./usr/bin/chungthu ./lib/systemd/system/chungthu.service \
    ./lib/systemd/system/chungthu-upkeep.service ./lib/systemd/system/chungthu-upkeep.timer \
    ./etc/chungthu/chungthu.env ./etc/logrotate.d/chungthu ./usr/share/chungthu/web/index.html \
    ./usr/share/chungthu/data/holidays/2026.txt ./usr/share/chungthu/data/mail/received.txt \
    ./usr/share/chungthu/data/mail/received.html ./usr/share/man/man1/chungthu.1.gz; do
    contains "the package holds $f" " $f" "$contents"
done

# ---- install ----
if dpkg -i "$DEB" >"$T/out" 2>&1; then pass; INSTALLED=yes; else
    fail "dpkg -i"; sed 's/^/  | /' "$T/out" >&2; finish; exit 1
fi
check "the chungthu system user" getent passwd chungthu
same "its home directory" "$HOME_DIR" "$(getent passwd chungthu | cut -d: -f6)"
same "its shell lets nobody log in" "/usr/sbin/nologin" "$(getent passwd chungthu | cut -d: -f7)"
same "$HOME_DIR: the user's own, 0700" "chungthu chungthu 700" "$(stat -c '%U %G %a' "$HOME_DIR")"
same "/var/log/chungthu" "chungthu adm 750" "$(stat -c '%U %G %a' /var/log/chungthu)"
same "dpkg knows the environment file as a conffile" "/etc/chungthu/chungthu.env" \
    "$(dpkg-query -W -f='${Conffiles}' chungthu | awk '/chungthu.env/{print $1}')"

# ---- the instance, as the service's user ----
check "init --demo as chungthu" as_ct chungthu --home "$HOME_DIR" init --demo --root-key p384 \
    --issuing-key p256 --base-url "$URL"
sed -i "s/^listen = .*/listen = 127.0.0.1:$PORT/" "$HOME_DIR/chungthu.ini"
contains "the holidays came from /usr/share/chungthu" "2026-01-01" "$(cat "$HOME_DIR/holidays/2026.txt")"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" \
    -subj /CN=x -out "$T/r.csr" 2>/dev/null
# a directory of this test's that the user may write in
chmod 711 "$T"
install -d -o chungthu -g chungthu -m 0700 "$T/user"
install -o chungthu -m 0600 "$T/r.csr" "$T/user/r.csr"
check "a certificate issued as chungthu" as_ct chungthu --home "$HOME_DIR" cert issue \
    --csr "$T/user/r.csr" --name "Nguyễn Thị Thu Hà" --email ha@moj.gov.vn --province "Hà Nội" \
    --org "Bộ Tư pháp" --out "$T/user/ha.pem"
cp "$T/user/ha.pem" "$T/ha.pem"
contains "... written as a certificate" "BEGIN CERTIFICATE" "$(cat "$T/ha.pem")"

# ---- the unit's ExecStart line, with its EnvironmentFile, as its User ----
unit=/lib/systemd/system/chungthu.service
same "the unit runs as chungthu" "chungthu" "$(sed -n 's/^User=//p' "$unit")"
same "Type=notify" "notify" "$(sed -n 's/^Type=//p' "$unit")"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
env_file=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
# The port is chosen now, just before the server binds it (chosen earlier, another test's client
# could hold it by then); a server that cannot bind (exit 3: in use) gets another, three times.
for attempt in 1 2 3; do
    PORT=$(free_port)
    URL=http://127.0.0.1:$PORT
    sed -i "s/^listen = .*/listen = 127.0.0.1:$PORT/" "$HOME_DIR/chungthu.ini"
    runuser -u chungthu -- bash -c "set -a; . '$env_file'; set +a; exec $exec_start" \
        2>"$T/server.log" &
    RUNNER=$!
    for _ in $(seq 1 300); do
        curl -f "$URL/healthz" -o /dev/null && break
        kill -0 "$RUNNER" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$RUNNER" 2>/dev/null && break
    echo "the server did not start (attempt $attempt):" >&2
    sed 's/^/  server.log | /' "$T/server.log" >&2
done
same "healthz" "200" "$(curl -o /dev/null -w '%{http_code}' "$URL/healthz")"
curl -sf "$URL/healthz" -o /dev/null || sed 's/^/  server.log | /' "$T/server.log" >&2
same "the portal from /usr/share/chungthu/web" "200" \
    "$(curl -o /dev/null -w '%{http_code}' "$URL/portal/")"
cat "$HOME_DIR/ca/issuing.crt" "$HOME_DIR/ca/root.crt" >"$T/chain.pem"
contains "OCSP: good" "$T/ha.pem: good" "$(openssl ocsp -url "$URL/ocsp" -issuer \
    "$HOME_DIR/ca/issuing.crt" -cert "$T/ha.pem" -CAfile "$T/chain.pem" 2>&1)"
server=$(ps -o pid= --ppid "$RUNNER" | tr -d ' ')
same "the server runs as chungthu" "chungthu" "$(ps -o user= -p "$server")"
for _ in $(seq 1 30); do grep -q '"path":"/healthz"' /var/log/chungthu/access.log 2>/dev/null && break; sleep 0.1; done
contains "the access log where the environment file says" '"path":"/healthz"' \
    "$(cat /var/log/chungthu/access.log 2>/dev/null)"
upkeep=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/chungthu-upkeep.service)
check "the upkeep unit's line as chungthu" runuser -u chungthu -- $upkeep
kill -TERM "$server"
wait "$RUNNER"
same "a clean stop" "0" "$?"
RUNNER=

# ---- purge ----
check "dpkg --purge" dpkg --purge chungthu
INSTALLED=no
if getent passwd chungthu >/dev/null; then fail "the user is still there"; else pass; fi
if getent group chungthu >/dev/null; then fail "the group is still there"; else pass; fi
for f in "$HOME_DIR" /var/log/chungthu /etc/chungthu /usr/bin/chungthu /usr/share/chungthu; do
    if [ -e "$f" ]; then fail "$f is still there"; else pass; fi
done
finish

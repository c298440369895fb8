# reload.sh — `chungthu serve` under a service manager: it tells $NOTIFY_SOCKET when it is ready,
# reloading and stopping, and feeds the watchdog; SIGHUP reopens the access log (logrotate),
# puts a changed holiday file in force, and refuses a chungthu.ini or holiday file that does not
# parse, saying why and keeping what runs; puts the keys a reload applies in force together (seen
# through requests) and names those a restart applies without applying them; all the while a
# client load gets no failure.
. "$(dirname "$0")/../lib.sh"
WRK=
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
curl() { command curl -m 10 -s "$@"; }
# wait_for DESCRIPTION COMMAND...: the command comes true within 20 s (the sanitizers' pace)
wait_for() {
    local what=$1 i; shift
    for i in $(seq 1 200); do "$@" && { pass; return 0; }; sleep 0.1; done
    fail "$what (not within 20 s)"
}
notified() { grep -qx "$1" "$T/notify.log" 2>/dev/null; }
watchdog_twice() { [ "$(grep -cx WATCHDOG=1 "$T/notify.log")" -ge 2 ]; }

check "init --demo" ct init --demo --root-key p384 --issuing-key p256 --base-url "$URL"
password=$(awk '/^kiemtoan /{print $3}' "$CHUNGTHU_HOME/demo-accounts.txt")

# systemd's side of sd_notify: a datagram socket, each message a line of notify.log
cat > "$T/listen.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        log.write(s.recv(4096).decode() + "\n")
        log.flush()
PY
python3 "$T/listen.py" "$T/notify" "$T/notify.log" &
LISTENER=$!
trap 'kill $LISTENER $SERVER $LOAD $WRK 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
wait_for "the notify socket is there" test -S "$T/notify"

# WATCHDOG_USEC of 2 s: alive said every second
NOTIFY_SOCKET=$T/notify WATCHDOG_USEC=2000000 "$CHUNGTHU" serve --listen "127.0.0.1:$PORT" \
    --access-log "$T/access.log" 2> "$T/server.log" &
SERVER=$!
wait_for "READY=1 once listening" notified READY=1
same "healthz right after READY=1" "200" "$(curl -o /dev/null -w '%{http_code}' "$URL/healthz")"
wait_for "WATCHDOG=1 from the upkeep timer" notified WATCHDOG=1
wait_for "WATCHDOG=1 again within the interval" watchdog_twice

# load through every reload below: each request must be answered 200; bounded, whatever happens
(
    n=0 bad=0
    while [ ! -e "$T/stop" ] && [ $n -lt 20000 ]; do
        for path in /healthz /ca/root.crt /crl/issuing.crl; do
            code=$(command curl -m 10 -s -o /dev/null -w '%{http_code}' "$URL$path")
            [ "$code" = 200 ] || bad=$((bad + 1))
            n=$((n + 1))
        done
    done
    echo "$n $bad" > "$T/load"
) &
LOAD=$!

curl -c "$T/jar" -H 'Content-Type: application/json' -o /dev/null \
    -d "{\"username\":\"kiemtoan\",\"password\":\"$password\"}" "$URL/api/v1/session"
holidays() { curl -b "$T/jar" "$URL/api/v1/calendar/holidays?year=2031"; }
contains "2031 by the statutory rules (no file)" '"2031-01-01"' "$(holidays)"
same "a day the file below adds is no holiday yet" "" "$(holidays | grep -o 'Nghỉ bù thử')"

# a new year's holiday file, then SIGHUP: in force without a restart
printf '2031-01-01 off Tết Dương lịch\n2031-01-02 off Nghỉ bù thử\n' > "$CHUNGTHU_HOME/holidays/2031.txt"
mv "$T/access.log" "$T/access.log.1" # as logrotate does
kill -HUP $SERVER
wait_for "reload logged" grep -q 'reloaded: access log reopened' "$T/server.log"
# READY=1 follows the log line by a moment: wait for it, then look at the order
last_two() { [ "$(grep -x 'RELOADING=1\|READY=1' "$T/notify.log" | tail -2 | tr '\n' ' ' | sed 's/ $//')" = "RELOADING=1 READY=1" ]; }
wait_for "RELOADING=1 then READY=1" last_two
contains "the new holiday file in force" '"date":"2031-01-02","name":"Nghỉ bù thử"' "$(holidays)"
same "the file is the year's whole list" "2" "$(holidays | grep -o '"2031-[0-9-]*"' | sort -u | wc -l)"
wait_for "the access log written again at its path" grep -q '"path":"/healthz"' "$T/access.log"
wait_for "the rotated file kept the lines before" grep -q '"path":"/healthz"' "$T/access.log.1"

# a chungthu.ini that does not parse: refused, said why, the running one kept
cp "$CHUNGTHU_HOME/chungthu.ini" "$T/good.ini"
printf '[server]\nno_such_key = 1\n' >> "$CHUNGTHU_HOME/chungthu.ini"
printf '2031-05-05 off Nghỉ thử\n' >> "$CHUNGTHU_HOME/holidays/2031.txt"
kill -HUP $SERVER
wait_for "broken config refused and logged" grep -q 'reload refused.*no_such_key' "$T/server.log"
same "the holidays of before still in force" "2" "$(holidays | grep -o '"2031-[0-9-]*"' | sort -u | wc -l)"
same "still answering" "200" "$(curl -o /dev/null -w '%{http_code}' "$URL/healthz")"

# a holiday file that does not parse: refused the same way
cp "$T/good.ini" "$CHUNGTHU_HOME/chungthu.ini"
printf 'not a date\n' > "$CHUNGTHU_HOME/holidays/2032.txt"
kill -HUP $SERVER
wait_for "broken holiday file refused and logged" grep -q 'reload refused.*calendar.bad_file.*2032' "$T/server.log"
same "still the holidays of before" "2" "$(holidays | grep -o '"2031-[0-9-]*"' | sort -u | wc -l)"

# mended, with a key a restart applies: the holidays in force, the key named
rm "$CHUNGTHU_HOME/holidays/2032.txt"
sed -i 's/^max_connections_per_client = .*/max_connections_per_client = 7/' "$CHUNGTHU_HOME/chungthu.ini"
kill -HUP $SERVER
wait_for "a changed key named for the next restart" grep -q 'applied at the next restart: \[server\] max_connections_per_client' "$T/server.log"
same "the mended holidays in force" "3" "$(holidays | grep -o '"2031-[0-9-]*"' | sort -u | wc -l)"

touch "$T/stop"
wait $LOAD
read -r requests failures < "$T/load"
[ "$requests" -ge 30 ] && pass || fail "too little load: $requests requests"
same "requests failed while reloading (of $requests)" "0" "$failures"
echo "load: $requests requests through 4 reloads, $failures failed"

# ---- 20 s of OCSP load (wrk) while the configuration changes: SIGHUP with changed settings
# (two a reload applies, seen through requests; two that need a restart, named and not applied)
# and a new holiday file, then with a broken file; no request may fail ----
admin_password=$(awk '/^quantri /{print $3}' "$CHUNGTHU_HOME/demo-accounts.txt")
curl -c "$T/admin.jar" -H 'Content-Type: application/json' -o /dev/null \
    -d "{\"username\":\"quantri\",\"password\":\"$admin_password\"}" "$URL/api/v1/session"
# add_user NAME: the status of the administrator's request for a new auditor account
add_user() {
    curl -b "$T/admin.jar" -H 'Content-Type: application/json' -o /dev/null -w '%{http_code}' \
        -d "{\"username\":\"$1\",\"role\":\"auditor\",\"password\":\"Tai-lai-khong-dung-1\"}" \
        "$URL/api/v1/users"
}
office_on_site() { curl "$URL/" | grep -o 'Văn phòng tiếp nhận [^<]*' | head -1; }
same "[approvals] user = 1: an account made at once" "201" "$(add_user kt.truoc)"
same "the office's name on the site before" "" "$(office_on_site)"
PORT2=$(free_port)
openssl ocsp -issuer "$CHUNGTHU_HOME/ca/issuing.crt" -serial 0x0123456789ABCDEF -no_nonce \
    -reqout "$T/ocsp.req" >/dev/null 2>&1
OCSP_GET=$URL/ocsp/$(base64 -w0 < "$T/ocsp.req" | tr '+/' '-_' | tr -d '=')
same "an OCSP GET answers" "200" "$(curl -o /dev/null -w '%{http_code}' "$OCSP_GET")"
wrk -t2 -c16 -d20s "$OCSP_GET" > "$T/wrk.out" 2>&1 &
WRK=$!
ocsp_seen() { [ "$(grep -c '"route":"ocsp"' "$T/access.log" 2>/dev/null)" -gt 100 ]; }
wait_for "wrk's load reaches the server" ocsp_seen
reloads=$(grep -c 'chungthu: reloaded' "$T/server.log")
# restart keys: the listening address and a connection limit; live keys: the office's name
# (every page shows it) and four eyes for accounts (the API answers 202 instead of 201)
sed -i -e 's/^max_connections = .*/max_connections = 3000/' \
    -e "s/^listen = .*/listen = 127.0.0.1:$PORT2/" \
    -e 's/^name = .*/name = Văn phòng tiếp nhận thử tải lại/' "$CHUNGTHU_HOME/chungthu.ini"
printf '\n[approvals]\nuser = 2\n' >> "$CHUNGTHU_HOME/chungthu.ini"
printf '2032-01-01 off Tết Dương lịch\n2032-01-02 off Nghỉ bù dưới tải\n' > "$CHUNGTHU_HOME/holidays/2032.txt"
kill -HUP $SERVER
reloaded_again() { [ "$(grep -c 'chungthu: reloaded' "$T/server.log")" -gt "$reloads" ]; }
wait_for "reloaded under load" reloaded_again
applied_logged() { grep -q 'applied now: \[office\] name, \[approvals\] user$' "$T/server.log"; }
wait_for "the live keys named as applied now" applied_logged
restart_logged() { grep -q 'applied at the next restart: \[server\] listen, \[server\] max_connections, \[server\] max_connections_per_client$' "$T/server.log"; }
wait_for "the restart keys named for the next restart" restart_logged
same "[office] name in force: the site shows the new name" "Văn phòng tiếp nhận thử tải lại" "$(office_on_site)"
same "[approvals] user = 2 in force: a new account waits for a second administrator" "202" "$(add_user kt.sau)"
same "[server] listen not applied: still answering on the old port" "200" \
    "$(curl -o /dev/null -w '%{http_code}' "$URL/healthz")"
same "[server] listen not applied: nothing on the new port" "000" \
    "$(curl -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT2/healthz")"
cp "$CHUNGTHU_HOME/chungthu.ini" "$T/good.ini"
# the broken file also names the office otherwise and takes four eyes back: none of it applies
sed -i 's/^name = .*/name = Văn phòng tiếp nhận hỏng/' "$CHUNGTHU_HOME/chungthu.ini"
printf '\n[approvals]\nuser = 1\n[server\nbroken\n' >> "$CHUNGTHU_HOME/chungthu.ini"
refusals=$(grep -c 'reload refused' "$T/server.log")
kill -HUP $SERVER
refused_again() { [ "$(grep -c 'reload refused' "$T/server.log")" -gt "$refusals" ]; }
wait_for "the broken file refused under load" refused_again
same "the broken file changed nothing: the office's name" "Văn phòng tiếp nhận thử tải lại" "$(office_on_site)"
same "the broken file changed nothing: four eyes for accounts" "202" "$(add_user kt.hong)"
# a value out of range is refused the same way, whole
cp "$T/good.ini" "$CHUNGTHU_HOME/chungthu.ini"
sed -i -e 's/^name = .*/name = Văn phòng tiếp nhận ngoài khoảng/' -e 's/^closing = .*/closing = 06:00/' \
    "$CHUNGTHU_HOME/chungthu.ini"
refusals=$(grep -c 'reload refused' "$T/server.log")
kill -HUP $SERVER
wait_for "a closing time before the opening refused under load" refused_again
contains "the refusal says why" "[office] opening must be before closing" "$(tail -3 "$T/server.log")"
same "the refused file changed nothing" "Văn phòng tiếp nhận thử tải lại" "$(office_on_site)"
cp "$T/good.ini" "$CHUNGTHU_HOME/chungthu.ini"
wait $WRK
requests=$(awk '/requests in/ {print $1}' "$T/wrk.out")
[ "${requests:-0}" -gt 1000 ] && pass || fail "too little OCSP load: ${requests:-0} requests"
same "no OCSP request failed (non-2xx)" "" "$(grep 'Non-2xx' "$T/wrk.out")"
same "no socket error" "" "$(grep 'Socket errors' "$T/wrk.out")"
echo "wrk: $requests OCSP requests in 20 s through three reloads, none failed"
contains "the new holiday in force" '"2032-01-02"' "$(curl -b "$T/jar" "$URL/api/v1/calendar/holidays?year=2032")"
contains "the changed setting named for the next restart" "max_connections" "$(tail -5 "$T/server.log")"

kill -TERM $SERVER
wait $SERVER
same "a clean stop" "0" "$?"
contains "STOPPING=1 on SIGTERM" "STOPPING=1" "$(cat "$T/notify.log")"
finish

# journal_log.sh — the access log where operators look: to the systemd journal as structured
# entries of its native protocol (a real datagram socket stands in for journald here, bound by
# the test), each with MESSAGE (the JSON line), PRIORITY by status and the fields to filter on
# (request number, route, status, account, client); to a file, the same JSON line with the
# request number and the account, reopened on SIGUSR1 after logrotate moved it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"

check "init --demo" ct init --demo
SOCK=$T/journal.socket
# the stand-in journal: every datagram it receives, one JSON object per line in $T/entries
python3 - "$SOCK" "$T/entries" <<'PY' &
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".ready", "w").close()
with open(sys.argv[2], "a") as out:
    while True:
        data = s.recv(65536).decode()
        fields = dict(line.split("=", 1) for line in data.split("\n") if line)
        out.write(json.dumps(fields, ensure_ascii=False) + "\n")
        out.flush()
PY
JOURNAL=$!
trap 'kill $JOURNAL 2>/dev/null; [ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do [ -e "$T/entries.ready" ] && break; sleep 0.05; done
start_server --access-log "journal:$SOCK" || { kill $JOURNAL; exit 1; }
trap 'kill $JOURNAL 2>/dev/null; stop_server; rm -rf "$T"' EXIT # start_server set its own
login_demo
same "a public page" "200" "$(curl -o /dev/null -w '%{http_code}' "$BASE/healthz")"
same "a page that does not exist" "404" "$(curl -o /dev/null -w '%{http_code}' "$BASE/no-such-page")"
same "an API call as an officer" "200" "$(api canbo dossiers)"
# the entries go out within a second (the flusher): wait for them, bounded
for _ in $(seq 1 100); do grep -q '"CHUNGTHU_ROUTE": "api"' "$T/entries" 2>/dev/null && grep -q '"CHUNGTHU_STATUS": "404"' "$T/entries" && break; sleep 0.05; done
field() { python3 - "$T/entries" "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    m = json.loads(e["MESSAGE"])
    if m["path"] == sys.argv[2]:
        print(e.get(sys.argv[3], "-"))
        break
PY
}
same "the 404: its status as a field" "404" "$(field /no-such-page CHUNGTHU_STATUS)"
same "... a notice (PRIORITY 5)" "5" "$(field /no-such-page PRIORITY)"
same "the health check: informational (6)" "6" "$(field /healthz PRIORITY)"
same "... named chungthu" "chungthu" "$(field /healthz SYSLOG_IDENTIFIER)"
same "the API call names its account" "canbo" "$(field /api/v1/dossiers CHUNGTHU_ACTOR)"
same "... and its route" "api" "$(field /api/v1/dossiers CHUNGTHU_ROUTE)"
same "a public request names no account" "-" "$(field /healthz CHUNGTHU_ACTOR)"
same "MESSAGE is the JSON line, with the request number" "yes" "$(python3 - "$T/entries" <<'PY'
import json, sys
ids = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    m = json.loads(e["MESSAGE"])
    ids.append(m["request"])
    assert str(m["request"]) == e["CHUNGTHU_REQUEST"] and str(m["status"]) == e["CHUNGTHU_STATUS"]
print("yes" if len(ids) == len(set(ids)) and len(ids) >= 3 else "no")
PY
)"
stop_server
kill $JOURNAL
wait $JOURNAL 2>/dev/null

# ---- a file, reopened on SIGUSR1 ----
start_server --access-log "$T/access.log" || exit 1
same "a request" "200" "$(curl -o /dev/null -w '%{http_code}' "$BASE/healthz")"
same "an API call" "200" "$(api canbo dossiers)"
for _ in $(seq 1 100); do grep -q '"/api/v1/dossiers"' "$T/access.log" 2>/dev/null && break; sleep 0.05; done
contains "the line names the account" '"actor":"canbo"' "$(grep '/api/v1/dossiers' "$T/access.log")"
contains "... and the request number" '"request":' "$(grep '/healthz' "$T/access.log")"
mv "$T/access.log" "$T/access.log.1"
kill -USR1 "$SERVER"
for _ in $(seq 1 100); do [ -e "$T/access.log" ] && break; sleep 0.05; done
same "SIGUSR1 opens the log again at its path" "yes" "$([ -e "$T/access.log" ] && echo yes)"
same "after it, a request" "404" "$(curl -o /dev/null -w '%{http_code}' "$BASE/after-rotation")"
for _ in $(seq 1 100); do grep -q after-rotation "$T/access.log" 2>/dev/null && break; sleep 0.05; done
contains "goes to the new file" "/after-rotation" "$(cat "$T/access.log")"
same "the rotated file kept what was before" "0" "$(grep -c after-rotation "$T/access.log.1")"
same "the server still serves" "200" "$(curl -o /dev/null -w '%{http_code}' "$BASE/healthz")"
stop_server
finish

# server.sh — for shell tests that talk to a running `chungthu serve` (sourced after lib.sh):
# start one on a free loopback port (stopped by the test's exit trap), log in the demo accounts,
# call the API, and fire many requests released at the same instant.
#
# The release: each request runs in its own background process that opens a FIFO and blocks
# reading it; the test holds the FIFO's only write end and closes it once every process has
# opened its read end, so all of them see end-of-file together and send their requests at once.

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
URL=$BASE/api/v1
DB=$CHUNGTHU_HOME/chungthu.db
SERVER=
curl() { command curl -m 60 -s "$@"; }

# start_server [ARGS...]: serve in the background, wait (bounded) until /healthz answers
start_server() {
    SERVER_ARGS=("$@")
    "$CHUNGTHU" serve --listen "127.0.0.1:$PORT" "$@" 2>> "$T/server.log" &
    SERVER=$!
    trap 'stop_server; rm -rf "$T"' EXIT
    for _ in $(seq 1 200); do
        curl -f -o /dev/null "$BASE/healthz" && return 0
        kill -0 "$SERVER" 2>/dev/null || break
        sleep 0.05
    done
    echo "the server did not come up" >&2
    cat "$T/server.log" >&2
    return 1
}
SANITIZER_REPORT='(Thread|Address|Leak|UndefinedBehavior)Sanitizer|runtime error:'
# stop_server: SIGTERM, which must end it cleanly (status 0); whatever a sanitizer reported
# in any server of this test (ThreadSanitizer, ASan, UBSan, LeakSanitizer) is a failure
stop_server() {
    local status
    if [ -n "$SERVER" ]; then
        kill -TERM "$SERVER" 2>/dev/null
        wait "$SERVER" 2>/dev/null
        status=$?
        SERVER=
        same "the server stops cleanly on SIGTERM" "0" "$status"
        [ "$status" = 0 ] || tail -20 "$T/server.log" | sed 's/^/  server.log | /' >&2
        if grep -qE "$SANITIZER_REPORT" "$T/server.log"; then
            fail "a sanitizer reported in the server: $(grep -cE "$SANITIZER_REPORT" "$T/server.log") line(s)"
            grep -E -A12 "$SANITIZER_REPORT" "$T/server.log" | head -150 >&2
        else
            pass
        fi
    fi
}
# server_alive: the process is there and /healthz answers 200
server_alive() {
    kill -0 "$SERVER" 2>/dev/null && [ "$(curl -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ]
}

# revive WHAT: if the server is gone (or not answering), that is a failure of WHAT; a fresh one
# is started so that what follows is judged on its own
revive() {
    if server_alive; then return 0; fi
    local status="alive but not answering /healthz"
    if kill -0 "$SERVER" 2>/dev/null; then
        kill -KILL "$SERVER" 2>/dev/null
        wait "$SERVER" 2>/dev/null
    else
        wait "$SERVER" 2>/dev/null
        status="exit status $?"
    fi
    fail "$1: the server stopped serving ($status)"
    SERVER=
    start_server "${SERVER_ARGS[@]}"
}

# login_demo: a cookie jar $T/USER.jar for every demo account
login_demo() {
    local user role password
    while read -r user role password; do
        case $user in \#*) continue ;; esac
        curl -c "$T/$user.jar" -H 'Content-Type: application/json' \
            -d "{\"username\":\"$user\",\"password\":\"$password\"}" -o /dev/null "$URL/session"
    done < "$CHUNGTHU_HOME/demo-accounts.txt"
}

# api WHO PATH [JSON] → prints the status; the body is in $LAST ($T/last, or one file per request
# of a race). Without JSON: a GET.
api() {
    if [ $# -lt 3 ]; then
        curl -b "$T/$1.jar" -o "${LAST:-$T/last}" -w '%{http_code}' "$URL/$2"
    else
        curl -b "$T/$1.jar" -H 'Content-Type: application/json' -d "$3" -o "${LAST:-$T/last}" -w '%{http_code}' "$URL/$2"
    fi
}
# jfield EXPR: a field of the last JSON answer ($T/last), e.g. jfield '["code"]'
jfield() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$1)" "$T/last"; }
q() { sqlite3 "$DB" "$1"; }

# race N FN: FN 1 … FN N, each in its own process, released together; FN prints an HTTP status.
# Afterwards $T/race/code.I holds each status and $T/race/codes all of them, sorted.
race() {
    local n=$1 fn=$2 i pids=() ready
    rm -rf "$T/race"
    mkdir "$T/race"
    mkfifo "$T/race/gate"
    exec 4<> "$T/race/gate" # held open: the gate is shut until this closes
    for i in $(seq 1 "$n"); do
        (
            exec 4>&- 3< "$T/race/gate"
            : > "$T/race/ready.$i"
            read -r -u 3 _ # end-of-file: the gate opened
            LAST=$T/race/body.$i
            "$fn" "$i" > "$T/race/code.$i"
        ) &
        pids+=($!)
    done
    for _ in $(seq 1 400); do
        ready=$(find "$T/race" -name 'ready.*' | wc -l)
        [ "$ready" -ge "$n" ] && break
        sleep 0.025
    done
    exec 4>&-
    wait "${pids[@]}"
    for i in $(seq 1 "$n"); do printf '%s\n' "$(cat "$T/race/code.$i")"; done | sort > "$T/race/codes"
}
# race_count PATTERN: how many statuses of the last race match the (grep -E) pattern
race_count() { grep -cE "^($1)$" "$T/race/codes"; }
# race_summary: the statuses of the last race, counted, and the error codes the API answered
race_summary() {
    uniq -c < "$T/race/codes" | awk '{n = $1; $1 = ""; printf "%s%s×%s", sep, n, substr($0, 2); sep = ", "}'
    python3 - "$T/race" <<'PY'
import collections, glob, json, sys
codes = collections.Counter()
for f in glob.glob(sys.argv[1] + "/body.*"):
    try:
        answer = json.load(open(f))
    except Exception:
        continue
    if isinstance(answer, dict) and "message_en" in answer:
        codes[answer.get("code", "?")] += 1
if codes:
    print("; " + ", ".join(f"{n}×{c}" for c, n in sorted(codes.items())), end="")
PY
}

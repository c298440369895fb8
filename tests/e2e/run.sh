# run.sh — what every browser test's shell wrapper (tests/sh/*_e2e.sh) does the same way; sourced
# after lib.sh. Sourcing it ends the test at once, failed, when Chromium or playwright-core is
# missing; otherwise it picks a free loopback port (tests/server.sh: $PORT, $BASE, start_server,
# stop_server) and makes a demo instance whose base URL is that port, its accounts in $ACCOUNTS.
# The wrapper then seeds what its test needs, calls e2e_serve, then e2e_node, and ends with
# stop_server (the server stops cleanly, no sanitizer spoke) before finish.
E2E=$CT_SRC/tests/e2e
if [ ! -x /usr/bin/chromium ] || [ ! -d "$E2E/node_modules/playwright-core" ]; then
    fail "Chromium or playwright-core missing: run scripts/install-deps"
    finish
    exit
fi
. "$CT_SRC/tests/server.sh"
ACCOUNTS=$CHUNGTHU_HOME/demo-accounts.txt
check "init --demo" ct init --demo --base-url "$BASE"

# e2e_serve [ARGS...]: the server, in the background until the test ends (stop_server, also on
# exit); the test cannot go on without it. Environment set for the call reaches the server.
e2e_serve() {
    if ! start_server "$@"; then
        fail "the server starts"
        stop_server
        finish
        exit
    fi
}

# e2e_node NAME [ARGS...]: tests/e2e/NAME.mjs BASE ACCOUNTS ARGS... [SCREENSHOT_DIR], the folder
# from $NAME_SCREENSHOTS (upper case, e.g. PORTAL_SCREENSHOTS) when set. One check: passed, its
# last line ("N checks passed") is shown; failed, its whole output and the server log's end are.
e2e_node() {
    local name=$1 shots_var
    shift
    shots_var=${name^^}_SCREENSHOTS
    if node "$E2E/$name.mjs" "$BASE" "$ACCOUNTS" "$@" ${!shots_var:+"${!shots_var}"} > "$T/e2e.log" 2>&1; then
        pass
        tail -1 "$T/e2e.log"
    else
        fail "the browser test"
        sed 's/^/  | /' "$T/e2e.log" >&2
        tail -20 "$T/server.log" | sed 's/^/  server | /' >&2
    fi
}

# lib.sh — shared helpers for the shell tests (sourced). Each test gets a fresh temporary
# directory in $T, removed on exit, and ends with a "N passed, N failed" line.
set -u
: "${CHUNGTHU:?CHUNGTHU must point at the chungthu binary (CTest sets it)}"
: "${CT_SRC:?CT_SRC must point at the source tree}"
T=$(mktemp -d /tmp/chungthu-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
# CT_BACKEND=postgresql (the `_pg` variants of the tests, label pg): the instances `ct init` makes
# keep their database on a private PostgreSQL server this test starts (tests/pg.sh), one fresh
# database each, and the server is stopped and removed when the test ends. Otherwise SQLite.
CT_BACKEND=${CT_BACKEND:-sqlite}
if [ "$CT_BACKEND" = postgresql ]; then
    . "$CT_SRC/tests/pg.sh"
    trap 'pg_stop; rm -rf "$T"' EXIT
    pg_start || exit 1
fi
echo "backend: $CT_BACKEND"
PASSED=0
FAILED=0
export CHUNGTHU_HOME="$T/home"
unset CHUNGTHU_CA_PASSPHRASE

# free_port: a TCP port on 127.0.0.1, free now, below the kernel's ephemeral range (where the
# port 0 trick would pick one): an outgoing connection of a test running beside this one (curl,
# PostgreSQL, a browser) takes its own end from that range and may hold a port there in TIME_WAIT
# for a minute, long enough to refuse our server's listen later on.
free_port() {
    python3 - <<'PY'
import random, socket
try:
    top = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0]) - 1
except (OSError, ValueError, IndexError):
    top = 32767
for _ in range(500):
    port = random.randint(10000, max(top, 10001))
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
PY
}

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
    local what=$1; shift
    if "$@" >"$T/out" 2>"$T/err"; then pass; else fail "$what"; sed 's/^/  | /' "$T/err" "$T/out" >&2; fi
}
# refuse DESCRIPTION CODE COMMAND...: the command must fail and its error name CODE.
refuse() {
    local what=$1 code=$2; shift 2
    if "$@" >"$T/out" 2>"$T/err"; then
        fail "$what: succeeded but should have been refused with $code"
    elif ! grep -q "\[$code\]" "$T/err"; then
        fail "$what: refused without code $code"; sed 's/^/  | /' "$T/err" >&2
    else
        pass
    fi
}
# same DESCRIPTION EXPECTED ACTUAL
same() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: expected [$2], got [$3]"; fi
}
contains() {
    if printf '%s' "$3" | grep -qF -- "$2"; then pass; else fail "$1: [$2] not found"; printf '%s\n' "$3" | head -40 | sed 's/^/  | /' >&2; fi
}
# ct ARGS...: the program. Four eyes ([approvals] in chungthu.ini) asks two people to revoke a
# certificate or change an account or its role; the tests of everything else act as one person, so an
# instance `ct init` makes takes one for every step, unless CT_FOUR_EYES=1 (approvals.sh keeps
# the defaults).
ct() {
    local home=${CHUNGTHU_HOME:-} command= url=
    local args=("$@")
    while [ $# -gt 0 ]; do
        case $1 in
            --home) home=$2; shift ;;
            --home=*) home=${1#--home=} ;;
            -*) ;;
            *) command=$1; break ;;
        esac
        shift
    done
    if [ "$command" = init ] && [ "$CT_BACKEND" = postgresql ]; then
        url=$(pg_createdb) || return
        args+=(--database-url "$url")
    fi
    "$CHUNGTHU" "${args[@]}" || return
    [ -n "${CT_FOUR_EYES:-}" ] && return 0
    if [ "$command" = init ] && [ -f "$home/chungthu.ini" ]; then
        printf '\n; the tests act as one person\n[approvals]\nrevoke = 1\nuser = 1\nrole = 1\n' >>"$home/chungthu.ini"
    fi
}
# The tests read an instance's database with `sqlite3 HOME/chungthu.db SQL`; on PostgreSQL the
# same call asks the instance's own database (the url in HOME/chungthu.ini) with psql, whose
# unaligned output is sqlite3's ("a|b" rows). SQL that only SQLite speaks fails there, so the
# tests that use it are not among the `_pg` variants (CMakeLists.txt).
if [ "$CT_BACKEND" = postgresql ]; then
    sqlite3() {
        local url
        url=$(sed -n 's/^url *= *//p' "$(dirname "$1")/chungthu.ini" 2>/dev/null)
        if [ -z "$url" ]; then
            command sqlite3 "$@"
            return
        fi
        shift
        psql -X -A -t -q -v ON_ERROR_STOP=1 "$url" -c "$*"
    }
fi
# SQL that takes away the audit trail's guard against UPDATE, as the database's owner can (the
# tests then show that `audit verify` still catches the edit)
if [ "$CT_BACKEND" = postgresql ]; then
    AUDIT_UNGUARD='ALTER TABLE audit DISABLE TRIGGER audit_no_change'
else
    AUDIT_UNGUARD='DROP TRIGGER audit_no_update'
fi
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

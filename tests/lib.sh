# lib.sh — shared helpers for the shell tests (sourced). Each test gets a fresh temporary
# directory in $T, removed on exit, and ends with a "N passed, N failed" line.
set -u
: "${CHUNGTHU:?CHUNGTHU must point at the chungthu binary (CTest sets it)}"
: "${CT_SRC:?CT_SRC must point at the source tree}"
T=$(mktemp -d /tmp/chungthu-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
PASSED=0
FAILED=0
export CHUNGTHU_HOME="$T/home"
unset CHUNGTHU_CA_PASSPHRASE

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
    "$CHUNGTHU" "$@" || return
    [ -n "${CT_FOUR_EYES:-}" ] && return 0
    local home=${CHUNGTHU_HOME:-} command=
    while [ $# -gt 0 ]; do
        case $1 in
            --home) home=$2; shift ;;
            --home=*) home=${1#--home=} ;;
            -*) ;;
            *) command=$1; break ;;
        esac
        shift
    done
    if [ "$command" = init ] && [ -f "$home/chungthu.ini" ]; then
        printf '\n; the tests act as one person\n[approvals]\nrevoke = 1\nuser = 1\nrole = 1\n' >>"$home/chungthu.ini"
    fi
}
finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

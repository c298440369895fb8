# crash.sh — durability (DESIGN.md §7): the process killed in the middle of the procedure leaves
# a consistent instance that carries on. `chungthu demo` runs the whole procedure (stock,
# intake, issuance on tokens, pickup, the agency's steps, publication); a SQLite VFS in front of
# the real one (tests/crash/crash_vfs.c) kills it with SIGKILL just before its Nth write to the
# database, at points spread over the whole run. After each kill: the database is whole, the
# audit chain holds, no certificate, token or applicant points at something that is not there,
# no certificate exists that its applicant and the audit trail do not name, every provisioned
# token has its PIN envelope, every certificate on any token (read with pkcs11-tool) is a
# certificate of the database or a serial `audit verify` lists as reserved and never issued; and
# the procedure runs again to the end on the same instance.
. "$(dirname "$0")/../lib.sh"
: "${CT_CRASH_VFS:?CT_CRASH_VFS must point at the crash VFS module (CTest sets it)}"
DB=$CHUNGTHU_HOME/chungthu.db
# crashing [NAME=VALUE]... COMMAND...: run COMMAND with the crash VFS in front of SQLite's. The
# module comes ahead of the sanitizer runtime in the ASan build: tell the runtime that is meant.
crashing() { env LD_PRELOAD="$CT_CRASH_VFS" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"; }

fresh() {
    rm -rf "$CHUNGTHU_HOME"
    ct init --root-key p384 --issuing-key p256 >/dev/null 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
}

# Every reference in the database points at something that is there, and every subscriber
# certificate is one an applicant holds and the audit trail names. Prints the number of
# violations (0 when all is well).
violations() {
    sqlite3 "$DB" "
        SELECT (SELECT count(*) FROM applicants
                 WHERE cert_serial <> '' AND cert_serial NOT IN (SELECT serial FROM certificates))
             + (SELECT count(*) FROM applicants
                 WHERE state NOT IN ('pending', 'cancelled')
                   AND (cert_serial = '' OR token_serial = ''))
             + (SELECT count(*) FROM applicants
                 WHERE token_serial <> '' AND state <> 'cancelled' AND token_serial NOT IN
                       (SELECT serial FROM tokens WHERE state NOT IN ('blank', 'wiped', 'damaged')))
             + (SELECT count(*) FROM applicants p JOIN certificates c ON c.serial = p.cert_serial
                 WHERE (p.state = 'published') <> (c.status = 'active' AND c.effective_at > 0)
                   AND p.state <> 'cancelled')
             + (SELECT count(*) FROM tokens
                 WHERE state IN ('provisioned', 'with_agency', 'with_subscriber')
                   AND cert_serial NOT IN (SELECT serial FROM certificates))
             + (SELECT count(*) FROM certificates c WHERE kind = 'subscriber'
                   AND NOT EXISTS (SELECT 1 FROM applicants p WHERE p.cert_serial = c.serial))
             + (SELECT count(*) FROM certificates c WHERE kind = 'subscriber'
                   AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.object = c.serial));"
}

# Every certificate on every token, read with OpenSC's pkcs11-tool, is on record: a certificate
# row, or a serial that `audit verify` lists as reserved for a token and never issued. Prints the
# number that are not.
MODULE=/usr/lib/softhsm/libsofthsm2.so
p11() { SOFTHSM2_CONF=$CHUNGTHU_HOME/tokens/softhsm2.conf pkcs11-tool --module $MODULE "$@" 2>/dev/null; }
unrecorded_on_tokens() {
    local unknown=0 label id serial
    ct audit verify --json >"$T/verify.json"
    # A token still labelled blank has had nothing written: provisioning relabels it first.
    for label in $(p11 --list-token-slots | sed -n 's/^ *token label *: *//p' | grep -v '^chungthu-blank-'); do
        for id in $(p11 --token-label "$label" --list-objects --type cert | sed -n 's/^ *ID: *//p'); do
            p11 --token-label "$label" --read-object --type cert --id "$id" -o "$T/oncard.der" >/dev/null
            serial=$(openssl x509 -inform DER -in "$T/oncard.der" -noout -serial | cut -d= -f2)
            [ "$(sqlite3 "$DB" "SELECT count(*) FROM certificates WHERE serial = '$serial'")" -gt 0 ] ||
                grep -q "\"serial\": \"$serial\"" "$T/verify.json" ||
                unknown=$((unknown + 1))
        done
    done
    echo $unknown
}

consistent() { # consistent WHEN
    same "$1: integrity_check" "ok" "$(sqlite3 "$DB" 'PRAGMA integrity_check')"
    same "$1: foreign_key_check" "" "$(sqlite3 "$DB" 'PRAGMA foreign_key_check')"
    same "$1: no dangling or unnamed record" "0" "$(violations)"
    check "$1: audit verify" ct audit verify
    local missing=0 serial
    for serial in $(sqlite3 "$DB" "SELECT serial FROM tokens WHERE state = 'provisioned'"); do
        [ -s "$CHUNGTHU_HOME/envelopes/$serial.txt" ] || missing=$((missing + 1))
    done
    same "$1: every provisioned token has its PIN envelope" "0" "$missing"
}

# ---- how many writes a whole run makes ----
fresh
check "a whole demo under the crash VFS, counting" crashing CT_CRASH_COUNT="$T/count" "$CHUNGTHU" demo
writes=$(cat "$T/count" 2>/dev/null || echo 0)
[ "$writes" -gt 100 ] && pass || fail "the run made $writes writes: the VFS is not in front"
consistent "after a whole run"

# ---- killed at points spread over the run: the first write, near the last, and between ----
# (a run's count moves by a few writes from one run to the next; the last point stays clear
# of that)
points="1 $(for k in 1 2 3 4 5 6 7 8; do echo $((writes * k / 9)); done) $((writes - 12))"
for at in $points; do
    fresh
    crashing CT_CRASH_AT="$at" "$CHUNGTHU" demo >"$T/out" 2>"$T/err"
    same "killed at write $at of $writes" "137" "$?"
    consistent "killed at write $at"
    same "killed at write $at: every certificate on a token is on record" "0" "$(unrecorded_on_tokens)"
    check "after the kill at write $at, the procedure runs again to the end" ct demo
    consistent "recovered from the kill at write $at"
done

finish

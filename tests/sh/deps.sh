# deps.sh — `make run` installs only what building and running need, never the browser tests'
# npm package; `make test` installs the rest (scripts/install-deps --run / --test).
. "$(dirname "$0")/../lib.sh"
deps=$CT_SRC/scripts/install-deps

run=$("$deps" --list)
all=$("$deps" --list --test)
for p in $run; do
    contains "the test set holds the run set's $p" " $p " " $(printf '%s ' $all)"
done
for p in nodejs npm chromium clang golang-go man-db; do
    if printf '%s\n' $run | grep -qx "$p"; then fail "the run set holds $p"; else pass; fi
done
for p in chromium clang golang-go man-db groff-base; do
    contains "the test set holds $p" " $p " " $(printf '%s ' $all)"
done
same "an unknown argument is a usage error" 2 "$("$deps" --bogus >/dev/null 2>&1; echo $?)"

# The run set with everything in place: a stand-in npm that records any call must not be
# called. (Only when every package of the set is installed: a test never runs apt-get.)
installed=yes
for p in $run; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || installed=no
done
if [ "$installed" = yes ]; then
    mkdir "$T/bin"
    printf '#!/bin/sh\necho "$@" >>"%s/npm-called"\nexit 1\n' "$T" >"$T/bin/npm"
    chmod +x "$T/bin/npm"
    check "install-deps (the run set) succeeds" env PATH="$T/bin:$PATH" "$deps"
    same "... without calling npm" no "$([ -e "$T/npm-called" ] && echo yes || echo no)"
else
    echo "deps.sh: the run set is not all installed here; the npm check is left out" >&2
fi

# What make runs for each: `make run` the run set only, `make test` the test set too.
mk=$(make -n -C "$CT_SRC" run BUILD="$T/b" 2>/dev/null)
contains "make run installs the run set" "scripts/install-deps" "$mk"
if printf '%s' "$mk" | grep -q -- '--test'; then fail "make run installs the test set"; else pass; fi
contains "make test installs the test set" "scripts/install-deps --test" \
    "$(make -n -C "$CT_SRC" test BUILD="$T/b" ASAN_BUILD="$T/a" TSAN_BUILD="$T/t" FUZZ_BUILD="$T/f" 2>/dev/null)"
finish

# man.sh — the manual pages the build writes from the program's tables: each renders without a
# warning; every usage `chungthu --help` prints (every command, every option) is in chungthu(1);
# every key of the configuration, with the default `init` writes, is in chungthu.ini(5); every
# API route is in chungthu-api(7); `cmake --install` puts them under share/man.
. "$(dirname "$0")/../lib.sh"

MAN=$CT_BUILD/man
if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
    fail "man or groff is missing (scripts/install-deps --test: man-db, groff-base)"
    finish
    exit 1
fi
flat() { tr -s ' \n' '  ' | sed 's/^ //; s/ $//; s/| /|/g'; } # one line; "a|b" broken after | joined
render() { MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$1" 2>/dev/null; }

for page in chungthu.1 chungthu.ini.5 chungthu-api.7; do
    [ -s "$MAN/$page" ] && pass || fail "$page was not written by the build"
    same "$page renders without a warning" "" "$(MANWIDTH=80 LC_ALL=C.UTF-8 man -l --warnings "$MAN/$page" 2>&1 >/dev/null)"
    same "$page is what the program prints now" "$(ct help --man "${page##*.}")" "$(cat "$MAN/$page")"
done

# ---- chungthu(1): every usage of --help, whole ----
page=$(render "$MAN/chungthu.1" | flat)
ct --help >"$T/help"
awk '
    /^  [a-z]/ { if (row != "") print row; row = $0; next }
    /^       / && row != "" { row = row " " $0; next }
    { if (row != "") print row; row = "" }
    END { if (row != "") print row }' "$T/help" | sed 's/^ *//; s/  */ /g; s/| /|/g' >"$T/rows"
rows=0
while IFS= read -r row; do
    rows=$((rows + 1))
    contains "chungthu(1) has: $row" "$row" "$page"
done <"$T/rows"
same "every row of --help was looked for" "$(grep -c '^  [a-z]' "$T/help")" "$rows"
options=0
for opt in $(grep -oE -- '--[a-z][a-z-]*' "$T/help" | sort -u); do
    options=$((options + 1))
    contains "chungthu(1) has the option $opt" "$opt" "$page"
done
[ "$options" -gt 40 ] && pass || fail "only $options options found in --help"
contains "chungthu(1): the doctor's exit status" "2 usage (doctor: an error)" "$page"

# ---- chungthu.ini(5): every key with its default, and whether a reload applies it ----
page=$(render "$MAN/chungthu.ini.5" | flat)
CT_FOUR_EYES=1 check "init (the file lists every key with its default)" ct init
# the setting table's rows, "LIVE_ section key" or " section key" (a row may be wrapped)
tr '\n' ' ' <"$CT_SRC/src/app/config.c" |
    grep -oE '(LIVE_)?(TEXT|INT|TIME|BOOL)_KEY\( *"[a-z_]+", *"[a-z_]+"' |
    sed -E 's/^(LIVE_)?[A-Z]+_KEY\( *"([a-z_]+)", *"([a-z_]+)"/\1 \2 \3/' >"$T/classes"
keys=0 live=0
section=
while IFS= read -r line; do
    case $line in
    \[*\]) section=$line; contains "chungthu.ini(5) has the section $section" "$section" "$page" ;;
    *" = "*)
        keys=$((keys + 1))
        key=${line%% = *} value=${line#* = }
        [ -n "$value" ] || value=empty
        s=${section#[}; s=${s%]}
        if grep -qx "LIVE_ $s $key" "$T/classes"; then
            class="applied on reload" live=$((live + 1))
        elif grep -qx " $s $key" "$T/classes"; then
            class="needs a restart"
        else
            class="(not in the table)"
        fi
        contains "chungthu.ini(5): $section $key with its default and class" \
            "$key (default: $value; $class)" "$page" ;;
    esac
done <"$CHUNGTHU_HOME/chungthu.ini"
same "every key of the table is in the written file" "$(wc -l <"$T/classes")" "$keys"
[ "$live" -gt 10 ] && pass || fail "only $live keys applied on reload"
contains "chungthu.ini(5): [server] listen needs a restart" "listen (default: 127.0.0.1:8080; needs a restart)" "$page"
contains "chungthu.ini(5): [office] closing is applied on reload" "closing (default: 17:00; applied on reload)" "$page"
contains "chungthu.ini(5) says what a reload does" "A running chungthu serve reads the file again on SIGHUP" "$page"

# ---- chungthu-api(7): every route of the table ----
page=$(render "$MAN/chungthu-api.7" | flat)
routes=0
while read -r method pattern; do
    routes=$((routes + 1))
    contains "chungthu-api(7) has $method $pattern" "$method /api/v1/$pattern " "$page "
done < <(sed -n 's/^ *{"\(GET\|POST\)", *"\([^"]*\)".*/\1 \2/p' "$CT_SRC/src/http/api_routes.c")
[ "$routes" -gt 30 ] && pass || fail "only $routes routes read from api_routes.c"
contains "chungthu-api(7) points at the reference" "docs/api.md" "$page"

# ---- installed under share/man ----
check "cmake --install" cmake --install "$CT_BUILD" --prefix "$T/inst"
for f in man1/chungthu.1 man5/chungthu.ini.5 man7/chungthu-api.7; do
    [ -s "$T/inst/share/man/$f" ] && pass || fail "share/man/$f not installed"
done
finish

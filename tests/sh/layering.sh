# layering.sh — the layers of DESIGN.md §5 hold: core includes no library, the faces (cli, http)
# reach the rest only through app. First by the #include lines, then by the symbols the compiled
# objects of the build under test leave undefined: an include can hide behind another header, a
# call cannot.
. "$(dirname "$0")/../lib.sh"
cd "$CT_SRC/src"

bad=$(grep -nE '#include <(openssl|sqlite3|microhttpd|jansson|argon2|ini|p11-kit|pthread)' core/*.[ch] || true)
same "core includes only libc" "" "$bad"
bad=$(grep -nE '#include "(store|pki|token|sheet)/' cli/*.[ch] http/*.[ch] 2>/dev/null || true)
same "faces include only app" "" "$bad"
bad=$(grep -nE '#include <(sqlite3|openssl/|zip\.h|libxml/|xlsxwriter)' cli/*.[ch] http/*.[ch] 2>/dev/null || true)
same "faces use no storage, crypto or spreadsheet library" "" "$bad"
bad=$(grep -nE '#include "(store|pki|token|sheet)/' app/app.h app/config.h || true)
same "the app's public headers show no service" "" "$bad"
bad=$(grep -nE '#include "(app|store|pki|token|sheet|cli|http)/' core/*.[ch] || true)
same "core includes only core" "" "$bad"
bad=$(grep -nE '#include "(app|cli|http)/' pki/*.[ch] store/*.[ch] token/*.[ch] sheet/*.[ch] 2>/dev/null || true)
same "services do not call upward" "" "$bad"
bad=$(grep -nE '#include "(store|pki|token)/' sheet/*.[ch] || true)
same "sheet includes only core" "" "$bad"
bad=$(grep -lE 'exit\(' core/*.c pki/*.c store/*.c token/*.c sheet/*.c app/*.c 2>/dev/null || true)
same "no exit() below the command line" "" "$bad"

# Who defines each symbol: the layers' objects (CMake keeps them under CMakeFiles/<target>.dir)
# and every shared library the program loads, named without version (libc, libjansson, …).
objs="${CT_BUILD:?CT_BUILD must point at the build directory (CTest sets it)}/CMakeFiles"
for layer in core:ctcore pki:ctpki token:cttoken store:ctstore sheet:ctsheet app:ctapp \
    http:chungthu cli:chungthu; do
    name=${layer%%:*}
    nm -g --defined-only "$objs/${layer#*:}.dir/src/$name"/*.o |
        awk -v o="$name" 'NF == 3 { print $3, o }'
done >"$T/owners"
ldd "$CHUNGTHU" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u >"$T/libs"
while read -r lib; do
    name=$(basename "$lib")
    name=${name%%.so*}
    case $name in ld-linux*) name=ld-linux ;; esac
    nm -D --defined-only "$lib" | awk -v o="$name" 'NF == 3 { sub(/@.*/, "", $3); print $3, o }'
done <"$T/libs" >>"$T/owners"
# what the linker itself provides (position-independent code refers to the GOT by name)
printf '%s linker\n' _GLOBAL_OFFSET_TABLE_ __dso_handle >>"$T/owners"

# offenders LAYER TARGET OWNER...: "object symbol (who defines it)" for each symbol an object of
# LAYER leaves undefined that no OWNER defines.
offenders() {
    local layer=$1 target=$2 o
    shift 2
    for o in "$objs/$target.dir/src/$layer"/*.o; do
        nm -u "$o" | awk -v o="$layer/$(basename "$o" .o)" '{ print o, $NF }'
    done | awk -v allowed=" $* " '
        NR == FNR { owners[$1] = owners[$1] " " $2; next }
        {
            sym = $2; sub(/@.*/, "", sym)
            n = split(owners[sym], list, " "); ok = 0
            for (i = 1; i <= n; i++) if (index(allowed, " " list[i] " ")) ok = 1
            if (!ok)
                print $1, sym, "(" (n ? substr(owners[sym], 2) : "defined nowhere known") ")"
        }' "$T/owners" -
}
# none DESCRIPTION LINES: passes when LINES is empty, else fails printing each line.
none() {
    if [ -z "$2" ]; then pass; else fail "$1"; printf '%s\n' "$2" | sed 's/^/  | /' >&2; fi
}

# libc as the program loads it, and the runtimes the compiler and linker add.
libc="libc libm ld-linux libasan libubsan libtsan liblsan libgcc_s linker"
same "the symbols of the build's objects are read" "yes" \
    "$(grep -q ' app$' "$T/owners" && grep -q ' libc$' "$T/owners" && echo yes)"
bad=$(offenders http chungthu http cli app core libjansson libmicrohttpd "$libc"
      offenders cli chungthu http cli app core libjansson libmicrohttpd "$libc")
none "faces call only app, core, libc, Jansson and libmicrohttpd" "$bad"
none "core calls only libc and libm" "$(offenders core ctcore core "$libc")"
none "sheet calls only core, libc and its spreadsheet libraries" \
    "$(offenders sheet ctsheet sheet core libzip libxml2 libxlsxwriter "$libc")"
finish

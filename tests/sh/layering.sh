# layering.sh — the layers of DESIGN.md §5 hold: core includes no library, the faces (cli, http)
# reach the rest only through app.
. "$(dirname "$0")/../lib.sh"
cd "$CT_SRC/src"

bad=$(grep -nE '#include <(openssl|sqlite3|microhttpd|jansson|argon2|ini|p11-kit|pthread)' core/*.[ch] || true)
same "core includes only libc" "" "$bad"
bad=$(grep -nE '#include "(store|pki|token)/' cli/*.[ch] http/*.[ch] 2>/dev/null || true)
same "faces include only app" "" "$bad"
bad=$(grep -nE '#include <(sqlite3|openssl/)' cli/*.[ch] http/*.[ch] 2>/dev/null || true)
same "faces use no storage or crypto library" "" "$bad"
bad=$(grep -nE '#include "(app|store|pki|token|cli|http)/' core/*.[ch] || true)
same "core includes only core" "" "$bad"
bad=$(grep -nE '#include "(app|cli|http)/' pki/*.[ch] store/*.[ch] token/*.[ch] 2>/dev/null || true)
same "services do not call upward" "" "$bad"
bad=$(grep -lE 'exit\(' core/*.c pki/*.c store/*.c token/*.c app/*.c 2>/dev/null || true)
same "no exit() below the command line" "" "$bad"
finish

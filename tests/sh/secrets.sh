# secrets.sh — no secret reaches a log, a command's output or the database in clear (DESIGN.md
# §7: PINs and secrets never logged). The whole procedure runs, from the command line and through
# the HTTP server, with tokens reached through a stand-in PKCS#11 module (tests/p11/pin_module.c)
# that writes down every PIN a device is given, SO PINs included, which chungthu keeps only
# encrypted. Then every secret — those PINs, the account passwords (a wrong one tried too), the
# session cookies, the CA key passphrase — is looked for in the server's log and access log,
# every command's output, the configuration, and every table of the database.
. "$(dirname "$0")/../lib.sh"
: "${CT_P11_PINS_MODULE:?CT_P11_PINS_MODULE must point at the PIN-noting module (CTest sets it)}"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/api/v1
DB=$CHUNGTHU_HOME/chungthu.db
curl() { command curl -m 60 -s "$@"; }
export CT_P11_PIN_LOG=$T/pins
mkdir "$T/outputs"

ct init --demo --root-key p384 --issuing-key p256 >/dev/null 2>&1 # prints the demo passwords, once
sed -i "s|^module = .*|module = $CT_P11_PINS_MODULE|" "$CHUNGTHU_HOME/chungthu.ini"
# SoftHSM2 behind the stand-in keeps its tokens in the instance's own directory, as chungthu sets
# it up for SoftHSM2 itself (not in the machine's /var/lib/softhsm, shared by every run)
mkdir -p "$CHUNGTHU_HOME/tokens/store"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$CHUNGTHU_HOME/tokens/store" > "$CHUNGTHU_HOME/tokens/softhsm2.conf"
export SOFTHSM2_CONF=$CHUNGTHU_HOME/tokens/softhsm2.conf
WRONG='sai-mat-khau-7f3a9c2e'
NEW_PASSWORD='mật khẩu mới của kiểm toán 41b7'
TEMP_PASSWORD='một mật khẩu tạm thời 9d2e'
API_PASSWORD='mật khẩu đặt qua API c81f'

# ---- from the command line: the whole procedure, and an account made ----
check "the procedure from the command line" ct demo
cp "$T/out" "$T/outputs/demo.out"; cp "$T/err" "$T/outputs/demo.err"
printf '%s\n' "$TEMP_PASSWORD" | ct user add --username tam.thoi --role auditor >"$T/outputs/useradd.out" 2>&1
same "an account made" "0" "$?"
ct audit verify >"$T/outputs/verify.out" 2>&1
ct token list --json >"$T/outputs/tokens.out" 2>&1
ct dossier list --json >"$T/outputs/dossiers.out" 2>&1

# ---- through the server: logins, a wrong password, a password changed, an account made, a
# dossier submitted, accepted and issued on a token ----
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" --access-log "$T/outputs/access.log" 2>"$T/outputs/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -f "$URL/../../healthz" -o /dev/null && break; sleep 0.1; done
login() { # login USER PASSWORD → status; the session cookie in $T/USER.jar
    curl -c "$T/$1.jar" -H 'Content-Type: application/json' \
        -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$URL/session" -o /dev/null -w '%{http_code}'
}
while read -r user role password; do
    case $user in \#*) continue ;; esac
    same "login $user" "200" "$(login "$user" "$password")"
done <"$CHUNGTHU_HOME/demo-accounts.txt"
same "a wrong password" "401" "$(curl -H 'Content-Type: application/json' -d "{\"username\":\"canbo\",\"password\":\"$WRONG\"}" -o /dev/null -w '%{http_code}' "$URL/session")"
same "login tam.thoi" "200" "$(login tam.thoi "$TEMP_PASSWORD")"
same "its password changed" "200" "$(curl -b "$T/tam.thoi.jar" -H 'Content-Type: application/json' -d "{\"old_password\":\"$TEMP_PASSWORD\",\"new_password\":\"$NEW_PASSWORD\"}" -o /dev/null -w '%{http_code}' "$URL/session/password")"
same "the changed password opens a session" "200" "$(login tam.thoi "$NEW_PASSWORD")"
same "the admin makes an account" "201" "$(curl -b "$T/quantri.jar" -H 'Content-Type: application/json' -d "{\"username\":\"kt2\",\"role\":\"auditor\",\"password\":\"$API_PASSWORD\"}" -o /dev/null -w '%{http_code}' "$URL/users")"
same "the admin stocks tokens" "200" "$(curl -b "$T/quantri.jar" -H 'Content-Type: application/json' -d '{"count":2}' -o /dev/null -w '%{http_code}' "$URL/tokens/stock")"
LIST='1,Đỗ Minh Khôi,05/06/1988,001088000777,01/01/2021,Cục CS,khoi.dm@mic.gov.vn,Vụ A,Hà Nội,CV,Công chức,0912000777,\n'
curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -o "$T/d.json" \
    -d "$(printf '{"agency":"BKHCN.VPC","channel":"postal","confirmed_by":"Phạm Thị Lan, Vụ trưởng","csv":"%s"}' "$LIST")" "$URL/dossiers"
D=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/d.json")
same "the officer accepts" "200" "$(curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -d '{}' -o /dev/null -w '%{http_code}' "$URL/dossiers/$D/accept")"
same "the officer issues on a token" "200" "$(curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -d '{}' -o /dev/null -w '%{http_code}' "$URL/dossiers/$D/issue")"
curl -b "$T/kiemtoan.jar" -o "$T/outputs/audit.json" "$URL/audit"
curl -b "$T/canbo.jar" -o "$T/outputs/dossier.json" "$URL/dossiers/$D"
curl -b "$T/canbo.jar" -o /dev/null -X DELETE "$URL/session"
kill -TERM $SERVER
wait $SERVER

# ---- the secrets, and where they must not be ----
{
    awk '!/^#/ && NF >= 3 {print $3}' "$CHUNGTHU_HOME/demo-accounts.txt"
    printf '%s\n' "$WRONG" "$NEW_PASSWORD" "$TEMP_PASSWORD" "$API_PASSWORD"
    cat "$CHUNGTHU_HOME/secrets/ca-passphrase"; echo
    sort -u "$T/pins"
    awk -F '\t' 'NF >= 7 {print $7}' "$T"/*.jar # session cookies (HttpOnly lines start with #)
} | grep -v '^$' | sort -u >"$T/secrets"
pins=$(sort -u "$T/pins" | wc -l)
[ "$pins" -ge 6 ] && pass || fail "only $pins PINs were seen by the devices: the stand-in module is not in front"
[ "$(awk -F '\t' 'NF >= 7' "$T"/*.jar | wc -l)" -ge 5 ] && pass || fail "the session cookies were not collected"
[ -s "$T/outputs/access.log" ] && pass || fail "the access log is empty"
# every table in text, the certificates' and letters' bytes left out (they are not logs)
sqlite3 "$DB" .dump | sed "s/X'[0-9a-fA-F]*'//g" >"$T/outputs/database.sql"
cp "$CHUNGTHU_HOME/chungthu.ini" "$T/outputs/"
found=0
while IFS= read -r secret; do
    if grep -rlF -- "$secret" "$T/outputs" >"$T/where"; then
        found=$((found + 1))
        echo "a secret of ${#secret} characters is in: $(tr '\n' ' ' <"$T/where")" >&2
    fi
done <"$T/secrets"
same "$(wc -l <"$T/secrets") secrets, none in a log, an output or the database" "0" "$found"

finish

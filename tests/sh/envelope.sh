# envelope.sh — a token's PIN envelope is printed once, by a CA role, through the API or the
# command line: twenty asking at once get one page, the others 410; the PIN on the page opens
# the token (pkcs11-tool); the printing is audited without the PIN; no file is left.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../server.sh"
MODULE=/usr/lib/softhsm/libsofthsm2.so
N=20

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
sed -i 's/^subscriber_key = .*/subscriber_key = p256/' "$CHUNGTHU_HOME/chungthu.ini"
check "token stock" ct token stock --count 3
who=(--name "Phạm Văn Đồng" --email dong.pv@chinhphu.vn --province "Hà Nội" --org "Văn phòng Chính phủ" --unit "Vụ Tổng hợp")
check "provision one" ct token provision "${who[@]}" --json
serial=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token_serial"])' "$T/out")
envelope=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["envelope"])' "$T/out")
check "provision another" ct token provision "${who[@]}" --json
other=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token_serial"])' "$T/out")
start_server --threads 8 || exit 1
login_demo

# ---- who may print ----
same "the token list says the envelope waits" "True" "$(api canbo tokens >/dev/null; python3 -c 'import json,sys; print([t["envelope_waiting"] for t in json.load(open(sys.argv[1])) if t["serial"]==sys.argv[2]][0])' "$T/last" "$serial")"
same "an agency clerk may not print it" "403" "$(api vanthu "tokens/$serial/envelope" '{}')"
same "nor the auditor" "403" "$(api kiemtoan "tokens/$serial/envelope" '{}')"
same "nor anyone without a session" "401" "$(curl -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$URL/tokens/$serial/envelope")"
same "a serial that names a path is refused" "400" "$(api canbo "tokens/..%2F..%2Fchungthu.ini/envelope" '{}')"
same "an unknown token" "404" "$(api canbo "tokens/NOSUCHTOKEN/envelope" '{}')"
same "the envelope still waits after the refusals" "600" "$(stat -c %a "$envelope")"

# ---- twenty at once: one page ----
# the portal's way: a plain form POST, no JSON body
print_envelope() { curl -b "$T/canbo.jar" -H "Origin: $BASE" -X POST -o "$LAST" -w '%{http_code}' "$URL/tokens/$serial/envelope"; }
race $N print_envelope
same "one of $N gets the envelope" "1" "$(race_count 200)"
same "the others are told it was printed (410)" "$((N - 1))" "$(race_count 410)"
page=$(grep -l 'PHONG BÌ MÃ PIN' "$T"/race/body.* | head -1)
contains "the page has the national heading" "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "$(cat "$page")"
contains "and the holder" "Phạm Văn Đồng" "$(cat "$page")"
pin=$(sed -n 's/.*Mã PIN: \([0-9]*\).*/\1/p' "$page" | head -1)
same "an 8-digit PIN" "8" "${#pin}"
label=$(ct token list --json | python3 -c 'import json,sys; print([t["label"] for t in json.load(sys.stdin) if t["serial"]==sys.argv[1]][0])' "$serial")
export SOFTHSM2_CONF=$CHUNGTHU_HOME/tokens/softhsm2.conf
check "the printed PIN opens the token" pkcs11-tool --module $MODULE --token-label "$label" --login --pin "$pin" --list-objects
gone=$(grep -l '"token.envelope_printed"' "$T"/race/body.* | head -1)
contains "a second print says when and by whom" "can" "$(cat "$gone")"
same "no envelope file is left" "" "$(ls "$CHUNGTHU_HOME/envelopes/$serial".txt* 2>/dev/null)"
same "one printing in the audit trail" "1" "$(sqlite3 "$DB" "select count(*) from audit where action='token.envelope_print' and object='token:$serial'")"
if sqlite3 "$DB" "select detail from audit" | grep -q "$pin"; then fail "the PIN is in the audit trail"; else pass; fi
if grep -q "$pin" "$T/server.log"; then fail "the PIN is in the server's log"; else pass; fi
same "the token list no longer offers it" "False" "$(api canbo tokens >/dev/null; python3 -c 'import json,sys; print([t["envelope_waiting"] for t in json.load(open(sys.argv[1])) if t["serial"]==sys.argv[2]][0])' "$T/last" "$serial")"
same "not cached" "no-store" "$(curl -b "$T/canbo.jar" -D - -o /dev/null -X POST -H 'Content-Type: application/json' -d '{}' "$URL/tokens/$other/envelope" | tr -d '\r' | sed -n 's/^[Cc]ache-[Cc]ontrol: //p')"

# ---- the command line: the same once ----
check "the CLI prints an envelope once" ct token provision "${who[@]}" --json
third=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token_serial"])' "$T/out")
check "token envelope --pdf" ct token envelope "$third" --pdf --output "$T/envelope.pdf"
same "the PDF is private" "600" "$(stat -c %a "$T/envelope.pdf")"
same "its fonts embedded" "" "$(pdffonts "$T/envelope.pdf" | awk 'NR > 2 && $(NF-4) != "yes"')"
contains "the heading and the title, in Vietnamese" "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" "$(pdftotext "$T/envelope.pdf" -)"
pdfpin=$(pdftotext "$T/envelope.pdf" - | sed -n 's/.*Mã PIN: \([0-9]*\).*/\1/p' | head -1)
label3=$(ct token list --json | python3 -c 'import json,sys; print([t["label"] for t in json.load(sys.stdin) if t["serial"]==sys.argv[1]][0])' "$third")
check "the PIN of the PDF opens its token" pkcs11-tool --module $MODULE --token-label "$label3" --login --pin "$pdfpin" --list-objects
refuse "and not twice" token.envelope_printed ct token envelope "$third"
same "a format that does not exist" "400" "$(api canbo "tokens/$other/envelope?format=doc" '{}')"
stop_server
finish

# token_parallel.sh — a dossier's issue provisions several tokens at once ([token] parallel): every
# applicant on its own token, each its own all-or-nothing unit, the audit chain one line; with too
# few blank tokens the ones that could be made are, the others stay pending with nothing
# half-written, and two issues of one dossier at once issue each applicant once. Run under
# ThreadSanitizer too (make test-tsan).
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db
q() { sqlite3 "$DB" "$1"; }
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }
LIST=$CT_SRC/data/samples/mau02.csv

check "init" ct init --root-key p384 --issuing-key p256
printf '\n[token]\nparallel = 3\n' >> "$CHUNGTHU_HOME/chungthu.ini"
check "agency" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state
submit() { # → dossier code, accepted
    ct dossier submit --agency BNV --channel direct --file "$LIST" --confirmed-by "Phạm Thị Thanh Trà, Bộ trưởng" --json >"$T/out" &&
        ct dossier accept "$(json 'd["code"]')" >/dev/null && json 'd["code"]'
}

# ---- three applicants, three workers ----
check "token stock" ct token stock --count 3
D1=$(submit)
check "issue, three at once" ct dossier issue "$D1"
same "all three issued" "issued issued issued" "$(q "select group_concat(state, ' ') from applicants where dossier='$D1'")"
same "on three different tokens" 3 "$(q "select count(distinct token_serial) from applicants where dossier='$D1' and token_serial <> ''")"
same "each token provisioned with its applicant's certificate" 3 "$(q "select count(*) from tokens t join applicants a on a.token_serial = t.serial where a.dossier='$D1' and t.state='provisioned' and t.cert_serial = a.cert_serial")"
cat "$CHUNGTHU_HOME/ca/issuing.crt" "$CHUNGTHU_HOME/ca/root.crt" > "$T/chain.pem"
for s in $(q "select cert_serial from applicants where dossier='$D1'"); do
    check "certificate $s verifies strictly" sh -c "sqlite3 '$DB' \"select hex(der) from certificates where serial='$s'\" | xxd -r -p | openssl x509 -inform DER -out '$T/c.pem' && openssl verify -x509_strict -CAfile '$T/chain.pem' '$T/c.pem'"
done
same "one issue audit row per applicant" 3 "$(q "select count(*) from audit where action like '%issue%' and object like '$D1%'")"
check "audit verify" ct audit verify

# ---- two blank tokens for three applicants: two made, one waits, nothing half-written ----
check "two more tokens" ct token stock --count 2
D2=$(submit)
refuse "issue with a token short" token.no_blank ct dossier issue "$D2"
same "two issued, one still pending" "issued:2 pending:1" "$(q "select group_concat(state || ':' || n, ' ') from (select state, count(*) n from applicants where dossier='$D2' group by state order by state)")"
same "no token left between states" "" "$(q "select serial || ' ' || state from tokens where state not in ('provisioned', 'blank') or (state = 'provisioned' and cert_serial not in (select cert_serial from applicants))")"
same "no claim left behind" 0 "$(q "select count(*) from claims")"
check "one more token" ct token stock --count 1
check "the issue goes on" ct dossier issue "$D2"
same "all three issued now" "issued issued issued" "$(q "select group_concat(state, ' ') from applicants where dossier='$D2'")"

# ---- two issues of one dossier at once: each applicant once ----
check "three more tokens" ct token stock --count 3
D3=$(submit)
"$CHUNGTHU" dossier issue "$D3" >"$T/i1" 2>&1 & p1=$!
"$CHUNGTHU" dossier issue "$D3" >"$T/i2" 2>&1 & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "at least one of them issued" test $r1 -eq 0 -o $r2 -eq 0
same "each applicant issued once" "issued issued issued" "$(q "select group_concat(state, ' ') from applicants where dossier='$D3'")"
same "one certificate each" 3 "$(q "select count(distinct cert_serial) from applicants where dossier='$D3'")"
same "nine subscriber certificates in all" 9 "$(q "select count(*) from certificates where kind='subscriber'")"
same "no blank token used twice" 9 "$(q "select count(*) from tokens where state='provisioned'")"
check "audit verify at the end" ct audit verify

finish

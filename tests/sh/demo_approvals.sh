# demo_approvals.sh — `chungthu demo` under four eyes: with [approvals] accept, issue and publish
# = 2 every one of those steps waits as a request, the rehearsal's second officer approves it,
# the output says so, the procedure still ends published, and the trail names both officers.
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db
q() { sqlite3 "$DB" "$1"; }

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
INI=$CHUNGTHU_HOME/chungthu.ini
sed -i '/^\[approvals\]/,/^\[/{s/^accept = .*/accept = 2/;s/^issue = .*/issue = 2/;s/^publish = .*/publish = 2/}' "$INI"
same "[approvals] accept, issue, publish = 2" "accept = 2 issue = 2 publish = 2" "$(grep -E '^(accept|issue|publish) = ' "$INI" | tr '\n' ' ' | sed 's/ $//')"

check "the demo runs to the end under four eyes" ct demo
out=$(cat "$T/out")
for action in accept issue publish; do
    contains "says the $action request waits for a second officer" "waits for a second officer ([approvals] $action = 2)" "$out"
done
same "... and who approved each" "3" "$(grep -c 'approved by can.bo.cuc.2' "$T/out")"
same "three requests, each by the first officer, approved by the second" \
    "accept|can.bo.cuc|approved|can.bo.cuc.2 issue|can.bo.cuc|approved|can.bo.cuc.2 publish|can.bo.cuc|approved|can.bo.cuc.2" \
    "$(q "SELECT group_concat(action || '|' || requested_by || '|' || state || '|' || decided_by, ' ') FROM (SELECT * FROM approvals ORDER BY id) AS a")"
same "the applicants are published" "published published published" "$(q "SELECT group_concat(state, ' ') FROM (SELECT state FROM applicants ORDER BY n) AS a")"
same "the trail: three approvals by the second officer" "3" "$(q "SELECT count(*) FROM audit WHERE action='approval.approve' AND actor='can.bo.cuc.2'")"
same "... the accept itself audited under the approver" "can.bo.cuc.2" "$(q "SELECT actor FROM audit WHERE action='dossier.accept'")"
check "audit chain" ct audit verify

# with one person per step (the defaults) nothing waits
check "init --demo (defaults)" ct --home "$T/one" init --demo --root-key p384 --issuing-key p256
check "the demo with one person per step" ct --home "$T/one" demo
case $(cat "$T/out") in *"second officer"*) fail "a request waited with accept = 1" ;; *) pass ;; esac
finish

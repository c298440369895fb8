# accounts.sh — `user add|list|disable` from the command line: the password comes on standard
# input and is stored as Argon2id only; `init --demo` creates one account per role.
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
contains "demo accounts printed" "agency_clerk" "$(cat "$T/out")"
same "demo accounts file is private" "600" "$(stat -c %a "$CHUNGTHU_HOME/demo-accounts.txt")"
same "one account per role" "agency_clerk agency_head auditor ca_admin ca_officer" \
    "$(sqlite3 "$DB" "select role from users order by role" | tr '\n' ' ' | sed 's/ $//')"
printf 'một mật khẩu dài\n' > "$T/pw"
check "user add (password on stdin)" sh -c "\"$CHUNGTHU\" user add --username lan.pt --name 'Phạm Thị Lan' --role agency_head --agency BKHCN.VPC < '$T/pw'"
contains "stored as Argon2id" '$argon2id$v=19$m=19456,t=2,p=1$' "$(sqlite3 "$DB" "select password_hash from users where username='lan.pt'")"
if sqlite3 "$DB" .dump | grep -q "một mật khẩu dài"; then fail "the password is in the database"; else pass; fi
printf 'ngắn\n' > "$T/short"
refuse "weak password" user.password_weak sh -c "\"$CHUNGTHU\" user add --username x.y --role auditor < '$T/short'"
refuse "agency account without agency" user.agency_missing sh -c "\"$CHUNGTHU\" user add --username x.z --role agency_clerk < '$T/pw'"
refuse "unknown agency" agency.not_found sh -c "\"$CHUNGTHU\" user add --username x.w --role agency_clerk --agency NOPE < '$T/pw'"
check "user list" ct user list --json
if grep -q argon2 "$T/out"; then fail "user list shows password hashes"; else pass; fi
check "disable" ct user disable lan.pt
same "disabled" "1" "$(sqlite3 "$DB" "select disabled from users where username='lan.pt'")"
refuse "disable an unknown user" user.not_found ct user disable nobody
contains "audited" "user.disable" "$(sqlite3 "$DB" "select action from audit")"
check "audit verify" ct audit verify
finish

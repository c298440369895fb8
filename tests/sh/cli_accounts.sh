# cli_accounts.sh — who acts on the command line (docs/operator-guide.md, "Who acts on the
# command line"): an OS user of this machine, mapped to an agency clerk's account, is refused an
# officer's step (403, nothing changed) and does its own under the account's name; logged in as
# the officer it does the officer's steps under the officer's name, until it logs out; wrong
# passwords lock the name from that OS user as the API locks it from an address; the session
# file is the user's own and private; nobody can name themselves any more; the owner of the
# instance is audited as such, and the instance's own commands are the owner's only.
# Runs as root: it makes an OS user (removed on exit) and runs the program as it with runuser.
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db
q() { sqlite3 "$DB" "$1"; }

if [ "$(id -u)" -ne 0 ]; then
    fail "this test makes an OS user: it runs as root"
    finish
    exit 1
fi
OSU=ctclerk$$
trap 'userdel "$OSU" 2>/dev/null; rm -rf "$T"' EXIT
# the OS user's home (for its session file) inside the test's directory, which it may cross
chmod 711 "$T"
check "an OS user for the test" useradd -M -d "$T/osu" -s /usr/sbin/nologin "$OSU"
mkdir -m 700 "$T/osu" && chown "$OSU:" "$T/osu"
# the program as the OS user can reach it: the build directory may sit in a private one
mkdir -m 755 "$T/bin" && cp "$CHUNGTHU" "$T/bin/chungthu" && chmod 755 "$T/bin/chungthu"
export OSU_BIN=$T/bin/chungthu
# and so can the sanitizers reach their suppression files (named in *SAN_OPTIONS)
for v in ASAN_OPTIONS LSAN_OPTIONS TSAN_OPTIONS UBSAN_OPTIONS; do
    supp=$(printf '%s' "${!v:-}" | sed -n 's/^\(.*:\)\{0,1\}suppressions=\([^:]*\).*/\2/p')
    [ -n "$supp" ] && [ -f "$supp" ] || continue
    cp "$supp" "$T/bin/$v.supp" && chmod 644 "$T/bin/$v.supp"
    export "$v=${!v//$supp/$T/bin/$v.supp}"
done
as_osu() { runuser -u "$OSU" -- "$OSU_BIN" "$@"; }

check "init --demo (as root, the owner)" ct init --demo
pw() { awk -v u="$1" '$1 == u {print $3}' "$CHUNGTHU_HOME/demo-accounts.txt"; }
OFFICER_PW=$(pw canbo)
# The OS user uses the instance's files through a group. An instance keeps them to its owner
# (the owner's every open sets the database back to 0600), so they are shared again after each
# of root's commands: this test is about what the program lets each person do, not about the
# files, which whoever can open the instance can read (its CA key's passphrase included).
share() { chgrp -R "$OSU" "$CHUNGTHU_HOME" && chmod -R g+rwX "$CHUNGTHU_HOME"; }
ct() { "$CHUNGTHU" "$@"; local rc=$?; share; return $rc; }
share

# nobody names themselves any more
refuse "--actor is gone" cli.actor_removed ct --actor canbo dossier list
same "... a usage error" "2" "$(ct --actor canbo dossier list >/dev/null 2>&1; echo $?)"

# an unmapped OS user who is not the owner acts as nobody
refuse "an unmapped OS user is refused" cli.no_account as_osu dossier list
contains "... told to log in or be mapped" "chungthu login" "$(cat "$T/err")"
refuse "the instance's own commands are the owner's" cli.not_instance_owner as_osu run-due

# the administrator's side: an agency clerk's account, mapped to the OS user
check "clerk account" sh -c 'echo "Mat-khau-van-thu-2" | "$CHUNGTHU" user add --username vanthu2 --role agency_clerk --agency BKHCN.VPC --name "Văn thư Hai"'
share
refuse "mapping to an OS user that does not exist" user.os_user_unknown ct user map-os vanthu2 no-such-user-$$
check "map the OS user to the clerk" ct user map-os vanthu2 "$OSU"
refuse "one OS user acts as one account" user.os_user_taken ct user map-os canbo "$OSU"
contains "user list shows the mapping" "$OSU" "$(ct user list)"
same "the mapping is audited" "1" "$(q "SELECT count(*) FROM audit WHERE action='user.map_os' AND object='vanthu2' AND actor='os:root'")"
same "whoami: the clerk, by the mapping" "vanthu2 agency_clerk os_user" "$(as_osu whoami)"

# a dossier received at the CA by the owner (os:root, the instance owner)
SAMPLE=$CT_SRC/data/samples/mau02.csv
submit() { ct dossier submit --agency BKHCN.VPC --channel direct --file "$SAMPLE" --confirmed-by "Phạm Thị Lan, Vụ trưởng" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"])'; }
D1=$(submit) D2=$(submit) D3=$(submit)
contains "the owner submitted dossiers" "G12.35.01.H99-" "$D1 $D2 $D3"
same "the owner is audited as os:root, instance owner" "os:root|cli:instance_owner" "$(q "SELECT actor || '|' || source FROM audit WHERE action='dossier.submit' AND object='$D1'")"

# as the clerk: the officer's step is refused, and changes nothing
rows=$(q "SELECT count(*) FROM audit")
refuse "the clerk may not accept" role.forbidden as_osu dossier accept "$D1"
same "... exit status 1 (refused)" "1" "$(as_osu dossier accept "$D1" >/dev/null 2>&1; echo $?)"
same "... the dossier is still received" "received" "$(q "SELECT state FROM dossiers WHERE code='$D1'")"
same "... and nothing was written" "$rows" "$(q "SELECT count(*) FROM audit")"

# the clerk's own steps, under its own name: its agency's dossier read, and one withdrawn
check "the clerk reads its agency's dossier" as_osu dossier show "$D2"
check "the clerk withdraws its agency's dossier" as_osu dossier withdraw "$D3" --reason "Nộp trùng"
same "... withdrawn" "withdrawn" "$(q "SELECT state FROM dossiers WHERE code='$D3'")"
same "... audited as the clerk, from its OS user" "vanthu2|agency_clerk|cli:$OSU" "$(q "SELECT actor || '|' || role || '|' || source FROM audit WHERE action='dossier.withdraw' AND object='$D3'")"

# logged in as the officer, from the same OS user
check "login as the officer" sh -c 'printf "canbo\n%s\n" "$1" | runuser -u "$2" -- "$OSU_BIN" login' sh "$OFFICER_PW" "$OSU"
contains "... says who and until when" "canbo (ca_officer)" "$(cat "$T/out")"
SESSION=$(ls "$T/osu/.config/chungthu/"session-* 2>/dev/null | head -1)
same "the session file is 0600, the OS user's" "600 $OSU" "$(stat -c '%a %U' "$SESSION" 2>&1)"
same "... in a private directory" "700" "$(stat -c %a "$T/osu/.config/chungthu")"
same "whoami: the officer, by the session" "canbo ca_officer session" "$(as_osu whoami)"
check "the officer accepts" as_osu dossier accept "$D1"
same "... the dossier is accepted" "accepted" "$(q "SELECT state FROM dossiers WHERE code='$D1'")"
same "... audited as the officer, from the OS user" "canbo|ca_officer|cli:$OSU" "$(q "SELECT actor || '|' || role || '|' || source FROM audit WHERE action='dossier.accept' AND object='$D1'")"
same "the login is audited" "1" "$(q "SELECT count(*) FROM audit WHERE action='auth.login' AND object='canbo' AND source='cli:$OSU'")"

# a session file others can read is not used
chmod 640 "$SESSION"
same "a group-readable session file is ignored" "vanthu2 agency_clerk os_user" "$(as_osu whoami 2>/dev/null)"
chmod 600 "$SESSION"
# a session ends as the API's do: 8 hours of the instance's clock
same "an expired session is not used" "vanthu2 agency_clerk os_user" "$(CHUNGTHU_NOW=$(($(date +%s) + 9 * 3600)) as_osu whoami 2>/dev/null)"

check "logout" as_osu logout
same "... the session file is gone" "" "$(ls "$T/osu/.config/chungthu/")"
same "... and the session ended in the database" "0" "$(q "SELECT count(*) FROM sessions WHERE username='canbo'")"
refuse "after logout the officer's step is refused again" role.forbidden as_osu dossier accept "$D2"
same "... the dossier is still received" "received" "$(q "SELECT state FROM dossiers WHERE code='$D2'")"

# wrong passwords count toward the lockout, per OS user as the API counts per address
for i in 1 2 3 4 5; do
    refuse "wrong password $i" auth.failed sh -c 'printf "canbo\nnot-the-password\n" | runuser -u "$1" -- "$OSU_BIN" login' sh "$OSU"
done
same "five failures audited from the OS user" "5" "$(q "SELECT count(*) FROM audit WHERE action='auth.login_failed' AND object='canbo' AND source='cli:$OSU'")"
contains "... the fifth counted as such" '"failures":5' "$(q "SELECT detail FROM audit WHERE action='auth.login_failed' AND source='cli:$OSU' ORDER BY id DESC LIMIT 1")"
refuse "then even the right password is refused from there" auth.failed sh -c 'printf "canbo\n%s\n" "$1" | runuser -u "$2" -- "$OSU_BIN" login' sh "$OFFICER_PW" "$OSU"
same "... and no session was made" "0" "$(q "SELECT count(*) FROM sessions WHERE username='canbo'")"
mkdir -m 700 "$T/roothome"
check "the officer still logs in from another OS user" sh -c 'printf "canbo\n%s\n" "$1" | HOME="$2" "$CHUNGTHU" login' sh "$OFFICER_PW" "$T/roothome"
check "... and out" env HOME="$T/roothome" "$CHUNGTHU" logout
share
same "the lock lasts 15 minutes" "canbo ca_officer session" "$(printf 'canbo\n%s\n' "$OFFICER_PW" | CHUNGTHU_NOW=$(($(date +%s) + 16 * 60)) runuser -u "$OSU" -- "$OSU_BIN" login >/dev/null 2>&1; CHUNGTHU_NOW=$(($(date +%s) + 16 * 60)) as_osu whoami)"
as_osu logout >/dev/null

# through sudo: a process of root's, and the person sudo names (SUDO_USER, SUDO_UID) acts as
# the account mapped to it; believed only in a process whose real uid is 0
OSU_UID=$(id -u "$OSU")
as_sudo() { local user=$1 uid=$2; shift 2; env SUDO_USER="$user" SUDO_UID="$uid" "$CHUNGTHU" "$@"; local rc=$?; share; return $rc; }
same "root through sudo acts as the person's mapped account" "vanthu2 agency_clerk sudo" "$(as_sudo "$OSU" "$OSU_UID" whoami)"
refuse "... with that account's role: no accept" role.forbidden as_sudo "$OSU" "$OSU_UID" dossier accept "$D2"
same "... the dossier is still received" "received" "$(q "SELECT state FROM dossiers WHERE code='$D2'")"
D4=$(submit)
check "... the account's own step" as_sudo "$OSU" "$OSU_UID" dossier withdraw "$D4" --reason "Nộp trùng"
same "... audited as the mapped account, through sudo" "vanthu2|agency_clerk|cli:sudo:$OSU" "$(q "SELECT actor || '|' || role || '|' || source FROM audit WHERE action='dossier.withdraw' AND object='$D4'")"
refuse "a person with no account through sudo is refused, never the owner" cli.no_account as_sudo nobody "$(id -u nobody)" dossier list
contains "... the person is named" '"nobody"' "$(cat "$T/err")"
same "a SUDO_UID that is not the user's is not believed: root is the owner" "os:root any instance_owner" "$(as_sudo "$OSU" "$(id -u nobody)" whoami)"
same "variables a user sets without sudo are ignored" "vanthu2 agency_clerk os_user" "$(runuser -u "$OSU" -- env SUDO_USER=nobody SUDO_UID="$(id -u nobody)" "$OSU_BIN" whoami)"
refuse "no login through sudo (root's session file would be shared)" cli.sudo_session sh -c 'printf "canbo\n%s\n" "$1" | env SUDO_USER="$2" SUDO_UID="$3" "$CHUNGTHU" login' sh "$OFFICER_PW" "$OSU" "$OSU_UID"
check "the instance's own commands stay root's through sudo" as_sudo nobody "$(id -u nobody)" run-due
# the real sudo, when the machine has it: a rule for the OS user to run the program as root
if command -v sudo >/dev/null; then
    RULE=/etc/sudoers.d/chungthu-test-$$
    trap 'rm -f "$RULE"; userdel "$OSU" 2>/dev/null; rm -rf "$T"' EXIT
    printf 'Defaults:%s env_keep += "ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS"\n%s ALL=(root) NOPASSWD: %s\n' "$OSU" "$OSU" "$OSU_BIN" >"$RULE"
    chmod 440 "$RULE"
    via_sudo() { runuser -u "$OSU" -- sudo -n "$OSU_BIN" --home "$CHUNGTHU_HOME" "$@"; local rc=$?; share; return $rc; }
    same "sudo: the OS user's mapped account, not root's" "vanthu2 agency_clerk sudo" "$(via_sudo whoami 2>"$T/sudo.err")"
    D5=$(submit)
    check "sudo: the account's own step" via_sudo dossier withdraw "$D5" --reason "Nộp trùng"
    same "... the trail names the mapped account" "vanthu2|agency_clerk|cli:sudo:$OSU" "$(q "SELECT actor || '|' || role || '|' || source FROM audit WHERE action='dossier.withdraw' AND object='$D5'")"
    refuse "sudo: the officer's step is refused" role.forbidden via_sudo dossier accept "$D2"
    rm -f "$RULE"
else
    echo "sudo is not installed: the checks with the real sudo were skipped (scripts/install-deps --test)"
fi

# a disabled account acts no more, mapped or not
check "disable the clerk" ct user disable vanthu2
refuse "a disabled mapped account is refused" auth.disabled as_osu dossier list
check "unmap" ct user unmap-os vanthu2
refuse "unmapped, the OS user acts as nobody again" cli.no_account as_osu dossier list

finish

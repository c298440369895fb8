# doctor.sh — `chungthu doctor`: a healthy demo instance passes every check (exit 0); then each
# check is made to fail on purpose and must be named, with its status, in the text and in the
# JSON (exit 1 for a warning, 2 for an error).
. "$(dirname "$0")/../lib.sh"

H=$CHUNGTHU_HOME
DB=$H/chungthu.db

# doctor [ENV=VALUE...]: run the check (text in $T/doc.txt, JSON in $T/doc.json), and set
# RC to the text run's exit status; the JSON run must exit alike. $BEFORE, when set, is run
# before each of the two (opening the instance mends a loosened database file).
BEFORE=
doctor() {
    RC=0
    $BEFORE
    env "$@" "$CHUNGTHU" doctor >"$T/doc.txt" 2>&1 || RC=$?
    local rc_json=0
    $BEFORE
    env "$@" "$CHUNGTHU" doctor --json >"$T/doc.json" 2>"$T/doc.err" || rc_json=$?
    same "--json exits as the text run does" "$RC" "$rc_json"
}
# status NAME: the check's status as the JSON says it ("missing" when there is no such check).
status() {
    python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
print(next((c["status"] for c in report["checks"] if c["name"] == sys.argv[2]), "missing"))
' "$T/doc.json" "$1"
}
# text_status NAME: the status word of the check's line in the text output.
text_status() {
    awk -v n="$1" '$2 == n { print tolower($1); exit }' "$T/doc.txt"
}
# named DESCRIPTION NAME STATUS: the check has STATUS in the JSON and in the text.
named() {
    same "$1 (json)" "$3" "$(status "$2")"
    same "$1 (text)" "$3" "$(text_status "$2")"
}

ALL="file_modes instance ca_root ca_issuing ca_ocsp crl_root crl_issuing token_module database mail
disk_space audit_chain clock"

# ---- a healthy instance ----
check "init --demo" ct init --demo
doctor
same "a healthy instance: exit 0" 0 "$RC"
for name in $ALL; do
    named "healthy: $name" "$name" ok
done
same "healthy: the JSON's overall status" ok "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$T/doc.json")"
same "the JSON has one object per check, each with both messages and a status" 13 \
    "$(python3 -c '
import json, sys
checks = json.load(open(sys.argv[1]))["checks"]
print(sum(1 for c in checks if c["message_vi"] and c["message_en"] and c["status"] in ("ok", "warning", "error")))
' "$T/doc.json")"
head_id=$(sqlite3 "$DB" "SELECT id FROM audit ORDER BY id DESC LIMIT 1")
head_hash=$(sqlite3 "$DB" "SELECT hash FROM audit ORDER BY id DESC LIMIT 1")
contains "the audit head's hash is printed" "#$head_id $head_hash" "$(cat "$T/doc.txt")"
same "the audit head in the JSON" "$head_id $head_hash" "$(python3 -c '
import json, sys
c = next(c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "audit_chain")
print(c["head_id"], c["head_hash"])' "$T/doc.json")"
ocsp_end=$(date -d "$(openssl x509 -in "$H/ca/ocsp.crt" -noout -enddate | cut -d= -f2)" +%s)
now=$(date +%s)
doctor CHUNGTHU_NOW=$now
same "days left of the OCSP responder certificate" "$(((ocsp_end - now) / 86400))" "$(python3 -c '
import json, sys
c = next(c for c in json.load(open(sys.argv[1]))["checks"] if c["name"] == "ca_ocsp")
print(c["days_left"])' "$T/doc.json")"

# ---- the database readable by others ----
BEFORE="chmod 0644 $DB"
doctor
BEFORE=
same "a world-readable database: exit 2" 2 "$RC"
named "a world-readable database" file_modes error
contains "the file is named with its chmod" "chmod 600 $DB" "$(cat "$T/doc.txt")"
same "the other checks stay ok" ok "$(status audit_chain)"
same "opening the instance set it back to 0600" 600 "$(stat -c %a "$DB")"
chmod 0755 "$H/secrets"
doctor
named "an open secrets/ directory" file_modes error
contains "secrets/ is named with its chmod" "chmod 700 $H/secrets" "$(cat "$T/doc.txt")"
chmod 0700 "$H/secrets"
doctor
same "modes mended: exit 0" 0 "$RC"

# ---- the OCSP responder certificate expired ----
doctor CHUNGTHU_NOW=$((ocsp_end + 86400))
same "past the responder's expiry: exit 2" 2 "$RC"
named "past the responder's expiry" ca_ocsp error
contains "the responder certificate is named" "the OCSP responder certificate expired" "$(cat "$T/doc.txt")"
same "the issuing CA is still ok then" ok "$(status ca_issuing)"
doctor CHUNGTHU_NOW=$((ocsp_end - 3 * 86400))
named "three days before the responder's expiry" ca_ocsp warning
contains "the days left are said" "has 3 days left" "$(cat "$T/doc.txt")"

# ---- a stale CRL ----
check "crl generate" ct crl generate
next=$(date -d "$(ct crl show issuing | openssl crl -inform DER -noout -nextupdate | cut -d= -f2)" +%s)
doctor
same "fresh CRLs: exit 0" 0 "$RC"
named "a fresh CRL" crl_issuing ok
doctor CHUNGTHU_NOW=$((next - 3600))
same "an hour before nextUpdate: exit 1 (warning)" 1 "$RC"
named "an hour before nextUpdate" crl_issuing warning
doctor CHUNGTHU_NOW=$((next + 7200))
same "past nextUpdate: exit 2" 2 "$RC"
named "past nextUpdate" crl_issuing error
named "past nextUpdate (root)" crl_root error
contains "the stale CRL is named with what to run" "the issuing CRL number 1 is 2 hours past its nextUpdate: run chungthu crl generate" "$(cat "$T/doc.txt")"
doctor CHUNGTHU_NOW=$((next - 2 * 86400))
named "the clock behind the latest CRL" clock error
contains "the clock's finding says why" "before the latest CRL's thisUpdate" "$(cat "$T/doc.txt")"

# ---- a token module that does not load ----
cp "$H/chungthu.ini" "$T/ini"
sed -i "s|^module = .*|module = $T/no-such-module.so|" "$H/chungthu.ini"
doctor
same "a missing token module: exit 2" 2 "$RC"
named "a missing token module" token_module error
contains "the module's path is named" "the token module $T/no-such-module.so does not load" "$(cat "$T/doc.txt")"
cp "$T/ini" "$H/chungthu.ini"

# ---- an instance that does not open ----
mv "$H/secrets/ca-passphrase" "$T/pass"
doctor
same "no passphrase: exit 2" 2 "$RC"
named "no passphrase" instance error
same "the checks needing the instance are left out" missing "$(status audit_chain)"
same "the disk is still looked at" ok "$(status disk_space)"
mv "$T/pass" "$H/secrets/ca-passphrase"

# ---- a tampered audit row ----
sqlite3 "$DB" "$AUDIT_UNGUARD; UPDATE audit SET actor='mallory' WHERE id=3;"
doctor
same "an edited audit row: exit 2" 2 "$RC"
named "an edited audit row" audit_chain error
contains "the edited row is named" "the audit chain is broken from row 3" "$(cat "$T/doc.txt")"
same "the database itself is sound" ok "$(status database)"

finish

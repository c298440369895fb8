# deadlines.sh — the officer's list of what is overdue, pinned in time with CHUNGTHU_NOW: a
# dossier still waiting for its check past the step-2 due time, and a publication (step 4) past
# its due time, are overdue; a dossier waiting for a supplement (the CA's clock stands still), a
# dossier not yet due and a finished one are not. A dossier whose every applicant is published
# or cancelled becomes completed and leaves the queue.
. "$(dirname "$0")/../lib.sh"
DB=$CHUNGTHU_HOME/chungthu.db
utc() { date -u -d "$1" +%s; }
code() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/out"; }

check "init" ct init --root-key p384 --issuing-key p256
check "agency" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state
check "token stock" ct token stock --count 3
head -2 "$CT_SRC/data/samples/mau02.csv" > "$T/one.csv"
submit() { ct dossier submit --agency BNV --channel direct --file "$T/one.csv" --confirmed-by "Phạm Thị Thanh Trà, Bộ trưởng" --json >"$T/out" && code; }

# Monday 2 February 2026, 09:00: five dossiers come in
export CHUNGTHU_NOW=$(utc "2026-02-02 09:00 +07")
WAITING=$(submit)    # never checked
SUPPLEMENT=$(submit) # sent back for a supplement
STEP4=$(submit)      # issued, handed over, activation requested, never published
DONE=$(submit)       # issued and published: completed
check "supplement" ct dossier supplement "$SUPPLEMENT" --reason "Thiếu bản sao giấy tờ"
for d in "$STEP4" "$DONE"; do
    check "accept $d" ct dossier accept "$d"
    check "issue $d" ct dossier issue "$d"
    check "pickup $d" ct dossier notify-pickup "$d" --at "2026-02-03 09:00" --place "Phòng 203"
done
# Tuesday 3 February, 09:30: the agency collects the tokens and asks for publication
export CHUNGTHU_NOW=$(utc "2026-02-03 09:30 +07")
for d in "$STEP4" "$DONE"; do
    check "received $d" ct dossier agency-received "$d" --by "Nguyễn Văn Nhận"
    check "handed over $d" ct dossier handed-over "$d"
    check "activation $d" ct dossier request-activation "$d"
done
check "publish" ct dossier publish "$DONE"
same "a dossier whose applicants are all published is completed" "completed" "$(sqlite3 "$DB" "select state from dossiers where code='$DONE'")"
same "its completion is in the audit trail" "1" "$(sqlite3 "$DB" "select count(*) from audit where action='dossier.complete' and object='$DONE'")"

# Tuesday 10 February, 10:00: a new one arrives, not yet due
export CHUNGTHU_NOW=$(utc "2026-02-10 10:00 +07")
FRESH=$(submit)
ct dossier list --overdue --json > "$T/overdue.json"
listed=$(python3 -c 'import json,sys; print(" ".join(sorted(d["code"] for d in json.load(open(sys.argv[1])))))' "$T/overdue.json")
same "exactly the late ones: the unchecked dossier and the late publication" "$(printf '%s\n' "$WAITING" "$STEP4" | sort | tr '\n' ' ' | sed 's/ $//')" "$listed"
contains "the late publication is marked on its applicant" '"overdue": true' "$(ct dossier show "$STEP4" --json)"
refuse "nothing moves a completed dossier" procedure.wrong_state ct dossier withdraw "$DONE"
# the same list through the API
PORT=$(free_port)
printf 'mật khẩu của cán bộ\n' | "$CHUNGTHU" user add --username canbo --role ca_officer >/dev/null
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2>"$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" -o /dev/null && break; sleep 0.1; done
curl -s -c "$T/jar" -H 'Content-Type: application/json' -d '{"username":"canbo","password":"mật khẩu của cán bộ"}' "http://127.0.0.1:$PORT/api/v1/session" -o /dev/null
# (the server's upkeep publishes what is due as it starts: the late publication goes out)
curl -s -b "$T/jar" "http://127.0.0.1:$PORT/api/v1/dossiers?overdue=1" -o "$T/api.json"
same "the API's overdue filter: the unchecked dossier" "$WAITING" "$(python3 -c 'import json,sys; print(" ".join(sorted(d["code"] for d in json.load(open(sys.argv[1])))))' "$T/api.json")"
same "the upkeep published the late one, and its dossier is completed" "completed" "$(sqlite3 "$DB" "select state from dossiers where code='$STEP4'")"
kill -TERM $SERVER; wait $SERVER
same "the fresh dossier is not overdue" "" "$(printf '%s' "$listed" | grep -o "$FRESH")"
finish

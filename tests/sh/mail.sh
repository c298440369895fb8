# mail.sh — e-mail notices through a real SMTP server (Debian's python3-aiosmtpd, run by
# tests/tools/smtp_sink.py on 127.0.0.1, killed by the trap): agency contacts set through the API
# and the command line, a bad address refused with nothing changed; each event of the procedure
# through the API queues its message, delivered to the right recipients with a subject that
# decodes to the expected Vietnamese and a text and an HTML part; with the SMTP server down the
# messages wait with their attempts and backoff growing, and arrive exactly once when it is back;
# the sender killed with SIGKILL at every write of a delivery (the crash VFS) loses no message,
# and any copy sent twice has the same Message-ID; STARTTLS required and AUTH against a server
# that offers them, refused against one that does not; expiry notices under a clock override,
# once per threshold, not again after a restart.
. "$(dirname "$0")/../lib.sh"
. "$CT_SRC/tests/server.sh"
: "${CT_CRASH_VFS:?CT_CRASH_VFS must point at the crash VFS module (CTest sets it)}"
PY=/usr/bin/python3 # Debian's, with aiosmtpd
SMTP_PORT=$(free_port)
SINK=$T/sink
SINK_PID=
mkdir -p "$SINK"
trap 'stop_server; stop_sink; rm -rf "$T"' EXIT
# server.sh's start_server sets its own trap: this one keeps the SMTP server's in it
start_api() {
    start_server "$@"
    trap 'stop_server; stop_sink; rm -rf "$T"' EXIT
}

# start_sink [ARGS...]: the SMTP server, waited for (bounded) until it listens
start_sink() {
    rm -f "$SINK/ready"
    "$PY" "$CT_SRC/tests/tools/smtp_sink.py" --port "$SMTP_PORT" --dir "$SINK" "$@" 2>>"$T/sink.log" &
    SINK_PID=$!
    for _ in $(seq 1 200); do
        [ -e "$SINK/ready" ] && return 0
        kill -0 "$SINK_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "the SMTP server did not come up" >&2
    cat "$T/sink.log" >&2
    return 1
}
stop_sink() {
    if [ -n "$SINK_PID" ]; then
        kill -TERM "$SINK_PID" 2>/dev/null
        wait "$SINK_PID" 2>/dev/null
        SINK_PID=
    fi
}
received() { find "$SINK" -name '*.eml' | wc -l; }
# setmail KEY VALUE: a [mail] setting of chungthu.ini (init writes every key)
setmail() { sed -i "s|^$1 = .*|$1 = $2|" "$CHUNGTHU_HOME/chungthu.ini"; }
# the instance's clock, a file every process reads at each call
export CHUNGTHU_NOW=@$T/now
date -u +%s >"$T/now"
clock() { date -u -d "$1" +%s >"$T/now"; }
# messages DIR: one line per message received, in order: the subject decoded, the envelope
# recipients sorted, the parts, the Message-ID
messages() {
    "$PY" - "$SINK" <<'PY'
import email, email.header, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    raw = open(f, "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.compat32)
    subject = str(email.header.make_header(email.header.decode_header(m["Subject"])))
    rcpt = ",".join(sorted(open(f[:-4] + ".rcpt").read().split()))
    parts = "+".join(p.get_content_type() for p in m.walk() if not p.is_multipart())
    print(f"{subject}|{rcpt}|{parts}|{m['Message-ID']}")
PY
}

# doctor_mail [ENV=VALUE...]: the doctor's mail check, "STATUS|its English message"
doctor_mail() {
    env "$@" "$CHUNGTHU" doctor --json 2>/dev/null | python3 -c '
import json, sys
c = next(c for c in json.load(sys.stdin)["checks"] if c["name"] == "mail")
print(c["status"] + "|" + c["message_en"])'
}

check "init --demo" ct init --demo --root-key p384 --issuing-key p256
check "token stock" ct token stock --count 3
contains "doctor: e-mail off is said, not a warning" "ok|e-mail is off" "$(doctor_mail)"
setmail smtp_url "smtp://127.0.0.1:$SMTP_PORT"
setmail starttls off
check "the sink starts" start_sink

# ---- agency contacts ----
start_api
login_demo
A=BKHCN.VPC
before=$(q "SELECT count(*) FROM audit WHERE action = 'agency.contacts'")
same "a bad e-mail is refused" 400 "$(api canbo "agencies/$A/contacts" '{"email":"vp@most.gov.vn","clerk_email":"van thu@most"}')"
same "... with a stable code" email.invalid "$(jfield '["code"]')"
contains "... naming the field" "clerk e-mail" "$(jfield '["message_en"]')"
same "... and nothing changed (not even the good field)" "|" "$(q "SELECT email || '|' || clerk_email FROM agencies WHERE code = '$A'")"
same "... nor audited" "$before" "$(q "SELECT count(*) FROM audit WHERE action = 'agency.contacts'")"
same "the auditor may not set contacts" 403 "$(api kiemtoan "agencies/$A/contacts" '{"email":"vp@most.gov.vn"}')"
same "an agency clerk may not either" 403 "$(api vanthu "agencies/$A/contacts" '{"email":"vp@most.gov.vn"}')"
same "the officer sets the contacts" 200 "$(api canbo "agencies/$A/contacts" '{"email":"vp@MOST.gov.vn","clerk_email":"vanthu@most.gov.vn","address":"113 Trần Duy Hưng, Cầu Giấy, Hà Nội","phone":"024 3943 8441"}')"
same "... answered with the agency" "vp@most.gov.vn|vanthu@most.gov.vn|024 3943 8441" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["email"]+"|"+d["clerk_email"]+"|"+d["phone"])' "$T/last")"
same "... audited once" "$((before + 1))" "$(q "SELECT count(*) FROM audit WHERE action = 'agency.contacts'")"
contains "... with what changed" '"to":{"address":"113 Trần Duy Hưng, Cầu Giấy, Hà Nội","clerk_email":"vanthu@most.gov.vn","email":"vp@most.gov.vn","phone":"024 3943 8441"}' "$(q "SELECT detail FROM audit WHERE action = 'agency.contacts' ORDER BY id DESC LIMIT 1")"
refuse "a bad phone number on the command line" agency.phone_invalid ct agency set "$A" --phone "gọi tôi"
refuse "a bad head e-mail on the command line" email.invalid ct agency set "$A" --head-email "@most.gov.vn"
check "the head's e-mail on the command line" ct agency set "$A" --head-email "thutruong@most.gov.vn"
same "... kept, the others as they were" "thutruong@most.gov.vn|vp@most.gov.vn" "$(q "SELECT head_email || '|' || email FROM agencies WHERE code = '$A'")"
same "the agency list shows the contacts" 200 "$(api kiemtoan agencies)"
contains "... the address" '"address": "113 Trần Duy Hưng, Cầu Giấy, Hà Nội"' "$(python3 -m json.tool --no-ensure-ascii "$T/last")"

# ---- the events, through the API ----
LIST=$(python3 - <<'PY'
import json
print(json.dumps({"agency": "BKHCN.VPC", "channel": "postal", "confirmed_by": "Phạm Thị Lan, Vụ trưởng",
  "csv": "1,Nguyễn Thị Thu Hà,12/03/1985,001185012345,10/05/2021,Cục Cảnh sát QLHC về TTXH,ha.ntt@mic.gov.vn,Vụ Pháp chế,Hà Nội,Chuyên viên chính,Công chức,0912345678,\n"
         "2,Trần Văn Đức,02/11/1979,036079004567,20/08/2021,Cục Cảnh sát QLHC về TTXH,duc.tv@mic.gov.vn,Vụ Pháp chế,Hà Nội,Phó Vụ trưởng,Công chức,0987654321,\n"}))
PY
)
same "a dossier received" 201 "$(api canbo dossiers "$LIST")"
D=$(jfield '["code"]')
same "supplement asked" 200 "$(api canbo "dossiers/$D/supplement" '{"reason":"Thiếu bản sao Mẫu 01 của ông Trần Văn Đức"}')"
same "resubmitted" 200 "$(api canbo "dossiers/$D/resubmit" '{}')"
same "accepted" 200 "$(api canbo "dossiers/$D/accept" '{}')"
same "applicant 2 refused" 200 "$(api canbo "dossiers/$D/refuse" '{"applicant":2,"reason":"Không thuộc đối tượng được cấp"}')"
same "issued" 200 "$(api canbo "dossiers/$D/issue" '{}')"
today=$(date -u -d '+7 hours' +%F)
pickup_day=$(ct calendar add-working-days "$today" 2)
same "pickup announced" 200 "$(api canbo "dossiers/$D/notify-pickup" "{\"at\":\"$pickup_day 09:00\",\"place\":\"Phòng 203, 23 Ngụy Như Kon Tum\"}")"
clock "$pickup_day 10:00 +07"
login_demo # the sessions are 8 hours of the instance's clock
same "the agency received the token" 200 "$(api canbo "dossiers/$D/agency-received" '{"received_by":"Đỗ Văn Nhận"}')"
same "handed over" 200 "$(api canbo "dossiers/$D/handed-over" '{}')"
same "activation requested" 200 "$(api canbo "dossiers/$D/request-activation" '{}')"
same "published" 200 "$(api canbo "dossiers/$D/publish" '{}')"
S=$(q "SELECT cert_serial FROM applicants WHERE dossier = '$D' AND n = 1")
same "revoked" 200 "$(api canbo "certificates/$S/revoke" '{"reason":"keyCompromise"}')"
same "a second dossier" 201 "$(api canbo dossiers "$LIST")"
D2=$(jfield '["code"]')
same "... rejected" 200 "$(api canbo "dossiers/$D2/reject" '{"reason":"Văn bản đề nghị không có chữ ký của thủ trưởng <cơ quan> & dấu"}')"
same "every message queued in its step, none sent by a step" "8|8" "$(q "SELECT count(*) || '|' || sum(state = 'queued') FROM outbox")"
same "each queuing audited" 8 "$(q "SELECT count(*) FROM audit WHERE action = 'mail.queue'")"
same "the CA may read the outbox" 200 "$(api canbo mail)"
same "... 8 messages" 8 "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/last")"
same "... without their bodies" "" "$(grep -o 'body' "$T/last")"
same "an agency may not" 403 "$(api vanthu mail)"
check "send what is due" ct mail send-due
contains "... all of it" "e-mail sent: 8;" "$(cat "$T/out")"
same "eight messages arrived" 8 "$(received)"
messages >"$T/got"
AG="vanthu@most.gov.vn,vp@most.gov.vn"
P="text/plain+text/html"
cat >"$T/want" <<EOF
Đã tiếp nhận hồ sơ $D|$AG|$P
Yêu cầu bổ sung hồ sơ $D|$AG|$P
Từ chối đề nghị của Trần Văn Đức (hồ sơ $D)|$AG|$P
Thông báo nhận thiết bị – hồ sơ $D|$AG|$P
Chứng thư số của Nguyễn Thị Thu Hà đã có hiệu lực|ha.ntt@mic.gov.vn,$AG|$P
Chứng thư số $S đã bị thu hồi|ha.ntt@mic.gov.vn,$AG|$P
Đã tiếp nhận hồ sơ $D2|$AG|$P
Từ chối hồ sơ $D2|$AG|$P
EOF
same "subjects, recipients and parts" "$(cat "$T/want")" "$(cut -d'|' -f1-3 "$T/got")"
same "the Message-IDs are the outbox's" "$(q "SELECT message_id FROM outbox ORDER BY id")" "$(cut -d'|' -f4 "$T/got")"
same "every one marked sent, once" "8|8" "$(q "SELECT sum(state = 'sent') || '|' || sum(attempts) FROM outbox")"
same "each delivery audited" 8 "$(q "SELECT count(*) FROM audit WHERE action = 'mail.sent'")"
same "... without the body" 0 "$(q "SELECT count(*) FROM audit WHERE action LIKE 'mail.%' AND (detail LIKE '%Kính gửi%' OR detail LIKE '%body%')")"
# what the messages say: the reason of the rejection, escaped in HTML, plain in the text; the
# pickup's time and place
"$PY" - "$SINK/0008.eml" >"$T/rejected" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_body(("plain",)).get_content())
print(m.get_body(("html",)).get_content())
PY
contains "the reason in the text" "không có chữ ký của thủ trưởng <cơ quan> & dấu" "$(cat "$T/rejected")"
contains "... escaped in the HTML" "thủ trưởng &lt;cơ quan&gt; &amp; dấu" "$(cat "$T/rejected")"
contains "... the refusal paper's link" "/api/v1/dossiers/$D2/papers/refusal" "$(cat "$T/rejected")"
check "the pickup notice as a paper" ct dossier paper "$D" pickup -o "$T/pickup.html"
contains "... its recipients name the agency's address" "Như trên (113 Trần Duy Hưng, Cầu Giấy, Hà Nội);" "$(cat "$T/pickup.html")"
check "a step on a dossier without e-mail addresses" ct agency add --code BYT --name "Bộ Y tế" --province "Hà Nội" --head-name "A" --head-title "Bộ trưởng" --kind state
same "... queues nothing (and is not refused)" 201 "$(api canbo dossiers "${LIST/BKHCN.VPC/BYT}")"
same "... the outbox as it was" 8 "$(q "SELECT count(*) FROM outbox")"

# ---- the SMTP server down: the messages wait, then arrive exactly once ----
stop_server
stop_sink
check "the contacts' address changed by the command line" ct agency set "$A" --email "lienhe@most.gov.vn"
check "a dossier while the SMTP server is down" ct dossier submit --agency "$A" --channel postal --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng"
check "a second one" ct dossier submit --agency "$A" --channel postal --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng"
check "send-due with the server down is no failure of the command" ct mail send-due
contains "... one attempt deferred, the round stopped" "e-mail sent: 0; chờ gửi lại / deferred: 1;" "$(cat "$T/out")"
same "... the first waits with its attempt and error" "queued|1" "$(q "SELECT state || '|' || attempts FROM outbox WHERE id = 9")"
contains "... the error said" "connect" "$(q "SELECT lower(last_error) FROM outbox WHERE id = 9")"
t0=$(cat "$T/now")
same "... the next attempt a backoff away (60 s)" 60 "$(q "SELECT next_attempt_at - $t0 FROM outbox WHERE id = 9")"
check "send-due again at once" ct mail send-due
same "... tries the other, not the one backing off" "1|1" "$(q "SELECT group_concat(attempts, '|') FROM outbox WHERE id IN (9, 10)")"
clock "@$((t0 + 61))"
check "a minute later" ct mail send-due
same "... the second attempt" 2 "$(q "SELECT attempts FROM outbox WHERE id = 9")"
same "... and a backoff twice as long" 120 "$(q "SELECT next_attempt_at - $((t0 + 61)) FROM outbox WHERE id = 9")"
same "nothing arrived meanwhile" 8 "$(received)"
contains "doctor: waiting a minute is no warning" "ok|messages waiting: 2, none given up" "$(doctor_mail)"
contains "doctor: waiting an hour is, with the last error" "warning|messages waiting: 2, the oldest for 61 minutes; last error: " "$(doctor_mail CHUNGTHU_NOW=$((t0 + 3660)))"
check "the SMTP server back" start_sink
clock "@$((t0 + 200))"
check "send-due" ct mail send-due
check "send-due again" ct mail send-due
same "both arrived" 10 "$(received)"
messages >"$T/got"
same "each exactly once (Message-IDs)" "$(q "SELECT message_id FROM outbox ORDER BY id" | sort)" "$(cut -d'|' -f4 "$T/got" | sort)"
same "... to the new contact address" "lienhe@most.gov.vn,vanthu@most.gov.vn" "$(sed -n 9p "$T/got" | cut -d'|' -f2)"
same "the deferrals audited (9 twice, 10 once)" 3 "$(q "SELECT count(*) FROM audit WHERE action = 'mail.deferred'")"

# ---- four senders at once: each message sent by one of them, once ----
stop_sink
for i in 1 2 3 4 5 6; do
    "$CHUNGTHU" dossier submit --agency "$A" --channel postal --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng" >/dev/null
done
same "six messages waiting" 6 "$(q "SELECT count(*) FROM outbox WHERE state = 'queued'")"
check "the SMTP server back" start_sink
n0=$(received)
pids=()
for i in 1 2 3 4; do "$CHUNGTHU" mail send-due >"$T/send.$i" 2>&1 & pids+=($!); done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
same "four senders at once succeed" 0 "$status"
same "... the six arrived" $((n0 + 6)) "$(received)"
same "... each once" "" "$(messages | cut -d'|' -f4 | sort | uniq -d)"
same "... each marked sent after one attempt" "6|6" "$(q "SELECT count(*) || '|' || sum(attempts) FROM outbox WHERE id > 10 AND state = 'sent'")"

# ---- max attempts, retry ----
setmail max_attempts 1
stop_sink
check "another dossier" ct dossier submit --agency "$A" --channel postal --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng"
check "send-due" ct mail send-due
same "one attempt of one allowed: failed" "failed|1" "$(q "SELECT state || '|' || attempts FROM outbox WHERE id = 17")"
check "the failure audited" test "$(q "SELECT count(*) FROM audit WHERE action = 'mail.failed'")" = 1
check "the SMTP server back" start_sink
check "send-due leaves a failed message" ct mail send-due
contains "doctor: a message given up is a warning that says what to do" "warning|messages given up after 1 attempts: 1 (the first: number 17); fix the cause, then run chungthu mail retry ID" "$(doctor_mail)"
same "... alone" $((n0 + 6)) "$(received)"
refuse "a sent message is not retried" mail.already_sent ct mail retry 1
check "mail retry" ct mail retry 17
setmail max_attempts 10
check "send-due" ct mail send-due
same "the retried message arrived" $((n0 + 7)) "$(received)"
same "... with its Message-ID" "$(q "SELECT message_id FROM outbox WHERE id = 17")" "$(messages | tail -1 | cut -d'|' -f4)"

# ---- kill -9 between send and mark: at every write of a delivery ----
check "a message to deliver" ct dossier submit --agency "$A" --channel postal --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng"
MID=$(q "SELECT message_id FROM outbox WHERE id = 18")
DB=$CHUNGTHU_HOME/chungthu.db
sqlite3 "$DB" ".backup '$T/queued.db'"
crashing() { env LD_PRELOAD="$CT_CRASH_VFS" ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"; }
back_to_queued() { rm -f "$DB-wal" "$DB-shm"; cp "$T/queued.db" "$DB"; }
check "one delivery, counting its writes" crashing CT_CRASH_COUNT="$T/count" "$CHUNGTHU" mail send-due
writes=$(cat "$T/count")
[ "$writes" -gt 2 ] && pass || fail "a delivery makes more than 2 writes (counted $writes)"
lost=0 twice=0 other=0
for at in $(seq 1 "$writes"); do
    back_to_queued
    n0=$(received)
    crashing CT_CRASH_AT="$at" "$CHUNGTHU" mail send-due >/dev/null 2>&1
    "$CHUNGTHU" mail send-due >/dev/null 2>"$T/err" || fail "send-due after a kill at write $at: $(cat "$T/err")"
    copies=$(( $(received) - n0 ))
    [ "$(q "SELECT state FROM outbox WHERE id = 18")" = sent ] || lost=$((lost + 1))
    [ "$copies" -ge 1 ] || lost=$((lost + 1))
    [ "$copies" -ge 2 ] && twice=$((twice + 1))
    other=$((other + $(messages | tail -n "$copies" | cut -d'|' -f4 | grep -vcxF "$MID")))
done
same "killed at each of $writes writes: no message lost" 0 "$lost"
same "... every copy with the queued Message-ID" 0 "$other"
[ "$twice" -ge 1 ] && pass || fail "no kill fell between the send and the mark (no copy sent twice)"
echo "kill -9 sweep: $writes writes, sent twice after $twice of them (same Message-ID)"

# ---- STARTTLS and AUTH ----
stop_sink
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -days 2 -keyout "$T/smtp.key" -out "$T/smtp.crt" 2>/dev/null
check "an SMTP server requiring STARTTLS and AUTH" start_sink --tls-cert "$T/smtp.crt" --tls-key "$T/smtp.key" --require-starttls --auth "mailer:một mật khẩu thư"
setmail starttls required
setmail ca_file "$T/smtp.crt"
setmail username mailer
setmail password_env CT_TEST_SMTP_PASSWORD
n0=$(received)
check "a message" ct dossier submit --agency "$A" --channel postal --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng"
id=$(q "SELECT max(id) FROM outbox")
check "without the password in the environment" ct mail send-due
contains "... deferred, saying where the password is looked for" "CT_TEST_SMTP_PASSWORD" "$(q "SELECT last_error FROM outbox WHERE id = $id")"
clock "@$(( $(cat "$T/now") + 3600 ))"
check "a wrong password" env CT_TEST_SMTP_PASSWORD=wrong "$CHUNGTHU" mail send-due
same "... deferred" "queued|2" "$(q "SELECT state || '|' || attempts FROM outbox WHERE id = $id")"
clock "@$(( $(cat "$T/now") + 3600 ))"
check "STARTTLS and the right password" env CT_TEST_SMTP_PASSWORD="một mật khẩu thư" "$CHUNGTHU" mail send-due
same "... sent" sent "$(q "SELECT state FROM outbox WHERE id = $id")"
same "... arrived" $((n0 + 1)) "$(received)"
same "the password is nowhere in the database" 0 "$(grep -c "một mật khẩu thư" "$DB" "$DB-wal" 2>/dev/null | awk -F: '{s += $NF} END {print s + 0}')"
stop_sink
check "a plain server" start_sink
check "a message" ct dossier submit --agency "$A" --channel postal --file "$CT_SRC/data/samples/mau02.csv" --confirmed-by "Phạm Thị Lan, Vụ trưởng"
id=$(q "SELECT max(id) FROM outbox")
check "STARTTLS required against a server without it" env CT_TEST_SMTP_PASSWORD="một mật khẩu thư" "$CHUNGTHU" mail send-due
same "... nothing sent" "queued|1" "$(q "SELECT state || '|' || attempts FROM outbox WHERE id = $id")"
contains "... the error says so" "ssl" "$(q "SELECT lower(last_error) FROM outbox WHERE id = $id")"
setmail starttls off
setmail username ""
clock "@$(( $(cat "$T/now") + 3600 ))"
check "starttls off" ct mail send-due
same "... sent" sent "$(q "SELECT state FROM outbox WHERE id = $id")"

# ---- expiry notices under a clock override ----
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/sub.key" 2>/dev/null
openssl pkey -in "$T/sub.key" -pubout -out "$T/sub.pub"
check "a certificate of 90 days" ct cert issue --pubkey "$T/sub.pub" --name "Lê Văn Hạn" --email "le.van.han@mic.gov.vn" --province "Hà Nội" --org "Bộ Khoa học và Công nghệ" --days 90 --json
E=$(q "SELECT serial FROM certificates WHERE common_name = 'Lê Văn Hạn'")
end=$(q "SELECT not_after FROM certificates WHERE serial = '$E'")
expiry() { q "SELECT count(*) FROM outbox WHERE kind = 'expiry' AND ref = '$E'"; }
clock "@$((end - 61 * 86400))"
check "61 days before its end" ct mail send-due
same "... no notice" 0 "$(expiry)"
clock "@$((end - 59 * 86400))"
check "59 days before" ct mail send-due
same "... the 60-day notice" 1 "$(expiry)"
contains "... sent" "expiry notices queued: 1" "$(cat "$T/out")"
check "again" ct mail send-due
same "... not again" 1 "$(expiry)"
clock "@$((end - 29 * 86400))"
check "29 days before" ct mail send-due
same "... the 30-day notice" 2 "$(expiry)"
clock "@$((end - 6 * 86400 - 3600))"
start_api
for _ in $(seq 1 200); do [ "$(expiry)" = 3 ] && [ "$(q "SELECT count(*) FROM outbox WHERE kind = 'expiry' AND state = 'sent'")" = 3 ] && break; sleep 0.05; done
same "the server's upkeep: the 7-day notice, sent" "3|3" "$(expiry)|$(q "SELECT count(*) FROM outbox WHERE kind = 'expiry' AND state = 'sent'")"
stop_server
check "a restart (run-due)" ct run-due
same "... sends no notice again" 3 "$(expiry)"
start_api
server_alive && pass || fail "the server restarted"
check "and run-due while it serves" ct run-due
same "... still three" 3 "$(expiry)"
same "one notice row per threshold" "60 30 7" "$(q "SELECT group_concat(threshold_days, ' ') FROM (SELECT threshold_days FROM expiry_notices WHERE serial = '$E' ORDER BY threshold_days DESC)")"
messages | grep -F "Lê Văn Hạn" | cut -d'|' -f1-2 >"$T/expiry"
same "three messages to the subscriber, the days left in the subject" "Chứng thư số của Lê Văn Hạn hết hạn sau 59 ngày|le.van.han@mic.gov.vn
Chứng thư số của Lê Văn Hạn hết hạn sau 29 ngày|le.van.han@mic.gov.vn
Chứng thư số của Lê Văn Hạn hết hạn sau 7 ngày|le.van.han@mic.gov.vn" "$(cat "$T/expiry")"
"$PY" - "$(ls "$SINK"/*.eml | tail -1)" >"$T/renew" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m.get_body(("plain",)).get_content())
PY
contains "the renewal path in the text" "ghi số sê-ri chứng thư số cũ $E" "$(cat "$T/renew")"
# a certificate found already past two thresholds: one message, for the nearest
check "a certificate of 20 days" ct cert issue --pubkey "$T/sub.pub" --name "Đinh Thị Gần" --email "gan.dt@mic.gov.vn" --province "Hà Nội" --org "Bộ Khoa học và Công nghệ" --days 20
G=$(q "SELECT serial FROM certificates WHERE common_name = 'Đinh Thị Gần'")
check "run-due" ct run-due
same "one message for it" 1 "$(q "SELECT count(*) FROM outbox WHERE ref = '$G'")"
same "... the 30-day notice, the 60-day one counted as given" "60 30" "$(q "SELECT group_concat(threshold_days, ' ') FROM (SELECT threshold_days FROM expiry_notices WHERE serial = '$G' ORDER BY threshold_days DESC)")"
stop_server
check "audit verify" ct audit verify
finish

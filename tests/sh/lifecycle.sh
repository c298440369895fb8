# lifecycle.sh — dossiers about certificates already issued, on real SoftHSM2 tokens, through
# the command line and the API: suspension (certificateHold on OCSP and the CRL), resumption
# (good again, off the next CRL), revocation on request with the reasons that fit, renewal on
# the same token (same key or a new one, as configured) and change of details (the old
# certificate superseded exactly when the new one is published). What OCSP (`openssl ocsp`,
# verified against the issuer) and the CRL (`openssl crl`, verified) say is checked before and
# after every step; refusals change nothing; 20 suspensions at once have one effect; the agency's
# certificate list (GET /agencies/{code}/certificates) says which kinds fit each.
. "$(dirname "$0")/../lib.sh"
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/api/v1
DB=$CHUNGTHU_HOME/chungthu.db
CA=$CHUNGTHU_HOME/ca
curl() { command curl -m 60 -s "$@"; }
q() { sqlite3 "$DB" "$1"; }
utc() { date -u -d "$1" +%s; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
LIST=$CT_SRC/data/samples/mau02.csv
CONFIRM="Phạm Thị Thanh Trà, Bộ trưởng"

check "init" ct init --root-key p384 --issuing-key p256
# notices are queued (their delivery, to a port nobody listens on, is not this test's)
sed -i 's|^smtp_url *=.*|smtp_url = smtp://127.0.0.1:9|' "$CHUNGTHU_HOME/chungthu.ini"
contains "e-mail on" "smtp_url = smtp://127.0.0.1:9" "$(cat "$CHUNGTHU_HOME/chungthu.ini")"
# certificates of 300 days: outside the default renewal window (60 days) until it is widened
sed -i 's|^default_days *=.*|default_days = 300|' "$CHUNGTHU_HOME/chungthu.ini"
check "agency BNV" ct agency add --code BNV --name "Bộ Nội vụ" --province "Hà Nội" --head-name "Phạm Thị Thanh Trà" --head-title "Bộ trưởng" --kind state
check "agency BTC" ct agency add --code BTC --name "Bộ Tài chính" --province "Hà Nội" --head-name "Nguyễn Văn Thắng" --head-title "Bộ trưởng" --kind state
check "token stock" ct token stock --count 6
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"

# A dossier of the sample list for an agency, taken through the whole procedure: its three
# certificates published. The pickup is two working days ahead; the steps after it run at
# that time, and the clock returns to now once published.
publish_all() { # AGENCY → the dossier's code in $T/code
    local code today pickup_day
    ct dossier submit --agency "$1" --channel direct --file "$LIST" --confirmed-by "$CONFIRM" --json > "$T/d.json" || return 1
    code=$(field "$T/d.json" 'd["code"]')
    printf '%s' "$code" > "$T/code"
    ct dossier accept "$code" >/dev/null && ct dossier issue "$code" >/dev/null || return 1
    today=$(date -u -d '+7 hours' +%F)
    pickup_day=$(ct calendar add-working-days "$today" 2)
    ct dossier notify-pickup "$code" --at "$pickup_day 09:00" --place "Phòng 203, 23 Ngụy Như Kon Tum" >/dev/null || return 1
    CHUNGTHU_NOW=$(utc "$pickup_day 10:00 +07") sh -c '
        "$0" dossier agency-received "$1" --by "Nguyễn Văn Nhận" &&
        "$0" dossier handed-over "$1" && "$0" dossier request-activation "$1" &&
        "$0" dossier publish "$1"' "$CHUNGTHU" "$code" >/dev/null
}
check "BNV's certificates published" publish_all BNV
DN=$(cat "$T/code")
check "BTC's certificates published" publish_all BTC
DF=$(cat "$T/code")
cert_of() { q "select cert_serial from applicants where dossier='$1' and n=$2"; }
S1=$(cert_of "$DN" 1)
S2=$(cert_of "$DN" 2)
S3=$(cert_of "$DN" 3)
F1=$(cert_of "$DF" 1)
for s in "$S1" "$S2" "$S3"; do ct cert show "$s" --pem > "$T/$s.pem"; done
same "three active certificates" "active active active" "$(for s in $S1 $S2 $S3; do q "select status from certificates where serial='$s'"; done | paste -sd ' ')"

# What OCSP says of a serial, asked of `ct ocsp respond` and verified against the issuer:
# "good", "revoked certificateHold", "revoked keyCompromise"…
ocsp_cli() {
    openssl ocsp -issuer "$CA/issuing.crt" -cert "$T/$1.pem" -reqout "$T/o.req" -no_nonce >/dev/null 2>&1
    ct ocsp respond --in "$T/o.req" --out "$T/o.resp" >/dev/null
    ocsp_read "$1"
}
ocsp_read() {
    local out
    out=$(openssl ocsp -respin "$T/o.resp" -issuer "$CA/issuing.crt" -cert "$T/$1.pem" -CAfile "$T/chain.pem" 2>&1)
    printf '%s' "$out" | grep -q "Response verify OK" || { echo "unverified"; return; }
    printf '%s' "$out" | awk -v p="$T/$1.pem: " '
        index($0, p) == 1 { status = substr($0, length(p) + 1) }
        /Reason: / { sub(/.*Reason: /, ""); reason = $0 }
        END { print status (reason != "" ? " " reason : "") }'
}
# What the issuing CRL (freshly signed, verified) says of a serial: "absent" or its reason.
crl_says() {
    ct crl generate >/dev/null
    ct crl show issuing --out "$T/c.crl" >/dev/null
    openssl crl -inform DER -in "$T/c.crl" -CAfile "$T/chain.pem" -verify -noout 2>/dev/null || { echo "unverified"; return; }
    openssl crl -inform DER -in "$T/c.crl" -noout -text | awk -v s="$1" '
        /Serial Number: / { found = ($3 == s) ; next }
        found && /CRL Reason Code/ { getline; gsub(/^ +| +$/, ""); print; done = 1; exit }
        END { if (!done) print "absent" }'
}

same "OCSP before anything: good" "good" "$(ocsp_cli "$S1")"
same "CRL before anything: absent" "absent" "$(crl_says "$S1")"

# ---- refusals at intake change nothing ----
dossiers() { q "select count(*) from dossiers"; }
before=$(dossiers)
req() { ct dossier request --agency BNV --channel direct --confirmed-by "$CONFIRM" "$@"; }
refuse "no kind" request.kind req --cert "$S1"
refuse "a kind that is not one" request.kind req --kind lost --cert "$S1"
refuse "new is not a request" request.kind req --kind new --cert "$S1"
refuse "no certificate" request.no_certs req --kind suspension
refuse "another agency's certificate" request.foreign_cert req --kind suspension --cert "$F1"
refuse "an unknown certificate" cert.not_found req --kind suspension --cert 0123456789ABCDEF
refuse "a serial that is not hex" cert.serial_invalid req --kind suspension --cert "xyz"
refuse "a certificate named twice" request.duplicate req --kind suspension --cert "$S1" --cert "$(printf '%s' "$S1" | tr A-F a-f)"
refuse "resuming an active certificate" request.cert_state req --kind resumption --cert "$S1"
refuse "a revocation without its reason" request.reason req --kind revocation --cert "$S1"
refuse "a reason not allowed (superseded)" request.reason req --kind revocation --cert "$S1" --reason superseded
refuse "a reason not allowed (certificateHold)" request.reason req --kind revocation --cert "$S1" --reason certificateHold
refuse "a reason for a suspension" request.reason_unexpected req --kind suspension --cert "$S1" --reason keyCompromise
refuse "new details for a suspension" request.details_unexpected req --kind suspension --cert "$S1" --unit "Vụ Tổ chức"
refuse "renewal outside the window" request.renewal_window req --kind renewal --cert "$S1"
refuse "an online request recorded by the CA" dossier.channel ct dossier request --agency BNV --channel online --confirmed-by "$CONFIRM" --kind suspension --cert "$S1"
refuse "no confirmation" dossier.confirmation ct dossier request --agency BNV --channel direct --kind suspension --cert "$S1"
same "the refusals stored no dossier" "$before" "$(dossiers)"
same "... and changed no certificate" "good" "$(ocsp_cli "$S1")"

# ---- suspension and resumption from the command line ----
check "suspension received" req --kind suspension --cert "$S1" --json
SU=$(field "$T/out" 'd["code"]')
same "kind suspension" "suspension|Tạm dừng" "$(field "$T/out" 'd["kind"] + "|" + d["kind_label"]["vi"]')"
same "due in [deadlines] suspension_days (1) working day" "$(ct calendar add-working-days "$(q "select counted_from from dossiers where code='$SU'")" 1 2>/dev/null)" "$(date -u -d "$(field "$T/out" 'd["due_step2"]')" +%F)"
ct dossier receipt "$SU" > "$T/slip.txt"
contains "the receipt names the kind" "Tạm dừng" "$(cat "$T/slip.txt")"
same "the applicant is the holder, naming the certificate" "$(q "select full_name from applicants where dossier='$DN' and n=1")|$S1|pending" "$(q "select full_name || '|' || previous_serial || '|' || state from applicants where dossier='$SU'")"
refuse "suspend before acceptance" dossier.not_accepted ct dossier suspend "$SU"
check "accept" ct dossier accept "$SU"
refuse "issue is not a suspension's step" procedure.wrong_state ct dossier issue "$SU" --applicant 1
refuse "resume is not a suspension's step" procedure.wrong_state ct dossier resume "$SU" --applicant 1
contains "... naming what is allowed" "allowed: refuse, suspend" "$(cat "$T/err")"
same "OCSP before the suspension: good" "good" "$(ocsp_cli "$S1")"
check "suspend" ct dossier suspend "$SU"
same "OCSP after: revoked, certificateHold" "revoked certificateHold" "$(ocsp_cli "$S1")"
same "CRL after: certificateHold" "Certificate Hold" "$(crl_says "$S1")"
same "status hold, still effective" "hold|6|1" "$(q "select status || '|' || revocation_reason || '|' || (case when effective_at > 0 then 1 else 0 end) from certificates where serial='$S1'")"
same "the applicant done, the dossier completed" "done|completed" "$(q "select a.state || '|' || d.state from applicants a join dossiers d on d.code = a.dossier where a.dossier='$SU'")"
same "the step audited" "1" "$(q "select count(*) from audit where action='applicant.suspend' and object='$SU#1'")"
same "the subscriber and the agency told" "1|$(q "select email from applicants where dossier='$DN' and n=1")" "$(q "select count(*) || '|' || group_concat(recipients) from outbox where kind='suspended' and ref='$S1'")"
refuse "suspend again" procedure.wrong_state ct dossier suspend "$SU"
refuse "a second suspension of a suspended certificate" request.cert_state req --kind suspension --cert "$S1"
refuse "a revocation of it asked as for an active one" request.cert_state req --kind revocation --cert "$S1" --reason keyCompromise
refuse "renewing a suspended certificate" request.cert_state req --kind renewal --cert "$S1"
refuse "cert revoke --reason certificateHold stays refused" revoke.reason ct cert revoke "$S1" --reason certificateHold

check "resumption received" req --kind resumption --cert "$S1" --json
RE=$(field "$T/out" 'd["code"]')
check "accept" ct dossier accept "$RE"
same "OCSP before the resumption: on hold" "revoked certificateHold" "$(ocsp_cli "$S1")"
check "resume" ct dossier resume "$RE" --applicant 1
same "OCSP after: good" "good" "$(ocsp_cli "$S1")"
same "CRL after: gone from it" "absent" "$(crl_says "$S1")"
same "status active, the same effective time" "active|-1|$(q "select effective_at from certificates where serial='$S2'")" "$(q "select status || '|' || revocation_reason || '|' || effective_at from certificates where serial='$S1'")"
same "the resumption completed" "completed" "$(q "select state from dossiers where code='$RE'")"

# ---- a revocation refused by the officer changes nothing ----
check "revocation asked" req --kind revocation --cert "$S1" --reason cessationOfOperation --json
RX=$(field "$T/out" 'd["code"]')
check "accept" ct dossier accept "$RX"
check "refused, with a reason" ct dossier refuse "$RX" --applicant 1 --reason "Thuê bao vẫn đang công tác"
same "still good" "good" "$(ocsp_cli "$S1")"
same "the dossier completed, the applicant refused" "completed|refused" "$(q "select d.state || '|' || a.state from dossiers d join applicants a on a.dossier = d.code where d.code='$RX'")"

# ---- through the API: the agency asks, the officer decides ----
printf 'mật khẩu văn thư bnv\n' | "$CHUNGTHU" user add --username vanthu --role agency_clerk --agency BNV >/dev/null
printf 'mật khẩu cán bộ cục\n' | "$CHUNGTHU" user add --username canbo --role ca_officer >/dev/null
"$CHUNGTHU" serve --listen "127.0.0.1:$PORT" 2> "$T/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -f "$URL/../../healthz" -o /dev/null && break; sleep 0.1; done
login() { curl -c "$T/$1.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$URL/session" -o /dev/null -w '%{http_code}'; }
same "clerk logs in" "200" "$(login vanthu 'mật khẩu văn thư bnv')"
same "officer logs in" "200" "$(login canbo 'mật khẩu cán bộ cục')"
post() { curl -b "$T/$1.jar" -H 'Content-Type: application/json' -d "$3" -o "$T/last" -w '%{http_code}' "$URL/$2"; }
code_of() { field "$T/last" 'd["error"]["code"] if "error" in d else d.get("code", "")'; }
# OCSP over HTTP from the server, verified
ocsp_http() {
    openssl ocsp -issuer "$CA/issuing.crt" -cert "$T/$1.pem" -reqout "$T/o.req" -no_nonce >/dev/null 2>&1
    curl -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$URL/../../ocsp"
    ocsp_read "$1"
}
# The server answers a request byte-identical to one of the last second from a one-second
# cache (src/http/ocsp.c): an answer after a change is awaited, within a bound.
ocsp_http_until() {
    local got
    for _ in $(seq 1 50); do
        got=$(ocsp_http "$2")
        [ "$got" = "$1" ] && break
        sleep 0.1
    done
    printf '%s' "$got"
}
same "OCSP over HTTP: good" "good" "$(ocsp_http "$S2")"

before=$(dossiers)
same "a clerk's request by another channel" "403" "$(post vanthu dossiers "{\"kind\":\"revocation\",\"agency\":\"BNV\",\"channel\":\"direct\",\"confirmed_by\":\"$CONFIRM\",\"reason\":\"keyCompromise\",\"certificates\":[\"$S2\"]}")"
same "a clerk's request for another agency" "403" "$(post vanthu dossiers "{\"kind\":\"revocation\",\"agency\":\"BTC\",\"channel\":\"online\",\"confirmed_by\":\"$CONFIRM\",\"reason\":\"keyCompromise\",\"certificates\":[\"$F1\"]}")"
same "... agency.forbidden" "agency.forbidden" "$(code_of)"
same "a clerk's request naming another agency's certificate" "403" "$(post vanthu dossiers "{\"kind\":\"revocation\",\"agency\":\"BNV\",\"channel\":\"online\",\"confirmed_by\":\"$CONFIRM\",\"reason\":\"keyCompromise\",\"certificates\":[\"$S2\",\"$F1\"]}")"
same "... request.foreign_cert" "request.foreign_cert" "$(code_of)"
same "a reason not allowed" "400" "$(post vanthu dossiers "{\"kind\":\"revocation\",\"agency\":\"BNV\",\"channel\":\"online\",\"confirmed_by\":\"$CONFIRM\",\"reason\":\"privilegeWithdrawn\",\"certificates\":[\"$S2\"]}")"
same "... request.reason" "request.reason" "$(code_of)"
same "certificates not an array" "400" "$(post vanthu dossiers "{\"kind\":\"revocation\",\"agency\":\"BNV\",\"channel\":\"online\",\"confirmed_by\":\"$CONFIRM\",\"reason\":\"keyCompromise\",\"certificates\":\"$S2\"}")"
same "the refusals stored nothing" "$before" "$(dossiers)"
same "revocation asked online" "201" "$(post vanthu dossiers "{\"kind\":\"revocation\",\"agency\":\"BNV\",\"channel\":\"online\",\"confirmed_by\":\"$CONFIRM\",\"reason\":\"keyCompromise\",\"certificates\":[\"$S2\"]}")"
RV=$(field "$T/last" 'd["code"]')
same "kind and reason in the view" "revocation|Thu hồi|keyCompromise|online" "$(field "$T/last" '"|".join([d["kind"], d["kind_label"]["vi"], d["request_reason"], d["channel"]])')"
same "the clerk may not accept" "403" "$(post vanthu "dossiers/$RV/accept" '{}')"
same "the officer accepts" "200" "$(post canbo "dossiers/$RV/accept" '{}')"
same "the officer is offered revoke" "refuse,revoke" "$(field "$T/last" '",".join(x["name"] for x in d["applicants"][0]["actions"])')"
same "the clerk may not revoke" "403" "$(post vanthu "dossiers/$RV/revoke" '{"applicant":1}')"
same "OCSP before the revocation: good" "good" "$(ocsp_http "$S2")"
same "the officer revokes" "200" "$(post canbo "dossiers/$RV/revoke" '{"applicant":1}')"
same "the applicant done" "done|Đã thực hiện" "$(field "$T/last" 'd["applicants"][0]["state"] + "|" + d["applicants"][0]["state_label"]["vi"]')"
same "OCSP after: revoked, keyCompromise" "revoked keyCompromise" "$(ocsp_http_until "revoked keyCompromise" "$S2")"
same "CRL after: keyCompromise" "Key Compromise" "$(crl_says "$S2")"
same "revoked at the officer's decision" "revoked|1" "$(q "select status || '|' || revocation_reason from certificates where serial='$S2'")"
same "the notice queued in the step" "1" "$(q "select count(*) from outbox where kind='revoked' and ref='$S2'")"
same "the token's record follows: its certificate revoked" "revoked" "$(q "select state from tokens where cert_serial='$S2'")"
same "... the move audited" "1" "$(q "select count(*) from audit where action='token.cert_revoked' and detail like '%$S2%'")"
refuse "nothing brings it back: a resumption" request.cert_state req --kind resumption --cert "$S2"

# the agency sees its request as it sees a new issuance: list, page, lookup
same "in the clerk's list" "revocation" "$(curl -b "$T/vanthu.jar" "$URL/dossiers" | python3 -c "import json,sys; print([d['kind'] for d in json.load(sys.stdin) if d['code']=='$RV'][0])")"
idn=$(q "select id_number from applicants where dossier='$RV' and n=1")
same "the lookup names the kind" "Thu hồi|done" "$(curl "$URL/lookup?code=$RV&id_number=$idn" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["kind_label"]["vi"] + "|" + d["state"])')"

# ---- 20 suspensions of one certificate at once: one effect ----
same "suspension asked online" "201" "$(post vanthu dossiers "{\"kind\":\"suspension\",\"agency\":\"BNV\",\"channel\":\"online\",\"confirmed_by\":\"$CONFIRM\",\"certificates\":[\"$S3\"]}")"
SC=$(field "$T/last" 'd["code"]')
same "accepted" "200" "$(post canbo "dossiers/$SC/accept" '{}')"
for i in $(seq 1 20); do
    curl -b "$T/canbo.jar" -H 'Content-Type: application/json' -d '{"applicant":1}' -o /dev/null -w '%{http_code}\n' "$URL/dossiers/$SC/suspend" > "$T/race.$i" &
done
wait $(jobs -p | grep -v "^$SERVER$") 2>/dev/null
same "one suspension done, 19 refused" "1 19" "$(cat "$T"/race.* | grep -c '^200$') $(cat "$T"/race.* | grep -c '^409$')"
same "one audit row" "1" "$(q "select count(*) from audit where action='applicant.suspend' and object='$SC#1'")"
same "one notice queued" "1" "$(q "select count(*) from outbox where kind='suspended' and ref='$S3'")"
same "OCSP over HTTP: on hold" "revoked certificateHold" "$(ocsp_http_until "revoked certificateHold" "$S3")"

# the agency's certificates as the portal's request form reads them: state and the kinds that fit
held() { curl -b "$T/$1.jar" -o "$T/last" -w '%{http_code}' "$URL/agencies/$2/certificates"; }
cert_in() { field "$T/last" "(lambda c: $2)([c for c in d['certificates'] if c['serial'] == '$1'][0])"; }
same "the clerk reads the agency's certificates" "200" "$(held vanthu BNV)"
same "... its three, as issued in its dossier" "$S1 $S2 $S3" "$(field "$T/last" '" ".join(c["serial"] for c in d["certificates"])')"
same "the kinds, with their labels" "suspension:Tạm dừng resumption:Khôi phục revocation:Thu hồi renewal:Gia hạn change:Thay đổi nội dung thông tin pin_reset:Đặt lại mã PIN token_lost:Báo mất thiết bị token_broken:Báo hỏng thiết bị" "$(field "$T/last" '" ".join(k["kind"] + ":" + k["label"]["vi"] for k in d["kinds"])')"
same "an active one: all but resumption and renewal (outside the window)" "active|suspension,revocation,change,pin_reset,token_lost,token_broken" "$(cert_in "$S1" 'c["state"] + "|" + ",".join(c["requests"])')"
same "a suspended one: resumption, and token care for its token" "suspended|resumption,pin_reset,token_lost,token_broken" "$(cert_in "$S3" 'c["state"] + "|" + ",".join(c["requests"])')"
same "a revoked one: only its token's loss or breakage (custody)" "revoked|token_lost,token_broken" "$(cert_in "$S2" 'c["state"] + "|" + ",".join(c["requests"])')"
tok2=$(q "select serial from tokens where cert_serial='$S2'")
check "its token reported lost" ct token lost "$tok2" --reason "Rơi mất khi đi công tác"
held vanthu BNV >/dev/null
same "... then nothing: the list asks the custody table as intake does" "revoked|" "$(cert_in "$S2" 'c["state"] + "|" + ",".join(c["requests"])')"
same "another agency's list: as if absent" "404" "$(held vanthu BTC)"
same "... agency.not_found" "agency.not_found" "$(code_of)"
same "the officer reads any agency's" "200" "$(held canbo BTC)"
same "... BTC's three" "3" "$(field "$T/last" 'len(d["certificates"])')"

# ---- renewal and change of details: the new-issuance path on the holder's own token ----
# From the issue to the request for activation, at the pickup time two working days ahead.
to_activation() { # CODE
    local today pickup_day
    ct dossier issue "$1" >/dev/null || return 1
    today=$(date -u -d '+7 hours' +%F)
    pickup_day=$(ct calendar add-working-days "$today" 2)
    ct dossier notify-pickup "$1" --at "$pickup_day 09:00" --place "Phòng 203, 23 Ngụy Như Kon Tum" >/dev/null || return 1
    LATER=$(utc "$pickup_day 10:00 +07")
    CHUNGTHU_NOW=$LATER sh -c '"$0" dossier agency-received "$1" --by "Nguyễn Văn Nhận" &&
        "$0" dossier handed-over "$1" && "$0" dossier request-activation "$1"' "$CHUNGTHU" "$1" >/dev/null
}
spki() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64; }

same "a change asked online, new unit and position" "201" "$(post vanthu dossiers "{\"kind\":\"change\",\"agency\":\"BNV\",\"channel\":\"online\",\"confirmed_by\":\"$CONFIRM\",\"certificates\":[{\"serial\":\"$S1\",\"unit\":\"Vụ Tổ chức cán bộ\",\"position\":\"Phó Vụ trưởng\"}]}")"
CH=$(field "$T/last" 'd["code"]')
same "the new details on the applicant" "Vụ Tổ chức cán bộ|Phó Vụ trưởng|$S1" "$(q "select unit || '|' || position || '|' || previous_serial from applicants where dossier='$CH'")"
same "a change that changes nothing" "400" "$(post vanthu dossiers "{\"kind\":\"change\",\"agency\":\"BNV\",\"channel\":\"online\",\"confirmed_by\":\"$CONFIRM\",\"certificates\":[{\"serial\":\"$S1\"}]}")"
same "... request.no_change" "request.no_change" "$(code_of)"
same "the officer accepts the change" "200" "$(post canbo "dossiers/$CH/accept" '{}')"
TOK=$(q "select token_serial from applicants where dossier='$DN' and n=1")
check "issued on the holder's own token, up to the activation request" to_activation "$CH"
N1=$(q "select cert_serial from applicants where dossier='$CH' and n=1")
same "the new certificate on the same token, linked to the old one" "$TOK|$S1" "$(q "select token_serial || '|' || previous_serial from applicants where dossier='$CH'")"
same "the token carries the new certificate" "$N1" "$(q "select cert_serial from tokens where serial='$TOK'")"
ct cert show "$N1" --pem > "$T/$N1.pem"
contains "the new certificate names the new unit" "Vụ Tổ chức cán bộ" "$(openssl x509 -in "$T/$N1.pem" -noout -subject -nameopt utf8)"
same "before publication: the old one good" "good" "$(ocsp_cli "$S1")"
same "... the new one on hold" "revoked certificateHold" "$(ocsp_cli "$N1")"
same "... the old one not on the CRL" "absent" "$(crl_says "$S1")"
check "publish" env CHUNGTHU_NOW="$LATER" "$CHUNGTHU" dossier publish "$CH"
same "after publication: the old one revoked, superseded" "revoked superseded" "$(ocsp_cli "$S1")"
same "... the new one good" "good" "$(ocsp_cli "$N1")"
same "... the old one on the CRL as superseded" "Superseded" "$(crl_says "$S1")"
same "... the new one not on it" "absent" "$(crl_says "$N1")"
same "revoked at the very instant of publication" "$(q "select effective_at from certificates where serial='$N1'")" "$(q "select revoked_at from certificates where serial='$S1'")"
same "the change completed" "completed" "$(q "select state from dossiers where code='$CH'")"

# renewal: outside the window refused, inside on the holder's token with a new key; the old
# one runs to its end unless [lifecycle] renewal_revokes_old
F2=$(cert_of "$DF" 2)
ct cert show "$F2" --pem > "$T/$F2.pem"
refuse "renewal outside the window" request.renewal_window ct dossier request --agency BTC --channel direct --confirmed-by "Nguyễn Văn Thắng, Bộ trưởng" --kind renewal --cert "$F2"
sed -i 's|^renewal_window_days *=.*|renewal_window_days = 400|' "$CHUNGTHU_HOME/chungthu.ini"
check "renewal received" ct dossier request --agency BTC --channel direct --confirmed-by "Nguyễn Văn Thắng, Bộ trưởng" --kind renewal --cert "$F2" --json
RN=$(field "$T/out" 'd["code"]')
same "due in [deadlines] renewal_days" "Gia hạn|$(ct calendar add-working-days "$(q "select counted_from from dossiers where code='$RN'")" 3)" "$(field "$T/out" 'd["kind_label"]["vi"]')|$(date -u -d "$(field "$T/out" 'd["due_step2"]')" +%F)"
check "accept" ct dossier accept "$RN"
check "renewed up to the activation request" to_activation "$RN"
R2=$(q "select cert_serial from applicants where dossier='$RN' and n=1")
ct cert show "$R2" --pem > "$T/$R2.pem"
check "publish the renewal" env CHUNGTHU_NOW="$LATER" "$CHUNGTHU" dossier publish "$RN"
same "the renewed certificate good" "good" "$(ocsp_cli "$R2")"
same "a new key" "different" "$([ "$(spki "$T/$F2.pem")" != "$(spki "$T/$R2.pem")" ] && echo different || echo same)"
same "the old one runs to its end" "good" "$(ocsp_cli "$F2")"
check "the re-keyed certificate verifies strictly" openssl verify -x509_strict -CAfile "$CA/root.crt" -untrusted "$CA/issuing.crt" "$T/$R2.pem"

# renewal for the same key ([lifecycle] renewal_rekey = false): the token keeps its key pair and
# its user PIN; the new certificate replaces the old one's object under the same CKA_ID
export SOFTHSM2_CONF=$CHUNGTHU_HOME/tokens/softhsm2.conf
MODULE=/usr/lib/softhsm/libsofthsm2.so
contains "init writes renewal_rekey = true" "renewal_rekey = true" "$(cat "$CHUNGTHU_HOME/chungthu.ini")"
sed -i 's|^renewal_rekey *=.*|renewal_rekey = false|' "$CHUNGTHU_HOME/chungthu.ini"
F3=$(cert_of "$DF" 3)
ct cert show "$F3" --pem > "$T/$F3.pem"
TOK3=$(q "select token_serial from applicants where dossier='$DF' and n=3")
LABEL3=$(q "select label from tokens where serial='$TOK3'")
ENV3=$CHUNGTHU_HOME/envelopes/$TOK3.txt
PIN3=$(sed -n 's/^MÃ PIN \/ USER PIN: *//p' "$ENV3")
sha256sum "$ENV3" > "$T/env3.sum"
p11() { pkcs11-tool --module "$MODULE" --token-label "$1" --login --pin "$2" "${@:3}"; }
certs_on() { pkcs11-tool --module "$MODULE" --token-label "$1" --list-objects --type cert 2>/dev/null | grep -c 'Certificate Object'; }
ncerts=$(certs_on "$LABEL3")
check "same-key renewal received" ct dossier request --agency BTC --channel direct --confirmed-by "Nguyễn Văn Thắng, Bộ trưởng" --kind renewal --cert "$F3" --json
RS=$(field "$T/out" 'd["code"]')
check "accept" ct dossier accept "$RS"
check "renewed for the same key up to the activation request" to_activation "$RS"
R3=$(q "select cert_serial from applicants where dossier='$RS' and n=1")
ct cert show "$R3" --pem > "$T/$R3.pem"
same "on the same token" "$TOK3" "$(q "select token_serial from applicants where dossier='$RS'")"
same "the same key" "same" "$([ "$(spki "$T/$F3.pem")" = "$(spki "$T/$R3.pem")" ] && echo same || echo different)"
check "the new certificate verifies strictly" openssl verify -x509_strict -CAfile "$CA/root.crt" -untrusted "$CA/issuing.crt" "$T/$R3.pem"
check "... and the old one" openssl verify -x509_strict -CAfile "$CA/root.crt" -untrusted "$CA/issuing.crt" "$T/$F3.pem"
same "no new envelope: the PIN has not changed" "$(cat "$T/env3.sum")" "$(sha256sum "$ENV3")"
same "the provisioning audited as same-key" "1" "$(q "select count(*) from audit where action='token.provision' and object='$TOK3' and detail like '%\"key\":\"same\"%'")"
same "the token still has as many certificate objects" "$ncerts" "$(certs_on "$LABEL3")"
pkcs11-tool --module "$MODULE" --token-label "$LABEL3" --read-object --type cert --label "$LABEL3" -o "$T/oncard.der" >/dev/null 2>&1
same "the token carries the new certificate under the key's label" "$(openssl x509 -in "$T/$R3.pem" -noout -serial)" "$(openssl x509 -inform DER -in "$T/oncard.der" -noout -serial 2>&1)"
id3=$(p11 "$LABEL3" "$PIN3" --list-objects --type privkey 2>/dev/null | sed -n 's/^ *ID: *//p')
printf 'gia hạn giữ khóa' > "$T/msg"
if [ "$(openssl x509 -in "$T/$R3.pem" -noout -text | grep -c 'id-ecPublicKey')" = 1 ]; then MECH=ECDSA-SHA256; SIGFMT="--signature-format openssl"; else MECH=SHA256-RSA-PKCS; SIGFMT=; fi
check "the holder's old PIN still signs with the key" p11 "$LABEL3" "$PIN3" --sign --id "$id3" -m "$MECH" $SIGFMT -i "$T/msg" -o "$T/msg.sig"
openssl x509 -in "$T/$R3.pem" -pubkey -noout > "$T/r3.pub"
check "openssl verifies it against the new certificate" openssl dgst -sha256 -verify "$T/r3.pub" -signature "$T/msg.sig" "$T/msg"
same "before publication: the old one good" "good" "$(ocsp_cli "$F3")"
same "... the new one on hold" "revoked certificateHold" "$(ocsp_cli "$R3")"
check "publish the same-key renewal" env CHUNGTHU_NOW="$LATER" "$CHUNGTHU" dossier publish "$RS"
same "after publication: the new one good" "good" "$(ocsp_cli "$R3")"
same "... the old one runs to its end" "good" "$(ocsp_cli "$F3")"

# a token whose key pair is gone cannot be renewed for the same key; the token stays as it was
TOK1=$(q "select token_serial from applicants where dossier='$DF' and n=1")
LABEL1=$(q "select label from tokens where serial='$TOK1'")
PIN1=$(sed -n 's/^MÃ PIN \/ USER PIN: *//p' "$CHUNGTHU_HOME/envelopes/$TOK1.txt")
id1=$(p11 "$LABEL1" "$PIN1" --list-objects --type privkey 2>/dev/null | sed -n 's/^ *ID: *//p')
check "the public key object removed from the token" p11 "$LABEL1" "$PIN1" --delete-object --type pubkey --id "$id1"
check "renewal of it received" ct dossier request --agency BTC --channel direct --confirmed-by "Nguyễn Văn Thắng, Bộ trưởng" --kind renewal --cert "$F1" --json
RK=$(field "$T/out" 'd["code"]')
check "accept" ct dossier accept "$RK"
objects_before=$(p11 "$LABEL1" "$PIN1" --list-objects 2>/dev/null | sha256sum)
refuse "the issue refused: no key to renew" token.key_missing ct dossier issue "$RK" --applicant 1
same "the applicant still pending, the token still with its holder" "pending|with_subscriber|$F1" "$(q "select a.state || '|' || t.state || '|' || t.cert_serial from applicants a, tokens t where a.dossier='$RK' and t.serial='$TOK1'")"
same "the token's objects untouched" "$objects_before" "$(p11 "$LABEL1" "$PIN1" --list-objects 2>/dev/null | sha256sum)"
same "no claim left on the token" "0" "$(q "select count(*) from claims where object='token:$TOK1'")"

check "audit chain holds" ct audit verify

finish

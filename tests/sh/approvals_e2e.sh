# approvals_e2e.sh — four eyes in the portal, in headless Chromium (tests/e2e/approvals.mjs), with
# the defaults ([approvals] revoke = 2): officer A asks to revoke a certificate from its page and
# sees that it waits, and cannot approve it; officer B (an account made here, approved by the
# administrator) approves it in "Chờ phê duyệt"; a second request, declined, changes nothing.
# Then OCSP, the database and the audit trail are asked what really happened.
# APPROVALS_SCREENSHOTS=DIR saves the screenshots there.
CT_FOUR_EYES=1 # the defaults, not the one-person instances of the other tests (lib.sh)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../e2e/run.sh"
CA=$CHUNGTHU_HOME/ca
ADMIN=$(awk '$2 == "ca_admin" { print $1; exit }' "$ACCOUNTS")
ADMIN_PW=$(awk -v u="$ADMIN" '$1 == u { print $3 }' "$ACCOUNTS")
OFFICER=$(awk '$2 == "ca_officer" { print $1; exit }' "$ACCOUNTS")

# two certificates to revoke
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" -subj /CN=x -out "$T/r.csr" 2>/dev/null
issue() { ct cert issue --csr "$T/r.csr" --name "$1" --email "$2" --province "Huế" --org "Bộ Y tế" --out "$T/$3.pem" >/dev/null; }
serial() { openssl x509 -in "$T/$1.pem" -noout -serial | sed 's/serial=//'; }
check "issue one to revoke" issue "Lý Tự Trọng" trong@moh.gov.vn one
check "issue one to keep" issue "Võ Thị Sáu" sau@moh.gov.vn two
S1=$(serial one)
S2=$(serial two)

# officer B: asked for by the instance's owner, approved by the CA administrator (logged in)
export HOME=$T/home
mkdir -p "$HOME"
B_PW='mật khẩu cán bộ thứ hai'
printf '%s\n' "$B_PW" | ct user add --username canbo2 --name "Cán bộ Hai" --role ca_officer >/dev/null
check "the administrator logs in" sh -c 'printf "%s\n%s\n" "$1" "$2" | "$3" login' sh "$ADMIN" "$ADMIN_PW" "$CHUNGTHU"
check "and approves officer B's account" ct approval approve "$(q "select id from approvals where object='canbo2'")"
check "logout" ct logout
same "officer B exists" "ca_officer" "$(q "select role from users where username='canbo2'")"

e2e_serve
contains "the certificate page's script is served" "viewCert" "$(curl -s "$BASE/portal/certs.js")"

e2e_node approvals "$OFFICER" "$B_PW" "$S1" "$S2"

# what the browser did, as the rest of the world sees it
cat "$CA/issuing.crt" "$CA/root.crt" > "$T/chain.pem"
ocsp_verdict() {
    openssl ocsp -issuer "$CA/issuing.crt" -serial "0x$1" -no_nonce -reqout "$T/o.req" >/dev/null 2>&1
    curl -s -H 'Content-Type: application/ocsp-request' --data-binary @"$T/o.req" -o "$T/o.resp" "$BASE/ocsp"
    openssl ocsp -respin "$T/o.resp" -issuer "$CA/issuing.crt" -serial "0x$1" -CAfile "$T/chain.pem" 2>&1
}
# the server answers the same OCSP request from a one-second microcache: polled for, bounded
ocsp_revoked() {
    local v
    for _ in $(seq 1 60); do
        v=$(ocsp_verdict "$1")
        case $v in *"0x$1: revoked"*) break ;; esac
        sleep 0.05
    done
    printf '%s' "$v"
}
contains "OCSP: the approved one is revoked" "0x$S1: revoked" "$(ocsp_revoked "$S1")"
contains "... for the reason A picked" "Reason: keyCompromise" "$(ocsp_verdict "$S1")"
contains "OCSP: the declined one is still good" "0x$S2: good" "$(ocsp_verdict "$S2")"
same "the revocation: asked by A, approved by B" "approved|$OFFICER|canbo2" "$(q "select state || '|' || requested_by || '|' || decided_by from approvals where action='revoke' and object='$S1'")"
same "the declined request: by B, with the reason typed" "declined|canbo2|Nhầm số hiệu" "$(q "select state || '|' || decided_by || '|' || reason from approvals where action='revoke' and object='$S2'")"
same "cert.revoke audited once, by B" "canbo2" "$(q "select group_concat(actor) from audit where action='cert.revoke'")"
same "the kept certificate: active" "active" "$(q "select status from certificates where serial='$S2'")"
stop_server
finish

# interop.sh — independent implementations judge everything chungthu makes: the root, issuing
# and OCSP responder certificates, subscriber certificates on hold (issued, not yet published),
# active (published) and revoked (keyCompromise), both CRLs, and OCSP answers from the running
# server. The judges: OpenSSL, GnuTLS, NSS, Go's crypto/x509 (tests/interop/x509check.go) and
# Python's cryptography (tests/interop/x509check.py). Two instances go through the procedure:
# the default RSA hierarchy, and P-384/P-256 with P-256 subscriber keys. docs/interop.md lists
# what each judge checks.
. "$(dirname "$0")/../lib.sh"
INTEROP=$CT_SRC/tests/interop
PY=/usr/bin/python3 # Debian's, with python3-cryptography, whatever python is first on PATH
SERVER=
stop_server() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; fi
    SERVER=
}
trap 'stop_server; rm -rf "$T"' EXIT
curl() { command curl -m 10 "$@"; } # no request may hang the test

for tool in certtool ocsptool certutil crlutil vfychain go; do
    command -v "$tool" >/dev/null || { fail "$tool is missing (scripts/install-deps)"; finish; exit 1; }
done

# tally JUDGE OUTPUT RC: a judging program prints "PASS what" or "FAIL what: why" per check;
# each line counts here as one check of this test.
tally() {
    local judge=$1 out=$2 rc=$3 n line
    n=$(grep -c '^PASS ' "$out")
    PASSED=$((PASSED + n))
    while IFS= read -r line; do fail "$judge: ${line#FAIL }"; done < <(grep '^FAIL ' "$out")
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        fail "$judge exited with $rc"
        sed 's/^/  | /' "$out" "$T/err" >&2
    fi
    [ "$n" -gt 0 ] || fail "$judge judged nothing"
}
# refused DESCRIPTION TEXT COMMAND...: the command must fail and say TEXT.
refused() {
    local what=$1 text=$2; shift 2
    if "$@" >"$T/out" 2>&1; then
        fail "$what: accepted"
    elif grep -qF -- "$text" "$T/out"; then
        pass
    else
        fail "$what: refused without [$text]"
        sed 's/^/  | /' "$T/out" >&2
    fi
}

# Go's crypto/x509, built once with Debian's Go: no network, caches in $T, no newer toolchain.
export GOCACHE=$T/go/cache GOPATH=$T/go/path GOMODCACHE=$T/go/path/mod GOFLAGS= GOENV=off \
    GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off CGO_ENABLED=0
check "go build x509check" go build -o "$T/x509check" "$INTEROP/x509check.go"

# A one-person list in the Mẫu 02 form, for a dossier that stops at step 2 (on hold).
head -1 "$CT_SRC/data/samples/mau02.csv" > "$T/one.csv"
printf '1,Võ Thị Sáu,10/01/1990,040190001234,05/06/2021,Cục Cảnh sát QLHC về TTXH,sau.vt@mic.gov.vn,Vụ Pháp chế,Huế,Chuyên viên,Công chức,0911222333,\r\n' >> "$T/one.csv"

# judge_instance LABEL [INIT OPTIONS...]: an instance through the procedure, then every judge.
judge_instance() {
    local label=$1; shift
    local H=$T/$label J=$T/$label-judged port url serials active revoked held code st rc
    export CHUNGTHU_HOME=$H
    port=$(free_port)
    url=http://127.0.0.1:$port
    mkdir -p "$J"

    # ---- the procedure ----
    check "$label: init --demo" ct init --demo --base-url "$url" "$@"
    if [ "$label" = ec ]; then
        sed -i 's/^subscriber_key = .*/subscriber_key = p256/' "$H/chungthu.ini"
    fi
    check "$label: demo (three certificates issued on tokens, then published)" ct demo
    serials=$(ct cert list --kind subscriber --status active | cut -d' ' -f1)
    same "$label: three active" "3" "$(printf '%s\n' "$serials" | grep -c .)"
    active=$(printf '%s\n' "$serials" | sed -n 1p)
    revoked=$(printf '%s\n' "$serials" | sed -n 2p)
    check "$label: revoke keyCompromise" ct cert revoke "$revoked" --reason keyCompromise
    check "$label: a token in stock" ct token stock --count 1
    check "$label: submit" ct dossier submit --agency BKHCN.VPC --channel direct --file "$T/one.csv" \
        --confirmed-by "Phạm Thị Lan, Vụ trưởng Vụ Pháp chế" --json
    code=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["code"])' "$T/out")
    check "$label: accept" ct dossier accept "$code"
    check "$label: issue (on hold until published)" ct dossier issue "$code"
    ct dossier show "$code" --json > "$T/dossier.json"
    held=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["applicants"][0]["cert_serial"])' "$T/dossier.json")
    same "$label: on hold" "hold" "$(ct cert show "$held" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
    for st in active:"$active" hold:"$held" revoked:"$revoked"; do
        ct cert show "${st#*:}" --pem > "$J/leaf-${st%%:*}.pem" || fail "$label: cert show ${st%%:*}"
    done
    cp "$H/ca/root.crt" "$J/root.pem"
    cp "$H/ca/issuing.crt" "$J/issuing.pem"
    cp "$H/ca/ocsp.crt" "$J/ocsp.pem"
    cat "$J/issuing.pem" "$J/root.pem" > "$J/chain.pem"

    # ---- the server: CRLs and OCSP as relying parties fetch them ----
    # The port was free when the instance was made (its URLs name it); a test running beside
    # this one may hold it for a moment since: a refused listen is tried again, a few times.
    for attempt in 1 2 3 4 5; do
        "$CHUNGTHU" serve --listen "127.0.0.1:$port" 2> "$T/$label-server.log" &
        SERVER=$!
        for _ in $(seq 1 600); do
            curl -fs "$url/healthz" >/dev/null 2>&1 && break
            kill -0 $SERVER 2>/dev/null || break
            sleep 0.1
        done
        kill -0 $SERVER 2>/dev/null && break
        wait $SERVER 2>/dev/null
        grep -q "serve.start" "$T/$label-server.log" || break
        sleep 1
    done
    curl -fs "$url/healthz" >/dev/null 2>&1 || sed "s/^/  $label server.log | /" "$T/$label-server.log" >&2
    check "$label: fetch issuing.crl" curl -fsS -o "$J/issuing.crl" "$url/crl/issuing.crl"
    check "$label: fetch root.crl" curl -fsS -o "$J/root.crl" "$url/crl/root.crl"
    openssl crl -inform DER -in "$J/issuing.crl" -out "$J/issuing.crl.pem"
    openssl crl -inform DER -in "$J/root.crl" -out "$J/root.crl.pem"

    # ---- OpenSSL ----
    check "$label openssl: root, strict" openssl verify -x509_strict -CAfile "$J/root.pem" "$J/root.pem"
    check "$label openssl: issuing CA, strict, root CRL checked" openssl verify -x509_strict -crl_check \
        -CAfile "$J/root.pem" -CRLfile "$J/root.crl.pem" "$J/issuing.pem"
    check "$label openssl: OCSP responder, strict" openssl verify -x509_strict -purpose ocsphelper \
        -CAfile "$J/root.pem" -untrusted "$J/issuing.pem" "$J/ocsp.pem"
    ossl_verify() { # PURPOSE STATE: the leaf, its chain and both CRLs
        openssl verify -x509_strict -crl_check_all -purpose "$1" -CAfile "$J/root.pem" \
            -untrusted "$J/issuing.pem" -CRLfile "$J/issuing.crl.pem" -CRLfile "$J/root.crl.pem" \
            "$J/leaf-$2.pem"
    }
    check "$label openssl: active leaf, smimesign, CRLs checked" ossl_verify smimesign active
    check "$label openssl: active leaf, sslclient, CRLs checked" ossl_verify sslclient active
    refused "$label openssl: leaf on hold is on the CRL" "certificate revoked" ossl_verify smimesign hold
    refused "$label openssl: revoked leaf is on the CRL" "certificate revoked" ossl_verify smimesign revoked
    check "$label openssl: issuing.crl signature" openssl crl -in "$J/issuing.crl.pem" -CAfile "$J/chain.pem" -verify -noout
    check "$label openssl: root.crl signature" openssl crl -in "$J/root.crl.pem" -CAfile "$J/root.pem" -verify -noout
    for st in active hold revoked; do
        openssl ocsp -url "$url/ocsp" -issuer "$J/issuing.pem" -cert "$J/leaf-$st.pem" \
            -CAfile "$J/root.pem" -respout "$J/ocsp-$st.der" > "$T/ocsp-$st.txt" 2>&1 ||
            fail "$label openssl ocsp $st"
        contains "$label openssl ocsp: $st response verifies (nonce too)" "Response verify OK" "$(cat "$T/ocsp-$st.txt")"
    done
    contains "$label openssl ocsp: active is good" "leaf-active.pem: good" "$(cat "$T/ocsp-active.txt")"
    contains "$label openssl ocsp: on hold is revoked" "leaf-hold.pem: revoked" "$(cat "$T/ocsp-hold.txt")"
    contains "$label openssl ocsp: on hold, certificateHold" "Reason: certificateHold" "$(cat "$T/ocsp-hold.txt")"
    contains "$label openssl ocsp: revoked, keyCompromise" "Reason: keyCompromise" "$(cat "$T/ocsp-revoked.txt")"

    # ---- GnuTLS ----
    for st in active hold revoked; do
        cat "$J/leaf-$st.pem" "$J/issuing.pem" "$J/root.pem" > "$T/full.pem"
        contains "$label certtool: $st leaf chain" "Chain verification output: Verified" \
            "$(certtool --verify-chain --infile "$T/full.pem" 2>&1)"
    done
    cat "$J/ocsp.pem" "$J/issuing.pem" "$J/root.pem" > "$T/full.pem"
    contains "$label certtool: OCSP responder chain" "Chain verification output: Verified" \
        "$(certtool --verify-chain --infile "$T/full.pem" 2>&1)"
    gnutls_crl() { # STATE: the leaf and the issuing CA against the root, with the issuing CRL
        cat "$J/leaf-$1.pem" "$J/issuing.pem" > "$T/pair.pem"
        certtool --verify --load-ca-certificate "$J/root.pem" --load-crl "$J/issuing.crl.pem" --infile "$T/pair.pem"
    }
    check "$label certtool: active leaf with the CRL" gnutls_crl active
    refused "$label certtool: on hold, revoked by the CRL" "The certificate chain is revoked" gnutls_crl hold
    refused "$label certtool: revoked by the CRL" "The certificate chain is revoked" gnutls_crl revoked
    check "$label certtool: issuing.crl signed by the issuing CA" \
        certtool --verify-crl --load-ca-certificate "$J/issuing.pem" --infile "$J/issuing.crl.pem"
    refused "$label certtool: issuing.crl not signed by the root" "Not verified" \
        certtool --verify-crl --load-ca-certificate "$J/root.pem" --infile "$J/issuing.crl.pem"
    check "$label certtool: root.crl signed by the root" \
        certtool --verify-crl --load-ca-certificate "$J/root.pem" --infile "$J/root.crl.pem"
    info=$(certtool --crl-info --infile "$J/issuing.crl.pem" 2>&1)
    contains "$label certtool --crl-info: two entries" "Revoked certificates (2)" "$info"
    contains "$label certtool --crl-info: on hold listed" "$(printf '%s' "$held" | tr A-F a-f)" "$info"
    contains "$label certtool --crl-info: revoked listed" "$(printf '%s' "$revoked" | tr A-F a-f)" "$info"
    if printf '%s' "$info" | grep -qi "$active"; then fail "$label certtool: active leaf on the CRL"; else pass; fi
    for st in active hold revoked; do
        ocsptool --ask="$url/ocsp" --load-issuer "$J/issuing.pem" --load-cert "$J/leaf-$st.pem" \
            --outfile "$T/gnutls-$st.der" > "$T/ocsptool-$st.txt" 2>&1 || fail "$label ocsptool --ask $st"
        contains "$label ocsptool --ask: $st verifies" "Verifying OCSP Response: Success." "$(cat "$T/ocsptool-$st.txt")"
        check "$label ocsptool: $st, delegated responder of the issuing CA" ocsptool --verify-response \
            --load-response "$J/ocsp-$st.der" --load-signer "$J/issuing.pem"
        check "$label ocsptool: $st, trust in the chain" ocsptool --verify-response \
            --load-response "$J/ocsp-$st.der" --load-trust "$J/chain.pem"
    done
    contains "$label ocsptool: active is good" "Certificate Status: good" "$(cat "$T/ocsptool-active.txt")"
    contains "$label ocsptool: on hold is revoked" "Certificate Status: revoked" "$(cat "$T/ocsptool-hold.txt")"
    contains "$label ocsptool: revoked is revoked" "Certificate Status: revoked" "$(cat "$T/ocsptool-revoked.txt")"

    # ---- NSS: a fresh database trusting the root for e-mail and client authentication ----
    local db=sql:$T/$label-nss
    mkdir -p "$T/$label-nss"
    check "$label certutil: new database" certutil -N -d "$db" --empty-password
    check "$label certutil: root trusted" certutil -A -d "$db" -n root -t "CT,C,C" -i "$J/root.pem"
    check "$label certutil: issuing CA" certutil -A -d "$db" -n issuing -t ",," -i "$J/issuing.pem"
    check "$label certutil: OCSP responder" certutil -A -d "$db" -n ocsp -t ",," -i "$J/ocsp.pem"
    for st in active hold revoked; do
        check "$label certutil: leaf $st" certutil -A -d "$db" -n "leaf-$st" -t ",," -i "$J/leaf-$st.pem"
    done
    for usage in Y L; do
        contains "$label certutil -V: issuing CA (-u $usage)" "certificate is valid" "$(certutil -V -d "$db" -n issuing -u $usage 2>&1)"
    done
    contains "$label certutil -V: OCSP responder (-u O)" "certificate is valid" "$(certutil -V -d "$db" -n ocsp -u O 2>&1)"
    for usage in C S R; do # SSL client, e-mail signer, e-mail recipient
        contains "$label certutil -V: active leaf (-u $usage)" "certificate is valid" "$(certutil -V -d "$db" -n leaf-active -u $usage 2>&1)"
    done
    nss_chain() { # METHOD STATE: libpkix, revocation from the leaf's AIA (ocsp) or CDP (crl)
        vfychain -d "$db" -pp -u 4 -g leaf -m "$1" -s failIfNoInfo -a "$J/leaf-$2.pem" -a "$J/issuing.pem"
    }
    for method in ocsp crl; do
        check "$label vfychain $method: active leaf, e-mail signer" nss_chain $method active
        refused "$label vfychain $method: on hold" "Peer's Certificate has been revoked" nss_chain $method hold
        refused "$label vfychain $method: revoked" "Peer's Certificate has been revoked" nss_chain $method revoked
    done
    check "$label crlutil: issuing.crl imported (signature checked)" crlutil -I -d "$db" -t 1 -i "$J/issuing.crl"
    check "$label crlutil: root.crl imported (signature checked)" crlutil -I -d "$db" -t 1 -i "$J/root.crl"
    contains "$label certutil -V with CRLs: active" "certificate is valid" "$(certutil -V -d "$db" -n leaf-active -u S 2>&1)"
    contains "$label certutil -V with CRLs: on hold" "has been revoked" "$(certutil -V -d "$db" -n leaf-hold -u S 2>&1)"
    contains "$label certutil -V with CRLs: revoked" "has been revoked" "$(certutil -V -d "$db" -n leaf-revoked -u S 2>&1)"
    contains "$label certutil -V with CRLs: issuing CA" "certificate is valid" "$(certutil -V -d "$db" -n issuing -u Y 2>&1)"
    # a clean stop (under the sanitizers, exit 0 also means no leak)
    kill -TERM "$SERVER"
    if wait "$SERVER"; then pass; else fail "$label: serve did not exit 0 on SIGTERM"; sed 's/^/  | /' "$T/$label-server.log" >&2; fi
    SERVER=

    # ---- Go's crypto/x509 and Python's cryptography, on the same files ----
    "$T/x509check" "$J" > "$T/go.txt" 2>"$T/err"; rc=$?
    tally "$label go" "$T/go.txt" "$rc"
    "$PY" "$INTEROP/x509check.py" "$J" "$url" "$(sed -n 's/^policy_oid = //p' "$H/chungthu.ini")" \
        "$(sed -n 's/^cps_uri = //p' "$H/chungthu.ini")" > "$T/python.txt" 2>"$T/err"; rc=$?
    tally "$label python" "$T/python.txt" "$rc"
    check "$label: audit verify" ct audit verify
}

judge_instance rsa
judge_instance ec --root-key p384 --issuing-key p256
contains "EC leaves have P-256 keys" "prime256v1" "$(openssl x509 -in "$T/ec-judged/leaf-active.pem" -noout -text)"
contains "EC issuing CA signs with ECDSA" "ecdsa-with-SHA256" "$(openssl x509 -in "$T/ec-judged/leaf-active.pem" -noout -text)"
contains "RSA issuing CA is RSA-3072" "Public-Key: (3072 bit)" "$(openssl x509 -in "$T/rsa-judged/issuing.pem" -noout -text)"
finish

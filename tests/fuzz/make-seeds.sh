#!/usr/bin/env bash
# make-seeds.sh — (re)make the binary seeds of tests/fuzz/corpus with openssl: OCSP requests
# (SHA-1 and SHA-256 CertIDs, nonce, two CertIDs, signed, foreign issuer, odd hash parameters)
# for a fixed issuing CA whose certificate fuzz_ocsp.c embeds (fuzz_ocsp_issuer.h, written here
# too), CSRs and public keys of RSA and EC in PEM and DER (some the profile refuses), and DER
# snippets. The text seeds (Mẫu 02 lists, HTTP paths) are written by hand and kept as they are.
# Run from anywhere; it replaces the generated files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C=$here/corpus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
q() { "$@" >/dev/null 2>&1; }

# the inputs fuzzing found (found-*) are kept: they are the reproducers of docs/fuzzing.md
mkdir -p "$C/ocsp" "$C/csr" "$C/pubkey" "$C/der"
find "$C/ocsp" "$C/csr" "$C/pubkey" "$C/der" -type f ! -name 'found-*' -delete

# ---- OCSP: the issuing CA the harness answers for, and requests about its certificates ----
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -subj "/C=VN/O=chungthu fuzzing/CN=Fuzz Issuing CA" -days 3650 -out ca.pem
openssl x509 -in ca.pem -outform DER -out ca.der
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key \
    -subj "/CN=Other CA" -days 3650 -out other.pem
for s in 0A01 0B02 0C03; do
    q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$s.key" \
        -subj "/CN=leaf $s" -out "$s.csr"
    q openssl x509 -req -in "$s.csr" -CA ca.pem -CAkey ca.key -set_serial "0x7F${s}00112233445566778899AABBCC" \
        -days 365 -out "$s.pem"
done
q openssl x509 -req -in 0A01.csr -CA other.pem -CAkey other.key -set_serial 0x0A01 -days 365 -out stranger.pem
ocsp() { q openssl ocsp -issuer "$1" "${@:3}" -reqout "$C/ocsp/$2.der"; }
ocsp ca.pem sha1 -cert 0A01.pem -no_nonce
ocsp ca.pem sha256 -sha256 -cert 0B02.pem -no_nonce
ocsp ca.pem sha1-nonce -cert 0C03.pem
ocsp ca.pem sha256-two-nonce -sha256 -cert 0A01.pem -cert 0B02.pem
ocsp ca.pem sha1-three -cert 0A01.pem -cert 0B02.pem -cert 0C03.pem -no_nonce
ocsp ca.pem signed -cert 0A01.pem -signer 0B02.pem -signkey 0B02.key -no_nonce
ocsp other.pem foreign -cert stranger.pem -no_nonce
ocsp ca.pem sha384 -sha384 -cert 0A01.pem -no_nonce
python3 "$here/../ocsp_certid.py" "$C/ocsp/sha1.der" "$C/ocsp/sha1-params-integer.der" 020105
python3 "$here/../ocsp_certid.py" "$C/ocsp/sha256.der" "$C/ocsp/sha256-params-absent.der" ""
{
    echo "/* fuzz_ocsp_issuer.h — the issuing CA certificate (DER) fuzz_ocsp.c answers for; the"
    echo " * requests in corpus/ocsp ask about certificates it issued. Written by make-seeds.sh. */"
    echo "static const unsigned char fuzz_ocsp_issuer_der[] = {"
    od -An -v -tx1 ca.der | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1, /g; s/, $/,/; s/^/   /'
    echo "};"
} > "$here/fuzz_ocsp_issuer.h"

# ---- CSRs and public keys ----
key() { # NAME genpkey-options...
    q openssl genpkey "${@:2}" -out "$1.key"
    openssl pkey -in "$1.key" -pubout -out "$C/pubkey/$1.pem" 2>/dev/null
    openssl pkey -in "$1.key" -pubout -outform DER -out "$C/pubkey/$1.der" 2>/dev/null
    openssl req -new -key "$1.key" -subj "/CN=$1/O=chungthu" -out "$C/csr/$1.pem" 2>/dev/null
    openssl req -in "$C/csr/$1.pem" -outform DER -out "$C/csr/$1.der" 2>/dev/null
}
key rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
key rsa3072 -algorithm RSA -pkeyopt rsa_keygen_bits:3072
key rsa1024 -algorithm RSA -pkeyopt rsa_keygen_bits:1024
key rsa2048-e3 -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3
key p256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
key p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
key secp256k1 -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1
key ed25519 -algorithm ED25519
# P-256 spelt out (explicit parameters: refused), and its point compressed and hybrid (both
# certified uncompressed)
openssl ec -in p256.key -param_enc explicit -pubout -outform DER -out "$C/pubkey/p256-explicit.der" 2>/dev/null
openssl ec -in p256.key -conv_form compressed -pubout -outform DER -out "$C/pubkey/p256-compressed.der" 2>/dev/null
openssl ec -in p256.key -conv_form hybrid -pubout -outform DER -out "$C/pubkey/p256-hybrid.der" 2>/dev/null
openssl ec -in p256.key -param_enc explicit -out p256-explicit.key 2>/dev/null
openssl req -new -key p256-explicit.key -subj "/CN=explicit" -outform DER -out "$C/csr/p256-explicit.der" 2>/dev/null
# a CSR with extensions, as some enrolment tools make them
q openssl req -new -key p256.key -subj "/CN=Nguyễn Văn An/O=Bộ Y tế" -utf8 \
    -addext "subjectAltName=email:an@moh.gov.vn" -addext "keyUsage=digitalSignature" \
    -out "$C/csr/p256-ext.pem"
# a CSR whose signature does not verify (one byte of the subject changed)
openssl req -in "$C/csr/p256.pem" -outform DER | python3 -c '
import sys; d = bytearray(sys.stdin.buffer.read()); i = d.find(b"p256"); d[i] ^= 1
sys.stdout.buffer.write(d)' > "$C/csr/p256-badsig.der"

# ---- DER snippets ----
cp "$C/pubkey/p256.der" "$C/der/spki-p256.der"
cp "$C/pubkey/rsa2048.der" "$C/der/spki-rsa2048.der"
cp ca.der "$C/der/certificate.der"
cp "$C/ocsp/sha256-two-nonce.der" "$C/der/ocsp-request.der"
printf '\x02\x01\x05' > "$C/der/integer.der"
printf '\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b' > "$C/der/oid.der"
printf '\x30\x81\x80' > "$C/der/long-form.der"; head -c 128 /dev/zero >> "$C/der/long-form.der"
printf '\x30\x06\x31\x04\x0c\x02\xc3\xa1' > "$C/der/nested.der"
printf '\xa0\x03\x02\x01\x02\x80\x00' > "$C/der/context.der"
echo "seeds written under $C"

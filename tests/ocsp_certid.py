#!/usr/bin/env python3
"""ocsp_certid.py — rewrite the hashAlgorithm parameters of every CertID in a DER OCSP request.

    ocsp_certid.py IN.der OUT.der PARAMS_HEX

PARAMS_HEX is the DER of the parameters to put after the algorithm's OID ("" for none, "0500"
for NULL, "020105" for INTEGER 5, ...). Every enclosing length is re-encoded; an optional
signature is dropped (it would no longer verify). The tests use it to make requests that
`openssl ocsp` will not: CertIDs whose hash algorithm carries odd parameters.
"""
import sys


def parse(data):
    """A DER value as (tag, content bytes), with the rest of the data."""
    tag, first = data[0], data[1]
    if first < 0x80:
        length, head = first, 2
    else:
        n = first & 0x7F
        length, head = int.from_bytes(data[2:2 + n], "big"), 2 + n
    return (tag, data[head:head + length]), data[head + length:]


def children(content):
    out = []
    while content:
        value, content = parse(content)
        out.append(value)
    return out


def encode(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def seq(tag, items):
    return encode(tag, b"".join(encode(t, c) for t, c in items))


def main():
    src, dst, params = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3])
    (tag, content), _ = parse(open(src, "rb").read())
    tbs = children(content)[0]  # the optional signature is left out
    tbs_items = children(tbs[1])
    out_items = []
    for t, c in tbs_items:
        if t == 0x30:  # requestList
            requests = []
            for rt, rc in children(c):
                req = children(rc)
                cert_id = children(req[0][1])
                oid = children(cert_id[0][1])[0]
                alg = encode(*oid) + params
                cert_id[0] = (0x30, alg)
                req[0] = (0x30, b"".join(encode(*v) for v in cert_id))
                requests.append((rt, b"".join(encode(*v) for v in req)))
            c = b"".join(encode(*v) for v in requests)
        out_items.append((t, c))
    open(dst, "wb").write(seq(tag, [(0x30, b"".join(encode(*v) for v in out_items))]))


main()

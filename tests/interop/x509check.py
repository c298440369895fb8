"""x509check.py — Python's `cryptography` as a relying party judging what one chungthu instance
made (tests/sh/interop.sh), against the certificate profile of docs/certificate-profile.md.

    /usr/bin/python3 x509check.py DIR BASE_URL POLICY_OID CPS_URI

DIR holds the same files as for x509check.go: root.pem, issuing.pem, ocsp.pem,
leaf-{active,hold,revoked}.pem, root.crl, issuing.crl, ocsp-{active,hold,revoked}.der.
Every judgement is one line, "PASS what" or "FAIL what: why"; the exit status is 1 if any
failed. Written for Debian 12's python3-cryptography (38), so only its API is used.
"""
import datetime
import os
import sys

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

failed = False


def judge(what, ok, why=""):
    global failed
    if ok:
        print("PASS " + what)
    else:
        failed = True
        print("FAIL %s: %s" % (what, why))
    return ok


def signed_by(public_key, signature, data, hash_algorithm):
    """Whether public_key made signature over data (PKCS#1 v1.5 or ECDSA, as chungthu signs)."""
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hash_algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hash_algorithm))
        else:
            return False
        return True
    except InvalidSignature:
        return False


def subject_public_key_bits(public_key):
    """The contents of subjectPublicKey: what CertID's issuerKeyHash is computed over."""
    if isinstance(public_key, rsa.RSAPublicKey):
        return public_key.public_bytes(serialization.Encoding.DER,
                                       serialization.PublicFormat.PKCS1)
    return public_key.public_bytes(serialization.Encoding.X962,
                                   serialization.PublicFormat.UncompressedPoint)


def key_sha1(public_key):
    """SHA-1 of the subjectPublicKey bits: SKI method 1 and OCSP's key hashes."""
    return x509.SubjectKeyIdentifier.from_public_key(public_key).digest


def guarded(what, check, *args):
    """Runs one group of checks; a decoder that raises has judged the input too."""
    try:
        check(*args)
    except Exception as e:
        judge(what, False, "%s: %s" % (type(e).__name__, e))


def load(directory, name):
    path = os.path.join(directory, name + ".pem")
    try:
        with open(path, "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
    except Exception as e:  # any parse error is the verdict
        judge("load " + name, False, e)
        return None
    judge("load " + name, True)
    return cert


def ext(cert, oid):
    try:
        return cert.extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return None


# Which extensions each kind carries, and which of them are critical (the profile's table).
PROFILE = {
    "root": {ExtensionOID.BASIC_CONSTRAINTS: True, ExtensionOID.KEY_USAGE: True,
             ExtensionOID.SUBJECT_KEY_IDENTIFIER: False},
    "issuing": {ExtensionOID.BASIC_CONSTRAINTS: True, ExtensionOID.KEY_USAGE: True,
                ExtensionOID.CERTIFICATE_POLICIES: False, ExtensionOID.AUTHORITY_KEY_IDENTIFIER: False,
                ExtensionOID.SUBJECT_KEY_IDENTIFIER: False, ExtensionOID.CRL_DISTRIBUTION_POINTS: False,
                ExtensionOID.AUTHORITY_INFORMATION_ACCESS: False},
    "ocsp": {ExtensionOID.BASIC_CONSTRAINTS: True, ExtensionOID.KEY_USAGE: True,
             ExtensionOID.EXTENDED_KEY_USAGE: False, ExtensionOID.AUTHORITY_KEY_IDENTIFIER: False,
             ExtensionOID.SUBJECT_KEY_IDENTIFIER: False, ExtensionOID.OCSP_NO_CHECK: False},
    "subscriber": {ExtensionOID.BASIC_CONSTRAINTS: True, ExtensionOID.KEY_USAGE: True,
                   ExtensionOID.EXTENDED_KEY_USAGE: False, ExtensionOID.CERTIFICATE_POLICIES: False,
                   ExtensionOID.SUBJECT_ALTERNATIVE_NAME: False,
                   ExtensionOID.AUTHORITY_KEY_IDENTIFIER: False,
                   ExtensionOID.SUBJECT_KEY_IDENTIFIER: False,
                   ExtensionOID.CRL_DISTRIBUTION_POINTS: False,
                   ExtensionOID.AUTHORITY_INFORMATION_ACCESS: False},
}
KEY_USAGES = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
              "key_agreement", "key_cert_sign", "crl_sign")


def key_usage_bits(ku):
    return {name for name in KEY_USAGES if getattr(ku, name)}


def check_cert(name, kind, cert, issuer, base_url, policy_oid, cps_uri):
    judge(name + " is X.509 v3", cert.version == x509.Version.v3, cert.version)
    serial = cert.serial_number
    judge(name + " serial is positive, 16 bytes", 2**120 <= serial < 2**127, hex(serial))
    judge(name + " signed by its issuer (" + issuer.subject.rfc4514_string() + ")",
          cert.issuer == issuer.subject and
          signed_by(issuer.public_key(), cert.signature, cert.tbs_certificate_bytes,
                    cert.signature_hash_algorithm))
    judge(name + " lies within its issuer's validity", cert.not_valid_after <= issuer.not_valid_after
          and cert.not_valid_before >= issuer.not_valid_before - datetime.timedelta(minutes=5),
          "%s..%s" % (cert.not_valid_before, cert.not_valid_after))
    for attribute in cert.subject:
        want = "PrintableString" if attribute.oid == NameOID.COUNTRY_NAME else "UTF8String"
        judge("%s %s is %s" % (name, attribute.oid._name, want), attribute._type.name == want,
              attribute._type.name)

    present = {e.oid: e.critical for e in cert.extensions}
    judge(name + " has exactly the profile's extensions", set(present) == set(PROFILE[kind]),
          sorted(o._name for o in set(present) ^ set(PROFILE[kind])))
    for oid, critical in PROFILE[kind].items():
        if oid in present:
            judge("%s %s %s" % (name, oid._name, "critical" if critical else "not critical"),
                  present[oid] == critical, present[oid])

    bc = ext(cert, ExtensionOID.BASIC_CONSTRAINTS)
    ku = ext(cert, ExtensionOID.KEY_USAGE)
    ski = ext(cert, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
    if ski:
        judge(name + " SKI is the SHA-1 of its key", ski.value.digest == key_sha1(cert.public_key()))
    aki = ext(cert, ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    if aki:
        issuer_ski = ext(issuer, ExtensionOID.SUBJECT_KEY_IDENTIFIER)
        judge(name + " AKI is its issuer's SKI", issuer_ski is not None and
              aki.value.key_identifier == issuer_ski.value.digest)
    is_ca = kind in ("root", "issuing")
    if bc:
        judge(name + " basicConstraints CA " + str(is_ca), bc.value.ca == is_ca, bc.value)
        want_path = 0 if kind == "issuing" else None
        judge(name + " path length " + str(want_path), bc.value.path_length == want_path,
              bc.value.path_length)
    if ku:
        if is_ca:
            want = {"key_cert_sign", "crl_sign"}
        elif kind == "ocsp":
            want = {"digital_signature"}
        else:
            want = {"digital_signature", "content_commitment"}
            if isinstance(cert.public_key(), rsa.RSAPublicKey):
                want.add("key_encipherment")
        judge(name + " keyUsage " + ", ".join(sorted(want)), key_usage_bits(ku.value) == want,
              key_usage_bits(ku.value))
    eku = ext(cert, ExtensionOID.EXTENDED_KEY_USAGE)
    if eku:
        want = [ExtendedKeyUsageOID.OCSP_SIGNING] if kind == "ocsp" else \
            [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION]
        judge(name + " extKeyUsage", list(eku.value) == want, list(eku.value))
    policies = ext(cert, ExtensionOID.CERTIFICATE_POLICIES)
    if policies:
        ok = len(policies.value) == 1 and \
            policies.value[0].policy_identifier.dotted_string == policy_oid and \
            policies.value[0].policy_qualifiers == [cps_uri]
        judge(name + " policy " + policy_oid + " with its CPS", ok, policies.value)
        # Go's crypto/x509 before 1.22 (and other ASN.1 decoders) refuse arcs above 2^31 - 1.
        arcs = [int(a) for a in policy_oid.split(".")]
        judge(name + " policy OID arcs fit in 31 bits", max(arcs) < 2**31, policy_oid)
    san = ext(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    if san:
        judge(name + " SAN is one e-mail address",
              len(san.value) == 1 and len(san.value.get_values_for_type(x509.RFC822Name)) == 1,
              san.value)
    cdp = ext(cert, ExtensionOID.CRL_DISTRIBUTION_POINTS)
    if cdp:
        crl = "root.crl" if kind == "issuing" else "issuing.crl"
        uris = [n.value for dp in cdp.value for n in (dp.full_name or [])]
        judge(name + " CRL distribution point " + crl, uris == [base_url + "/crl/" + crl], uris)
    aia = ext(cert, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    if aia:
        got = sorted((d.access_method._name, d.access_location.value) for d in aia.value)
        if kind == "issuing":
            want = [("caIssuers", base_url + "/ca/root.crt")]
        else:
            want = sorted([("OCSP", base_url + "/ocsp"),
                           ("caIssuers", base_url + "/ca/issuing.crt")])
        judge(name + " authorityInfoAccess", got == want, got)


def check_crl(directory, name, issuer, want, absent):
    try:
        with open(os.path.join(directory, name + ".crl"), "rb") as f:
            crl = x509.load_der_x509_crl(f.read())
    except Exception as e:
        judge("load " + name + ".crl", False, e)
        return
    judge("load " + name + ".crl", True)
    judge(name + ".crl signature valid", crl.is_signature_valid(issuer.public_key()))
    judge(name + ".crl issuer", crl.issuer == issuer.subject, crl.issuer)
    now = datetime.datetime.utcnow()
    judge(name + ".crl is current", crl.last_update <= now < crl.next_update,
          "%s..%s" % (crl.last_update, crl.next_update))
    number = crl.extensions.get_extension_for_oid(ExtensionOID.CRL_NUMBER)
    judge(name + ".crl number", number.value.crl_number > 0 and not number.critical, number)
    aki = crl.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_KEY_IDENTIFIER)
    judge(name + ".crl AKI", aki.value.key_identifier == key_sha1(issuer.public_key()), aki)
    entries = {e.serial_number: e for e in crl}
    judge(name + ".crl entry count %d" % len(want), len(entries) == len(want), len(entries))
    for serial, reason in want.items():
        entry = entries.get(serial)
        got = None
        if entry is not None:
            got = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        judge("%s.crl lists %x as %s" % (name, serial, reason.name), got == reason, got)
    for serial in absent:
        judge("%s.crl leaves out %x" % (name, serial), serial not in entries)


def check_ocsp(directory, state, leaf, issuing, want_status, want_reason):
    what = "ocsp-" + state
    try:
        with open(os.path.join(directory, what + ".der"), "rb") as f:
            resp = ocsp.load_der_ocsp_response(f.read())
    except Exception as e:
        judge("load " + what, False, e)
        return
    judge("load " + what, True)
    if not judge(what + " successful", resp.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL,
                 resp.response_status):
        return
    if not judge(what + " carries its responder's certificate", len(resp.certificates) >= 1):
        return
    responder = resp.certificates[0]
    judge(what + " responder certified by the issuing CA", responder.issuer == issuing.subject and
          signed_by(issuing.public_key(), responder.signature, responder.tbs_certificate_bytes,
                    responder.signature_hash_algorithm))
    eku = ext(responder, ExtensionOID.EXTENDED_KEY_USAGE)
    judge(what + " responder has OCSPSigning",
          eku is not None and ExtendedKeyUsageOID.OCSP_SIGNING in eku.value)
    judge(what + " signature", signed_by(responder.public_key(), resp.signature,
                                         resp.tbs_response_bytes, resp.signature_hash_algorithm))
    if resp.responder_key_hash is not None:
        judge(what + " responder ID by key", resp.responder_key_hash ==
              key_sha1(responder.public_key()))
    else:
        judge(what + " responder ID by name", resp.responder_name == responder.subject)
    h = hashes.Hash(resp.hash_algorithm)
    h.update(issuing.subject.public_bytes())
    judge(what + " CertID issuer name hash", resp.issuer_name_hash == h.finalize())
    h = hashes.Hash(resp.hash_algorithm)
    h.update(subject_public_key_bits(issuing.public_key()))
    judge(what + " CertID issuer key hash", resp.issuer_key_hash == h.finalize())
    judge(what + " CertID serial", resp.serial_number == leaf.serial_number,
          hex(resp.serial_number))
    now = datetime.datetime.utcnow()
    judge(what + " is current", resp.this_update <= now < resp.next_update,
          "%s..%s" % (resp.this_update, resp.next_update))
    judge(what + " status " + want_status.name, resp.certificate_status == want_status,
          resp.certificate_status)
    if want_reason is not None:
        judge(what + " reason " + want_reason.name, resp.revocation_reason == want_reason,
              resp.revocation_reason)


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: x509check.py DIR BASE_URL POLICY_OID CPS_URI")
    directory, base_url, policy_oid, cps_uri = sys.argv[1:]
    root = load(directory, "root")
    issuing = load(directory, "issuing")
    responder = load(directory, "ocsp")
    leaves = {s: load(directory, "leaf-" + s) for s in ("active", "hold", "revoked")}
    if None in (root, issuing, responder) or None in leaves.values():
        sys.exit(1)
    profile = (base_url, policy_oid, cps_uri)
    guarded("root", check_cert, "root", "root", root, root, *profile)
    guarded("issuing CA", check_cert, "issuing CA", "issuing", issuing, root, *profile)
    guarded("OCSP responder", check_cert, "OCSP responder", "ocsp", responder, issuing, *profile)
    for state, leaf in leaves.items():
        guarded("leaf-" + state, check_cert, "leaf-" + state, "subscriber", leaf, issuing, *profile)
    guarded("issuing.crl", check_crl, directory, "issuing", issuing,
            {leaves["hold"].serial_number: x509.ReasonFlags.certificate_hold,
             leaves["revoked"].serial_number: x509.ReasonFlags.key_compromise},
            [leaves["active"].serial_number])
    guarded("root.crl", check_crl, directory, "root", root, {}, [issuing.serial_number])
    guarded("ocsp-active", check_ocsp, directory, "active", leaves["active"], issuing,
            ocsp.OCSPCertStatus.GOOD, None)
    guarded("ocsp-hold", check_ocsp, directory, "hold", leaves["hold"], issuing,
            ocsp.OCSPCertStatus.REVOKED, x509.ReasonFlags.certificate_hold)
    guarded("ocsp-revoked", check_ocsp, directory, "revoked", leaves["revoked"], issuing,
            ocsp.OCSPCertStatus.REVOKED, x509.ReasonFlags.key_compromise)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

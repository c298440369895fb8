// x509check — Go's crypto/x509 as a relying party judging what one chungthu instance made
// (tests/sh/interop.sh). Standard library only, so that it builds with any Go from 1.19 on
// without a network: Go before 1.22 refuses certificates whose OIDs have arcs above 2^31, and
// many deployed tools (cfssl, Kubernetes-era code) are built with such a Go.
//
//	x509check DIR
//
// DIR holds root.pem, issuing.pem, ocsp.pem, leaf-{active,hold,revoked}.pem (PEM), and
// root.crl, issuing.crl, ocsp-{active,hold,revoked}.der (DER, as served over HTTP). Every
// judgement is one line, "PASS what" or "FAIL what: why"; the exit status is 1 if any failed.
//
// golang.org/x/crypto/ocsp is not in the standard library, so the OCSP answers are read with
// encoding/asn1 (RFC 6960 §4.2.1) and their signatures checked with Certificate.CheckSignature.
package main

import (
	"bytes"
	"crypto"
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

var failed bool

func pass(what string) { fmt.Printf("PASS %s\n", what) }

func fail(what string, why interface{}) {
	failed = true
	fmt.Printf("FAIL %s: %v\n", what, why)
}

func judge(what string, err error) bool {
	if err != nil {
		fail(what, err)
		return false
	}
	pass(what)
	return true
}

func expect(what string, ok bool, why string, args ...interface{}) bool {
	if !ok {
		fail(what, fmt.Sprintf(why, args...))
		return false
	}
	pass(what)
	return true
}

func readCert(dir, name string) *x509.Certificate {
	data, err := os.ReadFile(filepath.Join(dir, name+".pem"))
	if err != nil {
		fail("read "+name, err)
		return nil
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		fail("read "+name, "no CERTIFICATE block")
		return nil
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if !judge("parse "+name, err) {
		return nil
	}
	return cert
}

var (
	oidReasonCode     = asn1.ObjectIdentifier{2, 5, 29, 21}
	oidAuthorityKeyID = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidOCSPBasic      = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidSHA1           = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	// signature algorithms an OCSP responder of chungthu may use (RSA or ECDSA issuing CA)
	signatureAlgorithms = []struct {
		oid  asn1.ObjectIdentifier
		algo x509.SignatureAlgorithm
	}{
		{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, x509.SHA256WithRSA},
		{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, x509.SHA384WithRSA},
		{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, x509.SHA512WithRSA},
		{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, x509.ECDSAWithSHA256},
		{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, x509.ECDSAWithSHA384},
		{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, x509.ECDSAWithSHA512},
	}
)

// CRL reason codes (RFC 5280 §5.3.1)
const (
	reasonKeyCompromise   = 1
	reasonCertificateHold = 6
)

// ---- certificates ----

func verifyChain(name string, cert *x509.Certificate, roots, intermediates *x509.CertPool,
	usages ...x509.ExtKeyUsage) {
	for _, usage := range usages {
		_, err := cert.Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: intermediates,
			KeyUsages:     []x509.ExtKeyUsage{usage},
		})
		judge(fmt.Sprintf("verify %s for extended key usage %d", name, usage), err)
	}
}

func hasEKU(cert *x509.Certificate, want x509.ExtKeyUsage) bool {
	for _, u := range cert.ExtKeyUsage {
		if u == want {
			return true
		}
	}
	return false
}

// ---- CRLs ----

type authorityKeyID struct {
	KeyID []byte `asn1:"optional,tag:0"`
}

func checkCRL(dir, name string, issuer *x509.Certificate, want map[string]int, absent []*big.Int) {
	der, err := os.ReadFile(filepath.Join(dir, name+".crl"))
	if err != nil {
		fail("read "+name+".crl", err)
		return
	}
	crl, err := x509.ParseRevocationList(der)
	if !judge("parse "+name+".crl", err) {
		return
	}
	judge(name+".crl signature by "+issuer.Subject.CommonName, crl.CheckSignatureFrom(issuer))
	expect(name+".crl issuer is its signer", bytes.Equal(crl.RawIssuer, issuer.RawSubject),
		"issuer %q", crl.Issuer)
	expect(name+".crl has a CRL number", crl.Number != nil && crl.Number.Sign() > 0, "number %v", crl.Number)
	// RevocationList.AuthorityKeyId holds the whole extension value, not the key identifier,
	// in the Go of Debian 12 (golang/go#57461, #67571): decode the extension here.
	var aki authorityKeyID
	for _, ext := range crl.Extensions {
		if ext.Id.Equal(oidAuthorityKeyID) {
			unmarshalAll(name+".crl AKI decodes", ext.Value, &aki)
		}
	}
	expect(name+".crl AKI is the signer's SKI", bytes.Equal(aki.KeyID, issuer.SubjectKeyId),
		"AKI %x, SKI %x", aki.KeyID, issuer.SubjectKeyId)
	now := time.Now()
	expect(name+".crl is current", !crl.ThisUpdate.After(now) && crl.NextUpdate.After(now),
		"thisUpdate %v, nextUpdate %v", crl.ThisUpdate, crl.NextUpdate)
	listed := map[string]int{}
	for _, entry := range crl.RevokedCertificates {
		reason := -1
		for _, ext := range entry.Extensions {
			if ext.Id.Equal(oidReasonCode) {
				var r asn1.Enumerated
				if rest, err := asn1.Unmarshal(ext.Value, &r); err != nil || len(rest) != 0 {
					fail(name+".crl reason code of "+entry.SerialNumber.Text(16), "malformed")
				}
				reason = int(r)
			}
		}
		listed[entry.SerialNumber.Text(16)] = reason
	}
	expect(name+".crl entry count", len(listed) == len(want), "%d entries, want %d", len(listed), len(want))
	for serial, reason := range want {
		got, ok := listed[serial]
		expect(fmt.Sprintf("%s.crl lists %s with reason %d", name, serial, reason), ok && got == reason,
			"listed %v, reason %d", ok, got)
	}
	for _, serial := range absent {
		_, ok := listed[serial.Text(16)]
		expect(name+".crl leaves out active "+serial.Text(16), !ok, "listed")
	}
}

// ---- OCSP (RFC 6960 §4.2.1) ----

type ocspResponse struct {
	Status   asn1.Enumerated
	Response responseBytes `asn1:"explicit,tag:0,optional"`
}

type responseBytes struct {
	ResponseType asn1.ObjectIdentifier
	Response     []byte
}

type basicOCSPResponse struct {
	TBSResponseData    responseData
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          asn1.BitString
	Certificates       []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type responseData struct {
	Raw         asn1.RawContent
	Version     int `asn1:"optional,default:0,explicit,tag:0"`
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []singleResponse
	Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type certID struct {
	HashAlgorithm  pkix.AlgorithmIdentifier
	IssuerNameHash []byte
	IssuerKeyHash  []byte
	SerialNumber   *big.Int
}

type singleResponse struct {
	CertID     certID
	Good       asn1.Flag        `asn1:"tag:0,optional"`
	Revoked    revokedInfo      `asn1:"tag:1,optional"`
	Unknown    asn1.Flag        `asn1:"tag:2,optional"`
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type revokedInfo struct {
	RevocationTime time.Time       `asn1:"generalized"`
	Reason         asn1.Enumerated `asn1:"explicit,tag:0,optional,default:-1"`
}

type subjectPublicKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

func publicKeyBits(cert *x509.Certificate) []byte {
	var spki subjectPublicKeyInfo
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil
	}
	return spki.PublicKey.Bytes
}

func digest(h crypto.Hash, data []byte) []byte {
	w := h.New()
	w.Write(data)
	return w.Sum(nil)
}

func unmarshalAll(what string, der []byte, v interface{}) bool {
	rest, err := asn1.Unmarshal(der, v)
	if err == nil && len(rest) != 0 {
		err = fmt.Errorf("%d trailing bytes", len(rest))
	}
	return judge(what, err)
}

// checkOCSP judges one answer: its structure, its signature by a delegated responder that the
// issuing CA certified for OCSPSigning, its CertID, and the status the certificate should have.
func checkOCSP(dir, state string, leaf, issuing *x509.Certificate, roots *x509.CertPool,
	wantStatus string, wantReason int) {
	what := "ocsp-" + state
	der, err := os.ReadFile(filepath.Join(dir, what+".der"))
	if err != nil {
		fail("read "+what, err)
		return
	}
	var resp ocspResponse
	if !unmarshalAll("parse "+what, der, &resp) {
		return
	}
	if !expect(what+" successful", resp.Status == 0, "responseStatus %d", resp.Status) ||
		!expect(what+" is a BasicOCSPResponse", resp.Response.ResponseType.Equal(oidOCSPBasic),
			"responseType %v", resp.Response.ResponseType) {
		return
	}
	var basic basicOCSPResponse
	if !unmarshalAll("parse "+what+" BasicOCSPResponse", resp.Response.Response, &basic) {
		return
	}
	if !expect(what+" carries its responder's certificate", len(basic.Certificates) >= 1,
		"no certificate") {
		return
	}
	responder, err := x509.ParseCertificate(basic.Certificates[0].FullBytes)
	if !judge("parse "+what+" responder certificate", err) {
		return
	}
	intermediates := x509.NewCertPool()
	intermediates.AddCert(issuing)
	_, err = responder.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}})
	judge(what+" responder chains to the root for OCSPSigning", err)
	judge(what+" responder certified by the issuing CA", responder.CheckSignatureFrom(issuing))
	algo := x509.UnknownSignatureAlgorithm
	for _, a := range signatureAlgorithms {
		if a.oid.Equal(basic.SignatureAlgorithm.Algorithm) {
			algo = a.algo
		}
	}
	judge(what+" signature ("+algo.String()+")", responder.CheckSignature(algo,
		basic.TBSResponseData.Raw, basic.Signature.RightAlign()))

	// responderID byKey [2] (or byName [1])
	rid := basic.TBSResponseData.ResponderID
	switch rid.Tag {
	case 2:
		var keyHash []byte
		if unmarshalAll(what+" responderID byKey", rid.Bytes, &keyHash) {
			expect(what+" responderID is the responder's key hash",
				bytes.Equal(keyHash, digest(crypto.SHA1, publicKeyBits(responder))), "%x", keyHash)
		}
	case 1:
		expect(what+" responderID is the responder's name", bytes.Equal(rid.Bytes, responder.RawSubject),
			"name differs")
	default:
		fail(what+" responderID", fmt.Sprintf("tag %d", rid.Tag))
	}

	if !expect(what+" answers one certificate", len(basic.TBSResponseData.Responses) == 1,
		"%d responses", len(basic.TBSResponseData.Responses)) {
		return
	}
	single := basic.TBSResponseData.Responses[0]
	var h crypto.Hash
	switch {
	case single.CertID.HashAlgorithm.Algorithm.Equal(oidSHA1):
		h = crypto.SHA1
	case single.CertID.HashAlgorithm.Algorithm.Equal(oidSHA256):
		h = crypto.SHA256
	default:
		fail(what+" CertID hash", single.CertID.HashAlgorithm.Algorithm)
		return
	}
	expect(what+" CertID issuer name hash", bytes.Equal(single.CertID.IssuerNameHash,
		digest(h, issuing.RawSubject)), "%x", single.CertID.IssuerNameHash)
	expect(what+" CertID issuer key hash", bytes.Equal(single.CertID.IssuerKeyHash,
		digest(h, publicKeyBits(issuing))), "%x", single.CertID.IssuerKeyHash)
	expect(what+" CertID serial", single.CertID.SerialNumber.Cmp(leaf.SerialNumber) == 0,
		"%x", single.CertID.SerialNumber)
	now := time.Now()
	expect(what+" is current", !single.ThisUpdate.After(now) && single.NextUpdate.After(now),
		"thisUpdate %v nextUpdate %v", single.ThisUpdate, single.NextUpdate)
	status := "unknown"
	switch {
	case bool(single.Good):
		status = "good"
	case !single.Revoked.RevocationTime.IsZero():
		status = "revoked"
	}
	expect(what+" status "+wantStatus, status == wantStatus, "status %s", status)
	if wantStatus == "revoked" {
		expect(fmt.Sprintf("%s reason %d", what, wantReason), int(single.Revoked.Reason) == wantReason,
			"reason %d", single.Revoked.Reason)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: x509check DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	root := readCert(dir, "root")
	issuing := readCert(dir, "issuing")
	responder := readCert(dir, "ocsp")
	leaves := map[string]*x509.Certificate{}
	for _, state := range []string{"active", "hold", "revoked"} {
		leaves[state] = readCert(dir, "leaf-"+state)
	}
	if root == nil || issuing == nil || responder == nil || leaves["active"] == nil ||
		leaves["hold"] == nil || leaves["revoked"] == nil {
		os.Exit(1)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	intermediates := x509.NewCertPool()
	intermediates.AddCert(issuing)

	judge("root is self-signed", root.CheckSignatureFrom(root))
	expect("root is a CA", root.IsCA && root.BasicConstraintsValid, "IsCA false")
	verifyChain("root", root, roots, nil, x509.ExtKeyUsageAny)
	verifyChain("issuing CA", issuing, roots, nil, x509.ExtKeyUsageAny)
	expect("issuing CA path length 0", issuing.IsCA && issuing.MaxPathLenZero && issuing.MaxPathLen == 0,
		"IsCA %v, MaxPathLen %d", issuing.IsCA, issuing.MaxPathLen)
	expect("issuing CA has a certificate policy", len(issuing.PolicyIdentifiers) == 1,
		"%v", issuing.PolicyIdentifiers)
	verifyChain("OCSP responder", responder, roots, intermediates, x509.ExtKeyUsageOCSPSigning)
	for _, state := range []string{"active", "hold", "revoked"} {
		leaf := leaves[state]
		verifyChain("leaf-"+state, leaf, roots, intermediates,
			x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection)
		expect("leaf-"+state+" has both extended key usages",
			hasEKU(leaf, x509.ExtKeyUsageClientAuth) && hasEKU(leaf, x509.ExtKeyUsageEmailProtection),
			"%v", leaf.ExtKeyUsage)
		expect("leaf-"+state+" has an e-mail address", len(leaf.EmailAddresses) == 1, "%v",
			leaf.EmailAddresses)
		expect("leaf-"+state+" has the issuing CA's policy", len(leaf.PolicyIdentifiers) == 1 &&
			leaf.PolicyIdentifiers[0].Equal(issuing.PolicyIdentifiers[0]), "%v", leaf.PolicyIdentifiers)
		expect("leaf-"+state+" AKI is the issuing CA's SKI",
			bytes.Equal(leaf.AuthorityKeyId, issuing.SubjectKeyId), "%x", leaf.AuthorityKeyId)
		expect("leaf-"+state+" names its OCSP responder", len(leaf.OCSPServer) == 1, "%v", leaf.OCSPServer)
		expect("leaf-"+state+" names its CRL", len(leaf.CRLDistributionPoints) == 1, "%v",
			leaf.CRLDistributionPoints)
	}

	checkCRL(dir, "issuing", issuing, map[string]int{
		leaves["hold"].SerialNumber.Text(16):    reasonCertificateHold,
		leaves["revoked"].SerialNumber.Text(16): reasonKeyCompromise,
	}, []*big.Int{leaves["active"].SerialNumber})
	checkCRL(dir, "root", root, map[string]int{}, []*big.Int{issuing.SerialNumber})

	checkOCSP(dir, "active", leaves["active"], issuing, roots, "good", 0)
	checkOCSP(dir, "hold", leaves["hold"], issuing, roots, "revoked", reasonCertificateHold)
	checkOCSP(dir, "revoked", leaves["revoked"], issuing, roots, "revoked", reasonKeyCompromise)
	if failed {
		os.Exit(1)
	}
}

package mde2

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
)

// A renewal request (RequestTypeRenew) carries the new PKCS#10 request
// inside a PKCS#7 (CMS) SignedData signed with the key of the certificate
// being renewed. This file reads and writes the subset of SignedData that
// this takes: id-data content, one signer, the signer's certificate
// included, with or without signed attributes.

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
)

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContent     contentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

type signerInfo struct {
	Version     int
	SID         asn1.RawValue
	DigestAlg   pkix.AlgorithmIdentifier
	SignedAttrs asn1.RawValue `asn1:"optional,tag:0"`
	SigAlg      pkix.AlgorithmIdentifier
	Signature   []byte
	Unsigned    asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial asn1.RawValue
}

// p7Err returns an error matching ErrPKCS7; an error of this package
// among args (a request's signature that does not verify: ErrCSR) is
// written without its "mde2: ", so the message says it once.
func p7Err(format string, args ...any) error {
	return pkg.Errorf("%w: "+format, append([]any{ErrPKCS7}, args...)...)
}

// RenewalRequest is a verified PKCS#7 renewal token.
type RenewalRequest struct {
	CSR    *CertificateRequest // the new request, verified
	Signer *x509.Certificate   // the certificate whose key signed it
}

// ParseRenewalRequest reads a PKCS#7 SignedData holding a PKCS#10
// request, verifies the signature with the signer's certificate (taken
// from the SignedData) and the inner request's own signature. It does not
// decide whether the signer may renew: the server checks that the signer
// is a certificate it issued and the one the client authenticated with.
// Errors match ErrPKCS7 or ErrCSR. RSA keys above DefaultMaxRSAKeyBits
// are refused unverified.
func ParseRenewalRequest(der []byte) (*RenewalRequest, error) {
	return ParseRenewalRequestLimits(der, Limits{})
}

// ParseRenewalRequestLimits is ParseRenewalRequest with an explicit bound
// on RSA keys (Limits.MaxRSAKeyBits, for the signer's key and the inner
// request's; the other fields do not apply).
func ParseRenewalRequestLimits(der []byte, lim Limits) (*RenewalRequest, error) {
	lim = lim.withDefaults()
	var ci contentInfo
	if rest, err := asn1.Unmarshal(der, &ci); err != nil || len(rest) != 0 {
		return nil, p7Err("not a ContentInfo: %v", err)
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, p7Err("content type %v is not SignedData", ci.ContentType)
	}
	var sd signedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) != 0 {
		return nil, p7Err("SignedData: %v", err)
	}
	if !sd.EncapContent.ContentType.Equal(oidData) {
		return nil, p7Err("encapsulated content type %v is not data", sd.EncapContent.ContentType)
	}
	var content []byte
	if rest, err := asn1.Unmarshal(sd.EncapContent.Content.Bytes, &content); err != nil || len(rest) != 0 {
		return nil, p7Err("encapsulated content is not an OCTET STRING: %v", err)
	}
	var certs []*x509.Certificate
	for b := sd.Certificates.Bytes; len(b) > 0; {
		var raw asn1.RawValue
		var err error
		if b, err = asn1.Unmarshal(b, &raw); err != nil {
			return nil, p7Err("certificates: %v", err)
		}
		c, err := x509.ParseCertificate(raw.FullBytes)
		if err != nil {
			return nil, p7Err("certificate: %v", err)
		}
		certs = append(certs, c)
	}
	var si signerInfo
	if rest, err := asn1.Unmarshal(sd.SignerInfos.Bytes, &si); err != nil || len(rest) != 0 {
		return nil, p7Err("want exactly one SignerInfo: %v", err)
	}
	signer, err := findSigner(certs, si.SID)
	if err != nil {
		return nil, err
	}
	hash, err := hashOf(si.DigestAlg.Algorithm)
	if err != nil {
		return nil, err
	}
	signed := content
	if len(si.SignedAttrs.FullBytes) != 0 {
		if err := checkMessageDigest(si.SignedAttrs.Bytes, hash, content); err != nil {
			return nil, err
		}
		// The signature covers the attributes encoded as a SET.
		signed = append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
	}
	alg, err := signatureAlg(si.SigAlg, hash, signer.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := verifySignature(signer.PublicKey, alg, signed, si.Signature, lim.MaxRSAKeyBits); err != nil {
		return nil, p7Err("signature: %v", err)
	}
	csr, err := ParseCertificateRequestLimits(content, lim)
	if err != nil {
		return nil, err
	}
	return &RenewalRequest{CSR: csr, Signer: signer}, nil
}

func findSigner(certs []*x509.Certificate, sid asn1.RawValue) (*x509.Certificate, error) {
	var ias issuerAndSerial
	if sid.Class == asn1.ClassUniversal && sid.Tag == asn1.TagSequence {
		if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil {
			return nil, p7Err("signer identifier: %v", err)
		}
		for _, c := range certs {
			if bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) && bytes.Equal(c.SerialNumber.Bytes(), trimSerial(ias.Serial.Bytes)) {
				return c, nil
			}
		}
	} else if sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 {
		for _, c := range certs {
			if bytes.Equal(c.SubjectKeyId, sid.Bytes) {
				return c, nil
			}
		}
	}
	return nil, p7Err("the signer's certificate is not in the SignedData")
}

func trimSerial(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func hashOf(o asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case o.Equal(oidSHA1):
		return crypto.SHA1, nil
	case o.Equal(oidSHA256):
		return crypto.SHA256, nil
	case o.Equal(oidSHA384):
		return crypto.SHA384, nil
	case o.Equal(oidSHA512):
		return crypto.SHA512, nil
	}
	return 0, p7Err("digest algorithm %v not supported", o)
}

// signatureAlg maps a SignerInfo's signature algorithm, which may name the
// key type only (rsaEncryption, id-ecPublicKey), to a signature algorithm.
func signatureAlg(a pkix.AlgorithmIdentifier, hash crypto.Hash, pub crypto.PublicKey) (pkix.AlgorithmIdentifier, error) {
	if !a.Algorithm.Equal(oidRSAEncryption) && !a.Algorithm.Equal(oidECPublicKey) {
		return a, nil
	}
	var out pkix.AlgorithmIdentifier
	_, isRSA := pub.(*rsa.PublicKey)
	switch {
	case isRSA && hash == crypto.SHA1:
		out.Algorithm = oidSHA1WithRSA
	case isRSA && hash == crypto.SHA256:
		out.Algorithm = oidSHA256WithRSA
	case isRSA && hash == crypto.SHA384:
		out.Algorithm = oidSHA384WithRSA
	case isRSA && hash == crypto.SHA512:
		out.Algorithm = oidSHA512WithRSA
	case !isRSA && hash == crypto.SHA1:
		out.Algorithm = oidECDSAWithSHA1
	case !isRSA && hash == crypto.SHA256:
		out.Algorithm = oidECDSAWithSHA256
	case !isRSA && hash == crypto.SHA384:
		out.Algorithm = oidECDSAWithSHA384
	case !isRSA && hash == crypto.SHA512:
		out.Algorithm = oidECDSAWithSHA512
	default:
		return out, p7Err("signature algorithm %v with %v", a.Algorithm, hash)
	}
	return out, nil
}

func checkMessageDigest(attrs []byte, hash crypto.Hash, content []byte) error {
	h := hash.New()
	h.Write(content)
	want := h.Sum(nil)
	for len(attrs) > 0 {
		var a struct {
			Type   asn1.ObjectIdentifier
			Values asn1.RawValue
		}
		var err error
		if attrs, err = asn1.Unmarshal(attrs, &a); err != nil {
			return p7Err("signed attributes: %v", err)
		}
		if !a.Type.Equal(oidMessageDigest) {
			continue
		}
		var got []byte
		if _, err := asn1.Unmarshal(a.Values.Bytes, &got); err != nil {
			return p7Err("messageDigest: %v", err)
		}
		if !bytes.Equal(got, want) {
			return p7Err("messageDigest does not match the content")
		}
		return nil
	}
	return p7Err("signed attributes without messageDigest")
}

// BuildRenewalRequest wraps a DER PKCS#10 request in a PKCS#7 SignedData
// signed (SHA-256, no signed attributes) with key, the private key of
// cert, which is included. rnd may be nil for crypto/rand. Errors match
// ErrPKCS7: a missing certificate or key, a certificate not read from
// its encoding (Raw empty), a key whose public key is not the
// certificate's, a key neither RSA nor ECDSA, a certificate without a
// serial number, and the key's own failure to sign, which the error wraps.
func BuildRenewalRequest(csrDER []byte, cert *x509.Certificate, key crypto.Signer, rnd io.Reader) ([]byte, error) {
	if cert == nil || key == nil {
		return nil, p7Err("a renewal needs the certificate and its key")
	}
	// The token names the certificate by its issuer and serial number
	// and carries it as encoded: one built by hand (no Raw) cannot be
	// found in it (and a key that is not the certificate's, below, signs
	// what the certificate's key does not verify): a server refuses both.
	if len(cert.Raw) == 0 || len(cert.RawIssuer) == 0 {
		return nil, p7Err("the certificate has no encoding (Raw or RawIssuer empty): it must be one x509.ParseCertificate returned")
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	serial, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		return nil, p7Err("the certificate's serial number: %w", err)
	}
	h := crypto.SHA256.New()
	h.Write(csrDER)
	digest := h.Sum(nil)
	var sigAlg pkix.AlgorithmIdentifier
	switch key.Public().(type) {
	case *rsa.PublicKey:
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidRSAEncryption, Parameters: asn1.NullRawValue}
	case *ecdsa.PublicKey:
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}
	default:
		return nil, p7Err("key type %T not supported", key.Public())
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return nil, p7Err("the key is not the certificate's (its public key differs)")
	}
	sig, err := key.Sign(rnd, digest, crypto.SHA256)
	if err != nil {
		return nil, p7Err("signing: %w", err)
	}
	sha256Alg := pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}
	sid, err := asn1.Marshal(issuerAndSerial{Issuer: asn1.RawValue{FullBytes: cert.RawIssuer}, Serial: asn1.RawValue{FullBytes: serial}})
	if err != nil {
		return nil, err
	}
	si, err := asn1.Marshal(signerInfo{Version: 1, SID: asn1.RawValue{FullBytes: sid}, DigestAlg: sha256Alg, SigAlg: sigAlg, Signature: sig})
	if err != nil {
		return nil, err
	}
	algs, err := asn1.Marshal(sha256Alg)
	if err != nil {
		return nil, err
	}
	octets, err := asn1.Marshal(csrDER)
	if err != nil {
		return nil, err
	}
	sd, err := asn1.Marshal(signedData{
		Version:          1,
		DigestAlgorithms: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: algs},
		EncapContent:     contentInfo{ContentType: oidData, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: octets}},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: cert.Raw},
		SignerInfos:      asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: si},
	})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(contentInfo{ContentType: oidSignedData, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sd}})
}

package mde2

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	_ "crypto/sha1" // hashes the signature algorithms name
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// CertificateRequest is a PKCS#10 request read tolerantly: the subject's
// strings are taken as sent, whatever their ASN.1 string type claims
// (Windows writes a PrintableString holding '!' and a trailing NUL, which
// crypto/x509.ParseCertificateRequest refuses), while the structure and
// the signature are checked.
type CertificateRequest struct {
	Raw                []byte // the whole request, DER
	RawInfo            []byte // the CertificationRequestInfo that is signed
	RawSubject         []byte // the subject Name, DER
	Subject            pkix.Name
	PublicKey          crypto.PublicKey
	PublicKeyAlgorithm x509.PublicKeyAlgorithm
	SignatureAlgorithm asn1.ObjectIdentifier
	Signature          []byte
	Attributes         []CSRAttribute   // every attribute, raw
	Extensions         []pkix.Extension // from the extensionRequest attribute
}

// CSRAttribute is one attribute of a request: its type and the DER of each
// value.
type CSRAttribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// CommonName returns the subject's common name without the trailing NUL
// characters Windows adds.
func (r *CertificateRequest) CommonName() string {
	return strings.TrimRight(r.Subject.CommonName, "\x00")
}

var (
	oidExtensionRequest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14}

	oidSHA1WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidRSAPSS          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidECDSAWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidSHA1            = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512          = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidMGF1            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
)

type csrOuter struct {
	Info   asn1.RawValue
	SigAlg pkix.AlgorithmIdentifier
	Sig    asn1.BitString
}

type csrInfo struct {
	Version int
	Subject asn1.RawValue
	PKI     asn1.RawValue
	Attrs   asn1.RawValue `asn1:"optional,tag:0"`
}

// csrErr returns an error matching ErrCSR; an error of this package
// among args is written without its "mde2: ", so the message says it
// once.
func csrErr(format string, args ...any) error {
	return pkg.Errorf("%w: "+format, append([]any{ErrCSR}, args...)...)
}

// ParseCertificateRequest reads a DER PKCS#10 request and verifies its
// signature over the raw CertificationRequestInfo (RSA PKCS#1 v1.5, RSA
// PSS, ECDSA, Ed25519). An RSA key above DefaultMaxRSAKeyBits (16384
// bits) is refused unverified. Errors match ErrCSR.
func ParseCertificateRequest(der []byte) (*CertificateRequest, error) {
	return ParseCertificateRequestLimits(der, Limits{})
}

// ParseCertificateRequestLimits is ParseCertificateRequest with an
// explicit bound on RSA keys (Limits.MaxRSAKeyBits; the other fields do
// not apply).
func ParseCertificateRequestLimits(der []byte, lim Limits) (*CertificateRequest, error) {
	lim = lim.withDefaults()
	var out csrOuter
	rest, err := asn1.Unmarshal(der, &out)
	if err != nil {
		return nil, csrErr("%v", err)
	}
	if len(rest) != 0 {
		return nil, csrErr("%d bytes after the request", len(rest))
	}
	var info csrInfo
	if rest, err := asn1.Unmarshal(out.Info.FullBytes, &info); err != nil || len(rest) != 0 {
		return nil, csrErr("request info: %v", err)
	}
	if info.Version != 0 {
		return nil, csrErr("version %d, want 0", info.Version)
	}
	r := &CertificateRequest{
		Raw:                der,
		RawInfo:            out.Info.FullBytes,
		RawSubject:         info.Subject.FullBytes,
		SignatureAlgorithm: out.SigAlg.Algorithm,
		Signature:          out.Sig.RightAlign(),
	}
	if r.Subject, err = parseNameTolerant(info.Subject.FullBytes); err != nil {
		return nil, err
	}
	if r.PublicKey, err = x509.ParsePKIXPublicKey(info.PKI.FullBytes); err != nil {
		return nil, csrErr("public key: %v", err)
	}
	switch r.PublicKey.(type) {
	case *rsa.PublicKey:
		r.PublicKeyAlgorithm = x509.RSA
	case *ecdsa.PublicKey:
		r.PublicKeyAlgorithm = x509.ECDSA
	case ed25519.PublicKey:
		r.PublicKeyAlgorithm = x509.Ed25519
	}
	if len(info.Attrs.FullBytes) != 0 {
		if err := r.parseAttributes(info.Attrs.Bytes); err != nil {
			return nil, err
		}
	}
	if err := verifySignature(r.PublicKey, out.SigAlg, r.RawInfo, r.Signature, lim.MaxRSAKeyBits); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *CertificateRequest) parseAttributes(b []byte) error {
	for len(b) > 0 {
		var a struct {
			Type   asn1.ObjectIdentifier
			Values asn1.RawValue
		}
		var err error
		if b, err = asn1.Unmarshal(b, &a); err != nil {
			return csrErr("attribute: %v", err)
		}
		if a.Values.Tag != asn1.TagSet || !a.Values.IsCompound {
			return csrErr("attribute %v: values are not a SET", a.Type)
		}
		attr := CSRAttribute{Type: a.Type}
		vals := a.Values.Bytes
		for len(vals) > 0 {
			var v asn1.RawValue
			if vals, err = asn1.Unmarshal(vals, &v); err != nil {
				return csrErr("attribute %v: %v", a.Type, err)
			}
			attr.Values = append(attr.Values, v.FullBytes)
		}
		r.Attributes = append(r.Attributes, attr)
		if a.Type.Equal(oidExtensionRequest) {
			for _, v := range attr.Values {
				var exts []pkix.Extension
				if rest, err := asn1.Unmarshal(v, &exts); err != nil || len(rest) != 0 {
					return csrErr("extensionRequest: %v", err)
				}
				r.Extensions = append(r.Extensions, exts...)
			}
		}
	}
	return nil
}

// parseNameTolerant reads an X.501 Name, taking every string value as
// sent: PrintableString, IA5String and T61String bytes are kept (they
// must be valid UTF-8), BMPString and UniversalString are decoded.
func parseNameTolerant(der []byte) (pkix.Name, error) {
	var name pkix.Name
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) != 0 || seq.Tag != asn1.TagSequence {
		return name, csrErr("subject is not a SEQUENCE")
	}
	var rdns pkix.RDNSequence
	b := seq.Bytes
	for len(b) > 0 {
		var set asn1.RawValue
		var err error
		if b, err = asn1.Unmarshal(b, &set); err != nil || set.Tag != asn1.TagSet {
			return name, csrErr("subject: RDN is not a SET")
		}
		var rdn pkix.RelativeDistinguishedNameSET
		s := set.Bytes
		for len(s) > 0 {
			var atv struct {
				Type  asn1.ObjectIdentifier
				Value asn1.RawValue
			}
			if s, err = asn1.Unmarshal(s, &atv); err != nil {
				return name, csrErr("subject attribute: %v", err)
			}
			v, err := tolerantString(atv.Value)
			if err != nil {
				return name, csrErr("subject attribute %v: %v", atv.Type, err)
			}
			rdn = append(rdn, pkix.AttributeTypeAndValue{Type: atv.Type, Value: v})
		}
		rdns = append(rdns, rdn)
	}
	name.FillFromRDNSequence(&rdns)
	return name, nil
}

func tolerantString(v asn1.RawValue) (string, error) {
	if v.Class != asn1.ClassUniversal {
		return "", errors.New("value is not a string")
	}
	switch v.Tag {
	case asn1.TagPrintableString, asn1.TagIA5String, asn1.TagT61String, asn1.TagUTF8String, asn1.TagNumericString:
		if !utf8.Valid(v.Bytes) {
			return "", errors.New("string is not valid UTF-8")
		}
		return string(v.Bytes), nil
	case asn1.TagBMPString:
		if len(v.Bytes)%2 != 0 {
			return "", errors.New("BMPString of odd length")
		}
		u := make([]uint16, len(v.Bytes)/2)
		for i := range u {
			u[i] = uint16(v.Bytes[2*i])<<8 | uint16(v.Bytes[2*i+1])
		}
		return string(utf16.Decode(u)), nil
	case 28: // UniversalString
		if len(v.Bytes)%4 != 0 {
			return "", errors.New("UniversalString of bad length")
		}
		var sb strings.Builder
		for i := 0; i < len(v.Bytes); i += 4 {
			sb.WriteRune(rune(uint32(v.Bytes[i])<<24 | uint32(v.Bytes[i+1])<<16 | uint32(v.Bytes[i+2])<<8 | uint32(v.Bytes[i+3])))
		}
		return sb.String(), nil
	}
	return "", fmt.Errorf("ASN.1 tag %d is not a string", v.Tag)
}

// verifySignature checks sig over signed with pub under alg; an RSA key
// above maxRSABits is refused before any arithmetic.
func verifySignature(pub crypto.PublicKey, alg pkix.AlgorithmIdentifier, signed, sig []byte, maxRSABits int) error {
	var hash crypto.Hash
	var pss *rsa.PSSOptions
	switch {
	case alg.Algorithm.Equal(oidSHA1WithRSA), alg.Algorithm.Equal(oidECDSAWithSHA1):
		hash = crypto.SHA1
	case alg.Algorithm.Equal(oidSHA256WithRSA), alg.Algorithm.Equal(oidECDSAWithSHA256):
		hash = crypto.SHA256
	case alg.Algorithm.Equal(oidSHA384WithRSA), alg.Algorithm.Equal(oidECDSAWithSHA384):
		hash = crypto.SHA384
	case alg.Algorithm.Equal(oidSHA512WithRSA), alg.Algorithm.Equal(oidECDSAWithSHA512):
		hash = crypto.SHA512
	case alg.Algorithm.Equal(oidRSAPSS):
		h, salt, err := pssParams(alg.Parameters.FullBytes)
		if err != nil {
			return err
		}
		hash, pss = h, &rsa.PSSOptions{SaltLength: salt, Hash: h}
	case alg.Algorithm.Equal(oidEd25519):
		k, ok := pub.(ed25519.PublicKey)
		if !ok || !ed25519.Verify(k, signed, sig) {
			return csrErr("Ed25519 signature does not verify")
		}
		return nil
	default:
		return csrErr("unsupported signature algorithm %v", alg.Algorithm)
	}
	if k, ok := pub.(*rsa.PublicKey); ok && k.N.BitLen() > maxRSABits {
		// Checking costs the square of the size: refuse before any
		// arithmetic.
		return csrErr("RSA key of %d bits, more than MaxRSAKeyBits (%d)", k.N.BitLen(), maxRSABits)
	}
	h := hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if isECDSAAlg(alg.Algorithm) {
			return csrErr("ECDSA signature with an RSA key")
		}
		var err error
		if pss != nil {
			err = rsa.VerifyPSS(k, hash, digest, sig, pss)
		} else {
			err = rsa.VerifyPKCS1v15(k, hash, digest, sig)
		}
		if err != nil {
			return csrErr("RSA signature does not verify")
		}
	case *ecdsa.PublicKey:
		if !isECDSAAlg(alg.Algorithm) {
			return csrErr("RSA signature with an ECDSA key")
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return csrErr("ECDSA signature does not verify")
		}
	default:
		return csrErr("unsupported public key %T", pub)
	}
	return nil
}

func isECDSAAlg(o asn1.ObjectIdentifier) bool {
	return o.Equal(oidECDSAWithSHA1) || o.Equal(oidECDSAWithSHA256) || o.Equal(oidECDSAWithSHA384) || o.Equal(oidECDSAWithSHA512)
}

// pssParams reads RSASSA-PSS-params: the hash (SHA-256/384/512, with MGF1
// of the same hash) and the salt length.
func pssParams(der []byte) (crypto.Hash, int, error) {
	var p struct {
		Hash    pkix.AlgorithmIdentifier `asn1:"explicit,tag:0,optional"`
		MGF     pkix.AlgorithmIdentifier `asn1:"explicit,tag:1,optional"`
		Salt    int                      `asn1:"explicit,tag:2,optional,default:20"`
		Trailer int                      `asn1:"explicit,tag:3,optional,default:1"`
	}
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) != 0 {
		return 0, 0, csrErr("RSA-PSS parameters: %v", err)
	}
	var h crypto.Hash
	switch {
	case p.Hash.Algorithm.Equal(oidSHA256):
		h = crypto.SHA256
	case p.Hash.Algorithm.Equal(oidSHA384):
		h = crypto.SHA384
	case p.Hash.Algorithm.Equal(oidSHA512):
		h = crypto.SHA512
	default:
		return 0, 0, csrErr("RSA-PSS hash %v not supported", p.Hash.Algorithm)
	}
	var mgfHash pkix.AlgorithmIdentifier
	if !p.MGF.Algorithm.Equal(oidMGF1) {
		return 0, 0, csrErr("RSA-PSS mask generation %v not supported", p.MGF.Algorithm)
	}
	if _, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &mgfHash); err != nil || !mgfHash.Algorithm.Equal(p.Hash.Algorithm) {
		return 0, 0, csrErr("RSA-PSS MGF1 hash differs from the hash")
	}
	if p.Salt < 0 || p.Trailer != 1 {
		return 0, 0, csrErr("RSA-PSS salt %d trailer %d", p.Salt, p.Trailer)
	}
	return h, p.Salt, nil
}

package fuzz

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/discovery/mde2"
)

// This file builds the seeds of FuzzEnrollCSR and FuzzEnrollRenewal:
// valid PKCS#10 requests and PKCS#7 renewal tokens of every kind the
// readers take (key types, hashes, string types of the subject,
// attributes, signer identifiers, signed attributes) and near-valid
// variants of them, each one step from valid, so that the fuzzer starts
// past the first refusal of every branch.

// seedKeys are the signing keys of the seeds, made once per process.
type seedKeys struct {
	p256, p384, p521 *ecdsa.PrivateKey
	rsa              *rsa.PrivateKey
	ed               ed25519.PrivateKey
}

var mde2SeedKeys = sync.OnceValues(func() (*seedKeys, error) {
	var k seedKeys
	var err error
	if k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if k.p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
		return nil, err
	}
	if k.p521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader); err != nil {
		return nil, err
	}
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, err
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		return nil, err
	}
	return &k, nil
})

// Object identifiers the hand-built seeds name.
var (
	seedOIDCN           = asn1.ObjectIdentifier{2, 5, 4, 3}
	seedOIDO            = asn1.ObjectIdentifier{2, 5, 4, 10}
	seedOIDExtRequest   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 14}
	seedOIDChallenge    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 7}
	seedOIDSHA1RSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	seedOIDSHA256RSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	seedOIDSHA384RSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	seedOIDSHA512RSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	seedOIDRSAPSS       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	seedOIDMGF1         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	seedOIDRSA          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	seedOIDECDSASHA1    = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	seedOIDECDSASHA256  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	seedOIDECDSASHA384  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	seedOIDECDSASHA512  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	seedOIDECPublicKey  = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	seedOIDEd25519      = asn1.ObjectIdentifier{1, 3, 101, 112}
	seedOIDSHA1         = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	seedOIDSHA256       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	seedOIDSHA384       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	seedOIDSHA512       = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	seedOIDData         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	seedOIDSignedData   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	seedOIDContentType  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	seedOIDMsgDigest    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	seedOIDSubjectKeyID = asn1.ObjectIdentifier{2, 5, 29, 14}
)

// der marshals v, failing the seeding on error.
func der(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// tlv writes one DER element of the given class, tag and content.
func tlv(tb testing.TB, class, tag int, compound bool, content []byte) []byte {
	return der(tb, asn1.RawValue{Class: class, Tag: tag, IsCompound: compound, Bytes: content})
}

func seqOf(tb testing.TB, parts ...[]byte) []byte {
	return tlv(tb, asn1.ClassUniversal, asn1.TagSequence, true, concat(parts...))
}

func setOf(tb testing.TB, parts ...[]byte) []byte {
	return tlv(tb, asn1.ClassUniversal, asn1.TagSet, true, concat(parts...))
}

func concat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// name builds a Name of one RDN per value, each a common name of the
// given ASN.1 string tag and raw content, then an organization as a
// UTF8String.
func name(tb testing.TB, tag int, content []byte) []byte {
	cn := seqOf(tb, der(tb, seedOIDCN), tlv(tb, asn1.ClassUniversal, tag, false, content))
	o := seqOf(tb, der(tb, seedOIDO), tlv(tb, asn1.ClassUniversal, asn1.TagUTF8String, false, []byte("windc")))
	return seqOf(tb, setOf(tb, cn), setOf(tb, o))
}

// signWith signs msg with key under the hash h (the message is hashed
// here; Ed25519 signs it whole). pss selects RSA-PSS with a salt as long
// as the hash.
func signWith(tb testing.TB, key crypto.Signer, h crypto.Hash, pss bool, msg []byte) []byte {
	tb.Helper()
	var digest []byte
	var opts crypto.SignerOpts = h
	if _, ok := key.(ed25519.PrivateKey); ok {
		digest, opts = msg, crypto.Hash(0)
	} else {
		hh := h.New()
		hh.Write(msg)
		digest = hh.Sum(nil)
	}
	if pss {
		opts = &rsa.PSSOptions{Hash: h, SaltLength: rsa.PSSSaltLengthEqualsHash}
	}
	sig, err := key.Sign(rand.Reader, digest, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return sig
}

// csrParts are the pieces of a hand-built PKCS#10 request.
type csrParts struct {
	version int
	subject []byte // Name DER
	key     crypto.Signer
	attrs   []byte // content of the [0] attributes, nil for none
	alg     []byte // AlgorithmIdentifier DER
	hash    crypto.Hash
	pss     bool
	trailer []byte // appended after the request
	flip    bool   // flip a bit of the signature
}

// build assembles and signs the request.
func (p csrParts) build(tb testing.TB) []byte {
	tb.Helper()
	spki, err := x509.MarshalPKIXPublicKey(p.key.Public())
	if err != nil {
		tb.Fatal(err)
	}
	info := concat(der(tb, p.version), p.subject, spki)
	if p.attrs != nil {
		info = append(info, tlv(tb, asn1.ClassContextSpecific, 0, true, p.attrs)...)
	}
	infoDER := seqOf(tb, info)
	sig := signWith(tb, p.key, p.hash, p.pss, infoDER)
	if p.flip {
		sig[len(sig)/2] ^= 0x10
	}
	out := seqOf(tb, infoDER, p.alg, der(tb, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}))
	return append(out, p.trailer...)
}

func algID(tb testing.TB, oid asn1.ObjectIdentifier, params ...[]byte) []byte {
	return seqOf(tb, append([][]byte{der(tb, oid)}, params...)...)
}

// pssAlg is an RSASSA-PSS AlgorithmIdentifier for hash h (hashOID) with
// MGF1 over mgfOID, the given salt length and trailer field.
func pssAlg(tb testing.TB, hashOID, mgfOID asn1.ObjectIdentifier, salt, trailer int) []byte {
	null := []byte{5, 0}
	params := seqOf(tb,
		tlv(tb, asn1.ClassContextSpecific, 0, true, algID(tb, hashOID, null)),
		tlv(tb, asn1.ClassContextSpecific, 1, true, algID(tb, seedOIDMGF1, algID(tb, mgfOID, null))),
		tlv(tb, asn1.ClassContextSpecific, 2, true, der(tb, salt)),
		tlv(tb, asn1.ClassContextSpecific, 3, true, der(tb, trailer)),
	)
	return algID(tb, seedOIDRSAPSS, params)
}

// attribute is one CSR attribute: a type and a SET of values.
func attribute(tb testing.TB, oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	return seqOf(tb, der(tb, oid), setOf(tb, values...))
}

// csrSeeds returns valid requests and near-valid variants, which the
// reader refuses.
func csrSeeds(tb testing.TB) (valid, near [][]byte) {
	tb.Helper()
	k, err := mde2SeedKeys()
	if err != nil {
		tb.Fatal(err)
	}
	// made by crypto/x509, every key type and hash it writes
	tmpl := &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "B1C43CD0-1624-5FBB-8E54-34CF17DFD3A1", Organization: []string{"windc"},
			OrganizationalUnit: []string{"fuzz"}, Country: []string{"DE"}, SerialNumber: "42"},
		DNSNames:       []string{"device.example"},
		EmailAddresses: []string{"user@example.com"},
		IPAddresses:    []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	for _, c := range []struct {
		key crypto.Signer
		alg x509.SignatureAlgorithm
	}{
		{k.p256, x509.ECDSAWithSHA256}, {k.p384, x509.ECDSAWithSHA384}, {k.p521, x509.ECDSAWithSHA512},
		{k.rsa, x509.SHA256WithRSA}, {k.rsa, x509.SHA384WithRSA}, {k.rsa, x509.SHA512WithRSA},
		{k.rsa, x509.SHA256WithRSAPSS}, {k.rsa, x509.SHA384WithRSAPSS}, {k.rsa, x509.SHA512WithRSAPSS},
		{k.ed, x509.PureEd25519},
	} {
		t := *tmpl
		t.SignatureAlgorithm = c.alg
		b, err := x509.CreateCertificateRequest(rand.Reader, &t, c.key)
		if err != nil {
			tb.Fatalf("%v: %v", c.alg, err)
		}
		valid = append(valid, b)
	}
	bare, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, k.p256)
	if err != nil {
		tb.Fatal(err)
	}
	valid = append(valid, bare)

	// hand-built: the subject's string types, Windows' PrintableString with
	// '!' and a trailing NUL, attributes, SHA-1
	null := []byte{5, 0}
	ext := der(tb, []pkix.Extension{{Id: seedOIDSubjectKeyID, Value: der(tb, []byte{1, 2, 3})}})
	attrs := concat(
		attribute(tb, seedOIDChallenge, tlv(tb, asn1.ClassUniversal, asn1.TagPrintableString, false, []byte("secret"))),
		attribute(tb, seedOIDExtRequest, ext),
		attribute(tb, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 13, 2, 3}, tlv(tb, asn1.ClassUniversal, asn1.TagIA5String, false, []byte("10.0.26100.2"))),
	)
	bmp := []byte{0, 'd', 0, 'e', 0, 'v', 0xd8, 0x3d, 0xde, 0x00} // "dev" and a surrogate pair
	universal := []byte{0, 0, 0, 'd', 0, 0, 0, 'v', 0, 1, 0xf6, 0}
	ec := algID(tb, seedOIDECDSASHA256)
	base := csrParts{subject: name(tb, asn1.TagPrintableString, []byte("B1C43CD0!\x00")), key: k.p256, attrs: attrs, alg: ec, hash: crypto.SHA256}
	good := []csrParts{base}
	for _, s := range []struct {
		tag     int
		content []byte
	}{
		{asn1.TagBMPString, bmp}, {28, universal}, {asn1.TagT61String, []byte("t61")},
		{asn1.TagIA5String, []byte("ia5@x")}, {asn1.TagNumericString, []byte("123")}, {asn1.TagUTF8String, []byte("ütf")},
	} {
		p := base
		p.subject = name(tb, s.tag, s.content)
		good = append(good, p)
	}
	for _, c := range []struct {
		key  crypto.Signer
		oid  asn1.ObjectIdentifier
		hash crypto.Hash
	}{
		{k.p256, seedOIDECDSASHA1, crypto.SHA1}, {k.p384, seedOIDECDSASHA384, crypto.SHA384},
		{k.p521, seedOIDECDSASHA512, crypto.SHA512}, {k.rsa, seedOIDSHA1RSA, crypto.SHA1},
		{k.rsa, seedOIDSHA256RSA, crypto.SHA256}, {k.rsa, seedOIDSHA384RSA, crypto.SHA384},
		{k.rsa, seedOIDSHA512RSA, crypto.SHA512},
	} {
		p := base
		p.key, p.hash = c.key, c.hash
		if c.key == k.rsa {
			p.alg = algID(tb, c.oid, null)
		} else {
			p.alg = algID(tb, c.oid)
		}
		good = append(good, p)
	}
	ed := base
	ed.key, ed.alg = k.ed, algID(tb, seedOIDEd25519)
	good = append(good, ed)
	for _, h := range []struct {
		hash crypto.Hash
		oid  asn1.ObjectIdentifier
	}{{crypto.SHA256, seedOIDSHA256}, {crypto.SHA384, seedOIDSHA384}, {crypto.SHA512, seedOIDSHA512}} {
		p := base
		p.key, p.hash, p.pss = k.rsa, h.hash, true
		p.alg = pssAlg(tb, h.oid, h.oid, h.hash.Size(), 1)
		good = append(good, p)
	}
	noAttrs := base
	noAttrs.attrs = nil
	emptyAttrs := base
	emptyAttrs.attrs = []byte{}
	good = append(good, noAttrs, emptyAttrs)
	for _, p := range good {
		valid = append(valid, p.build(tb))
	}

	// near-valid: one thing wrong each
	pss := base
	pss.key, pss.hash, pss.pss = k.rsa, crypto.SHA256, true
	var bad []csrParts
	add := func(p csrParts, change func(*csrParts)) {
		change(&p)
		bad = append(bad, p)
	}
	add(base, func(p *csrParts) { p.flip = true })
	add(base, func(p *csrParts) { p.version = 1 })
	add(base, func(p *csrParts) { p.trailer = []byte{0} })
	add(base, func(p *csrParts) { p.alg = algID(tb, seedOIDSHA256RSA, null) })                                // RSA algorithm, ECDSA key
	add(base, func(p *csrParts) { p.key, p.alg = k.rsa, ec })                                                 // ECDSA algorithm, RSA key
	add(base, func(p *csrParts) { p.alg = algID(tb, asn1.ObjectIdentifier{1, 2, 3, 4}) })                     // unknown algorithm
	add(base, func(p *csrParts) { p.key, p.alg = k.p256, algID(tb, seedOIDEd25519) })                         // Ed25519 algorithm, ECDSA key
	add(base, func(p *csrParts) { p.subject = name(tb, asn1.TagBMPString, []byte{0, 'a', 0}) })               // odd BMPString
	add(base, func(p *csrParts) { p.subject = name(tb, 28, []byte{0, 0, 'a'}) })                              // short UniversalString
	add(base, func(p *csrParts) { p.subject = name(tb, asn1.TagInteger, []byte{1}) })                         // not a string
	add(base, func(p *csrParts) { p.subject = name(tb, asn1.TagUTF8String, []byte{0xff}) })                   // not UTF-8
	add(base, func(p *csrParts) { p.subject = setOf(tb) })                                                    // Name not a SEQUENCE
	add(base, func(p *csrParts) { p.subject = seqOf(tb, seqOf(tb)) })                                         // RDN not a SET
	add(base, func(p *csrParts) { p.subject = seqOf(tb, setOf(tb, der(tb, 1))) })                             // RDN of a non-sequence
	add(base, func(p *csrParts) { p.attrs = seqOf(tb, der(tb, seedOIDChallenge), seqOf(tb)) })                // values not a SET
	add(base, func(p *csrParts) { p.attrs = []byte{0x30, 0x03, 0x06, 0x01} })                                 // truncated attribute
	add(base, func(p *csrParts) { p.attrs = attribute(tb, seedOIDExtRequest, der(tb, 5)) })                   // extensionRequest not extensions
	add(base, func(p *csrParts) { p.attrs = seqOf(tb, der(tb, seedOIDChallenge), []byte{0x31, 0x02, 0x04}) }) // bad value
	add(pss, func(p *csrParts) { p.alg = pssAlg(tb, seedOIDSHA1, seedOIDSHA1, 20, 1) })                       // SHA-1 PSS
	add(pss, func(p *csrParts) { p.alg = pssAlg(tb, seedOIDSHA256, seedOIDSHA384, 32, 1) })                   // MGF1 hash differs
	add(pss, func(p *csrParts) { p.alg = pssAlg(tb, seedOIDSHA256, seedOIDSHA256, 32, 2) })                   // trailer 2
	add(pss, func(p *csrParts) { p.alg = pssAlg(tb, seedOIDSHA256, seedOIDSHA256, 20, 1) })                   // salt not as signed
	add(pss, func(p *csrParts) { p.alg = algID(tb, seedOIDRSAPSS, null) })                                    // parameters not a SEQUENCE
	add(pss, func(p *csrParts) { p.alg = algID(tb, seedOIDRSAPSS, seqOf(tb)) })                               // default (SHA-1) parameters
	for _, p := range bad {
		near = append(near, p.build(tb))
	}
	// a public key crypto/x509 cannot read
	badKey := base.build(tb)
	if i := indexOf(badKey, der(tb, seedOIDECPublicKey)); i >= 0 {
		badKey[i+len(der(tb, seedOIDECPublicKey))-1] ^= 1
		near = append(near, badKey)
	}
	return valid, near
}

// indexOf is bytes.Index, kept here for the seed builders.
func indexOf(b, sub []byte) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}

// seedSigner is a certificate and its key, signing renewal tokens.
type seedSigner struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// newSeedSigner makes a self-signed certificate for key, with a subject
// key identifier.
func newSeedSigner(tb testing.TB, key crypto.Signer, serial int64) seedSigner {
	tb.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "device"},
		NotBefore: time.Unix(1700000000, 0), NotAfter: time.Unix(1900000000, 0),
		SubjectKeyId: []byte{byte(serial), 1, 2, 3},
	}
	b, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		tb.Fatal(err)
	}
	return seedSigner{c, key}
}

// p7Parts are the pieces of a hand-built renewal token.
type p7Parts struct {
	signer      seedSigner
	content     []byte // the inner request
	hash        crypto.Hash
	hashOID     asn1.ObjectIdentifier
	keyAlg      bool     // name the key type (rsaEncryption, id-ecPublicKey), not the signature algorithm
	signedAttrs bool     // sign attributes carrying the content's digest
	digest      []byte   // with signedAttrs: the messageDigest, nil for the right one
	noDigest    bool     // with signedAttrs: leave messageDigest out
	attrs       []byte   // with signedAttrs: the attributes as written, nil for contentType and messageDigest
	bySKI       bool     // name the signer by subject key identifier
	sid         []byte   // the signer identifier as written, nil for the one bySKI says
	certs       [][]byte // certificates, nil for the signer's
	signers     int      // SignerInfos, 0 for one
	encap       asn1.ObjectIdentifier
	encapRaw    []byte // the content of the encapsulated [0] as written, nil for the request as an OCTET STRING
	outer       asn1.ObjectIdentifier
	flip        bool // flip a bit of the signature
}

func (p p7Parts) build(tb testing.TB) []byte {
	tb.Helper()
	null := []byte{5, 0}
	h := p.hash.New()
	h.Write(p.content)
	digest := h.Sum(nil)
	signed := p.content
	var attrsDER []byte // the [0] IMPLICIT SET, or nil
	if p.signedAttrs {
		md := p.digest
		if md == nil {
			md = digest
		}
		set := attribute(tb, seedOIDContentType, der(tb, seedOIDData))
		if !p.noDigest {
			set = append(set, attribute(tb, seedOIDMsgDigest, der(tb, md))...)
		}
		if p.attrs != nil {
			set = p.attrs
		}
		signed = setOf(tb, set)
		attrsDER = tlv(tb, asn1.ClassContextSpecific, 0, true, set)
	}
	_, isRSA := p.signer.key.Public().(*rsa.PublicKey)
	sig := signWith(tb, p.signer.key, p.hash, false, signed)
	if p.flip {
		sig[len(sig)/2] ^= 0x10
	}
	var sigAlg []byte
	switch {
	case p.keyAlg && isRSA:
		sigAlg = algID(tb, seedOIDRSA, null)
	case p.keyAlg:
		sigAlg = algID(tb, seedOIDECPublicKey)
	case isRSA:
		oid := map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA1: seedOIDSHA1RSA, crypto.SHA256: seedOIDSHA256RSA,
			crypto.SHA384: seedOIDSHA384RSA, crypto.SHA512: seedOIDSHA512RSA}[p.hash]
		sigAlg = algID(tb, oid, null)
	default:
		oid := map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA1: seedOIDECDSASHA1, crypto.SHA256: seedOIDECDSASHA256,
			crypto.SHA384: seedOIDECDSASHA384, crypto.SHA512: seedOIDECDSASHA512}[p.hash]
		sigAlg = algID(tb, oid)
	}
	sid := seqOf(tb, p.signer.cert.RawIssuer, der(tb, p.signer.cert.SerialNumber))
	version := 1
	if p.bySKI {
		sid, version = tlv(tb, asn1.ClassContextSpecific, 0, false, p.signer.cert.SubjectKeyId), 3
	}
	if p.sid != nil {
		sid = p.sid
	}
	digestAlg := algID(tb, p.hashOID, null)
	si := seqOf(tb, der(tb, version), sid, digestAlg, attrsDER, sigAlg, der(tb, sig))
	sis := si
	for range p.signers - 1 {
		sis = append(sis, si...)
	}
	certs := p.certs
	if certs == nil {
		certs = [][]byte{p.signer.cert.Raw}
	}
	encap, outer, encapRaw := p.encap, p.outer, p.encapRaw
	if encapRaw == nil {
		encapRaw = der(tb, p.content)
	}
	if encap == nil {
		encap = seedOIDData
	}
	if outer == nil {
		outer = seedOIDSignedData
	}
	sd := seqOf(tb,
		der(tb, version),
		setOf(tb, digestAlg),
		seqOf(tb, der(tb, encap), tlv(tb, asn1.ClassContextSpecific, 0, true, encapRaw)),
		tlv(tb, asn1.ClassContextSpecific, 0, true, concat(certs...)),
		setOf(tb, sis),
	)
	return seqOf(tb, der(tb, outer), tlv(tb, asn1.ClassContextSpecific, 0, true, sd))
}

// renewalSeeds returns valid renewal tokens and near-valid variants,
// which the reader refuses.
func renewalSeeds(tb testing.TB) (valid, near [][]byte) {
	tb.Helper()
	k, err := mde2SeedKeys()
	if err != nil {
		tb.Fatal(err)
	}
	rsaSigner := newSeedSigner(tb, k.rsa, 7)
	ecSigner := newSeedSigner(tb, k.p256, 0x80) // a serial whose DER has a leading zero
	csrs, _ := csrSeeds(tb)
	inner := csrs[0] // ECDSA P-256, made by crypto/x509
	for _, s := range []seedSigner{rsaSigner, ecSigner} {
		for _, c := range [][]byte{inner, csrs[3]} {
			b, err := mde2.BuildRenewalRequest(c, s.cert, s.key, nil)
			if err != nil {
				tb.Fatal(err)
			}
			valid = append(valid, b)
		}
	}
	base := p7Parts{signer: rsaSigner, content: inner, hash: crypto.SHA256, hashOID: seedOIDSHA256, keyAlg: true}
	var good, bad []p7Parts
	add := func(p p7Parts, change func(*p7Parts)) {
		change(&p)
		good = append(good, p)
	}
	for _, s := range []seedSigner{rsaSigner, ecSigner} {
		for _, h := range []struct {
			hash crypto.Hash
			oid  asn1.ObjectIdentifier
		}{{crypto.SHA1, seedOIDSHA1}, {crypto.SHA256, seedOIDSHA256}, {crypto.SHA384, seedOIDSHA384}, {crypto.SHA512, seedOIDSHA512}} {
			for _, keyAlg := range []bool{false, true} {
				add(base, func(p *p7Parts) { p.signer, p.hash, p.hashOID, p.keyAlg = s, h.hash, h.oid, keyAlg })
			}
		}
		add(base, func(p *p7Parts) { p.signer, p.signedAttrs = s, true })
		add(base, func(p *p7Parts) { p.signer, p.bySKI = s, true })
	}
	add(base, func(p *p7Parts) { p.certs = [][]byte{ecSigner.cert.Raw, rsaSigner.cert.Raw} })
	// the serial number written with zeros before it, as some writers pad it
	add(base, func(p *p7Parts) {
		p.sid = seqOf(tb, rsaSigner.cert.RawIssuer, tlv(tb, asn1.ClassUniversal, asn1.TagInteger, false, []byte{0, 0, 7}))
	})
	// near-valid
	add = func(p p7Parts, change func(*p7Parts)) {
		change(&p)
		bad = append(bad, p)
	}
	add(base, func(p *p7Parts) { p.flip = true })
	add(base, func(p *p7Parts) { p.signedAttrs, p.digest = true, make([]byte, 32) })
	add(base, func(p *p7Parts) { p.signedAttrs, p.noDigest = true, true })
	add(base, func(p *p7Parts) { p.signedAttrs, p.attrs = true, []byte{0x30, 0x05, 0x06} })                    // an attribute cut short
	add(base, func(p *p7Parts) { p.signedAttrs, p.attrs = true, attribute(tb, seedOIDMsgDigest, der(tb, 5)) }) // a digest that is no OCTET STRING
	add(base, func(p *p7Parts) { p.hashOID = asn1.ObjectIdentifier{1, 2, 3} })
	add(base, func(p *p7Parts) { p.certs = [][]byte{ecSigner.cert.Raw} })
	add(base, func(p *p7Parts) { p.certs = [][]byte{} })
	add(base, func(p *p7Parts) { p.certs = [][]byte{{0x30, 0x03, 0x02, 0x01, 0x01}} })
	add(base, func(p *p7Parts) { p.signers = 2 })
	add(base, func(p *p7Parts) { p.encap = seedOIDSignedData })
	add(base, func(p *p7Parts) { p.outer = seedOIDData })
	add(base, func(p *p7Parts) { p.bySKI, p.signer = true, ecSigner; p.certs = [][]byte{rsaSigner.cert.Raw} })
	// malformed or unmatched signer identifiers: a SEQUENCE that is no
	// issuer and serial number, the right issuer with another serial, the
	// right serial with another issuer, the key identifier under [1] or
	// constructed, an INTEGER
	ski := rsaSigner.cert.SubjectKeyId
	for _, sid := range [][]byte{
		seqOf(tb, der(tb, 5)),
		seqOf(tb),
		seqOf(tb, rsaSigner.cert.RawIssuer, der(tb, 8)),
		seqOf(tb, name(tb, asn1.TagUTF8String, []byte("other")), der(tb, 7)),
		tlv(tb, asn1.ClassContextSpecific, 1, false, ski),
		tlv(tb, asn1.ClassContextSpecific, 0, true, tlv(tb, asn1.ClassUniversal, asn1.TagOctetString, false, ski)),
		der(tb, 7),
	} {
		add(base, func(p *p7Parts) { p.sid = sid })
	}
	add(base, func(p *p7Parts) { // the inner request's signature does not verify
		p.content = csrParts{subject: name(tb, asn1.TagUTF8String, []byte("x")), key: k.p256,
			alg: algID(tb, seedOIDECDSASHA256), hash: crypto.SHA256, flip: true}.build(tb)
	})
	add(base, func(p *p7Parts) { p.content = append(append([]byte{}, inner...), 0) }) // bytes after the inner request
	add(base, func(p *p7Parts) { p.encapRaw = inner })                                // the request not in an OCTET STRING
	add(base, func(p *p7Parts) { p.certs = [][]byte{{0x30, 0x05, 0x02, 0x01}} })      // a certificate cut short
	for _, p := range good {
		valid = append(valid, p.build(tb))
	}
	for _, p := range bad {
		near = append(near, p.build(tb))
	}
	// a SignedData that is not one
	near = append(near, seqOf(tb, der(tb, seedOIDSignedData), tlv(tb, asn1.ClassContextSpecific, 0, true, seqOf(tb, der(tb, 1)))))
	return valid, near
}

// TestMDE2Seeds: the fuzz seeds are what they claim, so that they keep
// reaching the branches they were made for: every valid request and
// token is accepted, every near-valid one refused.
func TestMDE2Seeds(t *testing.T) {
	valid, near := csrSeeds(t)
	for i, b := range valid {
		if _, err := mde2.ParseCertificateRequest(b); err != nil {
			t.Errorf("valid request %d: %v", i, err)
		}
	}
	for i, b := range near {
		if _, err := mde2.ParseCertificateRequest(b); err == nil {
			t.Errorf("near-valid request %d accepted", i)
		}
	}
	valid, near = renewalSeeds(t)
	for i, b := range valid {
		if _, err := mde2.ParseRenewalRequest(b); err != nil {
			t.Errorf("valid token %d: %v", i, err)
		}
	}
	for i, b := range near {
		if _, err := mde2.ParseRenewalRequest(b); err == nil {
			t.Errorf("near-valid token %d accepted", i)
		}
	}
}

package mde2

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"strconv"
	"time"
)

// CertificatePolicy is what the server asks of certificate requests and
// announces in GetPoliciesResponse (hash SHA-256).
type CertificatePolicy struct {
	// Name is the template's common name.
	Name string
	// Validity and Renewal are the certificate lifetime and renewal
	// period announced.
	Validity time.Duration
	Renewal  time.Duration
	// KeyAlgorithm is the kind of key the policy announces and asks for
	// (default PolicyRSA).
	KeyAlgorithm KeyAlgorithm
	// MinimalRSAKeyLength is the shortest RSA modulus accepted, in bits,
	// and the minimalKeyLength announced under PolicyRSA (default 2048,
	// also for a negative value).
	MinimalRSAKeyLength int
	// AllowECDSA accepts, under PolicyRSA, ECDSA keys on curves of at
	// least MinimalECDSAKeyLength bits as well, which the policy does not
	// announce: a device that follows the policy (Windows does) makes an
	// RSA key, so only a client that chooses its own key (such as a
	// Client whose KeyType is KeyECDSAP256) sends one. It is a
	// deliberate departure from the announced policy, off by default;
	// under PolicyECDSA it changes nothing.
	//
	// Changed: DefaultPolicy leaves it false, so that a Server takes
	// only keys of the algorithm and length its GetPoliciesResponse
	// announces; it was true, and a Server took ECDSA P-256 keys under
	// the RSA policy it announced.
	AllowECDSA bool
	// MinimalECDSAKeyLength is the smallest ECDSA curve accepted, in
	// bits (default 256, also for a negative value). Under PolicyECDSA
	// the policy announces the smallest of P-256, P-384 and P-521 that
	// is as long, and takes that curve or a longer one; a length above
	// 521 is the Server's error there (InternalServiceFault, logged).
	//
	// Changed: zero is 256; it took any curve a request is read with,
	// P-224 included.
	MinimalECDSAKeyLength int
}

// KeyAlgorithm is the kind of key a CertificatePolicy asks for.
type KeyAlgorithm int

// The key algorithms of a CertificatePolicy.
const (
	// PolicyRSA announces RSA (an algorithmOIDReference of nil, which
	// Windows reads as RSA) with MinimalRSAKeyLength as minimalKeyLength,
	// and takes RSA keys that long or longer (and, only when AllowECDSA
	// is set, ECDSA keys it does not announce).
	PolicyRSA KeyAlgorithm = 0
	// PolicyECDSA announces ECDSA: an algorithmOIDReference to the
	// curve's OID (an OID of group 3, public key, named as Windows names
	// the algorithm, e.g. ECDSA_P256) with the curve's length as
	// minimalKeyLength; it takes ECDSA keys on that curve or a longer one
	// of P-256, P-384 and P-521, and no RSA key.
	PolicyECDSA KeyAlgorithm = 1
)

// DefaultPolicy returns the default certificate policy: RSA keys of
// 2048 bits or more, SHA-256, one year, renewal 42 days before expiry.
// It takes no key it does not announce.
//
// Changed: it takes no ECDSA key (AllowECDSA is false); it took ECDSA
// P-256 keys its RSA policy does not announce. A client that must send
// ECDSA keys needs a Server whose Policy is PolicyECDSA (announced), or
// sets AllowECDSA.
func DefaultPolicy() *CertificatePolicy {
	return &CertificatePolicy{
		Name:                  "WinDC",
		Validity:              365 * 24 * time.Hour,
		Renewal:               42 * 24 * time.Hour,
		MinimalRSAKeyLength:   2048,
		MinimalECDSAKeyLength: 256,
	}
}

// keyRule is the key a policy announces, and so the key it takes: the
// one source of the response's algorithmOIDReference and
// minimalKeyLength and of check's verdict.
type keyRule struct {
	ecdsa   bool       // ECDSA on curve, else RSA
	curve   namedCurve // the ECDSA curve announced
	minBits int        // minimalKeyLength: RSA modulus or curve length
}

// rule returns the key the policy announces; a configError when it
// names an algorithm or curve it cannot announce.
func (p *CertificatePolicy) rule() (keyRule, error) {
	switch p.KeyAlgorithm {
	case PolicyRSA:
		return keyRule{minBits: p.minRSA()}, nil
	case PolicyECDSA:
		c, err := p.curve()
		if err != nil {
			return keyRule{}, err
		}
		return keyRule{ecdsa: true, curve: c, minBits: c.bits}, nil
	}
	return keyRule{}, p.unknownAlgorithm()
}

// takes returns "" when the rule takes key, else why not: a key of the
// algorithm announced, at least minBits long (a curve at least as long
// as the one announced, so of the three named curves).
func (r keyRule) takes(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		switch {
		case r.ecdsa:
			return "RSA key where the policy asks for ECDSA"
		case k.N.BitLen() < r.minBits:
			return "RSA key shorter than the policy's minimum"
		}
	case *ecdsa.PublicKey:
		switch {
		case !r.ecdsa:
			return "ECDSA key where the policy asks for RSA"
		case k.Curve.Params().BitSize < r.minBits:
			return "ECDSA key not allowed by the policy"
		}
	default:
		return "key type not allowed by the policy"
	}
	return ""
}

// The OIDReferenceIDs of the OIDs a policy's response lists.
const (
	refSHA256   = 0
	refTemplate = 1
	refKeyAlg   = 2
)

// response returns GetPoliciesResponse content for the policy; a
// configError when it names an algorithm or curve it cannot announce.
func (p *CertificatePolicy) response() (*GetPoliciesResponse, error) {
	r, err := p.rule()
	if err != nil {
		return nil, err
	}
	hashRef := refSHA256
	resp := &GetPoliciesResponse{
		Policies: []Policy{{
			OIDReference:          refTemplate,
			CommonName:            p.Name,
			PolicySchema:          3,
			ValidityPeriodSeconds: int64(p.Validity / time.Second),
			RenewalPeriodSeconds:  int64(p.Renewal / time.Second),
			Enroll:                true,
			MinimalKeyLength:      r.minBits,
			HashAlgorithmOIDRef:   &hashRef,
			MajorRevision:         1,
		}},
		OIDs: []OID{
			{Value: oidSHA256.String(), Group: 1, ReferenceID: refSHA256, DefaultName: "szOID_NIST_sha256"},
			{Value: "1.3.6.1.4.1.311.21.8.1", Group: 6, ReferenceID: refTemplate, DefaultName: p.Name},
		},
	}
	if r.ecdsa {
		c, algRef := r.curve, refKeyAlg
		resp.Policies[0].KeyAlgorithmOIDRef = &algRef
		resp.OIDs = append(resp.OIDs, OID{Value: c.oid, Group: 3, ReferenceID: refKeyAlg, DefaultName: c.name})
	}
	return resp, nil
}

func (p *CertificatePolicy) unknownAlgorithm() error {
	return &configError{"CertificatePolicy.KeyAlgorithm " + strconv.Itoa(int(p.KeyAlgorithm)) + " is neither PolicyRSA nor PolicyECDSA"}
}

// namedCurve is an ECDSA curve a policy may announce.
type namedCurve struct {
	bits int
	oid  string // its OID, the one a policy's algorithmOIDReference names
	name string // the CNG algorithm name Windows gives it
}

// namedCurves are the curves a policy may announce, shortest first.
var namedCurves = []namedCurve{
	{256, oidCurveP256, "ECDSA_P256"},
	{384, oidCurveP384, "ECDSA_P384"},
	{521, oidCurveP521, "ECDSA_P521"},
}

// curve is the curve a PolicyECDSA policy announces: the shortest of
// namedCurves as long as minECDSA; a configError when none is.
func (p *CertificatePolicy) curve() (namedCurve, error) {
	for _, c := range namedCurves {
		if c.bits >= p.minECDSA() {
			return c, nil
		}
	}
	return namedCurve{}, &configError{"CertificatePolicy.MinimalECDSAKeyLength " + strconv.Itoa(p.MinimalECDSAKeyLength) + " is longer than P-521"}
}

// minRSA is MinimalRSAKeyLength, 2048 when it is zero or below: a
// negative length would take any RSA key and be announced as such.
func (p *CertificatePolicy) minRSA() int {
	if p.MinimalRSAKeyLength <= 0 {
		return 2048
	}
	return p.MinimalRSAKeyLength
}

// minECDSA is MinimalECDSAKeyLength, 256 when it is zero or below.
func (p *CertificatePolicy) minECDSA() int {
	if p.MinimalECDSAKeyLength <= 0 {
		return 256
	}
	return p.MinimalECDSAKeyLength
}

// check refuses, with a CertificateRequest fault, a request whose key
// the policy does not take: one its rule (the key response announces)
// does not take, unless it is an ECDSA key the policy takes beyond its
// announcement (PolicyRSA with AllowECDSA, a curve of at least
// MinimalECDSAKeyLength bits). Any other kind of key (Ed25519, the one
// other kind a request is read with) is refused. A policy it cannot
// announce is a configError.
func (p *CertificatePolicy) check(csr *CertificateRequest) error {
	r, err := p.rule()
	if err != nil {
		return err
	}
	why := r.takes(csr.PublicKey)
	if why == "" {
		return nil
	}
	if k, ok := csr.PublicKey.(*ecdsa.PublicKey); ok && !r.ecdsa && p.AllowECDSA {
		if k.Curve.Params().BitSize >= p.minECDSA() {
			return nil
		}
		why = "ECDSA key not allowed by the policy"
	}
	return NewFault(FaultCertificateRequest, "", why)
}

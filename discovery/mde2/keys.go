package mde2

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"io"
	"strings"
)

// KeyType is the kind of key the client generates.
type KeyType int

// The key types.
//
// Changed: KeyFromPolicy is the zero value, so a Client that names no
// KeyType makes the key the certificate policy asks for (RSA, as Windows
// does, unless the policy names an ECDSA algorithm) where it made ECDSA
// P-256 keys before; KeyECDSAP256 and KeyRSA2048 keep their meaning,
// and KeyRSA2048 its value 1 (a stored 1 still makes RSA 2048 keys, not
// ECDSA ones); KeyECDSAP256, the zero value before, is 2.
const (
	// KeyFromPolicy (the default) follows the first policy of the
	// GetPoliciesResponse: its privateKeyAttributes algorithmOIDReference
	// names the algorithm (rsaEncryption; ecPublicKey, or a NIST curve,
	// for ECDSA), RSA when it names none, as Windows does; the key is at
	// least minimalKeyLength bits (RSA at least 2048, ECDSA on the
	// smallest of P-256, P-384 and P-521 that is long enough). A renewal,
	// which reads no policy, makes a key of the same kind and size as
	// the certificate's it renews, under the same bound: an RSA key
	// longer than Limits.MaxRSAKeyBits (DefaultMaxGeneratedRSAKeyBits
	// when zero) is refused with ErrKeyPolicy before anything is sent.
	// A policy whose algorithm the Client
	// cannot make, or whose RSA length is above the Client's
	// Limits.MaxRSAKeyBits (DefaultMaxGeneratedRSAKeyBits, 4096, when
	// zero), is refused with ErrKeyPolicy before a key is generated.
	//
	// The policy's cryptoProviders name where Windows makes the key; a
	// Go Client keeps it in memory, so they decide nothing unless every
	// one is a CryptoAPI provider (a legacy CSP, such as Microsoft
	// Enhanced Cryptographic Provider v1.0) that makes no key of the
	// algorithm (none makes ECDSA keys): Windows could not follow such a
	// policy, and the Client refuses it with ErrKeyPolicy (Changed: it
	// made the algorithm's key). A provider is read bare, as Microsoft's
	// sample sends it, or in the "<priority>,<name>" syntax MS-XCEP gives
	// it (Changed: such a name was one not known, which decides
	// nothing). Its keySpec
	// (1, AT_KEYEXCHANGE: the key exchanges keys and signs; 2,
	// AT_SIGNATURE: it signs only) decides nothing: the Client's key
	// only signs (the request, a renewal, TLS client authentication),
	// which a key of either spec does; an RSA key can do both anyway,
	// the certificate's key usage is the issuer's choice, and the
	// request carries no key spec (Windows names it in an attribute a
	// server does not need). An ECDSA algorithm with keySpec 1 still
	// gets an ECDSA key.
	KeyFromPolicy KeyType = 0
	// KeyRSA2048 makes 2048-bit RSA keys, whatever the policy says.
	KeyRSA2048 KeyType = 1
	// KeyECDSAP256 makes ECDSA P-256 keys, whatever the policy says (a
	// server whose policy asks for RSA may refuse them; this package's
	// Server takes them under a PolicyECDSA that asks for no longer
	// curve, and under PolicyRSA only when CertificatePolicy.AllowECDSA
	// is set, which DefaultPolicy does not: Changed, it did).
	KeyECDSAP256 KeyType = 2
)

// ErrKeyPolicy is returned, wrapped, when the certificate policy asks for
// a key the Client cannot generate under KeyFromPolicy: an algorithm
// other than RSA and ECDSA, an algorithmOIDReference that names no OID of
// the response, an ECDSA length above 521 bits, an RSA length above
// the Client's Limits.MaxRSAKeyBits (default DefaultMaxGeneratedRSAKeyBits),
// an algorithm that none of its cryptoProviders makes.
// Setting Client.KeyType chooses the key instead.
var ErrKeyPolicy = errors.New("mde2: certificate policy asks for a key the client cannot make")

// The public key algorithm OIDs a policy's algorithmOIDReference may name
// (MS-XCEP group 3).
const (
	oidRSA        = "1.2.840.113549.1.1.1"
	oidECPublic   = "1.2.840.10045.2.1"
	oidCurveP256  = "1.2.840.10045.3.1.7"
	oidCurveP384  = "1.3.132.0.34"
	oidCurveP521  = "1.3.132.0.35"
	minRSAKeyBits = 2048 // what Windows makes, and the least this package makes
)

// keySpec is the key a Client makes and the signature algorithm of its
// certificate request.
type keySpec struct {
	rsaBits int            // RSA modulus length, when curve is nil
	curve   elliptic.Curve // the ECDSA curve
	hash    crypto.Hash    // the request's signature hash (0: crypto/x509's choice)
}

func (k keySpec) generate(rnd io.Reader) (crypto.Signer, error) {
	if k.curve != nil {
		return ecdsa.GenerateKey(k.curve, rnd)
	}
	return rsa.GenerateKey(rnd, k.rsaBits)
}

// sigAlg is the request's signature algorithm: the policy's hash with the
// key's algorithm, or crypto/x509's choice when the policy names no hash
// the Client signs with.
func (k keySpec) sigAlg() x509.SignatureAlgorithm {
	type pair struct {
		ec bool
		h  crypto.Hash
	}
	return map[pair]x509.SignatureAlgorithm{
		{false, crypto.SHA256}: x509.SHA256WithRSA, {false, crypto.SHA384}: x509.SHA384WithRSA, {false, crypto.SHA512}: x509.SHA512WithRSA,
		{true, crypto.SHA256}: x509.ECDSAWithSHA256, {true, crypto.SHA384}: x509.ECDSAWithSHA384, {true, crypto.SHA512}: x509.ECDSAWithSHA512,
	}[pair{k.curve != nil, k.hash}]
}

// keyFor returns the key of typ for the policies (the policies matter
// under KeyFromPolicy only).
func keyFor(typ KeyType, policies *GetPoliciesResponse, maxRSA int) (keySpec, error) {
	switch typ {
	case KeyECDSAP256:
		return keySpec{curve: elliptic.P256()}, nil
	case KeyRSA2048:
		return keySpec{rsaBits: 2048}, nil
	case KeyFromPolicy:
	default:
		return keySpec{}, pkg.Errorf("unknown KeyType %d", typ)
	}
	if policies == nil || len(policies.Policies) == 0 {
		return keySpec{rsaBits: minRSAKeyBits}, nil
	}
	p := &policies.Policies[0]
	oid := func(ref *int, what string) (string, error) {
		if ref == nil {
			return "", nil
		}
		for _, o := range policies.OIDs {
			if o.ReferenceID == *ref {
				return o.Value, nil
			}
		}
		return "", pkg.Errorf("%w: its %s %d names no oID of the response", ErrKeyPolicy, what, *ref)
	}
	var k keySpec
	hash, err := oid(p.HashAlgorithmOIDRef, "hashAlgorithmOIDReference")
	if err != nil {
		return keySpec{}, err
	}
	k.hash = map[string]crypto.Hash{oidSHA256.String(): crypto.SHA256, oidSHA384.String(): crypto.SHA384, oidSHA512.String(): crypto.SHA512}[hash]
	alg, err := oid(p.KeyAlgorithmOIDRef, "algorithmOIDReference")
	if err != nil {
		return keySpec{}, err
	}
	bits := p.MinimalKeyLength
	switch alg {
	case "", oidRSA:
		if err := providersMake(p.CryptoProviders, keyKindRSA); err != nil {
			return keySpec{}, err
		}
		k.rsaBits = max(bits, minRSAKeyBits)
		if err := k.bounded(maxRSA); err != nil {
			return keySpec{}, err
		}
		return k, nil
	case oidCurveP256:
		bits = max(bits, 256)
	case oidCurveP384:
		bits = max(bits, 384)
	case oidCurveP521:
		bits = max(bits, 521)
	case oidECPublic:
	default:
		return keySpec{}, pkg.Errorf("%w: key algorithm %s (set Client.KeyType to choose the key)", ErrKeyPolicy, quoted(alg))
	}
	if err := providersMake(p.CryptoProviders, keyKindECDSA); err != nil {
		return keySpec{}, err
	}
	for _, c := range []elliptic.Curve{elliptic.P256(), elliptic.P384(), elliptic.P521()} {
		if c.Params().BitSize >= bits {
			k.curve = c
			return k, nil
		}
	}
	return keySpec{}, pkg.Errorf("%w: an ECDSA key of %d bits", ErrKeyPolicy, bits)
}

// bounded refuses, with ErrKeyPolicy, an RSA key longer than maxRSA
// bits (the Client's Limits.MaxRSAKeyBits, or
// DefaultMaxGeneratedRSAKeyBits): generation cannot be cancelled.
func (k keySpec) bounded(maxRSA int) error {
	if k.curve == nil && k.rsaBits > maxRSA {
		return pkg.Errorf("%w: an RSA key of %d bits, more than the Client generates (Limits.MaxRSAKeyBits, %d)", ErrKeyPolicy, k.rsaBits, maxRSA)
	}
	return nil
}

// keyLike returns a key of the kind and size of pub (a renewal's: the
// certificate it renews was issued for such a key), RSA 2048 for a key of
// another kind.
func keyLike(pub crypto.PublicKey) keySpec {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return keySpec{rsaBits: max(k.N.BitLen(), minRSAKeyBits)}
	case *ecdsa.PublicKey:
		return keySpec{curve: k.Curve}
	}
	return keySpec{rsaBits: minRSAKeyBits}
}

// The kinds of key a Windows provider makes.
const (
	keyKindRSA   = "RSA"
	keyKindECDSA = "ECDSA"
	keyKindDSA   = "DSA"
)

// cryptoAPIProviders are the CryptoAPI cryptographic service providers
// Windows has (by their names in lower case) and the kind of signing key
// each makes; none makes ECDSA keys. The key storage providers (CNG),
// which make RSA and ECDSA keys alike, are not listed.
var cryptoAPIProviders = map[string]string{
	"microsoft base cryptographic provider v1.0":                       keyKindRSA,
	"microsoft enhanced cryptographic provider v1.0":                   keyKindRSA,
	"microsoft strong cryptographic provider":                          keyKindRSA,
	"microsoft enhanced rsa and aes cryptographic provider":            keyKindRSA,
	"microsoft rsa schannel cryptographic provider":                    keyKindRSA,
	"microsoft base smart card crypto provider":                        keyKindRSA,
	"microsoft base dss cryptographic provider":                        keyKindDSA,
	"microsoft base dss and diffie-hellman cryptographic provider":     keyKindDSA,
	"microsoft enhanced dss and diffie-hellman cryptographic provider": keyKindDSA,
	"microsoft dh schannel cryptographic provider":                     keyKindDSA,
}

// providersMake refuses, with ErrKeyPolicy, a key of kind that none of a
// policy's cryptoProviders makes, which Windows could not make either:
// when every provider named is a CryptoAPI one that makes keys of
// other kinds (an ECDSA algorithm with RSA providers only, say). A list
// that is empty, or names a key storage provider or a name not known
// here, decides nothing: where the key is kept is Windows' concern, and
// a Go Client keeps it in memory.
func providersMake(providers []string, kind string) error {
	if len(providers) == 0 {
		return nil
	}
	for _, name := range providers {
		k, ok := cryptoAPIProviders[providerName(name)]
		if !ok || k == kind {
			return nil
		}
	}
	return pkg.Errorf("%w: an %s key, which none of its cryptoProviders %q makes", ErrKeyPolicy, kind, providers)
}

// providerName is the name of a cryptoProviders provider, as
// cryptoAPIProviders lists it: in lower case, its runs of white space
// one space, without the "<priority>," a name may start with (MS-XCEP
// gives a provider the syntax of the certificate template attribute
// pKIDefaultCSPs, whose values are "1,Microsoft Base Cryptographic
// Provider v1.0"; Microsoft's GetPoliciesResponse sample sends the bare
// name).
func providerName(name string) string {
	if n, rest, ok := strings.Cut(name, ","); ok {
		if n = strings.TrimSpace(n); n != "" && strings.Trim(n, "0123456789") == "" {
			name = rest
		}
	}
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

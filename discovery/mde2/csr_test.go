package mde2

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// windowsCN is a subject common name as Windows writes it: a
// PrintableString holding '!' (not in PrintableString's alphabet) and a
// trailing NUL.
const windowsCN = "B1C43CD0-1624-5FBB-8E54-34CF17DFD3A1!\x00"

// handCSR builds a PKCS#10 request by hand (DER) whose subject is one CN of
// the given ASN.1 string tag, signed by key with sigAlg.
func handCSR(t testing.TB, key crypto.Signer, cn string, tag int, pss bool) []byte {
	t.Helper()
	atv, err := asn1.Marshal(struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}{asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: []byte(cn)}})
	if err != nil {
		t.Fatal(err)
	}
	set, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: atv})
	name, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: set})
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	info, err := asn1.Marshal(struct {
		Version int
		Subject asn1.RawValue
		PKI     asn1.RawValue
		Attrs   asn1.RawValue
	}{0, asn1.RawValue{FullBytes: name}, asn1.RawValue{FullBytes: spki},
		asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true}})
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(info)
	var alg pkix.AlgorithmIdentifier
	var opts crypto.SignerOpts = crypto.SHA256
	switch key.(type) {
	case *ecdsa.PrivateKey:
		alg.Algorithm = oidECDSAWithSHA256
	case *rsa.PrivateKey:
		alg.Algorithm = oidSHA256WithRSA
		alg.Parameters = asn1.NullRawValue
		if pss {
			alg.Algorithm = oidRSAPSS
			hashAlg := pkix.AlgorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}
			hashDER, _ := asn1.Marshal(hashAlg)
			params, _ := asn1.Marshal(struct {
				Hash pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
				MGF  pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
				Salt int                      `asn1:"explicit,tag:2"`
			}{hashAlg, pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: hashDER}}, 32})
			alg.Parameters = asn1.RawValue{FullBytes: params}
			opts = &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}
		}
	}
	sig, err := key.Sign(rand.Reader, digest[:], opts)
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(struct {
		Info   asn1.RawValue
		SigAlg pkix.AlgorithmIdentifier
		Sig    asn1.BitString
	}{asn1.RawValue{FullBytes: info}, alg, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

var (
	testECKey  = mustEC()
	testRSAKey = mustRSA()
)

func mustEC() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func mustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// TestWindowsCSR: x509 refuses Windows' subject, we read it and verify the
// signature.
func TestWindowsCSR(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  crypto.Signer
		pss  bool
	}{{"ECDSA", testECKey, false}, {"RSA", testRSAKey, false}, {"RSA-PSS", testRSAKey, true}} {
		t.Run(tc.name, func(t *testing.T) {
			der := handCSR(t, tc.key, windowsCN, asn1.TagPrintableString, tc.pss)
			if _, err := x509.ParseCertificateRequest(der); err == nil {
				t.Fatal("crypto/x509 accepted the Windows subject; the test no longer shows the point")
			}
			r, err := ParseCertificateRequest(der)
			if err != nil {
				t.Fatalf("ParseCertificateRequest: %v", err)
			}
			if r.Subject.CommonName != windowsCN {
				t.Errorf("CommonName %q, want %q", r.Subject.CommonName, windowsCN)
			}
			if got, want := r.CommonName(), windowsCN[:len(windowsCN)-1]; got != want {
				t.Errorf("CommonName() %q, want %q", got, want)
			}
			// One flipped bit in the signed part must fail verification.
			bad := append([]byte(nil), der...)
			i := len(der) - len(r.Signature) - 40
			bad[i] ^= 1
			if _, err := ParseCertificateRequest(bad); !errors.Is(err, ErrCSR) {
				t.Errorf("tampered request: %v, want ErrCSR", err)
			}
		})
	}
}

// TestCSRFromX509 reads requests made by crypto/x509 with extensions.
func TestCSRFromX509(t *testing.T) {
	for _, key := range []crypto.Signer{testECKey, testRSAKey} {
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
			Subject:  pkix.Name{CommonName: "dev", Organization: []string{"windc"}},
			DNSNames: []string{"dev.example"},
		}, key)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		if r.CommonName() != "dev" || len(r.Subject.Organization) != 1 || len(r.Extensions) != 1 {
			t.Errorf("got %+v", r.Subject)
		}
	}
}

func TestCSRRefused(t *testing.T) {
	good := handCSR(t, testECKey, "x", asn1.TagUTF8String, false)
	for name, der := range map[string][]byte{
		"empty":      nil,
		"trailing":   append(append([]byte(nil), good...), 0),
		"truncated":  good[:len(good)-3],
		"bad UTF-8":  handCSR(t, testECKey, "\xff", asn1.TagPrintableString, false),
		"not string": handCSR(t, testECKey, "\x01", asn1.TagInteger, false),
	} {
		if _, err := ParseCertificateRequest(der); !errors.Is(err, ErrCSR) {
			t.Errorf("%s: %v, want ErrCSR", name, err)
		}
	}
}

func mustRSA1024() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return k
}

// hugeRSACSR returns a request whose RSA modulus has bits bits, with a
// signature that cannot verify.
func hugeRSACSR(t *testing.T, bits int) []byte {
	t.Helper()
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
	n.SetBit(n, 0, 1)
	pkcs1, err := asn1.Marshal(struct {
		N *big.Int
		E int
	}{n, 65537})
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := asn1.Marshal(struct {
		Alg pkix.AlgorithmIdentifier
		Key asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: oidRSAEncryption, Parameters: asn1.NullRawValue}, asn1.BitString{Bytes: pkcs1, BitLength: 8 * len(pkcs1)}})
	subj, _ := asn1.Marshal(pkix.Name{CommonName: "x"}.ToRDNSequence())
	info, _ := asn1.Marshal(struct {
		V    int
		S, P asn1.RawValue
	}{0, asn1.RawValue{FullBytes: subj}, asn1.RawValue{FullBytes: spki}})
	sig := make([]byte, bits/8)
	sig[len(sig)-1] = 2
	der, err := asn1.Marshal(struct {
		I asn1.RawValue
		A pkix.AlgorithmIdentifier
		S asn1.BitString
	}{asn1.RawValue{FullBytes: info}, pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA, Parameters: asn1.NullRawValue}, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestHugeRSAKeyRefusedUnverified: verifying a signature costs the
// square of the modulus size (a 200000-bit key took seconds, and a
// request of MaxBytes could hold one of millions of bits), so a modulus
// above DefaultMaxRSAKeyBits (16384) is refused before any arithmetic.
func TestHugeRSAKeyRefusedUnverified(t *testing.T) {
	_, err := ParseCertificateRequest(hugeRSACSR(t, DefaultMaxRSAKeyBits+8))
	if !errors.Is(err, ErrCSR) || !strings.Contains(err.Error(), "bits") {
		t.Errorf("huge key: %v, want ErrCSR naming the key size", err)
	}
	_, err = ParseCertificateRequest(hugeRSACSR(t, DefaultMaxRSAKeyBits))
	if !errors.Is(err, ErrCSR) || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("largest key: %v, want its signature checked", err)
	}
}

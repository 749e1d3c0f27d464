package mde2

import (
	"strconv"
	"strings"
)

// GetPolicies is the MS-XCEP request for the certificate policy.
type GetPolicies struct {
	Header            Header
	LastUpdate        string   // client/lastUpdate, "" when nil
	PreferredLanguage string   // client/preferredLanguage, "" when nil
	PolicyOIDs        []string // requestFilter/policyOIDs, none when nil
}

// SOAPHeader returns the message's header.
func (m *GetPolicies) SOAPHeader() *Header { return &m.Header }
func (m *GetPolicies) action() string      { return ActionGetPolicies }

func (m *GetPolicies) writeBody(w *xw) {
	w.open("GetPolicies", "xmlns", nsXCEP, "xmlns:xsi", nsXSI)
	w.open("client")
	nillable(w, "lastUpdate", m.LastUpdate)
	nillable(w, "preferredLanguage", m.PreferredLanguage)
	w.close("client")
	if len(m.PolicyOIDs) == 0 {
		w.empty("requestFilter", "xsi:nil", "true")
	} else {
		w.open("requestFilter")
		w.open("policyOIDs")
		for _, o := range m.PolicyOIDs {
			w.elem("oid", o)
		}
		w.close("policyOIDs")
		w.close("requestFilter")
	}
	w.close("GetPolicies")
}

func nillable(w *xw, name, v string) {
	if v == "" {
		w.empty(name, "xsi:nil", "true")
	} else {
		w.elem(name, v)
	}
}

func (m *GetPolicies) readBody(t *tree, body *node) error {
	el, err := bodyElem(t, body, "GetPolicies", nsXCEP)
	if err != nil {
		return err
	}
	c := el.child("client", nsXCEP)
	m.LastUpdate = c.child("lastUpdate", nsXCEP).value()
	m.PreferredLanguage = c.child("preferredLanguage", nsXCEP).value()
	m.PolicyOIDs = nil
	for _, o := range el.child("requestFilter", nsXCEP).child("policyOIDs", nsXCEP).children("oid", nsXCEP) {
		m.PolicyOIDs = append(m.PolicyOIDs, o.value())
	}
	return nil
}

// GetPoliciesResponse answers GetPolicies with the certificate policies
// and the OIDs they refer to.
type GetPoliciesResponse struct {
	Header             Header
	PolicyID           string
	PolicyFriendlyName string
	Policies           []Policy
	OIDs               []OID
}

// Policy is one certificate policy (an MS-XCEP CertificateEnrollmentPolicy):
// what the device's request must look like.
type Policy struct {
	OIDReference          int    // policyOIDReference: index into OIDs
	CommonName            string // template name
	PolicySchema          int    // 1, 2 or 3
	ValidityPeriodSeconds int64
	RenewalPeriodSeconds  int64
	Enroll                bool
	AutoEnroll            bool
	MinimalKeyLength      int  // e.g. 2048 for RSA, 256 for ECDSA P-256
	KeyAlgorithmOIDRef    *int // privateKeyAttributes/algorithmOIDReference, nil when nil
	// KeySpec is privateKeyAttributes/keySpec, nil when nil: 1 for a key
	// that exchanges keys and signs (AT_KEYEXCHANGE), 2 for one that
	// signs only (AT_SIGNATURE). It decides nothing for a Client (see
	// KeyFromPolicy), so a keySpec that is not a number (empty, or a
	// name such as AT_SIGNATURE) reads as nil rather than refusing the
	// response, as a build that did not read it did.
	KeySpec *int
	// CryptoProviders is privateKeyAttributes/cryptoProviders, the
	// Windows key storage or cryptographic service providers to make
	// the key in (none when nil); a Client reads them only to refuse an
	// algorithm that none of them makes (see KeyFromPolicy).
	CryptoProviders     []string
	HashAlgorithmOIDRef *int // hashAlgorithmOIDReference, nil when absent
	MajorRevision       int
	MinorRevision       int
}

// OID is an object identifier that policies refer to by ReferenceID.
type OID struct {
	Value       string // dotted form, e.g. "2.16.840.1.101.3.4.2.1"
	Group       int    // 1 hash, 3 public key, 6 template, …
	ReferenceID int
	DefaultName string
}

// SOAPHeader returns the message's header.
func (m *GetPoliciesResponse) SOAPHeader() *Header { return &m.Header }
func (m *GetPoliciesResponse) action() string      { return ActionGetPoliciesResponse }

func (m *GetPoliciesResponse) writeBody(w *xw) {
	w.open("GetPoliciesResponse", "xmlns", nsXCEP, "xmlns:xsi", nsXSI)
	w.open("response")
	w.elem("policyID", m.PolicyID)
	nillable(w, "policyFriendlyName", m.PolicyFriendlyName)
	w.empty("nextUpdateHours", "xsi:nil", "true")
	w.empty("policiesNotChanged", "xsi:nil", "true")
	w.open("policies")
	for i := range m.Policies {
		writePolicy(w, &m.Policies[i])
	}
	w.close("policies")
	w.close("response")
	w.empty("cAs", "xsi:nil", "true")
	w.open("oIDs")
	for _, o := range m.OIDs {
		w.open("oID")
		w.elem("value", o.Value)
		w.elem("group", strconv.Itoa(o.Group))
		w.elem("oIDReferenceID", strconv.Itoa(o.ReferenceID))
		w.elem("defaultName", o.DefaultName)
		w.close("oID")
	}
	w.close("oIDs")
	w.close("GetPoliciesResponse")
}

func writePolicy(w *xw, p *Policy) {
	nilEl := func(name string) { w.empty(name, "xsi:nil", "true") }
	w.open("policy")
	w.elem("policyOIDReference", strconv.Itoa(p.OIDReference))
	nilEl("cAs")
	w.open("attributes")
	w.elem("commonName", p.CommonName)
	w.elem("policySchema", strconv.Itoa(p.PolicySchema))
	w.open("certificateValidity")
	w.elem("validityPeriodSeconds", strconv.FormatInt(p.ValidityPeriodSeconds, 10))
	w.elem("renewalPeriodSeconds", strconv.FormatInt(p.RenewalPeriodSeconds, 10))
	w.close("certificateValidity")
	w.open("permission")
	w.elem("enroll", strconv.FormatBool(p.Enroll))
	w.elem("autoEnroll", strconv.FormatBool(p.AutoEnroll))
	w.close("permission")
	w.open("privateKeyAttributes")
	w.elem("minimalKeyLength", strconv.Itoa(p.MinimalKeyLength))
	optInt := func(name string, v *int) {
		if v != nil {
			w.elem(name, strconv.Itoa(*v))
		} else {
			nilEl(name)
		}
	}
	optInt("keySpec", p.KeySpec)
	nilEl("keyUsageProperty")
	nilEl("permissions")
	optInt("algorithmOIDReference", p.KeyAlgorithmOIDRef)
	if len(p.CryptoProviders) == 0 {
		nilEl("cryptoProviders")
	} else {
		w.open("cryptoProviders")
		for _, name := range p.CryptoProviders {
			w.elem("provider", name)
		}
		w.close("cryptoProviders")
	}
	w.close("privateKeyAttributes")
	w.open("revision")
	w.elem("majorRevision", strconv.Itoa(p.MajorRevision))
	w.elem("minorRevision", strconv.Itoa(p.MinorRevision))
	w.close("revision")
	nilEl("supersededPolicies")
	nilEl("privateKeyFlags")
	nilEl("subjectNameFlags")
	nilEl("enrollmentFlags")
	nilEl("generalFlags")
	if p.HashAlgorithmOIDRef != nil {
		w.elem("hashAlgorithmOIDReference", strconv.Itoa(*p.HashAlgorithmOIDRef))
	}
	nilEl("rARequirements")
	nilEl("keyArchivalAttributes")
	nilEl("extensions")
	w.close("attributes")
	w.close("policy")
}

func (m *GetPoliciesResponse) readBody(t *tree, body *node) error {
	el, err := bodyElem(t, body, "GetPoliciesResponse", nsXCEP)
	if err != nil {
		return err
	}
	resp := el.child("response", nsXCEP)
	if resp == nil {
		return t.structErr(el, "missing response")
	}
	m.PolicyID = resp.child("policyID", nsXCEP).value()
	m.PolicyFriendlyName = resp.child("policyFriendlyName", nsXCEP).value()
	m.Policies = nil
	r := numReader{t: t}
	for _, pn := range resp.child("policies", nsXCEP).children("policy", nsXCEP) {
		var p Policy
		a := pn.child("attributes", nsXCEP)
		p.OIDReference = r.int(pn.child("policyOIDReference", nsXCEP))
		p.CommonName = a.child("commonName", nsXCEP).value()
		p.PolicySchema = r.int(a.child("policySchema", nsXCEP))
		v := a.child("certificateValidity", nsXCEP)
		p.ValidityPeriodSeconds = r.int64(v.child("validityPeriodSeconds", nsXCEP))
		p.RenewalPeriodSeconds = r.int64(v.child("renewalPeriodSeconds", nsXCEP))
		perm := a.child("permission", nsXCEP)
		p.Enroll = r.bool(perm.child("enroll", nsXCEP))
		p.AutoEnroll = r.bool(perm.child("autoEnroll", nsXCEP))
		pk := a.child("privateKeyAttributes", nsXCEP)
		p.MinimalKeyLength = r.int(pk.child("minimalKeyLength", nsXCEP))
		p.KeyAlgorithmOIDRef = r.optInt(pk.child("algorithmOIDReference", nsXCEP))
		p.KeySpec = r.laxInt(pk.child("keySpec", nsXCEP))
		for _, pn := range pk.child("cryptoProviders", nsXCEP).children("provider", nsXCEP) {
			p.CryptoProviders = append(p.CryptoProviders, pn.value())
		}
		rev := a.child("revision", nsXCEP)
		p.MajorRevision = r.int(rev.child("majorRevision", nsXCEP))
		p.MinorRevision = r.int(rev.child("minorRevision", nsXCEP))
		p.HashAlgorithmOIDRef = r.optInt(a.child("hashAlgorithmOIDReference", nsXCEP))
		m.Policies = append(m.Policies, p)
	}
	m.OIDs = nil
	for _, on := range el.child("oIDs", nsXCEP).children("oID", nsXCEP) {
		m.OIDs = append(m.OIDs, OID{
			Value:       on.child("value", nsXCEP).value(),
			Group:       r.int(on.child("group", nsXCEP)),
			ReferenceID: r.int(on.child("oIDReferenceID", nsXCEP)),
			DefaultName: on.child("defaultName", nsXCEP).value(),
		})
	}
	return r.err
}

// numReader reads numbers and booleans of elements, keeping the first
// error; a missing or nil element reads as zero.
type numReader struct {
	t   *tree
	err error
}

func (r *numReader) int64(n *node) int64 {
	if n == nil || n.nilled() || r.err != nil {
		return 0
	}
	v, err := strconv.ParseInt(n.value(), 10, 64)
	if err != nil {
		r.err = r.t.structErr(n, "%s is not an integer: %s", n.local, quoted(n.value()))
	}
	return v
}

func (r *numReader) int(n *node) int {
	v := r.int64(n)
	if int64(int32(v)) != v && r.err == nil {
		r.err = r.t.structErr(n, "%s out of range: %d", n.local, v)
		return 0
	}
	return int(v)
}

func (r *numReader) optInt(n *node) *int {
	if n == nil || n.nilled() {
		return nil
	}
	v := r.int(n)
	return &v
}

// laxInt reads an optional int that decides nothing: nil when absent,
// nilled or not an int, so that it never refuses the response.
func (r *numReader) laxInt(n *node) *int {
	if n == nil || n.nilled() {
		return nil
	}
	v, err := strconv.ParseInt(strings.TrimSpace(n.value()), 10, 32)
	if err != nil {
		return nil
	}
	i := int(v)
	return &i
}

func (r *numReader) bool(n *node) bool {
	if n == nil || n.nilled() || r.err != nil {
		return false
	}
	switch n.value() {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	r.err = r.t.structErr(n, "%s is not a boolean: %s", n.local, quoted(n.value()))
	return false
}

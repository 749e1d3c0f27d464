package provisioning

import (
	"bytes"
	"crypto/sha1"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/windc-go/windc/discovery/mde2/internal/b64"
)

// The characteristic types and parm names of the typed view.
const (
	cspCertificateStore = "CertificateStore"
	cspApplication      = "APPLICATION"
	cspDMClient         = "DMClient"
	charAppAuth         = "APPAUTH"
	charPrivateKey      = "PrivateKeyContainer"
	parmEncodedCert     = "EncodedCertificate"
	levelClient         = "CLIENT"
	levelAppSrv         = "APPSRV"
)

// Thumbprint returns the name the CertificateStore CSP gives a
// certificate: the uppercase hex SHA-1 of its DER.
func Thumbprint(der []byte) string {
	sum := sha1.Sum(der)
	const digits = "0123456789ABCDEF"
	var b [2 * sha1.Size]byte
	for i, c := range sum {
		b[2*i], b[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(b[:])
}

// Build writes e as a provisioning document (version 1.1), in the order
// and shape of Microsoft's documented enrollment responses: a
// CertificateStore characteristic with the roots (Root/System) and
// intermediates (CA/System), one with the client certificate
// (My/User or My/System, with PrivateKeyContainer) and the WSTEP renewal
// schedule, the w7 APPLICATION (APPID w7, DEFAULTENCODING EncodingXML
// unless set, the CLIENT then the APPSRV APPAUTH), the DMClient provider,
// then e.Other. A value that breaks a rule of its CSP is a *FieldError
// naming the characteristic and parm.
func Build(e *Enrollment) (*Document, error) {
	if e == nil {
		return nil, &FieldError{Path: Root, Err: ErrRequired}
	}
	b := newBuilder(e)
	var top [8]Node
	nodes := top[:0]
	if len(e.RootCerts) > 0 || len(e.CACerts) > 0 {
		var stores [2]Node
		cs := stores[:0]
		for _, s := range []struct {
			name  string
			certs [][]byte
		}{{"Root", e.RootCerts}, {"CA", e.CACerts}} {
			if len(s.certs) == 0 {
				continue
			}
			sys, err := b.certChars(cspCertificateStore+"/"+s.name+"/System", s.certs)
			if err != nil {
				return nil, err
			}
			cs = append(cs, b.char(s.name, b.char("System", sys...)))
		}
		nodes = append(nodes, b.char(cspCertificateStore, cs...))
	}
	if e.ClientCert != nil || e.Renew != nil {
		var kids [2]Node
		my := kids[:0]
		if e.ClientCert != nil {
			store := e.ClientStore
			if store == "" {
				store = StoreUser
			}
			if store != StoreUser && store != StoreSystem {
				return nil, fieldErr(cspCertificateStore+"/My", ErrInvalid, "store %q is neither User nor System", store)
			}
			cert, err := b.certChar(cspCertificateStore+"/My/"+string(store), e.ClientCert)
			if err != nil {
				return nil, err
			}
			my = append(my, b.char(string(store), cert, b.char(charPrivateKey)))
		}
		if e.Renew != nil {
			renew, err := b.buildRenew(e.Renew)
			if err != nil {
				return nil, err
			}
			my = append(my, b.char("WSTEP", renew))
		}
		nodes = append(nodes, b.char(cspCertificateStore, b.char("My", my...)))
	}
	if e.Application != nil {
		app, err := b.buildApplication(e.Application)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, app)
	}
	if e.DMClient != nil {
		id := e.DMClient.ProviderID
		if e.Application != nil {
			if id == "" {
				id = e.Application.ProviderID
			} else if id != e.Application.ProviderID {
				return nil, fieldErr(cspDMClient+"/Provider/"+id, ErrProviderID, "%q, APPLICATION has %q", id, e.Application.ProviderID)
			}
		}
		if id == "" {
			return nil, fieldErr(cspDMClient+"/Provider", ErrRequired, "provider ID")
		}
		prov, err := b.buildDMClient(id, e.DMClient)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, b.char(cspDMClient, b.char("Provider", prov)))
	}
	if err := checkNodes("Other", e.Other); err != nil {
		return nil, err
	}
	nodes = append(nodes, e.Other...)
	b.doc.Nodes = b.list(nodes)
	return &b.doc, nil
}

// builder allocates a document's nodes in blocks: an enrollment's
// document has some forty of them, and one allocation each made building
// it cost more than writing it.
type builder struct {
	doc     Document
	parms   []Parm
	chars   []Characteristic
	nodes   []Node
	scratch []byte // base64 is written here before it becomes a string
}

func newBuilder(e *Enrollment) *builder {
	certs := len(e.RootCerts) + len(e.CACerts)
	return &builder{
		doc:   Document{Version: Version11},
		parms: make([]Parm, 0, 24+certs),
		chars: make([]Characteristic, 0, 16+2*certs),
		nodes: make([]Node, 0, 48+3*certs),
	}
}

// parm returns a new *Parm holding p.
func (b *builder) parm(p Parm) *Parm {
	if len(b.parms) == cap(b.parms) {
		b.parms = make([]Parm, 0, 16)
	}
	b.parms = append(b.parms, p)
	return &b.parms[len(b.parms)-1]
}

// char returns a new characteristic of the given type holding a copy of
// nodes.
func (b *builder) char(typ string, nodes ...Node) *Characteristic {
	if len(b.chars) == cap(b.chars) {
		b.chars = make([]Characteristic, 0, 16)
	}
	b.chars = append(b.chars, Characteristic{Type: typ, Nodes: b.list(nodes)})
	return &b.chars[len(b.chars)-1]
}

// list returns a copy of nodes whose capacity is its length, so that
// appending to it never writes into the block.
func (b *builder) list(nodes []Node) []Node {
	if len(nodes) == 0 {
		return nil
	}
	if cap(b.nodes)-len(b.nodes) < len(nodes) {
		b.nodes = make([]Node, 0, max(32, len(nodes)))
	}
	i := len(b.nodes)
	b.nodes = append(b.nodes, nodes...)
	return b.nodes[i:len(b.nodes):len(b.nodes)]
}

// base64 returns data in base64.
func (b *builder) base64(data []byte) string {
	b.scratch = b64.AppendEncode(b.scratch[:0], data)
	return string(b.scratch)
}

// certChars returns one characteristic per certificate, named by its
// thumbprint.
func (b *builder) certChars(path string, certs [][]byte) ([]Node, error) {
	out := make([]Node, 0, len(certs))
	var seen []string
	for _, der := range certs {
		if len(der) == 0 {
			return nil, fieldErr(path, ErrRequired, "empty certificate")
		}
		ct := authorityText(der)
		if slices.Contains(seen, ct.thumbprint) {
			return nil, fieldErr(path+"/"+ct.thumbprint, ErrInvalid, "certificate given twice")
		}
		seen = append(seen, ct.thumbprint)
		out = append(out, b.char(ct.thumbprint, b.parm(Parm{Name: parmEncodedCert, Value: ct.base64})))
	}
	return out, nil
}

// certChar returns the characteristic of one certificate, named by its
// thumbprint.
func (b *builder) certChar(path string, der []byte) (*Characteristic, error) {
	if len(der) == 0 {
		return nil, fieldErr(path, ErrRequired, "empty certificate")
	}
	return b.char(Thumbprint(der), b.parm(Parm{Name: parmEncodedCert, Value: b.base64(der)})), nil
}

// certText is a certificate's thumbprint and base64.
type certText struct {
	der                []byte
	thumbprint, base64 string
}

// authorities keeps the text of the last root and intermediate
// certificates written (a server writes its CA's into every document),
// at most maxAuthorities, newest first; the list is replaced, never
// changed.
var authorities atomic.Pointer[[]certText]

const maxAuthorities = 8

// authorityText returns the thumbprint and base64 of a root or
// intermediate certificate, from authorities when it is there.
func authorityText(der []byte) certText {
	var list []certText
	if p := authorities.Load(); p != nil {
		list = *p
	}
	for _, c := range list {
		if bytes.Equal(c.der, der) {
			return c
		}
	}
	c := certText{der: bytes.Clone(der), thumbprint: Thumbprint(der), base64: b64.EncodeToString(der)}
	next := append([]certText{c}, list[:min(len(list), maxAuthorities-1)]...)
	authorities.Store(&next)
	return c
}

// Parm names of WSTEP/Renew.
const (
	parmROBOSupport   = "ROBOSupport"
	parmRenewPeriod   = "RenewPeriod"
	parmRetryInterval = "RetryInterval"
	parmServerURL     = "ServerURL"
)

var renewParms = []string{parmROBOSupport, parmRenewPeriod, parmRetryInterval, parmServerURL}

func (b *builder) buildRenew(r *Renew) (*Characteristic, error) {
	const path = cspCertificateStore + "/My/WSTEP/Renew"
	var kids [4]Node
	c := kids[:0]
	if r.ROBOSupport != nil {
		c = append(c, b.boolParm(*r.ROBOSupport, parmROBOSupport))
	}
	for _, f := range []struct {
		name string
		v    *time.Duration
	}{{parmRenewPeriod, r.RenewPeriod}, {parmRetryInterval, r.RetryInterval}} {
		if f.v == nil {
			continue
		}
		p, err := b.durParm(path, f.name, *f.v, 24*time.Hour, "integer")
		if err != nil {
			return nil, err
		}
		c = append(c, p)
	}
	if r.ServerURL != "" {
		c = append(c, b.parm(Parm{Name: parmServerURL, Value: r.ServerURL, Datatype: "string"}))
	}
	if err := checkOther(path, r.Other, renewParms); err != nil {
		return nil, err
	}
	c = append(c, r.Other...)
	return b.char("Renew", c...), nil
}

func (b *builder) boolParm(v bool, name string) *Parm {
	return b.parm(Parm{Name: name, Value: strconv.FormatBool(v), Datatype: "boolean"})
}

// durParm writes d as a whole number of units.
func (b *builder) durParm(path, name string, d, unit time.Duration, datatype string) (*Parm, error) {
	if d < 0 || d%unit != 0 {
		return nil, fieldErr(path+"/"+name, ErrInvalid, "%v is not a whole number of %v", d, unit)
	}
	return b.parm(Parm{Name: name, Value: strconv.FormatInt(int64(d/unit), 10), Datatype: datatype}), nil
}

// Parm names of the w7 APPLICATION.
const (
	parmAppID           = "APPID"
	parmProviderID      = "PROVIDER-ID"
	parmName            = "NAME"
	parmAddr            = "ADDR"
	parmConnRetryFreq   = "CONNRETRYFREQ"
	parmInitialBackoff  = "INITIALBACKOFFTIME"
	parmMaxBackoff      = "MAXBACKOFFTIME"
	parmBackCompat      = "BACKCOMPATRETRYDISABLED"
	parmDefaultEncoding = "DEFAULTENCODING"
	parmSSLSearch       = "SSLCLIENTCERTSEARCHCRITERIA"
	parmAuthLevel       = "AAUTHLEVEL"
	parmAuthType        = "AAUTHTYPE"
	parmAuthName        = "AAUTHNAME"
	parmAuthSecret      = "AAUTHSECRET"
	parmAuthData        = "AAUTHDATA"
)

// appParms are the parms of APPLICATION that have a field.
var appParms = []string{parmAppID, parmProviderID, parmName, parmAddr, parmConnRetryFreq, parmInitialBackoff,
	parmMaxBackoff, parmBackCompat, parmDefaultEncoding, parmSSLSearch}

func (b *builder) buildApplication(a *Application) (*Characteristic, error) {
	const path = cspApplication
	if a.ProviderID == "" {
		return nil, fieldErr(path+"/"+parmProviderID, ErrRequired, "")
	}
	var kids [14]Node
	c := append(kids[:0],
		b.parm(Parm{Name: parmAppID, Value: AppIDW7}),
		b.parm(Parm{Name: parmProviderID, Value: a.ProviderID}))
	if a.Name != "" {
		c = append(c, b.parm(Parm{Name: parmName, Value: a.Name}))
	}
	if a.Addr != "" {
		c = append(c, b.parm(Parm{Name: parmAddr, Value: a.Addr}))
	}
	if a.ConnRetryFreq != nil {
		if *a.ConnRetryFreq < 0 {
			return nil, fieldErr(path+"/"+parmConnRetryFreq, ErrInvalid, "%d is negative", *a.ConnRetryFreq)
		}
		c = append(c, b.parm(Parm{Name: parmConnRetryFreq, Value: strconv.Itoa(*a.ConnRetryFreq)}))
	}
	for _, f := range []struct {
		name string
		v    *time.Duration
	}{{parmInitialBackoff, a.InitialBackoff}, {parmMaxBackoff, a.MaxBackoff}} {
		if f.v == nil {
			continue
		}
		p, err := b.durParm(path, f.name, *f.v, time.Millisecond, "")
		if err != nil {
			return nil, err
		}
		c = append(c, p)
	}
	if a.BackCompatRetryDisabled {
		c = append(c, b.parm(Parm{Name: parmBackCompat, NoValue: true}))
	}
	enc := a.DefaultEncoding
	if enc == "" {
		enc = EncodingXML
	}
	c = append(c, b.parm(Parm{Name: parmDefaultEncoding, Value: enc}))
	if a.SSLClientCertSearchCriteria != "" {
		c = append(c, b.parm(Parm{Name: parmSSLSearch, Value: a.SSLClientCertSearchCriteria}))
	}
	if (a.Client == nil) != (a.AppSrv == nil) {
		return nil, fieldErr(path+"/"+charAppAuth, ErrRequired, "both the CLIENT and the APPSRV credentials must be given")
	}
	if a.Client != nil {
		if a.Client.Type != "DIGEST" {
			return nil, fieldErr(path+"/APPAUTH[CLIENT]/"+parmAuthType, ErrInvalid, "%q: the CLIENT level takes DIGEST", a.Client.Type)
		}
		auth, err := b.buildAppAuth(levelClient, a.Client)
		if err != nil {
			return nil, err
		}
		c = append(c, auth)
	}
	if a.AppSrv != nil {
		if t := a.AppSrv.Type; t != "" && t != "BASIC" && t != "DIGEST" {
			return nil, fieldErr(path+"/APPAUTH[APPSRV]/"+parmAuthType, ErrInvalid, "%q is neither BASIC nor DIGEST", t)
		}
		auth, err := b.buildAppAuth(levelAppSrv, a.AppSrv)
		if err != nil {
			return nil, err
		}
		c = append(c, auth)
	}
	if err := checkOther(path, a.Other, appParms, charAppAuth); err != nil {
		return nil, err
	}
	c = append(c, a.Other...)
	return b.char(cspApplication, c...), nil
}

var authParms = []string{parmAuthLevel, parmAuthType, parmAuthName, parmAuthSecret, parmAuthData}

func (b *builder) buildAppAuth(level string, a *AppAuth) (*Characteristic, error) {
	var kids [5]Node
	c := append(kids[:0], b.parm(Parm{Name: parmAuthLevel, Value: level}))
	if a.Type != "" {
		c = append(c, b.parm(Parm{Name: parmAuthType, Value: a.Type}))
	}
	if a.Name != "" {
		c = append(c, b.parm(Parm{Name: parmAuthName, Value: a.Name}))
	}
	c = append(c, b.parm(Parm{Name: parmAuthSecret, Value: a.Secret}))
	if a.Data != nil {
		c = append(c, b.parm(Parm{Name: parmAuthData, Value: b.base64(a.Data)}))
	}
	if len(a.Other) > 0 {
		if err := checkOther(cspApplication+"/APPAUTH["+level+"]", a.Other, authParms); err != nil {
			return nil, err
		}
		c = append(c, a.Other...)
	}
	return b.char(charAppAuth, c...), nil
}

// Parm and characteristic names of a DMClient provider.
const (
	parmEntDMID        = "EntDMID"
	parmEntDeviceName  = "EntDeviceName"
	parmUPN            = "UPN"
	parmCertRenewStamp = "CertRenewTimeStamp"
	charPoll           = "Poll"
)

var providerParms = []string{parmEntDMID, parmEntDeviceName, parmUPN, parmCertRenewStamp}

// pollField is one parm of Poll: an int, a duration in minutes or a bool.
type pollField struct {
	name string
	n    **int
	d    **time.Duration
	b    **bool
}

func pollFields(p *Poll) []pollField {
	return []pollField{
		{name: "NumberOfFirstRetries", n: &p.NumberOfFirstRetries},
		{name: "IntervalForFirstSetOfRetries", d: &p.IntervalForFirstSetOfRetries},
		{name: "NumberOfSecondRetries", n: &p.NumberOfSecondRetries},
		{name: "IntervalForSecondSetOfRetries", d: &p.IntervalForSecondSetOfRetries},
		{name: "NumberOfRemainingScheduledRetries", n: &p.NumberOfRemainingScheduledRetries},
		{name: "IntervalForRemainingScheduledRetries", d: &p.IntervalForRemainingScheduledRetries},
		{name: "PollOnLogin", b: &p.PollOnLogin},
		{name: "AllUsersPollOnFirstLogin", b: &p.AllUsersPollOnFirstLogin},
	}
}

// pollNames are the parm names of Poll's fields.
func pollNames() []string {
	fields := pollFields(&Poll{})
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return names
}

func (b *builder) buildDMClient(id string, m *DMClient) (*Characteristic, error) {
	path := func() string { return cspDMClient + "/Provider/" + id }
	var kids [5]Node
	c := kids[:0]
	for _, f := range []struct{ name, v string }{
		{parmEntDMID, m.EntDMID}, {parmEntDeviceName, m.EntDeviceName}, {parmUPN, m.UPN},
		{parmCertRenewStamp, m.CertRenewTimeStamp},
	} {
		if f.v != "" {
			c = append(c, b.parm(Parm{Name: f.name, Value: f.v, Datatype: "string"}))
		}
	}
	if m.Poll != nil {
		var pollKids [8]Node
		poll := pollKids[:0]
		for _, f := range pollFields(m.Poll) {
			switch {
			case f.n != nil && *f.n != nil:
				if **f.n < 0 {
					return nil, fieldErr(path()+"/Poll/"+f.name, ErrInvalid, "%d is negative", **f.n)
				}
				poll = append(poll, b.parm(Parm{Name: f.name, Value: strconv.Itoa(**f.n), Datatype: "integer"}))
			case f.d != nil && *f.d != nil:
				p, err := b.durParm(path()+"/Poll", f.name, **f.d, time.Minute, "integer")
				if err != nil {
					return nil, err
				}
				poll = append(poll, p)
			case f.b != nil && *f.b != nil:
				poll = append(poll, b.boolParm(**f.b, f.name))
			}
		}
		if err := checkOther(path()+"/Poll", m.Poll.Other, pollNames()); err != nil {
			return nil, err
		}
		poll = append(poll, m.Poll.Other...)
		c = append(c, b.char(charPoll, poll...))
	}
	if len(m.Other) > 0 {
		if err := checkOther(path(), m.Other, providerParms, charPoll); err != nil {
			return nil, err
		}
		c = append(c, m.Other...)
	}
	return b.char(id, c...), nil
}

// checkOther refuses, among nodes kept in an Other field, a parm or
// characteristic that has a field of its own (it would be read back into
// the field), and nil nodes.
func checkOther(path string, nodes []Node, parms []string, chars ...string) error {
	if err := checkNodes(path, nodes); err != nil {
		return err
	}
	for _, n := range nodes {
		switch n := n.(type) {
		case *Parm:
			for _, p := range parms {
				if n.Name == p {
					return fieldErr(path+"/"+p, ErrInvalid, "in Other; it has a field")
				}
			}
		case *Characteristic:
			for _, c := range chars {
				if n.Type == c {
					return fieldErr(path+"/"+c, ErrInvalid, "in Other; it has a field")
				}
			}
		}
	}
	return nil
}

// checkNodes refuses nil nodes, at any depth.
func checkNodes(path string, nodes []Node) error {
	return checkTree(path, nodes)
}

func isNilNode(n Node) bool {
	switch n := n.(type) {
	case *Characteristic:
		return n == nil
	case *Parm:
		return n == nil
	case *Element:
		return n == nil
	case *Comment:
		return n == nil
	case *Text:
		return n == nil
	}
	return false
}

// SearchCriteria returns an SSLCLIENTCERTSEARCHCRITERIA value that selects
// the client certificate by subject in the given stores (such as
// `My\User`): "Subject=<subject>&Stores=<store>", each value
// percent-encoded outside RFC 2396's unreserved characters, several stores
// separated by U+F000 (encoded %EF%80%80).
func SearchCriteria(subject string, stores ...string) string {
	var b strings.Builder
	n := len("Subject=") + escapedLen(subject) + len("&Stores=")
	for _, s := range stores {
		n += escapedLen(s) + 9
	}
	b.Grow(n)
	b.WriteString("Subject=")
	criteriaEscape(&b, subject)
	if len(stores) > 0 {
		b.WriteString("&Stores=")
		for i, s := range stores {
			if i > 0 {
				criteriaEscape(&b, "\uF000")
			}
			criteriaEscape(&b, s)
		}
	}
	return b.String()
}

// unreserved marks RFC 2396's unreserved characters, which
// SSLCLIENTCERTSEARCHCRITERIA values carry as they are.
var unreserved = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", byte(c)) >= 0
	}
	return t
}()

// escapedLen is the length of s percent-encoded.
func escapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreserved[s[i]] {
			n += 2
		}
	}
	return n
}

func criteriaEscape(b *strings.Builder, s string) {
	const hexdig = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved[c] {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
}

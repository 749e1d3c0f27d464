package provisioning

import (
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
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
	d := &Document{Version: Version11}
	if len(e.RootCerts) > 0 || len(e.CACerts) > 0 {
		cs := &Characteristic{Type: cspCertificateStore}
		for _, s := range []struct {
			name  string
			certs [][]byte
		}{{"Root", e.RootCerts}, {"CA", e.CACerts}} {
			if len(s.certs) == 0 {
				continue
			}
			sys, err := certChars(cspCertificateStore+"/"+s.name+"/System", s.certs)
			if err != nil {
				return nil, err
			}
			cs.Nodes = append(cs.Nodes, char(s.name, char("System", sys...)))
		}
		d.Nodes = append(d.Nodes, cs)
	}
	if e.ClientCert != nil || e.Renew != nil {
		my := &Characteristic{Type: "My"}
		if e.ClientCert != nil {
			store := e.ClientStore
			if store == "" {
				store = StoreUser
			}
			if store != StoreUser && store != StoreSystem {
				return nil, fieldErr(cspCertificateStore+"/My", ErrInvalid, "store %q is neither User nor System", store)
			}
			certs, err := certChars(cspCertificateStore+"/My/"+string(store), [][]byte{e.ClientCert})
			if err != nil {
				return nil, err
			}
			my.Nodes = append(my.Nodes, char(string(store), append(certs, char(charPrivateKey))...))
		}
		if e.Renew != nil {
			renew, err := buildRenew(e.Renew)
			if err != nil {
				return nil, err
			}
			my.Nodes = append(my.Nodes, char("WSTEP", renew))
		}
		d.Nodes = append(d.Nodes, char(cspCertificateStore, my))
	}
	if e.Application != nil {
		app, err := buildApplication(e.Application)
		if err != nil {
			return nil, err
		}
		d.Nodes = append(d.Nodes, app)
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
		prov, err := buildDMClient(id, e.DMClient)
		if err != nil {
			return nil, err
		}
		d.Nodes = append(d.Nodes, char(cspDMClient, char("Provider", prov)))
	}
	if err := checkNodes("Other", e.Other); err != nil {
		return nil, err
	}
	d.Nodes = append(d.Nodes, e.Other...)
	return d, nil
}

func char(typ string, nodes ...Node) *Characteristic {
	return &Characteristic{Type: typ, Nodes: nodes}
}

// certChars returns one characteristic per certificate, named by its
// thumbprint.
func certChars(path string, certs [][]byte) ([]Node, error) {
	var out []Node
	seen := map[string]bool{}
	for _, der := range certs {
		if len(der) == 0 {
			return nil, fieldErr(path, ErrRequired, "empty certificate")
		}
		tp := Thumbprint(der)
		if seen[tp] {
			return nil, fieldErr(path+"/"+tp, ErrInvalid, "certificate given twice")
		}
		seen[tp] = true
		out = append(out, char(tp, &Parm{Name: parmEncodedCert, Value: base64.StdEncoding.EncodeToString(der)}))
	}
	return out, nil
}

// Parm names of WSTEP/Renew.
const (
	parmROBOSupport   = "ROBOSupport"
	parmRenewPeriod   = "RenewPeriod"
	parmRetryInterval = "RetryInterval"
	parmServerURL     = "ServerURL"
)

var renewParms = []string{parmROBOSupport, parmRenewPeriod, parmRetryInterval, parmServerURL}

func buildRenew(r *Renew) (*Characteristic, error) {
	const path = cspCertificateStore + "/My/WSTEP/Renew"
	c := char("Renew")
	if r.ROBOSupport != nil {
		c.Nodes = append(c.Nodes, boolParm(*r.ROBOSupport, parmROBOSupport))
	}
	for _, f := range []struct {
		name string
		v    *time.Duration
	}{{parmRenewPeriod, r.RenewPeriod}, {parmRetryInterval, r.RetryInterval}} {
		if f.v == nil {
			continue
		}
		p, err := durParm(path, f.name, *f.v, 24*time.Hour, "integer")
		if err != nil {
			return nil, err
		}
		c.Nodes = append(c.Nodes, p)
	}
	if r.ServerURL != "" {
		c.Nodes = append(c.Nodes, &Parm{Name: parmServerURL, Value: r.ServerURL, Datatype: "string"})
	}
	if err := checkOther(path, r.Other, renewParms); err != nil {
		return nil, err
	}
	c.Nodes = append(c.Nodes, r.Other...)
	return c, nil
}

func boolParm(v bool, name string) *Parm {
	return &Parm{Name: name, Value: strconv.FormatBool(v), Datatype: "boolean"}
}

// durParm writes d as a whole number of units.
func durParm(path, name string, d, unit time.Duration, datatype string) (*Parm, error) {
	if d < 0 || d%unit != 0 {
		return nil, fieldErr(path+"/"+name, ErrInvalid, "%v is not a whole number of %v", d, unit)
	}
	return &Parm{Name: name, Value: strconv.FormatInt(int64(d/unit), 10), Datatype: datatype}, nil
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

func buildApplication(a *Application) (*Characteristic, error) {
	const path = cspApplication
	if a.ProviderID == "" {
		return nil, fieldErr(path+"/"+parmProviderID, ErrRequired, "")
	}
	c := &Characteristic{Type: cspApplication, Nodes: make([]Node, 0, 14+len(a.Other))}
	c.Nodes = append(c.Nodes,
		&Parm{Name: parmAppID, Value: AppIDW7},
		&Parm{Name: parmProviderID, Value: a.ProviderID})
	if a.Name != "" {
		c.Nodes = append(c.Nodes, &Parm{Name: parmName, Value: a.Name})
	}
	if a.Addr != "" {
		c.Nodes = append(c.Nodes, &Parm{Name: parmAddr, Value: a.Addr})
	}
	if a.ConnRetryFreq != nil {
		if *a.ConnRetryFreq < 0 {
			return nil, fieldErr(path+"/"+parmConnRetryFreq, ErrInvalid, "%d is negative", *a.ConnRetryFreq)
		}
		c.Nodes = append(c.Nodes, &Parm{Name: parmConnRetryFreq, Value: strconv.Itoa(*a.ConnRetryFreq)})
	}
	for _, f := range []struct {
		name string
		v    *time.Duration
	}{{parmInitialBackoff, a.InitialBackoff}, {parmMaxBackoff, a.MaxBackoff}} {
		if f.v == nil {
			continue
		}
		p, err := durParm(path, f.name, *f.v, time.Millisecond, "")
		if err != nil {
			return nil, err
		}
		c.Nodes = append(c.Nodes, p)
	}
	if a.BackCompatRetryDisabled {
		c.Nodes = append(c.Nodes, &Parm{Name: parmBackCompat, NoValue: true})
	}
	enc := a.DefaultEncoding
	if enc == "" {
		enc = EncodingXML
	}
	c.Nodes = append(c.Nodes, &Parm{Name: parmDefaultEncoding, Value: enc})
	if a.SSLClientCertSearchCriteria != "" {
		c.Nodes = append(c.Nodes, &Parm{Name: parmSSLSearch, Value: a.SSLClientCertSearchCriteria})
	}
	if (a.Client == nil) != (a.AppSrv == nil) {
		return nil, fieldErr(path+"/"+charAppAuth, ErrRequired, "both the CLIENT and the APPSRV credentials must be given")
	}
	if a.Client != nil {
		if a.Client.Type != "DIGEST" {
			return nil, fieldErr(path+"/APPAUTH[CLIENT]/"+parmAuthType, ErrInvalid, "%q: the CLIENT level takes DIGEST", a.Client.Type)
		}
		auth, err := buildAppAuth(levelClient, a.Client)
		if err != nil {
			return nil, err
		}
		c.Nodes = append(c.Nodes, auth)
	}
	if a.AppSrv != nil {
		if t := a.AppSrv.Type; t != "" && t != "BASIC" && t != "DIGEST" {
			return nil, fieldErr(path+"/APPAUTH[APPSRV]/"+parmAuthType, ErrInvalid, "%q is neither BASIC nor DIGEST", t)
		}
		auth, err := buildAppAuth(levelAppSrv, a.AppSrv)
		if err != nil {
			return nil, err
		}
		c.Nodes = append(c.Nodes, auth)
	}
	if err := checkOther(path, a.Other, appParms, charAppAuth); err != nil {
		return nil, err
	}
	c.Nodes = append(c.Nodes, a.Other...)
	return c, nil
}

var authParms = []string{parmAuthLevel, parmAuthType, parmAuthName, parmAuthSecret, parmAuthData}

func buildAppAuth(level string, a *AppAuth) (*Characteristic, error) {
	c := char(charAppAuth, &Parm{Name: parmAuthLevel, Value: level})
	if a.Type != "" {
		c.Nodes = append(c.Nodes, &Parm{Name: parmAuthType, Value: a.Type})
	}
	if a.Name != "" {
		c.Nodes = append(c.Nodes, &Parm{Name: parmAuthName, Value: a.Name})
	}
	c.Nodes = append(c.Nodes, &Parm{Name: parmAuthSecret, Value: a.Secret})
	if a.Data != nil {
		c.Nodes = append(c.Nodes, &Parm{Name: parmAuthData, Value: base64.StdEncoding.EncodeToString(a.Data)})
	}
	if err := checkOther(cspApplication+"/APPAUTH["+level+"]", a.Other, authParms); err != nil {
		return nil, err
	}
	c.Nodes = append(c.Nodes, a.Other...)
	return c, nil
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

func buildDMClient(id string, m *DMClient) (*Characteristic, error) {
	path := cspDMClient + "/Provider/" + id
	c := char(id)
	for _, f := range []struct{ name, v string }{
		{parmEntDMID, m.EntDMID}, {parmEntDeviceName, m.EntDeviceName}, {parmUPN, m.UPN},
		{parmCertRenewStamp, m.CertRenewTimeStamp},
	} {
		if f.v != "" {
			c.Nodes = append(c.Nodes, &Parm{Name: f.name, Value: f.v, Datatype: "string"})
		}
	}
	if m.Poll != nil {
		poll := char(charPoll)
		for _, f := range pollFields(m.Poll) {
			switch {
			case f.n != nil && *f.n != nil:
				if **f.n < 0 {
					return nil, fieldErr(path+"/Poll/"+f.name, ErrInvalid, "%d is negative", **f.n)
				}
				poll.Nodes = append(poll.Nodes, &Parm{Name: f.name, Value: strconv.Itoa(**f.n), Datatype: "integer"})
			case f.d != nil && *f.d != nil:
				p, err := durParm(path+"/Poll", f.name, **f.d, time.Minute, "integer")
				if err != nil {
					return nil, err
				}
				poll.Nodes = append(poll.Nodes, p)
			case f.b != nil && *f.b != nil:
				poll.Nodes = append(poll.Nodes, boolParm(**f.b, f.name))
			}
		}
		if err := checkOther(path+"/Poll", m.Poll.Other, pollNames()); err != nil {
			return nil, err
		}
		poll.Nodes = append(poll.Nodes, m.Poll.Other...)
		c.Nodes = append(c.Nodes, poll)
	}
	if err := checkOther(path, m.Other, providerParms, charPoll); err != nil {
		return nil, err
	}
	c.Nodes = append(c.Nodes, m.Other...)
	return c, nil
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
	b.WriteString("Subject=")
	b.WriteString(criteriaEscape(subject))
	if len(stores) > 0 {
		b.WriteString("&Stores=")
		for i, s := range stores {
			if i > 0 {
				b.WriteString(criteriaEscape("\uF000"))
			}
			b.WriteString(criteriaEscape(s))
		}
	}
	return b.String()
}

func criteriaEscape(s string) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

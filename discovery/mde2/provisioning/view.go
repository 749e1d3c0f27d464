package provisioning

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"
)

// Enrollment reads the typed view of d: the certificates of the
// CertificateStore characteristics, the w7 APPLICATION (an APPLICATION
// without APPID is taken as w7, as in the documented renewal answer) and
// the DMClient provider whose ID is the w7 PROVIDER-ID (or the first
// provider when there is no APPLICATION). What the view does not model is
// kept in the Other fields; comments are dropped.
//
// Values are checked: a certificate characteristic must be named by the
// SHA-1 thumbprint of its certificate (in either case) and hold it as
// base64 without white space, numbers and booleans must parse, a parm or
// APPAUTH level the view models must not repeat, and the provider IDs must
// agree. The first value that breaks a rule is a *FieldError naming its
// characteristic and parm.
func (d *Document) Enrollment() (*Enrollment, error) {
	if d == nil {
		return nil, &FieldError{Path: rootPath, Err: ErrRequired}
	}
	if err := checkTree(rootPath, d.Nodes); err != nil {
		return nil, err
	}
	e := &Enrollment{}
	var app *Characteristic
	for _, n := range d.Nodes {
		c, ok := n.(*Characteristic)
		if !ok || c.Type != cspApplication {
			continue
		}
		if id := c.Parm(parmAppID); id != nil && id.Value != AppIDW7 {
			continue
		}
		if app != nil {
			return nil, fieldErr(cspApplication, ErrInvalid, "a second w7 APPLICATION")
		}
		app = c
	}
	if app != nil {
		a, err := readApplication(app)
		if err != nil {
			return nil, err
		}
		e.Application = a
	}
	for _, n := range d.Nodes {
		switch n := n.(type) {
		case *Comment:
		case *Characteristic:
			switch {
			case n == app:
			case n.Type == cspCertificateStore:
				if err := e.readCertStore(n); err != nil {
					return nil, err
				}
			case n.Type == cspDMClient:
				if err := e.readDMClient(n); err != nil {
					return nil, err
				}
			default:
				e.Other = append(e.Other, n)
			}
		default:
			e.Other = append(e.Other, n)
		}
	}
	return e, nil
}

// wrap returns n inside copies (type and attributes) of its ancestors.
func wrap(n Node, ancestors ...*Characteristic) Node {
	for i := len(ancestors) - 1; i >= 0; i-- {
		a := ancestors[i]
		n = &Characteristic{Type: a.Type, Attrs: a.Attrs, Nodes: []Node{n}}
	}
	return n
}

func (e *Enrollment) readCertStore(cs *Characteristic) error {
	for _, n := range cs.Nodes {
		c, ok := n.(*Characteristic)
		if !ok {
			if _, ok := n.(*Comment); !ok {
				e.Other = append(e.Other, wrap(n, cs))
			}
			continue
		}
		switch c.Type {
		case "Root", "CA":
			for _, m := range c.Nodes {
				sys, ok := m.(*Characteristic)
				if !ok || sys.Type != "System" {
					if _, ok := m.(*Comment); !ok {
						e.Other = append(e.Other, wrap(m, cs, c))
					}
					continue
				}
				path := cspCertificateStore + "/" + c.Type + "/System"
				for _, k := range sys.Nodes {
					if _, ok := k.(*Comment); ok {
						continue
					}
					der, other, err := readCert(path, k)
					if err != nil {
						return err
					}
					switch {
					case other:
						e.Other = append(e.Other, wrap(k, cs, c, sys))
					case c.Type == "Root":
						e.RootCerts = append(e.RootCerts, der)
					default:
						e.CACerts = append(e.CACerts, der)
					}
				}
			}
		case "My":
			if err := e.readMy(cs, c); err != nil {
				return err
			}
		default:
			e.Other = append(e.Other, wrap(c, cs))
		}
	}
	return nil
}

func (e *Enrollment) readMy(cs, my *Characteristic) error {
	for _, m := range my.Nodes {
		c, ok := m.(*Characteristic)
		switch {
		case !ok:
			if _, ok := m.(*Comment); !ok {
				e.Other = append(e.Other, wrap(m, cs, my))
			}
		case c.Type == string(StoreUser) || c.Type == string(StoreSystem):
			path := cspCertificateStore + "/My/" + c.Type
			for _, k := range c.Nodes {
				if _, ok := k.(*Comment); ok {
					continue
				}
				if pk, ok := k.(*Characteristic); ok && pk.Type == charPrivateKey && len(pk.Nodes) == 0 && len(pk.Attrs) == 0 {
					continue // Build writes it beside the certificate
				}
				der, other, err := readCert(path, k)
				if err != nil {
					return err
				}
				if other {
					e.Other = append(e.Other, wrap(k, cs, my, c))
					continue
				}
				if e.ClientCert != nil {
					return fieldErr(path+"/"+k.(*Characteristic).Type, ErrInvalid, "a second client certificate")
				}
				e.ClientCert, e.ClientStore = der, Store(c.Type)
			}
		case c.Type == "WSTEP":
			for _, k := range c.Nodes {
				r, ok := k.(*Characteristic)
				if !ok || r.Type != "Renew" {
					if _, ok := k.(*Comment); !ok {
						e.Other = append(e.Other, wrap(k, cs, my, c))
					}
					continue
				}
				if e.Renew != nil {
					return fieldErr(cspCertificateStore+"/My/WSTEP/Renew", ErrInvalid, "a second Renew")
				}
				renew, err := readRenew(r)
				if err != nil {
					return err
				}
				e.Renew = renew
			}
		default:
			e.Other = append(e.Other, wrap(c, cs, my))
		}
	}
	return nil
}

// readCert reads a certificate characteristic: named by the thumbprint,
// holding EncodedCertificate (and, as in the documented renewal answer, an
// empty PrivateKeyContainer). other reports a node that is not one. n is
// not a comment.
func readCert(path string, n Node) (der []byte, other bool, err error) {
	c, ok := n.(*Characteristic)
	if !ok {
		return nil, true, nil
	}
	path += "/" + c.Type
	var enc *Parm
	for _, k := range c.Nodes {
		switch k := k.(type) {
		case *Comment:
		case *Parm:
			if k.Name != parmEncodedCert || enc != nil {
				return nil, true, nil
			}
			enc = k
		case *Characteristic:
			if k.Type != charPrivateKey || len(k.Nodes) > 0 || len(k.Attrs) > 0 {
				return nil, true, nil
			}
		default:
			return nil, true, nil
		}
	}
	if enc == nil || len(c.Attrs) > 0 || len(enc.Attrs) > 0 {
		return nil, true, nil
	}
	path += "/" + parmEncodedCert
	if strings.ContainsAny(enc.Value, " \t\r\n") {
		return nil, false, fieldErr(path, ErrInvalid, "base64 with white space")
	}
	der, err = base64.StdEncoding.Strict().DecodeString(enc.Value)
	if err != nil {
		return nil, false, fieldErr(path, ErrInvalid, "not base64: %v", err)
	}
	if len(der) == 0 {
		return nil, false, fieldErr(path, ErrRequired, "empty certificate")
	}
	if tp := Thumbprint(der); !strings.EqualFold(tp, c.Type) {
		return nil, false, fieldErr(path, ErrThumbprint, "SHA-1 is %s", tp)
	}
	return der, false, nil
}

// parms collects the parms of c that have fields; a repeated one is an
// error, the rest go to other (comments dropped).
func parms(path string, c *Characteristic, known []string, chars []string) (map[string]*Parm, []*Characteristic, []Node, error) {
	got := map[string]*Parm{}
	var sub []*Characteristic
	var other []Node
	for _, n := range c.Nodes {
		switch n := n.(type) {
		case *Comment:
		case *Parm:
			if !contains(known, n.Name) {
				other = append(other, n)
				continue
			}
			if got[n.Name] != nil {
				return nil, nil, nil, fieldErr(path+"/"+n.Name, ErrInvalid, "given twice")
			}
			got[n.Name] = n
		case *Characteristic:
			if contains(chars, n.Type) {
				sub = append(sub, n)
				continue
			}
			other = append(other, n)
		default:
			other = append(other, n)
		}
	}
	return got, sub, other, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func readRenew(c *Characteristic) (*Renew, error) {
	const path = cspCertificateStore + "/My/WSTEP/Renew"
	got, _, other, err := parms(path, c, renewParms, nil)
	if err != nil {
		return nil, err
	}
	r := &Renew{Other: other}
	if p := got[parmROBOSupport]; p != nil {
		if r.ROBOSupport, err = readBool(path, p); err != nil {
			return nil, err
		}
	}
	if p := got[parmRenewPeriod]; p != nil {
		if r.RenewPeriod, err = readDur(path, p, 24*time.Hour); err != nil {
			return nil, err
		}
	}
	if p := got[parmRetryInterval]; p != nil {
		if r.RetryInterval, err = readDur(path, p, 24*time.Hour); err != nil {
			return nil, err
		}
	}
	if p := got[parmServerURL]; p != nil {
		r.ServerURL = p.Value
	}
	return r, nil
}

func readBool(path string, p *Parm) (*bool, error) {
	switch strings.ToLower(p.Value) {
	case "true":
		return new(true), nil
	case "false":
		return new(false), nil
	}
	return nil, fieldErr(path+"/"+p.Name, ErrInvalid, "%q is not a boolean", p.Value)
}

func readInt(path string, p *Parm) (*int, error) {
	v, err := strconv.ParseInt(p.Value, 10, 32)
	if err != nil || v < 0 {
		return nil, fieldErr(path+"/"+p.Name, ErrInvalid, "%q is not a non-negative integer", p.Value)
	}
	return new(int(v)), nil
}

func readDur(path string, p *Parm, unit time.Duration) (*time.Duration, error) {
	v, err := strconv.ParseInt(p.Value, 10, 64)
	if err != nil || v < 0 || v > math.MaxInt64/int64(unit) {
		return nil, fieldErr(path+"/"+p.Name, ErrInvalid, "%q is not a non-negative integer (of %v)", p.Value, unit)
	}
	return new(time.Duration(v) * unit), nil
}

func readApplication(c *Characteristic) (*Application, error) {
	const path = cspApplication
	got, auths, other, err := parms(path, c, appParms, []string{charAppAuth})
	if err != nil {
		return nil, err
	}
	a := &Application{Other: other}
	str := func(name string) string {
		if p := got[name]; p != nil {
			return p.Value
		}
		return ""
	}
	a.ProviderID = str(parmProviderID)
	a.Name = str(parmName)
	a.Addr = str(parmAddr)
	a.DefaultEncoding = str(parmDefaultEncoding)
	a.SSLClientCertSearchCriteria = str(parmSSLSearch)
	if p := got[parmConnRetryFreq]; p != nil {
		if a.ConnRetryFreq, err = readInt(path, p); err != nil {
			return nil, err
		}
	}
	if p := got[parmInitialBackoff]; p != nil {
		if a.InitialBackoff, err = readDur(path, p, time.Millisecond); err != nil {
			return nil, err
		}
	}
	if p := got[parmMaxBackoff]; p != nil {
		if a.MaxBackoff, err = readDur(path, p, time.Millisecond); err != nil {
			return nil, err
		}
	}
	if p := got[parmBackCompat]; p != nil {
		a.BackCompatRetryDisabled = true
	}
	for _, au := range auths {
		ap, err := readAppAuth(au)
		if err != nil {
			return nil, err
		}
		level := au.Parm(parmAuthLevel).Value
		dst := &a.Client
		if level == levelAppSrv {
			dst = &a.AppSrv
		}
		if *dst != nil {
			return nil, fieldErr(path+"/APPAUTH["+level+"]", ErrInvalid, "given twice")
		}
		*dst = ap
	}
	return a, nil
}

func readAppAuth(c *Characteristic) (*AppAuth, error) {
	path := cspApplication + "/" + charAppAuth
	got, _, other, err := parms(path, c, authParms, nil)
	if err != nil {
		return nil, err
	}
	lv := got[parmAuthLevel]
	if lv == nil {
		return nil, fieldErr(path+"/"+parmAuthLevel, ErrRequired, "")
	}
	if lv.Value != levelClient && lv.Value != levelAppSrv {
		return nil, fieldErr(path+"/"+parmAuthLevel, ErrInvalid, "%q is neither CLIENT nor APPSRV", lv.Value)
	}
	path += "[" + lv.Value + "]"
	a := &AppAuth{Other: other}
	if p := got[parmAuthType]; p != nil {
		a.Type = p.Value
	}
	if p := got[parmAuthName]; p != nil {
		a.Name = p.Value
	}
	if p := got[parmAuthSecret]; p != nil {
		a.Secret = p.Value
	}
	if p := got[parmAuthData]; p != nil {
		if a.Data, err = base64.StdEncoding.Strict().DecodeString(p.Value); err != nil {
			return nil, fieldErr(path+"/"+parmAuthData, ErrInvalid, "not base64: %v", err)
		}
		if a.Data == nil {
			a.Data = []byte{}
		}
	}
	return a, nil
}

func (e *Enrollment) readDMClient(dc *Characteristic) error {
	want := ""
	if e.Application != nil {
		want = e.Application.ProviderID
	}
	var stranger string
	for _, n := range dc.Nodes {
		prov, ok := n.(*Characteristic)
		if !ok || prov.Type != "Provider" {
			if _, ok := n.(*Comment); !ok {
				e.Other = append(e.Other, wrap(n, dc))
			}
			continue
		}
		for _, k := range prov.Nodes {
			c, ok := k.(*Characteristic)
			mine := ok && e.DMClient == nil && (want == "" || c.Type == want) && len(c.Attrs) == 0
			if ok && !mine && stranger == "" && c.Type != want {
				stranger = c.Type
			}
			if !mine {
				if _, ok := k.(*Comment); !ok {
					e.Other = append(e.Other, wrap(k, dc, prov))
				}
				continue
			}
			m, err := readProvider(c)
			if err != nil {
				return err
			}
			e.DMClient = m
		}
	}
	if e.DMClient == nil && stranger != "" {
		return fieldErr(cspDMClient+"/Provider/"+stranger, ErrProviderID, "APPLICATION has %q", want)
	}
	return nil
}

func readProvider(c *Characteristic) (*DMClient, error) {
	path := cspDMClient + "/Provider/" + c.Type
	got, polls, other, err := parms(path, c, providerParms, []string{charPoll})
	if err != nil {
		return nil, err
	}
	m := &DMClient{ProviderID: c.Type, Other: other}
	str := func(name string) string {
		if p := got[name]; p != nil {
			return p.Value
		}
		return ""
	}
	m.EntDMID = str(parmEntDMID)
	m.EntDeviceName = str(parmEntDeviceName)
	m.UPN = str(parmUPN)
	m.CertRenewTimeStamp = str(parmCertRenewStamp)
	if len(polls) > 1 {
		return nil, fieldErr(path+"/Poll", ErrInvalid, "given twice")
	}
	if len(polls) == 1 {
		p := &Poll{}
		fields := pollFields(p)
		ppath := path + "/Poll"
		got, _, other, err := parms(ppath, polls[0], pollNames(), nil)
		if err != nil {
			return nil, err
		}
		p.Other = other
		for _, f := range fields {
			v := got[f.name]
			if v == nil {
				continue
			}
			switch {
			case f.n != nil:
				*f.n, err = readInt(ppath, v)
			case f.d != nil:
				*f.d, err = readDur(ppath, v, time.Minute)
			case f.b != nil:
				*f.b, err = readBool(ppath, v)
			}
			if err != nil {
				return nil, err
			}
		}
		m.Poll = p
	}
	return m, nil
}

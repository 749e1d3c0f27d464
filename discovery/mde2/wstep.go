package mde2

import (
	"encoding/base64"

	"github.com/windc-go/windc/discovery/mde2/internal/b64"
)

// RequestSecurityToken is the MS-WSTEP request for a certificate: a
// PKCS#10 request (or, to renew, a PKCS#7 around one) and the device's
// AdditionalContext.
type RequestSecurityToken struct {
	Header      Header
	TokenType   string // TokenTypeDeviceEnrollment
	RequestType string // RequestTypeIssue or RequestTypeRenew
	// Token carries the request: ValueTypePKCS10 or ValueTypePKCS7.
	Token   BinarySecurityToken
	Context AdditionalContext
}

// SOAPHeader returns the message's header.
func (m *RequestSecurityToken) SOAPHeader() *Header { return &m.Header }
func (m *RequestSecurityToken) action() string      { return ActionRequestSecurityToken }

func (m *RequestSecurityToken) writeBody(w *xw) {
	w.open("wst:RequestSecurityToken", "xmlns:wst", nsWST, "xmlns:wsse", nsWSSE, "xmlns:ac", nsAC)
	w.elem("wst:TokenType", m.TokenType)
	w.elem("wst:RequestType", m.RequestType)
	writeToken(w, "wsse:BinarySecurityToken", &m.Token)
	if m.Context != nil {
		w.open("ac:AdditionalContext")
		for _, it := range m.Context {
			w.open("ac:ContextItem", "Name", it.Name)
			w.elem("ac:Value", it.Value)
			w.close("ac:ContextItem")
		}
		w.close("ac:AdditionalContext")
	}
	w.close("wst:RequestSecurityToken")
}

func (m *RequestSecurityToken) readBody(t *tree, body *node) error {
	el, err := bodyElem(t, body, "RequestSecurityToken", nsWST)
	if err != nil {
		return err
	}
	// Each element is read once: a second is refused rather than one of
	// the two taken, so that what the Server acts on (the key to
	// certify, Issue or Renew, the DeviceID) is all the request says.
	tt, err := t.only(el, "TokenType", nsWST)
	if err != nil {
		return err
	}
	rt, err := t.only(el, "RequestType", nsWST)
	if err != nil {
		return err
	}
	tok, err := t.only(el, "BinarySecurityToken", nsWSSE)
	if err != nil {
		return err
	}
	ac, err := t.only(el, "AdditionalContext", nsAC)
	if err != nil {
		return err
	}
	m.TokenType = tt.value()
	switch m.RequestType = rt.value(); {
	case rt == nil:
		return t.structErr(el, "missing RequestType")
	case m.RequestType == "":
		return t.structErr(rt, "empty RequestType")
	}
	if tok == nil {
		return t.structErr(el, "missing BinarySecurityToken")
	}
	m.Token = tokenOf(tok)
	m.Context = nil
	if ac != nil {
		m.Context = make(AdditionalContext, 0, len(ac.kids))
		for _, it := range ac.kids {
			if !it.is(nsAC, "ContextItem") {
				continue
			}
			item := ContextItem{Name: it.attr("Name"), Value: it.child("Value", nsAC).value()}
			if item.Name == "DeviceID" && len(item.Value) > t.lim.MaxDeviceID {
				return pkg.Limit("MaxDeviceID", int64(t.lim.MaxDeviceID), it.off, it.path())
			}
			if item.Name == "DeviceName" && len(item.Value) > t.lim.MaxDeviceName {
				return pkg.Limit("MaxDeviceName", int64(t.lim.MaxDeviceName), it.off, it.path())
			}
			m.Context = append(m.Context, item)
		}
	}
	return nil
}

// ContextItem is one AdditionalContext item.
type ContextItem struct {
	Name  string
	Value string
}

// AdditionalContext is the list of named values a device sends with its
// request, in order (a name may repeat, such as MAC). Device gives the
// well-known ones typed.
type AdditionalContext []ContextItem

// Get returns the first value named name.
func (c AdditionalContext) Get(name string) (string, bool) {
	for _, it := range c {
		if it.Name == name {
			return it.Value, true
		}
	}
	return "", false
}

// All returns every value named name, in order.
func (c AdditionalContext) All(name string) []string {
	var out []string
	for _, it := range c {
		if it.Name == name {
			out = append(out, it.Value)
		}
	}
	return out
}

// DeviceContext is the typed view of the AdditionalContext items that
// MS-MDE2 documents.
type DeviceContext struct {
	DeviceType           string   // e.g. CIMClient_Windows
	DeviceID             string   // the device's own DeviceID, unchecked (EnrollmentRequest.DeviceID() is the server's)
	HWDevID              string   // hardware device ID
	EnrollmentType       string   // Full or Device
	OSEdition            string   // Windows edition number
	OSVersion            string   // Windows version
	ApplicationVersion   string   // enrollment client version
	DeviceName           string   // the device's name
	EnrollmentData       string   // opaque data from the enrollment deep link
	TargetedUserLoggedIn string   // "True" or "False"
	RequestVersion       string   // the protocol version used (5.0 and later)
	NotInOobe            string   // "True" outside of OOBE
	MAC                  []string // every MAC item
	IMEI                 []string // every IMEI item
}

// Device returns the typed view of c.
func (c AdditionalContext) Device() DeviceContext {
	g := func(n string) string { v, _ := c.Get(n); return v }
	return DeviceContext{
		DeviceType:           g("DeviceType"),
		DeviceID:             g("DeviceID"),
		HWDevID:              g("HWDevID"),
		EnrollmentType:       g("EnrollmentType"),
		OSEdition:            g("OSEdition"),
		OSVersion:            g("OSVersion"),
		ApplicationVersion:   g("ApplicationVersion"),
		DeviceName:           g("DeviceName"),
		EnrollmentData:       g("EnrollmentData"),
		TargetedUserLoggedIn: g("TargetedUserLoggedIn"),
		RequestVersion:       g("RequestVersion"),
		NotInOobe:            g("NotInOobe"),
		MAC:                  c.All("MAC"),
		IMEI:                 c.All("IMEI"),
	}
}

// RequestSecurityTokenResponse answers RequestSecurityToken: its Token is
// the wap-provisioningdoc (ValueTypeProvisionDoc, base64) with the issued
// certificate and the DM account.
type RequestSecurityTokenResponse struct {
	Header             Header
	TokenType          string
	DispositionMessage string
	Token              BinarySecurityToken
	RequestID          string
}

// SOAPHeader returns the message's header.
func (m *RequestSecurityTokenResponse) SOAPHeader() *Header { return &m.Header }
func (m *RequestSecurityTokenResponse) action() string {
	return ActionRequestSecurityTokenResponse
}

func (m *RequestSecurityTokenResponse) writeBody(w *xw) { m.write(w, nil) }

// write writes the body; the token's value is raw in base64 when raw is
// not nil, else Token.Value.
func (m *RequestSecurityTokenResponse) write(w *xw, raw []byte) {
	w.open("RequestSecurityTokenResponseCollection", "xmlns", nsWST)
	w.open("RequestSecurityTokenResponse")
	w.elem("TokenType", m.TokenType)
	w.elem("DispositionMessage", m.DispositionMessage, "xmlns", nsWSTEP)
	w.open("RequestedSecurityToken")
	writeTokenNS(w, &m.Token, raw)
	w.close("RequestedSecurityToken")
	w.elem("RequestID", m.RequestID, "xmlns", nsWSTEP)
	w.close("RequestSecurityTokenResponse")
	w.close("RequestSecurityTokenResponseCollection")
}

func (m *RequestSecurityTokenResponse) readBody(t *tree, body *node) error {
	el, err := bodyElem(t, body, "RequestSecurityTokenResponseCollection", nsWST)
	if err != nil {
		return err
	}
	rs := el.children("RequestSecurityTokenResponse", nsWST)
	if len(rs) != 1 {
		return t.structErr(el, "%d RequestSecurityTokenResponse elements, want 1", len(rs))
	}
	r := rs[0]
	m.TokenType = r.child("TokenType", nsWST).value()
	m.DispositionMessage = r.child("DispositionMessage", nsWSTEP).value()
	tok := r.child("RequestedSecurityToken", nsWST).child("BinarySecurityToken", nsWSSE)
	if tok == nil {
		return t.structErr(r, "missing RequestedSecurityToken/BinarySecurityToken")
	}
	m.Token = tokenOf(tok)
	m.RequestID = r.child("RequestID", nsWSTEP).value()
	return nil
}

// writeTokenNS writes a BinarySecurityToken that declares its own
// (WS-Security) namespace, as the documented response does; its value is
// raw in base64 when raw is not nil.
func writeTokenNS(w *xw, tok *BinarySecurityToken, raw []byte) {
	var buf [6]string
	attrs := append(buf[:0], "xmlns", nsWSSE)
	if tok.ValueType != "" {
		attrs = append(attrs, "ValueType", tok.ValueType)
	}
	if tok.EncodingType != "" {
		attrs = append(attrs, "EncodingType", tok.EncodingType)
	}
	if raw == nil {
		w.elem("BinarySecurityToken", tok.Value, attrs...)
		return
	}
	w.open("BinarySecurityToken", attrs...)
	w.b = b64.AppendEncode(w.b, raw)
	w.close("BinarySecurityToken")
}

// issued is the RequestSecurityTokenResponse a Server answers: its
// provisioning document is encoded in base64 straight into the answer,
// from a buffer that goes back to the pool once the answer is written.
type issued struct {
	RequestSecurityTokenResponse
	doc *[]byte
}

func (m *issued) writeBody(w *xw) { m.write(w, *m.doc) }
func (m *issued) tokenLen() int   { return base64.StdEncoding.EncodedLen(len(*m.doc)) }

func (m *RequestSecurityToken) tokenLen() int         { return len(m.Token.Value) }
func (m *RequestSecurityTokenResponse) tokenLen() int { return len(m.Token.Value) }

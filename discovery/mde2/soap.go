package mde2

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/windc-go/windc/discovery/mde2/internal/b64"
)

// Header is the SOAP header of an enrollment message: WS-Addressing and
// WS-Security. Values are read with surrounding white space removed (the
// documented samples wrap URLs in new lines). Changed: each header
// element is read only in its namespace (WS-Addressing 2005/08, WS-Security
// secext and utility 1.0, WCF diagnostics for ActivityId), not by local
// name in any namespace: a look-alike in another namespace is ignored,
// and a header with two wsse:Security elements is refused (ErrStructure).
type Header struct {
	// SOAP11 reports that the envelope was SOAP 1.1. Marshal writes SOAP
	// 1.1 when it is set; servers here always answer SOAP 1.2, and the
	// device side reads both (one documented response uses 1.1).
	SOAP11 bool
	// Action is the WS-Addressing action; Marshal writes the message's
	// own action when it is empty, and decoding sets it when the envelope
	// has none.
	Action string
	// MessageID identifies a request; a response's RelatesTo echoes it.
	// Reading refuses one longer than Limits.MaxMessageID.
	MessageID string
	// RelatesTo is the MessageID of the request a response answers.
	RelatesTo string
	// ReplyTo is the reply address (requests carry the anonymous one).
	ReplyTo string
	// To is the address the request was sent to. Servers do not check it:
	// they often sit behind proxies that rewrite the host.
	To string
	// ActivityID is the diagnostics activity ID some servers send.
	ActivityID string
	// UsernameToken is the WS-Security user name and password (OnPremise).
	UsernameToken *UsernameToken
	// Token is the WS-Security BinarySecurityToken of the header: the
	// Federated user token or the Certificate policy's certificate.
	// Changed: a token of ValueType ValueTypeUserToken that the
	// message's XML Signature names as its key with a reference of an
	// X.509 ValueType (x509-token-profile #X509 or #X509v3), as in
	// MS-MDE2's RequestSecurityToken with certificate authentication,
	// is read with ValueType ValueTypeX509v3: it holds the certificate
	// that signed the message (see Server.X509Token).
	Token *BinarySecurityToken
	// Timestamp is the WS-Security timestamp.
	Timestamp *Timestamp
}

// x509Reference reports whether a wsse:Reference's ValueType names an
// X.509 certificate token (x509-token-profile #X509 or #X509v3), white
// space ignored (MS-MDE2's example breaks the value over two lines).
func x509Reference(valueType string) bool {
	v := strings.Join(strings.Fields(valueType), "")
	return v == ValueTypeX509v3 || v == strings.TrimSuffix(ValueTypeX509v3, "v3")
}

// UsernameToken is a WS-Security user name and plain-text password.
type UsernameToken struct {
	Username string
	Password string
}

// Timestamp is a WS-Security timestamp; the times are kept as sent.
type Timestamp struct {
	Created string
	Expires string
}

// BinarySecurityToken is a WS-Security binary token: its ValueType says
// what it holds (ValueTypePKCS10, ValueTypeProvisionDoc …); Value is the
// text as sent, which with EncodingTypeBase64 is base64.
type BinarySecurityToken struct {
	ValueType    string
	EncodingType string
	Value        string
}

// NewToken returns a token of the given value type holding data in base64.
func NewToken(valueType string, data []byte) *BinarySecurityToken {
	return &BinarySecurityToken{ValueType: valueType, EncodingType: EncodingTypeBase64, Value: b64.EncodeToString(data)}
}

// Bytes decodes the token's base64 value; white space inside it is
// ignored.
func (t *BinarySecurityToken) Bytes() ([]byte, error) {
	if t == nil {
		return nil, pkg.Errorf("%w: no security token", ErrStructure)
	}
	// decoded in place: the output is shorter than its input
	src := []byte(t.Value)
	n, err := base64.StdEncoding.Decode(src, src)
	if err == nil {
		return src[:n:n], nil
	}
	if !strings.ContainsAny(t.Value, " \t") {
		return nil, pkg.Errorf("%w: token is not base64: %v", ErrStructure, err)
	}
	// drop the white space (samples wrap the base64 in lines and
	// indent them; encoding/base64 skips only CR and LF)
	src = []byte(t.Value)
	n = 0
	for _, c := range src {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			src[n] = c
			n++
		}
	}
	if n, err = base64.StdEncoding.Decode(src, src[:n]); err != nil {
		return nil, pkg.Errorf("%w: token is not base64: %v", ErrStructure, err)
	}
	return src[:n:n], nil
}

// Message is one of the enrollment messages: *Discover,
// *DiscoverResponse, *GetPolicies, *GetPoliciesResponse,
// *RequestSecurityToken, *RequestSecurityTokenResponse or *Fault.
type Message interface {
	// SOAPHeader returns the message's header.
	SOAPHeader() *Header
	action() string
	writeBody(w *xw)
	readBody(t *tree, body *node) error
}

// Marshal returns the message as a SOAP envelope (1.2 unless
// Header.SOAP11). Values that XML cannot carry are refused.
func Marshal(m Message) ([]byte, error) {
	size := 2048
	if t, ok := m.(interface{ tokenLen() int }); ok {
		size += t.tokenLen()
	}
	return appendMessage(make([]byte, 0, size), m)
}

// appendMessage appends the SOAP envelope of m to b (see Marshal).
func appendMessage(b []byte, m Message) ([]byte, error) {
	h := m.SOAPHeader()
	w := &xw{b: b}
	env := nsSOAP12
	if h.SOAP11 {
		env = nsSOAP11
	}
	w.open("s:Envelope", "xmlns:s", env, "xmlns:a", nsWSA, "xmlns:u", nsWSU)
	w.open("s:Header")
	action := h.Action
	if action == "" {
		action = m.action()
	}
	w.elem("a:Action", action, "s:mustUnderstand", "1")
	w.opt("a:MessageID", h.MessageID)
	w.opt("a:RelatesTo", h.RelatesTo)
	if h.ReplyTo != "" {
		w.open("a:ReplyTo")
		w.elem("a:Address", h.ReplyTo)
		w.close("a:ReplyTo")
	}
	if h.To != "" {
		w.elem("a:To", h.To, "s:mustUnderstand", "1")
	}
	if h.ActivityID != "" {
		w.elem("ActivityId", h.ActivityID, "xmlns", nsDiag)
	}
	if h.UsernameToken != nil || h.Token != nil || h.Timestamp != nil {
		w.open("o:Security", "s:mustUnderstand", "1", "xmlns:o", nsWSSE)
		if ts := h.Timestamp; ts != nil {
			w.open("u:Timestamp")
			w.elem("u:Created", ts.Created)
			w.elem("u:Expires", ts.Expires)
			w.close("u:Timestamp")
		}
		if ut := h.UsernameToken; ut != nil {
			w.open("o:UsernameToken")
			w.elem("o:Username", ut.Username)
			w.elem("o:Password", ut.Password, "o:Type", PasswordTypeText)
			w.close("o:UsernameToken")
		}
		if tok := h.Token; tok != nil {
			writeToken(w, "o:BinarySecurityToken", tok)
		}
		w.close("o:Security")
	}
	w.close("s:Header")
	w.open("s:Body")
	m.writeBody(w)
	w.close("s:Body")
	w.close("s:Envelope")
	if w.bad != "" {
		return nil, pkg.Errorf("%w: value %q cannot be written in XML", ErrStructure, w.bad)
	}
	return w.b, nil
}

func writeToken(w *xw, name string, tok *BinarySecurityToken) {
	var buf [4]string
	attrs := buf[:0]
	if tok.ValueType != "" {
		attrs = append(attrs, "ValueType", tok.ValueType)
	}
	if tok.EncodingType != "" {
		attrs = append(attrs, "EncodingType", tok.EncodingType)
	}
	w.elem(name, tok.Value, attrs...)
}

func readToken(n *node) *BinarySecurityToken {
	if n == nil {
		return nil
	}
	t := tokenOf(n)
	return &t
}

func tokenOf(n *node) BinarySecurityToken {
	return BinarySecurityToken{ValueType: n.attr("ValueType"), EncodingType: n.attr("EncodingType"), Value: n.value()}
}

// Unmarshal decodes a SOAP envelope into m with the default Limits.
// When the body is a SOAP fault and m is not a *Fault, the decoded *Fault
// is returned as the error.
func Unmarshal(data []byte, m Message) error {
	return UnmarshalLimits(data, m, Limits{})
}

// UnmarshalLimits is Unmarshal with explicit limits.
func UnmarshalLimits(data []byte, m Message, lim Limits) error {
	t, body, err := readEnvelope(data, lim, m.SOAPHeader())
	if err != nil {
		return err
	}
	defer t.release()
	el := firstElem(body)
	if _, isFault := m.(*Fault); !isFault && el != nil && isFaultElem(el) {
		f := &Fault{Header: *m.SOAPHeader()}
		if err := f.readBody(t, body); err != nil {
			return err
		}
		defaultAction(f)
		return f
	}
	if err := m.readBody(t, body); err != nil {
		return err
	}
	defaultAction(m)
	return nil
}

// defaultAction gives a decoded message without an Action its own, which
// is what Marshal writes for it.
func defaultAction(m Message) {
	if h := m.SOAPHeader(); h.Action == "" {
		h.Action = m.action()
	}
}

// ReadMessage decodes any enrollment message, choosing its type by the
// body's element.
func ReadMessage(data []byte, lim Limits) (Message, error) {
	var h Header
	t, body, err := readEnvelope(data, lim, &h)
	if err != nil {
		return nil, err
	}
	defer t.release()
	el := firstElem(body)
	var m Message
	switch {
	case el == nil:
		return nil, t.structErr(body, "empty body")
	case isFaultElem(el):
		m = &Fault{}
	case strings.EqualFold(el.local, "Discover"):
		m = &Discover{}
	case strings.EqualFold(el.local, "DiscoverResponse"):
		m = &DiscoverResponse{}
	case strings.EqualFold(el.local, "GetPolicies"):
		m = &GetPolicies{}
	case strings.EqualFold(el.local, "GetPoliciesResponse"):
		m = &GetPoliciesResponse{}
	case strings.EqualFold(el.local, "RequestSecurityToken"):
		m = &RequestSecurityToken{}
	case strings.EqualFold(el.local, "RequestSecurityTokenResponseCollection"):
		m = &RequestSecurityTokenResponse{}
	default:
		return nil, t.structErr(el, "unknown message %s", el.local)
	}
	*m.SOAPHeader() = h
	if err := m.readBody(t, body); err != nil {
		return nil, err
	}
	defaultAction(m)
	return m, nil
}

func firstElem(n *node) *node {
	if n == nil || len(n.kids) == 0 {
		return nil
	}
	return n.kids[0]
}

func isFaultElem(n *node) bool {
	return n.is(nsSOAP12, "Fault") || n.is(nsSOAP11, "Fault")
}

// readEnvelope parses data, checks the envelope and fills h; it returns
// the Body element, and the tree for the caller to release.
func readEnvelope(data []byte, lim Limits, h *Header) (*tree, *node, error) {
	t, err := parseTree(data, lim)
	if err != nil {
		return nil, nil, err
	}
	t, body, err := checkEnvelope(t, h)
	if err != nil {
		t.release()
		return nil, nil, err
	}
	return t, body, nil
}

func checkEnvelope(t *tree, h *Header) (*tree, *node, error) {
	root := t.root
	var env string
	switch {
	case root.is(nsSOAP12, "Envelope"):
		env = nsSOAP12
	case root.is(nsSOAP11, "Envelope"):
		env = nsSOAP11
	default:
		return t, nil, t.structErr(root, "root is {%s}%s, not a SOAP envelope", root.space, root.local)
	}
	// SOAP has one Header at most and one Body: a second is refused, so
	// that the Body read is the one a message signature covers (see
	// Server.X509Token), not an unsigned one beside it
	var hdrs, bodies int
	for _, k := range root.kids {
		switch {
		case k.is(env, "Header"):
			if hdrs++; hdrs > 1 {
				return t, nil, t.structErr(k, "a second SOAP Header")
			}
		case k.is(env, "Body"):
			if bodies++; bodies > 1 {
				return t, nil, t.structErr(k, "a second SOAP Body")
			}
		}
	}
	*h = Header{SOAP11: env == nsSOAP11}
	if hdr := root.child("Header", env); hdr != nil {
		if id := hdr.child("MessageID", nsWSA); id != nil && len(id.value()) > t.lim.MaxMessageID {
			// refused before h holds it: a server echoes and logs it
			return t, nil, pkg.Limit("MaxMessageID", int64(t.lim.MaxMessageID), id.off, id.path())
		}
		if err := readHeader(t, hdr, h); err != nil {
			return t, nil, err
		}
	}
	body := root.child("Body", env)
	if body == nil {
		return t, nil, t.structErr(root, "no SOAP Body")
	}
	if len(body.kids) > 1 {
		return t, nil, t.structErr(body.kids[1], "more than one element in the SOAP Body")
	}
	return t, body, nil
}

// nsDiagWCF is the ActivityId namespace as Microsoft's enrollment samples
// spell it; the package writes nsDiag, and both are read.
const nsDiagWCF = "http://schemas.microsoft.com/2004/09/ServiceModel/Diagnostics"

// readHeader fills h from the SOAP header. Each header element is matched
// in its namespace, the prefix free: WS-Addressing 2005/08 for Action,
// MessageID, RelatesTo, ReplyTo and To; WS-Security secext 1.0 (2004) for
// Security, UsernameToken and BinarySecurityToken; WS-Security utility
// 1.0 for Timestamp; the WCF diagnostics namespace for ActivityId. An
// element of the same name in another namespace is an unknown header
// block and ignored, so that a look-alike <x:Security xmlns:x="urn:x">
// placed first is not read as the credential beside the real one a
// Server.X509Token hook verifies. A second wsse:Security is refused, and
// (Changed) a second UsernameToken, BinarySecurityToken or Timestamp in
// it.
func readHeader(t *tree, hdr *node, h *Header) error {
	h.Action = hdr.child("Action", nsWSA).value()
	h.MessageID = hdr.child("MessageID", nsWSA).value()
	h.RelatesTo = hdr.child("RelatesTo", nsWSA).value()
	h.ReplyTo = hdr.child("ReplyTo", nsWSA).child("Address", nsWSA).value()
	h.To = hdr.child("To", nsWSA).value()
	h.ActivityID = hdr.child("ActivityId", nsDiag, nsDiagWCF).value()
	secs := hdr.children("Security", nsWSSE)
	if len(secs) > 1 {
		return t.structErr(secs[1], "a second WS-Security Security header")
	}
	if len(secs) == 0 {
		return nil
	}
	sec := secs[0]
	// One of each credential and one Timestamp: with two, the one read
	// need not be the one a signature covers (a fresh unsigned Timestamp
	// before an old signed one).
	ut, err := t.only(sec, "UsernameToken", nsWSSE)
	if err != nil {
		return err
	}
	bst, err := t.only(sec, "BinarySecurityToken", nsWSSE)
	if err != nil {
		return err
	}
	ts, err := t.only(sec, "Timestamp", nsWSU)
	if err != nil {
		return err
	}
	if ut != nil {
		h.UsernameToken = &UsernameToken{Username: ut.child("Username", nsWSSE).value(), Password: ut.child("Password", nsWSSE).value()}
	}
	h.Token = readToken(bst)
	if h.Token != nil && h.Token.ValueType == ValueTypeUserToken &&
		x509Reference(sec.child("Signature", nsDS).child("KeyInfo", nsDS).
			child("SecurityTokenReference", nsWSSE).child("Reference", nsWSSE).attr("ValueType")) {
		// MS-MDE2's RequestSecurityToken with certificate
		// authentication: the message is signed with the token's key,
		// which its KeyInfo names an X.509 certificate
		h.Token.ValueType = ValueTypeX509v3
	}
	if ts != nil {
		h.Timestamp = &Timestamp{Created: ts.child("Created", nsWSU).value(), Expires: ts.child("Expires", nsWSU).value()}
	}
	return nil
}

// bodyElem returns the body's one element if it is local in one of spaces.
func bodyElem(t *tree, body *node, local string, spaces ...string) (*node, error) {
	el := firstElem(body)
	if el == nil {
		return nil, t.structErr(body, "empty body, want %s", local)
	}
	for _, s := range spaces {
		if el.is(s, local) {
			return el, nil
		}
	}
	return nil, t.structErr(el, "body holds {%s}%s, want %s", el.space, el.local, local)
}

// required returns the value of el's child local or a structure error.
func required(t *tree, el *node, local string, spaces ...string) (string, error) {
	c := el.child(local, spaces...)
	if c == nil {
		return "", t.structErr(el, "missing %s", local)
	}
	v := c.value()
	if v == "" {
		return "", t.structErr(c, "empty %s", local)
	}
	return v, nil
}

// String describes a header for logs.
func (h *Header) String() string {
	return fmt.Sprintf("Action=%s MessageID=%s RelatesTo=%s", h.Action, h.MessageID, h.RelatesTo)
}

package provisioning

import (
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/leanovate/gopter"
)

// Generators for the property tests. Documents reach every field and node
// kind (Version present, absent and kept empty in Attrs; Parm with and
// without value, with Datatype or an empty datatype attribute; Elements
// with text, comments and elements named characteristic or parm inside;
// comments) and every XML-legal character class: ASCII, markup
// characters, TAB, LF, CR, CRLF, leading and trailing spaces, BMP and
// non-BMP characters and the edges of the legal ranges.

// pieces make up generated strings.
var pieces = []string{
	"a", "Z", "0", " ", "  ", "\t", "\n", "\r", "\r\n", "<", ">", "&", "\"", "'", "]]>", "=", "/", "-",
	"é", "中", "\u00a0", "\ud7ff", "\ue000", "\ufffd", "\U00010000", "\U0001F600", "\U0010FFFF", "&amp;", "\uF000",
}

func genString(r *rand.Rand) string {
	var b strings.Builder
	for n := r.Intn(7); n > 0; n-- {
		b.WriteString(pieces[r.Intn(len(pieces))])
	}
	return b.String()
}

// genComment returns a string a comment can hold.
func genComment(r *rand.Rand) string {
	s := strings.ReplaceAll(genString(r), "\r", "")
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-x-")
	}
	if strings.HasSuffix(s, "-") {
		s += "x"
	}
	return s
}

var attrNames = []string{"x", "xml:lang", "xmlns:p", "data-1", "né", "_v", "p:a", "type", "name", "value", "xmlns"}

// genAttrs returns attributes other than those in reserved (and the
// names of optional fields, which it adds empty when the field is
// absent).
func genAttrs(r *rand.Rand, reserved []string, optional map[string]string) []Attr {
	var out []Attr
	for _, i := range r.Perm(len(attrNames))[:r.Intn(3)] {
		n := attrNames[i]
		if contains(reserved, n) {
			continue
		}
		if _, ok := optional[n]; ok {
			continue
		}
		a := Attr{Name: n, Value: genString(r)}
		if n == "xmlns:p" && a.Value == "" {
			a.Value = "urn:p" // a prefix cannot be bound to the empty name
		}
		out = append(out, a)
	}
	if hasAttr(out, "p:a") && !hasAttr(out, "xmlns:p") {
		out = append(out, Attr{Name: "xmlns:p", Value: "urn:" + genString(r)})
	}
	for n, v := range optional {
		if v == "" && r.Intn(3) == 0 {
			out = append(out, Attr{Name: n})
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	if len(out) == 0 {
		return nil
	}
	return out
}

func hasAttr(attrs []Attr, name string) bool {
	for _, a := range attrs {
		if a.Name == name {
			return true
		}
	}
	return false
}

func genOptional(r *rand.Rand) string {
	if r.Intn(3) == 0 {
		return ""
	}
	s := genString(r)
	if s == "" {
		s = "1.1"
	}
	return s
}

func genDocument(r *rand.Rand) *Document {
	d := &Document{Version: genOptional(r)}
	d.Attrs = genAttrs(r, nil, map[string]string{"version": d.Version})
	d.Nodes = genNodes(r, 1, false)
	return d
}

var elemNames = []string{"e", "x:e", "nocharacteristic", "characteristic-query", "é", "noparm"}

// genNodes returns children for the root or a characteristic (inElem
// false) or an Element.
func genNodes(r *rand.Rand, depth int, inElem bool) []Node {
	var out []Node
	n := r.Intn(5)
	if depth > 4 {
		n = r.Intn(2)
	}
	prevText := false
	for range n {
		k := r.Intn(10)
		switch {
		case inElem && k < 3 && !prevText:
			s := genString(r)
			if s == "" {
				s = "t"
			}
			out = append(out, &Text{s})
			prevText = true
			continue
		case k == 9 || k == 3 && inElem:
			out = append(out, &Comment{genComment(r)})
		case inElem || k == 8:
			names := elemNames
			if inElem {
				names = append(names[:len(names):len(names)], "characteristic", "parm")
			}
			e := &Element{Name: names[r.Intn(len(names))]}
			e.Attrs = genAttrs(r, nil, nil)
			if strings.HasPrefix(e.Name, "x:") {
				e.Attrs = append(e.Attrs, Attr{Name: "xmlns:x", Value: "urn:x" + genString(r)})
			}
			if depth < 6 {
				e.Nodes = genNodes(r, depth+1, true)
			}
			out = append(out, e)
		case k < 5:
			c := &Characteristic{Type: genString(r)}
			c.Attrs = genAttrs(r, []string{"type"}, nil)
			if depth < 6 {
				c.Nodes = genNodes(r, depth+1, false)
			}
			out = append(out, c)
		default:
			p := &Parm{Name: genString(r), Datatype: genOptional(r)}
			if r.Intn(4) == 0 {
				p.NoValue = true
			} else {
				p.Value = genString(r)
			}
			p.Attrs = genAttrs(r, []string{"name", "value"}, map[string]string{"datatype": p.Datatype})
			out = append(out, p)
		}
		prevText = false
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// genDER returns bytes standing for a certificate (Build does not parse
// them).
func genDER(r *rand.Rand) []byte {
	b := make([]byte, 1+r.Intn(40))
	r.Read(b)
	return b
}

func genDERs(r *rand.Rand) [][]byte {
	var out [][]byte
	for n := r.Intn(3); n > 0; n-- {
		out = append(out, genDER(r))
	}
	return out
}

func maybe[T any](r *rand.Rand, v T) *T {
	if r.Intn(3) == 0 {
		return nil
	}
	return &v
}

func genText(r *rand.Rand) string {
	s := genString(r)
	if r.Intn(4) == 0 {
		return ""
	}
	if s == "" {
		s = "v"
	}
	return s
}

// genEnrollment returns an Enrollment as Build normalizes it: no empty
// Other, DefaultEncoding set, ClientStore set exactly when ClientCert is,
// DMClient.ProviderID set.
func genEnrollment(r *rand.Rand) *Enrollment {
	e := &Enrollment{RootCerts: genDERs(r), CACerts: genDERs(r)}
	if r.Intn(4) > 0 {
		e.ClientCert = genDER(r)
		e.ClientStore = []Store{StoreUser, StoreSystem}[r.Intn(2)]
	}
	if r.Intn(4) > 0 {
		e.Renew = &Renew{ROBOSupport: maybe(r, r.Intn(2) == 0),
			RenewPeriod:   maybe(r, time.Duration(r.Intn(1001))*24*time.Hour),
			RetryInterval: maybe(r, time.Duration(r.Intn(1001))*24*time.Hour), ServerURL: genText(r)}
		if r.Intn(3) == 0 {
			e.Renew.Other = []Node{&Parm{Name: "RetryAfterExpiryInterval", Value: "3", Datatype: "integer"}}
		}
	}
	if r.Intn(4) > 0 {
		a := &Application{ProviderID: genText(r) + "P", Name: genText(r), Addr: genText(r),
			ConnRetryFreq: maybe(r, r.Intn(100)), InitialBackoff: maybe(r, time.Duration(r.Int63n(1<<40))*time.Millisecond),
			MaxBackoff: maybe(r, time.Duration(r.Int63n(1<<40))*time.Millisecond), BackCompatRetryDisabled: r.Intn(2) == 0,
			DefaultEncoding:             []string{EncodingXML, EncodingWBXML, genText(r) + "x"}[r.Intn(3)],
			SSLClientCertSearchCriteria: genText(r)}
		if r.Intn(4) > 0 {
			a.Client = &AppAuth{Type: "DIGEST", Name: genText(r), Secret: genString(r)}
			a.AppSrv = &AppAuth{Type: []string{"", "BASIC", "DIGEST"}[r.Intn(3)], Name: genText(r), Secret: genString(r)}
			if r.Intn(2) == 0 {
				a.Client.Data = genDER(r)
			}
			if r.Intn(3) == 0 {
				a.AppSrv.Data = []byte{}
			}
			if r.Intn(3) == 0 {
				a.Client.Other = []Node{&Parm{Name: "AAUTHX", Value: genString(r)}}
			}
		}
		for n := r.Intn(3); n > 0; n-- {
			a.Other = append(a.Other, &Parm{Name: fmt.Sprintf("ROLE%d", n), Value: genString(r)})
		}
		e.Application = a
	}
	if r.Intn(4) > 0 {
		m := &DMClient{EntDMID: genText(r), EntDeviceName: genText(r), UPN: genText(r), CertRenewTimeStamp: genText(r)}
		if e.Application != nil {
			m.ProviderID = e.Application.ProviderID
		} else {
			m.ProviderID = genText(r) + "Q"
		}
		if r.Intn(4) > 0 {
			m.Poll = &Poll{
				NumberOfFirstRetries: maybe(r, r.Intn(100)), IntervalForFirstSetOfRetries: maybe(r, time.Duration(r.Intn(10000))*time.Minute),
				NumberOfSecondRetries: maybe(r, r.Intn(100)), IntervalForSecondSetOfRetries: maybe(r, time.Duration(r.Intn(10000))*time.Minute),
				NumberOfRemainingScheduledRetries: maybe(r, r.Intn(100)), IntervalForRemainingScheduledRetries: maybe(r, time.Duration(r.Intn(10000))*time.Minute),
				PollOnLogin: maybe(r, r.Intn(2) == 0), AllUsersPollOnFirstLogin: maybe(r, r.Intn(2) == 0),
			}
			if r.Intn(3) == 0 {
				m.Poll.Other = []Node{&Parm{Name: "Future", Value: genString(r)}}
			}
		}
		if r.Intn(3) == 0 {
			m.Other = []Node{&Parm{Name: "HelpWebsite", Value: genString(r), Datatype: "string"}, &Characteristic{Type: "Push"}}
		}
		e.DMClient = m
	}
	if r.Intn(3) == 0 {
		e.Other = []Node{&Characteristic{Type: "EnterpriseAppManagement", Nodes: []Node{&Parm{Name: "x", Value: genString(r)}}},
			&Element{Name: "nocharacteristic", Attrs: []Attr{{"type", "y"}}}}
	}
	return e
}

func gen[T any](f func(r *rand.Rand) T) gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		return gopter.NewGenResult(f(p.Rng), gopter.NoShrinker)
	}
}

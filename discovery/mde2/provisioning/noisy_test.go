package provisioning

import (
	"fmt"
	"math/rand"
	"strings"
	"unicode/utf8"
)

// noisy writes d as XML in a random one of the many ways that mean the
// same: written without Marshal, so that reading it checks the reader
// against the model rather than against the writer. It varies the prolog
// (byte order mark, XML declaration, comments and white space), white
// space between elements and inside tags, quote characters, attribute
// order, empty-element tags, references for any character, and CDATA
// sections.
func noisy(r *rand.Rand, d *Document) string {
	var b strings.Builder
	if r.Intn(4) == 0 {
		b.WriteString("\uFEFF")
	}
	if r.Intn(2) == 0 {
		q := `"'`[r.Intn(2)]
		fmt.Fprintf(&b, "<?xml version=%c1.0%c", q, q)
		if r.Intn(2) == 0 {
			fmt.Fprintf(&b, " encoding=%c%s%c", q, []string{"UTF-8", "utf-8"}[r.Intn(2)], q)
		}
		b.WriteString("?>")
	}
	misc(r, &b)
	var fixed []Attr
	if d.Version != "" {
		fixed = append(fixed, Attr{"version", d.Version})
	}
	nElem(r, &b, Root, fixed, d.Attrs, func() { nNodes(r, &b, d.Nodes, false) }, len(d.Nodes) == 0)
	misc(r, &b)
	return b.String()
}

func space(r *rand.Rand, b *strings.Builder, min int) {
	for n := min + r.Intn(3); n > 0; n-- {
		b.WriteString([]string{" ", "\t", "\n", "\r\n", "\r"}[r.Intn(5)])
	}
}

func misc(r *rand.Rand, b *strings.Builder) {
	space(r, b, 0)
	if r.Intn(3) == 0 {
		b.WriteString("<!-- outside -->")
		space(r, b, 0)
	}
}

// nElem writes an element whose content body writes; the fixed
// attributes are mixed in among the others, whose order is kept.
func nElem(r *rand.Rand, b *strings.Builder, name string, fixed, others []Attr, body func(), empty bool) {
	all := append([]Attr(nil), others...)
	for _, f := range fixed {
		i := r.Intn(len(all) + 1)
		all = append(all[:i], append([]Attr{f}, all[i:]...)...)
	}
	b.WriteString("<" + name)
	for _, a := range all {
		space(r, b, 1)
		b.WriteString(a.Name)
		space(r, b, 0)
		b.WriteString("=")
		space(r, b, 0)
		q := `"'`[r.Intn(2)]
		b.WriteByte(q)
		for _, c := range a.Value {
			switch {
			case c == '<' || c == '&' || c == rune(q) || c == '\t' || c == '\n' || c == '\r' || r.Intn(8) == 0:
				ref(r, b, c)
			default:
				b.WriteRune(c)
			}
		}
		b.WriteByte(q)
	}
	space(r, b, 0)
	if empty && r.Intn(2) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	body()
	b.WriteString("</" + name)
	space(r, b, 0)
	b.WriteString(">")
}

func ref(r *rand.Rand, b *strings.Builder, c rune) {
	switch {
	case c == '<' && r.Intn(2) == 0:
		b.WriteString("&lt;")
	case c == '&' && r.Intn(2) == 0:
		b.WriteString("&amp;")
	case c == '"' && r.Intn(2) == 0:
		b.WriteString("&quot;")
	case c == '\'' && r.Intn(2) == 0:
		b.WriteString("&apos;")
	case c == '>' && r.Intn(2) == 0:
		b.WriteString("&gt;")
	case r.Intn(2) == 0:
		fmt.Fprintf(b, "&#%d;", c)
	default:
		fmt.Fprintf(b, "&#x%X;", c)
	}
}

func nNodes(r *rand.Rand, b *strings.Builder, nodes []Node, inElem bool) {
	for _, n := range nodes {
		if !inElem {
			space(r, b, 0)
		}
		switch n := n.(type) {
		case *Characteristic:
			nElem(r, b, "characteristic", []Attr{{"type", n.Type}}, n.Attrs, func() { nNodes(r, b, n.Nodes, false) }, len(n.Nodes) == 0)
		case *Parm:
			fixed := []Attr{{"name", n.Name}}
			if !n.NoValue {
				fixed = append(fixed, Attr{"value", n.Value})
			}
			if n.Datatype != "" {
				fixed = append(fixed, Attr{"datatype", n.Datatype})
			}
			nElem(r, b, "parm", fixed, n.Attrs, func() { space(r, b, 0) }, true)
		case *Element:
			nElem(r, b, n.Name, nil, n.Attrs, func() { nNodes(r, b, n.Nodes, true) }, len(n.Nodes) == 0)
		case *Comment:
			b.WriteString("<!--" + n.Text + "-->")
		case *Text:
			nText(r, b, n.Text)
		}
	}
	if !inElem {
		space(r, b, 0)
	}
}

// nText writes character data, parts of it as CDATA sections.
func nText(r *rand.Rand, b *strings.Builder, s string) {
	for s != "" {
		_, size := utf8.DecodeRuneInString(s)
		n := size + r.Intn(len(s)-size+1)
		for !utf8.ValidString(s[:n]) {
			n++
		}
		part := s[:n]
		s = s[n:]
		if r.Intn(3) == 0 && !strings.Contains(part, "]]>") && !strings.Contains(part, "\r") &&
			!strings.HasSuffix(part, "]") && !strings.HasPrefix(s, ">") {
			b.WriteString("<![CDATA[" + part + "]]>")
			continue
		}
		for _, c := range part {
			if c == '<' || c == '&' || c == '>' || c == '\r' || r.Intn(8) == 0 {
				ref(r, b, c)
			} else {
				b.WriteRune(c)
			}
		}
	}
}

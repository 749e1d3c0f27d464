package fuzz

import (
	"bytes"
	"errors"
	"hash/fnv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/windc-go/windc/internal/xmlscan"
	"github.com/windc-go/windc/syncml"
)

// xmlAttrs are the attributes of the xml namespace checkXMLAttr puts on
// an element of the model: the two XML defines for every element and two
// it reserves.
var xmlAttrs = []string{`xml:space="preserve"`, `xml:lang="en"`, `xml:space="default"`, `xml:base="urn:x"`}

// checkXMLAttr puts an attribute of the xml namespace (chosen, with the
// element, from a hash of in) on one element of the model in c, the
// canonical encoding of a message Unmarshal accepted, and fails the test
// unless Unmarshal and the Decoder (reading one byte at a time, so the
// attribute may straddle any boundary) both refuse the result with a
// *DecodeError of ErrStructure at that attribute whose message names it
// and says why (the model keeps no xml: attribute), or with a
// *LimitError: an xml: attribute on an element of the model is never
// read past and dropped. The elements inside Data's element content and
// inside an *Unknown command, kept as markup, are not elements of the
// model and are left alone.
func checkXMLAttr(t *testing.T, in, c []byte, m *syncml.Message) {
	tags := modelTags(c, commandsOf(m.Body.Commands, nil))
	if len(tags) == 0 {
		return
	}
	h := fnv.New32a()
	h.Write(in)
	sum := h.Sum32()
	at := tags[int(sum%uint32(len(tags)))]
	attr := xmlAttrs[(sum>>16)%uint32(len(xmlAttrs))]
	var b bytes.Buffer
	b.Write(c[:at.pos])
	b.WriteString(" " + attr)
	b.Write(c[at.pos:])
	out := b.Bytes()
	name := attr[:strings.IndexByte(attr, '=')]
	var m2 syncml.Message
	for _, r := range []struct {
		how string
		err error
	}{
		{"Unmarshal", syncml.Unmarshal(out, &m2)},
		{"Decoder", syncml.NewDecoder(iotest.OneByteReader(bytes.NewReader(out))).Decode(&m2)},
	} {
		var le *syncml.LimitError
		if errors.As(r.err, &le) {
			continue
		}
		var de *syncml.DecodeError
		if !errors.As(r.err, &de) || !errors.Is(r.err, syncml.ErrStructure) {
			t.Fatalf("%s of the message with %s on <%s> at offset %d: %v, want a DecodeError of ErrStructure\n%s", r.how, attr, at.name, at.pos+1, r.err, out)
		}
		msg := r.err.Error()
		if de.Offset != int64(at.pos+1) || !strings.Contains(msg, "unexpected attribute "+name+" on <"+at.name+">") || !strings.Contains(msg, "keeps no xml: attribute") {
			t.Fatalf("%s of the message with %s on <%s> at offset %d: %v (offset %d), want the error at the attribute, naming it and saying why\n%s", r.how, attr, at.name, at.pos+1, r.err, de.Offset, out)
		}
	}
}

// A modelTag is the start tag of an element of the model in a canonical
// encoding: its name and the offset just after the name.
type modelTag struct {
	name string
	pos  int
}

// commandsOf appends cmds and the commands of each Atomic and Sequence
// among them to to, in document order.
func commandsOf(cmds []syncml.Command, to []syncml.Command) []syncml.Command {
	for _, c := range cmds {
		to = append(to, c)
		switch c := c.(type) {
		case *syncml.Atomic:
			to = commandsOf(c.Commands, to)
		case *syncml.Sequence:
			to = commandsOf(c.Commands, to)
		}
	}
	return to
}

// modelTags lists the start tags of the elements of the model in c, a
// canonical encoding written by Marshal of a message whose commands, in
// document order, are cmds. It skips comments, processing instructions
// and CDATA sections, and the content kept as markup: the child elements
// of Data, and each *Unknown command, with everything in them.
func modelTags(c []byte, cmds []syncml.Command) []modelTag {
	var tags []modelTag
	var stack []string // local names of the open elements of the model
	skip := 0          // depth inside markup kept verbatim
	s := string(c)
	for i := 0; i < len(s); {
		if s[i] != '<' {
			i++
			continue
		}
		rest := s[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			i = after(s, i, "-->")
			continue
		case strings.HasPrefix(rest, "<![CDATA["):
			i = after(s, i, "]]>")
			continue
		case strings.HasPrefix(rest, "<?"):
			i = after(s, i, "?>")
			continue
		case strings.HasPrefix(rest, "<!"):
			i = after(s, i, ">")
			continue
		case strings.HasPrefix(rest, "</"):
			if skip > 0 {
				skip--
			} else if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			i = after(s, i, ">")
			continue
		}
		n := i + 1
		for n < len(s) && !xmlscan.IsSpace(s[n]) && s[n] != '/' && s[n] != '>' {
			n++
		}
		name := s[i+1 : n]
		end, self := tagEnd(s, n)
		switch {
		case skip > 0:
			if !self {
				skip++
			}
		case len(stack) > 0 && stack[len(stack)-1] == "Data",
			len(cmds) > 0 && isContainer(stack) && isUnknown(cmds[0], s[i:]):
			// markup kept as it is
			if isContainer(stack) {
				cmds = cmds[1:]
			}
			if !self {
				skip = 1
			}
		default:
			if len(cmds) > 0 && isContainer(stack) && cmds[0].ElementName() == xmlscan.LocalName(name) {
				cmds = cmds[1:]
			}
			tags = append(tags, modelTag{name, n})
			if !self {
				stack = append(stack, xmlscan.LocalName(name))
			}
		}
		i = end
	}
	return tags
}

// isContainer reports whether the innermost open element of stack holds
// commands.
func isContainer(stack []string) bool {
	if len(stack) == 0 {
		return false
	}
	switch stack[len(stack)-1] {
	case "SyncBody", "Atomic", "Sequence":
		return true
	}
	return false
}

// isUnknown reports whether cmd is an *Unknown written at the start of s.
func isUnknown(cmd syncml.Command, s string) bool {
	u, ok := cmd.(*syncml.Unknown)
	return ok && strings.HasPrefix(s, u.Raw)
}

// after returns the offset just after the first end at or after i in s,
// or len(s).
func after(s string, i int, end string) int {
	j := strings.Index(s[i:], end)
	if j < 0 {
		return len(s)
	}
	return i + j + len(end)
}

// tagEnd returns the offset just after the start tag whose name ends at
// i, attribute values skipped whole, and whether it closes itself.
func tagEnd(s string, i int) (int, bool) {
	var quote byte
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i + 1, i > 0 && s[i-1] == '/'
		}
	}
	return len(s), false
}

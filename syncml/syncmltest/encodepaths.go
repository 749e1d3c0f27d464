package syncmltest

import (
	"bytes"
	"fmt"
	"reflect"

	"github.com/google/go-cmp/cmp"

	"github.com/windc-go/windc/syncml"
)

// EncodePaths checks, for a message m that Marshal wrote as want, that
// every other way of writing it agrees: an Encoder command by command and
// whole, AppendMessage onto a prefix, an indenting Encoder and
// MarshalIndent (the same bytes, decoding to the same value), and
// MarshalIndent without prefix or indent, whose line breaks taken out give
// the compact bytes when the message itself holds none (the compact
// writer's fused tags are the indented writer's tags one after another).
// It returns "" or what differs.
func EncodePaths(m *syncml.Message, want []byte) string {
	var buf bytes.Buffer
	e := syncml.NewEncoder(&buf)
	h := &m.Header
	if m.NoHeader {
		h = nil
	}
	if err := e.EncodeHeader(m.XMLNS, h); err != nil {
		return fmt.Sprintf("EncodeHeader: %v", err)
	}
	for _, c := range m.Body.Commands {
		if err := e.EncodeCommand(c); err != nil {
			return fmt.Sprintf("EncodeCommand: %v", err)
		}
	}
	if err := e.EncodeEnd(m.Body.Final); err != nil {
		return fmt.Sprintf("EncodeEnd: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		return fmt.Sprintf("Encoder differs from Marshal:\nencoder %q\nmarshal %q", buf.Bytes(), want)
	}
	buf.Reset()
	if err := syncml.NewEncoder(&buf).Encode(m); err != nil {
		return fmt.Sprintf("Encode: %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		return fmt.Sprintf("Encode differs from Marshal:\nencode  %q\nmarshal %q", buf.Bytes(), want)
	}
	if b, err := syncml.AppendMessage([]byte("<!-- -->"), m); err != nil || string(b) != "<!-- -->"+string(want) {
		return fmt.Sprintf("AppendMessage onto a prefix: %q, %v", b, err)
	}
	for _, l := range [][2]string{{"", ""}, {"", "  "}, {"\t", " "}} {
		ind, err := syncml.MarshalIndent(m, l[0], l[1])
		if err != nil {
			return fmt.Sprintf("MarshalIndent(%q, %q): %v", l[0], l[1], err)
		}
		var got syncml.Message
		if err := syncml.Unmarshal(ind, &got); err != nil {
			return fmt.Sprintf("MarshalIndent(%q, %q) output rejected: %v\n%q", l[0], l[1], err, ind)
		}
		if d := diff(m, &got); d != "" {
			return fmt.Sprintf("MarshalIndent(%q, %q) decodes differently (-m +got):\n%s", l[0], l[1], d)
		}
		if l == [2]string{} && !bytes.ContainsRune(want, '\n') {
			if flat := bytes.ReplaceAll(ind, []byte("\n"), nil); !bytes.Equal(flat, want) {
				return fmt.Sprintf("MarshalIndent(\"\", \"\") without its line breaks differs from Marshal:\nindent  %q\nmarshal %q", flat, want)
			}
		}
		buf.Reset()
		e := syncml.NewEncoder(&buf)
		e.SetIndent(l[0], l[1])
		if err := e.Encode(m); err != nil {
			return fmt.Sprintf("indenting Encode: %v", err)
		}
		if !bytes.Equal(buf.Bytes(), ind) {
			return fmt.Sprintf("indenting Encoder differs from MarshalIndent:\nencoder %q\n indent %q", buf.Bytes(), ind)
		}
	}
	return ""
}

// diff returns "" when x and y are deeply equal, else cmp.Diff of them.
func diff(x, y any) string {
	if reflect.DeepEqual(x, y) {
		return ""
	}
	return cmp.Diff(x, y)
}

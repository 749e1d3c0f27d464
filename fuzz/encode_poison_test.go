package fuzz

import (
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// poisons are strings a caller may put in any field: some XML cannot
// carry (the encoder must refuse them the same way on every path), some
// that need escaping or that a fused tag could get wrong.
var poisons = []string{
	"a\x00b", "\x01", "\xff", "x\xc3", "\uFFFE", "\uFFFF", "\ud7ff\ue000", "\U0010FFFF",
	"]]>", "\r", "\r\n", "a\rb", "<&>\"'", "</LocURI>", "<LocURI>", "\t \n", " ", "12345678", "1234567&", "1234567<", "\x7f",
}

// stringFields returns every settable string of v, the message's
// strings wherever they stand (commands nested in groups too), but the
// XML Data and Unknown markup, which are checked elsewhere.
func stringFields(v reflect.Value, out []reflect.Value) []reflect.Value {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			out = stringFields(v.Elem(), out)
		}
	case reflect.Struct:
		if d, ok := v.Addr().Interface().(*syncml.Data); ok && d.Kind == syncml.DataXML {
			return out
		}
		if _, ok := v.Addr().Interface().(*syncml.Unknown); ok {
			return out
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = stringFields(v.Field(i), out)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			out = stringFields(v.Index(i), out)
		}
	case reflect.String:
		if v.CanSet() {
			out = append(out, v)
		}
	}
	return out
}

// encodeAll returns the bytes and errors of Marshal, MarshalIndent and
// an indenting Encoder and a compact one.
func encodeAll(m *syncml.Message) (compact, encoder, indent, indentEnc []byte, errs [4]error) {
	compact, errs[0] = syncml.Marshal(m)
	var buf bytes.Buffer
	errs[1] = syncml.NewEncoder(&buf).Encode(m)
	encoder = bytes.Clone(buf.Bytes())
	indent, errs[2] = syncml.MarshalIndent(m, "", " ")
	buf.Reset()
	e := syncml.NewEncoder(&buf)
	e.SetIndent("", " ")
	errs[3] = e.Encode(m)
	indentEnc = buf.Bytes()
	return
}

// TestEncodePoisoned: a generated message with one of its strings
// replaced by a poison (one XML cannot carry, one that needs escaping,
// one of eight bytes or so, at the edge of the short leaves) is refused
// by Marshal, the Encoder, MarshalIndent and an indenting Encoder alike,
// with the same error, or written by all four, Marshal's and the
// Encoder's bytes the same, and both writings decoding to the message.
func TestEncodePoisoned(t *testing.T) {
	p := gopter.DefaultTestParametersWithSeed(20261204)
	p.MinSuccessfulTests = 2000
	if testing.Short() {
		p.MinSuccessfulTests = 200
	}
	refused, written := 0, 0
	props := gopter.NewProperties(p)
	props.Property("every writer refuses or writes alike", prop.ForAll(func(m *syncml.Message, seed int64) string {
		r := rand.New(rand.NewSource(seed))
		fields := stringFields(reflect.ValueOf(m), nil)
		if len(fields) == 0 {
			return ""
		}
		f := fields[r.Intn(len(fields))]
		poison := poisons[r.Intn(len(poisons))]
		switch r.Intn(3) {
		case 0:
			f.SetString(poison)
		case 1:
			f.SetString(f.String() + poison)
		default:
			f.SetString(poison + f.String())
		}
		compact, encoder, indent, indentEnc, errs := encodeAll(m)
		for i, err := range errs[1:] {
			if (err == nil) != (errs[0] == nil) || err != nil && err.Error() != errs[0].Error() {
				return fmt.Sprintf("poison %q: writer %d: %v, Marshal: %v", poison, i+1, err, errs[0])
			}
		}
		if errs[0] != nil {
			refused++
			return ""
		}
		written++
		if !bytes.Equal(compact, encoder) {
			return fmt.Sprintf("poison %q: Encoder %q, Marshal %q", poison, encoder, compact)
		}
		if !bytes.Equal(indent, indentEnc) {
			return fmt.Sprintf("poison %q: indenting Encoder %q, MarshalIndent %q", poison, indentEnc, indent)
		}
		for _, b := range [][]byte{compact, indent} {
			var got syncml.Message
			if err := syncml.Unmarshal(b, &got); err != nil {
				return fmt.Sprintf("poison %q: %v\n%q", poison, err, b)
			}
			if d := diff(m, &got); d != "" {
				return fmt.Sprintf("poison %q: decoded differently (-m +got):\n%s\n%q", poison, d, b)
			}
		}
		return ""
	}, syncmltest.GenMessage(), gen.Int64()))
	props.TestingRun(t)
	t.Logf("%d refused, %d written", refused, written)
	if refused == 0 || written == 0 {
		t.Errorf("%d refused, %d written: the property checked one side only", refused, written)
	}
}

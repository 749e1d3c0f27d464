package syncml_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// deepDiff returns "" when x and y are equal as cmp sees them, and
// cmp.Diff's report otherwise. reflect.DeepEqual decides first, in linear
// time: cmp compares each slice element twice, so it alone costs 2^n on
// a value nested n deep (an Atomic in an Atomic). cmp.Diff runs only on a
// DeepEqual mismatch and still has the last word.
func deepDiff(x, y any) string {
	if reflect.DeepEqual(x, y) {
		return ""
	}
	return cmp.Diff(x, y)
}

// defaultSeed is the seed the property tests use unless SYNCML_SEED is set.
const defaultSeed int64 = 20250611

// propParams returns gopter parameters with a fixed, logged seed
// (overridable with SYNCML_SEED) and at least 1000 cases (100 with -short).
func propParams(t *testing.T) *gopter.TestParameters {
	t.Helper()
	seed := defaultSeed
	if s := os.Getenv("SYNCML_SEED"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("SYNCML_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (rerun with SYNCML_SEED=%d)", seed, seed)
	p := gopter.DefaultTestParametersWithSeed(seed)
	p.MinSuccessfulTests = 1000
	if testing.Short() {
		p.MinSuccessfulTests = 100
	}
	return p
}

// runProp checks one property of generated messages. The check returns ""
// on success or a description of the failure.
func runProp(t *testing.T, name string, check func(m *syncml.Message) string) {
	t.Helper()
	props := gopter.NewProperties(propParams(t))
	props.Property(name, prop.ForAll(func(m *syncml.Message) string {
		msg := check(m)
		if msg != "" {
			b, _ := syncml.Marshal(m)
			msg += fmt.Sprintf("\nmessage: %q", b)
		}
		return msg
	}, syncmltest.GenMessage()))
	props.TestingRun(t)
}

// TestPropertyValueRoundTrip: Unmarshal(Marshal(m)) equals m, no field ignored.
func TestPropertyValueRoundTrip(t *testing.T) {
	runProp(t, "Unmarshal(Marshal(m)) == m", func(m *syncml.Message) string {
		b, err := syncml.Marshal(m)
		if err != nil {
			return fmt.Sprintf("Marshal: %v", err)
		}
		var got syncml.Message
		if err := syncml.Unmarshal(b, &got); err != nil {
			return fmt.Sprintf("Unmarshal: %v", err)
		}
		if d := deepDiff(m, &got); d != "" {
			return "value changed (-want +got):\n" + d
		}
		return ""
	})
}

// TestPropertyMarshalFixpoint: Marshal(Unmarshal(Marshal(m))) == Marshal(m).
func TestPropertyMarshalFixpoint(t *testing.T) {
	runProp(t, "Marshal is a fixpoint", func(m *syncml.Message) string {
		b, err := syncml.Marshal(m)
		if err != nil {
			return fmt.Sprintf("Marshal: %v", err)
		}
		var got syncml.Message
		if err := syncml.Unmarshal(b, &got); err != nil {
			return fmt.Sprintf("Unmarshal: %v", err)
		}
		c, err := syncml.Marshal(&got)
		if err != nil {
			return fmt.Sprintf("second Marshal: %v", err)
		}
		if !bytes.Equal(b, c) {
			return fmt.Sprintf("bytes changed:\n first %q\nsecond %q", b, c)
		}
		return ""
	})
}

// decodeStream reads a whole message with a Decoder over r and checks
// that every command's InputSpan holds exactly the command's canonical
// bytes in data.
func decodeStream(r io.Reader, data []byte, xmlns string) (*syncml.Message, string) {
	d := syncml.NewDecoder(r)
	h, err := d.Header()
	if err != nil {
		return nil, fmt.Sprintf("Header: %v", err)
	}
	out := &syncml.Message{XMLNS: d.Namespace(), Header: *h, NoHeader: d.NoHeader()}
	start, end := d.InputSpan()
	switch {
	case d.NoHeader():
		// no SyncHdr: an empty span where SyncBody starts
		if start != end || !bytes.HasPrefix(data[start:], []byte("<SyncBody>")) {
			return nil, fmt.Sprintf("header span [%d,%d) of a message without SyncHdr", start, end)
		}
	case !bytes.HasPrefix(data[start:end], []byte("<SyncHdr>")) || !bytes.HasSuffix(data[start:end], []byte("</SyncHdr>")):
		return nil, fmt.Sprintf("header span [%d,%d) = %q", start, end, data[start:end])
	}
	prevEnd := end + int64(len("<SyncBody>"))
	for {
		c, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Sprintf("Next: %v", err)
		}
		out.Body.Commands = append(out.Body.Commands, c)
		start, end := d.InputSpan()
		if start != prevEnd {
			return nil, fmt.Sprintf("span of %s starts at %d, previous ended at %d", c.ElementName(), start, prevEnd)
		}
		want, err := commandBytes(xmlns, c)
		if err != nil {
			return nil, err.Error()
		}
		if got := string(data[start:end]); got != want {
			return nil, fmt.Sprintf("span of %s:\n got %q\nwant %q", c.ElementName(), got, want)
		}
		prevEnd = end
	}
	if _, err := d.Next(); err != io.EOF {
		return nil, fmt.Sprintf("Next after EOF: %v, want io.EOF", err)
	}
	out.Body.Final = d.Final()
	return out, ""
}

// commandBytes returns the canonical bytes of c alone in a body.
func commandBytes(xmlns string, c syncml.Command) (string, error) {
	b, err := syncml.Marshal(&syncml.Message{XMLNS: xmlns, Body: syncml.Body{Commands: []syncml.Command{c}}})
	if err != nil {
		return "", err
	}
	s := string(b)
	i := strings.Index(s, "<SyncBody>")
	j := strings.LastIndex(s, "</SyncBody>")
	return s[i+len("<SyncBody>") : j], nil
}

// TestPropertyStreaming: the Decoder (Next one command at a time, and
// Decode) and the Encoder agree with Unmarshal and Marshal, also when the
// reader returns one byte or half the asked bytes at a time; every way of
// writing the message agrees with Marshal (syncmltest.EncodePaths), and
// AppendMessage into a reused buffer equals it.
func TestPropertyStreaming(t *testing.T) {
	reuse := make([]byte, 0, 64<<10)
	runProp(t, "streaming equals whole", func(m *syncml.Message) string {
		b, err := syncml.Marshal(m)
		if err != nil {
			return fmt.Sprintf("Marshal: %v", err)
		}
		var whole syncml.Message
		if err := syncml.Unmarshal(b, &whole); err != nil {
			return fmt.Sprintf("Unmarshal: %v", err)
		}
		readers := map[string]func() io.Reader{
			"plain":   func() io.Reader { return bytes.NewReader(b) },
			"onebyte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
			"half":    func() io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
		}
		for _, name := range []string{"plain", "onebyte", "half"} {
			got, msg := decodeStream(readers[name](), b, m.XMLNS)
			if msg != "" {
				return name + ": " + msg
			}
			if d := deepDiff(&whole, got); d != "" {
				return name + ": Decoder differs from Unmarshal (-Unmarshal +Decoder):\n" + d
			}
			var decoded syncml.Message
			if err := syncml.NewDecoder(readers[name]()).Decode(&decoded); err != nil {
				return fmt.Sprintf("%s: Decode: %v", name, err)
			}
			if d := cmp.Diff(&whole, &decoded); d != "" {
				return name + ": Decode differs from Unmarshal (-Unmarshal +Decode):\n" + d
			}
		}

		if msg := syncmltest.EncodePaths(m, b); msg != "" {
			return msg
		}

		reuse, err = syncml.AppendMessage(reuse[:0], m)
		if err != nil {
			return fmt.Sprintf("AppendMessage: %v", err)
		}
		if !bytes.Equal(reuse, b) {
			return fmt.Sprintf("AppendMessage differs:\nappend  %q\nmarshal %q", reuse, b)
		}
		return ""
	})
}

// TestPropertyMarshalIndent: indented output decodes to the same Message,
// and an indenting Encoder writes the same bytes as MarshalIndent.
func TestPropertyMarshalIndent(t *testing.T) {
	layouts := [][2]string{{"", "  "}, {"", "\t"}, {"\t", " "}, {" \r\n", ""}}
	i := 0
	runProp(t, "MarshalIndent decodes to the same Message", func(m *syncml.Message) string {
		l := layouts[i%len(layouts)]
		i++
		b, err := syncml.MarshalIndent(m, l[0], l[1])
		if err != nil {
			return fmt.Sprintf("MarshalIndent(%q, %q): %v", l[0], l[1], err)
		}
		var got syncml.Message
		if err := syncml.Unmarshal(b, &got); err != nil {
			return fmt.Sprintf("Unmarshal of MarshalIndent(%q, %q) output: %v\n%s", l[0], l[1], err, b)
		}
		if d := deepDiff(m, &got); d != "" {
			return fmt.Sprintf("MarshalIndent(%q, %q) value changed (-want +got):\n%s", l[0], l[1], d)
		}
		var buf bytes.Buffer
		e := syncml.NewEncoder(&buf)
		e.SetIndent(l[0], l[1])
		if err := e.Encode(m); err != nil {
			return fmt.Sprintf("indenting Encode: %v", err)
		}
		if !bytes.Equal(buf.Bytes(), b) {
			return fmt.Sprintf("indenting Encoder differs from MarshalIndent:\nencoder %q\n indent %q", buf.Bytes(), b)
		}
		return ""
	})
}

// TestGeneratorCoverage checks that the generators reach every field of
// every model type with a non-zero value, every command (also nested at
// the deepest level), every Data kind, and the characters XML allows at
// the edges of its ranges.
func TestGeneratorCoverage(t *testing.T) {
	params := gopter.DefaultGenParameters()
	params.Rng.Seed(defaultSeed)
	seen := map[string]bool{}
	var texts strings.Builder
	for i := 0; i < 2000; i++ {
		r := syncmltest.GenMessage()(params)
		m := r.Result.(*syncml.Message)
		walk(reflect.ValueOf(m), "", 0, seen, &texts)
	}
	for i := 0; i < 500; i++ {
		s := syncmltest.GenText()(params).Result.(string)
		if !syncmltest.IsXMLText(s) {
			t.Fatalf("GenText produced %q, which XML cannot carry", s)
		}
		texts.WriteString(s)
		d := syncmltest.GenData()(params).Result.(*syncml.Data)
		seen["GenData."+d.Kind.String()] = true
		c := syncmltest.GenCommand(1)(params).Result.(syncml.Command)
		seen["GenCommand."+reflect.TypeOf(c).Elem().Name()] = true
	}

	var want []string
	for _, v := range []any{
		syncml.Message{}, syncml.Header{}, syncml.Body{}, syncml.Add{}, syncml.Alert{}, syncml.Atomic{},
		syncml.Copy{}, syncml.Delete{}, syncml.Exec{}, syncml.Get{}, syncml.Replace{}, syncml.Results{},
		syncml.Sequence{}, syncml.Status{}, syncml.Unknown{}, syncml.Item{}, syncml.Location{}, syncml.Meta{},
		syncml.Anchor{}, syncml.Mem{}, syncml.Cred{}, syncml.Chal{}, syncml.Data{},
	} {
		typ := reflect.TypeOf(v)
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			want = append(want, typ.Name()+"."+f.Name)
		}
	}
	for _, k := range []string{"text", "cdata", "xml"} {
		want = append(want, "kind."+k, "GenData."+k)
	}
	for _, n := range []string{"Add", "Alert", "Atomic", "Copy", "Delete", "Exec", "Get", "Replace", "Results", "Sequence", "Status", "Unknown"} {
		want = append(want, "depth1."+n, "depth3."+n, "GenCommand."+n)
	}
	for _, x := range []string{"", syncml.NamespaceSyncML11, syncml.NamespaceSyncML12} {
		want = append(want, "xmlns="+x)
	}
	var missing []string
	for _, w := range want {
		if !seen[w] {
			missing = append(missing, w)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("generators never produced: %v", missing)
	}
	all := texts.String()
	for _, s := range []string{"\r", "\t", "\n", " ", "&", "<", ">", "]]>", "é", "\U0001F600", "\uD7FF", "\uE000", "\uFFFD", "\U00010000", "\U0010FFFF"} {
		if !strings.Contains(all, s) {
			t.Errorf("generated text never holds %q", s)
		}
	}
}

// walk records, for every struct field reached from v, whether it was
// ever non-zero ("Type.Field"), and collects generated strings.
func walk(v reflect.Value, owner string, depth int, seen map[string]bool, texts *strings.Builder) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), owner, depth, seen, texts)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), owner, depth, seen, texts)
		}
	case reflect.String:
		texts.WriteString(v.String())
	case reflect.Struct:
		typ := v.Type()
		switch x := v.Addr().Interface().(type) {
		case *syncml.Message:
			seen["xmlns="+x.XMLNS] = true
		case *syncml.Data:
			seen["kind."+x.Kind.String()] = true
		case syncml.Command:
			depth++
			seen["depth"+strconv.Itoa(depth)+"."+typ.Name()] = true
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if !f.IsZero() && !(f.Kind() == reflect.Slice && f.Len() == 0) {
				seen[typ.Name()+"."+typ.Field(i).Name] = true
			}
			if f.Kind() == reflect.Slice && f.Len() == 0 && !f.IsNil() {
				seen["EMPTY-SLICE "+typ.Name()+"."+typ.Field(i).Name] = true
			}
			walk(f, typ.Name(), depth, seen, texts)
		}
	}
}

// TestPropertyGeneratorCanonical guards the generator itself: it never
// produces an empty non-nil slice, which the decoder would turn into nil,
// a header with NoHeader set, or an EmptyTarget or EmptySource flag with a
// location that has content.
func TestPropertyGeneratorCanonical(t *testing.T) {
	params := gopter.DefaultGenParameters()
	params.Rng.Seed(defaultSeed + 1)
	seen := map[string]bool{}
	var texts strings.Builder
	for i := 0; i < 500; i++ {
		m := syncmltest.GenMessage()(params).Result.(*syncml.Message)
		walk(reflect.ValueOf(m), "", 0, seen, &texts)
		h := &m.Header
		switch {
		case m.NoHeader && *h != (syncml.Header{}):
			t.Fatalf("generator produced NoHeader with a header: %+v", *h)
		case h.EmptyTarget && h.Target != (syncml.Location{}), h.EmptySource && h.Source != (syncml.Location{}):
			t.Fatalf("generator produced an empty-location flag with a location: %+v", *h)
		}
	}
	for k := range seen {
		if strings.HasPrefix(k, "EMPTY-SLICE") {
			t.Errorf("generator produced %s", k)
		}
	}
}

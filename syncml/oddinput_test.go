package syncml_test

// Odd but valid input, and hostile input, through every decoding entry
// point: CDATA sections and character references in each text position
// (LocURI, Meta, Cred, Data, CmdID), comments and processing instructions
// between commands, byte-order marks and declared encodings against the
// bytes, names and values long enough to meet the Limits. Each input is
// accepted (refused, when marked bad) alike by Unmarshal, UnmarshalOwned and the Decoder
// (whole, one byte at a time, by Decode and by Header and Next); an
// accepted one keeps the exactness properties (checkAccepted), and every
// cut of it is refused with a typed error or read alike; and for each
// Limits field, the least value that accepts it is accepted by every
// decoder and the one below refused with a *LimitError naming the field.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/windc-go/windc/syncml"
)

const oddHdr = `<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>t</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr>`

func oddMsg(body string) string {
	return `<SyncML xmlns="SYNCML:SYNCML1.2">` + oddHdr + `<SyncBody>` + body + `<Final/></SyncBody></SyncML>`
}

func oddItem(item string) string {
	return oddMsg(`<Replace><CmdID>1</CmdID><Item>` + item + `</Item></Replace>`)
}

// oddBad holds the inputs of oddInputs that every decoder must refuse
// (marked with bad): not well-formed, not SyncML, or bytes against their
// encoding. Every other one must be accepted.
var oddBad = map[string]bool{}

func bad(in string) string {
	oddBad[in] = true
	return in
}

var oddInputs = []string{
	oddMsg(`<?xml-stylesheet x?><Get><CmdID>1</CmdID><Item><Target><LocURI>a</LocURI></Target></Item></Get>`),
	bad(oddMsg(`<?xml x?>`)),
	bad(oddMsg(`<?XmL x?>`)),
	oddMsg(`<?x?>`),
	oddMsg(`<?x ?>`),
	oddMsg(`<?x	y?>`),
	bad(oddMsg(`<!-- a -- b -->`)),
	bad(oddMsg(`<!-- a --->`)),
	oddMsg(`<!---->`),
	bad(oddMsg(`<![CDATA[x]]>`)),
	oddMsg(`<![CDATA[ ]]>`),
	oddMsg(`&#x20;`),
	oddMsg(`&#x20;<Get><CmdID>1</CmdID></Get>`),
	oddMsg(`<Get><CmdID>1</CmdID>&#x20;</Get>`),
	oddMsg(`<Get><CmdID>1</CmdID><![CDATA[ ]]></Get>`),
	oddMsg(`<Get>` + "\r\n\t" + `<CmdID>1</CmdID></Get>`),
	oddMsg(`<x:` + strings.Repeat("n", 3000) + ` xmlns:x="urn:x" a="` + strings.Repeat("v", 3000) + `">` + strings.Repeat("t", 5000) + `<!--` + strings.Repeat("c", 4000) + `--><?p ` + strings.Repeat("i", 4000) + `?></x:` + strings.Repeat("n", 3000) + `>`),
	oddItem(`<Data>` + strings.Repeat("é", 3000) + `</Data>`),
	oddItem(`<Data><![CDATA[` + strings.Repeat("é", 3000) + `]]></Data>`),
	oddItem(`<Data><a ` + strings.Repeat("x", 2000) + `="1"/></Data>`),
	oddMsg(`<Get><CmdID>` + strings.Repeat("9", 5000) + `</CmdID><Item><Target><LocURI>` + strings.Repeat("a/", 3000) + `b</LocURI></Target></Item></Get>`),
	oddItem(`<Target><LocURI><![CDATA[./a/b]]></LocURI></Target><Data>x</Data>`),
	oddItem(`<Target><LocURI>./a<![CDATA[/b]]>&#x2F;c</LocURI></Target><Data>x</Data>`),
	oddItem(`<Target><LocURI>&#46;/a</LocURI></Target><Data><![CDATA[]]></Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Meta><Format xmlns="syncml:metinf"><![CDATA[chr]]></Format><Type xmlns="syncml:metinf">text&#47;plain</Type></Meta><Data>&#x20;x&#x20;</Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data><![CDATA[a]]>b<![CDATA[c]]></Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data>a<![CDATA[b]]></Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data><![CDATA[a]]><!--c--><![CDATA[b]]></Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data>&#xD;&#xA;&#x9;</Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data><![CDATA[]]]]><![CDATA[>]]></Data>`),
	bad(oddItem(`<Target><LocURI>./a</LocURI></Target><Data xml:space="preserve"> x </Data>`)),
	bad(oddItem(`<Target xml:space="preserve"><LocURI>./a</LocURI></Target><Data>x</Data>`)),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data><a xml:space="preserve"> </a></Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data>  <a/>  </Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data><!--c--><a/><?pi x?></Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data><?pi x?></Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data><!--c--></Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data>a<!--c-->b</Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data>a<?p?>b</Data>`),
	oddItem(`<Target><LocURI>./a</LocURI></Target><Data>&lt;a/&gt;</Data>`),
	oddMsg(`<!--c--><Get><CmdID>1</CmdID><?pi?><Item><!--x--><Target><LocURI>./a</LocURI></Target></Item></Get><?pi x?>`),
	oddMsg(`<Get><CmdID><![CDATA[1]]></CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get>`),
	oddMsg(`<Get><CmdID>&#49;</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get>`),
	oddMsg(`<Get><CmdID>1<!--c--></CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get>`),
	oddMsg(`<Get><CmdID>1</CmdID><Cred><Meta><Type xmlns="syncml:metinf">syncml:auth-basic</Type></Meta><Data><![CDATA[dXNlcjpwdw==]]></Data></Cred><Item><Target><LocURI>./a</LocURI></Target></Item></Get>`),
	oddMsg(`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Chal><Meta><NextNonce xmlns="syncml:metinf"><![CDATA[abc]]></NextNonce></Meta></Chal><Data>&#50;00</Data></Status>`),
	`<?xml version="1.0" encoding="UTF-8"?>` + oddMsg(``),
	"\xEF\xBB\xBF" + `<?xml version="1.0" encoding="UTF-8"?>` + oddMsg(``),
	"\xEF\xBB\xBF" + `<?xml version="1.0" encoding="ISO-8859-1"?>` + oddMsg(``),
	"\xEF\xBB\xBF" + `<?xml version="1.0" encoding="UTF-16"?>` + oddMsg(``),
	`<?xml version="1.0" encoding="ISO-8859-1"?>` + oddItem(`<Data>caf`+"\xe9"+`</Data>`),
	bad(`<?xml version="1.0" encoding="UTF-8"?>` + oddItem(`<Data>caf`+"\xe9"+`</Data>`)),
	bad(`<?xml version="1.0" encoding="US-ASCII"?>` + oddItem(`<Data>caf`+"\xc3\xa9"+`</Data>`)),
	bad(`<?xml version="1.0" encoding="windows-1252"?>` + oddItem(`<Data>`+"\x80\x81"+`</Data>`)),
	`<?xml version="1.0" encoding="utf-16"?>` + oddItem(`<Data>é</Data>`),
	bad(`<?xml version="1.0" encoding="bogus"?>` + oddMsg(``)),
	`<?xml version="1.1"?>` + oddMsg(``),
	`<?xml version="1.0" standalone="yes"?>` + oddMsg(``),
	bad(`<?xml version="1.0" encoding=""?>` + oddMsg(``)),
	bad("\xFF\xFE<\x00S\x00"),
	bad("\xEF\xBB\xBF\xEF\xBB\xBF" + oddMsg(``)),
	" " + oddMsg(``),
	oddMsg(``) + " <!--c--> <?p?> ",
	bad(oddMsg(``) + "\x00"),
	bad(oddItem(`<Data>&#0;</Data>`)),
	bad(oddItem(`<Data>&#xFFFE;</Data>`)),
	oddItem(`<Data>&#x10FFFF;</Data>`),
	bad(oddItem(`<Data>&#x110000;</Data>`)),
	bad(oddItem(`<Data>&#xD800;</Data>`)),
	oddItem(`<Data>&#0000000000000000000000065;</Data>`),
	bad(oddItem(`<Data>` + "\xed\xa0\x80" + `</Data>`)),
	bad(oddItem(`<Data>` + "\uFFFE" + `</Data>`)),
	oddItem(`<Data>` + "\x7f\u0085\u2028" + `</Data>`),
	bad(oddItem(`<Data>]]></Data>`)),
	oddItem(`<Data>a]]b</Data>`),
	oddItem(`<Data msft:originalerror="0x1" xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM">x</Data>`),
	oddItem(`<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="&#x30;x1">x</Data>`),
	oddItem(`<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="a&#9;b&#10;c&#13;">x</Data>`),
	oddItem(`<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror=" ">x</Data>`),
	oddItem(`<Data xmlns:m="http://schemas.microsoft.com/MobileDevice/MDM" m:originalerror="1"><a/></Data>`),
	oddItem(`<Data xmlns:m="http://schemas.microsoft.com/MobileDevice/MDM" m:originalerror="1"><m:a/></Data>`),
	oddItem(`<Data xmlns:p="urn:p"><p:a/></Data>`),
	oddItem(`<Data><a xmlns:xml="http://www.w3.org/XML/1998/namespace" xml:lang="en"/></Data>`),
	oddItem(`<Data><a b="&lt;&amp;&#x9;&#xA;&#xD;&quot;'"/></Data>`),
	oddItem(`<Data><a b='"'/></Data>`),
	oddItem(`<Data><a>]]&gt;</a></Data>`),
	oddItem(`<Data><a><![CDATA[x]]></a>x</Data>`),
	oddItem(`<Data><a/>` + "\r\n" + `</Data>`),
	oddItem(`<Data><a>` + "\r\n\r" + `</a></Data>`),
	oddItem(`<Data>` + "a\r\nb\rc" + `</Data>`),
	oddItem(`<Data><![CDATA[` + "a\r\nb\rc" + `]]></Data>`),
	oddMsg(`<Get><CmdID>1</CmdID><Item><Target><LocURI>` + "\r\n./a\r\n" + `</LocURI></Target></Item></Get>`),
	oddMsg(`<Get><CmdID>1</CmdID><Item><Target><LocURI>./a</LocURI><LocName>` + "a\rb" + `</LocName></Target></Item></Get>`),
	`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Cred><Meta><Format xmlns="syncml:metinf">b64</Format></Meta><Data>&#x41;<![CDATA[B]]></Data></Cred></SyncHdr><SyncBody/></SyncML>`,
	`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Cred><Data><a/></Data></Cred></SyncHdr><SyncBody/></SyncML>`,
	`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Meta><MaxMsgSize xmlns="syncml:metinf"><![CDATA[ 1000 ]]></MaxMsgSize></Meta></SyncHdr><SyncBody/></SyncML>`,
	bad(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Meta><EMI xmlns="syncml:metinf"><a/></EMI></Meta></SyncHdr><SyncBody/></SyncML>`),
	oddMsg(`<Exec><CmdID>1</CmdID><Item><Target><LocURI>./a</LocURI></Target><Data><![CDATA[<x/>]]></Data></Item></Exec>`),
	oddMsg(`<Atomic><CmdID>1</CmdID><!--c--><Add><CmdID>2</CmdID><Item><Target><LocURI>a</LocURI></Target></Item></Add><?p?></Atomic>`),
	oddMsg(`<Sequence><CmdID>1</CmdID><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Atomic><CmdID>2</CmdID></Atomic></Sequence>`),
	oddMsg(`<x:Foo xmlns:x="urn:x"><![CDATA[a]]>&#65;</x:Foo>`),
	oddMsg(`<Foo/>`),
	oddMsg(`<Foo xml:space="preserve"> </Foo>`),
	oddMsg(`<Alert><CmdID>1</CmdID><Data>1201</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft:mdm.unenrollment.userrequest</Type></Meta><Data>1</Data></Item></Alert>`),
	oddMsg(`<Alert><CmdID>1</CmdID><Data><![CDATA[1201]]></Data></Alert>`),
	oddMsg(`<Alert><CmdID>1</CmdID><Data><a/></Data></Alert>`),
	oddMsg(`<Results><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Item><Source><LocURI>./a</LocURI></Source><Data><!-- --></Data></Item></Results>`),
}

// decodeEvery decodes b under lim with every decoding entry point and
// returns their errors, and the message when all succeed.
func decodeEvery(b []byte, lim syncml.Limits) (*syncml.Message, []error) {
	var m, owned syncml.Message
	errs := []error{syncml.UnmarshalLimits(b, &m, lim), syncml.UnmarshalOwned(append([]byte(nil), b...), &owned, lim)}
	msgs := []*syncml.Message{&owned}
	for _, one := range []bool{false, true} {
		reader := func() io.Reader {
			if one {
				return iotest.OneByteReader(bytes.NewReader(b))
			}
			return bytes.NewReader(b)
		}
		d := syncml.NewDecoder(reader())
		d.SetLimits(lim)
		whole := new(syncml.Message)
		errs = append(errs, d.Decode(whole))
		msgs = append(msgs, whole)
		d = syncml.NewDecoder(reader())
		d.SetLimits(lim)
		_, err := d.Header()
		for err == nil {
			_, err = d.Next()
		}
		if err == io.EOF {
			err = nil
		}
		errs = append(errs, err)
	}
	for _, e := range errs {
		if e != nil {
			return nil, errs
		}
	}
	// UnmarshalOwned and Decode give the message Unmarshal does
	for _, o := range msgs {
		if !cmp.Equal(&m, o) {
			return nil, append(errs, fmt.Errorf("messages differ: %s", cmp.Diff(&m, o)))
		}
	}
	return &m, errs
}

// agree reports whether the errors of decodeEvery all succeed or all fail
// with the same typed error.
func agree(errs []error) error {
	for _, e := range errs[1:] {
		if (e == nil) != (errs[0] == nil) || e != nil && e.Error() != errs[0].Error() {
			return fmt.Errorf("decoders disagree: %v", errs)
		}
	}
	if errs[0] != nil && !typedError(errs[0]) {
		return fmt.Errorf("untyped error %v", errs[0])
	}
	return nil
}

func TestOddInputs(t *testing.T) {
	for i, in := range oddInputs {
		name := fmt.Sprintf("odd[%d]", i)
		b := []byte(in)
		m, errs := decodeEvery(b, syncml.Limits{})
		if err := agree(errs); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if (m == nil) != oddBad[in] {
			t.Errorf("%s: accepted %v (errors %v), want accepted %v", name, m != nil, errs[0], !oddBad[in])
		}
		if m == nil {
			continue
		}
		checkAccepted(t, name, b)
		if !testing.Short() && !syncml.RaceEnabled {
			// 40 decodes of 32 KiB one byte at a time each: 46 s under
			// -race for nothing the race detector can see (one
			// goroutine); the corpus tests check boundaries under it
			checkBoundaries(t, name, b, m)
		}
		step := 1
		if testing.Short() {
			step = max(1, len(b)/64)
		}
		for n := 0; n < len(b); n += step {
			cut := b[:n]
			var m syncml.Message
			err := syncml.Unmarshal(cut, &m)
			derr := syncml.NewDecoder(bytes.NewReader(cut)).Decode(&m)
			switch {
			case (err == nil) != (derr == nil) || err != nil && err.Error() != derr.Error():
				t.Errorf("%s cut at %d: Unmarshal %v, Decoder %v", name, n, err, derr)
			case err != nil && !typedError(err):
				t.Errorf("%s cut at %d: untyped error %v", name, n, err)
			case err == nil && !bytes.Contains(cut, []byte("</SyncML>")):
				t.Errorf("%s cut at %d: accepted", name, n)
			}
		}
	}
}

func TestOddInputsLimitEdges(t *testing.T) {
	fields := []struct {
		name string
		set  func(*syncml.Limits, int)
	}{
		{"MaxBytes", func(l *syncml.Limits, n int) { l.MaxBytes = int64(n) }},
		{"MaxDepth", func(l *syncml.Limits, n int) { l.MaxDepth = n }},
		{"MaxTokens", func(l *syncml.Limits, n int) { l.MaxTokens = n }},
		{"MaxTokenBytes", func(l *syncml.Limits, n int) { l.MaxTokenBytes = n }},
		{"MaxAttrs", func(l *syncml.Limits, n int) { l.MaxAttrs = n }},
		{"MaxDataDepth", func(l *syncml.Limits, n int) { l.MaxDataDepth = n }},
		{"MaxNamespaces", func(l *syncml.Limits, n int) { l.MaxNamespaces = n }},
	}
	for i, in := range oddInputs {
		b := []byte(in)
		var m syncml.Message
		if syncml.Unmarshal(b, &m) != nil {
			continue
		}
		for _, f := range fields {
			// the least value Unmarshal accepts b with
			lo, hi := 1, 1<<24
			for lo < hi {
				mid := (lo + hi) / 2
				var l syncml.Limits
				f.set(&l, mid)
				if syncml.UnmarshalLimits(b, &m, l) == nil {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			for n := max(lo-1, 1); n <= lo; n++ {
				var l syncml.Limits
				f.set(&l, n)
				_, errs := decodeEvery(b, l)
				for k, err := range errs {
					var le *syncml.LimitError
					switch {
					case n == lo && err != nil:
						t.Errorf("odd[%d] %s %d (the least Unmarshal takes): decoder %d: %v", i, f.name, n, k, err)
					case n < lo && (!errors.As(err, &le) || le.Limit != f.name):
						t.Errorf("odd[%d] %s %d (below %d): decoder %d: %v, want a *LimitError for it", i, f.name, n, lo, k, err)
					}
				}
			}
		}
	}
}

// TestOriginalErrorNormalized: the msft:originalerror attribute is read
// with XML's attribute-value normalisation (a literal TAB, LF, CR or CRLF
// is a space; one written as a character reference stays), and written
// back with the references that keep the value. (The independent tree
// check cannot compare such a value: encoding/xml does not normalise.)
func TestOriginalErrorNormalized(t *testing.T) {
	for in, want := range map[string]string{
		"a\tb\nc":        "a b c",
		"a\r\nb":         "a b",
		"a\r\n\r\nb":     "a  b",
		"&#9;&#10;&#13;": "\t\n\r",
		" a ":            " a ",
	} {
		b := []byte(oddItem(`<Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="` + in + `">x</Data>`))
		m, errs := decodeEvery(b, syncml.Limits{})
		if err := agree(errs); err != nil || m == nil {
			t.Fatalf("%q: %v %v", in, err, errs)
		}
		d := m.Body.Commands[0].(*syncml.Replace).Items[0].Data
		if d.OriginalError != want {
			t.Errorf("%q read as %q, want %q", in, d.OriginalError, want)
		}
		c, err := syncml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var m2 syncml.Message
		if err := syncml.Unmarshal(c, &m2); err != nil || !cmp.Equal(m, &m2) {
			t.Errorf("%q: written as %s, read back %v %s", in, c, err, cmp.Diff(m, &m2))
		}
	}
}

package fuzz

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// syncmlSnippets are small inputs, well-formed or not, that reach the
// scanner's corners (the round-trip pitfalls of encoding/xml among them).
var syncmlSnippets = []string{
	``,
	`<SyncML/>`,
	`<SyncML><SyncHdr/><SyncBody/></SyncML>`,
	`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr/><SyncBody><Final/></SyncBody></SyncML>`,
	`<a:b xmlns:a="urn:x" a:c="1"/>`,
	`<SyncML><SyncHdr/><SyncBody><Map xml:lang="en"/></SyncBody></SyncML>`,
	`<!DOCTYPE a [<!-- c --><!ENTITY e "v">]><a/>`,
	`<Root><! <<!-- -->!-- x --> y></Root>`,
	`<x::Root/>`,
	`<Root x:="v"/>`,
	`<foo:bar/>`,
	"<SyncML><SyncHdr><MsgID>x\r\ny\rz</MsgID></SyncHdr><SyncBody/></SyncML>",
	`<SyncML><SyncHdr/><SyncBody><Status><Data>x&#xD;y</Data></Status><Map b="x&#xD;y"/></SyncBody></SyncML>`,
	"<SyncML><SyncHdr/><SyncBody><Map b=\"x\ny\tz\"/></SyncBody></SyncML>",
	`<SyncML><SyncHdr/><SyncBody><Status><Data><![CDATA[<b>&amp;</b>]]></Data></Status></SyncBody></SyncML>`,
	`<SyncML  ><SyncHdr /><SyncBody ><Map  b = 'q"' c="d"  ></Map ></SyncBody ></SyncML >`,
	`<SyncML><SyncHdr/><SyncBody><Status><Data>&#x1F600;&#65;&gt;&apos;</Data></Status></SyncBody></SyncML>`,
	`<SyncML><SyncHdr/><SyncBody><Status><Data>&#xD800;</Data></Status></SyncBody></SyncML>`,
	`<SyncML><SyncHdr/><SyncBody><Map x="1" x="2"/></SyncBody></SyncML>`,
	"\xEF\xBB\xBF<SyncML><SyncHdr/><SyncBody/></SyncML>",
	`<SyncML><SyncHdr/><SyncBody/></SyncML><b/>`,
	`<SyncML><SyncHdr/><SyncBody/></SyncML>trailing`,
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><SyncML><SyncHdr><MsgID>caf\xe9</MsgID></SyncHdr><SyncBody/></SyncML>",
	"\xFF\xFE<\x00S\x00y\x00n\x00c\x00M\x00L\x00/\x00>\x00",
	`<?xml version="1.1"?><SyncML><SyncHdr/><SyncBody/></SyncML>`,
	"<?xml version='1.0'?>\r\n<SyncML><SyncHdr/><SyncBody/></SyncML>\r\n",
	`<SyncML><SyncHdr/><SyncBody><Replace><CmdID>1</CmdID><Item><Data>x]]></Data></Item><Item><Target><LocURI>./Vendor/MSFT/RemoteWipe/doWipe</LocURI></Target></Item></Replace></SyncBody></SyncML>`,
	`<SyncML><SyncHdr/><SyncBody><Get><Item><Target><LocURI>./Vendor/<!---->MSFT</LocURI></Target></Item></Get></SyncBody></SyncML>`,
	`<SyncML xmlns:p="urn:p" xmlns:q="urn:p"><SyncHdr/><SyncBody><Map p:a="1" q:a="2"/></SyncBody></SyncML>`,
	`<SyncML><SyncHdr/><SyncBody><Alert><Data>1226</Data><Item><Data><a><b><c/></b></a></Data></Item></Alert></SyncBody></SyncML>`,
	`<SyncML><SyncHdr/><SyncBody><Status><Data xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM" msft:originalerror="0x1">404</Data></Status></SyncBody></SyncML>`,
	`<?pi?><SyncML><?xml version="1.0"?><SyncHdr/><SyncBody/></SyncML>`,
	`<SyncML><SyncHdr/><SyncBody><a b='c'c='d'/></SyncBody></SyncML>`,
	// no SyncHdr (NoHeader), which the fast reader of Unmarshal also reads
	`<SyncML><SyncBody><Get><CmdID>4</CmdID><Item><Target><LocURI>./DevDetail/SwV</LocURI></Target></Item></Get><Final/></SyncBody></SyncML>`,
	`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM"><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd><Data msft:originalerror="0x86000002">404</Data></Status><Final/></SyncBody></SyncML>`,
	"<SyncML xmlns=\"SYNCML:SYNCML1.2\">\r\n\t<SyncBody>\r\n\t\t<Replace>\r\n\t\t\t<CmdID>2</CmdID>\r\n\t\t\t<Item><Target><LocURI>./a</LocURI></Target><Data>1</Data></Item>\r\n\t\t</Replace>\r\n\t</SyncBody>\r\n</SyncML>\n",
	`<SyncML><SyncBody></SyncBody></SyncML>`,
	`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Alert><CmdID>1</CmdID><Data>1201</Data></Alert></SyncBody><SyncHdr><MsgID>1</MsgID></SyncHdr></SyncML>`,
}

// addSyncMLSeeds adds the embedded corpus and the snippets to f; with
// chunked, each seed also gets a chunking seed.
func addSyncMLSeeds(f *testing.F, chunked bool) {
	var seeds [][]byte
	for _, m := range syncmltest.Messages() {
		seeds = append(seeds, m.Data)
	}
	for _, m := range syncmltest.Malformed() {
		seeds = append(seeds, m.Data)
	}
	for _, s := range syncmlSnippets {
		seeds = append(seeds, []byte(s))
	}
	for i, s := range seeds {
		if chunked {
			f.Add(s, int64(i))
		} else {
			f.Add(s)
		}
	}
}

func typedSyncMLError(err error) bool {
	var de *syncml.DecodeError
	var le *syncml.LimitError
	return errors.As(err, &de) || errors.As(err, &le)
}

// FuzzSyncMLDecode: no input panics; every error is typed; whatever is
// accepted has a canonical encoding that is a fixpoint and decodes to the
// same value, and ValidateCmdIDs finds in it the first CmdID violation
// Validate lists; and an xml: attribute put on one of its elements of the
// model is refused with a typed error at the attribute, not dropped (see
// checkXMLAttr).
func FuzzSyncMLDecode(f *testing.F) {
	addSyncMLSeeds(f, false)
	f.Fuzz(func(t *testing.T, in []byte) {
		checkNilMessage(t, in)
		var m syncml.Message
		err := syncml.Unmarshal(in, &m)
		if err != nil {
			if !typedSyncMLError(err) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), "syncml: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		c, err := syncml.Marshal(&m)
		if err != nil {
			t.Fatalf("Marshal of an accepted message: %v", err)
		}
		var m2 syncml.Message
		if err := syncml.Unmarshal(c, &m2); err != nil {
			t.Fatalf("canonical encoding rejected: %v\n%q", err, c)
		}
		if d := diff(&m, &m2); d != "" {
			t.Fatalf("Unmarshal(Marshal(m)) != m (-m +m2):\n%s", d)
		}
		c2, err := syncml.Marshal(&m2)
		if err != nil {
			t.Fatalf("second Marshal: %v", err)
		}
		if !bytes.Equal(c, c2) {
			t.Fatalf("Marshal is not a fixpoint:\n first: %q\nsecond: %q", c, c2)
		}
		if d := syncmltest.CmdIDsAgree(&m); d != "" {
			t.Fatal(d)
		}
		// An Encoder set to the default limits writes what Marshal writes.
		var eb bytes.Buffer
		e := syncml.NewEncoder(&eb)
		e.SetLimits(syncml.DefaultLimits())
		if err := e.Encode(&m); err != nil {
			t.Fatalf("Encoder with the default limits refused what Marshal wrote: %v", err)
		}
		if !bytes.Equal(eb.Bytes(), c) {
			t.Fatalf("Encoder with the default limits differs from Marshal:\nEncoder: %q\nMarshal: %q", eb.Bytes(), c)
		}
		checkXMLAttr(t, in, c, &m)
	})
}

// raisedSyncMLLimits are limits above the defaults for the markup the
// Encoder checks (depth, attributes, Data depth, namespaces).
var raisedSyncMLLimits = syncml.Limits{MaxDepth: 48, MaxAttrs: 80, MaxDataDepth: 40, MaxNamespaces: 120}

// FuzzSyncMLRaisedLimits: a message decoded under raised limits is written
// again by an Encoder set to those limits, and that encoding decodes under
// them to the same message; an Encoder left at the defaults refuses it
// only with a *LimitError, and only when the defaults refuse the input.
// Each call to Decoder.Header returns a copy: changing one changes
// nothing a later call returns.
func FuzzSyncMLRaisedLimits(f *testing.F) {
	addSyncMLSeeds(f, false)
	for _, s := range raisedLimitsSnippets() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var m syncml.Message
		if err := syncml.UnmarshalLimits(in, &m, raisedSyncMLLimits); err != nil {
			if !typedSyncMLError(err) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		var eb bytes.Buffer
		e := syncml.NewEncoder(&eb)
		e.SetLimits(raisedSyncMLLimits)
		if err := e.Encode(&m); err != nil {
			t.Fatalf("Encoder with the limits the message was decoded under refused it: %v", err)
		}
		var m2 syncml.Message
		if err := syncml.UnmarshalLimits(eb.Bytes(), &m2, raisedSyncMLLimits); err != nil {
			t.Fatalf("encoding under raised limits rejected by a decoder with them: %v\n%q", err, eb.Bytes())
		}
		if d := diff(&m, &m2); d != "" {
			t.Fatalf("round trip under raised limits changed the message (-m +m2):\n%s", d)
		}
		var md syncml.Message
		defaultErr := syncml.Unmarshal(in, &md)
		if _, err := syncml.Marshal(&m); err != nil {
			var le *syncml.LimitError
			if !errors.As(err, &le) {
				t.Fatalf("Marshal refused a message over its limits without a *LimitError: %T %v", err, err)
			}
			if defaultErr == nil {
				t.Fatalf("Marshal refused a message the default limits accept: %v", err)
			}
		}

		d := syncml.NewDecoder(bytes.NewReader(in))
		d.SetLimits(raisedSyncMLLimits)
		h, err := d.Header()
		if err != nil {
			t.Fatalf("Decoder.Header failed on an input UnmarshalLimits accepted: %v", err)
		}
		before := *h
		h.MsgID += "x"
		h.SessionID += "x"
		if h.Cred != nil {
			if h.Cred.Data != nil {
				h.Cred.Data.Value += "x"
			}
			if h.Cred.Meta != nil {
				h.Cred.Meta.Format += "x"
			}
		}
		if h.Meta != nil {
			h.Meta.MaxMsgSize += "x"
			if len(h.Meta.EMI) > 0 {
				h.Meta.EMI[0] += "x"
			}
		}
		h2, err := d.Header()
		if err != nil {
			t.Fatalf("second Header: %v", err)
		}
		if h2.MsgID != before.MsgID || h2.SessionID != before.SessionID {
			t.Fatalf("changing a returned header changed the Decoder's: MsgID %q SessionID %q", h2.MsgID, h2.SessionID)
		}
		if d := diff(&m.Header, h2); d != "" {
			t.Fatalf("second Header differs from Unmarshal's header after changing the first (-want +got):\n%s", d)
		}
	})
}

// raisedLimitsSnippets are messages within raisedSyncMLLimits but over the
// defaults: many attributes, deep markup and many namespaces in Data.
func raisedLimitsSnippets() []string {
	var attrs, deep, deepEnd, ns strings.Builder
	for i := 0; i < 40; i++ {
		attrs.WriteString(" a" + strconv.Itoa(i) + "=\"v\"")
	}
	for i := 0; i < 30; i++ {
		deep.WriteString("<d>")
		deepEnd.WriteString("</d>")
	}
	for i := 0; i < 70; i++ {
		ns.WriteString("<n xmlns:p" + strconv.Itoa(i) + "=\"urn:" + strconv.Itoa(i) + "\">")
	}
	nsEnd := strings.Repeat("</n>", 70)
	wrap := func(data string) string {
		return `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>t</LocURI></Target><Source><LocURI>s</LocURI></Source><Cred><Meta><Format xmlns="syncml:metinf">b64</Format></Meta><Data>abc</Data></Cred></SyncHdr><SyncBody><Replace><CmdID>2</CmdID><Item><Target><LocURI>./a</LocURI></Target><Data>` + data + `</Data></Item></Replace><Final/></SyncBody></SyncML>`
	}
	return []string{
		wrap("<e" + attrs.String() + "/>"),
		wrap(deep.String() + deepEnd.String()),
		wrap(ns.String() + nsEnd),
	}
}

// ---- differential against encoding/xml ----

// stdlibWellFormed runs a strict encoding/xml token loop over in.
func stdlibWellFormed(in []byte) error {
	d := xml.NewDecoder(bytes.NewReader(in))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// wellFormednessError reports whether err says the input is not
// well-formed XML (as opposed to not SyncML, or too big).
func wellFormednessError(err error) bool {
	for _, c := range []error{syncml.ErrSyntax, syncml.ErrEntity, syncml.ErrDOCTYPE, syncml.ErrNamespace,
		syncml.ErrDuplicateAttr, syncml.ErrInvalidChar, syncml.ErrEncoding} {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}

// direction of a known difference.
type direction int

const (
	weAreStricter    direction = iota // we reject (well-formedness), encoding/xml accepts
	stdlibIsStricter                  // encoding/xml rejects, we accept
	eitherDirection                   // both of the above
)

// knownDifferences is the one table of documented differences between the
// scanner and a strict encoding/xml token loop. Each entry is detected by a
// simple predicate over the input and the two errors.
var knownDifferences = []struct {
	name  string
	dir   direction
	match func(in []byte, ours, theirs error) bool
}{
	{
		// The scanner reads a BOM, UTF-16 and declared legacy encodings
		// (and UTF-8 labelled utf-16) itself; encoding/xml without a
		// CharsetReader rejects them or reads them differently.
		"encodings other than plain UTF-8", eitherDirection,
		func(in []byte, _, _ error) bool {
			if bytes.HasPrefix(in, []byte{0xEF, 0xBB, 0xBF}) || bytes.HasPrefix(in, []byte{0xFF, 0xFE}) ||
				bytes.HasPrefix(in, []byte{0xFE, 0xFF}) || bytes.HasPrefix(in, []byte{'<', 0}) || bytes.HasPrefix(in, []byte{0, '<'}) {
				return true
			}
			return bytes.HasPrefix(in, []byte("<?xml")) && bytes.Contains(declOf(in), []byte("encoding"))
		},
	},
	{
		// encoding/xml does not enforce Namespaces in XML: undeclared
		// prefixes, names that are not QNames (x:, :x, a:b:c), reserved
		// prefixes and namespaces misused, colons in PI targets.
		"namespace well-formedness", weAreStricter,
		func(in []byte, ours, _ error) bool { return errors.Is(ours, syncml.ErrNamespace) },
	},
	{
		// encoding/xml accepts an attribute given twice, and two
		// attributes whose prefixes name the same namespace.
		"duplicate attributes", weAreStricter,
		func(in []byte, ours, _ error) bool { return errors.Is(ours, syncml.ErrDuplicateAttr) },
	},
	{
		// encoding/xml returns DOCTYPE and other <!…> declarations as
		// Directive tokens; the scanner rejects them.
		"DOCTYPE and markup declarations", weAreStricter,
		func(in []byte, ours, _ error) bool {
			return errors.Is(ours, syncml.ErrDOCTYPE) || bytes.Contains(in, []byte("<!")) && strings.Contains(ours.Error(), "markup declaration")
		},
	},
	{
		// encoding/xml does not check where an XML declaration stands or
		// what it holds beyond its version (and lets an empty version
		// through); it accepts <?XML…?> and
		// other targets matching xml case-insensitively. XML 1.0 lets a
		// 1.0 processor read version 1.x, encoding/xml refuses it.
		"XML declaration", eitherDirection,
		func(in []byte, ours, theirs error) bool {
			return bytes.Contains(bytes.ToLower(in), []byte("<?xml")) &&
				(ours != nil && strings.Contains(ours.Error(), "XML declaration") ||
					ours != nil && strings.Contains(ours.Error(), "encoding name") ||
					ours != nil && strings.Contains(ours.Error(), "standalone") ||
					ours != nil && strings.Contains(ours.Error(), "XML version") ||
					theirs != nil && strings.Contains(theirs.Error(), "version"))
		},
	},
	{
		// encoding/xml's token loop accepts text and elements outside the
		// root element, several roots, and an empty document.
		"one root element", weAreStricter,
		func(in []byte, ours, _ error) bool {
			s := ours.Error()
			return strings.Contains(s, "root element")
		},
	},
	{
		// encoding/xml maps character references to surrogates or
		// non-characters to U+FFFD instead of failing, and does not check
		// the characters of comments, processing instructions and
		// directives.
		"characters encoding/xml lets through", weAreStricter,
		func(in []byte, ours, _ error) bool {
			if !errors.Is(ours, syncml.ErrInvalidChar) && !errors.Is(ours, syncml.ErrEncoding) {
				return false
			}
			if strings.Contains(ours.Error(), "character reference") {
				return true
			}
			var de *syncml.DecodeError
			return errors.As(ours, &de) && insideConstruct(in, int(de.Offset))
		},
	},
	{
		// encoding/xml does not require white space between attributes
		// (golang/go#68385) and accepts a PI target followed directly by
		// its data.
		"white space between attributes and after PI targets", weAreStricter,
		func(in []byte, ours, _ error) bool {
			s := ours.Error()
			return strings.Contains(s, "white space before attribute") || strings.Contains(s, "not followed by space")
		},
	},
	{
		// encoding/xml checks names against the older XML 1.0 (fourth
		// edition) character classes; the scanner uses the fifth
		// edition's, which allow more characters.
		"XML 1.0 fifth-edition names", eitherDirection,
		func(in []byte, ours, theirs error) bool {
			return theirs != nil && strings.Contains(theirs.Error(), "invalid XML name") ||
				ours != nil && strings.Contains(ours.Error(), "invalid name start")
		},
	},
}

// declOf returns the XML declaration at the start of in, or nil.
func declOf(in []byte) []byte {
	if i := bytes.Index(in, []byte("?>")); i >= 0 && bytes.HasPrefix(in, []byte("<?xml")) {
		return in[:i]
	}
	return nil
}

// insideConstruct reports whether offset off of in lies inside a comment,
// processing instruction or markup declaration opened before it.
func insideConstruct(in []byte, off int) bool {
	if off > len(in) {
		off = len(in)
	}
	head := in[:off]
	for _, p := range [][2]string{{"<!--", "-->"}, {"<?", "?>"}, {"<!", ">"}} {
		if i := bytes.LastIndex(head, []byte(p[0])); i >= 0 && !bytes.Contains(head[i+len(p[0]):], []byte(p[1])) {
			return true
		}
	}
	return false
}

func explained(dir direction, in []byte, ours, theirs error) string {
	for _, k := range knownDifferences {
		if (k.dir == dir || k.dir == eitherDirection) && k.match(in, ours, theirs) {
			return k.name
		}
	}
	return ""
}

// FuzzSyncMLDifferential compares well-formedness with encoding/xml: what
// encoding/xml rejects we reject, and what we reject as ill-formed while
// encoding/xml accepts is a documented difference.
func FuzzSyncMLDifferential(f *testing.F) {
	addSyncMLSeeds(f, false)
	f.Fuzz(func(t *testing.T, in []byte) {
		var m syncml.Message
		ours := syncml.Unmarshal(in, &m)
		theirs := stdlibWellFormed(in)
		var le *syncml.LimitError
		if errors.As(ours, &le) {
			return
		}
		switch {
		case theirs != nil && ours == nil:
			if explained(stdlibIsStricter, in, nil, theirs) == "" {
				t.Fatalf("encoding/xml rejects (%v), we accept", theirs)
			}
		case theirs == nil && ours != nil && wellFormednessError(ours):
			if explained(weAreStricter, in, ours, nil) == "" {
				t.Fatalf("we reject as ill-formed (%v), encoding/xml accepts", ours)
			}
		}
	})
}

// ---- chunked reading ----

// chunkReader returns the input in chunks whose sizes come from seed,
// sometimes returning no bytes at all.
type chunkReader struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func newChunkReader(data []byte, seed int64) *chunkReader {
	r := rand.New(rand.NewSource(seed))
	return &chunkReader{data: data, rng: r, max: 1 + r.Intn(300)}
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	if c.rng.Intn(8) == 0 {
		return 0, nil
	}
	n := 1 + c.rng.Intn(c.max)
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// streamDecodeSyncML decodes with a Decoder, assembling a Message.
func streamDecodeSyncML(r io.Reader) (*syncml.Message, error) {
	m := new(syncml.Message)
	if err := syncml.NewDecoder(r).Decode(m); err != nil {
		return nil, err
	}
	return m, nil
}

// FuzzSyncMLChunked: decoding through a reader that returns chunks of
// random sizes gives the same values, or the same error, as Unmarshal.
// wholeInputFault reports whether err is a fault Unmarshal finds by
// looking at the whole input before its structure (bytes invalid in the
// encoding, MaxBytes) in an input longer than the Decoder's read-ahead:
// the Decoder may meet another fault earlier in the stream first, as its
// doc says. Both refuse such input; only which fault is named may differ.
func wholeInputFault(in []byte, err error) bool {
	var le *syncml.LimitError
	if errors.As(err, &le) && le.Limit == "MaxBytes" {
		return true
	}
	return len(in) > 32<<10 && errors.Is(err, syncml.ErrEncoding)
}

func FuzzSyncMLChunked(f *testing.F) {
	addSyncMLSeeds(f, true)
	f.Fuzz(func(t *testing.T, in []byte, seed int64) {
		var whole syncml.Message
		werr := syncml.Unmarshal(in, &whole)
		got, serr := streamDecodeSyncML(newChunkReader(in, seed))
		switch {
		case werr != nil && serr == nil:
			t.Fatalf("Unmarshal rejects (%v), the Decoder accepts", werr)
		case werr == nil && serr != nil:
			t.Fatalf("Unmarshal accepts, the Decoder rejects: %v", serr)
		case werr != nil:
			if werr.Error() != serr.Error() && !wholeInputFault(in, werr) {
				t.Fatalf("errors differ:\n Unmarshal: %v\n   Decoder: %v", werr, serr)
			}
		default:
			if d := diff(&whole, got); d != "" {
				t.Fatalf("Decoder differs from Unmarshal (-whole +stream):\n%s", d)
			}
		}
	})
}

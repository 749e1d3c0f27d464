package syncml

import (
	"github.com/windc-go/windc/internal/datahook"
	"github.com/windc-go/windc/internal/xmlcharset"
	"github.com/windc-go/windc/internal/xmlscan"
)

// Unmarshal decodes a whole SyncML message with the default limits.
func Unmarshal(data []byte, m *Message) error {
	if m == nil {
		return nilMessage("Unmarshal")
	}
	return UnmarshalLimits(data, m, Limits{})
}

// UnmarshalLimits decodes a whole SyncML message within the given limits
// (zero fields take their defaults); MaxBytes bounds len(data), the bytes
// as they came, before any transcoding. On error m is left unchanged.
func UnmarshalLimits(data []byte, m *Message, lim Limits) error {
	if m == nil {
		return nilMessage("UnmarshalLimits")
	}
	_, err := unmarshal(data, m, lim, nil)
	return err
}

// UnmarshalOwned is UnmarshalLimits for data the caller hands over, as a
// server does with a request body it read for this call alone: the
// strings of m share data's memory instead of a copy of it, so data must
// not be modified, or reused for other input, for as long as m or any
// string taken from it is in use. A message in another encoding than
// UTF-8 is transcoded into memory of its own, as with UnmarshalLimits.
func UnmarshalOwned(data []byte, m *Message, lim Limits) error {
	if m == nil {
		return nilMessage("UnmarshalOwned")
	}
	_, err := unmarshalText(data, m, lim, nil, true)
	return err
}

func init() {
	datahook.Unmarshal = func(data []byte, m any, lim any, h datahook.Hook) (string, error) {
		return unmarshal(data, m.(*Message), lim.(Limits), h)
	}
}

// unmarshal is UnmarshalLimits with the hook h (nil for none); it returns
// the UTF-8 text it read.
func unmarshal(data []byte, m *Message, lim Limits, h datahook.Hook) (string, error) {
	return unmarshalText(data, m, lim, h, false)
}

// unmarshalText is unmarshal that, with owned, reads UTF-8 data in place
// (UnmarshalOwned).
func unmarshalText(data []byte, m *Message, lim Limits, h datahook.Hook, owned bool) (string, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return "", pkg.Limit("MaxBytes", lim.MaxBytes, lim.MaxBytes, "")
	}
	toUTF8 := xmlcharset.ToUTF8
	if owned {
		toUTF8 = xmlcharset.ToUTF8Owned
	}
	src, _, err := toUTF8(data)
	if err != nil {
		return "", encodingError(src, err)
	}
	sc := getScanner(src, lim)
	defer putScanner(sc)
	sc.hook = h
	var out Message
	if err := sc.message(&out); err != nil {
		return src, err
	}
	*m = out
	return src, nil
}

// encodingError reports err, an error of xmlcharset.ToUTF8, as a
// DecodeError: at the offset of the bad bytes in the input as received
// (0 for an encoding that cannot be read), and at the line and column
// where before, the text decoded before them, ends.
func encodingError(before string, err error) error {
	line, col := xmlscan.Advance(1, 1, before)
	return pkg.Decode(int64(xmlcharset.ErrorOffset(err)), line, col, "", err)
}

// fastDecode turns on the fast reader of fastdecode.go (tests compare
// the two readers by turning it off).
var fastDecode = true

// message decodes the whole input into m.
func (sc *scanner) message(m *Message) error {
	pos, err := sc.prolog(0)
	if err != nil {
		return err
	}
	m.XMLNS, pos, err = sc.root(pos)
	if err != nil {
		return err
	}
	if fastDecode {
		fm := Message{XMLNS: m.XMLNS}
		if sc.fastMessage(pos, &fm) {
			*m = fm
			return nil
		}
	}
	var present bool
	if pos, present, err = sc.header(pos, &m.Header); err != nil {
		return err
	}
	m.NoHeader = !present
	sc.slabs.rest(sc.Input()[pos:])
	pos, err = sc.bodyStart(pos)
	if err == errEmptyBody {
		_, err = sc.rootEnd(pos)
		return err
	}
	if err != nil {
		return err
	}
	for {
		c, next, done, err := sc.bodyItem(pos, &m.Body.Final)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		m.Body.Commands = sc.slabs.addCommand(m.Body.Commands, c)
		pos = next
	}
}

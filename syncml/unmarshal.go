package syncml

import (
	"github.com/windc-go/windc/internal/datahook"
	"github.com/windc-go/windc/internal/xmlcharset"
)

// Unmarshal decodes a whole SyncML message with the default limits.
func Unmarshal(data []byte, m *Message) error {
	return UnmarshalLimits(data, m, Limits{})
}

// UnmarshalLimits decodes a whole SyncML message within the given limits
// (zero fields take their defaults); MaxBytes bounds len(data), the bytes
// as they came, before any transcoding. On error m is left unchanged.
func UnmarshalLimits(data []byte, m *Message, lim Limits) error {
	_, err := unmarshal(data, m, lim, nil)
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
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return "", pkg.Limit("MaxBytes", lim.MaxBytes, lim.MaxBytes, "")
	}
	src, _, err := xmlcharset.ToUTF8(data)
	if err != nil {
		// at 1:1, as the streaming Decoder reports it: transcoding
		// precedes positions
		return "", pkg.Decode(0, 1, 1, "", err)
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
	var present bool
	if pos, present, err = sc.header(pos, &m.Header); err != nil {
		return err
	}
	m.NoHeader = !present
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
		if m.Body.Commands == nil {
			m.Body.Commands = make([]Command, 0, 8)
		}
		m.Body.Commands = append(m.Body.Commands, c)
		pos = next
	}
}

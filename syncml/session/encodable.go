package session

import "github.com/windc-go/windc/syncml"

// plainlyEncodable reports whether cmds can be encoded, without encoding
// them, for the commands a server queues most (Get, Add, Replace, Delete,
// Exec) when nothing in them can fail the encoder: no Cred, no Anchor,
// Mem or EMI in a Meta, text Data without namespaces or OriginalError,
// and every string of printable ASCII, tab, LF or CR, which character
// data always carries. The encoder fails such commands for nothing else
// (its writers' only errors are the escaper's and the structural checks
// of what is excluded here); false means "encode to tell", not
// "cannot be encoded".
func plainlyEncodable(cmds []syncml.Command) bool {
	for _, c := range cmds {
		var id string
		var meta *syncml.Meta
		var items []syncml.Item
		var cred *syncml.Cred
		switch c := c.(type) {
		case *syncml.Get:
			if c == nil || !plain(c.Lang) {
				return false
			}
			id, cred, meta, items = c.CmdID, c.Cred, c.Meta, c.Items
		case *syncml.Add:
			if c == nil {
				return false
			}
			id, cred, meta, items = c.CmdID, c.Cred, c.Meta, c.Items
		case *syncml.Replace:
			if c == nil {
				return false
			}
			id, cred, meta, items = c.CmdID, c.Cred, c.Meta, c.Items
		case *syncml.Delete:
			if c == nil {
				return false
			}
			id, cred, meta, items = c.CmdID, c.Cred, c.Meta, c.Items
		case *syncml.Exec:
			if c == nil || !plain(c.Correlator) {
				return false
			}
			id, cred, meta, items = c.CmdID, c.Cred, c.Meta, c.Items
		default:
			return false
		}
		if cred != nil || !plain(id) || !plainMeta(meta) {
			return false
		}
		for i := range items {
			if !plainItem(&items[i]) {
				return false
			}
		}
	}
	return true
}

func plainItem(it *syncml.Item) bool {
	for _, l := range [2]*syncml.Location{it.Target, it.Source} {
		if l != nil && (!plain(l.LocURI) || !plain(l.LocName)) {
			return false
		}
	}
	if d := it.Data; d != nil && (d.Kind != syncml.DataText || len(d.Namespaces) > 0 || d.OriginalError != "" || !plain(d.Value)) {
		return false
	}
	return plainMeta(it.Meta)
}

func plainMeta(m *syncml.Meta) bool {
	return m == nil || m.Anchor == nil && m.Mem == nil && len(m.EMI) == 0 &&
		plain(m.Format) && plain(m.Type) && plain(m.Mark) && plain(m.Size) &&
		plain(m.Version) && plain(m.NextNonce) && plain(m.MaxMsgSize) && plain(m.MaxObjSize)
}

// plain reports whether s is printable ASCII, tab, LF and CR only (the
// empty string without a call: most of the strings it is asked about).
func plain(s string) bool { return len(s) == 0 || plainWords(s) }

// plainWords is plain for a non-empty s. It reads eight bytes at a time: a
// word with no byte under 0x20 or over 0x7E needs no look at its bytes;
// the last bytes of a string of eight or more are read as the word that
// ends it, overlapping the one before.
func plainWords(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if len(s) < 8 {
		return plainBytes(s)
	}
	for i := 0; i < len(s); i += 8 {
		i = min(i, len(s)-8)
		t := s[i : i+8] // one load of eight bytes, without bounds checks
		w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		// a byte under 0x20, or one of 0x7F and over
		if ((w-ones*0x20)&^w|(w+ones)|w)&highs != 0 && !plainBytes(t) {
			return false
		}
	}
	return true
}

func plainBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c-' ' > '~'-' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

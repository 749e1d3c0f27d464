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
// "cannot be encoded". A command that names no node of the peer (see
// unaddressed) is not vouched for either: queueable refuses it.
func plainlyEncodable(cmds []syncml.Command) bool {
	for _, c := range cmds {
		if g, ok := c.(*syncml.Get); ok && plainGet(g) {
			continue
		}
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
		if cred != nil || !plain(id) || meta != nil && !plainMeta(meta) || unaddressed(c, "") != "" {
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

// plainGet reports true for what NewGets builds, a Get without CmdID,
// Lang, Cred or Meta and one Item with a Target alone whose LocURI is
// plain, at the cost of a few tests; false sends it to the general test.
func plainGet(g *syncml.Get) bool {
	if g == nil || g.CmdID != "" || g.Lang != "" || g.Cred != nil || g.Meta != nil || len(g.Items) != 1 {
		return false
	}
	it := &g.Items[0]
	t := it.Target
	return t != nil && t.LocURI != "" && it.Source == nil && it.Meta == nil && it.Data == nil && t.LocName == "" && plain(t.LocURI)
}

func plainItem(it *syncml.Item) bool {
	if l := it.Target; l != nil && (!plain(l.LocURI) || !plain(l.LocName)) {
		return false
	}
	if l := it.Source; l != nil && (!plain(l.LocURI) || !plain(l.LocName)) {
		return false
	}
	if d := it.Data; d != nil && (d.Kind != syncml.DataText || len(d.Namespaces) > 0 || d.OriginalError != "" || !plain(d.Value)) {
		return false
	}
	return it.Meta == nil || plainMeta(it.Meta)
}

func plainMeta(m *syncml.Meta) bool {
	return m == nil || m.Anchor == nil && m.Mem == nil && len(m.EMI) == 0 &&
		plain(m.Format) && plain(m.Type) && plain(m.Mark) && plain(m.Size) &&
		plain(m.Version) && plain(m.NextNonce) && plain(m.MaxMsgSize) && plain(m.MaxObjSize)
}

// plain reports whether s is printable ASCII, tab, LF and CR only (the
// empty string without a call: most of the strings it is asked about).
func plain(s string) bool { return len(s) == 0 || plainWords(s) }

// plainWords is plain for a non-empty s. It reads eight bytes at a time
// and ORs together a flag per word that is set for a byte under 0x20, one
// of 0x7F or over, and sometimes for a byte above such a byte (a borrow
// or carry): only a string with a flag, such as one with a tab, has its
// bytes read one by one. The last bytes of a string of eight or more are
// read as the word that ends it, overlapping the one before.
func plainWords(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	n := len(s)
	if n < 8 {
		return plainBytes(s)
	}
	flags := uint64(0)
	for i := 0; i < n-8; i += 8 {
		w := load64(s[i : i+8])
		flags |= (w-ones*0x20)&^w | (w + ones) | w
	}
	w := load64(s[n-8:])
	flags |= (w-ones*0x20)&^w | (w + ones) | w
	return flags&highs == 0 || plainBytes(s)
}

// load64 reads the eight bytes of t as one little-endian word (one load:
// the compiler joins the byte loads).
func load64(t string) uint64 {
	_ = t[7]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}

func plainBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c-' ' > '~'-' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

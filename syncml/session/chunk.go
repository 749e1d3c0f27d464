package session

import (
	"unicode/utf8"

	"github.com/windc-go/windc/syncml"
)

// continuationRoom is what a continuation message needs besides the
// commands it carries (header, header Status, Status of Alert 1222),
// with a margin: an object is chunked so that each chunk fits with it.
const continuationRoom = 768

// minChunk is the least room a chunk is cut for.
const minChunk = 64

// chunkCommands replaces, in cands, every command too large for one
// message of max bytes by the chunks of its object (an Add, Replace, Copy,
// Exec or, from a device, Results with one Item of text, CDATA or XML
// Data; the XML is sent as text), each with MoreData but the last, Meta Size on the first. The
// command itself becomes the last chunk, so that its Outcome reports it.
// A command whose object exceeds maxObj (0: no bound) is not sent: it is
// returned in refused.
func chunkCommands(cands []syncml.Command, max, maxObj int) (out, refused []syncml.Command, err error) {
	if max <= 0 && maxObj <= 0 {
		return cands, nil, nil // nothing is cut or refused
	}
	out = make([]syncml.Command, 0, len(cands))
	for _, c := range cands {
		if r, ok := c.(*syncml.Results); ok && len(r.Items) > 1 && max > 0 {
			parts, err := splitResults(r, max-continuationRoom)
			if err != nil {
				return nil, nil, err
			}
			if len(parts) > 1 {
				// each part is chunked in turn when one item alone is too large
				parts, _, err = chunkCommands(parts, max, 0)
				if err != nil {
					return nil, nil, err
				}
				out = append(out, parts...)
				continue
			}
		}
		items := c.ItemList()
		obj := 0
		if len(items) == 1 && items[0].Data != nil {
			obj = len(items[0].Data.Value)
		}
		if maxObj > 0 && obj > maxObj {
			refused = append(refused, c)
			continue
		}
		if max <= 0 || obj == 0 || !chunkable(c) {
			out = append(out, c)
			continue
		}
		l, err := encodedLen(c)
		if err != nil {
			return nil, nil, err
		}
		if l+continuationRoom <= max {
			out = append(out, c)
			continue
		}
		chunks, err := split(c, max-continuationRoom)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, chunks...)
	}
	return out, refused, nil
}

func chunkable(c syncml.Command) bool {
	switch c.(type) {
	case *syncml.Add, *syncml.Replace, *syncml.Copy, *syncml.Exec, *syncml.Results:
		return true
	}
	return false
}

// splitResults spreads the items of r over Results that each encode
// within room, in order, each item whole: a part holds as many items as
// fit, an item that does not fit alone is alone in its part. The last
// part is r itself. It returns r alone when all fit.
func splitResults(r *syncml.Results, room int) ([]syncml.Command, error) {
	l, err := encodedLen(r)
	if err != nil || l <= room {
		return []syncml.Command{r}, err
	}
	empty := withItems(r, nil)
	empty.SetID("2147483647")
	base, err := encodedLen(empty)
	if err != nil {
		return nil, err
	}
	items := r.Items
	var parts []syncml.Command
	for start := 0; start < len(items); {
		used, end := base, start
		for end < len(items) {
			il, err := encodedLen(withItems(empty, items[end:end+1]))
			if err != nil {
				return nil, err
			}
			il -= base
			if end > start && used+il > room {
				break
			}
			used += il
			end++
		}
		if end == len(items) {
			setItems(r, items[start:end:end])
			parts = append(parts, r)
			break
		}
		parts = append(parts, withItems(r, items[start:end:end]))
		start = end
	}
	return parts, nil
}

// split cuts c's object into chunks whose commands encode within room.
func split(c syncml.Command, room int) ([]syncml.Command, error) {
	it := c.ItemList()[0]
	value := it.Data.Value
	kind := it.Data.Kind
	if kind == syncml.DataXML {
		kind = syncml.DataText
	}
	// The bytes a chunk's command adds beyond its data.
	empty := withItems(c, []syncml.Item{{Target: it.Target, Source: it.Source, Meta: sizedMeta(it.Meta, len(value)), Data: &syncml.Data{Kind: kind}, MoreData: true}})
	empty.SetID("2147483647")
	base, err := encodedLen(empty)
	if err != nil {
		return nil, err
	}
	budget := room - base
	if budget < minChunk {
		budget = minChunk
	}
	var chunks []syncml.Command
	for first := true; value != ""; first = false {
		n := min(budget, len(value))
		for {
			for n < len(value) && n > 0 && !utf8.RuneStart(value[n]) {
				n--
			}
			// Escaping may lengthen the text: shrink until it fits.
			probe := syncml.Item{Data: &syncml.Data{Kind: kind, Value: value[:n]}}
			l, err := encodedLen(withItems(c, []syncml.Item{probe}))
			if err != nil {
				return nil, err
			}
			pl, _ := encodedLen(withItems(c, []syncml.Item{{Data: &syncml.Data{Kind: kind}}}))
			if l-pl <= budget || n <= minChunk/4 {
				break
			}
			n = n * 7 / 8
		}
		if n == 0 {
			n = len(value) // cannot happen with budget >= minChunk; never loop forever
		}
		piece := syncml.Item{Target: it.Target, Source: it.Source, Data: &syncml.Data{Kind: kind, Value: value[:n]}}
		value = value[n:]
		if first {
			piece.Meta = sizedMeta(it.Meta, len(it.Data.Value))
		} else if it.Meta != nil {
			m := *it.Meta
			m.Size = ""
			piece.Meta = &m
		}
		piece.MoreData = value != ""
		if value == "" {
			// The command itself carries the last chunk.
			setItems(c, []syncml.Item{piece})
			chunks = append(chunks, c)
			break
		}
		chunks = append(chunks, withItems(c, []syncml.Item{piece}))
	}
	return chunks, nil
}

// sizedMeta returns a copy of m (or a new Meta) with Size set to n.
func sizedMeta(m *syncml.Meta, n int) *syncml.Meta {
	var out syncml.Meta
	if m != nil {
		out = *m
	}
	out.Size = itoa(n)
	return &out
}

// setItems replaces the Items of c in place.
func setItems(c syncml.Command, items []syncml.Item) {
	switch c := c.(type) {
	case *syncml.Add:
		c.Items = items
	case *syncml.Replace:
		c.Items = items
	case *syncml.Copy:
		c.Items = items
	case *syncml.Exec:
		c.Items = items
	case *syncml.Results:
		c.Items = items
	}
}

// isChunk reports whether c carries a chunk followed by more.
func isChunk(c syncml.Command) bool {
	items := c.ItemList()
	return len(items) > 0 && items[len(items)-1].MoreData
}

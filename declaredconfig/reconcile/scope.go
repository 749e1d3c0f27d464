package reconcile

import (
	"github.com/windc-go/windc/declaredconfig"
)

// scopeOf returns the scope a summary entry's context names: "User" in
// any letter case is the User scope, anything else the Device scope (as
// declaredconfig.SummaryEntry.Scope says).
func scopeOf(context string) declaredconfig.Scope {
	switch context {
	case "Device", "device", "":
		return declaredconfig.Device // what devices write, decided without folding
	case "User", "user":
		return declaredconfig.User
	}
	e := declaredconfig.SummaryEntry{Context: context}
	return e.Scope()
}

// classes is what a run knows of its summary's entries against the
// documents desired or being removed (Docs, then Removed): which of them
// each entry names, and which entry is the first of its scope and DocID.
// It is made once per run, without a map or an allocation per entry while
// the lists are small.
type classes struct {
	// scope is the scope of each entry.
	scope []declaredconfig.Scope
	// class is, per entry, the index of the first document (Docs, then
	// Removed) of its scope and DocID, -1 for a document never declared.
	class []int32
	// first marks the first entry of each scope and DocID.
	first []bool
	// docEntry is, per document, the index of the first entry of its
	// scope and DocID, -1 when the summary does not list it.
	docEntry []int32
}

// smallClasses bounds the lists that are compared pairwise rather than
// through a map: documents × entries, and entries alone (the strays are
// compared among themselves).
const (
	smallClasses = 4096
	smallEntries = 64
)

// classes returns the classes of the run's summary entries, made for the
// documents listed now.
func (p *run) classes() *classes {
	if p.cls != nil {
		return p.cls
	}
	st, ents := p.st, p.summary.Documents
	nd, n, m := len(st.Docs), len(st.Docs)+len(st.Removed), len(ents)
	doc := func(k int) *docState {
		if k < nd {
			return st.Docs[k]
		}
		return st.Removed[k-nd]
	}
	c := &p.clsBuf
	c.scope = grow(c.scope, m)
	c.class = grow(c.class, m)
	c.first = grow(c.first, m)
	c.docEntry = grow(c.docEntry, n)
	for i := range ents {
		c.scope[i] = scopeOf(ents[i].Context)
	}
	if n*m <= smallClasses && m <= smallEntries {
		c.small(ents, n, doc)
	} else {
		c.large(ents, n, doc)
	}
	p.cls = c
	return c
}

// small classifies by comparing pairwise: documents are usually listed in
// the order they were declared, so entry i is tried against document i
// first.
func (c *classes) small(ents []declaredconfig.SummaryEntry, n int, doc func(int) *docState) {
	// canon[k] is the first document of k's scope and DocID (the same
	// DocID may be declared under several hosts, or be desired and
	// removed at once); the first entry of a class is kept there.
	var buf [32]int32
	canon := buf[:0]
	if n > len(buf) {
		canon = make([]int32, 0, n)
	}
	for k := range n {
		ck := int32(k)
		dk := doc(k)
		for j := range k {
			if dj := doc(j); dj.Scope == dk.Scope && eqID(dj.Doc.ID, dk.Doc.ID) {
				ck = canon[j]
				break
			}
		}
		canon = append(canon, ck)
		c.docEntry[k] = -1
	}
	for i := range ents {
		s, id := c.scope[i], ents[i].ID
		cl := int32(-1)
		if i < n && doc(i).Scope == s && eqID(doc(i).Doc.ID, id) {
			cl = canon[i]
		} else {
			for k := range n {
				if d := doc(k); d.Scope == s && eqID(d.Doc.ID, id) {
					cl = canon[k]
					break
				}
			}
		}
		c.class[i] = cl
		if cl >= 0 {
			c.first[i] = c.docEntry[cl] < 0
			if c.first[i] {
				c.docEntry[cl] = int32(i)
			}
			continue
		}
		c.first[i] = true
		for j := range i {
			if c.class[j] < 0 && c.first[j] && c.scope[j] == s && eqID(ents[j].ID, id) {
				c.first[i] = false
				break
			}
		}
	}
	for k := range n {
		c.docEntry[k] = c.docEntry[canon[k]]
	}
}

// large classifies through a map of the documents' keys, whatever a
// hostile summary lists.
func (c *classes) large(ents []declaredconfig.SummaryEntry, n int, doc func(int) *docState) {
	canon := make(map[string]int32, n)
	for k := range n {
		d := doc(k)
		key := docKey(d.Scope, d.Doc.ID)
		if _, ok := canon[key]; !ok {
			canon[key] = int32(k)
		}
		c.docEntry[k] = -1
	}
	seen := map[string]bool{}
	for i := range ents {
		key := docKey(c.scope[i], ents[i].ID)
		cl, ok := canon[key]
		if !ok {
			cl = -1
		}
		c.class[i] = cl
		c.first[i] = !seen[key]
		seen[key] = true
		if cl >= 0 && c.first[i] {
			c.docEntry[cl] = int32(i)
		}
	}
	for k := range n {
		d := doc(k)
		c.docEntry[k] = c.docEntry[canon[docKey(d.Scope, d.Doc.ID)]]
	}
}

// grow returns s resized to n elements, reusing its array when it can.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// eqID is declaredconfig.EqualDocID with the first bytes compared inline:
// two DocIDs mostly differ there.
func eqID(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) > 0 && a[0] != b[0] && a[0]|0x20 != b[0]|0x20 {
		return false
	}
	return declaredconfig.EqualDocID(a, b)
}

// scoped returns the summary's entries of scope s (the same DocID may
// name a Device and a User document) that name a document desired or
// being removed in that scope, the first of each DocID only: what
// Evaluate and the removal look up, whatever else a hostile summary
// lists. It is made once per run.
func (p *run) scoped(s declaredconfig.Scope) *declaredconfig.Summary {
	if p.byScope[s] != nil {
		return p.byScope[s]
	}
	c := p.classes()
	ents := p.summary.Documents
	keep := 0
	for i := range ents {
		if c.scope[i] == s && c.class[i] >= 0 && c.first[i] {
			keep++
		}
	}
	sub := p.summary // every entry kept, in order
	if keep != len(ents) {
		sub = &declaredconfig.Summary{Schema: p.summary.Schema, Documents: make([]declaredconfig.SummaryEntry, 0, keep)}
		for i := range ents {
			if c.scope[i] == s && c.class[i] >= 0 && c.first[i] {
				sub.Documents = append(sub.Documents, ents[i])
			}
		}
	}
	p.byScope[s] = sub
	return sub
}

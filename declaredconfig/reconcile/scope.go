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
	p.need()
	st, ents := p.st, p.summary.Documents
	docs := st.Docs
	if len(st.Removed) > 0 {
		docs = append(append(make([]*docState, 0, len(st.Docs)+len(st.Removed)), st.Docs...), st.Removed...)
	}
	if c, sig := p.r.cachedClasses(p.device, p.summary, docs); c != nil {
		p.cls = c
		st.cls, st.clsSum, st.clsSig = c, p.summary, sig
		return c
	}
	if st.cls != nil && st.clsSum == p.summary && sameSig(st.clsSig, docs) {
		// Loaded with the state.
		p.cls = st.cls
		p.r.keepClasses(p.device, p.summary, st.clsSig, st.cls)
		return p.cls
	}
	n, m := len(docs), len(ents)
	c := &p.clsBuf
	if m <= len(p.clsArr.scope) && n <= len(p.clsArr.docEntry) {
		// Held by the run itself.
		c.scope, c.class, c.first, c.docEntry = p.clsArr.scope[:m], p.clsArr.class[:m], p.clsArr.first[:m], p.clsArr.docEntry[:n]
	} else {
		c.scope, c.class, c.first, c.docEntry = make([]declaredconfig.Scope, m), make([]int32, m), make([]bool, m), make([]int32, n)
	}
	for i := range ents {
		c.scope[i] = scopeOf(ents[i].Context)
	}
	if n*m <= smallClasses && m <= smallEntries {
		c.small(ents, docs)
	} else {
		c.large(ents, docs)
	}
	p.cls = c
	// A device in a steady state sends the same summary again: its
	// classes are kept with it for the same documents, by the Reconciler
	// and in the state.
	keep, sig := newClasses(m, n)
	copy(keep.scope, c.scope)
	copy(keep.class, c.class)
	copy(keep.first, c.first)
	copy(keep.docEntry, c.docEntry)
	for i, d := range docs {
		sig[i] = sigOf(d)
	}
	st.cls, st.clsSum, st.clsSig = keep, p.summary, sig
	p.r.keepClasses(p.device, p.summary, sig, keep)
	return c
}

// smallClassSet holds the classes of a summary of up to 16 entries made
// for up to 16 documents, and the names of those documents, in one
// allocation.
type smallClassSet struct {
	c     classes
	scope [16]declaredconfig.Scope
	first [16]bool
	idx   [32]int32
	sig   [16]docSig
}

// newClasses returns classes for m entries and n documents, and a list
// for the names of the documents.
func newClasses(m, n int) (*classes, []docSig) {
	if m <= 16 && n <= 16 {
		b := &smallClassSet{}
		b.c = classes{scope: b.scope[:m:m], class: b.idx[:m:m], first: b.first[:m:m], docEntry: b.idx[16 : 16+n : 16+n]}
		return &b.c, b.sig[:n:n]
	}
	idx := make([]int32, m+n)
	return &classes{scope: make([]declaredconfig.Scope, m), class: idx[:m:m], first: make([]bool, m), docEntry: idx[m:]},
		make([]docSig, n)
}

// classArrays hold the classes of a small summary.
type classArrays struct {
	scope    [16]declaredconfig.Scope
	class    [16]int32
	first    [16]bool
	docEntry [16]int32
}

// small classifies by comparing pairwise, a fingerprint first: documents
// are usually listed in the order they were declared, so entry i is tried
// against document i first.
func (c *classes) small(ents []declaredconfig.SummaryEntry, docs []*docState) {
	var fpBuf [16]uint64
	fps := fpBuf[:0]
	if len(docs) > len(fpBuf) {
		fps = make([]uint64, 0, len(docs))
	}
	for _, d := range docs {
		fps = append(fps, fingerprint(d.Scope, d.docID()))
	}
	// canon[k] is the first document of k's scope and DocID (the same
	// DocID may be declared under several hosts, or be desired and
	// removed at once); the first entry of a class is kept there.
	var buf [16]int32
	canon := buf[:0]
	if len(docs) > len(buf) {
		canon = make([]int32, 0, len(docs))
	}
	for k, dk := range docs {
		ck := int32(k)
		for j, fj := range fps[:k] {
			if fj == fps[k] && declaredconfig.EqualDocID(docs[j].docID(), dk.docID()) {
				ck = canon[j]
				break
			}
		}
		canon = append(canon, ck)
		c.docEntry[k] = -1
	}
	var efpBuf [16]uint64
	efps := efpBuf[:0]
	if len(ents) > len(efpBuf) {
		efps = make([]uint64, 0, len(ents))
	}
	for i := range ents {
		s, id := c.scope[i], ents[i].ID
		fp := fingerprint(s, id)
		efps = append(efps, fp)
		cl := int32(-1)
		if i < len(fps) && fps[i] == fp && declaredconfig.EqualDocID(docs[i].docID(), id) {
			cl = canon[i]
		} else {
			for k, fk := range fps {
				if fk == fp && declaredconfig.EqualDocID(docs[k].docID(), id) {
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
			if efps[j] == fp && c.class[j] < 0 && c.first[j] && declaredconfig.EqualDocID(ents[j].ID, id) {
				c.first[i] = false
				break
			}
		}
	}
	for k := range docs {
		c.docEntry[k] = c.docEntry[canon[k]]
	}
}

// fingerprint is equal for the same scope and DocID (as EqualDocID
// compares them): the scope, the length, and three bytes with ASCII
// letters in lower case.
func fingerprint(s declaredconfig.Scope, id string) uint64 {
	fp := uint64(s) | uint64(len(id))<<8
	if len(id) > 0 {
		fp |= uint64(lower(id[0]))<<40 | uint64(lower(id[len(id)/2]))<<48 | uint64(lower(id[len(id)-1]))<<56
	}
	return fp
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// large classifies through a map of the documents' keys, whatever a
// hostile summary lists.
func (c *classes) large(ents []declaredconfig.SummaryEntry, docs []*docState) {
	canon := make(map[string]int32, len(docs))
	for k, d := range docs {
		key := docKey(d.Scope, d.docID())
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
	for k, d := range docs {
		c.docEntry[k] = c.docEntry[canon[docKey(d.Scope, d.docID())]]
	}
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

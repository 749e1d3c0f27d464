package syncml

// Element depth, as Limits.MaxDepth counts it (SyncML is 1, SyncBody 2,
// a body command 3, a command nested in an Atomic or Sequence one more
// than the group; the content of Data and Unknown elements is not
// counted), for the encoder and Validate: a message the encoder writes
// under its MaxDepth is one a decoder with that MaxDepth reads.

// bodyCommandDepth is the element depth of a command of the body: SyncML,
// SyncBody, the command.
const bodyCommandDepth = 3

// maxReach is the most levels of elements a command's element spans,
// itself counted, apart from the commands a group nests: Get, Item, Meta,
// Anchor, Last (or Status, Chal, Meta, Mem, FreeMem).
const maxReach = 5

// reach returns the levels of elements the element of c spans when
// written, itself counted as 1, without the commands an Atomic or
// Sequence nests (they are counted where they stand) and without the
// content of Data and Unknown. It follows the writers of
// commands_gen.go: a command type added there needs its case here.
func reach(c Command) int {
	in := 0 // the deepest of c's children
	switch c := c.(type) {
	case *Add:
		in = max(some(c.CmdID != "" || c.NoResp), credReach(c.Cred), metaReach(c.Meta), itemsReach(c.Items))
	case *Alert:
		in = max(some(c.CmdID != "" || c.NoResp || c.Data != nil || c.Correlator != ""), credReach(c.Cred), itemsReach(c.Items))
	case *Atomic:
		in = max(some(c.CmdID != "" || c.NoResp), metaReach(c.Meta))
	case *Copy:
		in = max(some(c.CmdID != "" || c.NoResp), credReach(c.Cred), metaReach(c.Meta), itemsReach(c.Items))
	case *Delete:
		in = max(some(c.CmdID != "" || c.NoResp || c.Archive || c.SftDel), credReach(c.Cred), metaReach(c.Meta), itemsReach(c.Items))
	case *Exec:
		in = max(some(c.CmdID != "" || c.NoResp || c.Correlator != ""), credReach(c.Cred), metaReach(c.Meta), itemsReach(c.Items))
	case *Get:
		in = max(some(c.CmdID != "" || c.NoResp || c.Lang != ""), credReach(c.Cred), metaReach(c.Meta), itemsReach(c.Items))
	case *Replace:
		in = max(some(c.CmdID != "" || c.NoResp), credReach(c.Cred), metaReach(c.Meta), itemsReach(c.Items))
	case *Results:
		in = max(some(c.CmdID != "" || c.MsgRef != "" || c.CmdRef != "" || c.Cmd != "" || len(c.TargetRef) > 0 || len(c.SourceRef) > 0),
			metaReach(c.Meta), itemsReach(c.Items))
	case *Sequence:
		in = max(some(c.CmdID != "" || c.NoResp), metaReach(c.Meta))
	case *Status:
		in = max(some(c.CmdID != "" || c.MsgRef != "" || c.CmdRef != "" || c.Cmd != "" || len(c.TargetRef) > 0 || len(c.SourceRef) > 0 || c.Data != nil),
			credReach(c.Cred), chalReach(c.Chal), itemsReach(c.Items))
	}
	return 1 + in
}

// some is 1 when an element is written, else 0.
func some(written bool) int {
	if written {
		return 1
	}
	return 0
}

func itemsReach(items []Item) int {
	r := 0
	for i := range items {
		it := &items[i]
		r = max(r, 1+max(locationReach(it.Target), locationReach(it.Source), metaReach(it.Meta), some(it.Data != nil || it.MoreData)))
		if r == 4 { // Item, Meta, Anchor, Last: no item reaches further
			break
		}
	}
	return r
}

func locationReach(l *Location) int {
	if l == nil {
		return 0
	}
	return 1 + some(l.LocURI != "" || l.LocName != "")
}

func metaReach(m *Meta) int {
	if m == nil {
		return 0
	}
	in := some(m.Format != "" || m.Type != "" || m.Mark != "" || m.Size != "" || m.Version != "" || m.NextNonce != "" ||
		m.MaxMsgSize != "" || m.MaxObjSize != "" || len(m.EMI) > 0 || m.FieldLevel)
	if a := m.Anchor; a != nil {
		in = max(in, 1+some(a.Last != "" || a.Next != ""))
	}
	if mem := m.Mem; mem != nil {
		in = max(in, 1+some(mem.SharedMem || mem.FreeMem != "" || mem.FreeID != ""))
	}
	return 1 + in
}

func credReach(c *Cred) int {
	if c == nil {
		return 0
	}
	return 1 + max(metaReach(c.Meta), some(c.Data != nil))
}

func chalReach(c *Chal) int {
	if c == nil {
		return 0
	}
	return 1 + metaReach(c.Meta)
}

// headerReach is reach for the SyncHdr of h, as header writes it.
func headerReach(h *Header) int {
	in := max(some(h.VerDTD != "" || h.VerProto != "" || h.SessionID != "" || h.MsgID != "" || h.RespURI != "" || h.NoResp ||
		h.Target != (Location{}) || h.Source != (Location{}) || h.EmptyTarget || h.EmptySource),
		credReach(h.Cred), metaReach(h.Meta))
	if h.Target != (Location{}) || h.Source != (Location{}) {
		in = max(in, 2) // Target or Source, LocURI or LocName
	}
	return 1 + in
}

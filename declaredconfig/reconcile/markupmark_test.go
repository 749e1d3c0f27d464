package reconcile_test

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"io"
	"strconv"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// fnvMark is the mark earlier builds stored of a summary read from
// markup: a NUL and a 64-bit FNV-1a hash of its strings, each with its
// length, and of the number of each list.
func fnvMark(s *declaredconfig.Summary) string {
	h := fnv.New64a()
	num := func(n int) { h.Write(binary.AppendUvarint(nil, uint64(n))) }
	str := func(t string) {
		num(len(t))
		io.WriteString(h, t)
	}
	list := func(as []declaredconfig.Attr, ss []string) {
		num(len(as))
		for _, a := range as {
			str(a.Name)
			str(a.Value)
		}
		num(len(ss))
		for _, t := range ss {
			str(t)
		}
	}
	str(s.Schema)
	list(s.Attrs, s.Unknown)
	num(len(s.Documents))
	for i := range s.Documents {
		e := &s.Documents[i]
		str(e.Context)
		str(e.ID)
		str(e.Checksum)
		str(e.ResultChecksum)
		str(e.State)
		list(e.Attrs, e.Unknown)
	}
	return string(h.Sum([]byte{0}))
}

// TestSummaryMarkOldForm: the mark a state keeps of a summary read from
// markup is a NUL and 16 bytes of a SHA-256, not the 8-byte FNV-1a hash
// of earlier builds, which a device can make two summaries share. A
// state saved by an earlier build, holding the FNV mark of the summary
// the device sends, loads, reads the summary as changed once (its
// Problem told again, once) and holds the new mark after.
func TestSummaryMarkOldForm(t *testing.T) {
	ev := &recorder{}
	store := session.NewMemoryStore()
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on, Store: store})
	if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	twice := []declaredconfig.SummaryEntry{
		{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R1", State: "60"},
		{Context: "Device", ID: ids[0], Checksum: "A0", ResultChecksum: "R2", State: "61"},
	}
	msg := func(i int) *syncml.Message {
		m := specMessage(t, strconv.Itoa(i), "")
		appendSummary(m, twice...)
		m.Body.Commands[len(m.Body.Commands)-1].(*syncml.Alert).Items[0].Data.Kind = syncml.DataXML
		return m
	}
	send := func(i, want int) {
		t.Helper()
		ev.events = nil
		if _, err := rec.Reconcile(context.Background(), session.NewSession(nil), msg(i), &session.Exchange{Identity: session.Identity{Device: dev1}}); err != nil {
			t.Fatal(err)
		}
		if ses, other := summaryErrors(ev); len(ses) != want || other != 0 {
			t.Errorf("message %d: %d SummaryErrors and %d other Problems, want %d and 0", i, len(ses), other, want)
		}
	}
	send(1, 1)
	mark, err := reconcile.SummaryMark(rec, dev1)
	if err != nil {
		t.Fatal(err)
	}
	if len(mark) != 17 || mark[0] != 0 {
		t.Fatalf("mark %q: want a NUL and 16 bytes", mark)
	}
	sum, err := declaredconfig.ReadSummary(msg(1))
	if err != nil {
		t.Fatal(err)
	}
	old := fnvMark(sum)
	if old == mark {
		t.Fatal("the mark is still the FNV-1a one")
	}
	if err := reconcile.SetSummaryMark(rec, dev1, old); err != nil {
		t.Fatal(err)
	}
	rec = reconcile.New(reconcile.Config{OnEvent: ev.on, Store: store})
	send(2, 1) // the old mark: changed, once
	send(3, 0)
	if got, err := reconcile.SummaryMark(rec, dev1); err != nil || got != mark {
		t.Errorf("mark after: %q (%v), want %q", got, err, mark)
	}
	rec = reconcile.New(reconcile.Config{OnEvent: ev.on, Store: store})
	send(4, 0)
}

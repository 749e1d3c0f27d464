package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// steadyDevice returns a reconciler with ten documents in sync on a
// device, the device's first message of its next session (with a 1201
// session alert) and a later message of the session it was last
// reconciled in (a Status for the server's SyncHdr and the summary).
func steadyDevice(b *testing.B, store session.Store) (rec *reconcile.Reconciler, start, later []byte) {
	rec = reconcile.New(reconcile.Config{Store: store})
	var docs []reconcile.Doc
	for i := range 10 {
		docs = append(docs, vpnDoc(fmt.Sprintf("%08X-0000-4000-8000-000000000000", 0x9E3779B9*uint32(i+1)), "A0"))
	}
	if err := rec.Declare(context.Background(), dev1, docs...); err != nil {
		b.Fatal(err)
	}
	dev := newSimDevice(b, dev1)
	l := newLink(b, rec, dev)
	l.session(-1)
	l.session(-1)
	l.noErrors()
	st, err := rec.Status(context.Background(), dev1)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range st.Docs {
		if d.Condition != reconcile.InSync {
			b.Fatalf("%s is %v", d.URI.DocID, d.Condition)
		}
	}
	m, err := dev.client.Start(context.Background(), "S9", dev.summaryAlert())
	if err != nil {
		b.Fatal(err)
	}
	start, first := roundTrip(b, m)
	sess, msg, err := reconcile.LastMessage(rec, dev1)
	if err != nil || sess == "" {
		b.Fatalf("last message %q/%q: %v", sess, msg, err)
	}
	n, err := strconv.Atoi(msg)
	if err != nil {
		b.Fatal(err)
	}
	next := *first
	next.Header.SessionID, next.Header.MsgID = sess, strconv.Itoa(n+1)
	next.Body.Commands = []syncml.Command{
		&syncml.Status{CmdID: "1", MsgRef: msg, CmdRef: "0", Cmd: "SyncHdr", Data: syncml.Text("200")},
		&syncml.Alert{CmdID: "2", Data: syncml.Text("1224"), Items: dev.summaryAlert().Items},
	}
	later, _ = roundTrip(b, &next)
	return rec, start, later
}

// BenchmarkSession compares, for a device with ten documents in sync,
// the reconciler's work on one message (read the summary, load the
// device's state, decide that nothing is needed) with decoding that
// message: the first message of a session (which clears the marks of the
// sessions before) and a later one. start/cold is the first message
// reconciled by a Reconciler that holds nothing of the device (just
// started, or it served other devices since): it loads and decodes the
// stored state and reads the summary. Each of its iterations makes the
// Reconciler forget the device (Forget, test only: three map deletes), so
// that it measures the reconcile, not New; start/new makes a new
// Reconciler per iteration instead. start/cold stores the state in a
// session.MemoryStore (read with LoadShared and copied once), start/evicted in the
// default store (read in place).
func BenchmarkSession(b *testing.B) {
	rec, start, later := steadyDevice(b, nil)
	store := session.NewMemoryStore()
	cold, _, _ := steadyDevice(b, store)
	evicted, _, _ := steadyDevice(b, nil)
	// The -hook runs go through BeforeReply, as a Server calls it: no
	// status is made.
	for _, c := range []struct {
		name string
		rec  *reconcile.Reconciler
		hook bool
	}{
		{"start/cold", cold, false}, {"start/evicted", evicted, false},
		{"start/cold-hook", cold, true}, {"start/evicted-hook", evicted, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			var m syncml.Message
			if err := syncml.Unmarshal(start, &m); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			x := &session.Exchange{Identity: session.Identity{Device: dev1}}
			ss := session.NewSession(nil)
			b.ReportAllocs()
			b.SetBytes(int64(len(start)))
			for b.Loop() {
				reconcile.Forget(c.rec, dev1)
				if c.hook {
					c.rec.BeforeReply(ctx, ss, &m, x)
					if ss.Queued() != 0 {
						b.Fatal(ss.Queued())
					}
					continue
				}
				st, err := c.rec.Reconcile(ctx, ss, &m, x)
				if err != nil || st.Queued != 0 {
					b.Fatal(err, st.Queued)
				}
			}
		})
	}
	b.Run("start/new", func(b *testing.B) {
		var m syncml.Message
		if err := syncml.Unmarshal(start, &m); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		x := &session.Exchange{Identity: session.Identity{Device: dev1}}
		ss := session.NewSession(nil)
		b.ReportAllocs()
		b.SetBytes(int64(len(start)))
		for b.Loop() {
			st, err := reconcile.New(reconcile.Config{Store: store}).Reconcile(ctx, ss, &m, x)
			if err != nil || st.Queued != 0 {
				b.Fatal(err, st.Queued)
			}
		}
	})
	for _, c := range []struct {
		name string
		raw  []byte
	}{{"start", start}, {"later", later}} {
		b.Run(c.name+"/decode", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.raw)))
			for b.Loop() {
				var m syncml.Message
				if err := syncml.Unmarshal(c.raw, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/reconcile", func(b *testing.B) {
			var m syncml.Message
			if err := syncml.Unmarshal(c.raw, &m); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			x := &session.Exchange{Identity: session.Identity{Device: dev1}}
			ss := session.NewSession(nil)
			b.ReportAllocs()
			b.SetBytes(int64(len(c.raw)))
			for b.Loop() {
				st, err := rec.Reconcile(ctx, ss, &m, x)
				if err != nil || st.Queued != 0 {
					b.Fatal(err, st.Queued)
				}
			}
		})
	}
}

// BenchmarkHostileSummary measures one message of a device with
// MaxDocuments desired documents whose summary lists 8000 documents never
// declared (near what a summary within declaredconfig's limits holds):
// some 1 MB, which Config.MaxSummaryBytes is raised to take (its
// default, 512 KiB, refuses it unread).
func BenchmarkHostileSummary(b *testing.B) {
	rec := reconcile.New(reconcile.Config{MaxSummaryBytes: 2 << 20})
	var docs []reconcile.Doc
	for i := range reconcile.DefaultMaxDocuments {
		docs = append(docs, vpnDoc(fmt.Sprintf("%08X-0000-4000-8000-000000000000", i), "A0"))
	}
	if err := rec.Declare(context.Background(), dev1, docs...); err != nil {
		b.Fatal(err)
	}
	var entries []declaredconfig.SummaryEntry
	for i := range 8000 {
		entries = append(entries, declaredconfig.SummaryEntry{Context: "Device", ID: fmt.Sprintf("%08X-FFFF-4000-8000-000000000000", i),
			Checksum: "X", ResultChecksum: "Y", State: "60"})
	}
	alert := summaryAlertOf(entries...)
	ctx := context.Background()
	x := &session.Exchange{Identity: session.Identity{Device: dev1}}
	b.ReportAllocs()
	b.SetBytes(int64(len(alert.Items[0].Data.Value)))
	n := 0
	for b.Loop() {
		n++
		m := &syncml.Message{Header: syncml.Header{SessionID: "1", MsgID: fmt.Sprint(n)}, Body: syncml.Body{Commands: []syncml.Command{alert}}}
		if _, err := rec.Reconcile(ctx, session.NewSession(&session.Config{MaxQueue: 1 << 20}), m, x); err != nil {
			b.Fatal(err)
		}
	}
}

// eightInSync returns a Reconciler with eight documents declared to dev1
// and the summary entries of a device holding them all in sync.
func eightInSync(b *testing.B) (*reconcile.Reconciler, []declaredconfig.SummaryEntry) {
	b.Helper()
	rec := reconcile.New(reconcile.Config{})
	var docs []reconcile.Doc
	var entries []declaredconfig.SummaryEntry
	for i := range 8 {
		id := fmt.Sprintf("%08X-0000-4000-8000-000000000000", i)
		docs = append(docs, vpnDoc(id, "A0"))
		entries = append(entries, declaredconfig.SummaryEntry{Context: "Device", ID: id, Checksum: "A0", ResultChecksum: "R", State: "60"})
	}
	if err := rec.Declare(context.Background(), dev1, docs...); err != nil {
		b.Fatal(err)
	}
	return rec, entries
}

// BenchmarkSummaryChanged measures one message of a device whose summary
// changes in every message (a stray listed at another checksum, in turn):
// the summary is read anew each time, from a copy of its text.
func BenchmarkSummaryChanged(b *testing.B) {
	rec, entries := eightInSync(b)
	var alerts [2]*syncml.Alert
	for i := range alerts {
		alerts[i] = summaryAlertOf(append(entries, declaredconfig.SummaryEntry{Context: "Device",
			ID: "FFFFFFFF-0000-4000-8000-000000000000", Checksum: fmt.Sprint("S", i), ResultChecksum: "R", State: "60"})...)
	}
	ctx := context.Background()
	x := &session.Exchange{Identity: session.Identity{Device: dev1}}
	ss := session.NewSession(&session.Config{MaxQueue: 1 << 20})
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		m := &syncml.Message{Header: syncml.Header{SessionID: "1", MsgID: fmt.Sprint(n)}, Body: syncml.Body{Commands: []syncml.Command{alerts[n%2]}}}
		if _, err := rec.Reconcile(ctx, ss, m, x); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSummaryMarkup measures one message of a device with eight
// documents in sync that sends the same summary as XML markup in every
// message: the summary is read from the message and told from the last
// by its mark (a digest of its strings) each time.
func BenchmarkSummaryMarkup(b *testing.B) {
	rec, entries := eightInSync(b)
	alert := summaryAlertOf(entries...)
	alert.Items[0].Data.Kind = syncml.DataXML
	ctx := context.Background()
	x := &session.Exchange{Identity: session.Identity{Device: dev1}}
	ss := session.NewSession(&session.Config{MaxQueue: 1 << 20})
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		m := &syncml.Message{Header: syncml.Header{SessionID: "1", MsgID: fmt.Sprint(n)}, Body: syncml.Body{Commands: []syncml.Command{alert}}}
		if _, err := rec.Reconcile(ctx, ss, m, x); err != nil {
			b.Fatal(err)
		}
	}
}

// resultHead and resultTail open and close a result of ids[0].
var (
	resultHead = `<DeclaredConfigurationResult context="Device" schema="1.0" id="` + ids[0] + `" checksum="A0" result_checksum="R" operation="Set" state="60">`
	resultTail = `</DeclaredConfigurationResult>`
)

// resultOf returns a result of about n bytes, all of it copies of elem
// under its root.
func resultOf(n int, elem string) []byte {
	return []byte(resultHead + strings.Repeat(elem, (n-len(resultHead)-len(resultTail))/len(elem)) + resultTail)
}

// manyAttrs is an element of 31 short attributes.
func manyAttrs() string {
	var e strings.Builder
	e.WriteString("<a")
	for i := range 31 {
		fmt.Fprintf(&e, ` %c%s=""`, 'b'+i%20, strings.Repeat("x", i/20))
	}
	e.WriteString("/>")
	return e.String()
}

// benchSmallElements measures read of text, all of it elements of 4 bytes
// ("<a/>", the most a text of its size holds), under limits(elements),
// the limits a Reconciler reads it with: by default (elements 0: the read
// stops at 65536 elements, a LimitError), and with the elements' bound at
// a quarter of the text's bytes, which the bytes gave alone before (the
// whole text is read). B/op is the memory the read takes.
func benchSmallElements(b *testing.B, text []byte, limits func(elements int) declaredconfig.Limits, read func([]byte, declaredconfig.Limits) error) {
	for _, c := range []struct {
		name     string
		elements int
	}{{"default", 0}, {"elements=1Mi", len(text) / 4}} {
		b.Run(c.name, func(b *testing.B) {
			lim := limits(c.elements)
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				err := read(text, lim)
				var le *reconcile.LimitError
				if c.elements == 0 && !errors.As(err, &le) {
					b.Fatalf("read %d bytes: %v, want a LimitError", len(text), err)
				}
			}
		})
	}
}

// BenchmarkResultSmallElements measures the read of a result of
// Config.MaxResultBytes raised to 4 MiB (benchSmallElements).
func BenchmarkResultSmallElements(b *testing.B) {
	const n = 4 << 20
	benchSmallElements(b, resultOf(n, "<a/>"), func(elements int) declaredconfig.Limits {
		return reconcile.ResultLimits(reconcile.Config{MaxResultBytes: n, MaxResultElements: elements})
	}, func(text []byte, lim declaredconfig.Limits) error {
		var res declaredconfig.Result
		return declaredconfig.UnmarshalLimits(text, &res, lim)
	})
}

// BenchmarkSummarySmallElements measures the read of a summary of
// Config.MaxSummaryBytes raised to 4 MiB (benchSmallElements), from the
// 1224 alert of a message.
func BenchmarkSummarySmallElements(b *testing.B) {
	const n = 4 << 20
	head, tail := `<DeclaredConfigurations>`, `</DeclaredConfigurations>`
	text := head + strings.Repeat("<a/>", (n-len(head)-len(tail))/4) + tail
	m := &syncml.Message{Body: syncml.Body{Commands: []syncml.Command{
		session.NewClientEvent(syncml.AlertClientEvent, declaredconfig.SummaryType, text)}}}
	benchSmallElements(b, []byte(text), func(elements int) declaredconfig.Limits {
		return reconcile.SummaryLimits(reconcile.Config{MaxSummaryBytes: n, MaxSummaryElements: elements})
	}, func(_ []byte, lim declaredconfig.Limits) error {
		_, err := declaredconfig.ReadSummaryLimits(m, lim)
		return err
	})
}

// BenchmarkResultManyAttrs measures the read of a result of
// Config.MaxResultBytes (the default, and 4 MiB), all of it elements of
// 31 short attributes each, under the limits the Reconciler reads
// results with: the elements stay far below MaxResultElements; the
// attributes in all stop the 4 MiB read (8 per element of
// MaxResultElements: a LimitError). B/op is the memory the read takes.
func BenchmarkResultManyAttrs(b *testing.B) {
	for _, n := range []int{reconcile.DefaultMaxResultBytes, 4 << 20} {
		text := resultOf(n, manyAttrs())
		b.Run(strconv.Itoa(n>>10)+"KiB", func(b *testing.B) {
			lim := reconcile.ResultLimits(reconcile.Config{MaxResultBytes: n})
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				var res declaredconfig.Result
				err := declaredconfig.UnmarshalLimits(text, &res, lim)
				var le *reconcile.LimitError
				if n == reconcile.DefaultMaxResultBytes && err != nil || n > reconcile.DefaultMaxResultBytes && !errors.As(err, &le) {
					b.Fatalf("read %d bytes: %v", len(text), err)
				}
			}
		})
	}
}

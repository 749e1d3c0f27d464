package reconcile_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// steadyDevice returns a reconciler with ten documents in sync on a
// device, and the device's first message of its next session.
func steadyDevice(b *testing.B) (*reconcile.Reconciler, []byte) {
	rec := reconcile.New(reconcile.Config{})
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
	raw, _ := roundTrip(b, m)
	return rec, raw
}

// BenchmarkSession compares, for a device with ten documents in sync,
// the reconciler's work on the first message of a session (read the
// summary, load and save the device's state, decide that nothing is
// needed) with decoding that message.
func BenchmarkSession(b *testing.B) {
	rec, raw := steadyDevice(b)
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			var m syncml.Message
			if err := syncml.Unmarshal(raw, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reconcile", func(b *testing.B) {
		var m syncml.Message
		if err := syncml.Unmarshal(raw, &m); err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		x := &session.Exchange{Identity: session.Identity{Device: dev1}}
		ss := session.NewSession(nil)
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			st, err := rec.Reconcile(ctx, ss, &m, x)
			if err != nil || st.Queued != 0 {
				b.Fatal(err, st.Queued)
			}
		}
	})
}

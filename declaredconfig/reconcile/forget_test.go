package reconcile_test

import (
	"context"
	"errors"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

// TestForget: a retired device is forgotten: no document is desired on it
// any more, nothing is known of it, and the default store no longer holds
// it; should it check in again, what it lists is stray and nothing is
// sent. Before, there was no way to let go of a device's state, which the
// default store kept for ever.
func TestForget(t *testing.T) {
	ctx := context.Background()
	rec, ev, l := setup(t, vpnDoc(ids[0], "A0"), vpnDoc(ids[1], "B0"))
	if err := rec.SetRefreshInterval(ctx, dev1, 60); err != nil {
		t.Fatal(err)
	}
	l.session(-1)
	l.noErrors()
	wantDoc(t, rec, ids[0], reconcile.InSync)
	if n := reconcile.StoredDevices(rec); n != 1 {
		t.Fatalf("the store holds %d devices, want 1", n)
	}
	if err := rec.Forget(ctx, dev1); err != nil {
		t.Fatal(err)
	}
	if n := reconcile.StoredDevices(rec); n != 0 {
		t.Errorf("after Forget the store holds %d devices", n)
	}
	if docs, err := rec.Desired(ctx, dev1); err != nil || len(docs) != 0 {
		t.Errorf("after Forget: desired %d documents (%v)", len(docs), err)
	}
	if st := status(t, rec); len(st.Docs) != 0 || st.RefreshInterval != "" {
		t.Errorf("after Forget: %+v", st)
	}
	ev.kinds()
	l.sent = nil
	l.session(-1)
	l.noErrors()
	wantCommands(t, l)
	wantEvents(t, ev)
	for _, id := range ids[:2] {
		wantDoc(t, rec, id, reconcile.Stray)
	}
}

// TestForgetStore: with a Store of the caller's, Forget leaves an empty
// state (and is then a no-op), is a no-op for a device never seen, and
// refuses no device.
func TestForgetStore(t *testing.T) {
	ctx := context.Background()
	store := session.NewMemoryStore()
	rec := reconcile.New(reconcile.Config{Store: store})
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Status(ctx, dev1); err != nil { // cached
		t.Fatal(err)
	}
	for range 2 {
		if err := rec.Forget(ctx, dev1); err != nil {
			t.Fatal(err)
		}
		if b, ver, err := store.Load(ctx, dev1); err != nil || len(b) != 0 || ver == 0 {
			t.Errorf("after Forget the store holds %d bytes at version %d (%v), want none at a version", len(b), ver, err)
		}
		if docs, err := rec.Desired(ctx, dev1); err != nil || len(docs) != 0 {
			t.Errorf("after Forget: desired %d documents (%v)", len(docs), err)
		}
	}
	if err := rec.Forget(ctx, "urn:uuid:never-seen"); err != nil {
		t.Errorf("Forget of a device never seen: %v", err)
	}
	if err := rec.Forget(ctx, ""); !errors.Is(err, reconcile.ErrInvalid) {
		t.Errorf("Forget of no device: %v, want ErrInvalid", err)
	}
	// Declared again afterwards, as to a new device.
	if err := rec.Declare(ctx, dev1, vpnDoc(ids[1], "B0")); err != nil {
		t.Fatal(err)
	}
	if docs, err := rec.Desired(ctx, dev1); err != nil || len(docs) != 1 || docs[0].Document.ID != ids[1] {
		t.Errorf("declared after Forget: %+v (%v)", docs, err)
	}
}

// TestForgetConcurrent: Forget while other goroutines declare to and read
// the same devices: no race (go test -race), and every call either finds
// the device's state or none; the last Forget of each leaves nothing.
func TestForgetConcurrent(t *testing.T) {
	ctx := context.Background()
	rec := reconcile.New(reconcile.Config{})
	devices := []string{"urn:uuid:a", "urn:uuid:b"}
	done := make(chan error)
	for g := range 4 {
		go func() {
			var err error
			for i := range 50 {
				dev := devices[(g+i)%len(devices)]
				switch (g + i) % 3 {
				case 0:
					err = rec.Declare(ctx, dev, vpnDoc(ids[i%3], "A0"))
				case 1:
					_, err = rec.Status(ctx, dev)
				default:
					err = rec.Forget(ctx, dev)
				}
				if err != nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	for _, dev := range devices {
		if err := rec.Forget(ctx, dev); err != nil {
			t.Fatal(err)
		}
	}
	if n := reconcile.StoredDevices(rec); n != 0 {
		t.Errorf("the store holds %d devices", n)
	}
}

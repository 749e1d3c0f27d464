package reconcile_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// bigDoc is vpnDoc with n settings, each of a path of its own.
func bigDoc(id, checksum string, n int) reconcile.Doc {
	d := vpnDoc(id, checksum)
	s := make([]declaredconfig.Setting, n)
	for i := range s {
		s[i] = declaredconfig.Setting{Path: fmt.Sprintf("P/NativeProfile/Servers%06d", i), Type: "chr", Value: "v"}
	}
	d.Document.CSPs[0].Settings = s
	return d
}

// TestResultOverDefaultLimits: a Config.MaxResultBytes raised over
// declaredconfig's default MaxBytes (1 MiB) lets a result of that size be
// read and kept, as the field says: the result is not refused by the
// default limits of the declaredconfig reading behind it.
func TestResultOverDefaultLimits(t *testing.T) {
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on, MaxResultBytes: 4 << 20})
	doc := bigDoc(ids[0], "A0", 14000)
	if err := rec.Declare(context.Background(), dev1, doc); err != nil {
		t.Fatal(err)
	}
	dev := newSimDevice(t, dev1)
	l := newLink(t, rec, dev)
	l.session(-1)
	l.noErrors()
	res := dev.result(dev.docs[ids[0]])
	text, err := res.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if len(text) <= declaredconfig.DefaultMaxBytes {
		t.Fatalf("the device's result is %d bytes, not over %d", len(text), declaredconfig.DefaultMaxBytes)
	}
	for _, e := range ev.events {
		if e.Kind == reconcile.Problem {
			t.Errorf("Problem: %v", e.Err)
		}
	}
	got, err := wantDoc(t, rec, ids[0], reconcile.InSync).Result()
	if err != nil || got == nil {
		t.Fatalf("the result of %d bytes was not kept (%v)", len(text), err)
	}
	if n := len(got.Settings()); n != 14000 {
		t.Errorf("the result kept has %d settings, want 14000", n)
	}
}

// TestResultLongValue: an inventory's result whose value is longer than
// declaredconfig's DefaultMaxTokenBytes (512 KiB) and within a raised
// Config.MaxResultBytes is read and kept, its value whole.
func TestResultLongValue(t *testing.T) {
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on, MaxResultBytes: 2 << 20})
	if err := rec.Declare(context.Background(), dev1, invDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	dev := newSimDevice(t, dev1)
	dev.value = strings.Repeat("x", declaredconfig.DefaultMaxTokenBytes+1)
	l := newLink(t, rec, dev)
	l.session(-1)
	l.noErrors()
	for _, e := range ev.events {
		if e.Kind == reconcile.Problem {
			t.Errorf("Problem: %v", e.Err)
		}
	}
	got, err := wantDoc(t, rec, ids[0], reconcile.InSync).Result()
	if err != nil || got == nil {
		t.Fatalf("the result was not kept (%v)", err)
	}
	if s := got.CSPs[0].Settings[0]; s.Value != dev.value {
		t.Errorf("the value kept is %d bytes, want %d", len(s.Value), len(dev.value))
	}
}

// TestResultManyElements: a result of more elements than declaredconfig's
// DefaultMaxElements (a device that reports settings the document does
// not name: a Problem says so), within a raised Config.MaxResultBytes and
// MaxResultElements, is read and kept.
func TestResultManyElements(t *testing.T) {
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on, MaxResultBytes: 4 << 20, MaxResultElements: 2 * declaredconfig.DefaultMaxElements})
	if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	dev := newSimDevice(t, dev1)
	dev.extra = declaredconfig.DefaultMaxElements
	l := newLink(t, rec, dev)
	l.session(-1)
	l.noErrors()
	for _, e := range ev.events {
		if e.Kind == reconcile.Problem && !strings.Contains(e.Err.Error(), "is not in the document") {
			t.Errorf("Problem: %v", e.Err)
		}
	}
	got, err := wantDoc(t, rec, ids[0], reconcile.InSync).Result()
	if err != nil || got == nil {
		t.Fatalf("the result was not kept (%v)", err)
	}
	if n, want := len(got.Settings()), 2+declaredconfig.DefaultMaxElements; n != want {
		t.Errorf("the result kept has %d settings, want %d", n, want)
	}
}

// TestResultElementsBound: raising Config.MaxResultBytes alone does not
// raise the elements a result may hold: one of more than
// DefaultMaxResultElements is not read, a Problem with a *LimitError of
// MaxResultElements says so, and no result is kept.
func TestResultElementsBound(t *testing.T) {
	ev := &recorder{}
	rec := reconcile.New(reconcile.Config{OnEvent: ev.on, MaxResultBytes: 4 << 20})
	if err := rec.Declare(context.Background(), dev1, vpnDoc(ids[0], "A0")); err != nil {
		t.Fatal(err)
	}
	dev := newSimDevice(t, dev1)
	dev.extra = reconcile.DefaultMaxResultElements
	l := newLink(t, rec, dev)
	l.session(-1)
	l.noErrors()
	found := false
	for _, e := range ev.events {
		var le *reconcile.LimitError
		if e.Kind == reconcile.Problem && errors.As(e.Err, &le) && le.Limit == "MaxResultElements" {
			found = true
			if le.Max != reconcile.DefaultMaxResultElements {
				t.Errorf("the LimitError's Max is %d, want %d", le.Max, reconcile.DefaultMaxResultElements)
			}
		}
	}
	if !found {
		t.Errorf("no Problem with a LimitError of MaxResultElements: %v", ev.kinds())
	}
	if d := status(t, rec).Doc(ids[0]); d == nil {
		t.Fatal("no status")
	} else if got, err := d.Result(); err != nil || got != nil {
		t.Errorf("a result of %d settings was kept (%v)", len(got.Settings()), err)
	}
}

// TestResultAttrsBound: the attributes of a result are bounded in all,
// at 8 per element of MaxResultElements: a result of elements of 31 short
// attributes within a raised MaxResultBytes (4 MiB) and far below
// MaxResultElements is not read (a *LimitError of MaxTotalAttrs); with
// MaxResultElements raised it is. Before, only the bytes bounded them (a
// read took some 9 times the text).
func TestResultAttrsBound(t *testing.T) {
	const n = 4 << 20
	text := resultOf(n, manyAttrs())
	var res declaredconfig.Result
	err := declaredconfig.UnmarshalLimits(text, &res, reconcile.ResultLimits(reconcile.Config{MaxResultBytes: n}))
	var le *reconcile.LimitError
	if !errors.As(err, &le) || le.Limit != "MaxTotalAttrs" || le.Max != 8*reconcile.DefaultMaxResultElements {
		t.Errorf("%d bytes of attributes: %v, want a LimitError of MaxTotalAttrs at %d", len(text), err, 8*reconcile.DefaultMaxResultElements)
	}
	lim := reconcile.ResultLimits(reconcile.Config{MaxResultBytes: n, MaxResultElements: 4 * reconcile.DefaultMaxResultElements})
	if err := declaredconfig.UnmarshalLimits(text, &res, lim); err != nil {
		t.Errorf("with MaxResultElements raised: %v", err)
	}
}

package reconcile_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml/session"
)

var nu46IDs = []string{nu46A, nu46B, "0C0C0C0C-1D1D-4E2E-8F3F-404040404040", "5A5A5A5A-6B6B-4C7C-9D8D-E9E9E9E9E9E9"}

// Random stories of one device and two server instances sharing the
// reconciler's Store: documents declared, changed and removed on either,
// sessions cut before or after the server saw a message, the device
// restarting (a new session Client, its agent reloaded from its Store),
// settings drifting on the device. After the story, a few clean sessions
// must bring the device to what is desired: every desired document in
// sync at its version, nothing else held, nothing queued, no Problem.
func TestRandomStoriesNu46(t *testing.T) {
	ctx := context.Background()
	seeds := 100
	if testing.Short() {
		seeds = 10
	}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 46))
		recStore, sessStore := session.NewMemoryStore(), session.NewMemoryStore()
		ev := &nu46Events{}
		var recs [2]*reconcile.Reconciler
		var urls []string
		for i := range recs {
			recs[i] = reconcile.New(reconcile.Config{Store: recStore, OnEvent: ev.add, MaxCachedDevices: 1 + i})
			srv := session.NewServer(session.ServerConfig{Store: sessStore, Session: session.Config{BeforeReply: recs[i].BeforeReply}})
			hs := nu46HTTPServer(t, srv)
			urls = append(urls, hs)
		}
		const dev = "urn:uuid:nu46-story"
		surface, store := &agent.MemorySurface{}, &agent.MemoryStore{}
		d := newNu46DeviceOn(t, urls[0], dev, surface, store)
		const otherDev = "urn:uuid:nu46-other"
		other := newNu46Device(t, urls[1], otherDev)
		if err := recs[1].Declare(ctx, otherDev, nu46Doc(nu46A, "O1", "Config/Other/Setting", "7")); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{} // DocID -> checksum desired
		version := 0
		var log []string
		abandoned := map[string]bool{}
		refresh := uint32(0)
		for step := 0; step < 40; step++ {
			r := recs[rng.IntN(2)]
			i := rng.IntN(len(nu46IDs))
			id := nu46IDs[i]
			switch op := rng.IntN(11); op {
			case 0, 1:
				version++
				sum := fmt.Sprintf("V%d", version)
				if err := r.Declare(ctx, dev, nu46Doc(id, sum, fmt.Sprintf("Config/Area%d/Setting", i), fmt.Sprint(version))); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				want[id] = sum
				abandoned[id] = false
				log = append(log, "declare "+id[:2]+" "+sum)
			case 2:
				if err := r.Remove(ctx, dev, id); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				delete(want, id)
				delete(abandoned, id)
				log = append(log, "remove "+id[:2])
			case 3:
				_, err := d.checkInVia(&http.Client{Transport: &nu46Alternate{urls: urls, n: rng.IntN(2)}})
				log = append(log, fmt.Sprintf("session (%v)", err))
			case 4:
				cut := &nu46Cut{at: int32(1 + rng.IntN(3)), after: rng.IntN(2) == 0}
				_, err := d.checkInVia(&http.Client{Transport: cut})
				log = append(log, fmt.Sprintf("cut session at %d after=%v (%v)", cut.at, cut.after, err))
			case 5:
				d = newNu46DeviceOn(t, urls[0], dev, surface, store)
				log = append(log, "restart")
			case 6:
				_ = surface.Set(ctx, fmt.Sprintf("./Device/Vendor/MSFT/Policy/Config/Area%d/Setting", i), "drift")
				_ = d.agent.Refresh(ctx)
				log = append(log, "drift "+id[:2])
			case 7:
				surface, store = &agent.MemorySurface{}, &agent.MemoryStore{}
				d = newNu46DeviceOn(t, urls[0], dev, surface, store)
				log = append(log, "wipe")
			case 8:
				sum, ok := want[id]
				if !ok {
					continue
				}
				doc := nu46Doc(id, sum, fmt.Sprintf("Config/Area%d/Setting", i), "")
				desired, err := r.Desired(ctx, dev)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range desired {
					if x.Document.ID == id {
						doc = x
					}
				}
				doc.Abandoned = !doc.Abandoned
				abandoned[id] = doc.Abandoned
				if err := r.Declare(ctx, dev, doc); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				log = append(log, fmt.Sprintf("abandon %s %v", id[:2], doc.Abandoned))
			case 9:
				m := uint32(30 + rng.IntN(500))
				if err := r.SetRefreshInterval(ctx, dev, m); err != nil {
					t.Fatal(err)
				}
				refresh = m
				log = append(log, fmt.Sprintf("refresh %d", m))
			case 10:
				_, err := other.checkInVia(&http.Client{Transport: &nu46Alternate{urls: urls, n: rng.IntN(2)}})
				log = append(log, fmt.Sprintf("other device's session (%v)", err))
			}
		}
		for range 4 {
			if _, err := d.checkInVia(&http.Client{Transport: &nu46Alternate{urls: urls}}); err != nil {
				t.Fatalf("seed %d: clean session: %v\n%s", seed, err, strings.Join(log, "\n"))
			}
		}
		for range 3 {
			if _, err := other.checkInVia(&http.Client{Transport: &nu46Alternate{urls: urls}}); err != nil {
				t.Fatalf("seed %d: other device: %v", seed, err)
			}
		}
		fail := func(format string, args ...any) {
			t.Errorf("seed %d: "+format+"\nstory:\n  %s", append(append([]any{seed}, args...), strings.Join(log, "\n  "))...)
		}
		st, err := recs[0].Status(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Docs) != len(want) {
			var got []string
			for _, x := range st.Docs {
				got = append(got, x.URI.DocID[:2]+" "+x.Checksum+" "+x.Condition.String()+" ("+x.Reason+")")
			}
			fail("status %v, want %v", got, want)
		}
		for _, x := range st.Docs {
			if w, ok := want[x.URI.DocID]; !ok || !strings.HasPrefix(x.Checksum, w) || x.Condition != reconcile.InSync && !(abandoned[x.URI.DocID] && x.Condition == reconcile.Abandoned) {
				fail("%s: %s %v (%s), want %q InSync", x.URI.DocID[:2], x.Checksum, x.Condition, x.Reason, w)
			}
		}
		held := map[string]string{}
		for _, e := range d.agent.Summary().Documents {
			held[strings.ToUpper(e.ID)] = e.Checksum + " " + e.State
		}
		for id, sum := range want {
			if !abandoned[id] && !strings.HasPrefix(held[id], sum) {
				fail("device holds %v, want %v (abandoned %v)", held, want, abandoned)
			}
		}
		for id := range held {
			if _, ok := want[id]; !ok {
				fail("device holds %v, want %v", held, want)
			}
		}
		if false {
			fail("device holds %v, want %v", held, want)
		}
		if refresh != 0 && d.agent.RefreshInterval().Minutes() != float64(refresh) {
			fail("device RefreshInterval %v, want %d minutes", d.agent.RefreshInterval(), refresh)
		}
		if st.Queued != 0 {
			fail("a steady session queued %d", st.Queued)
		}
		if ost, err := recs[0].Status(ctx, otherDev); err != nil || len(ost.Docs) != 1 || ost.Docs[0].Condition != reconcile.InSync {
			fail("other device: %+v %v", ost, err)
		}
		for _, e := range ev.take() {
			if e.Kind == reconcile.Problem {
				fail("Problem: %v", e.Err)
			}
		}
	}
}

func nu46HTTPServer(t *testing.T, h http.Handler) string {
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}

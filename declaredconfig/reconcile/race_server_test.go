package reconcile_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// serverPair is two server instances sharing the Stores of the session
// states and of the reconcilers, as behind a load balancer: each a
// session.Server over one MemoryStore (its own copy of a state kept and
// shared by the sessions it loads) with the BeforeReply of its own
// Reconciler over the other.
type serverPair struct {
	srv  [2]*session.Server
	rec  [2]*reconcile.Reconciler
	mu   sync.Mutex
	errs []error
}

func newServerPair() *serverPair {
	p := &serverPair{}
	states, recStore := session.NewMemoryStore(), session.NewMemoryStore()
	for i := range p.srv {
		rec := reconcile.New(reconcile.Config{Store: recStore, MaxRetries: 64})
		p.rec[i] = rec
		p.srv[i] = session.NewServer(session.ServerConfig{Store: states, MaxRetries: 64, Session: session.Config{
			Handler: session.Accept,
			BeforeReply: func(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
				if _, err := rec.Reconcile(ctx, ss, m, x); err != nil {
					p.mu.Lock()
					p.errs = append(p.errs, err)
					p.mu.Unlock()
				}
			},
		}})
	}
	return p
}

// session runs one session of dev, each message posted to the instance
// after the one before (starting with first).
func (p *serverPair) session(t *testing.T, dev *simDevice, id string, first int) error {
	return p.sessionPosted(dev, id, first, false)
}

// TestServersConcurrent runs the sessions of several devices at once
// through two server instances (their messages alternating between the
// two), while other goroutines declare, remove and read the same devices'
// documents on both reconcilers: under -race, the states a MemoryStore
// keeps and its sessions share, the documents kept as stored and shared
// by the clones of a state, and the reconcilers' caches must show no
// race; no call fails; once the calls stop, two more sessions bring every
// device in sync with what is declared last.
func TestServersConcurrent(t *testing.T) {
	ctx := context.Background()
	p := newServerPair()
	const devices, sessions = 4, 6
	devs := make([]*simDevice, devices)
	for i := range devs {
		devs[i] = newSimDevice(t, "urn:uuid:race-"+strconv.Itoa(i))
		if err := p.rec[i%2].Declare(ctx, devs[i].id, vpnDoc(ids[0], "A0"), vpnDoc(ids[1], "B0")); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*devices*sessions*4)
	for i, dev := range devs {
		wg.Go(func() {
			for s := range sessions {
				if err := p.session(t, dev, fmt.Sprintf("S%d", s+1), s); err != nil {
					errs <- fmt.Errorf("%s session %d: %w", dev.id, s+1, err)
					return
				}
			}
		})
		wg.Go(func() {
			for s := range sessions {
				rec := p.rec[(i+s)%2]
				var err error
				switch s % 3 {
				case 0:
					err = rec.Declare(ctx, dev.id, vpnDoc(ids[2], "C"+strconv.Itoa(s)))
				case 1:
					err = rec.Remove(ctx, dev.id, ids[2])
				default:
					err = rec.Declare(ctx, dev.id, vpnDoc(ids[0], "A"+strconv.Itoa(s)))
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", dev.id, err)
				}
				if st, err := p.rec[(i+s+1)%2].Status(ctx, dev.id); err != nil {
					errs <- fmt.Errorf("%s: Status: %w", dev.id, err)
				} else {
					for _, d := range st.Docs {
						if _, err := d.Result(); err != nil {
							errs <- fmt.Errorf("%s: Result: %w", dev.id, err)
						}
					}
				}
				if _, err := rec.Desired(ctx, dev.id); err != nil {
					errs <- fmt.Errorf("%s: Desired: %w", dev.id, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, err := range p.errs {
		t.Errorf("Reconcile: %v", err)
	}
	if t.Failed() {
		return
	}
	for _, dev := range devs {
		for s := range 2 {
			if err := p.session(t, dev, fmt.Sprintf("T%d", s+1), s); err != nil {
				t.Fatalf("%s: %v", dev.id, err)
			}
		}
		docs, err := p.rec[0].Desired(ctx, dev.id)
		if err != nil {
			t.Fatal(err)
		}
		st, err := p.rec[1].Status(ctx, dev.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) < 2 {
			t.Errorf("%s: %d documents desired", dev.id, len(docs))
		}
		for _, d := range docs {
			ds := st.Doc(d.Document.ID)
			if ds == nil || ds.Condition != reconcile.InSync || ds.DeviceChecksum != d.Document.Checksum {
				t.Errorf("%s: %s (checksum %s) stands %+v", dev.id, d.Document.ID, d.Document.Checksum, ds)
			}
		}
	}
}

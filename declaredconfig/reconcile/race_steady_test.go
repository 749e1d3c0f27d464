package reconcile_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// post posts m to server i of p and returns the reply, twice when
// replay (the second answered from the stored session: the same bytes).
func (p *serverPair) post(m *syncml.Message, i int, replay bool) (*syncml.Message, error) {
	b, err := syncml.Marshal(m)
	if err != nil {
		return nil, err
	}
	var first []byte
	for try := range 2 {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
		req.Header.Set("Content-Type", session.ContentType)
		w := httptest.NewRecorder()
		p.srv[(i+try)%2].ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			return nil, fmt.Errorf("HTTP %d: %s", w.Code, w.Body.String())
		}
		if try == 0 {
			first = w.Body.Bytes()
			if !replay {
				break
			}
		} else if !bytes.Equal(first, w.Body.Bytes()) {
			return nil, fmt.Errorf("a replay answered\n%s\nnot\n%s", w.Body.Bytes(), first)
		}
	}
	var reply syncml.Message
	if err := syncml.Unmarshal(first, &reply); err != nil {
		return nil, err
	}
	return &reply, nil
}

// sessionPosted runs one session of dev, each message posted (see post)
// to the instance after the one before, starting with first.
func (p *serverPair) sessionPosted(dev *simDevice, id string, first int, replay bool) error {
	ctx := context.Background()
	m, err := dev.client.Start(ctx, id, dev.summaryAlerts()...)
	if err != nil {
		return err
	}
	for i := range 30 {
		reply, err := p.post(m, first+i, replay)
		if err != nil {
			return fmt.Errorf("message %d: %w", i+1, err)
		}
		x, err := dev.client.Handle(ctx, reply)
		if err != nil {
			return fmt.Errorf("device Handle: %v", err)
		}
		if x.Done || x.Reply == nil {
			return nil
		}
		m = x.Reply
	}
	return fmt.Errorf("session %s does not end", id)
}

// TestSteadyConcurrent brings devices of 17 documents to a steady state
// (every document kept as stored, the summary unread) through two server
// instances sharing their Stores, then runs their sessions, every message
// replayed, while other goroutines let the reconcilers forget the devices,
// read their status and desired documents, and declare again what is
// declared (nothing changes): under -race nothing races, no call fails,
// every status shows every document in sync, and the tail shared by the
// documents kept as stored stays zero.
func TestSteadyConcurrent(t *testing.T) {
	ctx := context.Background()
	p := newServerPair()
	const devices, docs, sessions = 3, 17, 4
	devs := make([]*simDevice, devices)
	for i := range devs {
		devs[i] = newSimDevice(t, fmt.Sprintf("urn:uuid:steady-%d", i))
		for k := range docs {
			if err := p.rec[k%2].Declare(ctx, devs[i].id, vpnDoc(sizeID(k), "V1")); err != nil {
				t.Fatal(err)
			}
		}
		for s := range 3 {
			if err := p.session(t, devs[i], fmt.Sprintf("P%d", s+1), s); err != nil {
				t.Fatal(err)
			}
		}
	}
	inSync := func(rec *reconcile.Reconciler, dev string) error {
		st, err := rec.Status(ctx, dev)
		if err != nil {
			return err
		}
		if len(st.Docs) != docs {
			return fmt.Errorf("%s: %d documents", dev, len(st.Docs))
		}
		for _, d := range st.Docs {
			if d.Condition != reconcile.InSync || d.DeviceChecksum != "V1" {
				return fmt.Errorf("%s: %s stands %+v", dev, d.URI.DocID, d)
			}
			if r, err := d.Result(); err != nil || r == nil {
				return fmt.Errorf("%s: %s: result %v (%v)", dev, d.URI.DocID, r, err)
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*devices*sessions*docs)
	for i, dev := range devs {
		wg.Go(func() {
			for s := range sessions {
				if err := p.sessionPosted(dev, fmt.Sprintf("S%d", s+1), s+i, true); err != nil {
					errs <- fmt.Errorf("%s session %d: %w", dev.id, s+1, err)
					return
				}
			}
		})
		wg.Go(func() {
			for s := range 4 * sessions {
				rec := p.rec[(i+s)%2]
				reconcile.Forget(rec, dev.id)
				if err := inSync(rec, dev.id); err != nil {
					errs <- err
				}
				if err := rec.Declare(ctx, dev.id, vpnDoc(sizeID(s%docs), "V1")); err != nil {
					errs <- err
				}
				if _, err := rec.Desired(ctx, dev.id); err != nil {
					errs <- err
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
	for _, dev := range devs {
		for _, rec := range p.rec {
			if err := inSync(rec, dev.id); err != nil {
				t.Error(err)
			}
			if ok, err := reconcile.SummaryKept(rec, dev.id); err != nil || !ok {
				t.Errorf("%s: summary kept unread %v (%v)", dev.id, ok, err)
			}
		}
	}
	if reconcile.NoTailChanged() {
		t.Error("the tail shared by the documents kept as stored changed")
	}
}

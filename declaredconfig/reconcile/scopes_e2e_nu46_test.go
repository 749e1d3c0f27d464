package reconcile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/reconcile"
)

// One DocID declared in both scopes to the agent over HTTP (the DocID in
// lower case in the User one): two documents on the device and in
// Status; RemoveIn(User) deletes the User one alone.
func TestOneDocIDBothScopesToAgentNu46(t *testing.T) {
	ctx := context.Background()
	s := newNu46Server(t, reconcile.Config{})
	const dev = "urn:uuid:nu46-scopes"
	d := newNu46Device(t, s.hs.URL, dev)
	devDoc := nu46Doc(nu46A, "D1", "Config/Camera/AllowCamera", "0")
	user := nu46Doc(strings.ToLower(nu46A), "U1", "Config/Camera/AllowCamera", "1")
	user.Scope, user.Document.Context = declaredconfig.User, "User"
	if err := s.rec.Declare(ctx, dev, devDoc, user); err != nil {
		t.Fatal(err)
	}
	d.checkIns(t, 3)
	st, err := s.rec.Status(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Docs) != 2 || st.Docs[0].Condition != reconcile.InSync || st.Docs[1].Condition != reconcile.InSync {
		t.Fatalf("Status %+v", st.Docs)
	}
	if n := len(d.agent.Summary().Documents); n != 2 {
		t.Fatalf("device holds %d documents, want 2", n)
	}
	if err := s.rec.RemoveIn(ctx, dev, declaredconfig.User, nu46A); err != nil {
		t.Fatal(err)
	}
	d.checkIns(t, 3)
	st, _ = s.rec.Status(ctx, dev)
	sum := d.agent.Summary().Documents
	if len(st.Docs) != 1 || st.Docs[0].URI.Scope != declaredconfig.Device || st.Docs[0].Condition != reconcile.InSync ||
		len(sum) != 1 || sum[0].Scope() != declaredconfig.Device {
		t.Errorf("after RemoveIn(User): Status %+v, device %+v", st.Docs, sum)
	}
	for _, e := range s.ev.take() {
		if e.Kind == reconcile.Problem {
			t.Errorf("Problem: %v", e.Err)
		}
	}
}

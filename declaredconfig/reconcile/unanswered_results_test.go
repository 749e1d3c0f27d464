package reconcile_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// otherVersionResults answers as the agent does, but gives the result of
// another version than the document's at every Results node.
type otherVersionResults struct{ a *agent.Agent }

func (h otherVersionResults) ServeCommand(ctx context.Context, r *session.Request) session.Response {
	resp := h.a.ServeCommand(ctx, r)
	for i := range resp.Results {
		it := &resp.Results[i]
		if it.Source == nil || !strings.Contains(it.Source.LocURI, "/Results/") || it.Data == nil {
			continue
		}
		var res declaredconfig.Result
		if err := res.UnmarshalText([]byte(it.Data.Value)); err == nil {
			res.Checksum = "OTHER"
			if b, err := res.MarshalText(); err == nil {
				it.Data = syncml.Text(string(b))
			}
		}
	}
	return resp
}

// A device that lists the declared version as applied and answers the Get
// of its results without a result of that version (here, one of another
// version) is not asked again for that result_checksum: the status stays
// InSync, and its reason no longer says the results are being read.
func TestResultsNotGivenReason(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := reconcile.New(reconcile.Config{})
	hs := httptest.NewServer(session.NewServer(session.ServerConfig{Session: session.Config{BeforeReply: rec.BeforeReply}}))
	defer hs.Close()
	const dev = "urn:uuid:other-version"
	a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}})
	if err != nil {
		t.Fatal(err)
	}
	mux := session.NewMux()
	for _, p := range []string{"./Device/Vendor/MSFT/DeclaredConfiguration", "./User/Vendor/MSFT/DeclaredConfiguration"} {
		if err := mux.HandleSubtree("", p, otherVersionResults{a}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: dev, ServerURI: hs.URL, Handler: mux, EachMessage: a.EachMessage})
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Declare(ctx, dev, vpnDoc(ids[0], "V1")); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 3; n++ {
		if _, err := c.Run(ctx, hs.Client(), hs.URL, strconv.Itoa(n)); err != nil {
			t.Fatal(err)
		}
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
	}
	st, err := rec.Status(ctx, dev)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Docs) != 1 {
		t.Fatalf("docs %+v", st.Docs)
	}
	d := st.Docs[0]
	if r, _ := d.Result(); d.Condition != reconcile.InSync || r != nil || strings.Contains(d.Reason, "reading") || !strings.Contains(d.Reason, "not given") {
		t.Errorf("%v %q (result %v), want InSync, its results not given", d.Condition, d.Reason, r)
	}
}

package reconcile_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// editedResults answers as the agent does, with edit applied to every
// result it gives (nil: as the agent gives it).
type editedResults struct {
	a    *agent.Agent
	edit func(*declaredconfig.Result)
}

func (h editedResults) ServeCommand(ctx context.Context, r *session.Request) session.Response {
	resp := h.a.ServeCommand(ctx, r)
	for i := range resp.Results {
		it := &resp.Results[i]
		if h.edit == nil || it.Source == nil || !strings.Contains(it.Source.LocURI, "/Results/") || it.Data == nil {
			continue
		}
		var res declaredconfig.Result
		if err := res.UnmarshalText([]byte(it.Data.Value)); err == nil {
			h.edit(&res)
			if b, err := res.MarshalText(); err == nil {
				it.Data = syncml.Text(string(b))
			}
		}
	}
	return resp
}

// resultSessions runs 4 sessions of an agent whose results edit changes
// against a reconciler holding vpnDoc, and returns the Problems told and
// the document's status.
func resultSessions(t *testing.T, edit func(*declaredconfig.Result)) ([]error, reconcile.DocStatus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var (
		mu       sync.Mutex
		problems []error
	)
	rec := reconcile.New(reconcile.Config{OnEvent: func(_ context.Context, e reconcile.Event) {
		if e.Kind == reconcile.Problem {
			mu.Lock()
			problems = append(problems, e.Err)
			mu.Unlock()
		}
	}})
	hs := httptest.NewServer(session.NewServer(session.ServerConfig{Session: session.Config{BeforeReply: rec.BeforeReply}}))
	defer hs.Close()
	const dev = "urn:uuid:edited-results"
	a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}})
	if err != nil {
		t.Fatal(err)
	}
	mux := session.NewMux()
	for _, p := range []string{"./Device/Vendor/MSFT/DeclaredConfiguration", "./User/Vendor/MSFT/DeclaredConfiguration"} {
		if err := mux.HandleSubtree("", p, editedResults{a, edit}); err != nil {
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
	for n := 1; n <= 4; n++ {
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
	mu.Lock()
	defer mu.Unlock()
	return problems, st.Docs[0]
}

// TestResultProblems: a result that cannot be true of the document (a
// setting it does not have, one listed twice, a status or state that is
// not a number) is told as one Problem, once over several sessions (4
// here), and the document's condition stays what the summary and the
// settings make it, as does a result state other than the summary's for
// the same result_checksum. A truthful device gets no Problem.
func TestResultProblems(t *testing.T) {
	problems, d := resultSessions(t, nil)
	if len(problems) != 0 || d.Condition != reconcile.InSync {
		t.Fatalf("truthful device: %v, problems %v", d.Condition, problems)
	}
	for _, edit := range []func(*declaredconfig.Result){
		func(r *declaredconfig.Result) { r.State = "" },
		func(r *declaredconfig.Result) { r.CSPs[0].Name = "Vendor/MSFT/vpnv2" }, // the CSP written otherwise
	} {
		if problems, _ := resultSessions(t, edit); len(problems) != 0 {
			t.Errorf("problems %v, want none", problems)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(*declaredconfig.Result)
		want string
		cond reconcile.DocCondition
	}{
		{"setting not in the document", func(r *declaredconfig.Result) {
			r.CSPs[0].Settings = append(r.CSPs[0].Settings, declaredconfig.SettingResult{Path: "P/Other", Status: "200", State: "60"})
		}, `"P/Other" is not in the document`, reconcile.InSync},
		{"path in other letters: another node", func(r *declaredconfig.Result) { r.CSPs[0].Settings[0].Path = "p/alwayson" },
			`"p/alwayson" is not in the document`, reconcile.InSync},
		{"result of another version", func(r *declaredconfig.Result) { r.Checksum = "OTHER" },
			`is the result of version "OTHER", while the summary lists version "V1"`, reconcile.InSync},
		{"result state not the summary's", func(r *declaredconfig.Result) { r.State = "61" },
			`its state "61" is not the summary's "60" for the same result_checksum`, reconcile.InSync},
		{"setting twice", func(r *declaredconfig.Result) {
			r.CSPs[0].Settings = append(r.CSPs[0].Settings, r.CSPs[0].Settings[0])
		}, "is listed twice", reconcile.InSync},
		{"status not a number", func(r *declaredconfig.Result) { r.CSPs[0].Settings[0].Status = "x" }, `status "x", not a number`, reconcile.InSync},
		{"state not a number", func(r *declaredconfig.Result) { r.CSPs[0].Settings[0].State = "x" }, `state "x", not a number`, reconcile.InSync},
		{"setting twice, the CSP written otherwise", func(r *declaredconfig.Result) {
			s := r.CSPs[0].Settings[1]
			r.CSPs = append(r.CSPs, declaredconfig.CSPResult{Name: "vendor/msft/vpnv2", Settings: []declaredconfig.SettingResult{s}})
		}, "is listed twice", reconcile.InSync},
		// one Problem for a result of many faults, naming the first 8
		{"a thousand settings not in the document", func(r *declaredconfig.Result) {
			for i := range 1000 {
				r.CSPs[0].Settings = append(r.CSPs[0].Settings, declaredconfig.SettingResult{Path: "P/Other" + strconv.Itoa(i), Status: "200", State: "60"})
			}
		}, `"P/Other7" is not in the document; and 992 more`, reconcile.InSync},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems, d := resultSessions(t, tc.edit)
			if len(problems) != 1 || !strings.Contains(problems[0].Error(), tc.want) {
				t.Errorf("problems %v, want one saying %s", problems, tc.want)
			}
			if d.Condition != tc.cond {
				t.Errorf("condition %v (%s), want %v", d.Condition, d.Reason, tc.cond)
			}
		})
	}
}

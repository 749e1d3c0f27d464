package agent_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// BenchmarkDeviceSession measures what a simulated device spends on one
// declared document: a new agent, the server's message with the document
// handled by a session Client (syntax check, reply with the summary), the
// apply, and the summary of the next message. Bytes are those of the
// server's message.
func BenchmarkDeviceSession(b *testing.B) {
	ctx := context.Background()
	u := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID)
	add, err := declaredconfig.AddDocument(u, vpnDoc("A1"), syncml.DataCDATA)
	if err != nil {
		b.Fatal(err)
	}
	m := &syncml.Message{Header: syncml.Header{VerDTD: "1.2", VerProto: "DM/1.2", SessionID: "1", MsgID: "1",
		Target: syncml.Location{LocURI: "D"}, Source: syncml.Location{LocURI: "S"}},
		Body: syncml.Body{Commands: []syncml.Command{add}, Final: true}}
	syncml.NumberCommands(m.Body.Commands, 2)
	raw, err := syncml.Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}})
		if err != nil {
			b.Fatal(err)
		}
		mux := session.NewMux()
		if err := a.Register(mux); err != nil {
			b.Fatal(err)
		}
		c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, EachMessage: a.EachMessage})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Start(ctx, "1"); err != nil {
			b.Fatal(err)
		}
		var in syncml.Message
		if err := syncml.Unmarshal(raw, &in); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Handle(ctx, &in); err != nil {
			b.Fatal(err)
		}
		if err := a.ApplyPending(ctx); err != nil {
			b.Fatal(err)
		}
		if cmds, err := a.EachMessage(ctx); err != nil || len(cmds) != 1 {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefresh measures one refresh pass over 50 documents of 4
// settings each, no drift.
func BenchmarkRefresh(b *testing.B) {
	ctx := context.Background()
	a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 50 {
		d := vpnDoc("A1")
		d.ID = declaredconfig.NewDocID()
		for j := range 2 {
			d.CSPs[0].Settings = append(d.CSPs[0].Settings, declaredconfig.Setting{Path: "P" + string(rune('a'+i%26)) + string(rune('a'+j)) + d.ID[:8] + "/X", Type: "chr", Value: "v"})
		}
		x, err := d.MarshalText()
		if err != nil {
			b.Fatal(err)
		}
		r := a.ServeCommand(ctx, &session.Request{Command: &syncml.Add{Items: []syncml.Item{{
			Target: &syncml.Location{LocURI: declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID).String()},
			Data:   syncml.Text(string(x))}}}})
		if r.Code != 0 && r.Code != 200 {
			b.Fatal(r.Code)
		}
	}
	benchRefresh(b, a)
}

// BenchmarkApplyMany measures accepting and applying 200 documents of 2
// settings each, one Add each, as a first check-in of a device a server
// declares much to.
func BenchmarkApplyMany(b *testing.B) {
	ctx := context.Background()
	var adds []syncml.Command
	for range 200 {
		d := vpnDoc("A1")
		d.ID = declaredconfig.NewDocID()
		add, err := declaredconfig.AddDocument(declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, d.ID), d, syncml.DataText)
		if err != nil {
			b.Fatal(err)
		}
		adds = append(adds, add)
	}
	b.ReportAllocs()
	for b.Loop() {
		a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, MaxSummaryBytes: 1 << 20})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range adds {
			if r := a.ServeCommand(ctx, &session.Request{Command: c}); r.Code != 0 && r.Code != 200 {
				b.Fatal(r.Code)
			}
		}
		if err := a.ApplyPending(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyBulk measures applying the bulk template bulkDoc with
// 500 instances (1000 settings), as a certificate rollout sends it.
func BenchmarkApplyBulk(b *testing.B) {
	ctx := context.Background()
	pairs := bulkPairs(500)
	tmpl := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String()
	vars := declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String()
	doc, data := text(b, bulkDoc()), text(b, blob(pairs...))
	b.ReportAllocs()
	for b.Loop() {
		a := newAgent(b, agent.Config{})
		if c, _ := serve(b, a, "Add", tmpl, doc); c != 200 {
			b.Fatal(c)
		}
		if c, _ := serve(b, a, "Replace", vars, data); c != 200 {
			b.Fatal(c)
		}
		if err := a.ApplyPending(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefreshBulk measures one refresh pass over the bulk template
// bulkDoc with 500 instances (1000 settings, the passwords' values not
// kept), no drift: a Get per setting.
func BenchmarkRefreshBulk(b *testing.B) {
	pairs := bulkPairs(500)
	a := newAgent(b, agent.Config{})
	if c, _ := serve(b, a, "Add", declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String(), text(b, bulkDoc())); c != 200 {
		b.Fatal(c)
	}
	if c, _ := serve(b, a, "Replace", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(), text(b, blob(pairs...))); c != 200 {
		b.Fatal(c)
	}
	benchRefresh(b, a)
}

// benchRefresh applies what a holds pending and measures a refresh pass.
func benchRefresh(b *testing.B, a *agent.Agent) {
	ctx := context.Background()
	if err := a.ApplyPending(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// bulkPairs returns the instance data of n instances of bulkDoc.
func bulkPairs(n int) [][2]string {
	var pairs [][2]string
	for i := range n {
		pairs = append(pairs, [2]string{fmt.Sprintf("%040X", i), "pw"})
	}
	return pairs
}

// BenchmarkUnenrollBulk measures the Unenroll of an agent that applied
// the bulk template bulkDoc with 500 instances: 1000 nodes deleted (the
// apply is not measured).
func BenchmarkUnenrollBulk(b *testing.B) {
	ctx := context.Background()
	ib := blob(bulkPairs(500)...)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		a := bulkAgent(b, nil, ib)
		if err := a.ApplyPending(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := a.Unenroll(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

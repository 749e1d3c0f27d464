package fuzz

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// FuzzAgent feeds an arbitrary server message (its CmdIDs renumbered when
// the session would refuse them, see renumberCmdIDs;
// one that does not decode is mostly a program of a message instead,
// see generatedMessage) to a device whose
// DeclaredConfiguration subtrees are served by a declaredconfig/agent
// Agent (holding one applied document), through a session Client with the
// agent's summary in every message. No input may make anything panic; a
// reply encodes to the bytes returned, keeps the SessionID, has non-zero
// unique CmdIDs and, but when it answers an abort or goes on with a
// chunk, carries a summary that reads back with known states;
// the worker then applies and refreshes without error, leaving no document
// in a transient state (but a bulk template waiting for its data) and no
// Surface node with an empty, . or .. segment or a placeholder; and a new
// agent starts from the saved state with the same summary.
func FuzzAgent(f *testing.F) {
	const id = "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	hdr := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source></SyncHdr><SyncBody>` +
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
	base := "./Device/Vendor/MSFT/DeclaredConfiguration/"
	doc := base + "Host/Complete/Documents/" + id + "/Document"
	f.Add([]byte(hdr + `<Replace><CmdID>2</CmdID><Item><Target><LocURI>` + doc + `</LocURI></Target><Data>&lt;DeclaredConfiguration schema="1.0" context="Device" id="` + id +
		`" checksum="A2" osdefinedscenario="MSFTVPN"&gt;&lt;CSP name="./Vendor/MSFT/VPNv2"&gt;&lt;URI path="P/AlwaysOn" type="bool"&gt;false&lt;/URI&gt;&lt;/CSP&gt;&lt;/DeclaredConfiguration&gt;</Data></Item></Replace>` +
		`<Get><CmdID>3</CmdID><Item><Target><LocURI>` + base + `Host/Complete/Results/` + id + `/Document</LocURI></Target></Item></Get><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Atomic><CmdID>2</CmdID><Delete><CmdID>3</CmdID><Item><Target><LocURI>` + doc + `</LocURI></Target></Item></Delete>` +
		`<Replace><CmdID>4</CmdID><Item><Target><LocURI>` + declaredconfig.RefreshIntervalURI + `</LocURI></Target><Data>29</Data></Item></Replace></Atomic><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Add><CmdID>2</CmdID><Item><Target><LocURI>` + base + `Host/BulkTemplate/Documents/` + id + `/Document</LocURI></Target><Data><![CDATA[<DeclaredConfiguration schema="1.0" context="Device" id="` + id +
		`" checksum="B1" osdefinedscenario="MSFTClientCertificateInstall"><CSP name="./Vendor/MSFT/ClientCertificateInstall"><URI path="PFXCertInstall/@#t#/PFXCertPassword" type="chr">@#p#</URI></CSP></DeclaredConfiguration>]]></Data></Item></Add>` +
		`<Replace><CmdID>3</CmdID><Item><Target><LocURI>` + base + `Host/BulkTemplate/Documents/` + id + `/BulkVariables/Value</LocURI></Target><Data><![CDATA[<InstanceBlob schema="1.0"><Instance><InstanceData variable="t">AB</InstanceData></Instance></InstanceBlob>]]></Data></Item></Replace>` +
		`<Replace><CmdID>4</CmdID><Item><Target><LocURI>` + base + `Host/Complete/Documents/` + id + `/Properties/Abandoned</LocURI></Target><Data>1</Data></Item></Replace><Final/></SyncBody></SyncML>`))
	f.Add([]byte(hdr + `<Get><CmdID>2</CmdID><Item><Target><LocURI>` + base + `Host/Complete/Documents</LocURI></Target></Item><Item><Target><LocURI>` + declaredconfig.ConflictResolutionURI +
		`</LocURI></Target></Item></Get><Exec><CmdID>3</CmdID><Item><Target><LocURI>` + doc + `</LocURI></Target></Item></Exec><Final/></SyncBody></SyncML>`))
	first := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "A1", Scenario: declaredconfig.ScenarioVPN,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}}
	firstText, err := first.MarshalText()
	if err != nil {
		f.Fatal(err)
	}
	second := *first
	second.Checksum = "A2"
	second.CSPs = []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "false"}}}}
	secondText, err := second.MarshalText()
	if err != nil {
		f.Fatal(err)
	}
	gen := &genConfig{
		uris: []string{doc, base + "Host/Complete/Documents", base + "Host/Complete/Results/" + id + "/Document",
			base + "Host/Complete/Documents/" + id + "/Properties/Abandoned", declaredconfig.RefreshIntervalURI, declaredconfig.ConflictResolutionURI,
			base + "Host/BulkTemplate/Documents/" + id + "/Document", base + "Host/BulkTemplate/Documents/" + id + "/BulkVariables/Value",
			"./User/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/" + id + "/Document", "./Vendor/MSFT/VPNv2/P/AlwaysOn"},
		data: []string{string(firstText), string(secondText), `<InstanceBlob schema="1.0"><Instance><InstanceData variable="t">AB</InstanceData></Instance></InstanceBlob>`,
			"1", "0", "29", ""},
		types: []string{"", "chr", "int", "xml"},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m syncml.Message
		if err := syncml.Unmarshal(data, &m); err != nil {
			g, ok := generatedMessage(data, serverHeader(), gen)
			if !ok {
				return
			}
			m = *g
		}
		renumberCmdIDs(t, &m, data)
		ctx := context.Background()
		store := &agent.MemoryStore{}
		surface := &agent.MemorySurface{}
		a, err := agent.New(ctx, agent.Config{Surface: surface, Store: store})
		if err != nil {
			t.Fatal(err)
		}
		if r := a.ServeCommand(ctx, &session.Request{Command: &syncml.Add{Items: []syncml.Item{{
			Target: &syncml.Location{LocURI: doc}, Data: syncml.Text(string(firstText))}}}}); r.Code != 0 && r.Code != syncml.StatusOK {
			t.Fatalf("seed document: %v", r.Code)
		}
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		mux := session.NewMux()
		if err := a.Register(mux); err != nil {
			t.Fatal(err)
		}
		c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, EachMessage: a.EachMessage})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Start(ctx, "1"); err != nil {
			t.Fatal(err)
		}
		x, err := c.Handle(ctx, &m)
		if err == nil && x.Reply != nil {
			if x.Reply.Header.SessionID != "1" {
				t.Fatalf("SessionID %q", x.Reply.Header.SessionID)
			}
			checkReplyIDs(t, x)
			var back syncml.Message
			if err := syncml.Unmarshal(x.Raw, &back); err != nil {
				t.Fatalf("reply does not decode: %v", err)
			}
			// Every reply but one answering an abort or going on with a
			// chunk of the server's carries the summary (see
			// session.ClientConfig.EachMessage).
			if len(a.Summary().Documents) > 0 && !x.Continued && !abortsSession(m.Body.Commands) {
				s, err := declaredconfig.ReadSummary(&back)
				if err != nil {
					t.Fatalf("reply without a summary: %v", err)
				}
				for _, e := range s.Documents {
					if st, err := declaredconfig.ParseState(e.State); err != nil || !st.Known() {
						t.Fatalf("summary state %q", e.State)
					}
				}
			}
		}
		if err := a.ApplyPending(ctx); err != nil {
			t.Fatalf("ApplyPending: %v", err)
		}
		if err := a.Refresh(ctx); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		for _, e := range a.Summary().Documents {
			// Applied, every document has moved on (a bulk template may
			// wait for its instance data).
			if st, _ := declaredconfig.ParseState(e.State); st.Transient() && st != declaredconfig.StateConfigInProgressAsyncPending {
				t.Fatalf("document %s in state %v after ApplyPending", e.ID, st)
			}
		}
		for k := range surface.Nodes("./") {
			// No node outside the CSP a document names, no placeholder.
			if strings.Contains(k, "/../") || strings.Contains(k, "/./") || strings.Contains(k, "//") || strings.Contains(k, "@#") {
				t.Fatalf("the agent set the node %q", k)
			}
		}
		b, err := agent.New(ctx, agent.Config{Surface: surface, Store: store})
		if err != nil {
			t.Fatalf("restart from the saved state: %v", err)
		}
		s1, err1 := a.Summary().MarshalText()
		s2, err2 := b.Summary().MarshalText()
		if err1 != nil || err2 != nil || string(s1) != string(s2) {
			t.Fatalf("summary after a restart:\n%s\nwas\n%s (%v %v)", s2, s1, err1, err2)
		}
	})
}

// abortsSession reports whether cmds, or a command an Atomic or
// Sequence of them holds, is an Alert 1223, which aborts the session.
func abortsSession(cmds []syncml.Command) bool {
	for _, c := range cmds {
		if a, ok := c.(*syncml.Alert); ok {
			if code, err := a.Code(); err == nil && code == syncml.AlertSessionAbort {
				return true
			}
		}
		if abortsSession(c.Nested()) {
			return true
		}
	}
	return false
}

// FuzzAgentState feeds arbitrary bytes to the agent's FileStore as a saved
// state. No input may make Load or New panic; a file Load refuses is
// ErrCorrupt (or a LimitError); a state New accepts saves and loads back
// to the same summary.
func FuzzAgentState(f *testing.F) {
	f.Add([]byte("windc-agent-state 1 2 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n{}"))
	f.Add([]byte("windc-agent-state 1 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"))
	f.Add([]byte(`{"documents":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "state")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fs := &agent.FileStore{Path: path, MaxBytes: 1 << 16}
		s, err := fs.Load(ctx)
		if err != nil {
			if !errors.Is(err, agent.ErrCorrupt) && !errors.Is(err, declaredconfig.ErrLimit) {
				t.Fatalf("Load: %v is neither ErrCorrupt nor a limit", err)
			}
			return
		}
		a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: fs})
		if err != nil {
			return
		}
		_ = s
		if err := a.Refresh(ctx); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		b, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: fs})
		if err != nil {
			t.Fatalf("state saved by the agent does not load: %v", err)
		}
		s1, err1 := a.Summary().MarshalText()
		s2, err2 := b.Summary().MarshalText()
		if err1 != nil || err2 != nil || string(s1) != string(s2) {
			t.Fatalf("summary after a restart:\n%s\nwas\n%s (%v %v)", s2, s1, err1, err2)
		}
	})
}

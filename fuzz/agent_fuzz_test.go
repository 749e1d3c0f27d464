package fuzz

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/internal/fuzzsteady"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// FuzzAgent feeds an arbitrary server message (its CmdIDs renumbered when
// the session would refuse them, see renumberCmdIDs;
// one that does not decode is mostly a program of a message instead,
// see generatedMessage) to a device whose
// DeclaredConfiguration subtrees are served by a declaredconfig/agent
// Agent (holding one applied document), through a session Client with the
// agent's summary in every message; then it runs ops, a program of what
// else happens to the device (see agentRun.op): applies, refreshes,
// Unenroll (also with its context ended), a Store whose saves fail, a
// Surface whose Set, Get or Delete fail, nodes changed behind the agent's
// back, commands served on their own (in an Atomic, undone later), the
// message again in a new session, and restarts from the store, also
// under lowered limits (see agentRun.restart).
//
// No input may make anything panic; a reply encodes to the bytes
// returned, keeps the SessionID, has non-zero unique CmdIDs and, but when
// it answers an abort or goes on with a chunk, carries a summary that
// reads back with known states. Every error returned is one of those the
// Store, the Surface or the context made. Every event is of a known kind,
// names its document (but a refresh's and an error's), tells an error
// with a cause, and an Applied follows its document's Accepted. A command
// or an Unenroll whose save fails changes nothing; an Unenroll that works
// leaves no document and, when the Surface's deletes work, none of the
// nodes it had to delete. A restart under lowered limits starts, keeping
// every document as a restart under the default limits would, but
// those beyond the limits: kept in ConfigInfraError, told first. Once the faults end, the worker applies and
// refreshes without error, leaving no document in a transient state (but
// a bulk template waiting for its data) and no Surface node with an empty,
// . or .. segment or a placeholder; and a new agent starts from the saved
// state with the same summary. Every Set the Surface gets that changes
// a node's value is of a node the saved state already records as set (the
// agent records a node before it sets it), and no save makes a record hold more nodes than
// MaxLeftover (lowered by opRestart) unless it held them already.
// Every Intents key a save holds is in its record's Leftover, and the
// save after an apply or refresh batch holds no Intents but those a
// crash left before it. The Surface holds values of the device's own
// (ownNodes) before the agent runs; through crashes (opApplyCanceled
// and opRefreshCanceled with an argument: the process ends before a
// Set, or before a Get or a Set, see crashState) and restarts, the agent
// deletes no node holding such a value that it did not write itself (an
// Intent whose Set was never made). And a node holding a value of the
// device's own at a crash that the saved state does not hold as set
// (after reads that work) is not deleted while it holds that value, until
// an apply result that sets it is recorded (see crashState.guard): a
// document whose value is the device's own (data 10) does not make the
// agent's a node it finds holding that value, whether its Set is made
// before the crash or not. An int or bool written "030" or "True" is Set
// as "30" or "true".
func FuzzAgent(f *testing.F) {
	fuzzsteady.Target(f)
	const id = "27FEA311-68B9-4320-9FC4-296F6FDFAFE2"
	hdr := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>D</LocURI></Target><Source><LocURI>S</LocURI></Source></SyncHdr><SyncBody>` +
		`<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`
	base := "./Device/Vendor/MSFT/DeclaredConfiguration/"
	doc := base + "Host/Complete/Documents/" + id + "/Document"
	replace := []byte(hdr + `<Replace><CmdID>2</CmdID><Item><Target><LocURI>` + doc + `</LocURI></Target><Data>&lt;DeclaredConfiguration schema="1.0" context="Device" id="` + id +
		`" checksum="A2" osdefinedscenario="MSFTVPN"&gt;&lt;CSP name="./Vendor/MSFT/VPNv2"&gt;&lt;URI path="P/AlwaysOn" type="bool"&gt;false&lt;/URI&gt;&lt;/CSP&gt;&lt;/DeclaredConfiguration&gt;</Data></Item></Replace>` +
		`<Get><CmdID>3</CmdID><Item><Target><LocURI>` + base + `Host/Complete/Results/` + id + `/Document</LocURI></Target></Item></Get><Final/></SyncBody></SyncML>`)
	f.Add(replace, []byte(nil))
	f.Add([]byte(hdr+`<Atomic><CmdID>2</CmdID><Delete><CmdID>3</CmdID><Item><Target><LocURI>`+doc+`</LocURI></Target></Item></Delete>`+
		`<Replace><CmdID>4</CmdID><Item><Target><LocURI>`+declaredconfig.RefreshIntervalURI+`</LocURI></Target><Data>29</Data></Item></Replace></Atomic><Final/></SyncBody></SyncML>`), []byte(nil))
	f.Add([]byte(hdr+`<Add><CmdID>2</CmdID><Item><Target><LocURI>`+base+`Host/BulkTemplate/Documents/`+id+`/Document</LocURI></Target><Data><![CDATA[<DeclaredConfiguration schema="1.0" context="Device" id="`+id+
		`" checksum="B1" osdefinedscenario="MSFTClientCertificateInstall"><CSP name="./Vendor/MSFT/ClientCertificateInstall"><URI path="PFXCertInstall/@#t#/PFXCertPassword" type="chr">@#p#</URI></CSP></DeclaredConfiguration>]]></Data></Item></Add>`+
		`<Replace><CmdID>3</CmdID><Item><Target><LocURI>`+base+`Host/BulkTemplate/Documents/`+id+`/BulkVariables/Value</LocURI></Target><Data><![CDATA[<InstanceBlob schema="1.0"><Instance><InstanceData variable="t">AB</InstanceData></Instance></InstanceBlob>]]></Data></Item></Replace>`+
		`<Replace><CmdID>4</CmdID><Item><Target><LocURI>`+base+`Host/Complete/Documents/`+id+`/Properties/Abandoned</LocURI></Target><Data>1</Data></Item></Replace><Final/></SyncBody></SyncML>`), []byte(nil))
	f.Add([]byte(hdr+`<Get><CmdID>2</CmdID><Item><Target><LocURI>`+base+`Host/Complete/Documents</LocURI></Target></Item><Item><Target><LocURI>`+declaredconfig.ConflictResolutionURI+
		`</LocURI></Target></Item></Get><Exec><CmdID>3</CmdID><Item><Target><LocURI>`+doc+`</LocURI></Target></Item></Exec><Final/></SyncBody></SyncML>`), []byte(nil))
	// The ops of agentRun.op, by name.
	f.Add(replace, []byte{opUnenroll})                                                  // Unenroll of the applied document
	f.Add(replace, []byte{opFaultDelete | 3<<4, opUnenroll, opFaultDelete, opUnenroll}) // a delete that fails, then works
	f.Add(replace, []byte{opFaultStore | 1<<4, opUnenroll, opApply, opRefresh, opFaultStore, opApply})
	f.Add(replace, []byte{opFaultSet | 2<<4, opApply, opRefresh, opFaultSet, opRefresh})
	f.Add(replace, []byte{opDrift, opFaultSet | 1<<4, opRefresh, opRefresh, opFaultSet, opRefresh, opDrift | 8<<4, opRefresh})
	f.Add(replace, []byte{opApply, opFaultGet | 3<<4, opDrift, opRefresh, opRefresh, opFaultGet, opRefresh})
	f.Add(replace, []byte{opUnenrollCanceled, opServe, 1, 1, opRestart, opApply})
	f.Add(replace, []byte{opServe, 0x80 | 1<<2, 1, opApply, opUndo, opApply, opSession, opRestart})
	f.Add(replace, []byte{opFaultStore | 1<<4, opServe, 1, 1, opRefresh, opRestart, opFaultStore, opSession, opClock | 15<<4, opRefresh})
	// An inventory (opServe of URI 10, data 7) read when the Surface
	// fails, then works; the bulk template of message 3 makes its node.
	f.Add(replace, []byte{opFaultGet | 3<<4, opServe, 10 << 2, 7, opApply, opRefresh, opFaultGet, opServe, 1 | 10<<2, 7, opApply, opUnenroll})
	f.Add([]byte(hdr+`<Add><CmdID>2</CmdID><Item><Target><LocURI>`+base+`Host/BulkTemplate/Documents/`+id+`/Document</LocURI></Target><Data><![CDATA[<DeclaredConfiguration schema="1.0" context="Device" id="`+id+
		`" checksum="B1" osdefinedscenario="MSFTClientCertificateInstall"><CSP name="./Vendor/MSFT/ClientCertificateInstall"><URI path="PFXCertInstall/@#t#/PFXCertPassword" type="chr">@#p#</URI></CSP></DeclaredConfiguration>]]></Data></Item></Add>`+
		`<Replace><CmdID>3</CmdID><Item><Target><LocURI>`+base+`Host/BulkTemplate/Documents/`+id+`/BulkVariables/Value</LocURI></Target><Data><![CDATA[<InstanceBlob schema="1.0"><Instance><InstanceData variable="t">AB</InstanceData><InstanceData variable="p">pw</InstanceData></Instance></InstanceBlob>]]></Data></Item></Replace><Final/></SyncBody></SyncML>`),
		[]byte{opApply, opServe, 10 << 2, 7, opApply, opDrift | 8<<4, opRefresh, opServe, 0x80 | 3<<2 | 1, 3, opApply, opUnenroll, opUndo, opApply})
	// The document made a DSC element (opServe: Replace of URI 0 with
	// data 8), then a VPN profile again, pending at a restart.
	f.Add(replace, []byte{opServe, 1, 8, opApply, opServe, 1, 1, opRestart, opApply, opRefresh, opDrift, opRefresh, opUnenroll})
	// Restarts under lowered limits (opRestart's argument, see
	// loweredLimits): the applied document beyond them, then the limits
	// raised again; a pending one beyond them; the DSC element beyond
	// them (the VPN profile within); fewer elements, documents and
	// settings, with an Add refused and an Unenroll.
	f.Add(replace, []byte{opApply, opRestart | 2<<4, opRefresh, opApply, opSession, opRestart, opApply, opRefresh})
	f.Add(replace, []byte{opServe, 1, 1, opRestart | 2<<4, opApply, opRefresh, opRestart, opApply, opUnenroll})
	f.Add(replace, []byte{opServe, 1, 8, opApply, opRestart | 1<<4, opDrift, opRefresh, opServe, 1, 1, opApply, opRestart | 3<<4, opApply})
	f.Add(replace, []byte{opApply, opRestart | 12<<4, opServe, 1 | 10<<2, 7, opApply, opSession, opRestart | 4<<4, opUnenroll})
	// MaxLeftover 1 (opRestart's bit 3): the DSC version of the applied
	// VPN profile would make its record hold two nodes, and is refused;
	// the limits raised again, it applies.
	f.Add(replace, []byte{opRestart | 8<<4, opServe, 1, 8, opApply, opRefresh, opRestart, opApply, opUnenroll})
	// The version of "True" and "030" (opServe: Replace of URI 0 with
	// data 9) applied, refreshed; then its apply crashes before its
	// first Set and before its second (opApplyCanceled's argument - 1),
	// with Unenroll after: RememberCredentials holds the device's own
	// value, which the agent never set, and must keep it.
	f.Add(replace, []byte{opServe, 1, 9, opApply, opRefresh, opUnenroll})
	f.Add(replace, []byte{opServe, 1, 9, opApplyCanceled | 1<<4, opUnenroll})
	f.Add(replace, []byte{opServe, 1, 9, opApplyCanceled | 2<<4, opRefresh, opUnenroll})
	f.Add(replace, []byte{opServe, 1, 9, opApply, opDrift | 8<<4, opRefreshCanceled | 1<<4, opUnenroll})
	// The version whose RememberCredentials is the device's own value
	// (data 10): its apply crashes before its read of the node (argument
	// 8: before the first Get or Set), before the Set of that node (9),
	// before the next Set (10: the node set the value it held), and
	// Unenroll must keep the node; its apply recorded, Unenroll deletes
	// it. A refresh that repairs it crashes alike.
	f.Add(replace, []byte{opServe, 1, 10, opApplyCanceled | 8<<4, opUnenroll})
	f.Add(replace, []byte{opServe, 1, 10, opApplyCanceled | 9<<4, opUnenroll})
	f.Add(replace, []byte{opServe, 1, 10, opApplyCanceled | 10<<4, opUnenroll})
	f.Add(replace, []byte{opServe, 1, 10, opApplyCanceled | 10<<4, opApply, opUnenroll})
	f.Add(replace, []byte{opServe, 1, 10, opFaultSet | 3<<4, opApply, opFaultSet, opRefreshCanceled | 10<<4, opUnenroll})
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
	// The commands of opServe name these too: an inventory, which reads
	// the node the bulk template's instance data makes.
	const invID = "5E3D7A61-0C1B-4F2A-9D4E-8B6C2F1A0E97"
	inv := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: invID, Checksum: "I1", Scenario: declaredconfig.ScenarioInventory,
		CSPs: []declaredconfig.CSP{{Name: "./Vendor/MSFT/ClientCertificateInstall", Settings: []declaredconfig.Setting{
			{Path: "PFXCertInstall/AB/PFXCertPassword", Type: "chr"}, {Path: "PFXCertInstall/AB/KeyLocation", Type: "chr"}}}}}
	invText, err := inv.MarshalText()
	if err != nil {
		f.Fatal(err)
	}
	// And a version of the first document made of a DSC element.
	dsc := &declaredconfig.Document{Schema: "1.0", Context: "Device", ID: id, Checksum: "D1", Scenario: declaredconfig.ScenarioMIProviderConfig,
		DSCs: []declaredconfig.DSC{{Namespace: "root/cimv2", ClassName: "MSFT_Reg", Keys: []declaredconfig.Param{{Name: "Key", Value: "HKLM,a=b"}},
			Values: []declaredconfig.Param{{Name: "Data", Value: "1"}}}}}
	dscText, err := dsc.MarshalText()
	if err != nil {
		f.Fatal(err)
	}
	// And a version whose bool and int are written as a node does not
	// read them back ("True", "030"): the agent sets "true" and "30".
	third := *first
	third.Checksum = "A3"
	third.CSPs = []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{{Path: "P/AlwaysOn", Type: "bool", Value: "True"},
		{Path: "P/RememberCredentials", Type: "int", Value: "030"}}}}
	thirdText, err := third.MarshalText()
	if err != nil {
		f.Fatal(err)
	}
	// And a version whose RememberCredentials (set first) holds the very
	// value the device holds there (ownNodes[1]).
	fourth := *first
	fourth.Checksum = "A4"
	fourth.CSPs = []declaredconfig.CSP{{Name: "./Vendor/MSFT/VPNv2", Settings: []declaredconfig.Setting{
		{Path: "P/RememberCredentials", Type: "chr", Value: ownValue + "1"}, {Path: "P/AlwaysOn", Type: "bool", Value: "true"}}}}
	fourthText, err := fourth.MarshalText()
	if err != nil {
		f.Fatal(err)
	}
	uris := append(slices.Clip(gen.uris), base+"Host/Inventory/Documents/"+invID+"/Document", base+"Host/Inventory/Results/"+invID+"/Document")
	datas := append(slices.Clip(gen.data), string(invText), string(dscText), string(thirdText), string(fourthText))
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		fuzzsteady.Input(t)
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
		r := newAgentRun(t, uris, datas)
		if c := r.serve(&syncml.Add{Items: []syncml.Item{{Target: &syncml.Location{LocURI: doc}, Data: syncml.Text(string(firstText))}}}, false); c != syncml.StatusOK {
			t.Fatalf("seed document: %v", c)
		}
		if err := r.a.ApplyPending(ctx); err != nil {
			t.Fatal(err)
		}
		r.session(&m)
		if len(ops) > maxAgentOps {
			ops = ops[:maxAgentOps]
		}
		r.checkRecorded()
		for len(ops) > 0 {
			ops = r.op(ops, &m)
			r.checkEvents()
			r.checkRecorded()
		}
		// The faults end: what was held is saved, and the agent works.
		r.store.fail, r.surface.setErr, r.surface.getErr, r.surface.deleteErr = nil, nil, nil, nil
		if err := r.a.ApplyPending(ctx); err != nil {
			t.Fatalf("ApplyPending: %v", err)
		}
		if err := r.a.Refresh(ctx); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		r.checkEvents()
		r.checkRecorded()
		for _, e := range r.a.Summary().Documents {
			// Applied, every document has moved on (a bulk template may
			// wait for its instance data).
			if st, _ := declaredconfig.ParseState(e.State); st.Transient() && st != declaredconfig.StateConfigInProgressAsyncPending {
				t.Fatalf("document %s in state %v after ApplyPending", e.ID, st)
			}
		}
		for k := range r.surface.mem.Nodes("./") {
			// No node outside the CSP a document names, no placeholder.
			if strings.Contains(k, "/../") || strings.Contains(k, "/./") || strings.Contains(k, "//") || strings.Contains(k, "@#") {
				t.Fatalf("the agent set the node %q", k)
			}
		}
		b, err := agent.New(ctx, r.config(agent.Config{}))
		if err != nil {
			t.Fatalf("restart from the saved state: %v", err)
		}
		s1, err1 := r.a.Summary().MarshalText()
		s2, err2 := b.Summary().MarshalText()
		if err1 != nil || err2 != nil || string(s1) != string(s2) {
			t.Fatalf("summary after a restart:\n%s\nwas\n%s (%v %v)", s2, s1, err1, err2)
		}
	})
}

// maxAgentOps bounds the ops FuzzAgent runs of one input.
const maxAgentOps = 48

// The ops of FuzzAgent: the low 4 bits of a byte choose one, the high 4
// are its argument (arg).
const (
	opApply            = iota // ApplyPending
	opRefresh                 // Refresh
	opUnenroll                // Unenroll
	opUnenrollCanceled        // Unenroll with its context ended
	opFaultStore              // saves fail from now on (arg odd) or work (even)
	opFaultSet                // Surface.Set fails with faultErrs[arg%4] (0: works)
	opFaultGet                // Surface.Get fails alike
	opFaultDelete             // Surface.Delete fails alike
	opDrift                   // a node is changed (arg < 8) or deleted behind the agent's back
	opRestart                 // a new agent from the store replaces the agent, under loweredLimits(arg)
	opServe                   // two more bytes: a command served alone (see agentRun.op)
	opUndo                    // the Undo of the last command served in an Atomic
	opSession                 // the message again, in a new session
	opClock                   // the clock moves on arg*10+1 minutes
	opApplyCanceled           // ApplyPending with its context ended (arg 0), else crashes before its arg-th Set (arg < 8) or its (arg-7)-th Get or Set (see agentRun.crash)
	opRefreshCanceled         // Refresh with its context ended (arg 0), else crashes alike
)

// errSurface and errStore are the failures the faults make, besides the
// Surface's ErrNotFound and ErrNotAllowed.
var (
	errSurface = errors.New("surface fault")
	errStore   = errors.New("store fault")
	faultErrs  = []error{nil, agent.ErrNotFound, agent.ErrNotAllowed, errSurface}
)

// An agentRun is an agent, its Store, Surface and Clock, and what it told,
// for FuzzAgent's ops.
type agentRun struct {
	t       *testing.T
	uris    []string // the targets of opServe's commands
	data    []string // and their Data
	a       *agent.Agent
	store   *faultStore
	surface *faultSurface
	clock   *fuzzClock
	events  []agent.Event
	checked int                           // the events checked so far
	undos   []func(context.Context) error // of the commands served in an Atomic
	// accepted holds the DocIDs of the EventAccepted told.
	accepted []string
	// lim are the limits of the agent (see loweredLimits); unlimited,
	// the URIs of the documents a restart under lim found beyond them,
	// whose EventError the agent's first events must be.
	lim       agentLimits
	unlimited map[string]bool
}

func newAgentRun(t *testing.T, uris, data []string) *agentRun {
	cr := &crashState{at: -1}
	store := &faultStore{crash: cr}
	r := &agentRun{t: t, uris: uris, data: data, store: store, surface: &faultSurface{mem: &agent.MemorySurface{}, store: store, crash: cr},
		clock: &fuzzClock{now: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}}
	// The device holds values of its own in nodes the documents set
	// (the seed document's apply replaces the first).
	for i, u := range ownNodes {
		if err := r.surface.mem.Set(context.Background(), nodeID(u), ownValue+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	r.start()
	return r
}

// ownNodes are the nodes the device holds before the agent runs, each
// with ownValue and its index: those the documents of FuzzAgent set.
var ownNodes = []string{"./Vendor/MSFT/VPNv2/P/AlwaysOn", "./Vendor/MSFT/VPNv2/P/RememberCredentials",
	"./Vendor/MSFT/ClientCertificateInstall/PFXCertInstall/AB/PFXCertPassword",
	"./Vendor/MSFT/ClientCertificateInstall/PFXCertInstall/AB/KeyLocation"}

// ownValue begins the values of ownNodes, which no document holds.
const ownValue = "device-own-"

// A crashState models the process ending: at is the number of Surface
// Sets (and Gets, when gets is set) left before the crash (-1: none
// armed); from then on (on), the Surface's Sets and Deletes and the
// Store's saves are not made, as nothing the dead process did after is,
// until the agent is made anew from the store.
//
// guard holds, by nodeID, the nodes that held a value of the device's
// own (ownValue) at a crash, whose reads worked, that the saved state did
// not hold as set, with that value: the agent must not delete such a node
// while it holds the value until an apply result that sets it is recorded
// (a record's setting with status 200, saved or in the agent's memory),
// which takes it out.
type crashState struct {
	at    int
	gets  bool
	on    bool
	guard map[string]string
}

// count counts a Surface call, ending the process when it is the one
// armed.
func (c *crashState) count() {
	if c == nil || c.at < 0 {
		return
	}
	if c.at == 0 {
		c.on = true
	}
	c.at--
}

// recorded takes out of c.guard the nodes that st records as set by an
// apply result.
func (c *crashState) recorded(st *agent.Snapshot) {
	if c == nil || len(c.guard) == 0 || st == nil {
		return
	}
	for _, d := range st.Documents {
		for _, x := range d.Settings {
			if x.Status == int(syncml.StatusOK) {
				delete(c.guard, nodeID(x.URI))
			}
		}
	}
}

// start makes the agent anew from the store, under r.lim.
func (r *agentRun) start() {
	a, err := agent.New(context.Background(), r.config(agent.Config{
		OnEvent: func(e agent.Event) { r.events = append(r.events, e) },
		RequestSession: func(reason string) {
			if reason == "" {
				r.t.Fatalf("RequestSession without a reason")
			}
		}}))
	if err != nil {
		r.t.Fatalf("New from the saved state: %v", err)
	}
	r.a, r.undos, r.unlimited = a, nil, nil
}

// config returns c with r's Surface, Store, Clock and limits.
func (r *agentRun) config(c agent.Config) agent.Config {
	c.Surface, c.Store, c.Clock = r.surface, r.store, r.clock
	c.Limits, c.MaxDocuments, c.MaxSettings, c.MaxSummaryBytes = r.lim.Limits, r.lim.MaxDocuments, r.lim.MaxSettings, r.lim.MaxSummaryBytes
	c.MaxLeftover = r.lim.MaxLeftover
	r.store.maxLeftover = r.lim.MaxLeftover
	return c
}

// checkRecorded fails the test when the Surface was set a node that the
// saved state did not hold as set (a setting with status 200 or a
// Leftover node of a record) at the time of the Set, and when a save
// grew a record beyond the agent's MaxLeftover (see faultStore).
func (r *agentRun) checkRecorded() {
	if b := r.store.bad; len(b) > 0 {
		r.t.Fatalf("a save holds Intents not in its record's Leftover, or a HashKey or hash not the agent's keyed ones: %v", b)
	}
	if u := r.surface.unrecorded; len(u) > 0 {
		r.t.Fatalf("the Surface was set nodes the saved state did not record first: %v", u)
	}
	if o := r.store.over; len(o) > 0 {
		r.t.Fatalf("a save grew records beyond MaxLeftover %d: %v", r.lim.MaxLeftover, o)
	}
	if o := r.surface.ownDeleted; len(o) > 0 {
		r.t.Fatalf("the agent deleted nodes holding the device's own value, which it never wrote: %v", o)
	}
	if h := r.surface.heldDeleted; len(h) > 0 {
		r.t.Fatalf("the agent deleted nodes holding the device's own value they held at a crash, no apply result setting them recorded since: %v", h)
	}
	if n := r.surface.noncanonical; len(n) > 0 {
		r.t.Fatalf("the Surface was set an int or bool in a form a node does not read back: %v", n)
	}
}

// savedIntents returns the Intents of the saved state, each as its
// record's URI, the node and the hash.
func (r *agentRun) savedIntents() map[string]bool {
	out := map[string]bool{}
	st, err := r.store.MemoryStore.Load(context.Background())
	if err != nil || st == nil {
		return out
	}
	for _, d := range st.Documents {
		for u, h := range d.Intents {
			out[d.URI+" "+u+" "+h] = true
		}
	}
	return out
}

// checkNoIntents fails the test when the saved state holds Intents but
// those of was (the saved state's before the batch: what a crash left):
// a batch that ended, its outcome saved, leaves none of its own.
func (r *agentRun) checkNoIntents(what string, was map[string]bool) {
	for k := range r.savedIntents() {
		if !was[k] {
			r.t.Fatalf("the save after %s holds the Intent %s", what, k)
		}
	}
}

// crash runs ApplyPending (or Refresh, when refresh is set) in a process
// that ends before the Surface's at-th Set from now (arg < 8) or its
// (arg-8)-th Get or Set (see crashState) or, when it makes fewer, once it
// returns; then the agent starts anew from the store. The nodes holding
// the device's own value that the saved state does not hold as set go to
// the guard, when Gets work.
func (r *agentRun) crash(arg int, refresh bool) {
	r.checkEvents()
	c := r.surface.crash
	if r.surface.getErr == nil {
		var held map[string]bool
		if st, err := r.store.MemoryStore.Load(context.Background()); err == nil && st != nil {
			held = map[string]bool{}
			for i := range st.Documents {
				maps.Copy(held, savedNodes(&st.Documents[i]))
			}
		}
		for _, u := range ownNodes {
			id := nodeID(u)
			if v, ok, _ := r.surface.mem.Get(context.Background(), id); ok && strings.HasPrefix(v, ownValue) && !held[id] {
				if c.guard == nil {
					c.guard = map[string]string{}
				}
				c.guard[id] = v
			}
		}
	}
	c.at, c.gets, c.on = arg-1, false, false
	if arg >= 8 {
		c.at, c.gets = arg-8, true
	}
	if refresh {
		_ = r.a.Refresh(context.Background())
	} else {
		_ = r.a.ApplyPending(context.Background())
	}
	// what the dead process told after the crash was never told
	r.events = r.events[:r.checked]
	c.at, c.gets, c.on = -1, false, false
	r.restart(r.lim)
}

// savedNodes returns the nodes (nodeID) d holds as set: its settings
// with status 200 and its Leftover.
func savedNodes(d *agent.DocumentRecord) map[string]bool {
	out := map[string]bool{}
	for _, x := range d.Settings {
		if x.Status == int(syncml.StatusOK) {
			out[nodeID(x.URI)] = true
		}
	}
	for _, u := range d.Leftover {
		out[nodeID(u)] = true
	}
	return out
}

// agentLimits are the bounds of an agent's Config that opRestart lowers.
type agentLimits struct {
	Limits                                                  declaredconfig.Limits
	MaxDocuments, MaxSettings, MaxSummaryBytes, MaxLeftover int
}

// loweredLimits returns the limits of opRestart's argument, 0 for the
// defaults: its low 2 bits cap a document's bytes (the seed documents
// take 244 to some 350: the VPN profile fits 256, and the DSC element
// 320), bit 2 its elements, depth and attributes to what the VPN profile
// has, and bit 3 the documents, a document's settings, the nodes a
// record holds (MaxLeftover 1) and the summary.
func loweredLimits(arg int) agentLimits {
	var l agentLimits
	l.Limits.MaxBytes = []int64{0, 256, 200, 320}[arg&3]
	if arg&4 != 0 {
		l.Limits.MaxElements, l.Limits.MaxDepth, l.Limits.MaxAttrs = 3, 3, 5
	}
	if arg&8 != 0 {
		l.MaxDocuments, l.MaxSettings, l.MaxSummaryBytes, l.MaxLeftover = 1, 1, 512, 1
	}
	return l
}

// restart replaces the agent with one New makes from the store under
// l. Whatever the store holds (an agent saved it, under limits as large
// or larger), New starts: every document stays, with its text and
// settings, in the state an agent under the default limits gives it,
// but one beyond l.Limits, kept in ConfigInfraError (GetInfraError for
// an inventory) and no longer pending, whose EventError (matching
// declaredconfig.ErrLimit) comes before any other event the agent tells.
func (r *agentRun) restart(l agentLimits) {
	t, ctx := r.t, context.Background()
	// what the agent before told (the seed document's Accepted, when
	// the restart is the first op) is checked under its own rules
	r.checkEvents()
	ref, err := agent.New(ctx, agent.Config{Surface: r.surface, Store: r.store, Clock: r.clock})
	if err != nil {
		t.Fatalf("New from the saved state: %v", err)
	}
	r.lim = l
	r.start()
	want, got := ref.Snapshot(), r.a.Snapshot()
	if len(got.Documents) != len(want.Documents) || got.RefreshInterval != want.RefreshInterval || got.ConflictResolution != want.ConflictResolution {
		t.Fatalf("New under %+v:\n%+v\nunder the default limits\n%+v", l, got, want)
	}
	for i, w := range want.Documents {
		var d declaredconfig.Document
		if err := declaredconfig.UnmarshalLimits([]byte(w.Document), &d, l.Limits); errors.Is(err, declaredconfig.ErrLimit) {
			w.State, w.Pending = declaredconfig.StateConfigInfraError, false
			if u, err := declaredconfig.ParseURI(w.URI); err == nil && u.Host == declaredconfig.Inventory {
				w.State = declaredconfig.StateGetInfraError
			}
			if r.unlimited == nil {
				r.unlimited = map[string]bool{}
			}
			r.unlimited[w.URI] = true
		}
		if g := got.Documents[i]; !reflect.DeepEqual(g, w) {
			t.Fatalf("New under %+v holds the document\n%+v\nwant\n%+v", l, g, w)
		}
	}
}

// session hands m to a new session of a Client that the agent serves
// and checks the reply.
func (r *agentRun) session(m *syncml.Message) {
	t, ctx := r.t, context.Background()
	mux := session.NewMux()
	if err := r.a.Register(mux); err != nil {
		t.Fatal(err)
	}
	c, err := session.NewClient(session.ClientConfig{DeviceID: "D", ServerURI: "S", Handler: mux, EachMessage: r.a.EachMessage})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	x, err := c.Handle(ctx, m)
	if err != nil || x.Reply == nil {
		return
	}
	if x.Reply.Header.SessionID != "1" {
		t.Fatalf("SessionID %q", x.Reply.Header.SessionID)
	}
	checkReplyIDs(t, x)
	var back syncml.Message
	if err := syncml.Unmarshal(x.Raw, &back); err != nil {
		t.Fatalf("reply does not decode: %v", err)
	}
	// Every reply but one answering an abort or going on with a chunk of
	// the server's carries the summary (see
	// session.ClientConfig.EachMessage).
	if len(r.a.Summary().Documents) > 0 && !x.Continued && !abortsSession(m.Body.Commands) {
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

// serve has the agent serve c alone (in an Atomic when atomic is set,
// its Undo kept) and returns its first item's code. A command whose save
// fails changes nothing.
func (r *agentRun) serve(c syncml.Command, atomic bool) syncml.StatusCode {
	before := r.a.Snapshot()
	resp := r.a.ServeCommand(context.Background(), &session.Request{Command: c, Atomic: atomic})
	if resp.Undo != nil {
		r.undos = append(r.undos, resp.Undo)
	}
	if r.store.fail != nil && c.ElementName() != "Get" {
		if after := r.a.Snapshot(); !reflect.DeepEqual(before, after) {
			r.t.Fatalf("a %s whose save failed changed the state:\n%+v\nwas\n%+v", c.ElementName(), after, before)
		}
	}
	code := resp.Code
	if len(resp.ItemCodes) > 0 {
		code = resp.ItemCodes[0]
	}
	if code == 0 {
		code = syncml.StatusOK
	}
	return code
}

// op runs the first op of ops, checking what it must keep to, and
// returns the rest. m is the message of the session.
func (r *agentRun) op(ops []byte, m *syncml.Message) []byte {
	t := r.t
	ctx := context.Background()
	ended, cancel := context.WithCancel(ctx)
	cancel()
	b, ops := ops[0], ops[1:]
	arg := int(b >> 4)
	// an apply result the agent holds, saved or not, ends the guard
	r.surface.crash.recorded(r.a.Snapshot())
	switch b & 15 {
	case opApply:
		saves, was := r.store.saves, r.savedIntents()
		r.wantErr("ApplyPending", r.a.ApplyPending(ctx), errStore)
		if r.store.fail == nil && r.store.saves > saves {
			r.checkNoIntents("ApplyPending", was)
		}
	case opApplyCanceled:
		if arg > 0 {
			r.crash(arg, false)
			break
		}
		r.wantErr("ApplyPending", r.a.ApplyPending(ended), errStore, context.Canceled)
	case opRefresh:
		saves, was := r.store.saves, r.savedIntents()
		r.wantErr("Refresh", r.a.Refresh(ctx), errStore)
		if r.store.fail == nil && r.store.saves > saves {
			r.checkNoIntents("Refresh", was)
		}
	case opRefreshCanceled:
		if arg > 0 {
			r.crash(arg, true)
			break
		}
		r.wantErr("Refresh", r.a.Refresh(ended), errStore, context.Canceled)
	case opUnenroll, opUnenrollCanceled:
		uctx := ctx
		if b&15 == opUnenrollCanceled {
			uctx = ended
		}
		before := r.a.Snapshot()
		gone := unenrolled(before)
		err := r.a.Unenroll(uctx)
		r.wantErr("Unenroll", err, errStore, r.surface.deleteErr, context.Canceled)
		after := r.a.Snapshot()
		switch {
		case r.store.fail != nil || errors.Is(err, context.Canceled):
			// Not kept: the documents stay.
			if len(after.Documents) != len(before.Documents) {
				t.Fatalf("an Unenroll not kept (%v) left %d of %d documents", err, len(after.Documents), len(before.Documents))
			}
		default:
			if len(after.Documents) != 0 || after.RefreshInterval != 0 || after.ConflictResolution != "" || len(r.a.Summary().Documents) != 0 {
				t.Fatalf("after an Unenroll (%v): %+v", err, after)
			}
			if r.surface.deleteErr != nil {
				break
			}
			for _, u := range gone {
				if _, ok, _ := r.surface.mem.Get(ctx, nodeID(u)); ok {
					t.Fatalf("Unenroll left the node %s", u)
				}
			}
		}
	case opFaultStore:
		r.store.fail = nil
		if arg&1 == 1 {
			r.store.fail = errStore
		}
	case opFaultSet:
		r.surface.setErr = faultErrs[arg%4]
	case opFaultGet:
		r.surface.getErr = faultErrs[arg%4]
	case opFaultDelete:
		r.surface.deleteErr = faultErrs[arg%4]
	case opDrift:
		nodes := r.surface.mem.Nodes("./")
		if len(nodes) == 0 {
			break
		}
		keys := slices.Sorted(maps.Keys(nodes))
		k := keys[arg%len(keys)]
		if arg < 8 {
			_ = r.surface.mem.Set(ctx, k, "drifted")
		} else {
			_ = r.surface.mem.Delete(ctx, k)
		}
	case opRestart:
		r.restart(loweredLimits(arg))
	case opServe:
		// Two bytes: the command (low 2 bits: Add, Replace, Delete,
		// Get; bit 7: in an Atomic) and its target (the rest, an index
		// of the URIs), then its Data (an index of the data).
		if len(ops) < 2 {
			return nil
		}
		c, d := ops[0], ops[1]
		ops = ops[2:]
		it := syncml.Item{Target: &syncml.Location{LocURI: r.uris[int(c>>2&31)%len(r.uris)]},
			Data: syncml.Text(r.data[int(d)%len(r.data)])}
		var cmd syncml.Command
		switch c & 3 {
		case 0:
			cmd = &syncml.Add{Items: []syncml.Item{it}}
		case 1:
			cmd = &syncml.Replace{Items: []syncml.Item{it}}
		case 2:
			it.Data = nil
			cmd = &syncml.Delete{Items: []syncml.Item{it}}
		default:
			it.Data = nil
			cmd = &syncml.Get{Items: []syncml.Item{it}}
		}
		r.serve(cmd, c&0x80 != 0)
	case opUndo:
		if len(r.undos) == 0 {
			break
		}
		u := r.undos[len(r.undos)-1]
		r.undos = r.undos[:len(r.undos)-1]
		r.wantErr("Undo", u(ctx), errStore, r.surface.deleteErr)
	case opSession:
		r.session(m)
	case opClock:
		r.clock.now = r.clock.now.Add(time.Duration(arg*10+1) * time.Minute)
	}
	return ops
}

// unenrolled returns the nodes an Unenroll of s deletes: those of the
// settings set (status 200) of documents neither abandoned nor
// inventories that no abandoned document names.
func unenrolled(s *agent.Snapshot) []string {
	kept := map[string]bool{}
	for _, d := range s.Documents {
		if d.Abandoned {
			for _, x := range d.Settings {
				kept[nodeID(x.URI)] = true
			}
		}
	}
	var out []string
	for _, d := range s.Documents {
		u, err := declaredconfig.ParseURI(d.URI)
		if err != nil || d.Abandoned || u.Host == declaredconfig.Inventory {
			continue
		}
		for _, x := range d.Settings {
			if x.Status == 200 && !kept[nodeID(x.URI)] {
				out = append(out, x.URI)
			}
		}
	}
	return out
}

// wantErr fails the test unless err is nil or comes of one of the causes
// (every error it joins).
func (r *agentRun) wantErr(what string, err error, causes ...error) {
	r.t.Helper()
	if err == nil {
		return
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			r.wantErr(what, e, causes...)
		}
		return
	}
	for _, c := range causes {
		if c != nil && errors.Is(err, c) {
			return
		}
	}
	r.t.Fatalf("%s: %v, none of the faults made", what, err)
}

// checkEvents checks the events told since the last check.
func (r *agentRun) checkEvents() {
	t := r.t
	for _, e := range r.events[r.checked:] {
		s := e.String()
		if len(r.unlimited) > 0 {
			// What New found beyond the limits is told first.
			if e.Kind != agent.EventError {
				t.Fatalf("%s told before the EventError of the documents beyond the limits %v", s, slices.Sorted(maps.Keys(r.unlimited)))
			}
			if errors.Is(e.Err, declaredconfig.ErrLimit) {
				delete(r.unlimited, e.URI)
			}
		}
		switch {
		case e.Kind < agent.EventAccepted || e.Kind > agent.EventError:
			t.Fatalf("event of kind %d: %s", e.Kind, s)
		case e.Time.After(r.clock.now):
			t.Fatalf("event after the clock's time %v: %s", r.clock.now, s)
		case e.Kind == agent.EventError && e.Err == nil && e.Detail == "":
			t.Fatalf("an EventError that says nothing: %s", s)
		case e.Kind != agent.EventError && e.Kind != agent.EventRefreshed && (e.DocID == "" || e.URI == ""):
			t.Fatalf("an event that names no document: %s", s)
		}
		switch e.Kind {
		case agent.EventAccepted:
			r.accepted = append(r.accepted, e.DocID)
		case agent.EventApplied:
			if !slices.ContainsFunc(r.accepted, func(id string) bool { return declaredconfig.EqualDocID(id, e.DocID) }) {
				t.Fatalf("Applied before Accepted: %s", s)
			}
		}
		if e.State != "" {
			if st, err := declaredconfig.ParseState(e.State); err != nil || !st.Known() {
				t.Fatalf("an event with state %q: %s", e.State, s)
			}
		}
	}
	r.checked = len(r.events)
}

// nodeID is a node's identity, as the agent takes it: its LocURI as
// syncml.ParseLocURI reads it, the scope written out.
func nodeID(uri string) string {
	l, err := syncml.ParseLocURI(uri)
	if err != nil {
		return uri
	}
	if l.Scope == syncml.ScopeDefault {
		l.Scope = syncml.ScopeDevice
	}
	return l.String()
}

// A faultSurface is a MemorySurface whose calls fail with the errors
// set; it holds a node under its identity (nodeID), as a device does, so
// that two spellings of one node are one.
//
// A Set that works and changes the node's value first checks that the
// state saved in store holds the node as set (see savedNodes), the agent
// recording a node before it sets it (but one it read holding the value
// already); the nodes it did not hold go to unrecorded.
//
// It also keeps the values each node was set (written): a Delete of a
// node holding a value of the device's own (ownValue) that the agent
// never set goes to ownDeleted; a Set of "True" or "030", the forms of a
// bool and an int FuzzAgent's documents hold that a node does not read
// back, goes to noncanonical. crash, when it is on, makes Sets and
// Deletes do nothing (see crashState); a Delete of a node of its guard
// holding the value guarded goes to heldDeleted.
type faultSurface struct {
	mem                       *agent.MemorySurface
	setErr, getErr, deleteErr error
	store                     *faultStore
	unrecorded                []string
	crash                     *crashState
	written                   map[string]map[string]bool
	ownDeleted, noncanonical  []string
	heldDeleted               []string
}

func (s *faultSurface) Set(ctx context.Context, uri, value string) error {
	if s.setErr != nil {
		return fmt.Errorf("set %s: %w", uri, s.setErr)
	}
	s.crash.count()
	if s.crash != nil && s.crash.on {
		return nil
	}
	if value == "True" || value == "030" {
		s.noncanonical = append(s.noncanonical, uri+"="+value)
	}
	if v, ok, _ := s.mem.Get(ctx, nodeID(uri)); (!ok || v != value) && s.store != nil && !s.savedHolds(nodeID(uri)) {
		s.unrecorded = append(s.unrecorded, uri)
	}
	if s.written == nil {
		s.written = map[string]map[string]bool{}
	}
	if s.written[nodeID(uri)] == nil {
		s.written[nodeID(uri)] = map[string]bool{}
	}
	s.written[nodeID(uri)][value] = true
	return s.mem.Set(ctx, nodeID(uri), value)
}

// savedHolds reports whether a record of the saved state holds the node
// id as set.
func (s *faultSurface) savedHolds(id string) bool {
	st, err := s.store.MemoryStore.Load(context.Background())
	if err != nil || st == nil {
		return false
	}
	for i := range st.Documents {
		if savedNodes(&st.Documents[i])[id] {
			return true
		}
	}
	return false
}

func (s *faultSurface) Get(ctx context.Context, uri string) (string, bool, error) {
	if s.getErr != nil {
		return "", false, fmt.Errorf("get %s: %w", uri, s.getErr)
	}
	if c := s.crash; c != nil && c.gets {
		c.count()
	}
	return s.mem.Get(ctx, nodeID(uri))
}

func (s *faultSurface) Delete(ctx context.Context, uri string) error {
	if s.deleteErr != nil {
		return fmt.Errorf("delete %s: %w", uri, s.deleteErr)
	}
	if s.crash != nil && s.crash.on {
		return nil
	}
	if v, ok, _ := s.mem.Get(ctx, nodeID(uri)); ok && strings.HasPrefix(v, ownValue) && !s.written[nodeID(uri)][v] {
		s.ownDeleted = append(s.ownDeleted, uri+"="+v)
	}
	if v, ok, _ := s.mem.Get(ctx, nodeID(uri)); ok && s.crash != nil && s.crash.guard[nodeID(uri)] == v {
		s.heldDeleted = append(s.heldDeleted, uri+"="+v)
	}
	return s.mem.Delete(ctx, nodeID(uri))
}

// A faultStore is a MemoryStore whose saves fail with fail, when set.
// A save that makes a record hold more nodes as set (savedNodes) than
// maxLeftover (0: agent.DefaultMaxLeftover) and than the record held in
// the state saved before goes to over (a bound lowered by a restart
// leaves a record over it, which must not grow).
//
// A save whose record holds an Intents key not in its Leftover, whose
// HashKey is not 32 bytes in hexadecimal or not the one of the run's
// earlier saves, or which holds a hash of a value (SettingRecord.Hash,
// Intents) not keyed ("hmac:") goes to bad; saves counts the saves made; a save while crash is on is not made
// (see crashState).
type faultStore struct {
	agent.MemoryStore
	key         string // the HashKey of the saves so far
	fail        error
	maxLeftover int
	over, bad   []string
	saves       int
	crash       *crashState
}

// keyedHash reports whether h is a keyed hash of a value: "hmac:" and 64
// hexadecimal digits (the run starts from no state, so no record holds a
// bare SHA-256 of an older build).
func keyedHash(h string) bool {
	b, ok := strings.CutPrefix(h, "hmac:")
	k, err := hex.DecodeString(b)
	return ok && err == nil && len(k) == 32
}

func (s *faultStore) Save(ctx context.Context, st *agent.Snapshot) error {
	if s.fail != nil {
		return s.fail
	}
	if s.crash != nil && s.crash.on {
		return nil
	}
	s.saves++
	s.crash.recorded(st)
	// one key, made once, for every save of the run (restarts and
	// Unenroll included), and every hash keyed by it
	if k, err := hex.DecodeString(st.HashKey); err != nil || len(k) != 32 || s.key != "" && st.HashKey != s.key {
		s.bad = append(s.bad, fmt.Sprintf("HashKey %q (the run's: %q)", st.HashKey, s.key))
	}
	s.key = st.HashKey
	for i := range st.Documents {
		d := &st.Documents[i]
		for u, h := range d.Intents {
			if !slices.Contains(d.Leftover, u) {
				s.bad = append(s.bad, d.URI+": "+u)
			}
			if !keyedHash(h) {
				s.bad = append(s.bad, d.URI+": Intents "+u+" "+h)
			}
		}
		for _, sr := range d.Settings {
			if sr.Hash != "" && !keyedHash(sr.Hash) {
				s.bad = append(s.bad, d.URI+": Hash of "+sr.URI+" "+sr.Hash)
			}
		}
	}
	max := s.maxLeftover
	if max <= 0 {
		max = agent.DefaultMaxLeftover
	}
	was := map[string]int{}
	if prev, err := s.MemoryStore.Load(ctx); err == nil && prev != nil {
		for i := range prev.Documents {
			was[prev.Documents[i].URI] = len(savedNodes(&prev.Documents[i]))
		}
	}
	for i := range st.Documents {
		d := &st.Documents[i]
		if n := len(savedNodes(d)); n > max && n > was[d.URI] {
			s.over = append(s.over, fmt.Sprintf("%s holds %d (was %d)", d.URI, n, was[d.URI]))
		}
	}
	return s.MemoryStore.Save(ctx, st)
}

// A fuzzClock is a Clock moved by hand; its timers never fire (no Run).
type fuzzClock struct{ now time.Time }

func (c *fuzzClock) Now() time.Time                       { return c.now }
func (c *fuzzClock) After(time.Duration) <-chan time.Time { return nil }

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
// to the same summary. Every input uses the same file, in a directory
// made once and emptied after it, and a clock that does not move, so
// that its run depends on its bytes alone (see steadyInput).
func FuzzAgentState(f *testing.F) {
	fuzzsteady.Target(f)
	f.Add([]byte("windc-agent-state 1 2 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n{}"))
	f.Add([]byte("windc-agent-state 1 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"))
	f.Add([]byte(`{"documents":[]}`))
	dir := f.TempDir()
	path := filepath.Join(dir, "state")
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzsteady.Input(t)
		t.Cleanup(func() { emptyDir(t, dir) })
		ctx := context.Background()
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		clock := &fuzzClock{now: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
		fs := &agent.FileStore{Path: path, MaxBytes: 1 << 16}
		s, err := fs.Load(ctx)
		if err != nil {
			if !errors.Is(err, agent.ErrCorrupt) && !errors.Is(err, declaredconfig.ErrLimit) {
				t.Fatalf("Load: %v is neither ErrCorrupt nor a limit", err)
			}
			return
		}
		a, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: fs, Clock: clock})
		if err != nil {
			return
		}
		_ = s
		if err := a.Refresh(ctx); err != nil {
			t.Fatalf("Refresh: %v", err)
		}
		b, err := agent.New(ctx, agent.Config{Surface: &agent.MemorySurface{}, Store: fs, Clock: clock})
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

// emptyDir removes what dir holds, so that the next input finds it as
// this one did.
func emptyDir(t *testing.T, dir string) {
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}

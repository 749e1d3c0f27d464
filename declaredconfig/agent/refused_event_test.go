package agent_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/declaredconfig/agent"
	"github.com/windc-go/windc/syncml"
)

// TestRefusedDocumentEvent checks that a document refused with 400 is
// told: the server only sees the code, so the device's EventError is
// where the reason, with its place in the document, can be read. A
// document that does not read gives the DecodeError (line, column,
// path); one that breaks the CSP's rules, its ErrInvalid; instance data
// that does not read, its DecodeError too.
func TestRefusedDocumentEvent(t *testing.T) {
	var mu sync.Mutex
	var events []agent.Event
	a := newAgent(t, agent.Config{OnEvent: func(e agent.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	docURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.Complete, vpnID).String()
	bad := strings.Replace(text(t, vpnDoc("A1")), `<URI path="Contoso/AlwaysOn"`, "<URI path=\"Contoso/AlwaysOn\"\n\n<", 1)
	invalid := vpnDoc("A1")
	invalid.CSPs[0].Settings[0].Value = "maybe"
	bulkURI := declaredconfig.DocumentURI(declaredconfig.Device, declaredconfig.BulkTemplate, bulkID).String()
	if c, _ := serve(t, a, "Add", bulkURI, text(t, bulkDoc())); c != 200 {
		t.Fatalf("Add %d", c)
	}
	for _, tc := range []struct {
		name, uri, data string
		check           func(error) bool
	}{
		{"syntax", docURI, bad, func(err error) bool {
			var de *syncml.DecodeError
			return errors.As(err, &de) && de.Line == 3 && de.Path != ""
		}},
		{"rules", docURI, text(t, invalid), func(err error) bool { return errors.Is(err, declaredconfig.ErrInvalid) }},
		{"instance data", declaredconfig.BulkVariablesURI(declaredconfig.Device, bulkID).String(), "<InstanceBlob>\n<Instance>", func(err error) bool {
			var de *syncml.DecodeError
			return errors.As(err, &de) && de.Line == 2
		}},
	} {
		mu.Lock()
		events = nil
		mu.Unlock()
		if c, _ := serve(t, a, "Replace", tc.uri, tc.data); c != syncml.StatusBadRequest {
			t.Fatalf("%s: %d, want 400", tc.name, c)
		}
		mu.Lock()
		got := append([]agent.Event(nil), events...)
		mu.Unlock()
		if len(got) != 1 || got[0].Kind != agent.EventError || got[0].URI != tc.uri || !tc.check(got[0].Err) {
			t.Errorf("%s: events %v, want one EventError for %s with the reason", tc.name, got, tc.uri)
		}
	}
}

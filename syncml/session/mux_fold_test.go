package session

import (
	"context"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestMuxFoldCase: a subtree route matches node names as written unless
// Mux.FoldCase is set; then it takes them in any letter case, segment by
// segment (a longer prefix still wins, whole segments only), and its
// handler gets the item as sent.
func TestMuxFoldCase(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		uri         string
		exact, fold string // the route taking it: "csp", "node", "" for none
	}{
		{"./Vendor/MSFT/DMClient/Provider", "csp", "csp"},
		{"./vendor/msft/dmclient/Provider", "", "csp"},
		{"./Device/VENDOR/MSFT/DMClient", "", "csp"},
		{"./device/Vendor/MSFT/DMClient", "csp", "csp"}, // the scope's case never mattered
		{"./Vendor/MSFT/DMClient/Provider/MS%20DM%20Server/Push", "node", "node"},
		{"./Vendor/MSFT/dmclient/provider/ms%20dm%20server/PUSH/PFN", "", "node"},
		{"./User/Vendor/MSFT/DMClient", "", ""},                                 // another scope
		{"./Vendor/MSFT/DMClientX", "", ""},                                     // not a whole segment
		{"./Vendor/MSFT/DMCLİENT", "", ""},                                      // not a fold of I
		{"./Vendor/MSFT/DMClient/Provider/MS%20DM%20Server/Puſh", "csp", "csp"}, // ſ is no s for Windows (strings.EqualFold: it is)
		{"./Kendor/MSFT/DMClient", "", ""},                                      // nor the Kelvin sign V... K
		{"./Vendor/MSFT/DMClient/Provider/MS%20DM%20Server/Ρush", "csp", "csp"}, // Greek Rho is no P
	} {
		for _, fold := range []bool{false, true} {
			var got, sent string
			route := func(name string) Handler {
				return HandlerFunc(func(_ context.Context, r *Request) Response {
					got, sent = name, itemURI(r.Command.ItemList()[0])
					return Response{}
				})
			}
			m := NewMux()
			m.FoldCase = fold
			m.NotFound = route("")
			if err := m.HandleSubtree("", "./Vendor/MSFT/DMClient", route("csp")); err != nil {
				t.Fatal(err)
			}
			if err := m.HandleSubtree("Replace", "./Vendor/MSFT/DMClient/Provider/MS DM Server/Push", route("node")); err != nil {
				t.Fatal(err)
			}
			m.ServeCommand(ctx, &Request{Command: &syncml.Replace{CmdID: "2", Items: []syncml.Item{{Target: &syncml.Location{LocURI: tc.uri}}}}})
			want := tc.exact
			if fold {
				want = tc.fold
			}
			if got != want || sent != tc.uri {
				t.Errorf("FoldCase %v: %s went to %q as %s, want %q", fold, tc.uri, got, sent, want)
			}
		}
	}
}

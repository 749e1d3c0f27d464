package session

import (
	"context"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Run hands every Exchange to ClientConfig.OnExchange, so that what
// answers none of the device's commands (a second Status for its
// Replace, a Status for a CmdRef it never used) is seen, not dropped:
// Run's Outcomes hold only the device's commands.
func TestClientRunOnExchangeUnmatched(t *testing.T) {
	srv := answersForNothing(t)
	defer srv.Close()
	var exchanges int
	var unmatched []string
	c := brk2Device(t, ClientConfig{OnExchange: func(_ context.Context, x *Exchange) {
		exchanges++
		for _, u := range x.Unmatched {
			if st, ok := u.(*syncml.Status); ok {
				unmatched = append(unmatched, st.CmdRef+":"+st.Data.Value)
			}
		}
	}})
	out, err := c.Run(context.Background(), srv.Client(), srv.URL, "1")
	if err != nil {
		t.Fatal(err)
	}
	if exchanges == 0 {
		t.Fatal("OnExchange never called")
	}
	want := map[string]bool{"2:500": true, "99:200": true}
	for _, u := range unmatched {
		delete(want, u)
	}
	if len(want) > 0 {
		t.Errorf("OnExchange's Unmatched %v lack %v", unmatched, want)
	}
	for _, o := range out {
		if o.Status != nil && o.Status.CmdRef == "99" {
			t.Errorf("an Outcome for CmdRef 99: %+v", o)
		}
	}
}

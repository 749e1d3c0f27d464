package session

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// Results a Handler gives with an Item larger than a state keeps
// (Config.MaxObjectSize, or DefaultMaxObjectSize when larger) are not
// sent: the Get fails (500), an Outcome holds the Results with a
// *LimitError of MaxObjectSize, and the state saved loads again. Before,
// the Results went into the state (as the rest of the package, under a
// small MaxMsgSize), and a fivefold-escaping 5 MiB one made a state that
// did not load (ErrStoredState: the device's next message got 500).
// Under a MaxObjectSize that admits it, the same Results go out.
func TestHandlerResultsBound(t *testing.T) {
	get := `<Get><CmdID>2</CmdID><Item><Target><LocURI>./X</LocURI></Target></Item></Get>`
	first := strings.Replace(string(devMsg("1", "1", alert1201+get)), "</Source>",
		`</Source><Meta><MaxMsgSize xmlns="syncml:metinf">65536</MaxMsgSize></Meta>`, 1)
	value := strings.Repeat("&", 5<<20)
	for _, tt := range []struct {
		name    string
		maxObj  int
		refused bool
	}{
		{"default", 0, true},
		{"MaxObjectSize 8 MiB", 8 << 20, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &Config{MaxObjectSize: tt.maxObj, Handler: HandlerFunc(func(_ context.Context, r *Request) Response {
				return Response{Results: []syncml.Item{{Source: &syncml.Location{LocURI: "./X"}, Data: syncml.Text(value)}}}
			})}
			s := NewSession(cfg)
			x := handle(t, s, []byte(first))
			var getCode syncml.StatusCode
			for _, c := range x.Reply.Body.Commands {
				if st, ok := c.(*syncml.Status); ok && st.Cmd == "Get" {
					getCode, _ = st.Code()
				}
			}
			var le *LimitError
			switch {
			case tt.refused:
				if len(x.Outcomes) != 1 || !errors.As(x.Outcomes[0].Err, &le) || le.Limit != "MaxObjectSize" ||
					le.Count != 5<<20 || le.Max != DefaultMaxObjectSize {
					t.Errorf("Outcomes %+v, want one with a LimitError of MaxObjectSize", x.Outcomes)
				} else if r, ok := x.Outcomes[0].Command.(*syncml.Results); !ok || r.CmdRef != "2" || r.MsgRef != "1" {
					t.Errorf("Outcome command %#v, want the Results for Get 2", x.Outcomes[0].Command)
				}
				if getCode != syncml.StatusCommandFailed {
					t.Errorf("Get answered %d, want 500", getCode)
				}
			default:
				if len(x.Outcomes) != 0 || getCode != syncml.StatusOK {
					t.Errorf("Outcomes %+v, Get answered %d; want none and 200", x.Outcomes, getCode)
				}
			}
			b, err := s.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if err := NewSession(cfg).UnmarshalBinary(b); err != nil {
				t.Errorf("the state saved (%d bytes) does not load: %v", len(b), err)
			}
		})
	}
}

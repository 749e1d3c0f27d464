package reconcile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig/reconcile"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// wire drives a server Session whose BeforeReply runs a Reconciler with
// device messages written by hand: each body may name the server's
// commands of its last reply by "{Cmd target-suffix}" (their CmdID).
type wire struct {
	t     *testing.T
	rec   *reconcile.Reconciler
	ev    *recorder
	ss    *session.Session
	sess  string
	msg   int
	reply *syncml.Message
	errs  []error
}

func newWire(t *testing.T, cfg reconcile.Config) *wire {
	w := &wire{t: t, ev: &recorder{}, sess: "1"}
	cfg.OnEvent = w.ev.on
	w.rec = reconcile.New(cfg)
	w.ss = session.NewSession(&session.Config{Handler: session.Accept,
		BeforeReply: func(ctx context.Context, ss *session.Session, m *syncml.Message, x *session.Exchange) {
			if _, err := w.rec.Reconcile(ctx, ss, m, x); err != nil {
				w.errs = append(w.errs, err)
			}
		}})
	return w
}

// cmdID returns the CmdID of the command of the last reply named
// "Cmd suffix" (the target's end).
func (w *wire) cmdID(name string) string {
	cmd, suffix, _ := strings.Cut(name, " ")
	if w.reply != nil {
		for _, c := range w.reply.Body.Commands {
			if c.ElementName() != cmd {
				continue
			}
			if ts := syncml.Targets(c); len(ts) > 0 && strings.HasSuffix(ts[0], suffix) {
				return c.ID()
			}
		}
	}
	w.t.Fatalf("no %s in the last reply", name)
	return ""
}

// send sends a message of body; "{Cmd suffix}" in body is replaced by
// that command's CmdID, "{msg}" by the MsgID of the last reply.
func (w *wire) send(body string) *session.Exchange {
	w.t.Helper()
	for {
		i := strings.Index(body, "{")
		if i < 0 {
			break
		}
		j := strings.Index(body[i:], "}")
		name := body[i+1 : i+j]
		v := ""
		if name == "msg" {
			v = w.reply.Header.MsgID
		} else {
			v = w.cmdID(name)
		}
		body = body[:i] + v + body[i+j+1:]
	}
	w.msg++
	text := `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>` +
		`<SessionID>` + w.sess + `</SessionID><MsgID>` + fmt.Sprint(w.msg) + `</MsgID><Target><LocURI>https://mdm.example</LocURI></Target>` +
		`<Source><LocURI>` + dev1 + `</LocURI></Source></SyncHdr><SyncBody>` + body + `<Final/></SyncBody></SyncML>`
	var m syncml.Message
	if err := syncml.Unmarshal([]byte(text), &m); err != nil {
		w.t.Fatalf("%v\n%s", err, text)
	}
	x, err := w.ss.Handle(context.Background(), &session.Inbound{Raw: []byte(text), Message: &m})
	if err != nil {
		w.t.Fatalf("Handle: %v", err)
	}
	w.reply = x.Reply
	return x
}

func sumAlert(cmdID, entries string) string {
	return `<Alert><CmdID>` + cmdID + `</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft.mdm.declaredconfigurationdocuments</Type></Meta><Data>` +
		strings.NewReplacer("<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(`<DeclaredConfigurations schema="1.0">`+entries+`</DeclaredConfigurations>`) +
		`</Data></Item></Alert>`
}

func entry(id, checksum, rc, state string) string {
	return `<DeclaredConfiguration context="Device" id="` + id + `" checksum="` + checksum + `" result_checksum="` + rc + `" state="` + state + `"/>`
}

func startAlert(cmdID string) string {
	return `<Alert><CmdID>` + cmdID + `</CmdID><Data>1201</Data></Alert>`
}

func result(id, checksum, rc, state string) string {
	return `<DeclaredConfigurationResult context="Device" schema="1.0" id="` + id +
		`" osdefinedscenario="MSFTVPN" checksum="` + checksum + `" result_checksum="` + rc + `" operation="Set" state="` + state + `">` +
		`<CSP name="./Vendor/MSFT/VPNv2" state="` + state + `"><URI path="P/AlwaysOn" status="200" state="` + state + `" type="bool"/><URI path="P/NativeProfile/Servers" status="200" state="` + state + `" type="chr"/></CSP>` +
		`</DeclaredConfigurationResult>`
}

func esc(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", `"`, "&quot;", "&", "&amp;").Replace(s)
}

func getAnswer(status, resData string) func(w *wire) string {
	return func(w *wire) string {
		s := `<Status><CmdID>1</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Add /Document}</CmdRef><Cmd>Add</Cmd><Data>200</Data></Status>` +
			`<Status><CmdID>2</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Cmd>Get</Cmd><Data>` + status + `</Data></Status>`
		if resData != "" {
			s += `<Results><CmdID>3</CmdID><MsgRef>{msg}</MsgRef><CmdRef>{Get /Document}</CmdRef><Item><Source><LocURI>./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Results/` + ids[0] + `/Document</LocURI></Source><Data>` + esc(resData) + `</Data></Item></Results>`
		}
		return s
	}
}

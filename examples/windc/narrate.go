package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// narrator prints the story. The server's handlers and the device run in
// different goroutines, so writes are serialised.
type narrator struct {
	mu      sync.Mutex
	w       io.Writer
	verbose bool // also print every message in full, indented
	err     error
}

func (n *narrator) printf(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := fmt.Fprintf(n.w, format, args...); err != nil && n.err == nil {
		n.err = err
	}
}

// step prints a numbered heading.
func (n *narrator) step(format string, args ...any) {
	n.printf("\n== "+format+"\n", args...)
}

// message prints a message that crossed the wire, one line per command.
func (n *narrator) message(arrow string, m *syncml.Message, size int) {
	var b strings.Builder
	fmt.Fprintf(&b, "    %s  SessionID %s  MsgID %s  (%d bytes)\n", arrow, m.Header.SessionID, m.Header.MsgID, size)
	for _, c := range m.Body.Commands {
		for _, line := range describe(c) {
			b.WriteString("      " + line + "\n")
		}
	}
	if m.Body.Final {
		b.WriteString("      Final\n")
	}
	if n.verbose {
		if x, err := syncml.MarshalIndent(m, "      ", "  "); err == nil {
			b.WriteString(string(x) + "\n")
		}
	}
	n.printf("%s", b.String())
}

// describe renders a command compactly: one line, or one per item when a
// command carries several.
func describe(c syncml.Command) []string {
	head := fmt.Sprintf("%-8s %-3s", c.ElementName(), c.ID())
	switch c := c.(type) {
	case *syncml.Status:
		code := "?"
		if sc, err := c.Code(); err == nil {
			code = sc.String()
		}
		if c.Data != nil && c.Data.OriginalError != "" {
			code += " (msft:originalerror " + c.Data.OriginalError + ")"
		}
		return []string{fmt.Sprintf("%s ↩ Msg %s Cmd %s %-8s %s", head, c.MsgRef, c.CmdRef, c.Cmd, code)}
	case *syncml.Alert:
		code := "?"
		if ac, err := c.Code(); err == nil {
			code = ac.String()
		}
		line := head + " " + code
		for _, it := range c.Items {
			if it.Meta != nil && it.Meta.Type != "" {
				line += "  [" + it.Meta.Type + "]"
			}
			line += dataText(it.Data)
		}
		return []string{line}
	case *syncml.Results:
		return itemLines(fmt.Sprintf("%s ↩ Msg %s Cmd %s", head, c.MsgRef, c.CmdRef), c.Items)
	}
	return itemLines(head, c.ItemList())
}

func itemLines(head string, items []syncml.Item) []string {
	var out []string
	for i, it := range items {
		uri := ""
		switch {
		case it.Target != nil:
			uri = it.Target.LocURI
		case it.Source != nil:
			uri = it.Source.LocURI
		}
		line := head + " " + uri + dataText(it.Data)
		if i > 0 {
			line = strings.Repeat(" ", len([]rune(head))) + " " + uri + dataText(it.Data)
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		out = append(out, head)
	}
	return out
}

// maxShown is how many characters of a Data value the narrative shows.
const maxShown = 90

func dataText(d *syncml.Data) string {
	if d == nil {
		return ""
	}
	v := strings.Join(strings.Fields(d.Value), " ")
	if r := []rune(v); len(r) > maxShown {
		v = string(r[:maxShown]) + "…"
	}
	kind := ""
	if d.Kind != syncml.DataText {
		kind = "(" + d.Kind.String() + ") "
	}
	return " = " + kind + v
}

// wire is the device's HTTP transport: it prints every SyncML message
// that crosses it, both ways, and checks each with Message.Validate. With
// trace set it also writes each message's bytes to that directory, as
// NNN-<from>-to-<to>-s<SessionID>-m<MsgID>.xml, NNN counting from 001,
// and each MS-MDE2 message as NNN-<from>-to-<to>-<message type>.xml.
//
// The WinDC account's messages go through winDC (set by with), which
// presents the device's enrollment certificate; everything else through
// next. MS-MDE2's SOAP requests are shown as one line each.
type wire struct {
	log   *narrator
	next  http.RoundTripper
	winDC http.RoundTripper
	trace string
	n     int
}

// with makes winDC carry the WinDC account's messages and returns t.
func (t *wire) with(winDC http.RoundTripper) *wire {
	t.winDC = winDC
	return t
}

func (t *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	kind := "primary"
	if req.URL.Path == pathWinDC {
		kind = "WinDC"
		if t.winDC != nil {
			next = t.winDC
		}
	}
	ct := req.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/soap+xml") {
		return t.soap(next, req)
	}
	if !session.AcceptsContentType(ct) || req.Body == nil {
		return next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	if err := t.show("device → "+kind+" server", "device-to-"+kind, body); err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := next.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, session.DefaultMaxBytes))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if err := t.show(kind+" server → device", kind+"-to-device", raw); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp, nil
}

// soap sends an MS-MDE2 request and prints one line for it and one for
// its answer: the message each carries (read with mde2.ReadMessage) and
// its size.
func (t *wire) soap(next http.RoundTripper, req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	name := soapName(body)
	t.log.printf("  device → enrollment service\n    SOAP  POST %s  %s  (%d bytes)\n", req.URL.Path, name, len(body))
	if err := t.write("device-to-enrollment-"+name, body); err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, mde2.DefaultMaxBytes))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	name = soapName(raw)
	t.log.printf("  enrollment service → device\n    SOAP  %s  %s  (%d bytes)\n", resp.Status, name, len(raw))
	if err := t.write("enrollment-to-device-"+name, raw); err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp, nil
}

// write writes one message to the trace directory, when there is one, as
// NNN-name.xml.
func (t *wire) write(name string, raw []byte) error {
	if t.trace == "" {
		return nil
	}
	t.n++
	return os.WriteFile(filepath.Join(t.trace, fmt.Sprintf("%03d-%s.xml", t.n, safeName(name))), raw, 0o644)
}

// soapName names the MS-MDE2 message in a SOAP envelope.
func soapName(raw []byte) string {
	m, err := mde2.ReadMessage(raw, mde2.Limits{})
	if err != nil {
		return "(not an MS-MDE2 message: " + err.Error() + ")"
	}
	name := fmt.Sprintf("%T", m)
	return name[strings.LastIndex(name, ".")+1:]
}

// safeName keeps letters, digits and '-' of a name for a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// CloseIdleConnections closes the idle connections of the transport below.
func (t *wire) CloseIdleConnections() {
	for _, rt := range []http.RoundTripper{t.next, t.winDC} {
		if c, ok := rt.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
}

// show prints one message, writes it to the trace directory and checks it.
func (t *wire) show(heading, name string, raw []byte) error {
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s: %w", heading, err)
	}
	if err := t.write(fmt.Sprintf("%s-s%s-m%s", name, safeName(m.Header.SessionID), safeName(m.Header.MsgID)), raw); err != nil {
		return err
	}
	t.log.printf("  %s\n", heading)
	t.log.message("SyncML", &m, len(raw))
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%s: message %s breaks protocol rules: %w", heading, m.Header.MsgID, err)
	}
	return nil
}

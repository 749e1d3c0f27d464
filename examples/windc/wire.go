package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/windc-go/windc/syncml"
)

// contentType is the media type of SyncML DM messages in XML.
const contentType = "application/vnd.syncml.dm+xml"

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

// counter hands out MsgIDs and CmdIDs: decimal, from 1.
type counter struct{ n int }

func (c *counter) next() string { c.n++; return strconv.Itoa(c.n) }

// number sets the CmdID of a command built without one (builders leave it
// empty) and returns it.
func number(c syncml.Command, id string) syncml.Command {
	c.SetID(id)
	return c
}

// status builds the Status that answers command cmd (CmdRef "0" and Cmd
// "SyncHdr" for the header) of message msgRef.
func status(msgRef, cmdRef, cmd string, code syncml.StatusCode) *syncml.Status {
	return &syncml.Status{MsgRef: msgRef, CmdRef: cmdRef, Cmd: cmd, Data: code.Data()}
}

// post sends m to url and returns the decoded, validated reply and its
// size. The request body is written with syncml.Marshal, the reply read
// with syncml.Unmarshal.
func post(c *http.Client, url string, m *syncml.Message) (*syncml.Message, int, error) {
	if err := m.Validate(); err != nil {
		return nil, 0, fmt.Errorf("device message %s is invalid: %w", m.Header.MsgID, err)
	}
	body, err := syncml.Marshal(m)
	if err != nil {
		return nil, 0, err
	}
	resp, err := c.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, syncml.DefaultMaxBytes+1))
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("POST %s: %s: %s", url, resp.Status, bytes.TrimSpace(raw))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, contentType) {
		return nil, 0, fmt.Errorf("POST %s: reply has Content-Type %q", url, ct)
	}
	var reply syncml.Message
	if err := syncml.Unmarshal(raw, &reply); err != nil {
		return nil, 0, err
	}
	if err := reply.Validate(); err != nil {
		return nil, 0, fmt.Errorf("server message %s is invalid: %w", reply.Header.MsgID, err)
	}
	return &reply, len(raw), nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// decode reads a whole message with the streaming decoder.
func decode(r io.Reader) (*syncml.Message, error) {
	m := new(syncml.Message)
	if err := syncml.NewDecoder(r).Decode(m); err != nil {
		return nil, err
	}
	return m, nil
}

// encode writes m with the streaming encoder.
func encode(w io.Writer, m *syncml.Message) error {
	return syncml.NewEncoder(w).Encode(m)
}

// findResults returns the Results that answers command cmdRef of msgRef
// (a Results without MsgRef answers message 1).
func findResults(m *syncml.Message, msgRef, cmdRef string) *syncml.Results {
	for _, c := range m.Body.Commands {
		r, ok := c.(*syncml.Results)
		if !ok {
			continue
		}
		ref := r.MsgRef
		if ref == "" {
			ref = "1"
		}
		if r.CmdRef == cmdRef && ref == msgRef {
			return r
		}
	}
	return nil
}

// findStatus returns the Status that answers command cmdRef of msgRef.
func findStatus(m *syncml.Message, msgRef, cmdRef string) *syncml.Status {
	for _, c := range m.Body.Commands {
		if s, ok := c.(*syncml.Status); ok && s.CmdRef == cmdRef && s.MsgRef == msgRef {
			return s
		}
	}
	return nil
}

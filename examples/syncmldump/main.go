// Command syncmldump prints the commands of a SyncML message as an indented
// tree, or with -canonical writes the message's canonical XML.
//
//	go run ./examples/syncmldump [-canonical] [file]
//
// Without a file it reads sample.xml beside this program (or stdin with
// "-"); more than one file is refused (exit 2). It streams the message with syncml.NewDecoder, so it also shows the
// byte span of each command in the input. With -canonical it writes
// nothing unless the whole message reads.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"unicode"

	"github.com/windc-go/windc/internal/utf8cut"
	"github.com/windc-go/windc/syncml"
)

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

// cli parses args and runs; it returns the exit code: 0, 1 when the
// message does not read, 2 for bad arguments (more than one file: only
// one message is read, so a second file would be left out unsaid).
func cli(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("syncmldump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	canonical := fs.Bool("canonical", false, "write the canonical XML instead of the tree")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "syncmldump: %d files given: want one (or - for stdin, or none for sample.xml)\n", fs.NArg())
		return 2
	}
	if err := run(fs.Arg(0), *canonical, stdout); err != nil {
		fmt.Fprintln(stderr, "syncmldump:", err)
		return 1
	}
	return 0
}

func run(name string, canonical bool, out io.Writer) error {
	var in io.Reader
	switch name {
	case "-":
		in = os.Stdin
	case "":
		_, here, _, _ := runtime.Caller(0)
		name = filepath.Join(filepath.Dir(here), "sample.xml")
		fallthrough
	default:
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	d := syncml.NewDecoder(in)
	h, err := d.Header()
	if err != nil {
		return err
	}
	var enc *syncml.Encoder
	// the canonical XML is held until the whole message has been read:
	// a message that turns out malformed writes none of it, rather than
	// a well-formed-looking start of it
	var canon bytes.Buffer
	if canonical {
		enc = syncml.NewEncoder(&canon)
		if d.NoHeader() {
			h = nil // the input has no SyncHdr: write none
		}
		if err := enc.EncodeHeader(d.Namespace(), h); err != nil {
			return err
		}
	} else if d.NoHeader() {
		fmt.Fprintf(w, "SyncML %s without SyncHdr\n", orNone(d.Namespace()))
	} else {
		fmt.Fprintf(w, "SyncML %s (VerDTD %s, %s) session %s message %s\n", orNone(d.Namespace()), show(h.VerDTD), show(h.VerProto), show(h.SessionID), show(h.MsgID))
		fmt.Fprintf(w, "  from %s\n  to   %s\n", show(h.Source.LocURI), show(h.Target.LocURI))
	}
	for {
		c, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if canonical {
			if err := enc.EncodeCommand(c); err != nil {
				return err
			}
			continue
		}
		start, end := d.InputSpan()
		fmt.Fprintf(w, "  [bytes %d-%d]\n", start, end)
		dump(w, c, 2)
	}
	if canonical {
		if err := enc.EncodeEnd(d.Final()); err != nil {
			return err
		}
		canon.WriteByte('\n')
		_, err := canon.WriteTo(w)
		return err
	}
	fmt.Fprintf(w, "  Final: %v\n", d.Final())
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(no namespace)"
	}
	return show(s)
}

// show returns a value read from the message for a line of the tree: as
// it is when it has only printable characters and spaces, else in Go
// quotes, so that a peer's value cannot end the line (and forge the lines
// after it) or send control characters to the terminal. An empty value
// is shown as "", so that it is seen rather than a gap, and a value that
// begins with a quote is quoted, so that none passes for a quoted one.
func show(s string) string {
	if s == "" || s[0] == '"' {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if r != ' ' && !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// dump prints one command and its parts, indented by depth.
func dump(w io.Writer, c syncml.Command, depth int) {
	ind := strings.Repeat("  ", depth)
	line := func(format string, args ...any) { fmt.Fprintf(w, ind+"  "+format+"\n", args...) }
	fmt.Fprintf(w, "%s%s", ind, c.ElementName())
	if id := c.ID(); id != "" {
		fmt.Fprintf(w, " CmdID=%s", show(id))
	}
	fmt.Fprintln(w)
	var items []syncml.Item
	var meta *syncml.Meta
	switch c := c.(type) {
	case *syncml.Add:
		items, meta = c.Items, c.Meta
	case *syncml.Copy:
		items, meta = c.Items, c.Meta
	case *syncml.Delete:
		items, meta = c.Items, c.Meta
	case *syncml.Exec:
		items, meta = c.Items, c.Meta
	case *syncml.Get:
		items, meta = c.Items, c.Meta
	case *syncml.Replace:
		items, meta = c.Items, c.Meta
	case *syncml.Alert:
		if code, err := c.Code(); err == nil {
			line("Alert %v", code)
		}
		items = c.Items
	case *syncml.Atomic:
		for _, sub := range c.Commands {
			dump(w, sub, depth+1)
		}
	case *syncml.Sequence:
		for _, sub := range c.Commands {
			dump(w, sub, depth+1)
		}
	case *syncml.Results:
		line("answers %s in message %s", show(c.CmdRef), show(c.MsgRef))
		items, meta = c.Items, c.Meta
	case *syncml.Status:
		code, _ := c.Code()
		line("%s %s of message %s: %v", show(c.Cmd), show(c.CmdRef), show(c.MsgRef), code)
		if c.Data != nil && c.Data.OriginalError != "" {
			line("original error %s", show(c.Data.OriginalError))
		}
		items = c.Items
	case *syncml.Unknown:
		line("unknown element kept as %d bytes", len(c.Raw))
	}
	if meta != nil {
		dumpMeta(line, meta)
	}
	for i, it := range items {
		line("Item %d", i+1)
		sub := func(format string, args ...any) { line("  "+format, args...) }
		if it.Target != nil {
			sub("Target %s", show(it.Target.LocURI))
		}
		if it.Source != nil {
			sub("Source %s", show(it.Source.LocURI))
		}
		if it.Meta != nil {
			dumpMeta(sub, it.Meta)
		}
		if it.Data != nil {
			sub("Data (%v) %q", it.Data.Kind, clip(it.Data.Value))
		}
		if it.MoreData {
			sub("MoreData")
		}
	}
}

func dumpMeta(line func(string, ...any), m *syncml.Meta) {
	if m.Format != "" {
		line("Format %s", show(m.Format))
	}
	if m.Type != "" {
		line("Type %s", show(m.Type))
	}
	if m.Size != "" {
		line("Size %s", show(m.Size))
	}
}

// clip cuts s to 72 bytes at most, at a character's start.
func clip(s string) string {
	if len(s) > 72 {
		return utf8cut.Prefix(s, 72) + "…"
	}
	return s
}

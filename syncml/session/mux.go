package session

import (
	"context"
	"errors"

	"github.com/windc-go/windc/internal/nodename"
	"github.com/windc-go/windc/syncml"
)

// A Mux routes received commands to handlers by command name and by CSP
// subtree (the LocURI prefix of an item's Target, or of its Source when it
// has no Target). The most specific route wins: a subtree route over a
// command route, a longer prefix over a shorter one, a route for the
// command's name over one for any command. A command whose items fall in
// different routes is split: each handler gets the command with its own
// items, and the answers are joined in item order (per-item codes,
// Results, Undo of each). A command no route takes is answered NotFound,
// or 404 when NotFound is nil.
//
// Routes are added before the Mux is used; ServeCommand is then safe for
// concurrent use.
//
// A subtree route matches node names as written, letter case included,
// unless FoldCase is set. OMA DM lets URIs be case sensitive and a DDF
// says otherwise per node (CaseSense CIS, which covers the node and its
// descendants; ddf.Node.CaseSensitive); Microsoft's DDFs mark only some
// leaves CIS (DMClient's), not the CSP roots and interior nodes that
// routes name, while its documentation calls its OMA DM case insensitive
// (the CertificateStore CSP page). So exact matching stays the default:
// it routes no command where the DDF does not say it may go, and two
// routes that differ in case only stay apart. A device that answers as
// Windows does, whatever the case a server writes, sets FoldCase. Either
// way the handler gets the item as sent: the case of the node names a
// command creates is kept, as OMA DM requires.
type Mux struct {
	// NotFound answers what no route takes; nil answers 404.
	NotFound Handler
	// FoldCase, when set, lets a subtree route take an item whose node
	// names differ from its prefix in letter case only, as Windows
	// compares names ignoring case (each UTF-16 code unit's simple
	// uppercase: the Kelvin sign is not k, nor ſ s, nor ı i), segment by
	// segment, the folding syncml/ddf's CaseSense CIS uses, not
	// strings.EqualFold's: a route for ./Vendor/MSFT/DMClient takes
	// ./vendor/msft/dmclient/Provider. Set
	// it before the Mux is used. Routes whose prefixes differ in case only
	// then compete as equals: the one added first wins.
	FoldCase bool
	routes   []muxRoute
}

type muxRoute struct {
	cmd    string // element name, "" for any
	prefix *syncml.LocURI
	h      Handler
}

// NewMux returns an empty Mux.
func NewMux() *Mux { return &Mux{} }

// Handle routes the commands named cmd ("Get", "Replace"…; "" for any
// command) to h, whatever their items.
func (m *Mux) Handle(cmd string, h Handler) {
	m.routes = append(m.routes, muxRoute{cmd: cmd, h: h})
}

// HandleSubtree routes the items of commands named cmd ("" for any) under
// the node prefix (such as "./Vendor/MSFT/DMClient", parsed with
// syncml.ParseLocURI; ./Device/… and ./… are the same subtree) to h.
func (m *Mux) HandleSubtree(cmd, prefix string, h Handler) error {
	u, err := syncml.ParseLocURI(prefix)
	if err != nil {
		return errorf("HandleSubtree: %w", err)
	}
	m.routes = append(m.routes, muxRoute{cmd: cmd, prefix: &u, h: h})
	return nil
}

// route returns the best handler for a command named cmd with an item at
// uri ("" for none).
func (m *Mux) route(cmd, uri string) Handler {
	return m.handler(m.find(cmd, uri))
}

// handler returns the handler of route i (-1: not found).
func (m *Mux) handler(i int) Handler {
	if i >= 0 {
		return m.routes[i].h
	}
	if m.NotFound != nil {
		return m.NotFound
	}
	return HandlerFunc(func(context.Context, *Request) Response { return Response{Code: syncml.StatusNotFound} })
}

// find returns the index of the best route, -1 for none.
func (m *Mux) find(cmd, uri string) int {
	var u *syncml.LocURI
	if uri != "" {
		if p, err := syncml.ParseLocURI(uri); err == nil {
			u = &p
		}
	}
	best, bestScore := -1, -1
	for i, r := range m.routes {
		if r.cmd != "" && r.cmd != cmd {
			continue
		}
		score := 0
		if r.prefix != nil {
			if u == nil || !m.hasPrefix(*u, *r.prefix) {
				continue
			}
			score = 2 + 2*len(r.prefix.Segments)
		}
		if r.cmd != "" {
			score++
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// hasPrefix reports whether u is p or lies below it: as written, or
// in any letter case with FoldCase.
func (m *Mux) hasPrefix(u, p syncml.LocURI) bool {
	if !m.FoldCase {
		return u.HasPrefix(p)
	}
	if len(p.Segments) > len(u.Segments) || !(syncml.LocURI{Scope: u.Scope}).Equal(syncml.LocURI{Scope: p.Scope}) {
		return false
	}
	for i, seg := range p.Segments {
		if !nodename.EqualFold(seg, u.Segments[i]) {
			return false
		}
	}
	return true
}

func itemURI(it syncml.Item) string {
	if it.Target != nil && it.Target.LocURI != "" {
		return it.Target.LocURI
	}
	if it.Source != nil {
		return it.Source.LocURI
	}
	return ""
}

// ServeCommand implements Handler.
func (m *Mux) ServeCommand(ctx context.Context, r *Request) Response {
	c := r.Command
	items := c.ItemList()
	if len(items) == 0 {
		return m.route(c.ElementName(), "").ServeCommand(ctx, r)
	}
	idx := make([]int, len(items))
	same := true
	for i, it := range items {
		idx[i] = m.find(c.ElementName(), itemURI(it))
		if idx[i] != idx[0] {
			same = false
		}
	}
	if same {
		return m.handler(idx[0]).ServeCommand(ctx, r)
	}
	// Split: one call per item, answers joined in item order.
	var out Response
	var undos []func(context.Context) error
	out.ItemCodes = make([]syncml.StatusCode, len(items))
	for i, it := range items {
		sub := *r
		sub.Command = withItems(c, []syncml.Item{it})
		resp := m.handler(idx[i]).ServeCommand(ctx, &sub)
		out.ItemCodes[i] = resp.code(0)
		out.Results = append(out.Results, resp.Results...)
		if out.OriginalError == "" {
			out.OriginalError = resp.OriginalError
		}
		if resp.Undo != nil {
			undos = append(undos, resp.Undo)
		}
	}
	if len(undos) > 0 {
		out.Undo = func(ctx context.Context) error {
			var errs []error
			for i := len(undos) - 1; i >= 0; i-- {
				errs = append(errs, undos[i](ctx))
			}
			return errors.Join(errs...)
		}
	}
	return out
}

// withItems returns a shallow copy of c holding items.
func withItems(c syncml.Command, items []syncml.Item) syncml.Command {
	switch c := c.(type) {
	case *syncml.Add:
		x := *c
		x.Items = items
		return &x
	case *syncml.Alert:
		x := *c
		x.Items = items
		return &x
	case *syncml.Copy:
		x := *c
		x.Items = items
		return &x
	case *syncml.Delete:
		x := *c
		x.Items = items
		return &x
	case *syncml.Exec:
		x := *c
		x.Items = items
		return &x
	case *syncml.Get:
		x := *c
		x.Items = items
		return &x
	case *syncml.Replace:
		x := *c
		x.Items = items
		return &x
	case *syncml.Results:
		x := *c
		x.Items = items
		return &x
	}
	return c
}

package dmclient

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/windc-go/windc/syncml"
)

// The builders below return commands with an empty CmdID, for the caller
// or session to number. Each addresses one node with one Item.

// Validate reports a ProviderID that cannot be a node name: empty, "."
// or "..", not valid UTF-8, or holding a "/" or a control character. The
// error wraps ErrProviderID and says why. Builders do not check (an empty
// ProviderID gives URIs such as ".../Provider//LinkedEnrollment/Enroll");
// call Validate on IDs that come from outside.
func (l LinkedEnrollment) Validate() error {
	if l.ProviderID == "" {
		return fmt.Errorf("%w \"\": empty node name", ErrProviderID)
	}
	if _, err := syncml.ParseLocURI(string(l.URI())); err != nil {
		return fmt.Errorf("%w %q: %w", ErrProviderID, l.ProviderID, err)
	}
	return nil
}

// ReplaceDiscoveryEndpoint sets DiscoveryEndpoint to url with Replace, the
// first step of the enrollment flow. The value is chr, the OMA-DM default,
// so no Meta is sent, as in Microsoft's example.
func (l LinkedEnrollment) ReplaceDiscoveryEndpoint(url string) syncml.Command {
	n := new(valued[syncml.Replace])
	n.cmd.Items = n.value(l.DiscoveryEndpoint(), url)
	return &n.cmd
}

// AddDiscoveryEndpoint sets DiscoveryEndpoint to url with Add.
func (l LinkedEnrollment) AddDiscoveryEndpoint(url string) syncml.Command {
	n := new(valued[syncml.Add])
	n.cmd.Items = n.value(l.DiscoveryEndpoint(), url)
	return &n.cmd
}

// DeleteDiscoveryEndpoint clears DiscoveryEndpoint.
func (l LinkedEnrollment) DeleteDiscoveryEndpoint() syncml.Command {
	n := new(node[syncml.Delete])
	n.cmd.Items = n.target(l.DiscoveryEndpoint())
	return &n.cmd
}

// ExecEnroll starts the linked enrollment. DiscoveryEndpoint must be set
// first, else the device answers with ErrorFileNotFound.
func (l LinkedEnrollment) ExecEnroll() syncml.Command {
	n := new(node[syncml.Exec])
	n.cmd.Items = n.target(l.Enroll())
	return &n.cmd
}

// ExecUnenroll ends the linked enrollment; the device rolls back what
// declared configuration set.
func (l LinkedEnrollment) ExecUnenroll() syncml.Command {
	n := new(node[syncml.Exec])
	n.cmd.Items = n.target(l.Unenroll())
	return &n.cmd
}

// Start returns the commands that start the linked enrollment, in order:
// ReplaceDiscoveryEndpoint(url), ExecEnroll, GetEnrollStatus and
// GetLastError (whose Results l.ReadEnrollStatus and l.ReadLastError read).
// The four and the slice are made in one allocation, for a server that
// sends them to every device it enrolls; their node URIs are built once
// for the ProviderID of the last call and shared (strings do not change).
// A call for another ProviderID builds them in one allocation more.
func (l LinkedEnrollment) Start(url string) []syncml.Command {
	var p *startCmds
	sn := startNodes.Load()
	if sn == nil || sn.provider != l.ProviderID {
		// the URIs kept for the calls to come, allocated with this
		// call's commands
		q := new(struct {
			u startURIs
			c startCmds
		})
		q.u = newStartURIs(l.ProviderID)
		sn, p = &q.u, &q.c
		startNodes.Store(sn)
	} else {
		p = new(startCmds)
	}
	all, baseLen := sn.all, sn.baseLen
	uri := func(from int, node string) (URI, int) {
		end := from + baseLen + len(node)
		return URI(all[from:end]), end
	}
	ud, at := uri(0, startDiscovery)
	ue, at := uri(at, startEnroll)
	us, at := uri(at, startStatus)
	ul, _ := uri(at, startLastError)
	p.r.cmd.Items = p.r.value(ud, url)
	p.e.cmd.Items = p.e.target(ue)
	p.s.cmd.Items = p.s.target(us)
	p.l.cmd.Items = p.l.target(ul)
	p.cmds = [4]syncml.Command{&p.r.cmd, &p.e.cmd, &p.s.cmd, &p.l.cmd}
	return p.cmds[:]
}

// The nodes of Start, in order, under l.URI().
const (
	startDiscovery = "/DiscoveryEndpoint"
	startEnroll    = "/Enroll"
	startStatus    = "/EnrollStatus"
	startLastError = "/LastError"
)

// startCmds are the commands of Start and their slice, allocated
// together.
type startCmds struct {
	r    valued[syncml.Replace]
	e    node[syncml.Exec]
	s, l node[syncml.Get]
	cmds [4]syncml.Command
}

// startURIs are the node URIs of Start for one ProviderID, as parts of
// one string (all), each baseLen bytes and its node's name.
type startURIs struct {
	provider, all string
	baseLen       int
}

// newStartURIs returns the startURIs of provider: the base is l.URI()'s.
func newStartURIs(provider string) startURIs {
	seg := EscapeSegment(provider)
	baseLen := len(Root) + len("/Provider/") + len(seg) + len("/LinkedEnrollment")
	var b strings.Builder
	b.Grow(4*baseLen + len(startDiscovery+startEnroll+startStatus+startLastError))
	for _, node := range [4]string{startDiscovery, startEnroll, startStatus, startLastError} {
		b.WriteString(string(Root))
		b.WriteString("/Provider/")
		b.WriteString(seg)
		b.WriteString("/LinkedEnrollment")
		b.WriteString(node)
	}
	return startURIs{provider: provider, all: b.String(), baseLen: baseLen}
}

// startNodes holds the startURIs of the last ProviderID Start was called
// for: a server starts every device's enrollment under the same one.
var startNodes atomic.Pointer[startURIs]

// GetEnrollStatus reads EnrollStatus; l.ReadEnrollStatus reads its Results.
func (l LinkedEnrollment) GetEnrollStatus() syncml.Command { return get(l.EnrollStatus()) }

// GetLastError reads LastError; l.ReadLastError reads its Results.
func (l LinkedEnrollment) GetLastError() syncml.Command { return get(l.LastError()) }

// GetDiscoveryEndpoint reads DiscoveryEndpoint; l.ReadDiscoveryEndpoint reads its Results.
func (l LinkedEnrollment) GetDiscoveryEndpoint() syncml.Command { return get(l.DiscoveryEndpoint()) }

// GetPriority reads Priority; l.ReadPriority reads its Results.
func (l LinkedEnrollment) GetPriority() syncml.Command { return get(l.Priority()) }

func get(u URI) syncml.Command {
	n := new(node[syncml.Get])
	n.cmd.Items = n.target(u)
	return &n.cmd
}

// A node is a command of type C addressing one node with one Item,
// allocated together with that Item and its Target.
type node[C any] struct {
	cmd  C
	item [1]syncml.Item
	loc  syncml.Location
}

// valued is a node whose Item carries a Data too (allocated with it):
// only commands that set a value need the room of one.
type valued[C any] struct {
	node[C]
	data syncml.Data
}

// target returns the command's Items: one, whose Target is u.
func (n *node[C]) target(u URI) []syncml.Item {
	n.loc.LocURI = string(u)
	n.item[0].Target = &n.loc
	return n.item[:]
}

// value returns the command's Items: one, whose Target is u and Data the
// text v.
func (n *valued[C]) value(u URI, v string) []syncml.Item {
	n.data = syncml.Data{Kind: syncml.DataText, Value: v}
	n.item[0].Data = &n.data
	return n.target(u)
}

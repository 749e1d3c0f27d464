package main

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/windc-go/windc/dmclient"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
)

// linkedProvider is the DMClient provider whose LinkedEnrollment nodes
// dmserver drives: the w7 PROVIDER-ID of its primary enrollment
// (registerEnrollment's primary Account).
var linkedProvider = dmclient.LinkedEnrollment{ProviderID: "WinDC-dmserver"}

// The URIs of linkedProvider's nodes that relink and linkedNode compare
// every command's target with, made once: linkedEnroll and
// linkedEnrollStatus, and linkedPrefix, the LinkedEnrollment node's own
// URI with a trailing slash.
var (
	linkedEnroll       = string(linkedProvider.Enroll())
	linkedEnrollStatus = string(linkedProvider.EnrollStatus())
	linkedPrefix       = linkedEnrollStatus[:strings.LastIndex(linkedEnrollStatus, "/")+1]
)

// baseURL returns the scheme and host the device reached dmserver at, in
// the request a session.Server answers under ctx (session.HTTPRequest),
// followed by path; "" when ctx carries none. The devices of a dmserver
// mostly reach it at one host: the URL made last is taken again while
// the request's scheme, host and path are its own.
func baseURL(ctx context.Context, path string) string {
	r := session.HTTPRequest(ctx)
	if r == nil {
		return ""
	}
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	if u := lastBaseURL.Load(); u != nil && len(*u) == len(scheme)+len(r.Host)+len(path) &&
		strings.HasPrefix(*u, scheme) && (*u)[len(scheme):len(scheme)+len(r.Host)] == r.Host && strings.HasSuffix(*u, path) {
		return *u
	}
	u := scheme + r.Host + path
	lastBaseURL.Store(&u)
	return u
}

// lastBaseURL is the URL baseURL made last.
var lastBaseURL atomic.Pointer[string]

// linkCommands are what a device's first session on Path gets to start
// its WinDC linked enrollment (and a later one, when the device reads
// EnrollStatus 1; see relink): DiscoveryEndpoint set to dmserver's own
// PathWinDCDiscovery, Exec Enroll, then Gets of EnrollStatus and
// LastError, which logLinked logs. None when ctx carries no base URL.
func linkCommands(ctx context.Context) []syncml.Command {
	discovery := baseURL(ctx, PathWinDCDiscovery)
	if discovery == "" {
		return nil
	}
	return linkedProvider.Start(discovery)
}

// relink starts the linked enrollment again on a device that reports
// EnrollStatus 1 (not started) in a later session: a device that lost its
// WinDC enrollment, or a new device under a known ID. It is the session's
// BeforeReply, so the commands go in this session's reply. It returns
// whether the session is linked as of this exchange: the device answered
// Exec Enroll in it, or relink queued the commands. An EnrollStatus read
// in a linked session (the Exec's exchange, or a later one: marks) does
// not start it again, so that a device that stays at 1 is not asked
// forever, also when the device's MaxMsgSize spreads the commands over two
// replies and the Gets that read it back go in the second.
func relink(ctx context.Context, marks *linkMarks, s *session.Session, m *syncml.Message, x *session.Exchange) bool {
	for _, o := range x.Outcomes {
		if t, ok := firstTarget(o.Command); ok && t == linkedEnroll {
			return true
		}
	}
	for _, o := range x.Outcomes {
		if t, ok := firstTarget(o.Command); len(o.Results) == 0 || !ok || t != linkedEnrollStatus {
			continue
		}
		if es, err := linkedProvider.ReadEnrollStatus(o.Results[0]); err == nil && es == dmclient.StatusEnrollmentNotStarted {
			if marks.linked(x.Identity.Device, m.Header.SessionID) {
				return false
			}
			_ = s.Queue(linkCommands(ctx)...)
			return true
		}
	}
	return false
}

// linkMarks remembers, per device, the session (its SessionID) that is
// linked (see relink) from the exchange that linked it, once saved
// (newServer's OnExchange, from the exchange's reaskNote: a reply that
// failed sent nothing, and the device's retry links again), until the
// session ends (Exchange.Done). A device costs an entry from its answer
// to Exec Enroll to the end of that session, none otherwise.
type linkMarks struct {
	m sync.Map // device → SessionID
}

// linked reports whether session sid of device is linked.
func (lm *linkMarks) linked(device, sid string) bool {
	v, ok := lm.m.Load(device)
	return ok && v.(string) == sid
}

// note records what the saved exchange x did: its session linked
// (linked, the SessionID; "" when it did not link it), or ended.
func (lm *linkMarks) note(x *session.Exchange, linked string) {
	switch {
	case x.Done:
		lm.m.Delete(x.Identity.Device)
	case linked != "":
		// copies: the strings may share the request's memory
		lm.m.Store(strings.Clone(x.Identity.Device), strings.Clone(linked))
	}
}

// firstTarget returns the first Target LocURI among cmd's items (the
// first of syncml.Targets, without making the list), and whether there is
// one.
func firstTarget(cmd syncml.Command) (string, bool) {
	if cmd == nil {
		return "", false
	}
	for _, it := range cmd.ItemList() {
		if it.Target != nil {
			return it.Target.LocURI, true
		}
	}
	return "", false
}

// linkedNode returns the node of the linked enrollment that target, a
// command's first target, names, and whether it names one.
func linkedNode(target string) (string, bool) {
	if !strings.HasPrefix(target, linkedPrefix) {
		return "", false
	}
	return target[len(linkedPrefix):], true
}

// logLinked logs what a device answered to the linked enrollment's
// commands: the outcome of Exec Enroll (with the HRESULT of a failure) and
// the EnrollStatus and LastError read back. A command that failed is not
// logged but returned, with ok set, for warnLinked, which warns once per
// exchange.
func logLinked(ctx context.Context, log *slog.Logger, device string, o session.Outcome) (f linkedFailure, ok bool) {
	target, _ := firstTarget(o.Command)
	node, ok := linkedNode(target)
	if !ok {
		return linkedFailure{}, false
	}
	if o.Err != nil { // not sent
		return linkedFailure{node, slog.Any("err", o.Err)}, true
	}
	if o.Status == nil {
		return linkedFailure{node, slog.Bool("abandoned", o.Abandoned)}, true
	}
	if err := dmclient.ReadStatus(o.Status); err != nil {
		return linkedFailure{node, slog.Any("err", err)}, true
	}
	if len(o.Results) == 0 {
		if node == "Enroll" {
			code, _ := o.Status.Code()
			log.InfoContext(ctx, "linked enrollment", "device", device, "node", node, "status", int(code))
		}
		return linkedFailure{}, false
	}
	switch node {
	case "EnrollStatus":
		es, err := linkedProvider.ReadEnrollStatus(o.Results[0])
		if err != nil {
			return linkedFailure{node, slog.Any("err", err)}, true
		}
		log.InfoContext(ctx, "linked enrollment", "device", device, "enrollStatus", int(es), "state", es.String(), "failed", es.Failed())
	case "LastError":
		h, err := linkedProvider.ReadLastError(o.Results[0])
		if err != nil {
			return linkedFailure{node, slog.Any("err", err)}, true
		}
		log.InfoContext(ctx, "linked enrollment", "device", device, "lastError", h.String())
	}
	return linkedFailure{}, false
}

// linkedFailure is a command of the linked enrollment that failed, as
// logLinked found it: its node, and why (err, or abandoned).
type linkedFailure struct {
	node string
	why  slog.Attr
}

// warnLinked logs the linked enrollment's commands that failed in one
// exchange of device: one warning, the first failure's, naming the nodes
// of the others (alsoFailed), each of which has a record of its own at
// Debug. A device without the provider's nodes answers all four commands
// 404: one warning, not four.
func warnLinked(ctx context.Context, log *slog.Logger, device string, failed []linkedFailure) {
	if len(failed) == 0 || !log.Enabled(ctx, slog.LevelWarn) {
		return
	}
	attrs := []slog.Attr{slog.String("device", device), slog.String("node", failed[0].node), failed[0].why}
	if len(failed) > 1 {
		others := make([]string, 0, len(failed)-1)
		for _, f := range failed[1:] {
			others = append(others, f.node)
		}
		attrs = append(attrs, slog.Any("alsoFailed", others))
	}
	log.LogAttrs(ctx, slog.LevelWarn, "linked enrollment", attrs...)
	if !log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	for _, f := range failed[1:] {
		log.LogAttrs(ctx, slog.LevelDebug, "linked enrollment", slog.String("device", device), slog.String("node", f.node), f.why)
	}
}

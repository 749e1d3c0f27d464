package session

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/windc-go/windc/internal/backoff"
	"github.com/windc-go/windc/syncml"
)

// ContentType is the media type of SyncML DM messages in XML.
const ContentType = "application/vnd.syncml.dm+xml"

// Defaults of ServerConfig.
const (
	// DefaultMaxBytes bounds the body of a request (bytes on the wire).
	DefaultMaxBytes = 4 << 20
	// DefaultMaxRetries bounds the compare-and-swap attempts of one
	// exchange.
	DefaultMaxRetries = 8
	// DefaultFirstNonceWindow is the length of the time windows that a
	// device's first nonce is derived for (see AuthInput.FirstNonce).
	// Credentials computed with it are accepted until the end of the next
	// window: from 5 to 10 minutes after the challenge. A device answers
	// a challenge at once, in the same session (Windows sends its package
	// 1 again, as MsgID 2, on reading the 401), so 5 minutes leave room
	// for a slow network, HTTP retries and clocks of Servers sharing a
	// Store that differ by seconds, while credentials captured from a
	// first session are refused 10 minutes on at the latest.
	DefaultFirstNonceWindow = 5 * time.Minute
)

// ServerConfig configures a Server.
type ServerConfig struct {
	// Session configures the session of each device.
	Session Config
	// Store keeps the state of the devices; nil means a new MemoryStore.
	Store Store
	// MaxBytes bounds the request body; zero means DefaultMaxBytes. A
	// larger body is answered 413.
	MaxBytes int64
	// ReplaceUnreadableState, when set, lets a device whose stored state
	// does not read (ErrStoredState) start over: a message that starts a
	// session (Alert 1200 or 1201 at the top of its body) is handled on a
	// fresh state, bound to the owner the unreadable one names
	// (AuthInput.Owner), and that state replaces the unreadable one when
	// the reply is saved (compare-and-swap on the version loaded: a state
	// saved meanwhile is not overwritten). Each start over is logged at
	// Error with the device and the error. A state whose owner cannot be
	// read either (its fields do not read, or a later version wrote it) is
	// never replaced: a fresh state without owner would let the first user
	// accepted bind the device. The fresh state has none of what the
	// unreadable one held: queued commands, commands sent and not
	// answered, the device's nonce (it authenticates anew, challenged
	// with its first nonce) and session token; OnStart gets first set.
	// The records of an object the device was sending in chunks (see
	// Store), which the unreadable state named, are emptied once the
	// fresh state is saved.
	// False, the default, answers every message of such a device 500
	// until its state is replaced in the Store.
	ReplaceUnreadableState bool
	// MaxRetries bounds the attempts to save a device's state when
	// another server instance changed it meanwhile; zero means
	// DefaultMaxRetries. Handlers may run again on a retry.
	MaxRetries int
	// FirstNonceWindow is the length of the time windows that a device's
	// first nonce is derived for (see AuthInput.FirstNonce): a first
	// session's credentials are accepted in the window of their challenge
	// and the next, so from FirstNonceWindow to twice that after it. Zero
	// means DefaultFirstNonceWindow. Servers sharing a Store must have the
	// same, and clocks that agree to well within it.
	FirstNonceWindow time.Duration
	// Logger receives a Debug record per exchange (one HTTP request and
	// its reply), a Warn record per refused request or credential and an
	// Error record when the Store or the Authenticator fails; nil means no
	// logging. A record per session is the application's to write, in
	// Config.OnStart.
	Logger *slog.Logger
	// ObjectSegment is the size from which the data received so far of
	// an object a device sends in chunks goes from its state to a record
	// of its own in the Store (see Store): each message's state then
	// holds less than ObjectSegment of the object, and the object takes
	// up to MaxObjectSize / ObjectSegment records. Zero means
	// DefaultObjectSegment (64 KiB); a value below MinObjectSegment (4
	// KiB) or above MaxObjectSegment (4 MiB) counts as that bound.
	// Servers of this version or later sharing a Store may differ in it:
	// each segment is checked by length and hash, not by this size. A
	// build before it reads a state whose segments are under 64 KiB as
	// damaged (ErrStoredState): in a rolling upgrade, lower it only once
	// no older build serves the Store.
	ObjectSegment int
	// OnExchange, when set, is called with every exchange once the
	// device's state is saved, before the reply is written: its Outcomes
	// and Unmatched are what came back for the commands sent. It is not
	// called for replays.
	OnExchange func(ctx context.Context, x *Exchange)
}

// A Server is the http.Handler of a device management server: it answers
// each POSTed SyncML message with the reply of the device's Session,
// whose state it keeps in a Store under the device the Authenticator
// decided (Identity.Device: by default the SyncHdr Source LocURI; for a
// DeviceKeyer such as ClientCertificate, the device its key names, so a
// device cannot reach another's state by writing its LocURI).
// It is safe for many devices at once and starts no goroutine.
//
// Responses: 200 with the reply; 400 for a body that is not a SyncML
// message with a SessionID and MsgID, or a message no reply can answer
// by the protocol (an error matching ErrProtocol, such as a command
// without a CmdID, with "0" or with one another command of the message
// uses, which syncml.Message.ValidateCmdIDs finds, or a device's
// MaxMsgSize too small for the reply's Statuses, or, with
// Config.SessionToken and no RespURI hook, a request without a Host
// header to make the session's RespURI of); 405 for a method other
// than POST; 413 for a body over MaxBytes; 415 for a content type other
// than ContentType (parameters such as charset are accepted; WBXML is
// not); 500 when the Store or the Authenticator fails, or the reply
// cannot be made otherwise (a ServerAuth that cannot sign), or the
// device's stored state does not read (ErrStoredState, logged as "stored
// state does not read" with the device: every message of the device
// fails so until its state is replaced or deleted in the Store). Nothing is
// saved for a response other than 200, nor for a message whose
// credentials the Authenticator refused from a device that had no state
// (challenged with its first nonce, see AuthInput.FirstNonce): messages
// that no credential admits do not grow the Store.
type Server struct {
	cfg ServerConfig
	log *slog.Logger
	// firstKey is the Store's first-nonce key once loaded or made (see
	// FirstNonceKeyDevice).
	firstKey atomic.Pointer[[firstNonceKeySize]byte]
	// now is the clock of the first nonces' windows; nil means time.Now
	// (tests set it before the Server serves).
	now func() time.Time
}

// NewServer returns a Server for cfg (copied).
func NewServer(cfg ServerConfig) *Server {
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = DefaultMaxRetries
	}
	if cfg.FirstNonceWindow <= 0 {
		cfg.FirstNonceWindow = DefaultFirstNonceWindow
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, log: log}
}

// Queue appends commands for device (the Identity.Device its state is
// kept under: by default its SyncHdr Source LocURI, with ClientCertificate
// its certificate's common name) to send in its sessions, in order. It
// refuses what Session.Queue refuses.
func (s *Server) Queue(ctx context.Context, device string, cmds ...syncml.Command) error {
	return s.update(ctx, device, "queue for", func(sess *Session, _ bool) (bool, error) {
		sess.saveQueue = true
		return true, sess.Queue(cmds...)
	})
}

// update changes the state of device with change and saves it, loading it
// again and retrying when another server instance saved it meanwhile, up
// to MaxRetries times (an error matching ErrConflict after that). change
// gets the device's Session and whether it had a state; it returns
// whether there is something to save, or an error, returned as it is.
// Other errors are wrapped with op and the device.
func (s *Server) update(ctx context.Context, device, op string, change func(sess *Session, had bool) (bool, error)) error {
	return s.swap(ctx, device, op, func(raw []byte) ([]byte, bool, error) {
		sess, err := s.session(raw)
		if err != nil {
			return nil, false, errorf("%s %s: %w", op, shown(device), err)
		}
		if save, err := change(sess, len(raw) > 0); err != nil || !save {
			return nil, false, err
		}
		b, err := sess.MarshalBinary()
		if err != nil {
			return nil, false, errorf("%s %s: %w", op, shown(device), err)
		}
		return b, true, nil
	})
}

// swap is update on the bytes of the state: next gets the state device
// has (nil when none) and returns the one to save in its place, whether
// to save it, or an error, returned as it is.
func (s *Server) swap(ctx context.Context, device, op string, next func(raw []byte) ([]byte, bool, error)) error {
	if reserved(device) {
		return errorf("%s %s: a name of the Server's own records in the Store, no device: %w", op, shown(device), syncml.ErrInvalid)
	}
	for attempt := range s.cfg.MaxRetries {
		raw, ver, err := s.cfg.Store.Load(ctx, device)
		if err != nil {
			return errorf("%s %s: %w", op, shown(device), err)
		}
		b, save, err := next(raw)
		if err != nil || !save {
			return err
		}
		if _, err := s.cfg.Store.CompareAndSwap(ctx, device, ver, b); err == nil {
			return nil
		} else if !errors.Is(err, ErrConflict) {
			return errorf("%s %s: %w", op, shown(device), err)
		}
		if attempt+1 < s.cfg.MaxRetries {
			if err := backoff.Wait(ctx, attempt+1); err != nil {
				return errorf("%s %s: %w", op, shown(device), err)
			}
		}
	}
	return errorf("%s %s: %w after %d attempts", op, shown(device), ErrConflict, s.cfg.MaxRetries)
}

func (s *Server) session(raw []byte) (*Session, error) {
	return s.loaded(NewSession(&s.cfg.Session), raw)
}

// sessionSpace is a Server's Session with what its Handle allocates
// (handleSpace, exchSpace), in one allocation.
type sessionSpace struct {
	s Session
	h handleSpace
	x exchSpace
}

// handling is session for an exchange: the Session is made in sp (new,
// never used; a new one when nil) with what its Handle allocates. When
// kept, raw is a MemoryStore's own copy, which never changes: the state
// shares it rather than copying it; own is set when this package's Server
// saved it there from its session (see memEntry.own).
func (s *Server) handling(raw []byte, kept, own bool, sp *sessionSpace) (*Session, error) {
	if sp == nil {
		sp = new(sessionSpace)
	}
	sp.s.cfg = &s.cfg.Session // the rest zero: sp is new
	sp.s.handleSpace, sp.s.exchSpace, sp.s.queueSpace = &sp.h, &sp.x, &sp.x.queue
	sp.h.ain.srv = s // for AuthInput.FirstNonce
	if kept && len(raw) > 0 {
		if err := sp.s.unmarshalOwn(raw, own); err != nil {
			return nil, err
		}
		return &sp.s, nil
	}
	return s.loaded(&sp.s, raw)
}

// loaded returns sess with the state raw, when not empty. raw is what
// the Store's Load returned, the caller's own (see Store.Load): the state
// shares it (see unmarshalState) rather than copying it, a copy as large
// as the object at every message while one goes out in chunks.
func (s *Server) loaded(sess *Session, raw []byte) (*Session, error) {
	if len(raw) > 0 {
		if err := sess.unmarshalState(raw); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// AcceptsContentType reports whether v, a Content-Type header value, is
// ContentType (with any parameters).
func AcceptsContentType(v string) bool {
	// the common cases without parsing (mime.ParseMediaType takes three
	// allocations): ContentType alone, as sent first (one compare), or
	// with the charset parameter of Windows devices
	if n := len(ContentType); len(v) >= n && (v[:n] == ContentType || strings.EqualFold(v[:n], ContentType)) &&
		(len(v) == n || charsetUTF8(v[n:])) {
		return true
	}
	mt, _, err := mime.ParseMediaType(v)
	return err == nil && strings.EqualFold(mt, ContentType)
}

// charsetUTF8 reports whether s, what follows the media type in a
// Content-Type, is a lone charset parameter of UTF-8, its value quoted or
// not (`; charset="utf-8"`, as Windows devices send): a form
// mime.ParseMediaType accepts. Any other s is left to it.
func charsetUTF8(s string) bool {
	s = strings.TrimLeft(s, " \t")
	if len(s) == 0 || s[0] != ';' {
		return false
	}
	s = strings.TrimLeft(s[1:], " \t")
	const name = "charset="
	if len(s) < len(name) || !strings.EqualFold(s[:len(name)], name) {
		return false
	}
	s = strings.TrimRight(s[len(name):], " \t")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	return strings.EqualFold(s, "utf-8")
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reserveStack(len(r.Method)) // the exchange's stack in one growth (stack.go)
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.refuse(ctx, w, http.StatusMethodNotAllowed, "method "+r.Method)
		return
	}
	var ct string // r.Header.Get without canonicalizing a canonical key
	if v := r.Header["Content-Type"]; len(v) > 0 {
		ct = v[0]
	}
	if !AcceptsContentType(ct) {
		s.refuse(ctx, w, http.StatusUnsupportedMediaType, "content type "+ct)
		return
	}
	// A body of announced length is read into memory of its own, which
	// the decoded message then shares (syncml.UnmarshalOwned) instead of
	// a copy; any other into a pooled buffer, which it is decoded from.
	var raw []byte
	var err error
	owned := r.ContentLength >= 0 && r.ContentLength < s.cfg.MaxBytes
	if owned {
		raw, err = readBody(w, r, s.cfg.MaxBytes, nil)
	} else {
		bp := scratch.Get().(*[]byte)
		raw, err = readBody(w, r, s.cfg.MaxBytes, *bp)
		*bp = raw
		defer func() { putScratch(bp, *bp) }()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.refuse(ctx, w, http.StatusRequestEntityTooLarge, "body over MaxBytes")
			return
		}
		s.refuse(ctx, w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	// read to its end: closed, net/http does not try to read more of it
	// before the reply
	_ = r.Body.Close()
	// the Inbound and its Message in one allocation, with the values of
	// the reply's Content-Type and Content-Length, the context of the
	// hooks, which carries the request (HTTPRequest), and the Session of
	// the exchange's first attempt
	im := &struct {
		in     Inbound
		m      syncml.Message
		ct, cl [1]string
		rc     requestCtx
		sp     sessionSpace
	}{in: Inbound{Raw: raw, Header: r.Header, TLS: r.TLS}}
	im.rc = requestCtx{Context: ctx, r: r}
	ctx = &im.rc
	in := &im.in
	if s.cfg.Session.SessionToken {
		in.URL = requestURL(r) // only then: a check-in without it allocates nothing more
	}
	in.Message = &im.m
	if owned {
		err = syncml.UnmarshalOwned(raw, in.Message, syncml.Limits{})
	} else {
		err = syncml.Unmarshal(raw, in.Message)
	}
	if err != nil {
		s.refuse(ctx, w, http.StatusBadRequest, err.Error())
		return
	}
	if _, _, err := parseInbound(in); err != nil {
		s.refuse(ctx, w, http.StatusBadRequest, err.Error())
		return
	}
	device := in.Message.Header.Source.LocURI
	if dk, ok := s.cfg.Session.Authenticator.(DeviceKeyer); ok {
		device, err = dk.DeviceKey(ctx, &AuthInput{Message: in.Message, Raw: raw, Header: r.Header, TLS: r.TLS})
		if err != nil {
			s.log.ErrorContext(ctx, "device key failed", "err", err)
			http.Error(w, "session error", http.StatusInternalServerError)
			return
		}
	}
	x, err := s.exchange(ctx, device, in, &im.sp)
	if err != nil {
		if errors.Is(err, ErrProtocol) {
			s.refuse(ctx, w, http.StatusBadRequest, err.Error())
			return
		}
		if errors.Is(err, ErrStoredState) {
			// every message of the device fails so until its state is
			// replaced (Store): said as such
			s.log.ErrorContext(ctx, "stored state does not read", "device", cut(device), "err", err)
		} else {
			s.log.ErrorContext(ctx, "session exchange failed", "device", cut(device), "err", err)
		}
		http.Error(w, "session error", http.StatusInternalServerError)
		return
	}
	if x.Identity.Device != "" {
		device = x.Identity.Device // the state it ran on
	}
	switch {
	case !s.log.Enabled(ctx, slog.LevelDebug) && x.Refused == nil:
	case x.Replayed: // its Exchange has no Reply (replayOf)
		s.log.LogAttrs(ctx, slog.LevelDebug, "session exchange", slog.String("device", cut(device)),
			slog.String("session", cut(in.Message.Header.SessionID)), slog.String("in", cut(in.Message.Header.MsgID)),
			slog.Bool("replayed", true))
	default:
		h := &x.Reply.Header
		if x.Refused != nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "credentials refused", slog.String("device", cut(device)),
				slog.String("session", cut(h.SessionID)), slog.String("in", cut(in.Message.Header.MsgID)),
				slog.String("why", x.Refused.Error()))
		}
		// one record per HTTP exchange: Debug
		s.log.LogAttrs(ctx, slog.LevelDebug, "session exchange", slog.String("device", cut(device)),
			slog.String("session", cut(h.SessionID)), slog.String("in", cut(in.Message.Header.MsgID)),
			slog.String("out", h.MsgID), slog.Int("commands", len(x.Reply.Body.Commands)),
			slog.Int("outcomes", len(x.Outcomes)), slog.Int("unmatched", len(x.Unmatched)),
			slog.Bool("replayed", false), slog.Bool("done", x.Done))
	}
	if s.cfg.OnExchange != nil && !x.Replayed {
		s.cfg.OnExchange(ctx, x)
	}
	hd := w.Header()
	for k, v := range x.Header {
		hd[k] = v
	}
	// canonical keys, set without canonicalizing them again
	im.ct[0], im.cl[0] = ContentType, strconv.Itoa(len(x.Raw))
	hd["Content-Type"] = im.ct[:]
	// a known length spares the chunked encoding of a reply over 2 KB
	hd["Content-Length"] = im.cl[:]
	_, _ = w.Write(x.Raw)
}

// exchange runs one message through the device's session and saves the
// state, reloading and running it again when another instance saved
// meanwhile. The first attempt's Session is made in sp, every later
// attempt's in new space: what a hook or the Authenticator saw of an
// attempt may still be in use.
func (s *Server) exchange(ctx context.Context, device string, in *Inbound, sp *sessionSpace) (*Exchange, error) {
	for attempt := range s.cfg.MaxRetries {
		if reserved(device) {
			// a DeviceKeyer's key (no SyncML message can name it)
			return nil, errorf("device %s: a name of the Server's own records in the Store, no device: %w", shown(device), ErrProtocol)
		}
		if device == "" {
			// The request proves no device: handled on an empty state
			// (the Authenticator refuses it), saved nowhere.
			sess, _ := s.handling(nil, false, false, sp)
			sp = nil
			sess.keyed = true
			x, err := sess.Handle(ctx, in)
			if ke := asKeyError(err); ke != nil {
				device = ke.device
				continue
			}
			return x, err
		}
		var raw []byte
		var ver uint64
		var err error
		own := false
		ms, inMem := s.cfg.Store.(*MemoryStore)
		if inMem {
			raw, ver, own, err = ms.loadKept(ctx, device)
		} else {
			raw, ver, err = s.cfg.Store.Load(ctx, device)
		}
		if err != nil {
			return nil, errorf("load %s: %w", shown(device), err)
		}
		if x := replayOf(device, raw, inMem, in, sp); x != nil {
			return x, nil
		}
		sess, err := s.handling(raw, inMem, own, sp)
		sp = nil
		unread := false // the state replaced does not read: what it held is unknown
		if err != nil {
			if sess = s.startOver(ctx, device, raw, in, err); sess == nil {
				return nil, err
			}
			raw = nil // as a device without state: a refused message saves nothing
			unread = true
		}
		// fresh: with an Authenticator, a device without state may have
		// been refused before, unsaved (see fromMsgID)
		sess.key, sess.keyed = device, true
		sess.fresh = len(raw) == 0 && s.cfg.Session.Authenticator != nil
		// the object received keeps its data in segments in the Store
		lo := sess.st.LO // the object before the message: its segments are emptied once it ends
		// the reply is encoded in a pooled buffer, and sent from the
		// Store's copy of the state or a copy of its own (saved below)
		rp := scratch.Get().(*[]byte)
		sess.replyBuf = rp
		x, err := sess.Handle(ctx, in)
		if ke := asKeyError(err); ke != nil {
			// The Authenticator names another device than the SyncHdr
			// Source: its state is the one to run.
			putScratch(rp, *rp)
			device = ke.device
			continue
		}
		if err != nil {
			putScratch(rp, *rp)
			return nil, err
		}
		if x.Replayed {
			putScratch(rp, *rp)
			return x, nil
		}
		if x.Refused != nil && len(raw) == 0 && sess.st.Nonce == nil {
			// Refused credentials of a device that had no state, and
			// were given no nonce to keep (challenged with the first
			// nonce, derived, see AuthInput.FirstNonce): nothing is
			// saved, so that messages that no credential admits do not
			// grow the Store.
			x.Raw = sess.ownReply(x.Raw, nil, *rp)
			putScratch(rp, *rp)
			return x, nil
		}
		var segs *segStore // the segments of the object received, made by the message
		if live := sess.st.LO; live != nil && len(live.pend) > 0 {
			segs = s.segStore(ctx, device)
			if err := segs.save(live, ver); err != nil {
				putScratch(rp, *rp)
				return nil, err
			}
		}
		if inMem && sess.st.piecesHeld() {
			// a state as large as the object going out in chunks: built
			// where the MemoryStore keeps it, not copied there
			x, err := s.saveOwn(ctx, sess, x, ms, device, ver, rp)
			if err == nil {
				s.cleanSegs(ctx, device, segs, lo, sess.st.LO, unread)
			}
			if err == nil || !errors.Is(err, ErrConflict) {
				return x, err
			}
			s.log.DebugContext(ctx, "state changed meanwhile, retrying", "device", cut(device))
			if attempt+1 < s.cfg.MaxRetries {
				if err := backoff.Wait(ctx, attempt+1); err != nil {
					return nil, errorf("save %s: %w", shown(device), err)
				}
			}
			continue
		}
		// the Store keeps its own copy: the state is built in the reply's
		// buffer after it, and a MemoryStore's stored form after that
		// (one pooled buffer, whichever array it ends in)
		buf := *rp
		b, err := sess.appendState(buf)
		if err != nil {
			putScratch(rp, buf) // b, a larger one, may be left to the garbage collector
			return nil, err
		}
		state := b[len(buf):]
		var kept []byte
		if inMem {
			// that very type: a Store embedding one has its own methods
			_, kept, b, err = ms.compareAndSwapKept(ctx, device, ver, state, b, true)
		} else {
			_, err = s.cfg.Store.CompareAndSwap(ctx, device, ver, state)
		}
		if err == nil {
			x.Raw = sess.ownReply(x.Raw, kept, b)
			putStateScratch(rp, b)
			s.cleanSegs(ctx, device, segs, lo, sess.st.LO, unread)
			return x, nil
		}
		putStateScratch(rp, b)
		if !errors.Is(err, ErrConflict) {
			return nil, errorf("save %s: %w", shown(device), err)
		}
		s.log.DebugContext(ctx, "state changed meanwhile, retrying", "device", cut(device))
		if attempt+1 < s.cfg.MaxRetries {
			if err := backoff.Wait(ctx, attempt+1); err != nil {
				return nil, errorf("save %s: %w", shown(device), err)
			}
		}
	}
	return nil, errorf("save %s: %w after %d attempts", shown(device), ErrConflict, s.cfg.MaxRetries)
}

// cleanSegs empties the segments of ended, the object device's state
// held before the message, when the state saved no longer names them (see
// segStore.clean); when unread, the state saved replaced one that did not
// read (ServerConfig.ReplaceUnreadableState), whose object, if any, is
// unknown: every segment record of device but live's is emptied (see
// segStore.cleanUnread). A failure is logged.
func (s *Server) cleanSegs(ctx context.Context, device string, g *segStore, ended, live *largeObject, unread bool) {
	if !unread && (ended == nil || ended == live || ended.Segs == 0) {
		return
	}
	if g == nil {
		g = s.segStore(ctx, device)
	}
	var err error
	if unread {
		err = g.cleanUnread(live, s.cfg.Session.maxObj()/MinObjectSegment+1)
	} else {
		err = g.clean(ended, live)
	}
	if err != nil {
		s.log.WarnContext(ctx, "object segments not emptied", "device", cut(g.device), "err", err)
	}
}

// saveOwn saves the state of sess, which holds pieces of an object (see
// piecesHeld), in ms, the Server's MemoryStore, for device at version
// ver: built in a buffer of its own laid out as ms's record, which ms
// keeps as it is (compareAndSwapOwn), and x's reply, encoded in *rp, is
// then sent from it. rp goes back to its pool. An error matching
// ErrConflict is returned as it is, for exchange to retry.
func (s *Server) saveOwn(ctx context.Context, sess *Session, x *Exchange, ms *MemoryStore, device string, ver uint64, rp *[]byte) (*Exchange, error) {
	defer func() { putScratch(rp, *rp) }()
	pre := ownRoom(device)
	rec, err := sess.appendStateSplit(make([]byte, pre, pre+sess.st.splitRoom()), true)
	if err != nil {
		return nil, err
	}
	_, kept, err := ms.compareAndSwapOwn(ctx, device, ver, rec)
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return nil, err
		}
		return nil, errorf("save %s: %w", shown(device), err)
	}
	x.Raw = sess.ownReply(x.Raw, kept, *rp)
	return x, nil
}

// replayOf returns the Exchange of a replay when in is a byte-identical
// copy of the message that device's saved state raw last answered, nil
// otherwise. It reads only the head of the state, and leaves the kept
// reply undecoded (the Exchange has no Reply): a load generator posting one
// body again and again is answered at less cost than a new message, not at
// twice it. When kept, raw is a MemoryStore's own copy, which the reply
// then shares; a Store's Load is copied. A state whose head does not
// decode is no replay: handling it reports the error. One whose rest does
// not decode still answers the replay (the bytes the device was sent;
// nothing is saved), and the next message, which decodes all of it,
// reports the error (TestServerReplayStateBadRest). The kept reply goes
// out as the Store holds it, undecoded: bytes a Store damaged are not
// caught, as Handle's replay (which decodes them) catches them.
func replayOf(device string, raw []byte, kept bool, in *Inbound, sp *sessionSpace) *Exchange {
	if len(raw) == 0 || in == nil || in.Message == nil || in.Raw == nil {
		return nil // Handle decides
	}
	// the IDs first, without copying them: most messages are no replay
	h := &in.Message.Header
	r := stateReader{b: raw}
	r.uint() // the format: head checks it
	if sid, mid := r.bytes(), r.bytes(); r.err != nil || string(sid) != h.SessionID || string(mid) != h.MsgID {
		return nil
	}
	var st state
	r = stateReader{b: raw}
	if _, err := r.head(&st); err != nil || !st.answered(h) {
		return nil
	}
	if sum := requestHash(in.Raw, in.Header, in.URL); !bytes.Equal(sum[:], st.ReqHash) {
		return nil
	}
	reply := st.Reply
	if !kept {
		reply = bytes.Clone(reply)
	}
	x := new(Exchange)
	if sp != nil {
		x = &sp.h.x
	}
	*x = st.replay(device, reply)
	return x
}

// ownReply returns raw, a reply Handle encoded, as bytes that outlive
// buf, the buffer it may have been encoded in: the same bytes of kept,
// the state a Store saved (which holds the reply at replyAt), or a copy.
func (s *Session) ownReply(raw, kept, buf []byte) []byte {
	if len(raw) == 0 || cap(buf) == 0 || &raw[0] != &buf[:1][0] {
		return raw // not in buf
	}
	st := &s.st
	if at := st.replyAt; len(st.Reply) == len(raw) && &st.Reply[0] == &raw[0] && at > 0 && at+len(raw) <= len(kept) {
		return kept[at : at+len(raw) : at+len(raw)]
	}
	return bytes.Clone(raw)
}

// asKeyError returns the keyError in err's chain, nil when none; with
// no error it allocates nothing (errors.As's target would escape).
func asKeyError(err error) *keyError {
	if err == nil {
		return nil
	}
	var ke *keyError
	if errors.As(err, &ke) {
		return ke
	}
	return nil
}

// readBody reads the request body, of at most max bytes, into buf[:0],
// growing it when needed, and returns it: a Server reads the body of an
// announced length into a buffer of that size, which the decoded message
// owns, and any other into a pooled buffer.
func readBody(w http.ResponseWriter, r *http.Request, max int64, buf []byte) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, max)
	raw := buf[:0]
	if n := r.ContentLength; n >= 0 && n < max && int(n) >= cap(raw) {
		// one byte more than announced, so that the end is seen without growing
		raw = make([]byte, 0, n+1)
	}
	for {
		if len(raw) == cap(raw) {
			raw = append(raw, 0)[:len(raw)]
		}
		k, err := body.Read(raw[len(raw):cap(raw)])
		raw = raw[:len(raw)+k]
		if err == io.EOF {
			return raw, nil
		}
		if err != nil {
			return raw, err
		}
	}
}

func (s *Server) refuse(ctx context.Context, w http.ResponseWriter, code int, why string) {
	s.log.LogAttrs(ctx, slog.LevelWarn, "request refused", slog.Int("status", code), slog.String("why", why))
	http.Error(w, http.StatusText(code), code)
}

// HTTPRequest returns the request a Server is answering, from the context
// it hands to the session's hooks and handlers (Config.OnStart,
// BeforeReply, RespURI, the Handler, the Authenticator,
// ServerConfig.OnExchange) and to the contexts made from it; nil for
// another context. A hook reads there what the message does not say, such
// as the host and scheme the device reached the server at. The request's
// body is already read.
func HTTPRequest(ctx context.Context) *http.Request {
	r, _ := ctx.Value(requestKey{}).(*http.Request)
	return r
}

// requestKey is the context key of HTTPRequest.
type requestKey struct{}

// requestCtx is the request's context that also carries the request
// (HTTPRequest), allocated with the rest of an exchange rather than by
// context.WithValue.
type requestCtx struct {
	context.Context
	r *http.Request
}

// Value implements context.Context.
func (c *requestCtx) Value(key any) any {
	if _, ok := key.(requestKey); ok {
		return c.r
	}
	return c.Context.Value(key)
}

package session

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/windc-go/windc/syncml"
)

// ServerAuth is how a server authenticates itself to the devices that
// check it (OMA DM server authentication, see ServerCheck for the device
// side). With AuthBasic or AuthMD5 the server puts a Cred in the SyncHdr
// of its replies until the device accepts it with 212 (once per session;
// MD5 with the nonce the device last gave in a Chal); with AuthHMAC it
// signs every reply body in the x-syncml-hmac header (Exchange.Header)
// with that nonce, the device giving a new one in every message. Before
// the device gave any nonce, the empty nonce is used. The server's name
// goes in the replies' SyncHdr Source LocName.
type ServerAuth struct {
	// Type is AuthBasic, AuthMD5 or AuthHMAC; empty means the device's
	// own: HMAC to a device that signs its message with x-syncml-hmac,
	// else the type of the Cred it authenticated with in this session
	// (basic or MD5), else none.
	Type AuthType
	// Secret returns the name and password the server authenticates
	// itself with to the device id (OMA DM wants a different password for
	// each device). An error fails the exchange.
	Secret func(ctx context.Context, id Identity) (name, password string, err error)
	// MaxNonceBytes bounds the nonce a device gives for the server's
	// next credentials (its Chal's NextNonce, decoded), which the
	// device's state keeps between sessions; 0 is DefaultMaxNonceBytes.
	// A longer one is not kept: the server goes on with the nonce it
	// had, which the device refuses, so that a device cannot grow its
	// stored state with it.
	MaxNonceBytes int
}

// maxNonce returns a's MaxNonceBytes, or its default (also for a nil a).
func (a *ServerAuth) maxNonce() int {
	if a == nil || a.MaxNonceBytes <= 0 {
		return DefaultMaxNonceBytes
	}
	return a.MaxNonceBytes
}

// typeFor returns the type the server authenticates with in its reply to
// m, received with the transport header h ("" for none).
func (a *ServerAuth) typeFor(st *state, m *syncml.Message, h http.Header) AuthType {
	if a.Type != "" {
		return a.Type
	}
	if h.Get(HMACHeaderName) != "" {
		return AuthHMAC
	}
	if st.Auth != nil {
		switch st.Auth.Method {
		case "basic":
			return AuthBasic
		case "md5":
			return AuthMD5
		}
	}
	if c := m.Header.Cred; c != nil && c.Meta != nil {
		switch t := AuthType(strings.TrimSpace(c.Meta.Type)); t {
		case AuthBasic, AuthMD5:
			return t
		}
	}
	return ""
}

// present sets, on reply to the device id, the server's name and, while
// the device has not accepted them in this session, its Cred of type t.
// It returns the password, for sign.
func (a *ServerAuth) present(ctx context.Context, t AuthType, id Identity, st *state, reply *syncml.Message) (password string, err error) {
	if t == "" {
		return "", nil
	}
	if a.Secret == nil {
		return "", errorf("ServerAuth: no Secret: %w", ErrUnsupportedAuth)
	}
	name, password, err := a.Secret(ctx, id)
	if err != nil {
		return "", errorf("ServerAuth: secret for %s: %w", shown(id.Device), err)
	}
	reply.Header.Source.LocName = name
	if st.SrvAccepted {
		return password, nil
	}
	switch t {
	case AuthBasic:
		reply.Header.Cred, err = basicCred(name, password)
	case AuthMD5:
		reply.Header.Cred = md5Cred(name, password, orEmpty(st.PeerNonce))
	case AuthHMAC:
	default:
		err = errorf("ServerAuth: type %q: %w", string(t), ErrUnsupportedAuth)
	}
	return password, err
}

// sign returns the x-syncml-hmac header of raw, the encoded reply, when t
// is AuthHMAC ("" otherwise).
func (a *ServerAuth) sign(t AuthType, reply *syncml.Message, password string, st *state, raw []byte) (string, error) {
	if t != AuthHMAC {
		return "", nil
	}
	return newHMACHeader(reply.Header.Source.LocName, password, orEmpty(st.PeerNonce), raw).Format()
}

// noteDevice keeps what the device's Statuses for this side's SyncHdr say
// of the server's credentials: the nonce of their Chal (up to maxNonce
// bytes, see ServerAuth.MaxNonceBytes), and 212. Only a
// Status answering a message this side sent in the session counts (its
// MsgRef one of 1 to OutMsgID, or none: the last one, when there was
// one); the others are appended to unmatched, for Exchange.Unmatched: a
// device's Status naming a message the server never sent says nothing of
// its credentials. The message is not refused for it: some devices write
// such MsgRefs (0, for one) on Statuses that change nothing. A MsgRef of 0
// is not taken for the last message either: MsgIDs start at 1, so it
// names none, and the one device message of the shared corpus that has it
// answers the SyncHdr 500 (a message the device could not read), not 212;
// no capture shows a device accepting with it (see
// TestServerHeaderStatusMsgRefConformance).
func (st *state) noteDevice(hdr []*syncml.Status, unmatched []syncml.Command, maxNonce int) []syncml.Command {
	for _, s := range hdr {
		if !sentMsgID(s.MsgRef, st.OutMsgID) {
			unmatched = append(unmatched, s)
			continue
		}
		if s.Chal != nil && s.Chal.Meta != nil && s.Chal.Meta.NextNonce != "" {
			if n, err := decodeNonce(s.Chal.Meta.NextNonce); err == nil && len(n) <= maxNonce {
				st.PeerNonce = n
			}
		}
		if code, err := s.Code(); err == nil && code == syncml.StatusAuthenticationAccepted {
			st.SrvAccepted = true
		}
	}
	return unmatched
}

// sentMsgID reports whether ref names one of the messages 1 to last a
// side sent in its session: a decimal without sign or leading zeros in
// that range, or "" (the last) when last is 1 or more.
func sentMsgID(ref string, last int) bool {
	if ref == "" {
		return last >= 1
	}
	n, err := strconv.Atoi(ref)
	return err == nil && n >= 1 && n <= last && strconv.Itoa(n) == ref
}

// orEmpty returns nonce, or the empty nonce when none was given yet.
func orEmpty(nonce []byte) []byte {
	if nonce == nil {
		return []byte{}
	}
	return nonce
}

// ServerCheck is how a Client checks the server's credentials. With
// AuthBasic or AuthMD5 the first server message of every session must
// carry a valid Cred in its SyncHdr, under Name (for MD5 in the Source
// LocName, with the last nonce given to the server); the device answers
// 212, for MD5 with a Chal holding the nonce of the next session. With
// AuthHMAC every server message must carry a valid x-syncml-hmac header
// over its body, under Name, with the nonce the device gave in the Chal
// of its Status for the server's previous SyncHdr (a new one in every
// message). Missing or wrong credentials stop the session: the device
// answers 407 or 401 with a Chal and a new nonce, and Run returns an
// error matching ErrMissingCredentials or ErrInvalidCredentials: an
// x-syncml-hmac header that cannot be read (malformed, of an algorithm
// other than MD5, longer than DefaultMaxHMACHeaderBytes, read no further)
// is invalid credentials (Changed: a long one failed Run with a
// *LimitError alone, and an unknown algorithm with ErrUnsupportedAuth,
// the device sending no refusal). Run,
// HandleInbound and Handle (basic and MD5 only: it sees no transport
// header) do the checks; see Client.Handle.
//
// A ServerCheck keeps the last nonce it gave, so one serves the sessions
// of one device; it is not safe for concurrent use.
type ServerCheck struct {
	// Type is AuthBasic, AuthMD5 or AuthHMAC.
	Type AuthType
	// Name and Password are the server's.
	Name, Password string
	// Nonce is the last nonce given to the server; nil means none yet
	// (the empty nonce).
	Nonce []byte
	// Rand is the source of nonces; nil means crypto/rand.
	Rand io.Reader
}

// serverUser is the Users of a ServerCheck: the server's one name.
type serverUser struct{ sc *ServerCheck }

// Key implements Users.
func (u serverUser) Key(_ context.Context, name string) (Key, error) {
	if name != u.sc.Name {
		return Key{}, pkg.Errorf("server %s: %w", shown(name), ErrUnknownUser)
	}
	return KeyOf(u.sc.Name, u.sc.Password), nil
}

// srvStatus is the device's next Status for a server SyncHdr: its code
// and the nonce for its Chal (nil: no Chal).
type srvStatus struct {
	code  syncml.StatusCode
	nonce []byte
}

// checkServer checks the server's credentials on message m, received as
// raw with the transport header h, and prepares the device's Status for
// its SyncHdr. A refusal is returned as an error matching
// ErrMissingCredentials or ErrInvalidCredentials.
func (c *Client) checkServer(ctx context.Context, m *syncml.Message, raw []byte, h http.Header) error {
	sc := c.cfg.ServerAuth
	nonce := orEmpty(sc.Nonce)
	var err error
	switch sc.Type {
	case AuthHMAC:
		v := strings.TrimSpace(h.Get(HMACHeaderName))
		if v == "" {
			err = pkg.Errorf("server message %s: no %s header: %w", cut(m.Header.MsgID), HMACHeaderName, ErrMissingCredentials)
			break
		}
		hh, perr := ParseHMACHeader(v)
		if perr != nil {
			// malformed or too long (a *LimitError): invalid credentials
			// all the same, which the device refuses
			err = pkg.Errorf("server message %s: %w: %w", cut(m.Header.MsgID), ErrMalformedCredentials, perr)
			break
		}
		err = verifyHMAC(ctx, hh, nonce, nil, raw, serverUser{sc})
		if errors.Is(err, ErrUnsupportedAuth) {
			// an algorithm other than MD5: no credentials of the server's
			err = pkg.Errorf("server message %s: %w: %w", cut(m.Header.MsgID), ErrMalformedCredentials, err)
		}
	case AuthBasic, AuthMD5:
		if c.srvOK {
			return nil
		}
		cred := m.Header.Cred
		switch {
		case cred == nil:
			err = pkg.Errorf("server message %s: no Cred: %w", cut(m.Header.MsgID), ErrMissingCredentials)
		case sc.Type == AuthBasic:
			_, err = checkBasic(ctx, cred, serverUser{sc})
		default:
			err = checkMD5(ctx, cred, m.Header.Source.LocName, nonce, nil, serverUser{sc})
		}
	default:
		return pkg.Errorf("ServerCheck type %s: %w", shown(string(sc.Type)), ErrUnsupportedAuth)
	}
	if err != nil && !errors.Is(err, ErrMissingCredentials) && !errors.Is(err, ErrInvalidCredentials) {
		return err // a failure of the check itself
	}
	next := srvStatus{code: syncml.StatusOK}
	switch {
	case err != nil:
		next.code = syncml.StatusInvalidCredentials
		if errors.Is(err, ErrMissingCredentials) {
			next.code = syncml.StatusMissingCredentials
		}
	case sc.Type == AuthBasic:
		next.code = syncml.StatusAuthenticationAccepted
	case sc.Type == AuthMD5:
		next.code = syncml.StatusAuthenticationAccepted
	}
	if sc.Type != AuthBasic {
		n, nerr := newNonce(sc.Rand, 0)
		if nerr != nil {
			return nerr
		}
		next.nonce = n
	}
	c.srvOK = err == nil
	c.srvNext = &next
	return err
}

// serverStatus returns the device's Status for the server's SyncHdr h:
// 200, or what checkServer prepared, whose nonce is from now on the one
// the server must use.
func (c *Client) serverStatus(h *syncml.Header) *syncml.Status {
	next := c.srvNext
	c.srvNext = nil
	if next == nil {
		return headerStatus(h, syncml.StatusOK, nil)
	}
	var chal *syncml.Chal
	if next.nonce != nil {
		chal = newChal(c.cfg.ServerAuth.Type, next.nonce)
		c.cfg.ServerAuth.Nonce = next.nonce
	}
	return headerStatus(h, next.code, chal)
}

// refuseServer returns the device's last message of a session whose
// server failed the check: its Status for the server's SyncHdr alone (401
// or 407 with a new nonce).
func (c *Client) refuseServer(h *syncml.Header) (*syncml.Message, []byte, error) {
	m := c.message(h)
	c.outMsgID++
	m.Header.MsgID = itoa(c.outMsgID)
	number(m.Body.Commands, new(int))
	raw, err := syncml.Marshal(m)
	if err != nil {
		return nil, nil, errorf("encode message %s: %w", m.Header.MsgID, err)
	}
	c.ended = true
	return m, raw, nil
}

package mde2

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/windc-go/windc/discovery/mde2/provisioning"
	"github.com/windc-go/windc/internal/utf8cut"
)

// Identity is who a request was authenticated as.
type Identity struct {
	// Name is the user (OnPremise, Federated) or the certificate subject's
	// common name (Certificate, renewal).
	Name string
	// Policy is the policy the request was authenticated under.
	Policy AuthPolicy
	// Certificate is the client certificate, for the Certificate policy
	// and renewals. Unless DeviceID is set, the default Subject gives a
	// certificate issued under the Certificate policy this certificate's
	// subject, and DefaultProvision writes its common name as the
	// EntDMID, so that a device cannot take another one's name by
	// sending another DeviceID.
	Certificate *x509.Certificate
	// DeviceID, when a check sets it, is the credentials' DeviceID: the
	// AdditionalContext DeviceID of the only device they may enroll
	// (such as the device a test token was issued for): a request naming
	// another DeviceID is refused with an Authorization fault. An Entra token's deviceid
	// claim is the Entra device object ID, not this DM DeviceID; a check
	// sets DeviceID only from a credential that names the DM DeviceID.
	// It is then EnrollmentRequest.DeviceID(): DefaultProvision's EntDMID
	// and the default Subject's common name, under every policy (under
	// the Certificate policy too: the check vouched for this name, and
	// the certificate issued names the device as the EntDMID does).
	DeviceID string
}

// EnrollmentRequest is a verified RequestSecurityToken, handed to the
// Server's Approve, Subject and Provision hooks. A hook that keys on the
// device (counts its enrollments, looks it up) uses DeviceID, the device
// as the server knows it, rather than Device.DeviceID, the device's word.
type EnrollmentRequest struct {
	Identity *Identity
	Message  *RequestSecurityToken
	// Device is the typed AdditionalContext, as the device sent it: its
	// DeviceID is checked only against a DeviceID the check bound
	// (Identity.DeviceID).
	Device DeviceContext
	CSR    *CertificateRequest // signature verified
	// Renewal is set for RequestTypeRenew; Previous is the certificate
	// being renewed.
	Renewal  bool
	Previous *x509.Certificate
	HTTP     *http.Request

	// deviceID is what DeviceID returns, set by the Server before any
	// hook runs (nameDevice); empty in a request built elsewhere.
	deviceID string
}

// Server serves the three MS-MDE2 services: discovery
// (DiscoveryHandler), the MS-XCEP policy service (PolicyHandler) and the
// MS-WSTEP enrollment service (EnrollmentHandler). Set the fields before
// serving, and do not copy a Server that has served; a Server is safe
// for concurrent use. The handlers of a nil
// *Server answer every POST with an InternalServiceFault.
//
// Each authentication policy is accepted when its check is set: Password
// for OnPremise (a UsernameToken), Token for Federated (a header
// BinarySecurityToken), and Certificate for the Certificate policy (a TLS
// client certificate; when Certificate is nil, a certificate that Issuer
// issued is accepted), unless DisableCertificateAuth turns it off.
// Discover offers only a policy the Server serves (see AuthPolicy).
// Renewals are authenticated by the certificate being renewed. A check returns a *Fault to choose the answer; any other error
// answers an Authentication fault. The server completes a copy of the
// Identity a check returns (Policy, Certificate), so a check may return
// the same *Identity for many requests. The AdditionalContext DeviceID is
// the device's word: it is checked only against a DeviceID the check sets
// in the Identity (an Authorization fault when they differ). Under the
// Certificate policy the device is the certificate: the default Subject
// and DefaultProvision's EntDMID come from it, not from the DeviceID, and
// an Approve, Subject or Provision hook that keys on the device should
// do the same: EnrollmentRequest.DeviceID gives it (the bound DeviceID
// when the check bound one; the package doc lists the four device
// IDs). Faults are answered with HTTP 500 and a SOAP 1.2 fault; answers
// are never chunked (Windows refuses that).
//
// Requests are read leniently where peers differ and strictly where it
// matters: SOAP 1.1 and 1.2 envelopes are both read and always answered
// in 1.2; the body's element decides the message (the WS-Addressing
// Action and To are not checked, To since proxies rewrite it); the first
// of repeated header blocks counts; a request without a MessageID is
// answered without RelatesTo.
//
// Two things are left to the http.Server that serves the handlers. The
// Certificate policy and renewals read the TLS client certificate, which
// a TLS server only receives when it asks for one: set
// tls.Config.ClientAuth to tls.RequestClientCert or
// tls.VerifyClientCertIfGiven (not a Require mode, since OnPremise and
// Federated devices present none), or the request has no credentials and
// is answered with an Authentication fault ("no credentials").
// VerifyClientCertIfGiven ends the handshake, before any fault, for a
// certificate that does not chain to tls.Config.ClientCAs (the system
// roots when nil): with it, ClientCAs must hold the roots of every
// certificate the Server accepts, such as the primary enrollment's PKI,
// whose certificates authenticate a WinDC linked enrollment under the
// Certificate policy. RequestClientCert leaves the checking to the
// Server (Certificate, or the Issuer's root), but the connection then
// holds no verified chain: on a listener shared with a session.Server
// whose devices authenticate by certificate (session.ClientCertificate
// reads verified chains only), every message of a linked enrollment
// fails as unauthenticated, so use VerifyClientCertIfGiven there. And the
// handlers read a body until it ends or passes Limits.MaxBytes, so a
// client that stops sending holds its request until the http.Server's
// ReadTimeout (set ReadHeaderTimeout too); net/http sets none by default.
type Server struct {
	// PolicyURL, EnrollmentURL and AuthenticationURL are the absolute
	// URLs the DiscoverResponse gives (AuthenticationURL for Federated
	// only). DiscoveryHandler needs them: without PolicyURL or
	// EnrollmentURL, or without AuthenticationURL when AuthPolicy is
	// Federated (an empty AuthPolicy then does not offer Federated),
	// Discover is answered InternalServiceFault and the fault
	// logged on Logger. The policy and enrollment services do not use
	// them.
	PolicyURL         string
	EnrollmentURL     string
	AuthenticationURL string
	// AuthPolicy is the policy the DiscoverResponse names. Empty (the
	// default), Discover is answered with the first of OnPremise,
	// Federated and Certificate that the Server serves and the device
	// lists (a device that lists none takes the first the Server
	// serves): OnPremise when Password is set, Federated when Token and
	// AuthenticationURL are, Certificate unless DisableCertificateAuth
	// is set. A device that lists none of them is answered with a
	// NotSupported fault. Set, it is the only policy answered, and
	// Discover is answered InternalServiceFault, the missing field
	// logged on Logger, when the Server cannot serve it: OnPremise
	// without Password, Federated without Token, Certificate under
	// DisableCertificateAuth. Whatever the policy, a Server whose Issuer
	// is missing or has no root answers Discover so, since it cannot
	// issue.
	AuthPolicy AuthPolicy
	// HighestVersion is the highest EnrollmentVersion answered (default
	// HighestEnrollmentVersion); see NegotiateVersion. One that is not a
	// version, or is below LowestEnrollmentVersion, makes Discover
	// answered InternalServiceFault and logged on Logger.
	HighestVersion string

	// Password checks OnPremise credentials; nil refuses OnPremise.
	Password func(ctx context.Context, username, password string) (*Identity, error)
	// Token checks a Federated security token (a header
	// BinarySecurityToken of any ValueType but X509v3:
	// DeviceEnrollmentUserToken, a JWT …), given decoded with its
	// ValueType and the request that carries it; nil refuses Federated.
	// Changed: a DeviceEnrollmentUserToken that the message's XML
	// Signature names as its X.509 key, as in MS-MDE2's
	// RequestSecurityToken with certificate authentication, is read as
	// an X509v3 token (see Header.Token) and goes to X509Token, not here.
	Token func(ctx context.Context, t *FederatedToken) (*Identity, error)
	// Certificate checks the client certificate chain (leaf first) of the
	// Certificate policy; nil accepts certificates that Issuer issued and
	// that are valid now.
	Certificate func(ctx context.Context, chain []*x509.Certificate) (*Identity, error)
	// DisableCertificateAuth refuses the Certificate policy: a request
	// to GetPolicies or to issue that presents only a client
	// certificate is answered with an Authentication fault, and
	// Discover never offers Certificate. Without it, a Server with an
	// Issuer accepts the certificates it issued even when Certificate is
	// nil. Renewals, authenticated by the certificate being renewed, are
	// not affected.
	DisableCertificateAuth bool
	// ClientCertificates returns the request's client certificate chain,
	// leaf first (default: the TLS peer certificates). A server behind a
	// TLS-terminating proxy reads the proxy's header here. A nil
	// certificate among those it returns is the Server's error (an
	// InternalServiceFault).
	ClientCertificates func(r *http.Request) []*x509.Certificate
	// X509Token verifies the Certificate policy's credential as MS-MDE2
	// has Windows send it in a GetPolicies or RequestSecurityToken: the
	// certificate in a WS-Security BinarySecurityToken of ValueType
	// X509v3, proven by an XML Signature of the message (exclusive
	// canonicalization, enveloped, RSA-SHA256) whose KeyInfo refers to
	// the token (also a token of ValueType DeviceEnrollmentUserToken
	// that the KeyInfo's reference names an X.509 token, as MS-MDE2's
	// RequestSecurityToken with certificate authentication describes it,
	// which Header.Token then reads as X509v3). It is called for a request with such a token and no
	// client certificate from ClientCertificates or TLS (which wins
	// when both are sent), and returns the certificate chain, leaf
	// first, that Certificate then checks as a TLS one; an error (a
	// *Fault is sent as it is) refuses the request. The Server does not
	// verify XML signatures itself: without X509Token such a request is
	// answered with an Authentication fault, the reason logged.
	//
	// X509Token must verify that signature with the key of the
	// certificate in Data, over the message Body holds (its Timestamp
	// included), before it returns: a certificate is public (a device
	// shows it in every TLS handshake), so a hook that returns the
	// token's certificate unverified lets anyone who has seen it enroll
	// under it. The signed references must be the envelope's SOAP Body
	// (the Server refuses a second one) and its Timestamp, not elements
	// of the same Id elsewhere (XML Signature wrapping); Message is what
	// the Server read, and Data the token it read. The leaf
	// it returns must be the token's certificate (the DER of Data);
	// another leaf, or a nil certificate, is refused as the Server's
	// error (an InternalServiceFault), not the device's.
	X509Token func(ctx context.Context, t *X509Token) ([]*x509.Certificate, error)

	// Issuer signs the client certificates (required: without it, or
	// when its Root is nil or its Issue returns no certificate and no
	// error, the request is answered InternalServiceFault and the fault
	// logged on Logger). The certificate it issues must have the common
	// name of the subject asked for (IssueRequest.Subject), which the
	// server checked; it may add to the subject. A certificate with
	// another common name is not handed out: the request is answered
	// with a CertificateRequest fault, and the names logged.
	Issuer Issuer
	// Policy is the certificate policy GetPolicies returns and requests
	// are checked against (default DefaultPolicy()).
	Policy *CertificatePolicy
	// Approve, when set, has the last word on a verified request; it
	// returns a *Fault (such as ErrorDeviceCapReached) to refuse.
	Approve func(ctx context.Context, r *EnrollmentRequest) error
	// Subject chooses the issued certificate's subject (default: CN is
	// EnrollmentRequest.DeviceID(): the AdditionalContext DeviceID, else
	// the request's common name, else a new random UUID; under the
	// Certificate policy the subject of the authenticating certificate
	// (a new UUID when it has no common name); CN is the DeviceID a check
	// bound (Identity.DeviceID) whatever the policy; a renewal keeps the
	// old subject). The default's common name is the EntDMID DefaultProvision
	// writes, the name the MDM server later knows the device by from its
	// TLS certificate; a hook that chooses another should write that
	// EntDMID with a Provision hook too.
	// A common name that XML cannot carry, the hook's or the default's,
	// is refused with a CertificateRequest fault before issuing, as is,
	// with or without the hook, a request's common name standing in for a
	// missing DeviceID that is longer than Limits.MaxDeviceID or that XML
	// cannot carry.
	Subject func(r *EnrollmentRequest) pkix.Name
	// Provision returns the typed provisioning document for an issued
	// certificate (default: Server.DefaultProvision, whose EntDMID under
	// the Certificate policy is the authenticating certificate's common
	// name, not the DeviceID the request claims). It refuses the device
	// with a *Fault; any other error, as a document that
	// provisioning.Build refuses, is the server's: answered
	// InternalServiceFault and logged on Logger.
	Provision func(ctx context.Context, r *EnrollmentRequest, cert *x509.Certificate) (*provisioning.Enrollment, error)
	// Account holds the DM account settings DefaultProvision writes.
	Account Account
	// RenewWindow, when positive, accepts a renewal only within this time
	// before the current certificate expires (NotEligibleToRenew
	// otherwise).
	RenewWindow time.Duration

	// MaxClockSkew is how far apart the device's clock and the Server's
	// may be when a RequestSecurityToken's WS-Security Timestamp is
	// checked (default DefaultMaxClockSkew; negative allows none). A
	// Timestamp created later than now plus the skew, one that expired
	// earlier than now minus the skew, one that expires before it was
	// created or whose times are not dates is answered with an
	// InvalidSecurity fault. Changed: a time without a zone, which
	// xsd:dateTime allows, is read as UTC (it was refused). A request without a Timestamp is not
	// checked unless RequireTimestamp is set.
	MaxClockSkew time.Duration
	// RequireTimestamp refuses, with an InvalidSecurity fault, a
	// RequestSecurityToken without a Timestamp or whose Timestamp has no
	// Created (Windows sends both).
	RequireTimestamp bool
	// ReplayCacheSize bounds the MessageIDs of authenticated
	// RequestSecurityTokens the Server remembers to refuse a replay: a
	// request whose MessageID it has seen within ReplayWindow is
	// answered with an InvalidSecurity fault before Approve is called
	// (default DefaultReplayCacheSize; negative turns the check off).
	// When full the oldest MessageID is forgotten first, so a flood of
	// requests can shorten how long one is remembered; a request without
	// a MessageID is not checked. The memory is this Server's only:
	// several servers behind a load balancer each see a part of the
	// requests, and share a ReplayCache instead.
	ReplayCacheSize int
	// ReplayCache, when set, remembers the MessageIDs in place of the
	// Server's memory (ReplayCacheSize then bounds nothing, but negative
	// still turns the check off), for servers that share one: see
	// ReplayCache. The Server passes it ReplayWindow.
	ReplayCache ReplayCache
	// ReplayWindow is how long a MessageID is remembered (default
	// DefaultReplayWindow). Keep it above the Timestamp's validity plus
	// twice MaxClockSkew, so that a replay the Timestamp check lets
	// through is still remembered.
	ReplayWindow time.Duration

	// Limits bound request bodies, the AdditionalContext DeviceID and
	// DeviceName of a RequestSecurityToken (a longer one is answered with
	// a MessageFormat fault; a request's common name that stands in for a
	// missing DeviceID too, with a CertificateRequest fault) and the RSA
	// keys whose signatures are checked (a larger one is answered with a
	// CertificateRequest fault before any arithmetic).
	Limits Limits
	// ProvisioningLimits bound the provisioning document the Server
	// writes (see provisioning.MarshalLimits; zero fields take the
	// provisioning package's defaults). A document beyond them is not
	// sent: the request is answered InternalServiceFault and the limit
	// logged on Logger. Raise them for a Provision hook whose document
	// is larger, and a Client's ProvisioningLimits to read it.
	ProvisioningLimits provisioning.Limits
	// Now returns the current time (default time.Now).
	Now func() time.Time
	// Logger receives one record per request, "mde2 request", logged
	// with the request's context before the answer is written: Debug for
	// an answer; Warn for a request refused, with a fault its body or
	// credentials caused (an error of Password, Token or Certificate is
	// answered an Authentication fault and logged as "err"), a *Fault a
	// hook returned, or an HTTP error for its method, content type, size
	// or body; Error for an internal failure: a Server field missing or
	// unusable, an error of Approve, Provision or the Issuer that is not
	// a *Fault, an error of ReplayCache, a certificate the Issuer should
	// not have issued, an answer that cannot be written, a hook's *Fault whose Code or
	// ErrorType MS-MDE2 does not define (at Error the first time the
	// Server meets that Code or ErrorType, at Warn after that, the
	// record's "err" naming it each time; once MaxUndefinedFaults distinct
	// ones are remembered, a new one is logged at Warn). Its attributes: "service"
	// ("discovery", "policy" or "enrollment"), "status" (the HTTP
	// status), "message_id" (the request's MessageID, when read),
	// "activity_id" (the answer's ActivityID, which a fault also sends as
	// its TraceID), "fault" and "error_type" (what a fault sent), "err"
	// (the error). An answer whose writing fails adds a Warn record, "mde2
	// answer not written". Credentials are not logged, nor user names but
	// as a check's error gives them. Nil means no logging, as for the
	// module's other servers (session.ServerConfig.Logger,
	// discovery.Handler.Logger): set it, since an internal failure
	// reaches the device only as InternalServiceFault.
	Logger *slog.Logger
	// MaxUndefinedFaults bounds the Codes and ErrorTypes that MS-MDE2
	// does not define which the Server remembers having logged at Error
	// (see Logger), each Code and each ErrorType one (default
	// DefaultMaxUndefinedFaults). Past it a new one is logged at Warn
	// and not remembered, so that a hook making up ever new codes does
	// not grow the Server's memory.
	MaxUndefinedFaults int

	// undefined remembers the undefined fault codes and error types
	// already logged at Error (see Logger).
	undefined undefinedSeen
	// replay remembers recent MessageIDs (see ReplayCacheSize).
	replay replayCache
}

// Account holds the OMA DM account settings of the default provisioning
// document.
type Account struct {
	ProviderID string // w7 PROVIDER-ID and DMClient provider (default "WinDC")
	Name       string // w7 NAME (default ProviderID)
	Address    string // w7 ADDR: the DM server URL (required by the default)
	// Poll is the DMClient polling schedule (default: none written).
	Poll *provisioning.Poll
	// Renew is the CertificateStore renewal schedule (default: ROBO on,
	// renew 42 days before expiry, retry every 7 days).
	Renew *provisioning.Renew
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) policy() *CertificatePolicy {
	if s.Policy != nil {
		return s.Policy
	}
	return defaultPolicy
}

// defaultPolicy is the policy of a Server without one; it is only read.
var defaultPolicy = DefaultPolicy()

// logger returns the Server's Logger, or slog.Default().
func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return discardLogger
}

// discardLogger is the Logger of a Server whose Logger is nil.
var discardLogger = slog.New(slog.DiscardHandler)

// refused logs a request refused with an HTTP error (not a SOAP fault).
func (s *Server) refused(r *http.Request, service string, status int, err error) {
	s.logger().LogAttrs(r.Context(), slog.LevelWarn, "mde2 request", slog.String("service", service),
		slog.Int("status", status), slog.Any("err", err))
}

// failure is an error the Server answers with fault and logs at level
// with err, its cause: an Issuer's error answered CertificateRequest, a
// check's answered Authentication.
type failure struct {
	fault *Fault
	level slog.Level
	err   error
}

func (e *failure) Error() string { return e.err.Error() }

// DiscoveryHandler serves …/EnrollmentServer/Discovery.svc: GET answers
// 200 with an empty body (the device's probe), POST answers Discover.
func (s *Server) DiscoveryHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusOK)
		case http.MethodPost:
			var m Discover
			s.serve(w, r, serviceDiscovery, &m, func([]byte) (Message, error) { return s.discover(&m) })
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			if s != nil {
				s.refused(r, serviceDiscovery, http.StatusMethodNotAllowed, errors.New("method "+r.Method+" not allowed"))
			}
		}
	})
}

// PolicyHandler serves the MS-XCEP policy service (POST GetPolicies).
func (s *Server) PolicyHandler() http.Handler {
	return s.post(servicePolicy, func(w http.ResponseWriter, r *http.Request) {
		var m GetPolicies
		s.serve(w, r, servicePolicy, &m, func(body []byte) (Message, error) {
			if _, err := s.authenticate(r, &m, body); err != nil {
				return nil, err
			}
			return s.policy().response()
		})
	})
}

// EnrollmentHandler serves the MS-WSTEP enrollment service (POST
// RequestSecurityToken, issue or renew).
func (s *Server) EnrollmentHandler() http.Handler {
	return s.post(serviceEnrollment, func(w http.ResponseWriter, r *http.Request) {
		var m RequestSecurityToken
		s.serve(w, r, serviceEnrollment, &m, func(body []byte) (Message, error) { return s.enroll(r, &m, body) })
	})
}

// The services, as Logger's records name them.
const (
	serviceDiscovery  = "discovery"
	servicePolicy     = "policy"
	serviceEnrollment = "enrollment"
)

func (s *Server) post(service string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			if s != nil {
				s.refused(r, service, http.StatusMethodNotAllowed, errors.New("method "+r.Method+" not allowed"))
			}
			return
		}
		h(w, r)
	})
}

// serve reads the request into m, runs do and writes its answer or
// fault, after logging the request (see Server.Logger).
func (s *Server) serve(w http.ResponseWriter, r *http.Request, service string, m Message, do func(body []byte) (Message, error)) {
	if s == nil {
		// Nothing to log on: the fault's reason says it.
		if b, err := Marshal(NewFault(FaultInternalServiceFault, "", "the server is not configured (nil *Server)")); err == nil {
			_ = writeSOAP(w, http.StatusInternalServerError, b)
		}
		return
	}
	lim := s.Limits.withDefaults()
	if err := checkSOAPType(r.Header.Get("Content-Type")); err != nil {
		http.Error(w, err.Error(), http.StatusUnsupportedMediaType)
		s.refused(r, service, http.StatusUnsupportedMediaType, err)
		return
	}
	if r.ContentLength > lim.MaxBytes {
		err := pkg.Limit("MaxBytes", lim.MaxBytes, 0, "")
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		s.refused(r, service, http.StatusRequestEntityTooLarge, err)
		return
	}
	in := getBuf()
	defer putBuf(in)
	body, err := readBody(http.MaxBytesReader(w, r.Body, pastLimit(lim.MaxBytes)), lim.MaxBytes, r.ContentLength, *in)
	*in = body[:0]
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrLimit) {
			status = http.StatusRequestEntityTooLarge
			http.Error(w, err.Error(), status)
		} else {
			http.Error(w, "reading the request failed", status)
		}
		s.refused(r, service, status, err)
		return
	}
	var resp Message
	err = UnmarshalLimits(body, m, lim)
	if errors.As(err, new(*Fault)) {
		err = NewFault(FaultMessageFormat, "", "a fault is not a request")
	} else if err == nil {
		resp, err = do(body)
	}
	req := m.SOAPHeader()
	level := slog.LevelDebug
	if err != nil {
		var f *Fault
		f, level, err = s.toFault(err)
		resp = f
	}
	h := resp.SOAPHeader()
	h.RelatesTo = req.MessageID
	h.SOAP11 = false
	if h.ActivityID == "" {
		h.ActivityID = newID()
	}
	status := http.StatusOK
	if f, ok := resp.(*Fault); ok {
		if h.Action == "" {
			// As MS-MDE2's example: a fault carries the action of the
			// response it stands for.
			h.Action = responseAction(m)
		}
		status = http.StatusInternalServerError
		if f.TraceID == "" {
			f.TraceID = h.ActivityID
		}
	}
	if is, ok := resp.(*issued); ok {
		defer putBuf(is.doc)
	}
	out := getBuf()
	defer putBuf(out)
	b, werr := appendMessage(*out, resp)
	*out = b[:0]
	if werr != nil {
		// A value from a hook that XML cannot carry.
		level, err = slog.LevelError, errors.Join(pkg.Errorf("the answer cannot be written: %w", werr), err)
		activity := xmlSafe(h.ActivityID)
		f := NewFault(FaultInternalServiceFault, "", "the server failed to write its answer")
		f.Header = Header{Action: responseAction(m), RelatesTo: xmlSafe(req.MessageID), ActivityID: activity}
		f.TraceID = activity
		status, resp = http.StatusInternalServerError, f
		var merr error
		if b, merr = Marshal(resp); merr != nil {
			s.logRequest(r, service, level, status, req, resp, errors.Join(err, merr))
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	s.logRequest(r, service, level, status, req, resp, err)
	if err := writeSOAP(w, status, b); err != nil {
		s.logger().LogAttrs(r.Context(), slog.LevelWarn, "mde2 answer not written", slog.String("service", service),
			slog.String("activity_id", resp.SOAPHeader().ActivityID), slog.Any("err", err))
	}
}

// logRequest writes the record of a request answered (see
// Server.Logger): req is the request's header, resp the answer.
func (s *Server) logRequest(r *http.Request, service string, level slog.Level, status int, req *Header, resp Message, err error) {
	l := s.logger()
	ctx := r.Context()
	if !l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs, slog.String("service", service), slog.Int("status", status),
		slog.String("message_id", req.MessageID), slog.String("activity_id", resp.SOAPHeader().ActivityID))
	if f, ok := resp.(*Fault); ok {
		attrs = append(attrs, slog.String("fault", string(f.Code)))
		if f.ErrorType != "" {
			attrs = append(attrs, slog.String("error_type", string(f.ErrorType)))
		}
	}
	if err != nil {
		attrs = append(attrs, slog.Any("err", err))
	}
	l.LogAttrs(ctx, level, "mde2 request", attrs...)
}

// responseAction returns the action of the answer to a request.
func responseAction(m Message) string {
	switch m.(type) {
	case *Discover:
		return ActionDiscoverResponse
	case *GetPolicies:
		return ActionGetPoliciesResponse
	case *RequestSecurityToken:
		return ActionRequestSecurityTokenResponse
	}
	return ActionFault
}

// xmlSafe replaces what XML cannot carry (invalid UTF-8, control
// characters) with U+FFFD, for error texts that quote the input.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !xmlRune(r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// xmlRune reports whether XML can carry r: not a control character (but
// tab, line feed and carriage return), U+FFFE or U+FFFF.
func xmlRune(r rune) bool {
	return (r >= 0x20 || r == '\t' || r == '\n' || r == '\r') && r != 0xFFFE && r != 0xFFFF
}

// maxReason bounds the reason of a fault made from an error: decode
// errors name the open elements, whose names a peer chooses.
const maxReason = 512

// faultReason is the reason of a fault made from err: its text without
// the package's "mde2: " prefix, bounded (faultText). The prefix says
// which Go package made an error; a device reads the reason on the wire,
// and a Client adds the prefix once to the *Fault it returns ("mde2:
// fault CertificateRequest …: bad certificate request: …", not "mde2:
// mde2: bad certificate request").
func faultReason(err error) string { return reasonText(err.Error()) }

// reasonText is faultText of a fault's reason, without a leading "mde2: ".
func reasonText(s string) string { return faultText(strings.TrimPrefix(s, pkg.Prefix())) }

// faultText returns s with what XML cannot carry replaced, cut after
// maxReason bytes (at a character's start, then "…").
func faultText(s string) string {
	long := len(s) > maxReason
	if long {
		s = utf8cut.Prefix(s, maxReason)
	}
	if s = xmlSafe(s); len(s) > maxReason { // a byte replaced is 3
		s, long = utf8cut.Prefix(s, maxReason), true
	}
	if long {
		s += "…"
	}
	return s
}

// toFault maps an error to the fault answered, with the level and error
// to log: a failure's fault, a *Fault as MS-MDE2 allows it (answerable),
// refused input as MessageFormat or CertificateRequest (Warn), anything
// else as InternalServiceFault (Error).
func (s *Server) toFault(err error) (*Fault, slog.Level, error) {
	if e, ok := errors.AsType[*failure](err); ok {
		return e.fault, e.level, e.err
	}
	if f, ok := errors.AsType[*Fault](err); ok {
		return s.answerable(f)
	}
	if errors.Is(err, ErrSyntax) || errors.Is(err, ErrStructure) || errors.Is(err, ErrLimit) || errors.Is(err, ErrVersion) {
		return NewFault(FaultMessageFormat, "", faultReason(err)), slog.LevelWarn, err
	}
	if errors.Is(err, ErrCSR) || errors.Is(err, ErrPKCS7) {
		return NewFault(FaultCertificateRequest, "", faultReason(err)), slog.LevelWarn, err
	}
	return NewFault(FaultInternalServiceFault, "", "the server failed to process the request"), slog.LevelError, err
}

// maxUndefinedFaults returns MaxUndefinedFaults or its default.
func (s *Server) maxUndefinedFaults() int {
	if s.MaxUndefinedFaults > 0 {
		return s.MaxUndefinedFaults
	}
	return DefaultMaxUndefinedFaults
}

// answerable returns the fault answered for f, a hook's or the
// server's: its Code and ErrorType those of MS-MDE2 (matched without
// regard to case and prefix; an unknown Code is InternalServiceFault, an
// unknown ErrorType left out, both logged), its texts bounded
// (faultText), its Header empty (the server's own is written). It is
// logged at Warn (the hook chose it), the error logged being the fault
// answered; at Error the first time the Server meets an unknown Code or
// ErrorType (s.undefined), since a hook keeps returning the same one.
func (s *Server) answerable(f *Fault) (*Fault, slog.Level, error) {
	c := &Fault{Sender: f.Sender, Code: faultCode(string(f.Code)), ErrorType: errorType(string(f.ErrorType)),
		Reason: reasonText(f.Reason), Message: faultText(f.Message), TraceID: faultText(f.TraceID)}
	var undefined []error
	level := slog.LevelWarn
	if c.Code.HRESULT() == 0 {
		code := faultText(string(f.Code))
		undefined = append(undefined, pkg.Errorf("a fault with the code %q, which MS-MDE2 does not define, is answered %s", code, FaultInternalServiceFault))
		c.Code = FaultInternalServiceFault
		if s.undefined.first("code "+code, s.maxUndefinedFaults()) {
			level = slog.LevelError
		}
	}
	if c.ErrorType != "" && c.ErrorType.HRESULT() == 0 {
		et := faultText(string(f.ErrorType))
		undefined = append(undefined, pkg.Errorf("a fault with the error type %q, which MS-MDE2 does not define, is answered without it", et))
		c.ErrorType = ""
		if s.undefined.first("type "+et, s.maxUndefinedFaults()) {
			level = slog.LevelError
		}
	}
	if undefined != nil {
		return c, level, errors.Join(append(undefined, c)...)
	}
	return c, level, c
}

func (s *Server) discover(m *Discover) (Message, error) {
	// The Server's own configuration first: what it cannot serve is its
	// failure, not the device's.
	if _, err := s.root(); err != nil {
		return nil, err
	}
	// A malformed HighestVersion, or one below the lowest MS-MDE2 gives
	// a server, is the Server's failure too (NegotiateVersion's
	// ErrVersion would be answered MessageFormat, blaming the request).
	if hi, err := parseVersion(cmp.Or(s.HighestVersion, HighestEnrollmentVersion)); err != nil {
		return nil, &configError{"Server.HighestVersion: " + strings.TrimPrefix(err.Error(), pkg.Prefix())}
	} else if lo, _ := parseVersion(LowestEnrollmentVersion); hi < lo {
		return nil, &configError{fmt.Sprintf("Server.HighestVersion %s is below LowestEnrollmentVersion %s", quoted(s.HighestVersion), LowestEnrollmentVersion)}
	}
	switch {
	case s.PolicyURL == "":
		return nil, &configError{"Server.PolicyURL is not set"}
	case s.EnrollmentURL == "":
		return nil, &configError{"Server.EnrollmentURL is not set"}
	}
	policy, err := s.discoverPolicy(m.AuthPolicies)
	if err != nil {
		return nil, err
	}
	v, err := NegotiateVersion(m.RequestVersion, s.HighestVersion)
	if err != nil {
		return nil, err
	}
	resp := &DiscoverResponse{
		AuthPolicy:                 policy,
		EnrollmentVersion:          v,
		EnrollmentPolicyServiceURL: s.PolicyURL,
		EnrollmentServiceURL:       s.EnrollmentURL,
	}
	if policy == Federated {
		resp.AuthenticationServiceURL = s.AuthenticationURL
	}
	return resp, nil
}

// discoverPolicy chooses the policy a DiscoverResponse names for a
// device that lists offered (see Server.AuthPolicy): the Server's
// AuthPolicy when set and served, else the first of OnPremise, Federated
// and Certificate that the Server serves and the device lists.
func (s *Server) discoverPolicy(offered []AuthPolicy) (AuthPolicy, error) {
	if p := s.AuthPolicy; p != "" {
		if err := s.checkFor(p); err != nil {
			return "", err
		}
		if len(offered) > 0 && !slices.Contains(offered, p) {
			return "", NewFault(FaultMessageFormat, ErrorNotSupported, "the device does not support the "+string(p)+" policy")
		}
		return p, nil
	}
	served := false
	for _, p := range [...]AuthPolicy{OnPremise, Federated, Certificate} {
		if s.checkFor(p) != nil {
			continue
		}
		served = true
		if len(offered) == 0 || slices.Contains(offered, p) {
			return p, nil
		}
	}
	if !served {
		return "", &configError{"the Server serves no authentication policy: set Password (OnPremise), Token and AuthenticationURL (Federated), or leave DisableCertificateAuth unset (Certificate)"}
	}
	return "", NewFault(FaultMessageFormat, ErrorNotSupported, "the device supports none of the policies this server serves")
}

// checkFor returns a configError when the Server cannot serve policy:
// OnPremise needs Password, Federated needs Token (and, to be offered in
// Discover, AuthenticationURL), and Certificate must not be disabled
// and needs Certificate or, by default, the Issuer's root.
func (s *Server) checkFor(policy AuthPolicy) error {
	switch policy {
	case OnPremise:
		if s.Password == nil {
			return &configError{"Server.Password is not set (the OnPremise policy needs it)"}
		}
	case Federated:
		if s.Token == nil {
			return &configError{"Server.Token is not set (the Federated policy needs it)"}
		}
		if s.AuthenticationURL == "" {
			return &configError{"Server.AuthenticationURL is not set (the Federated policy needs it)"}
		}
	case Certificate:
		if s.DisableCertificateAuth {
			return &configError{"Server.DisableCertificateAuth is set (the Certificate policy is off)"}
		}
		if s.Certificate == nil {
			if _, err := s.root(); err != nil {
				return &configError{strings.TrimPrefix(err.Error(), "mde2: ") + " (the Certificate policy without Server.Certificate checks certificates against it)"}
			}
		}
	default:
		return &configError{"Server.AuthPolicy " + quoted(string(policy)) + " is not a policy of MS-MDE2"}
	}
	return nil
}

// authenticate checks the credentials of a request.
func (s *Server) authenticate(r *http.Request, m Message, body []byte) (*Identity, error) {
	ctx := r.Context()
	h := m.SOAPHeader()
	var id *Identity
	var err error
	switch {
	case h.UsernameToken != nil:
		if s.Password == nil {
			return nil, NewFault(FaultAuthentication, "", "OnPremise authentication is not accepted")
		}
		id, err = s.Password(ctx, h.UsernameToken.Username, h.UsernameToken.Password)
		if id = ownIdentity(id); id != nil && id.Policy == "" {
			id.Policy = OnPremise
		}
	case h.Token != nil && h.Token.ValueType != ValueTypeX509v3 && h.Token.ValueType != "X509v3":
		if s.Token == nil {
			return nil, NewFault(FaultAuthentication, "", "Federated authentication is not accepted")
		}
		tok, derr := h.Token.Bytes()
		if derr != nil {
			return nil, NewFault(FaultInvalidSecurity, "", "the security token is not base64")
		}
		id, err = s.Token(ctx, &FederatedToken{Data: tok, ValueType: h.Token.ValueType, EncodingType: h.Token.EncodingType, Message: m, HTTP: r})
		if id = ownIdentity(id); id != nil && id.Policy == "" {
			id.Policy = Federated
		}
	default:
		var chain []*x509.Certificate
		if chain, err = s.clientCerts(r); err != nil {
			break
		}
		if len(chain) == 0 && h.Token != nil {
			// a WS-Security X509v3 token, as MS-MDE2 has the device
			// send its certificate under the Certificate policy
			if s.DisableCertificateAuth {
				return nil, NewFault(FaultAuthentication, "", "Certificate authentication is not accepted")
			}
			if chain, err = s.x509Token(r, m, body); err != nil {
				break
			}
		}
		if len(chain) == 0 {
			return nil, NewFault(FaultAuthentication, "", "no credentials")
		}
		if s.DisableCertificateAuth {
			return nil, NewFault(FaultAuthentication, "", "Certificate authentication is not accepted")
		}
		id, err = s.checkCertificate(ctx, chain)
	}
	if err != nil {
		var f *Fault
		if errors.As(err, &f) {
			return nil, f
		}
		if _, ok := errors.AsType[*configError](err); ok {
			return nil, err // the server's fault, not the credentials'
		}
		return nil, &failure{NewFault(FaultAuthentication, "", "authentication failed"), slog.LevelWarn, err}
	}
	if id == nil {
		return nil, NewFault(FaultAuthentication, "", "authentication failed")
	}
	return id, nil
}

// ownIdentity returns a copy of an Identity a check returned, for the
// server to complete: a check may hand the same value to many requests.
func ownIdentity(id *Identity) *Identity {
	if id == nil {
		return nil
	}
	c := *id
	return &c
}

// x509Token returns the certificate chain that X509Token verified for
// the X509v3 BinarySecurityToken of m's header; an error when there is
// no X509Token, when the token is not base64, or when X509Token refused
// it or returned no chain.
func (s *Server) x509Token(r *http.Request, m Message, body []byte) ([]*x509.Certificate, error) {
	h := m.SOAPHeader()
	if s.X509Token == nil {
		return nil, errors.New("the request authenticates with a WS-Security X509v3 token and no TLS client certificate: " +
			"Server.X509Token is nil, so its message signature is not verified")
	}
	der, err := h.Token.Bytes()
	if err != nil {
		return nil, NewFault(FaultInvalidSecurity, "", "the security token is not base64")
	}
	chain, err := s.X509Token(r.Context(), &X509Token{Data: der, Body: body, Message: m, HTTP: r})
	switch {
	case err != nil:
		return nil, err
	case len(chain) == 0:
		return nil, errors.New("Server.X509Token returned no certificate and no error")
	case slices.Contains(chain, nil):
		return nil, &configError{"Server.X509Token returned a nil certificate"}
	case !bytes.Equal(chain[0].Raw, der):
		// the signature X509Token verified is the token's: another
		// leaf would authenticate the request as someone else
		return nil, &configError{"Server.X509Token returned a chain whose leaf is not the token's certificate"}
	}
	return chain, nil
}

// clientCerts returns the request's client certificate chain, from
// ClientCertificates or TLS; a configError when ClientCertificates
// returned a nil certificate.
func (s *Server) clientCerts(r *http.Request) ([]*x509.Certificate, error) {
	if s.ClientCertificates != nil {
		chain := s.ClientCertificates(r)
		if slices.Contains(chain, nil) {
			return nil, &configError{"Server.ClientCertificates returned a nil certificate"}
		}
		return chain, nil
	}
	if r.TLS != nil {
		return r.TLS.PeerCertificates, nil
	}
	return nil, nil
}

func (s *Server) checkCertificate(ctx context.Context, chain []*x509.Certificate) (*Identity, error) {
	if s.Certificate != nil {
		id, err := s.Certificate(ctx, chain)
		if id = ownIdentity(id); id != nil {
			id.Policy = Certificate
			if id.Certificate == nil {
				id.Certificate = chain[0]
			}
		}
		return id, err
	}
	if err := s.issuedHere(chain[0], chain[1:]); err != nil {
		return nil, err
	}
	return &Identity{Name: chain[0].Subject.CommonName, Policy: Certificate, Certificate: chain[0]}, nil
}

// issuedHere verifies that cert was issued by the Issuer and is valid now.
func (s *Server) issuedHere(cert *x509.Certificate, inter []*x509.Certificate) error {
	root, err := s.root()
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	pool := x509.NewCertPool()
	for _, c := range inter {
		pool.AddCert(c)
	}
	_, err = cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: s.now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return NewFault(FaultAuthentication, "", "the client certificate was not issued by this service or is not valid")
	}
	return nil
}

func (s *Server) enroll(r *http.Request, m *RequestSecurityToken, body []byte) (Message, error) {
	ctx := r.Context()
	if _, err := s.root(); err != nil {
		return nil, err
	}
	if err := s.checkTimestamp(&m.Header); err != nil {
		return nil, err
	}
	er := &EnrollmentRequest{Message: m, Device: m.Context.Device(), HTTP: r}
	switch m.RequestType {
	case RequestTypeIssue:
		id, err := s.authenticate(r, m, body)
		if err != nil {
			return nil, err
		}
		er.Identity = id
		if id.DeviceID != "" && er.Device.DeviceID != id.DeviceID {
			return nil, NewFault(FaultAuthorization, "", "the DeviceID is not the one the credentials were issued to")
		}
		if m.Token.ValueType != ValueTypePKCS10 && m.Token.ValueType != "" {
			return nil, NewFault(FaultMessageFormat, "", "the request token is not PKCS#10")
		}
		der, err := m.Token.Bytes()
		if err != nil {
			return nil, NewFault(FaultMessageFormat, "", "the request token is not base64")
		}
		if er.CSR, err = parseCSR(der, s.Limits); err != nil {
			return nil, NewFault(FaultCertificateRequest, "", faultReason(err))
		}
	case RequestTypeRenew:
		if err := s.renewal(r, m, er); err != nil {
			return nil, err
		}
	default:
		return nil, NewFault(FaultMessageFormat, "", "unknown RequestType")
	}
	// After authentication, so that unauthenticated requests cannot push
	// the MessageIDs of real ones out of the cache.
	if err := s.checkReplay(ctx, &m.Header); err != nil {
		return nil, err
	}
	if err := s.policy().check(er.CSR); err != nil {
		return nil, err
	}
	if err := s.nameDevice(er); err != nil {
		return nil, err
	}
	if s.Approve != nil {
		if err := s.Approve(ctx, er); err != nil {
			return nil, err
		}
	}
	subject, err := s.subject(er)
	if err != nil {
		return nil, err
	}
	cert, err := s.Issuer.Issue(ctx, &IssueRequest{CSR: er.CSR, Subject: subject, Renewal: er.Renewal, Previous: er.Previous})
	if err != nil {
		var f *Fault
		if errors.As(err, &f) {
			return nil, f
		}
		return nil, &failure{NewFault(FaultCertificateRequest, "", "the certificate could not be issued"), slog.LevelError,
			pkg.Errorf("Server.Issuer: %w", err)}
	}
	if cert == nil {
		return nil, &configError{"Server.Issuer returned no certificate and no error"}
	}
	if cns := commonNames(cert.Subject); len(cns) != 1 || cns[0] != subject.CommonName {
		// The device is known by its certificate's common name (at
		// renewal, under the Certificate policy): it gets the one chosen
		// and checked above, not another device's, nor one beside it
		// (x509 reads the last of several, other readers the first).
		return nil, &failure{NewFault(FaultCertificateRequest, "", "the certificate could not be issued"), slog.LevelError,
			pkg.Errorf("Server.Issuer issued a certificate for the common name(s) %q, not %q as asked", cns, subject.CommonName)}
	}
	prov := s.Provision
	if prov == nil {
		prov = s.DefaultProvision
	}
	// The document is the server's, not the device's: an error making it
	// is answered InternalServiceFault (and logged), also when it wraps
	// ErrSyntax or ErrLimit, which toFault would blame on the request;
	// a hook refuses the device with a *Fault.
	pe, err := prov(ctx, er, cert)
	if err != nil {
		if _, ok := errors.AsType[*Fault](err); ok {
			return nil, err
		}
		return nil, &configError{"provisioning the device: " + strings.TrimPrefix(err.Error(), "mde2: ")}
	}
	doc, err := provisioning.Build(pe)
	if err != nil {
		return nil, &configError{"the provisioning document: " + err.Error()}
	}
	var buf *[]byte
	var text []byte
	if s.ProvisioningLimits == (provisioning.Limits{}) {
		// the defaults, into a pooled buffer
		buf = getBuf()
		text, err = doc.AppendText(*buf)
		if err != nil {
			putBuf(buf)
		}
	} else {
		text, err = provisioning.MarshalLimits(doc, s.ProvisioningLimits)
		buf = new([]byte)
	}
	if err != nil {
		if errors.Is(err, provisioning.ErrLimit) {
			// the server's document, not the device's request
			return nil, &configError{"the provisioning document is beyond Server.ProvisioningLimits: " + err.Error()}
		}
		return nil, err
	}
	*buf = text
	return &issued{RequestSecurityTokenResponse{
		TokenType: TokenTypeDeviceEnrollment,
		Token:     BinarySecurityToken{ValueType: ValueTypeProvisionDoc, EncodingType: EncodingTypeBase64},
		RequestID: "0",
	}, buf}, nil
}

// renewal verifies a renewal: a PKCS#7 signed by the current certificate,
// or a PKCS#10 over a TLS connection authenticated by it.
func (s *Server) renewal(r *http.Request, m *RequestSecurityToken, er *EnrollmentRequest) error {
	der, err := m.Token.Bytes()
	if err != nil {
		return NewFault(FaultMessageFormat, "", "the request token is not base64")
	}
	tls, err := s.clientCerts(r)
	if err != nil {
		return err
	}
	var prev *x509.Certificate
	var inter []*x509.Certificate
	switch m.Token.ValueType {
	case ValueTypePKCS7:
		// Manual renewal base64-encodes the PKCS#7 once more.
		if len(der) > 0 && der[0] != 0x30 {
			if inner, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(der))); err == nil {
				der = inner
			}
		}
		rr, err := ParseRenewalRequestLimits(der, s.Limits)
		if err != nil {
			return NewFault(FaultCertificateRequest, "", faultReason(err))
		}
		prev, er.CSR = rr.Signer, rr.CSR
		if len(tls) > 0 && !tls[0].Equal(prev) {
			return NewFault(FaultAuthentication, "", "the renewal is signed by another certificate than the client's")
		}
		if len(tls) > 1 {
			inter = tls[1:]
		}
	case ValueTypePKCS10, "":
		if len(tls) == 0 {
			return NewFault(FaultAuthentication, "", "a PKCS#10 renewal needs the client certificate")
		}
		if er.CSR, err = ParseCertificateRequestLimits(der, s.Limits); err != nil {
			return NewFault(FaultCertificateRequest, "", faultReason(err))
		}
		prev, inter = tls[0], tls[1:]
	default:
		return NewFault(FaultMessageFormat, "", "the renewal token is neither PKCS#7 nor PKCS#10")
	}
	if err := s.issuedHere(prev, inter); err != nil {
		return err
	}
	if s.RenewWindow > 0 && s.now().Before(prev.NotAfter.Add(-s.RenewWindow)) {
		return NewFault(FaultAuthorization, ErrorNotEligibleToRenew, "the certificate is not in its renewal period")
	}
	er.Renewal, er.Previous = true, prev
	er.Identity = &Identity{Name: prev.Subject.CommonName, Policy: Certificate, Certificate: prev}
	return nil
}

// subject returns the issued certificate's subject (see Server.Subject).
// Its common name, whether the hook or the default chose it, must be
// text XML can carry, since the provisioning document names it; it is
// checked here, the one place every subject passes before it is issued.
func (s *Server) subject(er *EnrollmentRequest) (pkix.Name, error) {
	var name pkix.Name
	if s.Subject != nil {
		name = s.Subject(er)
	} else {
		var err error
		if name, err = s.defaultSubject(er); err != nil {
			return name, err
		}
	}
	if !xmlText(name.CommonName) {
		return name, NewFault(FaultCertificateRequest, "", "the common name holds characters XML cannot carry")
	}
	return name, nil
}

// defaultSubject is the subject of a Server without a Subject hook: the
// previous certificate's for a renewal, the authenticating
// certificate's under the Certificate policy when it names the device
// (its common name is then er.DeviceID()), else the common name
// er.DeviceID() alone.
func (s *Server) defaultSubject(er *EnrollmentRequest) (pkix.Name, error) {
	switch id := er.Identity; {
	case er.Renewal:
		return er.Previous.Subject, nil
	case id != nil && id.DeviceID == "" && id.Policy == Certificate && id.Certificate != nil && id.Certificate.Subject.CommonName != "":
		return id.Certificate.Subject, nil
	}
	// The credentials' DeviceID (under any policy: the check vouched for
	// it, and the certificate names the device as the EntDMID does), the
	// request's, or the one nameDevice generated.
	return pkix.Name{CommonName: er.DeviceID()}, nil
}

// nameDevice sets the DeviceID of a request to issue (see
// EnrollmentRequest.DeviceID), before any hook sees it: the credentials'
// DeviceID; else, under the Certificate policy, the authenticating
// certificate's common name; else (OnPremise, Federated) the request's
// DeviceID, or the certificate request's common name when it sent none.
// When none of these names the device, the Server names it: a new random
// UUID, so that no device is provisioned without an EntDMID (the DMClient
// CSP wants one set by the server before a renewal) nor two with the
// same. A common name standing in for the DeviceID is bounded as the
// DeviceID is (MaxDeviceID) and must be text XML can carry, or the
// request is refused with a CertificateRequest fault.
func (s *Server) nameDevice(er *EnrollmentRequest) error {
	if er.Renewal {
		return nil
	}
	id := er.Identity
	var name string
	switch {
	case id != nil && id.DeviceID != "":
		name = id.DeviceID
	case id != nil && id.Policy == Certificate && id.Certificate != nil:
		// Not the request's DeviceID, which the certificate does not
		// vouch for: a device cannot take another one's name.
		name = id.Certificate.Subject.CommonName
	case er.Device.DeviceID != "":
		name = er.Device.DeviceID
	default:
		name = er.CSR.CommonName()
		if lim := s.Limits.withDefaults().MaxDeviceID; len(name) > lim {
			return NewFault(FaultCertificateRequest, "", fmt.Sprintf("the request's common name is longer than MaxDeviceID (%d bytes)", lim))
		}
		if !xmlText(name) {
			return NewFault(FaultCertificateRequest, "", "the common name holds characters XML cannot carry")
		}
	}
	if name == "" {
		name = newDeviceID()
	}
	er.deviceID = name
	return nil
}

// newDeviceID returns a random (version 4) UUID, in the form Windows
// gives its own device IDs.
func newDeviceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return strings.ToUpper(string(out[:]))
}

// xmlText reports whether s is text XML can carry: valid UTF-8 without
// control characters (but tab, line feed and carriage return), U+FFFE or
// U+FFFF.
func xmlText(s string) bool {
	for i, r := range s {
		if !xmlRune(r) {
			return false
		}
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return false
			}
		}
	}
	return true
}

// configError reports a Server field that is missing or unusable: the
// server's fault wherever it is met, answered InternalServiceFault and
// logged, never blamed on the device's request or credentials.
type configError struct{ msg string }

func (e *configError) Error() string { return "mde2: " + e.msg }

// root returns the Issuer's root certificate, or a configError when the
// Issuer is not set or has no root.
func (s *Server) root() (*x509.Certificate, error) {
	if s.Issuer == nil {
		return nil, &configError{"Server.Issuer is not set"}
	}
	root := s.Issuer.Root()
	if root == nil {
		return nil, &configError{"Server.Issuer has no root certificate (its Root returned nil)"}
	}
	return root, nil
}

// DefaultProvision returns the provisioning document of an issued
// certificate: the Issuer's root, the client certificate in My/User (My/System
// when the AdditionalContext EnrollmentType is Device) with the renewal
// schedule, the w7 APPLICATION (Account.Address, APPAUTH
// CLIENT and APPSRV with fresh random secrets, the certificate selected
// by subject, DEFAULTENCODING XML) and the DMClient provider (EntDMID,
// EntDeviceName the AdditionalContext DeviceName, which Limits.MaxDeviceName
// bounds, Poll). A renewal's
// document carries the new certificate only.
//
// EntDMID is r.DeviceID(): the AdditionalContext DeviceID, except under
// the Certificate policy, where it is the common name of the certificate
// that authenticated the request (see EnrollmentRequest.DeviceID; the
// Server names an unnamed device). A request that names no device, which
// the Server never hands it, is an error: no document has an empty
// EntDMID.
func (s *Server) DefaultProvision(ctx context.Context, r *EnrollmentRequest, cert *x509.Certificate) (*provisioning.Enrollment, error) {
	if r.Renewal {
		return &provisioning.Enrollment{ClientCert: cert.Raw}, nil
	}
	a := s.Account
	if a.Address == "" {
		return nil, &configError{"Server.Account.Address (the DM server URL) is not set"}
	}
	root, err := s.root()
	if err != nil {
		return nil, err
	}
	if a.ProviderID == "" {
		a.ProviderID = "WinDC"
	}
	if a.Name == "" {
		a.Name = a.ProviderID
	}
	// the parts of the document in one allocation
	p := &struct {
		e              provisioning.Enrollment
		roots          [1][]byte
		renew          provisioning.Renew
		robo           bool
		period, retry  time.Duration
		app            provisioning.Application
		client, appSrv provisioning.AppAuth
		dm             provisioning.DMClient
	}{}
	e := &p.e
	e.ClientCert = cert.Raw
	p.roots[0] = root.Raw
	e.RootCerts = p.roots[:]
	e.Renew = a.Renew
	if e.Renew == nil {
		p.robo, p.period, p.retry = true, 42*24*time.Hour, 7*24*time.Hour
		p.renew = provisioning.Renew{ROBOSupport: &p.robo, RenewPeriod: &p.period, RetryInterval: &p.retry}
		e.Renew = &p.renew
	}
	store := `My\User`
	if strings.EqualFold(r.Device.EnrollmentType, "Device") {
		// A device enrollment keeps its certificate in the machine store.
		e.ClientStore, store = provisioning.StoreSystem, `My\System`
	}
	ids := randomHex(3)
	const n = 32
	p.client = provisioning.AppAuth{Type: "DIGEST", Secret: ids[:n], Data: []byte(ids[n : 2*n])}
	p.appSrv = provisioning.AppAuth{Type: "BASIC", Name: cert.Subject.CommonName, Secret: ids[2*n:]}
	p.app = provisioning.Application{
		ProviderID:                  a.ProviderID,
		Name:                        a.Name,
		Addr:                        a.Address,
		BackCompatRetryDisabled:     true,
		SSLClientCertSearchCriteria: provisioning.SearchCriteria(subjectString(cert.Subject), store),
		Client:                      &p.client,
		AppSrv:                      &p.appSrv,
	}
	e.Application = &p.app
	entDMID := r.DeviceID()
	if entDMID == "" {
		return nil, pkg.Errorf("DefaultProvision: the request names no device (EnrollmentRequest.DeviceID is empty), so there is no EntDMID to write")
	}
	p.dm = provisioning.DMClient{EntDMID: entDMID, EntDeviceName: r.Device.DeviceName, Poll: a.Poll}
	e.DMClient = &p.dm
	return e, nil
}

// DeviceID returns the device as the server knows it, which
// DefaultProvision writes as the DMClient EntDMID and the default
// Subject as the issued certificate's common name:
//   - the credentials' DeviceID, when the check bound one
//     (Identity.DeviceID; the request's DeviceID is then that one),
//     whatever the policy;
//   - else, under the Certificate policy and for a renewal, the common
//     name of the certificate that authenticated the request, not the
//     DeviceID the request claims;
//   - else the request's AdditionalContext DeviceID, or, when it sent
//     none, its certificate request's common name;
//   - else, when nothing names the device (nor a certificate without a
//     common name), a new random UUID the Server made up, the same for
//     every hook of the request.
//
// MS-MDE2 leaves the EntDMID to the server (the DMClient CSP has the
// server set it while enrolling, and wants it set before a renewal) and
// does not tie the request's DeviceID to the credentials: under
// OnPremise and Federated the credentials are a user's and the DeviceID
// is the device's word, but a certificate is already a device's
// identity, and writing the DeviceID it claims would let a device
// enrolled as A have B's DeviceID set as its EntDMID. A request is not
// refused for the difference: a certificate from another PKI (a linked
// enrollment's parent MDM certificate) rightly names the device
// otherwise. The issued certificate's common name is this value too, so
// the certificate the device presents in its DM sessions and its
// EntDMID name it alike.
//
// The Server sets the value before any hook runs; for a request built
// elsewhere DeviceID follows the first three rules (without the
// certificate request's common name) and may be empty, as it is for a
// renewal whose certificate has no common name (a renewal's document
// writes no EntDMID).
func (r *EnrollmentRequest) DeviceID() string {
	if r.deviceID != "" {
		return r.deviceID
	}
	if id := r.Identity; id != nil {
		if id.DeviceID != "" {
			return id.DeviceID
		}
		if id.Policy == Certificate && id.Certificate != nil {
			return id.Certificate.Subject.CommonName
		}
	}
	return r.Device.DeviceID
}

// subjectString is name.String() (RFC 2253), without its cost for the
// usual subject: one common name that needs no escaping.
func subjectString(name pkix.Name) string {
	if len(name.Names) == 1 && len(name.ExtraNames) == 0 && name.Names[0].Type.Equal(oidCommonName) {
		if cn, ok := name.Names[0].Value.(string); ok && cn != "" && cn == name.CommonName && plainRDN(cn) {
			return "CN=" + cn
		}
	}
	return name.String()
}

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// plainRDN reports whether an attribute value is written in RFC 2253
// without escapes: letters, digits, '-', '.', '_' and inner spaces.
func plainRDN(s string) bool {
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == ' ') {
			return false
		}
	}
	return true
}

// parseCSR reads the request of an issue; the enrollment benchmark
// wraps it to time request verification apart.
var parseCSR = ParseCertificateRequestLimits

// newID returns 16 random bytes in hex.
func newID() string { return randomHex(1) }

// randomHex returns n IDs of 16 random bytes (n at most 3) in hex, side
// by side (32 characters each), from one read.
func randomHex(n int) string {
	var raw [3 * 16]byte
	_, _ = rand.Read(raw[:16*n])
	var out [3 * 32]byte
	hex.Encode(out[:], raw[:16*n])
	return string(out[:32*n])
}

// commonNames returns the values of every CN attribute of name, in order
// (pkix.Name.CommonName holds only the last).
func commonNames(name pkix.Name) []string {
	var cns []string
	for _, a := range name.Names {
		if a.Type.Equal(oidCommonName) {
			v, _ := a.Value.(string)
			cns = append(cns, v)
		}
	}
	return cns
}

package mde2

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2/provisioning"
	"github.com/windc-go/windc/internal/httpredirect"
)

// Client runs MS-MDE2 on the device side: Discover (after a GET probe),
// GetPolicies and RequestSecurityToken with a generated key, and renewal.
type Client struct {
	// HTTPClient sends the requests (default http.DefaultClient, which
	// has no timeout: the context given to each method then bounds the
	// exchange, so give it a deadline). When a
	// TLS client certificate is needed (the Certificate policy,
	// renewal), a copy of its *http.Transport (or of the default one)
	// presents it, whichever CAs the server's TLS request names and in
	// place of the transport's own client certificates.
	HTTPClient *http.Client
	// KeyType is the key generated for the request. The default,
	// KeyFromPolicy, makes the key the certificate policy asks for (RSA of
	// at least 2048 bits unless it names an ECDSA algorithm), and for a
	// renewal a key like the one renewed.
	KeyType KeyType
	// Limits bound the responses read and what the Client sends: a
	// Device whose DeviceID or DeviceName (the fields, or items of those
	// names in Device.Context) is longer than MaxDeviceID or MaxDeviceName,
	// or a request longer than MaxBytes, is refused with a *LimitError
	// before anything is sent, since a Server with the same Limits (the
	// defaults are the same) would refuse it. Raise them together with
	// the Server's.
	Limits Limits
	// ProvisioningLimits bound the provisioning document read from the
	// enrollment response (see provisioning.UnmarshalLimits; zero fields
	// take the provisioning package's defaults). Raise them with a
	// Server's ProvisioningLimits; Limits.MaxBytes still bounds the
	// response that carries the document.
	ProvisioningLimits provisioning.Limits
	// Rand is the randomness for keys and signatures (default
	// crypto/rand).
	Rand io.Reader
	// UserAgent is sent with every request (default "windc-mde2").
	UserAgent string
	// URLs is checked before anything is sent to a service URL, the ones
	// a DiscoverResponse or the discovery JSON names included, so that a
	// password or token never goes over plain HTTP. The zero value,
	// like discovery.Client's, admits https to any host only; set
	// AllowLoopbackHTTP for tests and local development over http.
	// Redirects are followed only to URLs that meet it, at most 10
	// unless HTTPClient.CheckRedirect is set, which then decides, and
	// only when they keep the method: a 301, 302 or 303 of a POST fails
	// with an error matching ErrHTTPStatus (Changed: net/http followed it
	// with a GET without the body, whose answer was taken for the
	// service's). Errors match discovery.ErrInsecureURL, discovery.ErrHostNotAllowed
	// or discovery.ErrURL.
	URLs discovery.URLPolicy
}

// timestampValidity is how long after its creation the Timestamp a
// Client sends with a RequestSecurityToken expires: five minutes, as
// Windows writes it.
const timestampValidity = 5 * time.Minute

// checkURL applies the Client's URLPolicy to a service URL.
func (c *Client) checkURL(u string) error {
	if err := c.URLs.Check(u); err != nil {
		return pkg.Errorf("service URL: %w", err)
	}
	return nil
}

// Credentials authenticate the device under one policy: Username and
// Password for OnPremise, Token for Federated (the token the
// authentication service or Entra gave, sent base64), Certificate for the
// Certificate policy (presented as the TLS client certificate).
type Credentials struct {
	Username string
	Password string
	Token    []byte
	// TokenType is the header token's ValueType (default
	// ValueTypeUserToken; ValueTypeJWT for an Entra token).
	TokenType   string
	Certificate *tls.Certificate
}

// defaultRequestVersion is the version a Device without RequestVersion
// asks for, in Discover and, when the server names none, in enrollment.
const defaultRequestVersion = "5.0"

// Device is what the device says about itself in Discover and in the
// AdditionalContext.
type Device struct {
	EmailAddress       string
	RequestVersion     string // default "5.0"
	DeviceType         string // default "CIMClient_Windows"
	ApplicationVersion string
	OSEdition          string
	OSVersion          string
	DeviceID           string // required to enroll or renew: sent as the AdditionalContext DeviceID and as the request's common name
	HWDevID            string
	DeviceName         string
	EnrollmentType     string            // "Full" (default) or "Device"
	Context            AdditionalContext // further items, sent after the others
}

// Result is a completed enrollment or renewal.
type Result struct {
	Certificate *x509.Certificate   // the issued client certificate
	Key         crypto.Signer       // its private key
	Roots       []*x509.Certificate // the roots the document installs
	// Intermediates are the intermediate authorities the document
	// installs (its CA store, without the self-signed roots a document
	// may put there), which TLSCertificate presents after the
	// certificate.
	Intermediates []*x509.Certificate
	// Address is the DM server (w7 ADDR) and ProviderID the DM account's
	// provider; a renewal keeps those of the enrollment it renews, and
	// its Roots and Intermediates when its document installs none.
	Address    string
	ProviderID string
	// Provisioning is the typed provisioning document.
	Provisioning *provisioning.Enrollment
	// AuthPolicy, EnrollmentVersion and EnrollmentURL are those of the
	// enrollment (EnrollmentURL is where renewals go). EnrollmentVersion
	// is the one the DiscoverResponse or discovery response named, or,
	// when it named none, the Device's RequestVersion ("5.0" by default):
	// the version the requests carried.
	AuthPolicy        AuthPolicy
	EnrollmentVersion string
	EnrollmentURL     string
}

// TLSCertificate returns the issued certificate and its key as a TLS
// client presents them (in tls.Config.Certificates, or for
// session.ClientCertificate's server to identify the device): the
// certificate, then the intermediate authorities the provisioning
// document installs (Intermediates, or the Provisioning's CACerts but
// for self-signed roots when that is empty), with Leaf set. A Result without a certificate gives the
// zero tls.Certificate.
func (r *Result) TLSCertificate() tls.Certificate {
	if r == nil || r.Certificate == nil {
		return tls.Certificate{}
	}
	chain := [][]byte{r.Certificate.Raw}
	for _, c := range r.Intermediates {
		chain = append(chain, c.Raw)
	}
	if len(r.Intermediates) == 0 && r.Provisioning != nil {
		for _, der := range r.Provisioning.CACerts {
			if c, err := x509.ParseCertificate(der); err != nil || !selfSigned(c) {
				chain = append(chain, der)
			}
		}
	}
	return tls.Certificate{Certificate: chain, PrivateKey: r.Key, Leaf: r.Certificate}
}

// RootPool returns a pool of Roots, the roots the provisioning document
// installs, which the device trusts from then on (for tls.Config.RootCAs
// when the DM server's certificate chains to them). It is empty, never
// nil, when there are none: a nil RootCAs would trust the system's roots.
func (r *Result) RootPool() *x509.CertPool {
	pool := x509.NewCertPool()
	if r != nil {
		for _, c := range r.Roots {
			pool.AddCert(c)
		}
	}
	return pool
}

// Discover probes discoveryURL with GET and posts a Discover built from
// d, offering the given policies (all three when none).
func (c *Client) Discover(ctx context.Context, discoveryURL string, d *Device, policies ...AuthPolicy) (*DiscoverResponse, error) {
	if d == nil {
		d = &Device{}
	}
	if err := c.checkURL(discoveryURL); err != nil {
		return nil, err
	}
	probe, err := http.NewRequestWithContext(ctx, http.MethodGet, discoveryURL, nil)
	if err != nil {
		return nil, err
	}
	probe.Header.Set("User-Agent", c.userAgent())
	res, err := c.http(nil).Do(probe)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, pkg.Errorf("%w: discovery probe answered %d", ErrHTTPStatus, res.StatusCode)
	}
	if len(policies) == 0 {
		policies = []AuthPolicy{OnPremise, Federated, Certificate}
	}
	m := &Discover{
		Header:             Header{To: discoveryURL},
		EmailAddress:       d.EmailAddress,
		OSEdition:          d.OSEdition,
		RequestVersion:     or(d.RequestVersion, defaultRequestVersion),
		DeviceType:         or(d.DeviceType, "CIMClient_Windows"),
		ApplicationVersion: d.ApplicationVersion,
		OSVersion:          d.OSVersion,
		AuthPolicies:       policies,
	}
	var resp DiscoverResponse
	if err := c.call(ctx, discoveryURL, m, &resp, nil); err != nil {
		return nil, err
	}
	return &resp, nil
}

// Enroll runs the primary MDM enrollment: Discover at discoveryURL, then
// GetPolicies and RequestSecurityToken at the URLs it returns. It needs d
// and its DeviceID, as EnrollLinked, EnrollWith and Renew do, and
// refuses before sending anything without them.
func (c *Client) Enroll(ctx context.Context, discoveryURL string, d *Device, cred Credentials) (*Result, error) {
	if err := c.checkDevice("Enroll", d); err != nil {
		return nil, err
	}
	resp, err := c.Discover(ctx, discoveryURL, d)
	if err != nil {
		return nil, err
	}
	return c.EnrollWith(ctx, resp, d, cred)
}

// EnrollLinked runs a WinDC linked enrollment: the discovery JSON's
// response stands for the DiscoverResponse, and the device goes straight
// to GetPolicies and RequestSecurityToken (AuthPolicy Federated with an
// Entra device token, or Certificate with the parent enrollment's MDM
// certificate).
func (c *Client) EnrollLinked(ctx context.Context, resp *discovery.Response, d *Device, cred Credentials) (*Result, error) {
	if resp == nil {
		return nil, pkg.Errorf("EnrollLinked needs the discovery response")
	}
	if err := c.checkDevice("EnrollLinked", d); err != nil {
		return nil, err
	}
	return c.EnrollWith(ctx, &DiscoverResponse{
		AuthPolicy:                 AuthPolicy(resp.AuthPolicy),
		EnrollmentVersion:          resp.EnrollmentVersion,
		EnrollmentPolicyServiceURL: resp.EnrollmentPolicyServiceURL,
		EnrollmentServiceURL:       resp.EnrollmentServiceURL,
		AuthenticationServiceURL:   resp.AuthenticationServiceURL,
	}, d, cred)
}

// EnrollWith runs GetPolicies and RequestSecurityToken at the URLs of
// resp, authenticating with cred under resp.AuthPolicy, at
// resp.EnrollmentVersion (d.RequestVersion, default "5.0", when it is
// empty).
func (c *Client) EnrollWith(ctx context.Context, resp *DiscoverResponse, d *Device, cred Credentials) (*Result, error) {
	if resp == nil {
		return nil, pkg.Errorf("EnrollWith needs a DiscoverResponse")
	}
	if err := c.checkDevice("EnrollWith", d); err != nil {
		return nil, err
	}
	var hdr Header
	switch resp.AuthPolicy {
	case OnPremise:
		hdr.UsernameToken = &UsernameToken{Username: cred.Username, Password: cred.Password}
	case Federated:
		if cred.Token == nil {
			return nil, pkg.Errorf("Federated enrollment needs Credentials.Token")
		}
		hdr.Token = NewToken(or(cred.TokenType, ValueTypeUserToken), cred.Token)
	case Certificate:
		if cred.Certificate == nil {
			return nil, pkg.Errorf("Certificate enrollment needs Credentials.Certificate")
		}
	default:
		return nil, pkg.Errorf("unsupported AuthPolicy %q", resp.AuthPolicy)
	}
	// A response without EnrollmentVersion (the discovery JSON's is
	// optional) leaves the device at the version it asks for.
	version := or(resp.EnrollmentVersion, or(d.RequestVersion, defaultRequestVersion))
	policyURL := resp.EnrollmentPolicyServiceURL
	if policyURL == "" {
		policyURL = resp.EnrollmentServiceURL
	}
	gp := &GetPolicies{Header: hdr}
	gp.Header.To = policyURL
	var policies GetPoliciesResponse
	if err := c.call(ctx, policyURL, gp, &policies, cred.Certificate); err != nil {
		return nil, err
	}
	spec, err := keyFor(c.KeyType, &policies, c.Limits.maxGeneratedRSAKeyBits())
	if err != nil {
		return nil, err
	}
	key, csr, err := c.request(d, spec)
	if err != nil {
		return nil, err
	}
	rst := &RequestSecurityToken{
		Header:      hdr,
		TokenType:   TokenTypeDeviceEnrollment,
		RequestType: RequestTypeIssue,
		Token:       *NewToken(ValueTypePKCS10, csr),
		Context:     d.context(version),
	}
	rst.Header.To = resp.EnrollmentServiceURL
	var rstr RequestSecurityTokenResponse
	if err := c.call(ctx, resp.EnrollmentServiceURL, rst, &rstr, cred.Certificate); err != nil {
		return nil, err
	}
	r, err := readResult(&rstr, key, c.ProvisioningLimits)
	if err != nil {
		return nil, err
	}
	r.AuthPolicy, r.EnrollmentVersion, r.EnrollmentURL = resp.AuthPolicy, version, resp.EnrollmentServiceURL
	if r.Provisioning.Application == nil {
		return nil, pkg.Errorf("%w: the provisioning document has no w7 APPLICATION", ErrStructure)
	}
	r.Address, r.ProviderID = r.Provisioning.Application.Addr, r.Provisioning.Application.ProviderID
	return r, nil
}

// Renew renews prev's certificate at prev.EnrollmentURL: a new key, its
// request wrapped in a PKCS#7 signed with the current key, sent over a
// connection that presents the current certificate (ROBO). The result
// keeps prev's DM account, and prev's Roots and Intermediates when the
// renewal's document installs none (it may carry the new certificate
// only). The new key is of the kind and size of the one it replaces.
// Changed: an RSA key over the generation bound (the Client's
// Limits.MaxRSAKeyBits, DefaultMaxGeneratedRSAKeyBits when zero) is
// refused with ErrKeyPolicy before anything is sent, where a renewal
// made one that size.
func (c *Client) Renew(ctx context.Context, prev *Result, d *Device) (*Result, error) {
	if prev == nil || prev.Certificate == nil || prev.Key == nil || prev.EnrollmentURL == "" {
		return nil, pkg.Errorf("Renew needs the Certificate, Key and EnrollmentURL of a Result")
	}
	if err := c.checkDevice("Renew", d); err != nil {
		return nil, err
	}
	spec := keyLike(prev.Key.Public())
	if c.KeyType != KeyFromPolicy {
		var err error
		if spec, err = keyFor(c.KeyType, nil, 0); err != nil {
			return nil, err
		}
	} else if err := spec.bounded(c.Limits.maxGeneratedRSAKeyBits()); err != nil {
		// a key like the renewed one, but no longer than an enrollment's
		return nil, pkg.Errorf("Renew: %w", err)
	}
	key, csr, err := c.request(d, spec)
	if err != nil {
		return nil, err
	}
	p7, err := BuildRenewalRequest(csr, prev.Certificate, prev.Key, c.Rand)
	if err != nil {
		return nil, err
	}
	rst := &RequestSecurityToken{
		Header:      Header{To: prev.EnrollmentURL},
		TokenType:   TokenTypeDeviceEnrollment,
		RequestType: RequestTypeRenew,
		Token:       *NewToken(ValueTypePKCS7, p7),
		Context:     d.context(prev.EnrollmentVersion),
	}
	cur := prev.TLSCertificate()
	var rstr RequestSecurityTokenResponse
	if err := c.call(ctx, prev.EnrollmentURL, rst, &rstr, &cur); err != nil {
		return nil, err
	}
	r, err := readResult(&rstr, key, c.ProvisioningLimits)
	if err != nil {
		return nil, err
	}
	r.AuthPolicy, r.EnrollmentVersion, r.EnrollmentURL = prev.AuthPolicy, prev.EnrollmentVersion, prev.EnrollmentURL
	r.Address, r.ProviderID = prev.Address, prev.ProviderID
	if len(r.Roots) == 0 {
		r.Roots = prev.Roots
	}
	if len(r.Intermediates) == 0 {
		r.Intermediates = prev.Intermediates
	}
	return r, nil
}

// readResult decodes the provisioning document under lim and checks that
// its client certificate is for key.
func readResult(rstr *RequestSecurityTokenResponse, key crypto.Signer, lim provisioning.Limits) (*Result, error) {
	if rstr.Token.ValueType != ValueTypeProvisionDoc && rstr.Token.ValueType != "" {
		return nil, pkg.Errorf("%w: response token type %s", ErrStructure, quoted(rstr.Token.ValueType))
	}
	text, err := rstr.Token.Bytes()
	if err != nil {
		return nil, err
	}
	var doc provisioning.Document
	if err := provisioning.UnmarshalLimits(text, &doc, lim); err != nil {
		return nil, err
	}
	pe, err := doc.Enrollment()
	if err != nil {
		return nil, err
	}
	if pe.ClientCert == nil {
		return nil, pkg.Errorf("%w: the provisioning document has no client certificate", ErrStructure)
	}
	cert, err := x509.ParseCertificate(pe.ClientCert)
	if err != nil {
		return nil, pkg.Errorf("%w: client certificate: %v", ErrStructure, err)
	}
	if !publicKeyEqual(cert.PublicKey, key.Public()) {
		return nil, pkg.Errorf("%w: the issued certificate is not for the requested key", ErrStructure)
	}
	r := &Result{Certificate: cert, Key: key, Provisioning: pe}
	for _, der := range pe.RootCerts {
		root, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, pkg.Errorf("%w: root certificate: %v", ErrStructure, err)
		}
		r.Roots = append(r.Roots, root)
	}
	for _, der := range pe.CACerts {
		ca, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, pkg.Errorf("%w: CA certificate: %v", ErrStructure, err)
		}
		if !selfSigned(ca) {
			r.Intermediates = append(r.Intermediates, ca)
		}
	}
	return r, nil
}

// selfSigned reports whether c is a root: issued by its own subject and
// signed by its own key. A document may install one in its CA store; it
// is no intermediate (a client presenting it gains nothing, and a server
// must not take it as a step of the chain). A self-issued certificate
// signed by another key (a CA's key rollover) is an intermediate.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func publicKeyEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// checkDevice refuses a missing Device or DeviceID before op sends
// anything: the DeviceID is the request's subject and, by default, the
// DM account's EntDMID. It refuses too, with a *LimitError whose Path
// names the field, a DeviceID or DeviceName that a Server with the
// Client's Limits would refuse (it bounds each AdditionalContext item of
// those names).
func (c *Client) checkDevice(op string, d *Device) error {
	if d == nil {
		return pkg.Errorf("%s needs the Device, with its DeviceID (the *Device is nil)", op)
	}
	if d.DeviceID == "" {
		return pkg.Errorf("%s needs Device.DeviceID", op)
	}
	lim := c.Limits.withDefaults()
	check := func(name, value, path string) error {
		bound, limit := lim.MaxDeviceName, "MaxDeviceName"
		if name == "DeviceID" {
			bound, limit = lim.MaxDeviceID, "MaxDeviceID"
		} else if name != "DeviceName" {
			return nil
		}
		if len(value) > bound {
			return pkg.LimitCount(limit, int64(bound), int64(len(value)), path)
		}
		return nil
	}
	if err := check("DeviceID", d.DeviceID, "Device.DeviceID"); err != nil {
		return err
	}
	if err := check("DeviceName", d.DeviceName, "Device.DeviceName"); err != nil {
		return err
	}
	for i, it := range d.Context {
		if err := check(it.Name, it.Value, fmt.Sprintf("Device.Context[%d] (%s)", i, it.Name)); err != nil {
			return err
		}
	}
	return nil
}

// request generates a key of spec and returns it with its PKCS#10
// request, its subject the DeviceID, signed with the spec's hash.
func (c *Client) request(d *Device, spec keySpec) (crypto.Signer, []byte, error) {
	key, err := spec.generate(c.rand())
	if err != nil {
		return nil, nil, err
	}
	csr, err := x509.CreateCertificateRequest(c.rand(), &x509.CertificateRequest{Subject: pkix.Name{CommonName: d.DeviceID}, SignatureAlgorithm: spec.sigAlg()}, key)
	return key, csr, err
}

func (d *Device) context(version string) AdditionalContext {
	ac := AdditionalContext{}
	add := func(name, v string) {
		if v != "" {
			ac = append(ac, ContextItem{Name: name, Value: v})
		}
	}
	add("DeviceType", or(d.DeviceType, "CIMClient_Windows"))
	add("ApplicationVersion", d.ApplicationVersion)
	add("DeviceID", d.DeviceID)
	add("HWDevID", d.HWDevID)
	add("EnrollmentType", or(d.EnrollmentType, "Full"))
	add("OSEdition", d.OSEdition)
	add("OSVersion", d.OSVersion)
	add("DeviceName", d.DeviceName)
	add("RequestVersion", version)
	return append(ac, d.Context...)
}

// call posts m to url and decodes the answer into out; a SOAP fault is
// returned as a *Fault.
func (c *Client) call(ctx context.Context, url string, m, out Message, cert *tls.Certificate) error {
	if err := c.checkURL(url); err != nil {
		return err
	}
	h := m.SOAPHeader()
	if h.MessageID == "" {
		h.MessageID = "urn:uuid:" + uuid()
	}
	if h.ReplyTo == "" {
		h.ReplyTo = addressAnonymous
	}
	if _, ok := m.(*RequestSecurityToken); ok && h.Timestamp == nil {
		// As Windows does, so that a Server that requires a Timestamp
		// (Server.RequireTimestamp) accepts the request.
		now := time.Now().UTC()
		h.Timestamp = &Timestamp{Created: now.Format(time.RFC3339), Expires: now.Add(timestampValidity).Format(time.RFC3339)}
	}
	body, err := Marshal(m)
	if err != nil {
		return err
	}
	lim := c.Limits.withDefaults()
	if int64(len(body)) > lim.MaxBytes {
		// a Server with the same Limits would refuse it unread
		return pkg.LimitCount("MaxBytes", lim.MaxBytes, int64(len(body)), "request to "+url)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentTypeSOAP12)
	req.Header.Set("User-Agent", c.userAgent())
	res, err := c.http(cert).Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := readBody(res.Body, lim.MaxBytes, res.ContentLength, nil)
	if err != nil {
		return err
	}
	if checkSOAPType(res.Header.Get("Content-Type")) != nil {
		return pkg.Errorf("%w: %s answered %d with %s", ErrHTTPStatus, url, res.StatusCode, quoted(res.Header.Get("Content-Type")))
	}
	if res.StatusCode != http.StatusOK {
		var f Fault
		if err := UnmarshalLimits(data, &f, lim); err != nil {
			return pkg.Errorf("%w: %s answered %d: %v", ErrHTTPStatus, url, res.StatusCode, err)
		}
		return &f
	}
	if err := UnmarshalLimits(data, out, lim); err != nil {
		return err
	}
	if rel := out.SOAPHeader().RelatesTo; rel != "" && rel != h.MessageID {
		return pkg.Errorf("%w: RelatesTo %s does not echo MessageID %q", ErrStructure, quoted(rel), h.MessageID)
	}
	return nil
}

// http returns a copy of the configured client whose redirect check
// also applies the URL policy (a 307 or 308 resends the body, password
// or token included) and refuses a redirect that changes the method
// (a 301, 302 or 303 of a POST: see ErrHTTPStatus), presenting cert when it is not nil (through a
// transport of its own, which closes its connection after the answer).
func (c *Client) http(cert *tls.Certificate) *http.Client {
	cp := httpredirect.Client(c.HTTPClient, func(u string) error {
		if err := c.checkURL(u); err != nil {
			return pkg.Errorf("redirect: %w", err)
		}
		return nil
	}, errTooManyRedirects)
	next := cp.CheckRedirect
	cp.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if err := next(r, via); err != nil {
			return err // the URL policy's refusal, or the caller's check
		}
		if first := via[0].Method; r.Method != first {
			status := 0
			if r.Response != nil {
				status = r.Response.StatusCode
			}
			// net/http follows a 301, 302 or 303 of a POST with a GET
			// without the body, whose answer would be taken for the
			// service's
			return fmt.Errorf("%w: a %d to %s would send the %s again as a %s without its body; a service that moved must answer 307 or 308",
				ErrHTTPStatus, status, quoted(r.URL.Redacted()), first, r.Method)
		}
		return nil
	}
	if cert == nil {
		return cp
	}
	var tr *http.Transport
	if t, ok := cp.Transport.(*http.Transport); ok {
		tr = t.Clone()
	} else {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	// Presented whatever the server's CertificateRequest names: a server
	// whose ClientCAs are another PKI's (the linked enrollment's own,
	// while the parent's certificate authenticates) would otherwise get
	// no certificate at all, crypto/tls choosing among Certificates by
	// issuer, and a GetClientCertificate the caller's transport has would
	// present another one.
	presented := *cert
	tr.TLSClientConfig.Certificates = nil
	tr.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		return &presented, nil
	}
	// made for one request: its connection is not kept for another
	tr.DisableKeepAlives = true
	cp.Transport = tr
	return cp
}

// errTooManyRedirects stops a redirect chain when the caller's client
// has no CheckRedirect of its own.
var errTooManyRedirects = pkg.Errorf("stopped after 10 redirects")

func (c *Client) rand() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return rand.Reader
}

func (c *Client) userAgent() string { return or(c.UserAgent, "windc-mde2") }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

package provisioning

import "time"

// Names of the CSPs, stores and parms the typed view reads and writes.
const (
	// EncodingXML is the DEFAULTENCODING value for SyncML DM in XML, the
	// encoding this module speaks; Build writes it when
	// Application.DefaultEncoding is empty.
	EncodingXML = "application/vnd.syncml.dm+xml"
	// EncodingWBXML is the DEFAULTENCODING value for WBXML.
	EncodingWBXML = "application/vnd.syncml.dm+wbxml"
	// AppIDW7 is the APPID of the APPLICATION characteristic that sets up
	// an OMA DM account.
	AppIDW7 = "w7"
)

// A Store is the CertificateStore location of the client certificate:
// My/User or My/System.
type Store string

// The client certificate's stores.
const (
	StoreUser   Store = "User"
	StoreSystem Store = "System"
)

// Enrollment is the typed view of the provisioning document that an
// MS-MDE2 enrollment service returns: the certificates for the
// CertificateStore CSP, the OMA DM account for the w7 APPLICATION CSP and
// the DMClient provider settings. Build writes it as a Document;
// (*Document).Enrollment reads it back.
//
// Optional settings are pointers (nil: not written, the device keeps its
// default) or strings ("" : not written). Certificates are DER; the
// document names each by the uppercase hex SHA-1 thumbprint of its DER and
// carries it as base64 without white space.
//
// The view keeps what it reads in its fields or in the Other fields, but
// not everything about it: comments, the datatype and other attributes of
// the parms it models, a modeled parm whose value is empty where the field
// is a string, and the grouping of characteristics (Build writes its own).
// Use Document for exact round trips.
type Enrollment struct {
	// RootCerts go to CertificateStore/Root/System: the trusted roots of
	// the chain that issued ClientCert (and of the server's TLS
	// certificate).
	RootCerts [][]byte
	// CACerts go to CertificateStore/CA/System: intermediate authorities.
	CACerts [][]byte
	// ClientCert is the issued client certificate, in
	// CertificateStore/My/<ClientStore>; nil writes none.
	ClientCert []byte
	// ClientStore is User or System; "" means User.
	ClientStore Store
	// Renew is the CertificateStore/My/WSTEP/Renew schedule of the client
	// certificate's renewal; nil writes none.
	Renew *Renew
	// Application is the w7 APPLICATION: the OMA DM account; nil writes
	// none (a renewal answer may carry only certificates).
	Application *Application
	// DMClient holds the DMClient/Provider/<ProviderID> settings; nil
	// writes none.
	DMClient *DMClient
	// Other holds the rest of the document, as top-level nodes in
	// document order: characteristics of other CSPs, and parts of the
	// CertificateStore and DMClient characteristics that this view does
	// not model, wrapped in their ancestors' characteristics. Build
	// writes them after the rest. Comments are not kept.
	Other []Node
}

// Renew is the renewal schedule of CertificateStore/My/WSTEP/Renew.
type Renew struct {
	// ROBOSupport tells the device that the server supports automatic
	// renewal with the current certificate (ROBOSupport, boolean).
	ROBOSupport *bool
	// RenewPeriod is how long before expiry the device starts to renew,
	// in whole days (RenewPeriod, integer, 1–1000 days).
	RenewPeriod *time.Duration
	// RetryInterval is the wait after a failed renewal, in whole days
	// (RetryInterval, integer, 1–1000 days).
	RetryInterval *time.Duration
	// ServerURL is the renewal service (ServerURL); "" means the device
	// uses the enrollment's.
	ServerURL string
	// Other holds Renew's other parms (such as RetryAfterExpiryInterval),
	// in document order, written after the rest.
	Other []Node
}

// Application is the w7 APPLICATION characteristic: the device's OMA DM
// account.
type Application struct {
	// ProviderID is PROVIDER-ID, the server's identifier (required); the
	// DMClient provider carries the same.
	ProviderID string
	// Name is NAME, a readable name of the account.
	Name string
	// Addr is ADDR, the DM server's URL.
	Addr string
	// ConnRetryFreq is CONNRETRYFREQ, the retries on connection errors.
	ConnRetryFreq *int
	// InitialBackoff is INITIALBACKOFFTIME, the first retry's wait, in
	// whole milliseconds.
	InitialBackoff *time.Duration
	// MaxBackoff is MAXBACKOFFTIME, the longest wait, in whole
	// milliseconds.
	MaxBackoff *time.Duration
	// BackCompatRetryDisabled writes BACKCOMPATRETRYDISABLED (a parm
	// without value): no retry with an older protocol version.
	BackCompatRetryDisabled bool
	// DefaultEncoding is DEFAULTENCODING; Build writes EncodingXML when it
	// is empty.
	DefaultEncoding string
	// SSLClientCertSearchCriteria is SSLCLIENTCERTSEARCHCRITERIA as
	// written, such as "Subject=CN%3DDevice&Stores=My%5CUser" (see
	// SearchCriteria).
	SSLClientCertSearchCriteria string
	// Client is the APPAUTH with AAUTHLEVEL CLIENT: how the server
	// authenticates itself to the device (AAUTHTYPE DIGEST).
	Client *AppAuth
	// AppSrv is the APPAUTH with AAUTHLEVEL APPSRV: how the device
	// authenticates itself to the server (BASIC or DIGEST).
	AppSrv *AppAuth
	// Other holds the APPLICATION's other parms and characteristics (such
	// as ROLE or APPADDR), in document order, written after the rest.
	Other []Node
}

// AppAuth is one APPAUTH characteristic of the w7 APPLICATION; its
// AAUTHLEVEL is given by the Application field that holds it.
type AppAuth struct {
	// Type is AAUTHTYPE: "BASIC" or "DIGEST"; "" writes none.
	Type string
	// Name is AAUTHNAME; "" writes none.
	Name string
	// Secret is AAUTHSECRET (required by the CSP; written even when
	// empty).
	Secret string
	// Data is AAUTHDATA, the DIGEST nonce, written as base64; nil writes
	// none.
	Data []byte
	// Other holds the APPAUTH's other parms, in document order, written
	// after the rest.
	Other []Node
}

// DMClient is the DMClient/Provider/<ProviderID> characteristic.
type DMClient struct {
	// ProviderID names the provider; it must equal the w7 PROVIDER-ID.
	// Build takes Application.ProviderID when it is empty.
	ProviderID string
	// EntDMID is the enterprise device ID the server assigns: the DM
	// account's name for the device (mde2's Server.DefaultProvision
	// writes EnrollmentRequest.DeviceID(), which is not always the
	// DeviceID the device sent).
	EntDMID string
	// EntDeviceName is the device name shown to administrators.
	EntDeviceName string
	// UPN is the enrolled user's principal name.
	UPN string
	// CertRenewTimeStamp is CertRenewTimeStamp, as written (OMA DM time
	// format).
	CertRenewTimeStamp string
	// Poll is the polling schedule; nil writes none.
	Poll *Poll
	// Other holds the provider's other parms and characteristics (such as
	// ManagementServiceAddress or HelpPhoneNumber), in document order,
	// written after the rest.
	Other []Node
}

// Poll is the DMClient/Provider/<ProviderID>/Poll schedule. Counts of 0
// mean "repeat forever" for some sets (see the DMClient CSP); intervals
// are whole minutes.
type Poll struct {
	// NumberOfFirstRetries is how many polls the first set makes.
	NumberOfFirstRetries *int
	// IntervalForFirstSetOfRetries is the wait between them.
	IntervalForFirstSetOfRetries *time.Duration
	// NumberOfSecondRetries is how many polls the second set makes.
	NumberOfSecondRetries *int
	// IntervalForSecondSetOfRetries is the wait between them.
	IntervalForSecondSetOfRetries *time.Duration
	// NumberOfRemainingScheduledRetries is how many polls the long-run
	// set makes (0: forever).
	NumberOfRemainingScheduledRetries *int
	// IntervalForRemainingScheduledRetries is the wait between them
	// (the CSP asks for at least 24 hours).
	IntervalForRemainingScheduledRetries *time.Duration
	// PollOnLogin starts a session at every user login.
	PollOnLogin *bool
	// AllUsersPollOnFirstLogin starts a session at each user's first
	// login.
	AllUsersPollOnFirstLogin *bool
	// Other holds Poll's other parms, in document order, written after
	// the rest.
	Other []Node
}

package syncml

// Root namespaces of the SyncML dialects a Message may speak.
const (
	NamespaceSyncML11 = "SYNCML:SYNCML1.1"
	NamespaceSyncML12 = "SYNCML:SYNCML1.2"
	// NamespaceMetInf is the namespace of the Meta children.
	NamespaceMetInf = "syncml:metinf"
	// NamespaceMSFT is the namespace of the msft:originalerror attribute.
	NamespaceMSFT = "http://schemas.microsoft.com/MobileDevice/MDM"
)

// A Message is one SyncML message: the SyncML root element with its
// SyncHdr and SyncBody.
type Message struct {
	// XMLNS is the default namespace declared on the SyncML root element
	// (NamespaceSyncML11, NamespaceSyncML12, another value, or "" for none).
	// A reply built from a request should reuse it to speak the peer's dialect.
	XMLNS  string
	Header Header
	Body   Body
}

// A Header is the SyncHdr element.
type Header struct {
	VerDTD    string   // "1.2" or "1.1"
	VerProto  string   // "DM/1.2" or "DM/1.1"
	SessionID string   // opaque; Windows uses small hex or decimal values
	MsgID     string   // message number within the session, from 1
	Target    Location // the recipient
	Source    Location // the sender
	RespURI   string   // where the reply should go, if not the request URI
	NoResp    bool     // the sender wants no Status for the header
	Cred      *Cred    // credentials, if any
	Meta      *Meta    // header meta information (MaxMsgSize, MaxObjSize…)
}

// A Body is the SyncBody element: the commands in document order and the
// Final flag that closes a package.
type Body struct {
	Commands []Command
	Final    bool
}

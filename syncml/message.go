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
//
// The zero Message is an empty message with an empty header; Marshal
// writes it as <SyncML><SyncHdr></SyncHdr><SyncBody></SyncBody></SyncML>.
type Message struct {
	// XMLNS is the default namespace declared on the SyncML root element
	// (NamespaceSyncML11, NamespaceSyncML12, another value, or "" for none).
	// A reply built from a request should reuse it to speak the peer's dialect.
	// The reserved namespaces of the xml prefix and of xmlns cannot be used.
	XMLNS  string
	Header Header
	// NoHeader records a message without a SyncHdr element, as
	// Microsoft's documentation often writes them: Unmarshal sets it for
	// such input and Marshal then writes no SyncHdr. The DTD requires the
	// header, so a message sent to a peer should have one. With NoHeader
	// set, Header must be the zero Header, or Marshal returns an error.
	NoHeader bool
	Body     Body
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

	// EmptyTarget and EmptySource record a Target or Source element that
	// is present but empty (neither LocURI nor LocName). A non-empty
	// Target or Source is always written; an empty one only when its flag
	// is set. Unmarshal sets a flag only for an empty element, so the
	// flags are false whenever the location has content.
	EmptyTarget, EmptySource bool
}

// A Body is the SyncBody element: the commands in document order and the
// Final flag that closes a package.
type Body struct {
	Commands []Command
	Final    bool
}

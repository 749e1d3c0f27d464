package syncml

// An Item is one Item element: the node a command acts on and its value.
type Item struct {
	Target   *Location
	Source   *Location
	Meta     *Meta
	Data     *Data
	MoreData bool // more chunks of this large object follow
}

// A Location is a Target or Source element.
type Location struct {
	LocURI  string
	LocName string
}

// Meta holds the syncml:metinf children of a Meta element. Empty strings
// are absent elements.
type Meta struct {
	Format     string // chr, int, bool, b64, xml, node, null, …
	Type       string // a MIME type or an alert type URN
	Mark       string
	Size       string // total size of a large object, in the first chunk
	Anchor     *Anchor
	Version    string
	NextNonce  string // Base64 nonce for the next MD5 or HMAC credential
	MaxMsgSize string
	MaxObjSize string
	EMI        []string
	Mem        *Mem
	FieldLevel bool
}

// An Anchor is the metinf Anchor element.
type Anchor struct {
	Last string
	Next string
}

// Mem is the metinf Mem element.
type Mem struct {
	SharedMem bool
	FreeMem   string
	FreeID    string
}

// Cred is a credential: its Meta gives the type (syncml:auth-basic,
// syncml:auth-md5…) and format, its Data the credential.
type Cred struct {
	Meta *Meta
	Data *Data
}

// Chal is an authentication challenge carried by a Status.
type Chal struct {
	Meta *Meta
}

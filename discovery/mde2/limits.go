package mde2

// Limits bound what a decoder accepts; a zero field takes its default.
// Enrollment messages are small (the largest, a response carrying a
// provisioning document with two certificates, is a few kilobytes), so the
// defaults are generous for real traffic and small for an attacker.
type Limits struct {
	// MaxBytes bounds the message as received, in bytes (default
	// DefaultMaxBytes).
	MaxBytes int64
	// MaxDepth bounds element nesting (default DefaultMaxDepth).
	MaxDepth int
	// MaxTokens bounds the number of XML tokens (start tags, text runs,
	// comments, processing instructions; default DefaultMaxTokens).
	MaxTokens int
	// MaxAttrs bounds the attributes of one element (default
	// DefaultMaxAttrs).
	MaxAttrs int
	// MaxNamespaces bounds the namespace declarations in scope (default
	// DefaultMaxNamespaces).
	MaxNamespaces int
	// MaxDeviceID bounds each AdditionalContext DeviceID of a
	// RequestSecurityToken, in bytes (default DefaultMaxDeviceID). The
	// DeviceID becomes the issued certificate's common name and the
	// DMClient EntDMID by default (under OnPremise and Federated; under
	// the Certificate policy both come from the client certificate), and
	// servers store it. A Server bounds by it, too, the request's common
	// name that stands in for the DeviceID when none is sent.
	MaxDeviceID int
	// MaxDeviceName bounds each AdditionalContext DeviceName of a
	// RequestSecurityToken, in bytes (default DefaultMaxDeviceName).
	// DefaultProvision writes the DeviceName into the provisioning
	// document (DMClient EntDeviceName), where each quotation mark takes
	// six bytes: unbounded, a request of a few hundred kilobytes made an
	// answer of megabytes, or a document beyond the Server's
	// ProvisioningLimits.
	MaxDeviceName int
	// MaxMessageID bounds the WS-Addressing MessageID of a message, in
	// bytes (default DefaultMaxMessageID). A Server echoes it as the
	// answer's RelatesTo and logs it; unbounded, a request of a megabyte
	// was answered with four (a '>' is written "&gt;") and logged whole.
	MaxMessageID int
	// MaxRSAKeyBits bounds the RSA keys whose signatures are checked (a
	// certificate request's, a renewal signer's), in bits (default
	// DefaultMaxRSAKeyBits): a larger key is refused before any
	// arithmetic, since checking costs the square of the size and a
	// request of MaxBytes could hold a key of millions of bits. For a
	// Client it bounds instead the RSA key a certificate policy may have
	// it generate (KeyFromPolicy), and its default there is
	// DefaultMaxGeneratedRSAKeyBits: a policy asking for a longer key is
	// refused (ErrKeyPolicy) rather than followed, since generation cannot
	// be cancelled and takes seconds at 4096 bits, tens of seconds at
	// 8192 and minutes at 16384. Raise it to follow such a policy.
	MaxRSAKeyBits int
}

// The defaults of Limits.
const (
	DefaultMaxBytes      = 1 << 20
	DefaultMaxDepth      = 32
	DefaultMaxTokens     = 50000
	DefaultMaxAttrs      = 32
	DefaultMaxNamespaces = 64
	// DefaultMaxDeviceID is twice the 64 characters X.520 allows a
	// common name: Windows sends a GUID (36 bytes) or 32 hex digits.
	DefaultMaxDeviceID   = 128
	DefaultMaxRSAKeyBits = 16384
	// DefaultMaxGeneratedRSAKeyBits is a Client's default MaxRSAKeyBits:
	// the longest RSA key a certificate policy makes it generate, twice
	// the 2048 bits Windows makes and the policies ask for.
	DefaultMaxGeneratedRSAKeyBits = 4096
	// DefaultMaxDeviceName leaves room for a name of 63 characters
	// (the longest DNS label a computer name becomes) of up to four
	// bytes each.
	DefaultMaxDeviceName = 256
	// DefaultMaxMessageID is several times the 45 bytes of the
	// "urn:uuid:" MessageIDs Windows and this package send.
	DefaultMaxMessageID = 256
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxTokens <= 0 {
		l.MaxTokens = DefaultMaxTokens
	}
	if l.MaxAttrs <= 0 {
		l.MaxAttrs = DefaultMaxAttrs
	}
	if l.MaxNamespaces <= 0 {
		l.MaxNamespaces = DefaultMaxNamespaces
	}
	if l.MaxDeviceID <= 0 {
		l.MaxDeviceID = DefaultMaxDeviceID
	}
	if l.MaxDeviceName <= 0 {
		l.MaxDeviceName = DefaultMaxDeviceName
	}
	if l.MaxMessageID <= 0 {
		l.MaxMessageID = DefaultMaxMessageID
	}
	if l.MaxRSAKeyBits <= 0 {
		l.MaxRSAKeyBits = DefaultMaxRSAKeyBits
	}
	return l
}

// maxGeneratedRSAKeyBits is the longest RSA key a Client generates for a
// certificate policy: MaxRSAKeyBits when set, else
// DefaultMaxGeneratedRSAKeyBits.
func (l Limits) maxGeneratedRSAKeyBits() int {
	if l.MaxRSAKeyBits > 0 {
		return l.MaxRSAKeyBits
	}
	return DefaultMaxGeneratedRSAKeyBits
}

// Package discovery implements the JSON discovery exchange of Windows
// declared configuration (WinDC) enrollment: the body a device posts to
// the discovery service (Request), the body the service answers with
// (Response), the schema's rules, an http.Handler for services and a
// Client for devices.
//
// # Bodies
//
// Request and Response implement json.Marshaler and json.Unmarshaler with
// the schema's member names. Encoding is canonical: compact, members in
// the schema's order, empty strings omitted (a present enrollmentType is
// always written, so absent and "" stay distinct), strings escaped as
// encoding/json escapes them. For every value v that encodes,
// decode(encode(v)) equals v, and for every accepted body b,
// encode(decode(b)) is a fixed point.
//
// Decoding is strict: the body must be one object of string members that
// the schema names, spelled exactly, each at most once, in valid UTF-8
// without unpaired surrogate escapes, followed by nothing but white
// space. Anything else is a *DecodeError with the byte offset; a body
// over the size limit is a *LimitError. ReadRequest and ReadResponse read
// from an io.Reader with a configurable limit (DefaultMaxBytes by
// default).
//
// # Rules
//
// Request.Validate and Response.Validate check one body. ValidatePair
// checks that a response fits its request: enrollmentType Device, or the
// legacy absent or empty value, needs AuthPolicy Federated; User needs
// Certificate. Response URLs must be absolute https URLs; URLPolicy can
// admit http to loopback hosts and restrict hosts. Supported says whether
// a Windows version can use WinDC for a kind of enrollment.
//
// # Server and client
//
// Handler serves a discovery endpoint around a DiscoverFunc and enforces
// method, content type, size and the rules above; it answers UPNRequired
// on request and sets Retry-After when the function throttles. Client
// posts a Request, repeats it once with a UPN when asked, honours
// Retry-After within a bound (MaxRetryAfter) and not sooner than a floor
// (MinRetryDelay, so that a Retry-After of 0 is no busy loop), and returns
// a validated Response.
//
// Errors about a body, a field, a URL or the server's answer match the
// Err sentinels with errors.Is; a Client that cannot reach the server, or
// whose context ends, returns an error wrapping the net/http or context
// error instead. Every message starts with "discovery: ".
package discovery

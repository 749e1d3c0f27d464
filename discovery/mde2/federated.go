package mde2

import "net/http"

// FederatedToken is the security token of a Federated request, as
// Server.Token gets it. A check that accepts tokens of several kinds
// tells them apart by ValueType; one that serves several tenants can
// read the HTTP request's host or path.
type FederatedToken struct {
	// Data is the token, base64-decoded.
	Data []byte
	// ValueType and EncodingType are the BinarySecurityToken's
	// attributes as the device sent them: ValueTypeUserToken for a
	// token of the AuthenticationServiceURL page, ValueTypeJWT for an
	// Entra device token (a WinDC linked enrollment), or another the
	// server and its devices agree on.
	ValueType    string
	EncodingType string
	// Message is the request the token came with: a *GetPolicies or a
	// *RequestSecurityToken (whose AdditionalContext the device wrote).
	// It is the Server's: read it, do not keep or change it.
	Message Message
	// HTTP is the HTTP request.
	HTTP *http.Request
}

// X509Token is a request's WS-Security X509v3 BinarySecurityToken, for
// Server.X509Token to verify.
type X509Token struct {
	// Data is the token, base64-decoded: the DER certificate.
	Data []byte
	// Body is the request as received, the bytes its XML Signature
	// covers. It is the Server's buffer, valid during the call only:
	// read it, do not keep or change it.
	Body []byte
	// Message is the request decoded: a *GetPolicies or a
	// *RequestSecurityToken. It is the Server's: read it, do not keep or
	// change it.
	Message Message
	// HTTP is the HTTP request.
	HTTP *http.Request
}

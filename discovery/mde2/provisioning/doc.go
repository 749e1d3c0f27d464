// Package provisioning reads and writes the wap-provisioningdoc that an
// MS-MDE2 enrollment service returns to a Windows device in its
// RequestSecurityTokenResponse (base64-encoded in the
// BinarySecurityToken): the client certificate and its chain for the
// CertificateStore CSP, the OMA DM account for the w7 APPLICATION CSP and
// the DMClient provider settings with the polling schedule.
//
// Two levels:
//
//   - Document is the document itself: characteristics and parms in
//     document order, with everything else the document carries (other
//     attributes, other elements, comments). Unmarshal (with Limits) and
//     Marshal, or the encoding.TextUnmarshaler and TextMarshaler methods,
//     convert it; Marshal's output is canonical.
//   - Enrollment is the typed view an enrollment server fills and a device
//     reads: certificates as DER, the w7 APPLICATION (PROVIDER-ID, ADDR,
//     APPAUTH CLIENT and APPSRV, backoff and retry settings,
//     SSLCLIENTCERTSEARCHCRITERIA, DEFAULTENCODING, which defaults to
//     SyncML XML) and the DMClient provider (EntDMID, EntDeviceName, UPN,
//     CertRenewTimeStamp, Poll). Build makes a Document of it, following
//     the shape of Microsoft's documented samples;
//     (*Document).Enrollment reads it back and checks it (thumbprints,
//     base64, numbers, the provider ID shared by DMClient and w7).
//
// # Exactness
//
// For every Document d that Marshal accepts, Unmarshal(Marshal(d)) equals
// d; for every accepted input b, c = Marshal(Unmarshal(b)) is a fixed
// point of Unmarshal then Marshal, and says the same as b: every element,
// attribute and character of content is kept. What the format gives no
// meaning is not kept: white space between the elements of the root and
// of characteristics, comments outside the root, the XML declaration, a
// byte order mark, the order of attributes, and how a character was
// written (a reference or a literal). Attribute values are read as XML
// 1.0 says (a literal TAB, LF or CR is a space); the writer writes those
// characters as references.
//
// # Errors
//
// Input that is refused is a *DecodeError (offset, line, column, element
// path; the module's shared type) matching ErrSyntax or one of its kinds,
// or ErrStructure; input beyond a limit is a *LimitError matching
// ErrLimit. A Document that cannot be written matches ErrValue; a typed
// value that breaks a CSP rule is a *FieldError naming the characteristic
// and parm. Nothing panics on any input.
//
// The package parses with encoding/xml's tokenizer: enrollment is not a
// hot path, and the documents are a few KiB.
package provisioning

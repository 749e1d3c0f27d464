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
//     attributes, other elements, comments). Unmarshal and Marshal (each
//     with Limits: UnmarshalLimits, MarshalLimits), or the
//     encoding.TextUnmarshaler and TextMarshaler methods, convert it;
//     Marshal's output is canonical.
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
// An enrollment server answers a RequestSecurityToken with
//
//	doc, err := provisioning.Build(&provisioning.Enrollment{
//		RootCerts:   [][]byte{ca.Raw},
//		ClientCert:  issued.Raw,
//		Application: &provisioning.Application{ProviderID: "WinDC", Addr: dmURL, Client: srvAuth, AppSrv: devAuth},
//		DMClient:    &provisioning.DMClient{EntDMID: deviceID, Poll: poll},
//	})
//	text, err := doc.MarshalText() // base64 of text is the BinarySecurityToken
//
// and a device reads it back with doc.UnmarshalText(text) and
// doc.Enrollment(). Example (in the tests) runs both sides.
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
// characters as references. Names are kept as written, prefix included;
// Namespaces in XML is checked (declared prefixes, qualified names) by the
// reader and the writer alike, but not resolved. There is no streaming
// form (a document is a few KiB and arrives whole, base64 in a SOAP
// token), so the rule that streaming equals whole does not apply.
//
// # Errors
//
// Input that is refused is a *DecodeError (offset, line, column, element
// path; the module's shared type) matching ErrSyntax or one of its kinds,
// or ErrStructure; input beyond a limit is a *LimitError matching
// ErrLimit. A Document that cannot be written is a *FieldError matching
// ErrValue that names the node by its index path, or, when its XML would
// pass one of the reader's default Limits, a *LimitError (see
// AppendText); a typed value that breaks a CSP rule is a *FieldError
// naming the characteristic and parm. Nothing panics on any input.
//
// The reader takes UTF-8 (also when the declaration says UTF-16, as .NET
// writers produce it), UTF-16, and declared ISO-8859-1 or US-ASCII; other
// encodings are refused rather than decoded with loss. The writer writes
// UTF-8 without a declaration.
//
// The package parses with encoding/xml's tokenizer, adding the checks it
// leaves out (matching end tags, one root, white space between attributes,
// duplicate attributes, namespaces, the XML declaration's syntax):
// enrollment is not a hot path, and the documents are a few KiB.
package provisioning

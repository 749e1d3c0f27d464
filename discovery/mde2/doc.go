// Package mde2 implements the Windows MDM enrollment protocol (MS-MDE2)
// on both sides: the SOAP Discover exchange, the MS-XCEP policy request
// (GetPolicies) and the MS-WSTEP certificate request
// (RequestSecurityToken), whose response carries the wap-provisioningdoc
// (package provisioning) with the client certificate and the OMA DM
// account.
//
// A WinDC linked enrollment reaches the same policy and enrollment
// services: the discovery JSON (package discovery) plays the role of the
// DiscoverResponse, and Client.EnrollLinked goes straight to GetPolicies
// and RequestSecurityToken (AuthPolicy Federated with an Entra device
// token, or Certificate with the parent enrollment's MDM certificate).
//
// # Messages
//
// Discover, DiscoverResponse, GetPolicies, GetPoliciesResponse,
// RequestSecurityToken, RequestSecurityTokenResponse and Fault are typed
// messages; Marshal writes a SOAP 1.2 envelope, Unmarshal and ReadMessage
// read SOAP 1.2 and 1.1. Reading is tolerant where Microsoft's samples and
// peers differ (namespace prefixes, the Discover namespace with or without
// its trailing slash, lower-case fault elements, white space around
// values, which is removed) and bounded by Limits (bytes, depth, tokens,
// attributes, namespace declarations, the lengths of a DeviceID, a
// DeviceName and a MessageID: the values a Server writes back). For every
// message m that decodes, decoding Marshal(m) gives m again.
// Changed: an envelope with a second SOAP Header or Body is refused
// (ErrStructure; the first was read), so that the Body read is the one a
// message signature covers. Changed: so is a RequestSecurityToken with a
// second TokenType, RequestType, BinarySecurityToken or AdditionalContext
// (the first was read, and a Server certified its key).
// Messages are read with the module's XML lexer (the one syncml and
// declaredconfig use), so refused input carries the same errors as
// there: a *DecodeError with position and element path matching
// ErrSyntax (or one of its kinds) or ErrStructure, or a *LimitError.
//
// # Server
//
// Server serves the three services as http.Handlers. Mount
// DiscoveryHandler at /EnrollmentServer/Discovery.svc on the host
// EnterpriseEnrollment.<domain> (a Windows device builds
// https://EnterpriseEnrollment.contoso.com/EnrollmentServer/Discovery.svc
// from user@contoso.com, the address it enrolls), the other two anywhere:
// the DiscoverResponse hands the device Server.PolicyURL and
// Server.EnrollmentURL, which must name where they are mounted. It authenticates
// OnPremise (UsernameToken), Federated (a header token checked by a
// pluggable validator) and Certificate (the TLS client certificate, or
// the WS-Security X509v3 token MS-MDE2 has Windows send, whose XML
// message signature a Server.X509Token hook verifies, since the package
// has no XML signature verifier; Server.DisableCertificateAuth turns
// the policy off), answering Discover with a
// policy it serves and the device lists,
// reads the device's PKCS#10 request tolerantly (ParseCertificateRequest
// accepts the subjects Windows writes, which crypto/x509 refuses, and
// verifies the signature itself), issues through an Issuer (CA over any
// crypto.Signer; NewMemoryCA for tests and examples) and renews
// certificates (RequestTypeRenew: a PKCS#7 signed by the current
// certificate, over TLS with it for ROBO). Refusals are SOAP faults with
// the MS-MDE2 subcodes and error types; *Fault carries them typed, with
// their HRESULTs, on both sides.
//
// Server.Policy (a CertificatePolicy) is the certificate policy
// GetPolicies announces and each request's key is checked against: RSA
// of MinimalRSAKeyLength bits or more (PolicyRSA, the default), or ECDSA
// on a named curve (PolicyECDSA, announced as the curve's OID); a key
// the policy does not take is answered with a CertificateRequest fault.
// The announcement and the check come from one rule, so a Server takes
// only the keys it announces, unless CertificatePolicy.AllowECDSA asks
// it to take ECDSA keys under an RSA policy too. Changed: DefaultPolicy
// no longer sets AllowECDSA; a Server without a Policy refuses ECDSA
// keys, which it took without announcing them.
//
// A device cannot take another one's name: under the Certificate policy
// the issued certificate keeps the subject of the certificate that
// authenticated the request and the provisioning document's EntDMID is
// its common name (not the DeviceID the request claims; hooks get the
// same from EnrollmentRequest.DeviceID), unless a check set
// Identity.DeviceID; a check that sets Identity.DeviceID binds the
// credentials to that DeviceID, which then names the device in both. RSA keys above
// Limits.MaxRSAKeyBits (default 16384 bits) are refused before their
// signature is checked, since the check costs the square of the size.
// A RequestSecurityToken is refused with an InvalidSecurity fault when its
// WS-Security Timestamp has expired or was created in the future (beyond
// Server.MaxClockSkew, five minutes by default; a time without a zone,
// which xsd:dateTime allows, is read as UTC; a request without a
// Timestamp is refused only under Server.RequireTimestamp), and when an authenticated
// request repeats a MessageID the Server saw within Server.ReplayWindow
// (the last DefaultReplayCacheSize of them by default, in this Server's
// memory; servers behind a load balancer share a Server.ReplayCache).
// The Server logs one record per request on Server.Logger (log/slog, as
// the module's other servers), at Warn for a refusal and Error for its
// own failure.
//
// Four values name the device, and they may differ:
//   - The request's DeviceID, the AdditionalContext DeviceID: a Client
//     sends Device.DeviceID (also the common name of its certificate
//     request); a Server reads it as EnrollmentRequest.Device.DeviceID
//     (DeviceContext.DeviceID). It is the device's word, bounded by
//     Limits.MaxDeviceID and checked only against the credentials'.
//   - The credentials' DeviceID, Identity.DeviceID: set by a check whose
//     credential names the device (such as a token issued for it), empty
//     otherwise. A request with another DeviceID is refused with an
//     Authorization fault.
//   - The certificate's: the common name of the certificate that
//     authenticated the request, under the Certificate policy
//     (Identity.Certificate) and for a renewal (EnrollmentRequest.Previous).
//   - The account's, EnrollmentRequest.DeviceID(): the device as the
//     server knows it, which DefaultProvision writes as the DM account's
//     EntDMID (provisioning.DMClient.EntDMID): the credentials' DeviceID
//     when a check set one, else the certificate's under the Certificate
//     policy and for a renewal, else the request's, else the certificate
//     request's common name. When none names the device, the Server
//     names it with a new random UUID rather than provision an empty
//     EntDMID (the DMClient CSP wants it set by the server, and set
//     before a renewal), so no two devices share an unnamed one.
//
// The issued certificate's common name (the default Subject) is the
// account's DeviceID, so that the certificate the device presents in its
// DM sessions (which the w7 APPLICATION's search criteria select by
// subject) and the EntDMID the server set (which it can read back with a
// Get, and which the device signs at renewal) name the device alike:
// the credentials' DeviceID when a check set one, under any policy; else
// the authenticating certificate's subject under the Certificate policy
// and for a renewal, which keeps the old subject; else the request's
// DeviceID (else the certificate request's common name, else the UUID
// the Server made up). MS-MDE2 and the DMClient CSP leave the EntDMID to
// the server and do not tie it to the certificate's subject; the package
// keeps them equal by default. A Subject or Provision hook may choose
// otherwise, and then should change both.
//
// RequestVersion values above 7.0 are outside the spec's client rule; the
// server answers them with its highest version instead of refusing them,
// a deliberate leniency (see NegotiateVersion). A RequestVersion is read
// as the xsd:decimal it is and answered with its whole part, never with
// a version above the one asked.
//
// # Client
//
// Client runs the device side: Enroll (GET probe, Discover, GetPolicies,
// RequestSecurityToken with a generated key), EnrollLinked, EnrollWith and
// Renew, returning the certificate, its key,
// the DM server address and the typed provisioning document;
// Result.TLSCertificate and Result.RootPool hand the certificate and the
// installed roots to a TLS client.
// The key follows the certificate policy GetPolicies returns (see
// KeyFromPolicy): RSA of at least its minimalKeyLength and 2048 bits, as
// Windows makes, unless its algorithmOIDReference names ECDSA, and an RSA
// key of at most 4096 bits unless Limits.MaxRSAKeyBits allows more (a
// longer one takes tens of seconds to minutes to generate); the
// request is signed with the policy's hash. Client.KeyType chooses
// another key. A renewal makes a key like the one it replaces.
// It sends to https URLs only unless Client.URLs admits http to loopback
// hosts (AllowLoopbackHTTP), as discovery.Client does.
// Its RequestSecurityTokens carry a WS-Security Timestamp from the local
// clock, valid five minutes, as Windows sends them.
// Before sending, it refuses what a Server with its Client.Limits (whose
// defaults are the Server's) would refuse unread: a DeviceID or
// DeviceName that is too long, with a *LimitError naming the field, and
// a request longer than MaxBytes.
package mde2

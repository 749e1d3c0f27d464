// Package b64 encodes standard base64 (RFC 4648, padded) faster than
// encoding/base64, for the certificates and provisioning documents an
// enrollment answer carries twice over: six bytes become eight
// characters with four look-ups of a 12-bit table and one 8-byte store.
// The output is byte for byte encoding/base64.StdEncoding's.
package b64

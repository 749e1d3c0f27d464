// Package session runs an OMA DM (SyncML) session for either side: the
// server that queues commands for a device and the device client that
// answers it. It depends on package syncml and knows no CSP.
//
// Authentication is part of the session: syncml:auth-basic and
// syncml:auth-md5 credentials in the SyncHdr Cred, HMAC-MD5 integrity in
// the x-syncml-hmac transport header, challenges (Chal, NextNonce) and the
// 401/407/212 flow on both sides (see ServerAuth, ClientAuth and Credentials).
// Secrets are compared in constant time and never written to logs.
package session

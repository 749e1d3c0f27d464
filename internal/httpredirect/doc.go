// Package httpredirect applies a URL policy to the redirects an
// http.Client follows: a 307 or 308 resends the request's body (a
// password, a token) to wherever the server points, so each redirect's
// URL is checked before it is followed (Client), none is followed
// (NoFollow), or only those that keep the request whole and on https
// (KeepBody). It is shared by discovery's Client, mde2's Client and
// session's Client.Run.
package httpredirect

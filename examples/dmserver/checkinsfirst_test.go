package main

import (
	"bufio"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/syncml/session"
)

// TestCheckInsFirstSameAsMux checks that checkInsFirst answers every
// request a device or anyone else can send as the mux alone does: the
// same status, headers and body, over methods, targets (dot segments,
// double and trailing slashes, escapes, queries, absolute and authority
// forms, "*") and Host headers. Each request is read from its bytes as
// net/http reads it and served by two muxes with every route dmserver
// has, one through checkInsFirst, so that the DM sessions' states match.
func TestCheckInsFirstSameAsMux(t *testing.T) {
	ca, err := mde2.NewMemoryCA("test enrollment root")
	if err != nil {
		t.Fatal(err)
	}
	full := func() *http.ServeMux {
		log := slog.New(slog.DiscardHandler)
		mux := newMux(log, nil)
		registerEnrollment(mux, "http://127.0.0.1:8080", ca, nil, log, nil, nil)
		return mux
	}
	plain, first := full(), checkInsFirst(full())
	methods := []string{http.MethodPost, "post", http.MethodGet, http.MethodHead, http.MethodPut,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, "PROPFIND"}
	targets := []string{
		Path, Path + "?mode=full", Path + "?", Path + "/", Path + "/.", Path + "/..", Path + ";v=1", Path + "%00",
		"/ManagementServer/./MDM.svc", "/ManagementServer/../ManagementServer/MDM.svc", "/x/../ManagementServer/MDM.svc",
		"//ManagementServer/MDM.svc", "/ManagementServer//MDM.svc", "/ManagementServer/MDM.svc//",
		"/ManagementServer/MDM%2Esvc", "/ManagementServer%2FMDM.svc", "/%4DanagementServer/MDM.svc", "/ManagementServer/MDM.sv%63?a=%2F",
		"/managementserver/mdm.svc", "/ManagementServer", "/ManagementServer/", "/", "*",
		"http://127.0.0.1" + Path, "http://evil.example" + Path + "?q", "https://127.0.0.1:8443" + Path,
		"127.0.0.1:8080", "evil.example:443",
		PathWinDC, PathWinDC + "/", PathDiscovery, PathPolicy, PathEnrollment, PathWinDCDiscovery, PathTestToken,
	}
	hosts := []string{"127.0.0.1:8080", "evil.example", "", "[::1]", "127.0.0.1:8080.evil"}
	n := 0
	for _, m := range methods {
		for _, target := range targets {
			for _, host := range hosts {
				n++
				body := checkIn(fmt.Sprintf("EQ%d", n))
				raw := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
					m, target, host, session.ContentType, len(body), body)
				want, err := serveRaw(plain, raw)
				if err != nil {
					continue // net/http refuses it before any handler
				}
				got, err := serveRaw(first, raw)
				if err != nil {
					t.Fatal(err)
				}
				if got.Code != want.Code || !cmp.Equal(got.Header(), want.Header()) || got.Body.String() != want.Body.String() {
					t.Errorf("%s %s (Host %q): checkInsFirst HTTP %d %v %.100q, mux HTTP %d %v %.100q", m, target, host,
						got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
				}
			}
		}
	}
	if n < 1000 {
		t.Fatalf("%d requests", n)
	}
}

// serveRaw reads the request raw as net/http reads it and serves it by h.
func serveRaw(h http.Handler, raw string) (*httptest.ResponseRecorder, error) {
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		return nil, err
	}
	req.RemoteAddr = "127.0.0.1:50000"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, nil
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/session"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// checkIn is a fresh Windows check-in (package 1) of about 1.5 KB for
// device id.
func checkIn(id string) []byte { return syncmltest.WindowsCheckIn(id, "1") }

// BenchmarkCheckIn posts fresh check-ins (a new device each) from 8
// concurrent clients on loopback to dmserver's handler and, as the in-run
// baseline, to a bare handler that reads the body and writes 1.2 KB. The
// two are interleaved in rounds of 64 requests each (the order swapped
// every round), so that both see the same load on a shared machine; the
// metric dm/bare is dmserver's rate over the bare one's. In newconn each
// check-in comes on a connection of its own, as a device's session does;
// in keepalive the clients' 8 connections carry check-ins of one device
// after another, which devices never do but load generators do by
// default.
func BenchmarkCheckIn(b *testing.B) {
	b.Run("newconn", func(b *testing.B) { benchmarkCheckIn(b, true) })
	b.Run("keepalive", func(b *testing.B) { benchmarkCheckIn(b, false) })
}

func benchmarkCheckIn(b *testing.B, newConn bool) {
	const clients, round = 8, 64
	reply := bytes.Repeat([]byte("x"), 1200)
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/vnd.syncml.dm+xml")
		_, _ = w.Write(reply)
	}))
	defer bare.Close()
	dm := httptest.NewServer(checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil)))
	defer dm.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, DisableKeepAlives: newConn}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var dev atomic.Int64 // every check-in is a new device
	post := func(url string) error {
		body := checkIn(fmt.Sprint("DEV", dev.Add(1)))
		resp, err := hc.Post(url+Path, "application/vnd.syncml.dm+xml", bytes.NewReader(body))
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return nil
	}
	// run posts round requests to url from the clients and returns the time
	run := func(url string) time.Duration {
		var left atomic.Int64
		left.Store(round)
		var wg sync.WaitGroup
		start := time.Now()
		for range clients {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if err := post(url); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	var tBare, tDM time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		if n%2 == 0 {
			tBare += run(bare.URL)
			tDM += run(dm.URL)
		} else {
			tDM += run(dm.URL)
			tBare += run(bare.URL)
		}
		n++
	}
	b.ReportMetric(float64(n*round)/tDM.Seconds(), "dm-req/s")
	b.ReportMetric(float64(n*round)/tBare.Seconds(), "bare-req/s")
	b.ReportMetric(tBare.Seconds()/tDM.Seconds(), "dm/bare")
}

// BenchmarkCheckInHandler runs fresh check-ins (a new device each)
// through dmserver's handler in process, without the network: the cost of
// the session layer and the codec on one check-in.
func BenchmarkCheckInHandler(b *testing.B) {
	benchmarkCheckInHandler(b, slog.New(slog.DiscardHandler))
}

// BenchmarkCheckInHandlerLogged is BenchmarkCheckInHandler with the
// logger dmserver runs with (text records at Info, written to io.Discard
// here): the cost of its records on a check-in.
func BenchmarkCheckInHandlerLogged(b *testing.B) {
	benchmarkCheckInHandler(b, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func benchmarkCheckInHandler(b *testing.B, log *slog.Logger) {
	h := checkInsFirst(newMux(log, nil))
	body := checkIn("DEV0")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		serveCheckIn(b, h, checkIn(fmt.Sprint("DEV", n)))
	}
}

// BenchmarkCheckInSerial posts fresh check-ins one after another from one
// client on loopback, to the bare handler of BenchmarkCheckIn (bare), to
// dmserver's (dm), or to one that only reads the body, decodes it with
// syncml.Unmarshal and writes a fixed reply of the size of dmserver's
// (decode: the part of dm's cost that is the decoder's). With GOMAXPROCS=1
// under cachegrind, two runs of each with different -test.benchtime
// counts give the instructions of one check-in, client and server
// together, without the noise of a shared machine.
func BenchmarkCheckInSerial(b *testing.B) {
	reply := bytes.Repeat([]byte("x"), 1200)
	dmReply := bytes.Repeat([]byte("x"), 2789) // dmserver's reply to checkIn
	for _, tc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/vnd.syncml.dm+xml")
			_, _ = w.Write(reply)
		})},
		{"dm", checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil))},
		{"decode", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, err := io.ReadAll(r.Body)
			var m syncml.Message
			if err == nil {
				err = syncml.Unmarshal(raw, &m)
			}
			if err != nil || m.Header.SessionID == "" {
				http.Error(w, "bad message", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/vnd.syncml.dm+xml")
			_, _ = w.Write(dmReply)
		})},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n++
				body := checkIn(fmt.Sprint("DEV", n))
				resp, err := hc.Post(srv.URL+Path, "application/vnd.syncml.dm+xml", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("HTTP %d", resp.StatusCode)
				}
			}
		})
	}
}

// BenchmarkCheckInServer is BenchmarkCheckInHandler without the cost of
// the test's requests and recorders: they are made, in batches, with the
// timer stopped, so that B/op and allocs/op are the server's own. Every
// check-in leaves a device with an open session in the server's
// MemoryStore: B/device is the heap in use after the run (after a
// garbage collection) over the devices, live-B/device the same of the
// bytes of live objects.
func BenchmarkCheckInServer(b *testing.B) { benchmarkCheckInServer(b, nil) }

// BenchmarkCheckInServerOwned is BenchmarkCheckInServer with every device
// bound to a user of its own, of 16 characters (an Authenticator that
// accepts every message as that user): B/device grows by about the user
// name's length.
func BenchmarkCheckInServerOwned(b *testing.B) {
	benchmarkCheckInServer(b, session.AuthenticatorFunc(func(_ context.Context, in *session.AuthInput) (session.AuthDecision, error) {
		h := uint64(crc32.ChecksumIEEE([]byte(in.Message.Header.Source.LocURI))) * 0x9E3779B97F4A7C15
		user := fmt.Sprintf("user%012x", h>>16) // unlike each other
		return session.AuthDecision{Identity: session.Identity{User: user, Method: "test"}}, nil
	}))
}

func benchmarkCheckInServer(b *testing.B, auth session.Authenticator) {
	h := checkInsFirst(newMux(slog.New(slog.DiscardHandler), auth))
	const batch = 256
	reqs := make([]*http.Request, batch)
	recs := make([]*httptest.ResponseRecorder, batch)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	b.ReportAllocs()
	n, i := 0, batch
	for b.Loop() {
		if i == batch {
			b.StopTimer()
			for j := range reqs {
				n++
				reqs[j] = httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(checkIn(fmt.Sprint("DEV", n))))
				reqs[j].Header.Set("Content-Type", "application/vnd.syncml.dm+xml")
				recs[j] = httptest.NewRecorder()
				recs[j].Body.Grow(4096)
			}
			i = 0
			b.StartTimer()
		}
		h.ServeHTTP(recs[i], reqs[i])
		if recs[i].Code != http.StatusOK {
			b.Fatalf("HTTP %d", recs[i].Code)
		}
		i++
	}
	b.StopTimer()
	clear(reqs) // the last batch's requests and replies: not the devices'
	clear(recs)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	devices := float64(n - (batch - i)) // those served
	b.ReportMetric(float64(int64(m1.HeapInuse)-int64(m0.HeapInuse))/devices, "B/device")
	b.ReportMetric(float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc))/devices, "live-B/device")
	runtime.KeepAlive(h)
}

// BenchmarkCheckInReplay posts one device's check-in again and again, as a
// load generator posting one body file does: every request after the
// first is a replay, answered with the reply kept for it.
func BenchmarkCheckInReplay(b *testing.B) {
	h := checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil))
	body := checkIn("DEV0")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		serveCheckIn(b, h, body)
	}
}

// BenchmarkCheckInSameDevice posts one device's check-ins, each of a new
// session, as a load generator posting one device's check-ins with a new
// SessionID each does: every check-in restarts the device's session,
// giving up the Gets its first session sent.
func BenchmarkCheckInSameDevice(b *testing.B) {
	h := checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil))
	b.SetBytes(int64(len(checkIn("DEV0"))))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		body := syncmltest.WindowsCheckIn("DEV0", fmt.Sprint(n))
		serveCheckIn(b, h, body)
	}
}

// serveCheckIn has h answer the check-in body, in process.
func serveCheckIn(b *testing.B, h http.Handler, body []byte) {
	req := httptest.NewRequest(http.MethodPost, Path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/vnd.syncml.dm+xml")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("HTTP %d", rec.Code)
	}
}

// BenchmarkCheckInKnownDevice posts the check-in that starts a device's
// second session, its first having ended with every command answered:
// what most check-ins of an enrolled fleet are (a device checks in every
// few hours). The devices' first sessions run, untimed, through a
// session.Client that answers every Get.
func BenchmarkCheckInKnownDevice(b *testing.B) {
	h := checkInsFirst(newMux(slog.New(slog.DiscardHandler), nil))
	hc := &http.Client{Transport: handlerTransport{h}}
	mux := session.NewMux()
	mux.Handle("Get", session.HandlerFunc(func(_ context.Context, r *session.Request) session.Response {
		var items []syncml.Item
		for _, it := range r.Command.ItemList() {
			items = append(items, syncml.Item{Source: it.Target, Meta: &syncml.Meta{Format: "chr"}, Data: syncml.Text("value")})
		}
		return session.Response{Results: items}
	}))
	const batch = 256
	bodies := make([][]byte, batch)
	b.SetBytes(int64(len(checkIn("DEV0"))))
	b.ReportAllocs()
	n, i := 0, batch
	for b.Loop() {
		if i == batch {
			b.StopTimer()
			for j := range bodies {
				n++
				id := fmt.Sprint("KNOWN", n)
				c, err := session.NewClient(session.ClientConfig{DeviceID: id, ServerURI: "http://127.0.0.1" + Path, Handler: mux, DevInfo: session.DevInfo{DevID: id, Lang: "en-US"}})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Run(context.Background(), hc, "http://127.0.0.1"+Path, "1"); err != nil {
					b.Fatal(err)
				}
				bodies[j] = syncmltest.WindowsCheckIn(id, "2")
			}
			i = 0
			b.StartTimer()
		}
		serveCheckIn(b, h, bodies[i])
		i++
	}
}

// handlerTransport is an http.RoundTripper that has its handler answer
// each request in process.
type handlerTransport struct{ h http.Handler }

// RoundTrip has t's handler answer req.
func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// checkIn is a fresh Windows check-in (package 1) of about 1.5 KB for
// device id.
func checkIn(id string) []byte {
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>` +
		`<Target><LocURI>https://127.0.0.1/ManagementServer/MDM.svc</LocURI></Target><Source><LocURI>` + id + `</LocURI></Source></SyncHdr><SyncBody>` +
		`<Alert><CmdID>2</CmdID><Data>1201</Data></Alert>` +
		`<Alert><CmdID>3</CmdID><Data>1224</Data><Item><Meta><Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type></Meta><Data>user</Data></Item></Alert>` +
		`<Replace><CmdID>4</CmdID>` +
		`<Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>` + id + `</Data></Item>` +
		`<Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Microsoft Corporation</Data></Item>` +
		`<Item><Source><LocURI>./DevInfo/Mod</LocURI></Source><Data>Surface Laptop 5</Data></Item>` +
		`<Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.3</Data></Item>` +
		`<Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en-US</Data></Item>` +
		`<Item><Source><LocURI>./Vendor/MSFT/DMClient/HWDevID</LocURI></Source><Data>` + strings.Repeat("A", 64) + `</Data></Item>` +
		`<Item><Source><LocURI>./Vendor/MSFT/DeviceStatus/OS/Edition</LocURI></Source><Data>4</Data></Item>` +
		`<Item><Source><LocURI>./Vendor/MSFT/DevDetail/Ext/Microsoft/DNSComputerName</LocURI></Source><Data>DESKTOP-` + id + `</Data></Item>` +
		`<Item><Source><LocURI>./Vendor/MSFT/DevDetail/SwV</LocURI></Source><Data>10.0.26100.2605</Data></Item>` +
		`</Replace><Final/></SyncBody></SyncML>`)
}

// BenchmarkCheckIn posts fresh check-ins (a new device each) from 8
// concurrent clients on loopback to dmserver's handler, and, as the
// in-run baseline, to a bare handler that reads the body and writes
// 1.2 KB. Compare the requests/s of the two.
func BenchmarkCheckIn(b *testing.B) {
	reply := bytes.Repeat([]byte("x"), 1200)
	for _, tc := range []struct {
		name string
		h    func() http.Handler
	}{
		{"dmserver", func() http.Handler { return newMux(slog.New(slog.DiscardHandler), nil) }},
		{"bare", func() http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/vnd.syncml.dm+xml")
				_, _ = w.Write(reply)
			})
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(tc.h()) // a fresh server: every device is new
			defer srv.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: 8}
			defer tr.CloseIdleConnections()
			hc := &http.Client{Transport: tr}
			var n atomic.Int64
			b.SetParallelism(4) // 8 clients on 2 cores
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body := checkIn(fmt.Sprint("DEV", n.Add(1)))
					resp, err := hc.Post(srv.URL+Path, "application/vnd.syncml.dm+xml", bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("HTTP %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

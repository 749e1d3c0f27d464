package session

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// BenchmarkServerReceivesChunks has a device send an object of 4 MiB to a
// Server in chunks of 1 KiB and 8 KiB, a message each, posted to its
// ServeHTTP: with its MemoryStore ("mem") and with a Store that keeps
// copies ("copy", metric stateMB: the megabytes of states it was given per
// object); with the default MaxObjectChunks ("bound") and without bound
// ("nobound"). A Server's state holds under 64 KiB of the object so far,
// the rest going to the Store in segments once (largeobj_segs.go), so the
// work grows with the object, not with the chunks times the object as
// when the state held all of it. The metric chunks is
// the chunks a device sent, and refused whether the Server refused the
// object (413) rather than joined it.
func BenchmarkServerReceivesChunks(b *testing.B) {
	for _, chunk := range []int{1 << 10, 8 << 10} {
		for _, bound := range []string{"bound", "nobound"} {
			for _, store := range []string{"mem", "copy"} {
				b.Run(fmt.Sprintf("4MiB-chunk%dKiB-%s-%s", chunk>>10, bound, store), func(b *testing.B) {
					cfg := Config{}
					if bound == "nobound" {
						cfg.MaxObjectChunks = -1
					}
					benchServerReceives(b, cfg, 4<<20, chunk, store == "copy")
				})
			}
		}
	}
}

// deviceChunks returns the bodies of the messages of a device sending an
// object of size bytes in chunks of chunk bytes: a Replace of one chunk
// each, the first with Alert 1201 and Meta Size, all but the last with
// MoreData.
func deviceChunks(size, chunk int) []string {
	var bodies []string
	for off := 0; off < size; off += chunk {
		n := min(chunk, size-off)
		sz := ""
		if off == 0 {
			sz = strconv.Itoa(size)
		}
		body := replaceChunk(strconv.Itoa(len(bodies)+2), "./Vendor/MSFT/Big", sz, strings.Repeat("a", n), off+n < size)
		if off == 0 {
			body = alert1201 + body
		}
		bodies = append(bodies, body)
	}
	return bodies
}

// deviceMessage returns the message msgID of device (its Final only on
// the last) with body.
func deviceMessage(device string, msgID int, body string, final bool) []byte {
	b := chunkMsg(strconv.Itoa(msgID), body, final)
	return bytes.Replace(b, []byte("<LocURI>DEV1</LocURI>"), []byte("<LocURI>"+device+"</LocURI>"), 1)
}

// postRaw posts raw to s's ServeHTTP and returns the reply's body.
func postRaw(tb testing.TB, s *Server, raw []byte) []byte {
	req := httptest.NewRequest(http.MethodPost, "http://dm.test/", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/vnd.syncml.dm+xml")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("status %d: %s", rec.Code, rec.Body.Bytes())
	}
	return rec.Body.Bytes()
}

// replaceCode returns the code of the last Status of a Replace in the
// reply raw.
func replaceCode(tb testing.TB, raw []byte) string {
	tb.Helper()
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	code := ""
	for _, c := range m.Body.Commands {
		if st, ok := c.(*syncml.Status); ok && st.Cmd == "Replace" && st.Data != nil {
			code = st.Data.Value
		}
	}
	return code
}

// benchServerReceives runs sessions in which a new device sends an object
// of size bytes in chunks of chunk bytes to a Server of cfg; copying puts
// the states in a copyStore instead of the Server's MemoryStore.
func benchServerReceives(b *testing.B, cfg Config, size, chunk int, copying bool) {
	bodies := deviceChunks(size, chunk)
	cs := &copyStore{states: map[string][]byte{}, vers: map[string]uint64{}}
	scfg := ServerConfig{Session: cfg}
	if copying {
		scfg.Store = cs
	}
	s := NewServer(scfg)
	n, refused := 0, 0
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		n++
		dev := fmt.Sprint("DEV", n)
		var last []byte
		for i, body := range bodies {
			last = postRaw(b, s, deviceMessage(dev, i+1, body, i == len(bodies)-1))
		}
		switch code := replaceCode(b, last); code {
		case "413":
			refused++
		case "200":
		default:
			b.Fatalf("last chunk answered %s", code)
		}
	}
	b.ReportMetric(float64(len(bodies)), "chunks")
	b.ReportMetric(float64(refused)/float64(n), "refused")
	if copying {
		b.ReportMetric(float64(cs.saved)/float64(n)/(1<<20), "stateMB")
	}
}

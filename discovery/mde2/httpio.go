package mde2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"sync"
)

// Media types of SOAP over HTTP.
const (
	contentTypeSOAP12 = "application/soap+xml; charset=utf-8"
)

// bufPool holds the byte buffers that live only while a request is
// served: its body, its provisioning document and its answer.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

// putBuf returns b to the pool; a buffer grown large by a big message is
// left to the collector.
func putBuf(b *[]byte) {
	if cap(*b) <= 64<<10 {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// maxReserve bounds the room readBody makes for a body before reading
// it: enrollment messages are a few kilobytes, and a Content-Length is
// only the peer's claim (a client announcing a megabyte and sending it
// slowly, or not at all, would hold that much memory for its headers).
// A longer body grows the buffer as it arrives.
const maxReserve = 16 << 10

// readBody reads at most limit bytes of r; more is a LimitError. size,
// when positive, is the expected length (Content-Length), for which room
// is made up to maxReserve.
func readBody(r io.Reader, limit, size int64, into []byte) ([]byte, error) {
	if want := int(min(limit, max(size, 0), maxReserve)) + bytes.MinRead; cap(into) < want {
		into = make([]byte, 0, want)
	}
	buf := bytes.NewBuffer(into[:0])
	_, err := buf.ReadFrom(io.LimitReader(r, pastLimit(limit)))
	b := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, pkg.Limit("MaxBytes", limit, mbe.Limit, "")
		}
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, pkg.Limit("MaxBytes", limit, limit, "")
	}
	return b, nil
}

// pastLimit is one byte past limit, which tells a body at the limit from
// a longer one; at math.MaxInt64 no body can be longer, and limit+1 would
// overflow.
func pastLimit(limit int64) int64 {
	return limit + min(1, math.MaxInt64-limit)
}

// checkSOAPType accepts application/soap+xml and, for SOAP 1.1, text/xml
// (and application/xml, which some peers send).
func checkSOAPType(v string) error {
	if v == contentTypeSOAP12 || v == "application/soap+xml" {
		return nil // what Windows and this package send
	}
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrContentType, quoted(v))
	}
	switch mt {
	case "application/soap+xml", "text/xml", "application/xml":
		return nil
	}
	return fmt.Errorf("%w: %s", ErrContentType, quoted(v))
}

// writeSOAP writes a SOAP 1.2 message with its length (Windows refuses
// chunked responses).
func writeSOAP(w http.ResponseWriter, status int, b []byte) error {
	w.Header().Set("Content-Type", contentTypeSOAP12)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}

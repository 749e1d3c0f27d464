package mde2

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
)

// Media types of SOAP over HTTP.
const (
	contentTypeSOAP12 = "application/soap+xml; charset=utf-8"
	contentTypeSOAP11 = "text/xml; charset=utf-8"
)

// readBody reads at most max bytes of r; more is a LimitError.
func readBody(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, pkg.Limit("MaxBytes", max, mbe.Limit, "")
		}
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, pkg.Limit("MaxBytes", max, max, "")
	}
	return b, nil
}

// checkSOAPType accepts application/soap+xml and, for SOAP 1.1, text/xml
// (and application/xml, which some peers send).
func checkSOAPType(v string) error {
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrContentType, v)
	}
	switch mt {
	case "application/soap+xml", "text/xml", "application/xml":
		return nil
	}
	return fmt.Errorf("%w: %q", ErrContentType, v)
}

// writeSOAP writes a message with its length (Windows refuses chunked
// responses).
func writeSOAP(w http.ResponseWriter, status int, m Message) error {
	b, err := Marshal(m)
	if err != nil {
		return err
	}
	ct := contentTypeSOAP12
	if m.SOAPHeader().SOAP11 {
		ct = contentTypeSOAP11
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

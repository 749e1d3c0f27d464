package sim

import (
	"bytes"
	"crypto/tls"
	"net/http"

	"github.com/windc-go/windc/dmclient/device"
)

// winDCClient returns the HTTP client of the WinDC sessions. With a
// LinkedEnrollment whose Enrollment carries a client certificate (the
// one device.MDE2 keeps, see device.EnrollmentCertificate), the sessions
// present it, as a Windows device does, so that a server that identifies
// devices by their certificate (session.ClientCertificate) knows this
// one: they go over a clone of Config.HTTPClient's *http.Transport with
// that certificate, made once per enrollment. Otherwise, and when the
// transport is not an *http.Transport, they go over Config.HTTPClient.
func (d *Device) winDCClient() *http.Client {
	if d.linked == nil {
		return d.http
	}
	e := d.linked.State().Enrollment
	if e == nil || len(e.Data) == 0 {
		return d.http
	}
	if d.certHTTP != nil && bytes.Equal(d.certData, e.Data) {
		return d.certHTTP
	}
	base, ok := d.baseTransport.(*http.Transport)
	if !ok {
		return d.http
	}
	cert, err := device.EnrollmentCertificate(e)
	if err != nil {
		return d.http
	}
	d.closeCertHTTP()
	tr := base.Clone()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
	c := *d.http
	c.Transport = tr // an *http.Transport: countWrites counts its posts
	d.certHTTP, d.certData, d.certTransport = &c, e.Data, tr
	return d.certHTTP
}

// closeCertHTTP closes the idle connections of the certificate's client.
func (d *Device) closeCertHTTP() {
	if d.certTransport != nil {
		d.certTransport.CloseIdleConnections()
	}
	d.certHTTP, d.certData, d.certTransport = nil, nil, nil
}

package sim_test

import "net/http"

// httpClient is an HTTP client for loopback servers with as many idle
// connections per host as devices run at once.
type httpClient struct{ c *http.Client }

func newHTTPClient(conc int) *httpClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conc
	return &httpClient{c: &http.Client{Transport: tr}}
}

package device

import (
	"context"
	"testing"

	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
)

// BenchmarkEnroll measures one linked enrollment of a simulated device
// apart from its sessions: Exec Enroll runs the discovery JSON and MS-MDE2
// (GetPolicies, a new key, RequestSecurityToken, the provisioning
// document) against loopback services, for each key type a device can
// generate, and the default (from-policy: the RSA 2048 the windc
// Server's policy asks for). Key generation dominates RSA-2048.
func BenchmarkEnroll(b *testing.B) {
	for _, kt := range []struct {
		name string
		key  mde2.KeyType
	}{{"ecdsa-p256", mde2.KeyECDSAP256}, {"rsa-2048", mde2.KeyRSA2048}, {"from-policy", mde2.KeyFromPolicy}} {
		b.Run(kt.name, func(b *testing.B) {
			ms := mde2Server(b, nil)
			ds := mde2Discovery(b, ms)
			cfg := config(ds, &MDE2{
				Client: &mde2.Client{HTTPClient: ds.Client(), KeyType: kt.key, URLs: discovery.URLPolicy{AllowLoopbackHTTP: true}},
				Device: mde2.Device{DeviceID: "8A1D3F52-6C0B-4E8F-9D27-41B5C6E7F809", OSVersion: "10.0.26100.1301"},
				Credentials: func(context.Context, discovery.AuthPolicy) (mde2.Credentials, error) {
					return mde2.Credentials{Token: []byte("entra-device-token")}, nil
				},
			})
			b.ReportAllocs()
			for b.Loop() {
				h, err := New(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				serve(h, le.ReplaceDiscoveryEndpoint(ds.URL))
				if r := serve(h, le.ExecEnroll()); r.Code != 0 {
					b.Fatalf("Exec: %+v %+v", r, h.State())
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "enrollments/s")
		})
	}
}

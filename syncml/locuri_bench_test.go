package syncml

import "testing"

// BenchmarkParseLocURI reads LocURIs of the shapes sessions carry: plain,
// percent-escaped, non-ASCII, and one refused.
func BenchmarkParseLocURI(b *testing.B) {
	for _, c := range []struct{ name, uri string }{
		{"plain", "./Device/Vendor/MSFT/DeclaredConfiguration/Host/Complete/Documents/27FEA311-68B9-4320-9FC4-296F6FDFAFE2/Document"},
		{"escaped", "./Device/DSC/root%2Fcimv2/MSFT_Reg/Key%3DHKLM%2CName%3DX/Data"},
		{"non-ASCII", "./Vendor/MSFT/Policy/Config/Räume/Größe/Straße"},
		{"refused", "./Vendor/MSFT/Policy/Config/A%01B"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = ParseLocURI(c.uri)
			}
		})
	}
}

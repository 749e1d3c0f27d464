package ddf

import (
	"errors"
	"testing"
)

// A top-level node of an unscoped Path below "." (./Vendor/MSFT) is the
// device's, as Windows reads it and as Parse holds it: a device-scope
// URI finds it as the unscoped one does; a user-scope URI does not, nor
// does a device-scope URI find a node directly under "." (./DevDetail).
func TestLookupDeviceScopeOfUnscopedPath(t *testing.T) {
	const props = `<DFProperties><AccessType><Get/></AccessType><DFFormat><chr/></DFFormat><Occurrence><One/></Occurrence><Scope><Permanent/></Scope><DFType><MIME>text/plain</MIME></DFType></DFProperties>`
	tree, err := Parse([]byte(`<MgmtTree><VerDTD>1.2</VerDTD>` +
		`<Node><NodeName>X</NodeName><Path>./Vendor/MSFT</Path>` + props + `</Node>` +
		`<Node><NodeName>Y</NodeName><Path>./Device/Vendor/MSFT</Path>` + props + `</Node>` +
		`<Node><NodeName>DevDetail</NodeName><Path>.</Path>` + props + `</Node>` +
		`</MgmtTree>`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ uri, want string }{
		{"./Vendor/MSFT/X", "X"},
		{"./Device/Vendor/MSFT/X", "X"},
		{"./device/Vendor/MSFT/X", "X"},
		{"./User/Vendor/MSFT/X", ""},
		{"./Vendor/MSFT/Y", "Y"},
		{"./Device/Vendor/MSFT/Y", "Y"},
		{"./DevDetail", "DevDetail"},
		{"./Device/DevDetail", "DevDetail"},
	} {
		n, err := tree.Lookup(tt.uri)
		switch {
		case tt.want == "" && (err == nil || !errors.Is(err, ErrNoSuchNode)):
			t.Errorf("Lookup(%s) = %v, %v; want ErrNoSuchNode", tt.uri, n, err)
		case tt.want != "" && (err != nil || n == nil || n.Name != tt.want):
			t.Errorf("Lookup(%s) = %v, %v; want %s", tt.uri, n, err, tt.want)
		}
	}
}

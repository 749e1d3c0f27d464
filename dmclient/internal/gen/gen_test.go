package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestGeneratedFileIsCurrent regenerates nodes_gen.go from the DDF in the
// shared spec folder and compares it with the committed file.
func TestGeneratedFileIsCurrent(t *testing.T) {
	data, err := os.ReadFile("../../../../shared/spec/ddf/DMClient.xml")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("DMClient.xml absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := Generate(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../nodes_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("nodes_gen.go is stale: run go generate ./dmclient")
	}
	if !bytes.HasPrefix(got, []byte("// Code generated ")) || !bytes.Contains(got, []byte("DO NOT EDIT.")) {
		t.Error("generated file lacks the standard header")
	}
}

func TestGenerateRejectsCollisions(t *testing.T) {
	props := `<DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat></DFProperties>`
	ddfText := `<MgmtTree><Node><NodeName>DMClient</NodeName><Path>./Device/Vendor/MSFT</Path>` + props +
		`<Node><NodeName>A-B</NodeName>` + props + `</Node><Node><NodeName>AB</NodeName>` + props + `</Node></Node></MgmtTree>`
	_, err := Generate([]byte(ddfText))
	if err == nil || !strings.Contains(err.Error(), "both map to DeviceAB") {
		t.Errorf("Generate = %v, want a collision error", err)
	}
}

func TestParamName(t *testing.T) {
	tests := []struct {
		title string
		taken []string
		want  string
	}{
		{"ProviderID", nil, "providerID"},
		{"URLList", nil, "urlList"},
		{"ID", nil, "id"},
		{"", nil, "name"},
		{"ProviderID", []string{"providerID"}, "providerID2"},
	}
	for _, tt := range tests {
		if got := paramName(tt.title, tt.taken); got != tt.want {
			t.Errorf("paramName(%q, %v) = %q, want %q", tt.title, tt.taken, got, tt.want)
		}
	}
}

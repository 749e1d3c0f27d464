package xmlscan

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestAppendAttrValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{`a&b<c>d"e`, "a&amp;b&lt;c&gt;d&quot;e"},
		{"t\tl\nc\r", "t&#x9;l&#xA;c&#xD;"},
		{"'é'", "'é'"},
	}
	for _, tt := range tests {
		got := string(AppendAttrValue([]byte("x"), tt.in))
		if got != "x"+tt.want {
			t.Errorf("AppendAttrValue(%q) = %q, want %q", tt.in, got, "x"+tt.want)
		}
		// encoding/xml reads it back unchanged, normalisation included.
		var v struct {
			A string `xml:"a,attr"`
		}
		if err := xml.Unmarshal([]byte(`<e a="`+tt.want+`"/>`), &v); err != nil || v.A != tt.in {
			t.Errorf("%q read back as %q, %v", tt.in, v.A, err)
		}
	}
	if s := strings.Repeat("&", 3); string(AppendAttrValue(nil, s)) != "&amp;&amp;&amp;" {
		t.Error("repeated replacements")
	}
}

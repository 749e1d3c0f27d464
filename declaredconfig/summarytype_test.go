package declaredconfig

import (
	"errors"
	"testing"

	"github.com/windc-go/windc/syncml"
)

// TestIsSummaryType: the Meta Type of the summary alert is a reverse
// domain name, matched without regard to the case of its letters, with
// white space around it and with or without OMA DM's namespace identifier
// "Reversed-Domain-Name:" (any case, white space after it); any other
// type is not the summary. ReadSummary reads the alert under each type
// IsSummaryType takes, and finds none under the others. Before,
// ReadSummary matched the type exactly (but for white space): a device
// writing "COM.Microsoft.MDM.DeclaredConfigurationDocuments" sent no
// summary.
func TestIsSummaryType(t *testing.T) {
	for _, c := range []struct {
		typ  string
		want bool
	}{
		{SummaryType, true},
		{" \t" + SummaryType + "\n", true},
		{"COM.MICROSOFT.MDM.DECLAREDCONFIGURATIONDOCUMENTS", true},
		{"com.microsoft.mdm.DeclaredConfigurationDocuments", true},
		{"Reversed-Domain-Name:" + SummaryType, true},
		{"reversed-domain-name: com.Microsoft.mdm.declaredconfigurationdocuments ", true},
		{" Reversed-Domain-Name:\t" + SummaryType, true},
		{"", false},
		{"Reversed-Domain-Name:", false},
		{"Reversed-Domain-Name", false},
		{"Content-Type:" + SummaryType, false},
		{"Reversed-Domain-Name:Reversed-Domain-Name:" + SummaryType, false},
		{SummaryType + "x", false},
		{SummaryType[:len(SummaryType)-1], false},
		{"com.microsoft.mdm.declaredconfigurationdocument", false},
		{"com.microsoft.mdm.requestpending", false},
		{"Reversed-Domain-Name:com.microsoft.mdm.requestpending", false},
		{"com.microsoft.mdm.declaredconfiguration documents", false},
		{"com.microsoft.mdm.declaredconfigurationdocumentſ", false}, // no Unicode folding
	} {
		if got := IsSummaryType(c.typ); got != c.want {
			t.Errorf("IsSummaryType(%q) = %v, want %v", c.typ, got, c.want)
		}
		m := &syncml.Message{}
		m.Body.Commands = []syncml.Command{&syncml.Alert{CmdID: "1", Data: syncml.Text("1224"), Items: []syncml.Item{{
			Meta: &syncml.Meta{Type: c.typ},
			Data: syncml.Text(`<DeclaredConfigurations schema="1.0"><DeclaredConfiguration context="Device" id="D" checksum="A" result_checksum="R" state="60"/></DeclaredConfigurations>`),
		}}}}
		s, err := ReadSummary(m)
		switch {
		case c.want && (err != nil || len(s.Documents) != 1 || s.Documents[0].ID != "D"):
			t.Errorf("ReadSummary under type %q: %+v, %v; want its one entry", c.typ, s, err)
		case !c.want && !errors.Is(err, ErrNoSummary):
			t.Errorf("ReadSummary under type %q: %+v, %v; want ErrNoSummary", c.typ, s, err)
		}
	}
}

package declaredconfig_test

import (
	"fmt"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
)

// TestSummaryEntryParsedState: an entry's state reads as ParseState reads
// it (XML spaces around it aside); an absent one, a word or one past 32
// bits does not read, 0 and false.
func TestSummaryEntryParsedState(t *testing.T) {
	for _, c := range []struct {
		state string
		want  declaredconfig.State
		ok    bool
	}{
		{"60", declaredconfig.StateConfigCompletedSuccess, true},
		{" 61\n", declaredconfig.StateConfigCompletedError, true},
		{"0", declaredconfig.StateNotDefined, true},
		{"99", 99, true}, // reads, though no state the CSP defines
		{"", 0, false},
		{"Completed", 0, false},
		{"-1", 0, false},
		{"4294967296", 0, false},
	} {
		got, ok := declaredconfig.SummaryEntry{State: c.state}.ParsedState()
		if got != c.want || ok != c.ok {
			t.Errorf("ParsedState of state %q: %v, %v; want %v, %v", c.state, got, ok, c.want, c.ok)
		}
	}
}

// A device-side view of a summary: each entry's state, typed, without an
// error to drop.
func ExampleSummaryEntry_ParsedState() {
	var s declaredconfig.Summary
	if err := s.UnmarshalText([]byte(`<DeclaredConfigurations schema="1.0">` +
		`<DeclaredConfiguration context="Device" id="10249228-E719-58BF-B459-060DE45240F1" checksum="A1" state="60"/>` +
		`<DeclaredConfiguration context="Device" id="20249228-E719-58BF-B459-060DE45240F2" checksum="B1" state="pending"/>` +
		`</DeclaredConfigurations>`)); err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range s.Documents {
		if st, ok := e.ParsedState(); ok {
			fmt.Println(e.Checksum, st, st.Completed())
		} else {
			fmt.Println(e.Checksum, "state does not read:", e.State)
		}
	}
	// Output:
	// A1 ConfigCompletedSuccess(60) true
	// B1 state does not read: pending
}

package syncmltest_test

import (
	"fmt"

	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/syncmltest"
)

// A benchmark or a test posts WindowsCheckIn as a Windows device's first
// message of a session: Alert 1201, the LoginStatus event and the
// DevInfo Replace.
func ExampleWindowsCheckIn() {
	raw := syncmltest.WindowsCheckIn("DEV42", "7")
	var m syncml.Message
	if err := syncml.Unmarshal(raw, &m); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Header.Source.LocURI, m.Header.SessionID, m.Header.MsgID)
	for _, c := range m.Body.Commands {
		fmt.Println(c.ElementName(), len(c.ItemList()))
	}
	// Output:
	// DEV42 7 1
	// Alert 0
	// Alert 1
	// Replace 9
}

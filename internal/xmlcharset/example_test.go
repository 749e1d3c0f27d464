package xmlcharset_test

import (
	"fmt"

	"github.com/windc-go/windc/internal/xmlcharset"
)

func Example() {
	doc := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Data>caf\xE9</Data>")
	text, transcoded, err := xmlcharset.ToUTF8(doc)
	fmt.Println(text, transcoded, err)

	_, _, err = xmlcharset.ToUTF8([]byte("<?xml version=\"1.0\" encoding=\"us-ascii\"?><Data>caf\xE9</Data>"))
	fmt.Println(err)
	// Output:
	// <?xml version="1.0" encoding="ISO-8859-1"?><Data>café</Data> true <nil>
	// bad character encoding: byte 0xe9 is not US-ASCII
}

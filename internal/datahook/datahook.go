package datahook

import "github.com/windc-go/windc/internal/xmlscan"

// A Hook is asked, for the Data of each Item of a message, for a sink to
// feed with the tokens of the Data's content.
type Hook interface {
	// Sink returns the sink for the Data of an Item whose Target and
	// Source LocURIs are given (each "" when absent or not read yet,
	// as when the Data comes first), or nil to read the Data as usual.
	// input is the (UTF-8) message being read: the offsets the sink is
	// given are into it.
	Sink(input, target, source string) xmlscan.Sink
	// Done reports that the Data given a sink has been read without
	// error: data is the *syncml.Data, start the offset of its content
	// (where Data.Value starts in input), path the element path of the
	// Data element ("/SyncML/SyncBody/Add/Item/Data").
	Done(data any, sink xmlscan.Sink, start int, path string)
}

// Unmarshal decodes the whole message data into m (a *syncml.Message)
// under lim (a syncml.Limits) as syncml.UnmarshalLimits does, asking h
// for the sinks of Item Data. It returns the UTF-8 text it read (data
// itself, or data transcoded), to which error offsets refer.
var Unmarshal func(data []byte, m any, lim any, h Hook) (input string, err error)

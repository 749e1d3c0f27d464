package declaredconfig

import (
	"encoding"
	"strconv"

	"github.com/windc-go/windc/syncml"
)

// The Meta the documentation puts on document and integer nodes.
func chrMeta() *syncml.Meta { return &syncml.Meta{Format: "chr", Type: "text/plain"} }
func intMeta() *syncml.Meta { return &syncml.Meta{Format: "int", Type: "text/plain"} }

func target(u URI) *syncml.Location { return &syncml.Location{LocURI: u.String()} }

func needNode(u URI, n Node) error {
	if err := u.Check(); err != nil {
		return err
	}
	if u.Node != n {
		return errorf("%w: %s is not a %v node", ErrURI, u, n)
	}
	return nil
}

// payload marshals v and wraps it in a Data of the caller's kind: escaped
// text, CDATA, or markup.
func payload(v encoding.TextMarshaler, kind syncml.DataKind) (*syncml.Data, error) {
	b, err := v.MarshalText()
	if err != nil {
		return nil, err
	}
	switch kind {
	case syncml.DataText:
		return syncml.Text(string(b)), nil
	case syncml.DataCDATA:
		return syncml.CDATA(string(b)), nil
	case syncml.DataXML:
		return syncml.XML(string(b)), nil
	}
	return nil, errorf("%w: unknown Data kind %v", ErrValue, kind)
}

func documentItem(u URI, d *Document, kind syncml.DataKind) (syncml.Item, error) {
	if err := needNode(u, NodeDocument); err != nil {
		return syncml.Item{}, err
	}
	if err := d.Validate(u); err != nil {
		return syncml.Item{}, err
	}
	data, err := payload(d, kind)
	if err != nil {
		return syncml.Item{}, err
	}
	return syncml.Item{Meta: chrMeta(), Target: target(u), Data: data}, nil
}

// The builders below return commands without a CmdID: whoever sends them
// numbers them (a session, or syncml.NumberCommands for a hand-built
// message). Each addresses one node with one Item.

// AddDocument returns an Add that sends d to the Document node u, carried as
// escaped text, CDATA or markup as kind says. d must pass Validate(u).
func AddDocument(u URI, d *Document, kind syncml.DataKind) (*syncml.Add, error) {
	it, err := documentItem(u, d, kind)
	if err != nil {
		return nil, err
	}
	return &syncml.Add{Items: []syncml.Item{it}}, nil
}

// ReplaceDocument returns a Replace that sends d (a new document, or a new
// version under the same DocID with a new checksum) to the Document node u.
// d must pass Validate(u).
func ReplaceDocument(u URI, d *Document, kind syncml.DataKind) (*syncml.Replace, error) {
	it, err := documentItem(u, d, kind)
	if err != nil {
		return nil, err
	}
	return &syncml.Replace{Items: []syncml.Item{it}}, nil
}

// DeleteDocument returns a Delete of the Document node u. The device drops
// the document; the settings it made stay.
func DeleteDocument(u URI) (*syncml.Delete, error) {
	if err := needNode(u, NodeDocument); err != nil {
		return nil, err
	}
	return &syncml.Delete{Items: []syncml.Item{{Target: target(u)}}}, nil
}

// GetDocument returns a Get of the Document node u: the document as the
// device holds it.
func GetDocument(u URI) (*syncml.Get, error) {
	if err := needNode(u, NodeDocument); err != nil {
		return nil, err
	}
	return &syncml.Get{Items: []syncml.Item{{Meta: chrMeta(), Target: target(u)}}}, nil
}

// SetAbandoned returns a Replace of the Properties/Abandoned node u: 1
// abandons the document (its resources stay but are no longer kept in the
// desired state and may be managed by legacy MDM again), 0 takes it back.
func SetAbandoned(u URI, abandoned bool) (*syncml.Replace, error) {
	if err := needNode(u, NodeAbandoned); err != nil {
		return nil, err
	}
	v := "0"
	if abandoned {
		v = "1"
	}
	return &syncml.Replace{Items: []syncml.Item{{Meta: intMeta(), Target: target(u), Data: syncml.Text(v)}}}, nil
}

// GetResults returns a Get of the Results node u; the device answers with
// a Results command whose Data is a Result.
func GetResults(u URI) (*syncml.Get, error) {
	if err := needNode(u, NodeResults); err != nil {
		return nil, err
	}
	return &syncml.Get{Items: []syncml.Item{{Meta: chrMeta(), Target: target(u)}}}, nil
}

// ReplaceBulkVariables returns a Replace that sends the instance data of a
// bulk template to its BulkVariables/Value node u.
func ReplaceBulkVariables(u URI, b *InstanceBlob, kind syncml.DataKind) (*syncml.Replace, error) {
	if err := needNode(u, NodeBulkVariables); err != nil {
		return nil, err
	}
	if b == nil {
		return nil, errorf("%w: nil InstanceBlob", ErrValue)
	}
	data, err := payload(b, kind)
	if err != nil {
		return nil, err
	}
	return &syncml.Replace{Items: []syncml.Item{{Meta: chrMeta(), Target: target(u), Data: data}}}, nil
}

// MinRefreshInterval and DefaultRefreshInterval bound RefreshInterval, in
// minutes.
const (
	MinRefreshInterval     = 30
	DefaultRefreshInterval = 240
)

// GetRefreshInterval returns a Get of RefreshIntervalURI.
func GetRefreshInterval() *syncml.Get {
	return &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: RefreshIntervalURI}}}}
}

// ReplaceRefreshInterval returns a Replace that sets the minutes between
// drift checks; minutes must be at least MinRefreshInterval.
func ReplaceRefreshInterval(minutes uint32) (*syncml.Replace, error) {
	if minutes < MinRefreshInterval {
		return nil, errorf("%w: refresh interval %d is below %d minutes", ErrInvalid, minutes, MinRefreshInterval)
	}
	return &syncml.Replace{Items: []syncml.Item{{
		Meta:   intMeta(),
		Target: &syncml.Location{LocURI: RefreshIntervalURI},
		Data:   syncml.Text(strconv.FormatUint(uint64(minutes), 10)),
	}}}, nil
}

// DeleteRefreshInterval returns a Delete of RefreshIntervalURI: the device
// goes back to the default schedule.
func DeleteRefreshInterval() *syncml.Delete {
	return &syncml.Delete{Items: []syncml.Item{{Target: &syncml.Location{LocURI: RefreshIntervalURI}}}}
}

// GetConflictResolution returns a Get of ConflictResolutionURI.
func GetConflictResolution() *syncml.Get {
	return &syncml.Get{Items: []syncml.Item{{Target: &syncml.Location{LocURI: ConflictResolutionURI}}}}
}

// ReplaceConflictResolution returns a Replace that turns conflict
// resolution on (1) or off (0).
func ReplaceConflictResolution(on bool) *syncml.Replace {
	v := "0"
	if on {
		v = "1"
	}
	return &syncml.Replace{Items: []syncml.Item{{
		Meta:   intMeta(),
		Target: &syncml.Location{LocURI: ConflictResolutionURI},
		Data:   syncml.Text(v),
	}}}
}

// DeleteConflictResolution returns a Delete of ConflictResolutionURI.
func DeleteConflictResolution() *syncml.Delete {
	return &syncml.Delete{Items: []syncml.Item{{Target: &syncml.Location{LocURI: ConflictResolutionURI}}}}
}

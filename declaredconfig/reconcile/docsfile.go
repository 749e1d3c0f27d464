package reconcile

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/windc-go/windc/declaredconfig"
)

// ParseDocs reads a file of DeclaredConfiguration documents, one after
// another (an XML declaration, comments and white space between them are
// allowed, nothing else), each read with Document.UnmarshalText. Each Doc
// is in the scope its context names (User for "user" in any case, Device
// otherwise) and under the host its content implies: Inventory for the
// inventory scenarios (MSFTInventory, MSFTExtensibilityMIProviderInventory),
// BulkTemplate for a document with ReflectedProperties, Complete
// otherwise. Every Doc is checked as Declare checks it; an error names
// the document and its line.
//
// Changed: a document of the scope and DocID (compared by
// declaredconfig.EqualDocID) of an earlier one in the file is an error
// matching ErrInvalid that names both: Declare would replace the earlier
// by it under the same host, or refuse it under another.
func ParseDocs(text []byte) ([]Doc, error) {
	dec := xml.NewDecoder(bytes.NewReader(text))
	var out []Doc
	first := map[string][2]int{} // by docKey: the document's number and line
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errorf("ParseDocs: line %d: %w", lineAt(text, start), err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "DeclaredConfiguration" || t.Name.Space != "" {
				return nil, errorf("ParseDocs: line %d: element %s where a DeclaredConfiguration was expected: %w",
					lineAt(text, start), t.Name.Local, ErrInvalid)
			}
			if err := dec.Skip(); err != nil {
				return nil, errorf("ParseDocs: document %d (line %d): %w", len(out)+1, lineAt(text, start), err)
			}
			var d declaredconfig.Document
			if err := d.UnmarshalText(text[start:dec.InputOffset()]); err != nil {
				return nil, errorf("ParseDocs: document %d (line %d): %w", len(out)+1, lineAt(text, start), err)
			}
			doc := Doc{Scope: declaredconfig.Device, Host: declaredconfig.Complete, Document: &d}
			if strings.EqualFold(strings.TrimSpace(d.Context), "user") {
				doc.Scope = declaredconfig.User
			}
			switch {
			case d.Scenario == declaredconfig.ScenarioInventory || d.Scenario == declaredconfig.ScenarioMIProviderInventory:
				doc.Host = declaredconfig.Inventory
			case d.Reflected != nil:
				doc.Host = declaredconfig.BulkTemplate
			}
			if err := doc.check(); err != nil {
				return nil, errorf("ParseDocs: document %d (line %d): %w", len(out)+1, lineAt(text, start), err)
			}
			k := docKey(doc.Scope, d.ID)
			line := lineAt(text, start)
			if f, ok := first[k]; ok {
				return nil, errorf("ParseDocs: document %d (line %d): %v document %s is document %d (line %d) again: %w",
					len(out)+1, line, doc.Scope, shown(d.ID), f[0], f[1], ErrInvalid)
			}
			first[k] = [2]int{len(out) + 1, line}
			out = append(out, doc)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, errorf("ParseDocs: line %d: text between documents: %w", lineAt(text, start), ErrInvalid)
			}
		case xml.Directive:
			return nil, errorf("ParseDocs: line %d: a directive (DOCTYPE): %w", lineAt(text, start), ErrInvalid)
		case xml.EndElement:
			return nil, errorf("ParseDocs: line %d: end tag %s without its start: %w", lineAt(text, start), t.Name.Local, ErrInvalid)
		}
	}
	if len(out) == 0 {
		return nil, errorf("ParseDocs: no DeclaredConfiguration document: %w", ErrInvalid)
	}
	return out, nil
}

func lineAt(text []byte, off int64) int {
	if off > int64(len(text)) {
		off = int64(len(text))
	}
	return bytes.Count(text[:off], []byte("\n")) + 1
}

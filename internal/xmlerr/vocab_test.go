package xmlerr_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/windc-go/windc/declaredconfig"
	"github.com/windc-go/windc/discovery"
	"github.com/windc-go/windc/discovery/mde2"
	"github.com/windc-go/windc/discovery/mde2/provisioning"
	"github.com/windc-go/windc/internal/xmlerr"
	"github.com/windc-go/windc/internal/xmlerr/errtest"
	"github.com/windc-go/windc/syncml"
	"github.com/windc-go/windc/syncml/ddf"
)

// The packages expose one type each for decode and limit errors.
var (
	_ *xmlerr.DecodeError = (*syncml.DecodeError)(nil)
	_ *xmlerr.DecodeError = (*declaredconfig.DecodeError)(nil)
	_ *xmlerr.DecodeError = (*ddf.ParseError)(nil)
	_ *xmlerr.DecodeError = (*discovery.DecodeError)(nil)
	_ *xmlerr.DecodeError = (*provisioning.DecodeError)(nil)
	_ *xmlerr.DecodeError = (*mde2.DecodeError)(nil)
	_ *xmlerr.LimitError  = (*syncml.LimitError)(nil)
	_ *xmlerr.LimitError  = (*declaredconfig.LimitError)(nil)
	_ *xmlerr.LimitError  = (*ddf.LimitError)(nil)
	_ *xmlerr.LimitError  = (*discovery.LimitError)(nil)
	_ *xmlerr.LimitError  = (*provisioning.LimitError)(nil)
	_ *xmlerr.LimitError  = (*mde2.LimitError)(nil)
)

func mde2Err(body string, lim mde2.Limits) error {
	var m mde2.Discover
	return mde2.UnmarshalLimits([]byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>`+body+`</s:Body></s:Envelope>`), &m, lim)
}

func syncmlMsg(data string) []byte {
	return []byte(`<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody>` +
		`<Replace><CmdID>1</CmdID><Item><Data>` + data + `</Data></Item></Replace></SyncBody></SyncML>`)
}

func syncmlErr(data string, lim syncml.Limits) error {
	var m syncml.Message
	return syncml.UnmarshalLimits(syncmlMsg(data), &m, lim)
}

func docErr(text string, lim declaredconfig.Limits) error {
	var d declaredconfig.Document
	return declaredconfig.UnmarshalLimits([]byte(text), &d, lim)
}

func ddfErr(text string, lim ddf.Limits) error {
	_, err := ddf.ParseLimits([]byte(text), lim)
	return err
}

func provErr(text string, lim provisioning.Limits) error {
	var d provisioning.Document
	return provisioning.UnmarshalLimits([]byte(text), &d, lim)
}

func discoveryErr(text string, max int64) error {
	_, err := discovery.ReadRequest(strings.NewReader(text), max)
	return err
}

// TestSameSentinels checks that one condition matches the same sentinel
// whichever package reports it, under each package's name for it.
func TestSameSentinels(t *testing.T) {
	same := []struct {
		name string
		all  []error
	}{
		{"ErrSyntax", []error{xmlerr.ErrSyntax, syncml.ErrSyntax, declaredconfig.ErrSyntax, ddf.ErrSyntax, discovery.ErrSyntax, provisioning.ErrSyntax}},
		{"ErrNamespace", []error{xmlerr.ErrNamespace, syncml.ErrNamespace, declaredconfig.ErrNamespace, provisioning.ErrNamespace}},
		{"ErrDuplicateAttr", []error{xmlerr.ErrDuplicateAttr, syncml.ErrDuplicateAttr, declaredconfig.ErrDuplicateAttr, provisioning.ErrDuplicateAttr}},
		{"ErrInvalidChar", []error{xmlerr.ErrInvalidChar, syncml.ErrInvalidChar, declaredconfig.ErrInvalidChar, provisioning.ErrInvalidChar}},
		{"ErrEncoding", []error{xmlerr.ErrEncoding, syncml.ErrEncoding, declaredconfig.ErrEncoding, ddf.ErrEncoding, provisioning.ErrEncoding}},
		{"ErrEntity", []error{xmlerr.ErrEntity, syncml.ErrEntity, declaredconfig.ErrEntity, provisioning.ErrEntity}},
		{"ErrDOCTYPE", []error{xmlerr.ErrDOCTYPE, syncml.ErrDOCTYPE, declaredconfig.ErrDOCTYPE, provisioning.ErrDOCTYPE}},
		{"ErrStructure", []error{xmlerr.ErrStructure, syncml.ErrStructure, declaredconfig.ErrStructure, ddf.ErrStructure, provisioning.ErrStructure}},
		{"ErrLimit", []error{xmlerr.ErrLimit, syncml.ErrLimit, declaredconfig.ErrLimit, ddf.ErrLimit, discovery.ErrLimit, provisioning.ErrLimit}},
	}
	for _, s := range same {
		for i, e := range s.all {
			if e != s.all[0] {
				t.Errorf("%s: the %dth package's value differs", s.name, i)
			}
		}
	}
}

// TestOneVocabulary decodes bad input with every package and checks the
// sentinel (across packages), the error type and the message prefix.
func TestOneVocabulary(t *testing.T) {
	const dcRoot = `<DeclaredConfiguration>`
	cases := []struct {
		pkg   string
		name  string
		err   error
		want  []error // every one must match
		limit string  // LimitError.Limit, or "" for a DecodeError
	}{
		{"syncml", "syntax", syncmlErr(`<a>`, syncml.Limits{}), []error{syncml.ErrSyntax, declaredconfig.ErrSyntax, discovery.ErrSyntax}, ""},
		{"syncml", "undeclared prefix", syncmlErr(`<p:a/>`, syncml.Limits{}), []error{declaredconfig.ErrNamespace, syncml.ErrSyntax}, ""},
		{"syncml", "duplicate attribute", syncmlErr(`<a b="1" b="2"/>`, syncml.Limits{}), []error{declaredconfig.ErrDuplicateAttr, ddf.ErrSyntax}, ""},
		{"syncml", "invalid character", syncmlErr(`&#0;`, syncml.Limits{}), []error{declaredconfig.ErrInvalidChar, declaredconfig.ErrSyntax}, ""},
		{"syncml", "invalid UTF-8", syncmlErr("\xff", syncml.Limits{}), []error{declaredconfig.ErrEncoding, declaredconfig.ErrSyntax}, ""},
		{"syncml", "entity", syncmlErr(`&nbsp;`, syncml.Limits{}), []error{declaredconfig.ErrEntity, declaredconfig.ErrSyntax}, ""},
		{"syncml", "structure", syncmlErr(`</Data><Bogus/><Data>`, syncml.Limits{}), []error{declaredconfig.ErrStructure, ddf.ErrStructure}, ""},
		{"syncml", "depth", syncmlErr(``, syncml.Limits{MaxDepth: 2}), []error{discovery.ErrLimit, ddf.ErrLimit}, "MaxDepth"},
		{"syncml", "bytes", syncmlErr(``, syncml.Limits{MaxBytes: 10}), []error{declaredconfig.ErrLimit}, "MaxBytes"},

		{"declaredconfig", "syntax", docErr(dcRoot, declaredconfig.Limits{}), []error{syncml.ErrSyntax, ddf.ErrSyntax, discovery.ErrSyntax}, ""},
		{"declaredconfig", "undeclared prefix", docErr(`<DeclaredConfiguration p:a="1"/>`, declaredconfig.Limits{}), []error{syncml.ErrNamespace, syncml.ErrSyntax}, ""},
		{"declaredconfig", "duplicate attribute", docErr(`<DeclaredConfiguration a="1" a="2"/>`, declaredconfig.Limits{}), []error{syncml.ErrDuplicateAttr}, ""},
		{"declaredconfig", "invalid character", docErr(dcRoot+`&#0;</DeclaredConfiguration>`, declaredconfig.Limits{}), []error{syncml.ErrInvalidChar}, ""},
		{"declaredconfig", "invalid UTF-8", docErr(dcRoot+"\xff</DeclaredConfiguration>", declaredconfig.Limits{}), []error{syncml.ErrEncoding, syncml.ErrSyntax}, ""},
		{"declaredconfig", "entity", docErr(dcRoot+`&nbsp;</DeclaredConfiguration>`, declaredconfig.Limits{}), []error{syncml.ErrEntity}, ""},
		{"declaredconfig", "DOCTYPE", docErr(`<!DOCTYPE x><DeclaredConfiguration/>`, declaredconfig.Limits{}), []error{syncml.ErrDOCTYPE}, ""},
		{"declaredconfig", "structure", docErr(`<Other/>`, declaredconfig.Limits{}), []error{syncml.ErrStructure}, ""},
		{"declaredconfig", "depth", docErr(`<DeclaredConfiguration><CSP/></DeclaredConfiguration>`, declaredconfig.Limits{MaxDepth: 1}), []error{syncml.ErrLimit, discovery.ErrLimit}, "MaxDepth"},
		{"declaredconfig", "bytes", docErr(`<DeclaredConfiguration/>`, declaredconfig.Limits{MaxBytes: 5}), []error{syncml.ErrLimit}, "MaxBytes"},

		{"ddf", "syntax", ddfErr(`<MgmtTree><`, ddf.Limits{}), []error{syncml.ErrSyntax, declaredconfig.ErrSyntax}, ""},
		{"ddf", "invalid UTF-8", ddfErr("<MgmtTree>\xff</MgmtTree>", ddf.Limits{}), []error{syncml.ErrEncoding, syncml.ErrSyntax}, ""},
		{"ddf", "encoding", ddfErr(`<?xml version="1.0" encoding="ISO-8859-1"?><MgmtTree/>`, ddf.Limits{}), []error{syncml.ErrEncoding, syncml.ErrSyntax}, ""},
		{"ddf", "structure", ddfErr(`<Other/>`, ddf.Limits{}), []error{syncml.ErrStructure}, ""},
		{"ddf", "depth", ddfErr(`<MgmtTree><Node></Node></MgmtTree>`, ddf.Limits{MaxDepth: 1}), []error{syncml.ErrLimit}, "MaxDepth"},
		{"ddf", "bytes", ddfErr(`<MgmtTree/>`, ddf.Limits{MaxBytes: 3}), []error{declaredconfig.ErrLimit}, "MaxBytes"},

		{"provisioning", "syntax", provErr(`<wap-provisioningdoc>`, provisioning.Limits{}), []error{syncml.ErrSyntax, declaredconfig.ErrSyntax}, ""},
		{"provisioning", "undeclared prefix", provErr(`<wap-provisioningdoc p:a="1"/>`, provisioning.Limits{}), []error{syncml.ErrNamespace, syncml.ErrSyntax}, ""},
		{"provisioning", "duplicate attribute", provErr(`<wap-provisioningdoc a="1" a="2"/>`, provisioning.Limits{}), []error{syncml.ErrDuplicateAttr, syncml.ErrSyntax}, ""},
		{"provisioning", "invalid character", provErr(`<wap-provisioningdoc a="&#0;"/>`, provisioning.Limits{}), []error{syncml.ErrInvalidChar, syncml.ErrSyntax}, ""},
		{"provisioning", "invalid UTF-8", provErr("<wap-provisioningdoc a=\"\xff\"/>", provisioning.Limits{}), []error{syncml.ErrEncoding, syncml.ErrSyntax}, ""},
		{"provisioning", "entity", provErr(`<wap-provisioningdoc a="&nbsp;"/>`, provisioning.Limits{}), []error{syncml.ErrEntity, syncml.ErrSyntax}, ""},
		{"provisioning", "DOCTYPE", provErr(`<!DOCTYPE x><wap-provisioningdoc/>`, provisioning.Limits{}), []error{syncml.ErrDOCTYPE}, ""},
		{"provisioning", "structure", provErr(`<Other/>`, provisioning.Limits{}), []error{syncml.ErrStructure, ddf.ErrStructure}, ""},
		{"provisioning", "depth", provErr(`<wap-provisioningdoc><characteristic type="a"/></wap-provisioningdoc>`, provisioning.Limits{MaxDepth: 1}), []error{syncml.ErrLimit}, "MaxDepth"},
		{"provisioning", "elements", provErr(`<wap-provisioningdoc><characteristic type="a"/></wap-provisioningdoc>`, provisioning.Limits{MaxElements: 1}), []error{syncml.ErrLimit}, "MaxElements"},
		{"provisioning", "attributes", provErr(`<wap-provisioningdoc a="1" b="2"/>`, provisioning.Limits{MaxAttrs: 1}), []error{syncml.ErrLimit}, "MaxAttrs"},
		{"provisioning", "bytes", provErr(`<wap-provisioningdoc/>`, provisioning.Limits{MaxBytes: 5}), []error{syncml.ErrLimit}, "MaxBytes"},
		{"mde2", "syntax", mde2Err(`<a>`, mde2.Limits{}), []error{syncml.ErrSyntax, provisioning.ErrSyntax}, ""},
		{"mde2", "undeclared prefix", mde2Err(`<p:a/>`, mde2.Limits{}), []error{syncml.ErrNamespace, syncml.ErrSyntax}, ""},
		{"mde2", "duplicate attribute", mde2Err(`<a b="1" b="2"/>`, mde2.Limits{}), []error{syncml.ErrDuplicateAttr, syncml.ErrSyntax}, ""},
		{"mde2", "invalid character", mde2Err(`&#0;`, mde2.Limits{}), []error{syncml.ErrInvalidChar, syncml.ErrSyntax}, ""},
		{"mde2", "invalid UTF-8", mde2Err("\xff", mde2.Limits{}), []error{syncml.ErrEncoding, syncml.ErrSyntax}, ""},
		{"mde2", "entity", mde2Err(`&nbsp;`, mde2.Limits{}), []error{syncml.ErrEntity, syncml.ErrSyntax}, ""},
		{"mde2", "structure", mde2Err(`<Other/>`, mde2.Limits{}), []error{syncml.ErrStructure}, ""},
		{"mde2", "depth", mde2Err(`<a><b/></a>`, mde2.Limits{MaxDepth: 3}), []error{syncml.ErrLimit}, "MaxDepth"},
		{"mde2", "bytes", mde2Err(``, mde2.Limits{MaxBytes: 5}), []error{syncml.ErrLimit}, "MaxBytes"},

		{"discovery", "syntax", discoveryErr(`{`, 0), []error{syncml.ErrSyntax, declaredconfig.ErrSyntax, ddf.ErrSyntax}, ""},
		{"discovery", "bytes", discoveryErr(`{"osVersion":"1"}`, 5), []error{syncml.ErrLimit}, "MaxBytes"},
	}
	for _, tc := range cases {
		t.Run(tc.pkg+"/"+tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !errors.Is(tc.err, w) {
					t.Errorf("%v does not match %q", tc.err, w)
				}
			}
			if tc.limit != "" {
				var le *xmlerr.LimitError
				if !errors.As(tc.err, &le) || le.Limit != tc.limit {
					t.Errorf("%v (%T), want a LimitError on %s", tc.err, tc.err, tc.limit)
				}
			} else {
				var de *xmlerr.DecodeError
				if !errors.As(tc.err, &de) || de.Line < 1 || de.Column < 1 {
					t.Errorf("%v (%T), want a DecodeError with a position", tc.err, tc.err)
				}
				if errors.Is(tc.err, xmlerr.ErrLimit) {
					t.Errorf("%v matches ErrLimit", tc.err)
				}
			}
			if !errtest.PrefixOnce(tc.err.Error(), tc.pkg+": ") {
				t.Errorf("message %q does not start with %q once", tc.err, tc.pkg+": ")
			}
		})
	}
}

// TestPathOutsideElements: an error where no element is open has the
// empty Path, whichever package reports it (ddf said "/").
func TestPathOutsideElements(t *testing.T) {
	var m syncml.Message
	for _, tc := range []struct {
		pkg string
		err error
	}{
		{"syncml", syncml.Unmarshal([]byte(`<?xml version="1.0" encoding="x-none"?><SyncML/>`), &m)},
		{"syncml", syncml.Unmarshal([]byte(`<!DOCTYPE SyncML><SyncML/>`), &m)},
		{"declaredconfig", docErr(`<!DOCTYPE x><DeclaredConfiguration/>`, declaredconfig.Limits{})},
		{"ddf", ddfErr(`<?xml version="1.0" encoding="Windows-1252"?><MgmtTree/>`, ddf.Limits{})},
		{"ddf", ddfErr(``, ddf.Limits{})},
		{"ddf", ddfErr(`x<MgmtTree/>`, ddf.Limits{})},
		{"provisioning", provErr(`<!DOCTYPE x><wap-provisioningdoc/>`, provisioning.Limits{})},
	} {
		var de *xmlerr.DecodeError
		if !errors.As(tc.err, &de) {
			t.Errorf("%s: %v (%T), want a DecodeError", tc.pkg, tc.err, tc.err)
			continue
		}
		if de.Path != "" || strings.Contains(tc.err.Error(), " in ") {
			t.Errorf("%s: %v: Path %q, want \"\"", tc.pkg, tc.err, de.Path)
		}
	}
}

// TestErrorsMadeByPkg: every package of the module makes its DecodeErrors
// and LimitErrors with its Pkg (pkg.Decode, pkg.Limit), never as a
// composite literal, which would lose the package name at the start of the
// message. It walks the whole module, so a new package is covered too.
func TestErrorsMadeByPkg(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dirs := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		if path == filepath.Join(root, "internal", "xmlerr") {
			return nil // the constructors themselves
		}
		dirs++
		found, err := errtest.Literals(path, "DecodeError", "LimitError", "ParseError")
		if err != nil {
			return err
		}
		for _, f := range found {
			t.Errorf("%s: make it with the package's Pkg (pkg.Decode or pkg.Limit)", f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if dirs < 10 {
		t.Fatalf("walked %d directories from %s; the module root was not found", dirs, root)
	}
}

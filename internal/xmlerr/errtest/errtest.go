package errtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// Literals returns, as "file:line: T{…}", every composite literal of one of
// the named types (DecodeError, LimitError, …, written bare or qualified)
// in the non-test Go files of dir. A literal of those types makes an error
// without its package's name; the package's Pkg constructors must be used
// instead.
func Literals(dir string, types ...string) ([]string, error) {
	want := make(map[string]bool, len(types))
	for _, t := range types {
		want[t] = true
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var found []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			var id string
			switch t := cl.Type.(type) {
			case *ast.Ident:
				id = t.Name
			case *ast.SelectorExpr:
				id = t.Sel.Name
			}
			if want[id] {
				p := fset.Position(cl.Pos())
				found = append(found, fmt.Sprintf("%s:%d: %s{…}", filepath.Base(p.Filename), p.Line, id))
			}
			return true
		})
	}
	return found, nil
}

// PrefixOnce reports whether every line of msg (errors.Join puts one error
// on each) starts with prefix and holds it only there.
func PrefixOnce(msg, prefix string) bool {
	for _, line := range strings.Split(msg, "\n") {
		if !strings.HasPrefix(line, prefix) || strings.Contains(line[len(prefix):], prefix) {
			return false
		}
	}
	return true
}

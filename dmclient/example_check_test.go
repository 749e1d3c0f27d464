package dmclient_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesSelfContained: godoc shows an Example's body alone, so a
// reader who copies it must get code that compiles with the package and
// the standard library. No Example may call a helper, or use a variable,
// type or constant, declared at file level in the package's tests.
func TestExamplesSelfContained(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	helpers := map[string]bool{} // file-level names of package dmclient_test
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name.Name != "dmclient_test" {
			continue
		}
		parsed = append(parsed, f)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					helpers[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							helpers[n.Name] = true
						}
					case *ast.TypeSpec:
						helpers[s.Name.Name] = true
					}
				}
			}
		}
	}
	examples := 0
	for _, f := range parsed {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || !strings.HasPrefix(fd.Name.Name, "Example") {
				continue
			}
			examples++
			var visit func(ast.Node) bool
			visit = func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr: // x.Name: Name is not file-level
					ast.Inspect(n.X, visit)
					return false
				case *ast.KeyValueExpr: // a field name as a key
					if _, ok := n.Key.(*ast.Ident); !ok {
						ast.Inspect(n.Key, visit)
					}
					ast.Inspect(n.Value, visit)
					return false
				case *ast.Ident:
					// declared in this example, or not in the tests' file scope
					inside := n.Obj != nil && n.Obj.Pos() >= fd.Pos() && n.Obj.Pos() < fd.End()
					if helpers[n.Name] && !inside {
						t.Errorf("%s: %s uses %s, declared outside the example", fset.Position(n.Pos()), fd.Name.Name, n.Name)
					}
				}
				return true
			}
			ast.Inspect(fd.Body, visit)
		}
	}
	if examples == 0 {
		t.Fatal("no Example functions found")
	}
}

package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// The configuration loader is the one reader of the environment: no other
// code under cmd/, bot/ or devices/ reads a variable itself (os.Getenv,
// os.LookupEnv, os.Environ), and in this command only config.go calls the
// getenv that run is given. Every part gets its section of Config.
func TestEnvironmentReadOnlyByTheLoader(t *testing.T) {
	// Where reading the process environment is the point.
	allowed := map[string]string{
		"cmd/tunneldoc/main.go":                  "hands os.Getenv to run",
		"cmd/tunneldoc-load/main.go":             "starts tunneldoc as a child with its own environment",
		"cmd/tunneldoc-load/monitor.go":          "starts tunneldoc as a child with its own environment",
		"bot/store/redis/redistest/redistest.go": "test support: CI=true turns a skip into a failure",
	}
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	n := 0
	for _, dir := range []string{"cmd", "bot", "devices"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			n++
			ast.Inspect(f, func(node ast.Node) bool {
				switch x := node.(type) {
				case *ast.SelectorExpr:
					if id, ok := x.X.(*ast.Ident); ok && (id.Name == "os" || id.Name == "syscall") &&
						(x.Sel.Name == "Getenv" || x.Sel.Name == "LookupEnv" || x.Sel.Name == "Environ") {
						if _, ok := allowed[rel]; !ok {
							t.Errorf("%s: %s.%s: read the variable in the configuration loader (cmd/tunneldoc/config.go) and pass the value in", fset.Position(x.Pos()), id.Name, x.Sel.Name)
						}
					}
				case *ast.CallExpr:
					if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "getenv" && strings.HasPrefix(rel, "cmd/tunneldoc/") && rel != "cmd/tunneldoc/config.go" {
						t.Errorf("%s: getenv(...) outside the configuration loader", fset.Position(x.Pos()))
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 50 {
		t.Fatalf("read only %d Go files", n)
	}
}

package diagnose

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEngineIsPure keeps the engine a pure library: no package under
// diagnose/ may import the network, the OS, processes, Slack, SSH or Redis
// (test files are allowed their fixtures), nor start a goroutine: a
// diagnosis runs on its caller's goroutine.
func TestEngineIsPure(t *testing.T) {
	forbidden := []string{"net", "os", "os/exec", "syscall", "net/http", "time", "math/rand", "crypto/rand",
		"github.com/slack-go/slack", "golang.org/x/crypto/ssh", "github.com/redis/go-redis/v9"}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "lab" || path == filepath.Join("internal", "testkit") || path == "golden") {
			return filepath.SkipDir // testkit and golden are test support: they read and write fixture files
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil // a helper command (e.g. a corpus checker) is not the engine
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "github.com/tunneldoc/tunneldoc/diagnose/internal/testkit" || p == "github.com/tunneldoc/tunneldoc/diagnose/golden" {
				t.Errorf("%s imports the test support %s: only _test.go files may", path, p)
			}
			for _, bad := range forbidden {
				if p == bad || strings.HasPrefix(p, bad+"/") && bad != "net" && bad != "os" {
					t.Errorf("%s imports %s: the diagnosis engine must stay pure", path, p)
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if g, ok := n.(*ast.GoStmt); ok {
				t.Errorf("%s: a go statement: the engine runs on its caller's goroutine", fset.Position(g.Pos()))
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("checked only %d files", checked)
	}
}

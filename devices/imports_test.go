package devices

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package boundaries the doc.go files promise:
// x/crypto/ssh only in sshx (client) and lab (simulated servers), no
// diagnosis engine (only its redaction), no Slack or Redis, and product
// code never depends on the lab.
func TestImports(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case strings.HasPrefix(p, "golang.org/x/crypto/ssh") && dir != "sshx" && dir != "lab":
				t.Errorf("%s imports %s: only devices/sshx (and the lab's servers) may", path, p)
			case strings.HasPrefix(p, "github.com/tunneldoc/tunneldoc/diagnose") && p != "github.com/tunneldoc/tunneldoc/diagnose/redact":
				t.Errorf("%s imports %s: the collect -> diagnose wiring belongs in bot or cmd", path, p)
			case strings.HasPrefix(p, "github.com/tunneldoc/tunneldoc/bot"), strings.Contains(p, "slack-go"), strings.Contains(p, "go-redis"):
				t.Errorf("%s imports %s", path, p)
			case p == "github.com/tunneldoc/tunneldoc/devices/lab" && dir != "lab":
				t.Errorf("%s imports the lab: product code must not depend on simulated devices", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

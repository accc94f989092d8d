package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The dependency lines the design holds (docs/ARCHITECTURE.md), read with
// go list as the build sees them: non-test packages, transitively.
const (
	module     = "github.com/tunneldoc/tunneldoc"
	slackGo    = "github.com/slack-go/slack"
	goRedis    = "github.com/redis/go-redis/v9"
	cryptoSSH  = "golang.org/x/crypto/ssh"
	devicesPkg = module + "/devices"
)

// goList runs go list in the module and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	return strings.Fields(string(out))
}

// under reports whether pkg is path or below it.
func under(pkg, path string) bool { return pkg == path || strings.HasPrefix(pkg, path+"/") }

// matches is go list's pattern language, as far as the lines need it:
// "x/..." is x and everything below it, anything else one package.
func matches(pkg, pattern string) bool {
	if tree, ok := strings.CutSuffix(pattern, "/..."); ok {
		return under(pkg, tree)
	}
	return pkg == pattern
}

// TestDependencyLines: the bot core, the monitor and the store reach
// neither slack-go nor go-redis, however indirectly; the diagnosis engine
// the binary ships reaches no network, process, Slack, SSH or Redis code
// (os itself comes with fmt, so it is held to not importing os directly).
func TestDependencyLines(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		{module + "/bot", []string{slackGo + "/...", goRedis + "/...", cryptoSSH + "/...", devicesPkg + "/..."}},
		{module + "/bot/monitor", []string{slackGo + "/...", goRedis + "/...", cryptoSSH + "/...", devicesPkg + "/...", module + "/bot/slack"}},
		{module + "/bot/store", []string{slackGo + "/...", goRedis + "/...", module + "/bot", module + "/diagnose/..."}},
		{module + "/bot/store/redis", []string{slackGo + "/...", module + "/bot", module + "/diagnose/..."}},
		{module + "/bot/slack", []string{goRedis + "/...", cryptoSSH + "/...", devicesPkg + "/..."}},
	} {
		for _, dep := range goList(t, "-deps", tc.pkg) {
			for _, f := range tc.forbidden {
				if matches(dep, f) {
					t.Errorf("%s depends on %s (through the imports of its packages: go list -deps %s)", tc.pkg, dep, tc.pkg)
				}
			}
		}
	}

	// The clock is below everything that takes it: the standard library only.
	for _, dep := range goList(t, "-deps", module+"/bot/clock") {
		if first, _, _ := strings.Cut(dep, "/"); strings.Contains(first, ".") && dep != module+"/bot/clock" {
			t.Errorf("bot/clock depends on %s: it must import the standard library only", dep)
		}
	}

	// The engine as the binary ships it: every diagnose package tunneldoc
	// links (test kits are not among them).
	var engine []string
	for _, p := range goList(t, "-deps", module+"/cmd/tunneldoc") {
		if under(p, module+"/diagnose") {
			engine = append(engine, p)
		}
	}
	if len(engine) == 0 {
		t.Fatal("tunneldoc links no diagnose package")
	}
	for _, p := range engine {
		for _, dep := range goList(t, "-deps", p) {
			if slices.Contains([]string{"net", "os/exec", "net/http"}, dep) || under(dep, slackGo) || under(dep, goRedis) || under(dep, cryptoSSH) || under(dep, devicesPkg) || under(dep, module+"/bot") {
				t.Errorf("the engine package %s depends on %s: diagnose is text in, findings out", p, dep)
			}
		}
		for _, imp := range goList(t, "-f", `{{join .Imports "\n"}}`, p) {
			if imp == "os" || imp == "syscall" {
				t.Errorf("the engine package %s imports %s: diagnose reads no files and no environment", p, imp)
			}
		}
	}
}

// TestOnlyImporters: one package owns each outside dependency that talks
// to the world. Two others are let through: cmd/tunneldoc-load, the load
// harness (a tool outside the product, which nothing imports), reads
// Redis directly to audit what the bot wrote there (INFO commandstats, a
// SCAN of the key schema); devices/lab, behind `tunneldoc lab`, runs the
// simulated devices' SSH servers, the server side of x/crypto/ssh.
func TestOnlyImporters(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	owners := []struct {
		dep     string
		allowed []string
	}{
		{slackGo, []string{module + "/bot/slack"}},
		{goRedis, []string{module + "/bot/store/redis", module + "/cmd/tunneldoc-load"}},
		{cryptoSSH, []string{module + "/devices/sshx", module + "/devices/lab"}},
	}
	if slices.Contains(goList(t, "-deps", module+"/cmd/tunneldoc"), module+"/cmd/tunneldoc-load") {
		t.Error("tunneldoc links the load harness")
	}
	for _, line := range goList(t, "-f", `{{.ImportPath}}:{{join .Imports ","}}`, module+"/...") {
		pkg, imports, _ := strings.Cut(line, ":")
		for _, imp := range strings.Split(imports, ",") {
			if imp == module+"/diagnose/golden" {
				t.Errorf("%s imports diagnose/golden: only _test.go files may (its -update flag must not reach a binary)", pkg)
			}
			for _, o := range owners {
				if under(imp, o.dep) && !slices.Contains(o.allowed, pkg) {
					t.Errorf("%s imports %s; only %s may", pkg, imp, strings.Join(o.allowed, " and "))
				}
			}
		}
	}
}

// TestEveryTestKnowsUpdate: a test binary given a flag it does not define
// fails, so every package with tests imports diagnose/golden (for its
// goldens, or for the -update flag alone in update_test.go), and
// `go test ./... -update` runs the whole module.
func TestEveryTestKnowsUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goldenPkg := module + "/diagnose/golden"
	for _, line := range goList(t, "-f", `{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}:{{join .TestImports ","}},{{join .XTestImports ","}}{{end}}`, module+"/...") {
		pkg, imports, _ := strings.Cut(line, ":")
		if pkg == goldenPkg {
			continue
		}
		if !slices.Contains(strings.Split(imports, ","), goldenPkg) {
			t.Errorf("%s has tests but none imports diagnose/golden: `go test ./... -update` would fail there (add update_test.go)", pkg)
		}
	}
}

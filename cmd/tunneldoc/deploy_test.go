package main

// Checks on deploy/: what can be checked without a container engine or a
// cluster (neither runs here). Every YAML file parses; the compose file,
// the Kubernetes manifests and the systemd unit agree with the code (probe
// paths, ports, variable names, mounted files); the example configuration
// passes `config check` in the layout each of them mounts it in; the
// Dockerfile's build command builds a static ./cmd/tunneldoc and the image
// runs it as a non-root user with no shell.

import (
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tunneldoc/tunneldoc/bot/ops"
	"github.com/tunneldoc/tunneldoc/devices"
)

var deployDir = filepath.Join("..", "..", "deploy")

// yamlDocs decodes every document of a (multi-document) YAML file.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("%s: document %d: %v", path, len(docs)+1, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
	return docs
}

// dig walks nested maps and lists: dig(m, "spec", "template", 0, "name").
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func TestDeployYAMLParses(t *testing.T) {
	n := 0
	err := filepath.WalkDir(deployDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(p); ext == ".yaml" || ext == ".yml" {
			if len(yamlDocs(t, p)) == 0 {
				t.Errorf("%s holds no YAML document", p)
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 8 {
		t.Errorf("only %d YAML files under deploy/", n)
	}
}

// exampleConfig loads deploy/config.example.yaml in the layout the
// deployments mount it in (/etc/tunneldoc/{config.yaml,inventory.yaml,known_hosts}).
func exampleLayout(t *testing.T, files map[string][]byte) string {
	t.Helper()
	root := t.TempDir()
	for dst, data := range files {
		p := filepath.Join(root, filepath.FromSlash(dst))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// knownEnv is every environment variable tunneldoc reads with config c.
func knownEnv(t *testing.T, c Config) map[string]bool {
	t.Helper()
	known := map[string]bool{"TUNNELDOC_CONFIG": true}
	for _, f := range fields {
		if f.env != "" {
			known[f.env] = true
		}
	}
	for _, f := range fields {
		if n := f.get(&c); f.kind == kEnvName && n != "" {
			known[n] = true // a secret's variable
		}
	}
	if c.Devices.Inventory != "" {
		inv, err := devices.LoadInventory(c.Devices.Inventory)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range append(inv.Devices, inv.JumpHosts...) {
			for _, n := range []string{d.Credentials.PasswordEnv, d.Credentials.EnablePasswordEnv, d.Credentials.KeyPassphraseEnv} {
				if n != "" {
					known[n] = true
				}
			}
		}
	}
	return known
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	n, _ := strconv.Atoi(p)
	return n
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// composeVarRE is ${VAR}, ${VAR:-default} or ${VAR:?message}.
var composeVarRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?][^}]*)?\}`)

func TestDeployCompose(t *testing.T) {
	docs := yamlDocs(t, filepath.Join(deployDir, "docker-compose.yml"))
	if len(docs) != 1 {
		t.Fatalf("docker-compose.yml: %d documents", len(docs))
	}
	svc := func(name string) map[string]any {
		m, _ := dig(docs[0], "services", name).(map[string]any)
		if m == nil {
			t.Fatalf("docker-compose.yml has no service %q", name)
		}
		return m
	}
	redis, td := svc("redis"), svc("tunneldoc")

	var redisCmd []string
	for _, a := range redis["command"].([]any) {
		redisCmd = append(redisCmd, str(a))
	}
	if i := slices.Index(redisCmd, "--appendonly"); i < 0 || i+1 >= len(redisCmd) || redisCmd[i+1] != "yes" {
		t.Errorf("redis runs without AOF: %v", redisCmd)
	}
	if !slices.ContainsFunc(redis["volumes"].([]any), func(v any) bool { return strings.HasSuffix(str(v), ":/data") }) {
		t.Error("redis keeps /data on no volume: the AOF is lost with the container")
	}

	ctxDir := filepath.Join(deployDir, str(dig(td, "build", "context")))
	if _, err := os.Stat(filepath.Join(ctxDir, "go.mod")); err != nil {
		t.Errorf("build context %s is not the repository root: %v", ctxDir, err)
	}
	if _, err := os.Stat(filepath.Join(ctxDir, str(dig(td, "build", "dockerfile")))); err != nil {
		t.Errorf("build dockerfile: %v", err)
	}
	if str(td["read_only"]) != "true" {
		t.Error("tunneldoc's container filesystem is writable (read_only: true)")
	}

	// The environment, with ${VAR…} references filled with placeholders.
	env := map[string]string{}
	for k, v := range td["environment"].(map[string]any) {
		env[k] = composeVarRE.ReplaceAllStringFunc(str(v), func(m string) string {
			name := composeVarRE.FindStringSubmatch(m)[1]
			return map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}[name] + "placeholder-" + name
		})
	}
	files := map[string][]byte{}
	for _, v := range td["volumes"].([]any) {
		parts := strings.Split(str(v), ":")
		if len(parts) < 2 {
			t.Fatalf("volume %q: want SRC:DST[:ro]", v)
		}
		src := filepath.Join(deployDir, parts[0])
		data, err := os.ReadFile(src)
		if err != nil {
			t.Errorf("compose mounts %s, which is not in the repository: %v", parts[0], err)
			continue
		}
		files[parts[1]] = data
	}
	root := exampleLayout(t, files)
	cfgPath := env["TUNNELDOC_CONFIG"]
	if cfgPath == "" {
		t.Fatal("compose does not set TUNNELDOC_CONFIG")
	}
	if _, ok := files[cfgPath]; !ok {
		t.Fatalf("TUNNELDOC_CONFIG=%s is not one of the mounted files", cfgPath)
	}
	getenv := func(k string) string {
		if k == "TUNNELDOC_CONFIG" {
			return filepath.Join(root, filepath.FromSlash(cfgPath))
		}
		return env[k]
	}
	c, err := loadConfig("", getenv)
	if err != nil {
		t.Fatalf("the example config fails `config check` in the compose layout:\n%v", err)
	}
	if c.Transport() != modeSocketMode || !c.Redis.Required || c.Devices.Inventory == "" {
		t.Errorf("compose config: transport %s, redis required %v, inventory %q", c.Transport(), c.Redis.Required, c.Devices.Inventory)
	}
	known := knownEnv(t, c)
	for k := range env {
		if !known[k] {
			t.Errorf("compose sets %s, which tunneldoc does not read", k)
		}
	}
	opsPort := portOf(t, c.Ops.Listen)
	published := false
	for _, p := range td["ports"].([]any) {
		f := strings.Split(str(p), ":")
		if f[len(f)-1] == strconv.Itoa(opsPort) {
			published = true
			if len(f) != 3 || f[0] != "127.0.0.1" {
				t.Errorf("the operations port is published beyond loopback: %q", p)
			}
		}
	}
	if !published {
		t.Errorf("compose does not publish the operations port %d", opsPort)
	}
	if g, err := time.ParseDuration(str(td["stop_grace_period"])); err != nil || g <= c.Shutdown.Grace {
		t.Errorf("stop_grace_period %q must exceed shutdown.grace %s", td["stop_grace_period"], c.Shutdown.Grace)
	}
}

func TestDeployKubernetes(t *testing.T) {
	dir := filepath.Join(deployDir, "k8s")
	byKind := map[string]map[string]any{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var manifests []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".yaml" {
			continue
		}
		for _, d := range yamlDocs(t, filepath.Join(dir, e.Name())) {
			kind := str(d["kind"])
			if kind == "" || str(d["apiVersion"]) == "" {
				t.Errorf("%s: a document without kind/apiVersion", e.Name())
				continue
			}
			if _, dup := byKind[kind]; dup {
				t.Errorf("two %s documents", kind)
			}
			byKind[kind] = d
		}
		if e.Name() != "kustomization.yaml" {
			manifests = append(manifests, e.Name())
		}
	}
	for _, k := range []string{"Kustomization", "Deployment", "ConfigMap", "Secret", "Service", "PodDisruptionBudget"} {
		if byKind[k] == nil {
			t.Fatalf("deploy/k8s has no %s", k)
		}
	}
	var resources []string
	for _, r := range byKind["Kustomization"]["resources"].([]any) {
		resources = append(resources, str(r))
	}
	slices.Sort(resources)
	slices.Sort(manifests)
	if !slices.Equal(resources, manifests) {
		t.Errorf("kustomization resources %v, files %v", resources, manifests)
	}

	dep, cm, sec := byKind["Deployment"], byKind["ConfigMap"], byKind["Secret"]
	if r := dig(dep, "spec", "replicas"); r != 2 {
		t.Errorf("replicas = %v, want 2", r)
	}
	pod := dig(dep, "spec", "template", "spec")
	ctr := dig(pod, "containers", 0)
	for probe, want := range map[string]string{"livenessProbe": ops.PathHealth, "readinessProbe": ops.PathReady} {
		if got := str(dig(ctr, probe, "httpGet", "path")); got != want {
			t.Errorf("%s path %q, want %q (what the ops handler serves)", probe, got, want)
		}
	}

	// The ConfigMap is the example files, mounted where TUNNELDOC_CONFIG points.
	data := cm["data"].(map[string]any)
	for key, example := range map[string]string{"config.yaml": "config.example.yaml", "inventory.yaml": "inventory.yaml", "known_hosts": "known_hosts"} {
		if str(data[key]) != string(readFile(t, filepath.Join(deployDir, example))) {
			t.Errorf("ConfigMap %s differs from deploy/%s: edit both together", key, example)
		}
	}
	if got := str(dig(pod, "volumes", 0, "configMap", "name")); got != str(dig(cm, "metadata", "name")) {
		t.Errorf("the volume mounts ConfigMap %q, the manifest defines %q", got, dig(cm, "metadata", "name"))
	}
	mountPath := str(dig(ctr, "volumeMounts", 0, "mountPath"))
	env := map[string]string{}
	for _, e := range dig(ctr, "env").([]any) {
		env[str(dig(e, "name"))] = str(dig(e, "value"))
	}
	if got := str(dig(ctr, "envFrom", 0, "secretRef", "name")); got != str(dig(sec, "metadata", "name")) {
		t.Errorf("envFrom names Secret %q, the manifest defines %q", got, dig(sec, "metadata", "name"))
	}
	secretEnv := map[string]string{}
	for k, v := range sec["stringData"].(map[string]any) {
		secretEnv[k] = str(v)
		env[k] = str(v)
	}
	files := map[string][]byte{}
	for k, v := range data {
		files[mountPath+"/"+k] = []byte(str(v))
	}
	root := exampleLayout(t, files)
	cfgPath := env["TUNNELDOC_CONFIG"]
	if _, ok := files[cfgPath]; !ok {
		t.Fatalf("TUNNELDOC_CONFIG=%q is not a file of the mounted ConfigMap (%s)", cfgPath, mountPath)
	}
	getenv := func(k string) string {
		if k == "TUNNELDOC_CONFIG" {
			return filepath.Join(root, filepath.FromSlash(cfgPath))
		}
		return env[k]
	}
	// The Secret ships placeholders: config check refuses each of them.
	_, err = loadConfig("", getenv)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("the Secret's placeholders pass config check: %v", err)
	}
	for k := range secretEnv {
		if !strings.Contains(err.Error(), "$"+k+" still holds a placeholder") {
			t.Errorf("the placeholder in the Secret's %s is not refused:\n%v", k, err)
		}
	}
	// Filled in, the ConfigMap's config passes.
	for k := range secretEnv {
		env[k] = exampleEnv[k]
	}
	c, err := loadConfig("", getenv)
	if err != nil {
		t.Fatalf("the ConfigMap's config fails `config check` with the Secret's variables filled in:\n%v", err)
	}
	if !c.Redis.Required {
		t.Error("2 replicas must share Redis: redis.required must be true")
	}
	known := knownEnv(t, c)
	for k := range env {
		if !known[k] {
			t.Errorf("the Deployment or Secret sets %s, which tunneldoc does not read", k)
		}
	}
	for _, need := range []string{c.Slack.BotTokenEnv, c.Slack.AppTokenEnv, c.Redis.URLEnv} {
		if _, ok := secretEnv[need]; !ok {
			t.Errorf("the Secret lacks %s", need)
		}
	}

	// The "ops" port is the configured operations port.
	opsPort := portOf(t, c.Ops.Listen)
	portName := str(dig(ctr, "livenessProbe", "httpGet", "port"))
	found := false
	for _, p := range dig(ctr, "ports").([]any) {
		if str(dig(p, "name")) == portName {
			found = true
			if dig(p, "containerPort") != opsPort {
				t.Errorf("containerPort %v for %q, ops.listen is %s", dig(p, "containerPort"), portName, c.Ops.Listen)
			}
		}
	}
	if !found {
		t.Errorf("probe port %q is not a container port", portName)
	}
	if got := str(dig(byKind["Service"], "spec", "ports", 0, "targetPort")); got != portName {
		t.Errorf("Service targetPort %q, want %q", got, portName)
	}
	labels := dig(dep, "spec", "template", "metadata", "labels").(map[string]any)
	for _, sel := range []any{dig(dep, "spec", "selector", "matchLabels"), dig(byKind["Service"], "spec", "selector"), dig(byKind["PodDisruptionBudget"], "spec", "selector", "matchLabels")} {
		for k, v := range sel.(map[string]any) {
			if labels[k] != v {
				t.Errorf("selector %s=%v does not match the pod labels %v", k, v, labels)
			}
		}
	}

	// Runs as non-root, read-only, with requests, and outlives shutdown.grace.
	if dig(pod, "securityContext", "runAsNonRoot") != true || dig(pod, "securityContext", "runAsUser") == 0 {
		t.Error("the pod may run as root")
	}
	if dig(ctr, "securityContext", "readOnlyRootFilesystem") != true || dig(ctr, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("the container's filesystem is writable or it may escalate privileges")
	}
	if str(dig(ctr, "resources", "requests", "cpu")) == "" || str(dig(ctr, "resources", "requests", "memory")) == "" {
		t.Error("no resource requests")
	}
	if g, _ := dig(pod, "terminationGracePeriodSeconds").(int); time.Duration(g)*time.Second <= c.Shutdown.Grace {
		t.Errorf("terminationGracePeriodSeconds %d must exceed shutdown.grace %s", g, c.Shutdown.Grace)
	}
	if str(dig(ctr, "args", 0)) != "serve" {
		t.Errorf("container args %v, want [serve]", dig(ctr, "args"))
	}
}

// dockerfile splits a Dockerfile into instructions (continuations joined,
// comments dropped), grouped by stage.
func dockerfile(t *testing.T) [][][2]string {
	t.Helper()
	var stages [][][2]string
	var cur strings.Builder
	for _, line := range strings.Split(string(readFile(t, filepath.Join(deployDir, "Dockerfile"))), "\n") {
		s := strings.TrimSpace(line)
		if cur.Len() == 0 && (s == "" || strings.HasPrefix(s, "#")) {
			continue
		}
		if strings.HasSuffix(s, "\\") {
			cur.WriteString(strings.TrimSuffix(s, "\\") + " ")
			continue
		}
		cur.WriteString(s)
		instr, args, _ := strings.Cut(cur.String(), " ")
		cur.Reset()
		instr = strings.ToUpper(instr)
		if instr == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before FROM", instr)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], [2]string{instr, strings.TrimSpace(args)})
	}
	return stages
}

func TestDeployDockerfile(t *testing.T) {
	stages := dockerfile(t)
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stage(s), want a build stage and a run stage", len(stages))
	}
	var buildCmd string
	for _, in := range stages[0] {
		if in[0] == "RUN" && strings.Contains(in[1], "go build") {
			buildCmd = in[1]
		}
	}
	if !strings.Contains(buildCmd, "CGO_ENABLED=0") || !strings.HasSuffix(strings.TrimSpace(buildCmd), "./cmd/tunneldoc") {
		t.Errorf("the build stage does not build a static ./cmd/tunneldoc: %q", buildCmd)
	}
	gomod := string(readFile(t, filepath.Join("..", "..", "go.mod")))
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(gomod)
	if from := stages[0][0][1]; goVer == nil || !strings.HasPrefix(from, "golang:"+goVer[1]) {
		t.Errorf("build stage %q does not match go.mod's go %v", from, goVer)
	}

	final := stages[len(stages)-1]
	base := final[0][1]
	if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
		t.Errorf("run stage from %q: want distroless/static or scratch (no shell)", base)
	}
	var user, entry string
	env := map[string]string{}
	for _, in := range final {
		switch in[0] {
		case "RUN":
			t.Errorf("the run stage has RUN %q: it has no shell to run it", in[1])
		case "USER":
			user = in[1]
		case "ENTRYPOINT":
			entry = in[1]
		case "ENV":
			k, v, _ := strings.Cut(in[1], "=")
			env[k] = v
		}
	}
	uid, _, _ := strings.Cut(user, ":")
	if user == "" || uid == "root" || uid == "0" {
		t.Errorf("the image runs as %q, want a non-root user", user)
	}
	if n, err := strconv.Atoi(uid); err != nil || n == 0 {
		t.Errorf("USER %q: use a numeric non-zero uid so runAsNonRoot can verify it", user)
	}
	var argv []string
	if err := json.Unmarshal([]byte(entry), &argv); err != nil || len(argv) == 0 {
		t.Errorf("ENTRYPOINT %q is not the exec (JSON) form: the shell form needs a shell", entry)
	}
	if env["TUNNELDOC_CONFIG"] != "/etc/tunneldoc/config.yaml" {
		t.Errorf("ENV TUNNELDOC_CONFIG = %q, where compose and k8s mount /etc/tunneldoc/config.yaml", env["TUNNELDOC_CONFIG"])
	}

	// Run the build stage's command here (no container engine: the host's
	// Go), and check the result is static and checks the example config.
	if testing.Short() {
		t.Skip("-short: not building the binary")
	}
	out := filepath.Join(t.TempDir(), "tunneldoc")
	fields := shellFields(buildCmd)
	cmdEnv := os.Environ()
	for len(fields) > 0 && strings.Contains(fields[0], "=") {
		cmdEnv = append(cmdEnv, fields[0])
		fields = fields[1:]
	}
	for i, f := range fields {
		if f == "-o" && i+1 < len(fields) {
			fields[i+1] = out
		}
	}
	if fields[0] != "go" {
		t.Fatalf("build command %q does not start with go", buildCmd)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", fields[1:]...)
	build.Dir = filepath.Join("..", "..")
	build.Env = cmdEnv
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the Dockerfile's build command failed: %v\n%s", err, msg)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary is dynamically linked (has an ELF interpreter): distroless/static cannot run it")
		}
	}
	root := exampleLayout(t, map[string][]byte{
		"/etc/tunneldoc/config.yaml":    readFile(t, filepath.Join(deployDir, "config.example.yaml")),
		"/etc/tunneldoc/inventory.yaml": readFile(t, filepath.Join(deployDir, "inventory.yaml")),
		"/etc/tunneldoc/known_hosts":    readFile(t, filepath.Join(deployDir, "known_hosts")),
	})
	check := exec.CommandContext(ctx, out, "config", "check", "--config", filepath.Join(root, "etc", "tunneldoc", "config.yaml"))
	check.Env = []string{"SLACK_BOT_TOKEN=xoxb-test", "SLACK_APP_TOKEN=xapp-test", "REDIS_URL=redis://redis:6379/0", "TUNNELDOC_DEVICE_PASSWORD=x"}
	if msg, err := check.CombinedOutput(); err != nil || !strings.Contains(string(msg), "OK (transport socketmode") {
		t.Errorf("the built binary's config check of the example: %v\n%s", err, msg)
	}
}

// shellFields splits a RUN line the way sh would for the simple words a
// build command uses: blanks separate, double quotes group.
func shellFields(s string) []string {
	var out []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			inWord = true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// unit parses a systemd unit into section -> key -> values.
func unit(t *testing.T, path string) map[string]map[string][]string {
	t.Helper()
	u := map[string]map[string][]string{}
	sec := ""
	for i, line := range strings.Split(string(readFile(t, path)), "\n") {
		s := strings.TrimSpace(line)
		switch {
		case s == "" || strings.HasPrefix(s, "#") || strings.HasPrefix(s, ";"):
		case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
			sec = s[1 : len(s)-1]
			u[sec] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(s, "=")
			if !ok || sec == "" {
				t.Fatalf("%s:%d: not key=value in a section: %q", path, i+1, s)
			}
			u[sec][k] = append(u[sec][k], v)
		}
	}
	return u
}

func TestDeploySystemdUnit(t *testing.T) {
	path := filepath.Join(deployDir, "tunneldoc.service")
	u := unit(t, path)
	svc := u["Service"]
	one := func(k string) string {
		if len(svc[k]) == 0 {
			return ""
		}
		return svc[k][len(svc[k])-1]
	}
	if one("ExecStart") != "/usr/local/bin/tunneldoc serve" {
		t.Errorf("ExecStart %q", one("ExecStart"))
	}
	if pre := one("ExecStartPre"); !strings.HasPrefix(pre, "/usr/local/bin/tunneldoc config check --config /etc/tunneldoc/config.yaml") {
		t.Errorf("ExecStartPre %q: the unit should refuse to start on an invalid config", pre)
	}
	if !slices.Contains(svc["Environment"], "TUNNELDOC_CONFIG=/etc/tunneldoc/config.yaml") || one("EnvironmentFile") == "" {
		t.Errorf("Environment %v EnvironmentFile %q", svc["Environment"], one("EnvironmentFile"))
	}
	for k, want := range map[string]string{
		"DynamicUser": "yes", "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
		"ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes", "MemoryDenyWriteExecute": "yes",
		"CapabilityBoundingSet": "", "AmbientCapabilities": "", "KillSignal": "SIGTERM", "Restart": "on-failure",
	} {
		if v, ok := svc[k]; !ok || v[len(v)-1] != want {
			t.Errorf("[Service] %s = %v, want %q", k, v, want)
		}
	}
	if !strings.Contains(one("RestrictAddressFamilies"), "AF_INET") || !strings.Contains(one("RestrictAddressFamilies"), "AF_UNIX") {
		t.Errorf("RestrictAddressFamilies %q: SSH, Slack and Redis need AF_INET/AF_INET6, ssh-agent AF_UNIX", one("RestrictAddressFamilies"))
	}
	c := defaultConfig()
	if d, err := time.ParseDuration(one("TimeoutStopSec")); err != nil || d <= c.Shutdown.Grace {
		t.Errorf("TimeoutStopSec %q must exceed shutdown.grace %s", one("TimeoutStopSec"), c.Shutdown.Grace)
	}
	if !slices.Contains(u["Install"]["WantedBy"], "multi-user.target") {
		t.Error("[Install] WantedBy=multi-user.target missing")
	}
}

// systemd-analyze verify catches misspelled directives (it warns and
// carries on, so any output is a failure here).
func TestDeploySystemdVerify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("systemd-analyze not found (apt-get install systemd): %v", err)
		}
		t.Skipf("systemd-analyze not installed (apt-get install systemd); skipping: %v", err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "tunneldoc")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(readFile(t, filepath.Join(deployDir, "tunneldoc.service"))), "/usr/local/bin/tunneldoc", bin)
	if err := os.WriteFile(filepath.Join(dir, "tunneldoc.service"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, analyze, "verify", "--man=no", "./tunneldoc.service")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// Every variable cmd/tunneldoc reads by name is a documented config
// override, a secret the config names, or TUNNELDOC_CONFIG: any string
// literal in its Go files that is exactly a variable name tunneldoc would
// read (getenv("X"), or a helper given "X") must be one the config knows.
func TestDeployEnvNamesAreKnown(t *testing.T) {
	known := knownEnv(t, defaultConfig())
	varName := regexp.MustCompile(`^(TUNNELDOC_[A-Z0-9_]+|SLACK_[A-Z0-9_]+|REDIS_[A-Z0-9_]+)$`)
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			v, _ := strconv.Unquote(lit.Value)
			if varName.MatchString(v) && !known[v] {
				t.Errorf("%s names $%s, which the configuration does not know (add a key with this override to config.go's fields and README.md)", fset.Position(lit.Pos()), v)
			}
			return true
		})
	}
}

// exampleEnv fills every variable the shipped example names with a value
// of the right shape (no placeholder).
var exampleEnv = map[string]string{
	"SLACK_BOT_TOKEN": "xoxb-1-example", "SLACK_APP_TOKEN": "xapp-1-example",
	"REDIS_URL": "redis://127.0.0.1:6379/0", "TUNNELDOC_DEVICE_PASSWORD": "device-login-pw",
}

// `tunneldoc config check --config deploy/config.example.yaml` checks the
// example where it lies: every path in it resolves next to it.
func TestExampleConfigChecksInPlace(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"config", "check", "--config", filepath.Join(deployDir, "config.example.yaml")}, envOf(exampleEnv), strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "OK (transport socketmode") {
		t.Fatalf("config check of deploy/config.example.yaml in place: exit %d\n%s%s", code, out.String(), errb.String())
	}
}

// The shipped placeholders (deploy/k8s/secret.yaml) are refused, each with
// the key that names the variable and what belongs in it; the placeholder
// value itself is never needed to understand the message.
func TestConfigCheckRefusesPlaceholders(t *testing.T) {
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-REPLACE-ME", "SLACK_APP_TOKEN": "xapp-REPLACE-ME",
		"REDIS_URL":                 "redis://:REPLACE-ME@127.0.0.1:6379/0",
		"TUNNELDOC_DEVICE_PASSWORD": "REPLACE-ME",
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"config", "check", "--config", filepath.Join(deployDir, "config.example.yaml")}, envOf(env), strings.NewReader(""), &out, &errb)
	if code != 1 {
		t.Errorf("placeholders accepted: exit %d\n%s%s", code, out.String(), errb.String())
	}
	for _, want := range []string{
		"config.example.yaml:8: slack.bot_token_env: $SLACK_BOT_TOKEN still holds a placeholder (REPLACE-ME): set it to the bot token (xoxb-…",
		"config.example.yaml:9: slack.app_token_env: $SLACK_APP_TOKEN still holds a placeholder (REPLACE-ME): set it to the app-level token (xapp-…",
		"config.example.yaml:15: redis.url_env: $REDIS_URL still holds a placeholder (REPLACE-ME): set it to the Redis URL",
		"inventory.yaml:15: fw-hq.credentials.password_env: $TUNNELDOC_DEVICE_PASSWORD still holds a placeholder (REPLACE-ME): set it to the login password of the device's read-only account",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in:\n%s", want, out.String())
		}
	}
	if n := strings.Count(out.String(), "$TUNNELDOC_DEVICE_PASSWORD still holds"); n != 1 {
		t.Errorf("the device password placeholder is reported %d times, want once:\n%s", n, out.String())
	}
}

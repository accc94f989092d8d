package lab

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/netip"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/tunneldoc/tunneldoc/devices"
)

//go:embed scenarios
var scenarioFS embed.FS

// Expect is what the diagnosis must find for a scenario.
type Expect struct {
	Phase string `json:"phase"`
	Cause string `json:"cause"`
}

// Scenario is one simulated device state.
type Scenario struct {
	Name          string   `json:"-"`
	Platform      string   `json:"platform"`
	Hostname      string   `json:"hostname"`
	Peer          string   `json:"peer"`
	Tunnel        string   `json:"tunnel"`
	RemoteSubnets []string `json:"remote_subnets"`
	Description   string   `json:"description"`
	Expect        Expect   `json:"-"`

	files map[string]string // <key> -> answer
}

// Scenarios loads every scenario shipped with the lab, sorted by name.
func Scenarios() ([]*Scenario, error) {
	entries, err := fs.ReadDir(scenarioFS, "scenarios")
	if err != nil {
		return nil, err
	}
	var out []*Scenario
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		s, err := loadScenario(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ScenarioByName loads one scenario.
func ScenarioByName(name string) (*Scenario, error) {
	return loadScenario(name)
}

func loadScenario(name string) (*Scenario, error) {
	dir := path.Join("scenarios", name)
	s := &Scenario{Name: name, files: map[string]string{}}
	b, err := fs.ReadFile(scenarioFS, path.Join(dir, "scenario.json"))
	if err != nil {
		return nil, fmt.Errorf("lab scenario %s: %w", name, err)
	}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("lab scenario %s: scenario.json: %w", name, err)
	}
	b, err = fs.ReadFile(scenarioFS, path.Join(dir, "expect.json"))
	if err != nil {
		return nil, fmt.Errorf("lab scenario %s: %w", name, err)
	}
	if err := json.Unmarshal(b, &s.Expect); err != nil {
		return nil, fmt.Errorf("lab scenario %s: expect.json: %w", name, err)
	}
	if _, ok := devices.PlatformByName(s.Platform); !ok {
		return nil, fmt.Errorf("lab scenario %s: unknown platform %q", name, s.Platform)
	}
	if _, err := netip.ParseAddr(s.Peer); err != nil {
		return nil, fmt.Errorf("lab scenario %s: bad peer %q", name, s.Peer)
	}
	for _, r := range s.RemoteSubnets {
		if _, err := netip.ParsePrefix(r); err != nil {
			return nil, fmt.Errorf("lab scenario %s: bad remote subnet %q", name, r)
		}
	}
	entries, err := fs.ReadDir(scenarioFS, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		key, ok := strings.CutSuffix(e.Name(), ".txt")
		if !ok {
			continue
		}
		b, err := fs.ReadFile(scenarioFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		s.files[key] = string(b)
	}
	return s, nil
}

// Remotes returns the scenario's remote subnets.
func (s *Scenario) Remotes() []netip.Prefix {
	var out []netip.Prefix
	for _, r := range s.RemoteSubnets {
		p, _ := netip.ParsePrefix(r)
		out = append(out, p)
	}
	return out
}

var slugRE = regexp.MustCompile(`[^a-z0-9]+`)

// Slug names the file holding the answer to a command that is not in the
// platform table: lower case, the peer address as "peer", every run of
// other characters as "-". "show crypto ipsec transform-set" ->
// show-crypto-ipsec-transform-set.
func (s *Scenario) Slug(cmd string) string {
	c := strings.ReplaceAll(strings.ToLower(cmd), s.Peer, "peer")
	return strings.Trim(slugRE.ReplaceAllString(c, "-"), "-")
}

// Answer returns the scenario's output for cmd and whether the device
// knows the command at all.
func (s *Scenario) Answer(cmd string) (string, bool) {
	return s.AnswerRead(cmd, 1)
}

// AnswerRead is the scenario's output for the n-th read (from 1) of cmd
// on one device: <key>.<n>.txt when the scenario ships it, else the
// highest numbered answer below n, else <key>.txt. Numbered answers are
// how a scenario's counters grow between two reads.
func (s *Scenario) AnswerRead(cmd string, n int) (string, bool) {
	key, known := s.key(cmd)
	for i := n; i >= 2; i-- {
		if out, ok := s.files[fmt.Sprintf("%s.%d", key, i)]; ok {
			return out, true
		}
	}
	out, ok := s.files[key]
	return out, ok || known
}

// key names the file that answers cmd; known says the command is in the
// platform table (answered, if only with nothing, even without a file).
func (s *Scenario) key(cmd string) (key string, known bool) {
	cmd = strings.Join(strings.Fields(cmd), " ")
	plat, _ := devices.PlatformByName(s.Platform)
	peer, _ := netip.ParseAddr(s.Peer)
	for _, p := range plat.Plan(peer, s.Remotes()) {
		if p.Command == cmd {
			return p.Key, true
		}
	}
	return s.Slug(cmd), false
}

// HasFile reports whether the scenario ships <key>.txt.
func (s *Scenario) HasFile(key string) bool {
	_, ok := s.files[key]
	return ok
}

package devices

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tunneldoc/tunneldoc/devices/sshx"
)

// CredentialRef says where a login secret lives. The inventory never
// holds a secret itself.
type CredentialRef struct {
	PasswordEnv        string // environment variable holding the password
	PasswordFile       string // file holding the password (first line)
	KeyFile            string // private key file
	KeyPassphraseEnv   string // environment variable holding the key's passphrase
	Agent              bool   // use the ssh-agent at SSH_AUTH_SOCK
	EnablePasswordEnv  string
	EnablePasswordFile string
}

// Tunnel is one peer a device terminates.
type Tunnel struct {
	Peer          netip.Addr
	Name          string
	RemoteSubnets []netip.Prefix
	// FarEnd names the inventory device at the other end of this tunnel,
	// when neither its address nor a shared tunnel name says so.
	FarEnd string
	Line   int
}

// Device is one inventory entry (a device or a jump host).
type Device struct {
	Name            string
	Address         string
	Port            int
	Platform        string // "" for jump hosts
	Username        string
	Credentials     CredentialRef
	KnownHosts      string
	TrustOnFirstUse bool
	Jump            string // name of a jump_hosts entry
	Algorithms      sshx.Algorithms
	Session         string // "shell", "exec" or "" for the platform's default
	Enable          bool
	CommandTimeout  time.Duration
	MaxOutputBytes  int
	Debug           DebugPolicy // a scoped debug: off unless the entry allows it
	Tunnels         []Tunnel
	Line            int
}

// Addr is host:port.
func (d *Device) Addr() string {
	return netJoin(d.Address, d.Port)
}

// Defaults apply to every device that does not say otherwise.
type Defaults struct {
	Username         string
	KnownHosts       string
	ConnectTimeout   time.Duration
	HandshakeTimeout time.Duration
	CommandTimeout   time.Duration
	MaxOutputBytes   int
}

// Inventory is the validated device file.
type Inventory struct {
	Path      string
	Defaults  Defaults
	Devices   []Device
	JumpHosts []Device
}

// Problem is one validation failure at a line of the file.
type Problem struct {
	Line int
	Msg  string
}

// InventoryError lists every problem found in a file.
type InventoryError struct {
	Path     string
	Problems []Problem
}

func (e *InventoryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "inventory %s is not valid (%d problem", e.Path, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "\n  %s:%d: %s", e.Path, p.Line, p.Msg)
	}
	return b.String()
}

// Is makes errors.Is(err, BadInventory) true.
func (e *InventoryError) Is(target error) bool { return target == BadInventory }

// LoadInventory reads and validates an inventory file. Relative paths in
// it (known_hosts, password_file, key_file) are relative to the file.
func LoadInventory(path string) (*Inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read inventory: %w", err)
	}
	return ParseInventory(data, path)
}

// ParseInventory validates data read from path.
func ParseInventory(data []byte, path string) (*Inventory, error) {
	p := &invParser{path: path, dir: filepath.Dir(path)}
	inv := p.parse(data)
	if len(p.problems) > 0 {
		sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
		return nil, &InventoryError{Path: path, Problems: p.problems}
	}
	return inv, nil
}

type invParser struct {
	path, dir string
	problems  []Problem
}

func (p *invParser) fail(line int, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, Msg: fmt.Sprintf(format, args...)})
}

// secretKeys are keys people write when they mean to inline a secret.
var secretKeys = []string{"password", "secret", "enable_password", "enable_secret", "private_key", "key", "passphrase", "psk", "pre_shared_key"}

// fields checks a mapping node against the allowed keys and returns the
// value node of each key present.
func (p *invParser) fields(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		p.fail(n.Line, "%s must be a mapping of key: value", what)
		return out
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			p.fail(k.Line, "key %q appears twice in %s (first at line %d)", k.Value, what, first)
			continue
		}
		seen[k.Value] = k.Line
		switch {
		case slices.Contains(allowed, k.Value):
			out[k.Value] = v
		case slices.Contains(secretKeys, k.Value):
			p.fail(k.Line, "%s: inline secrets are not allowed (%q): refer to them with password_env, password_file, key_file, key_passphrase_env, enable_password_env, enable_password_file or agent: true", what, k.Value)
		default:
			p.fail(k.Line, "unknown key %q in %s%s (known: %s)", k.Value, what, suggest(k.Value, allowed), strings.Join(allowed, ", "))
		}
	}
	return out
}

func (p *invParser) str(n *yaml.Node, what string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.fail(n.Line, "%s must be a single value", what)
		return ""
	}
	return n.Value
}

func (p *invParser) boolean(n *yaml.Node, what string) bool {
	if n == nil {
		return false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		p.fail(n.Line, "%s must be true or false, not %q", what, n.Value)
	}
	return b
}

func (p *invParser) integer(n *yaml.Node, what string, lo, hi int) int {
	if n == nil {
		return 0
	}
	var v int
	if err := n.Decode(&v); err != nil || v < lo || v > hi {
		p.fail(n.Line, "%s must be a whole number from %d to %d, not %q", what, lo, hi, n.Value)
		return 0
	}
	return v
}

func (p *invParser) duration(n *yaml.Node, what string) time.Duration {
	if n == nil {
		return 0
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil || d <= 0 {
		p.fail(n.Line, "%s must be a positive duration like 10s or 2m, not %q", what, n.Value)
		return 0
	}
	return d
}

func (p *invParser) strList(n *yaml.Node, what string) []string {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(n.Line, "%s must be a list", what)
		return nil
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, p.str(c, what))
	}
	return out
}

func (p *invParser) resolvePath(s string) string {
	if s == "" || filepath.IsAbs(s) {
		return s
	}
	return filepath.Join(p.dir, s)
}

func (p *invParser) parse(data []byte) *Inventory {
	inv := &Inventory{Path: p.path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		var te *yaml.TypeError
		if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
			fmt.Sscan(m[1], &line)
		} else if errors.As(err, &te) {
			line = 1
		}
		p.fail(line, "not valid YAML: %v", err)
		return inv
	}
	if len(doc.Content) == 0 {
		p.fail(1, "the file is empty: list devices under `devices:`")
		return inv
	}
	top := p.fields(doc.Content[0], "the inventory", "defaults", "devices", "jump_hosts")
	if d := top["defaults"]; d != nil {
		f := p.fields(d, "defaults", "username", "known_hosts", "connect_timeout", "handshake_timeout", "command_timeout", "max_output_bytes")
		inv.Defaults = Defaults{
			Username:         p.str(f["username"], "defaults.username"),
			KnownHosts:       p.resolvePath(p.str(f["known_hosts"], "defaults.known_hosts")),
			ConnectTimeout:   p.duration(f["connect_timeout"], "defaults.connect_timeout"),
			HandshakeTimeout: p.duration(f["handshake_timeout"], "defaults.handshake_timeout"),
			CommandTimeout:   p.duration(f["command_timeout"], "defaults.command_timeout"),
			MaxOutputBytes:   p.integer(f["max_output_bytes"], "defaults.max_output_bytes", 1024, 64<<20),
		}
	}
	names := map[string]int{}
	if j := top["jump_hosts"]; j != nil {
		inv.JumpHosts = p.deviceList(j, "jump_hosts", inv, names, true)
	}
	if d := top["devices"]; d != nil {
		inv.Devices = p.deviceList(d, "devices", inv, names, false)
	} else {
		p.fail(doc.Content[0].Line, "no `devices:` list")
	}
	for _, d := range inv.Devices {
		if d.Jump != "" && !slices.ContainsFunc(inv.JumpHosts, func(j Device) bool { return j.Name == d.Jump }) {
			p.fail(d.Line, "device %s: jump host %q is not listed under jump_hosts", d.Name, d.Jump)
		}
		for _, t := range d.Tunnels {
			if t.FarEnd != "" && (t.FarEnd == d.Name || !slices.ContainsFunc(inv.Devices, func(o Device) bool { return o.Name == t.FarEnd })) {
				p.fail(t.Line, "device %s: far_end %q is not another device under devices", d.Name, t.FarEnd)
			}
		}
	}
	return inv
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func (p *invParser) deviceList(n *yaml.Node, what string, inv *Inventory, names map[string]int, jump bool) []Device {
	if n.Kind != yaml.SequenceNode {
		p.fail(n.Line, "%s must be a list of entries (each starting with `- name: ...`)", what)
		return nil
	}
	var out []Device
	for _, e := range n.Content {
		d := p.device(e, what, inv, jump)
		if d.Name != "" {
			if first, dup := names[d.Name]; dup {
				p.fail(d.Line, "duplicate name %q (first at line %d): names must be unique across devices and jump_hosts", d.Name, first)
				continue
			}
			names[d.Name] = d.Line
		}
		out = append(out, d)
	}
	return out
}

var (
	hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$`)
	nameRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	dottedRE   = regexp.MustCompile(`^[0-9.]+$`)
)

func (p *invParser) device(n *yaml.Node, what string, inv *Inventory, jump bool) Device {
	d := Device{Line: n.Line, Port: 22}
	allowed := []string{"name", "address", "port", "username", "credentials", "known_hosts", "trust_on_first_use", "algorithms", "connect_timeout"}
	if !jump {
		allowed = append(allowed, "platform", "jump", "session", "enable", "command_timeout", "max_output_bytes", "tunnels", "debug")
	}
	f := p.fields(n, "an entry of "+what, allowed...)
	d.Name = p.str(f["name"], "name")
	label := d.Name
	switch {
	case f["name"] == nil:
		p.fail(n.Line, "entry of %s has no name", what)
		label = fmt.Sprintf("entry at line %d", n.Line)
	case !nameRE.MatchString(d.Name):
		p.fail(f["name"].Line, "name %q: use letters, digits, '.', '_' and '-' only", d.Name)
	}
	d.Address = p.str(f["address"], label+".address")
	if an := f["address"]; an == nil {
		p.fail(n.Line, "%s has no address", label)
	} else if msg := checkAddress(d.Address); msg != "" {
		p.fail(an.Line, "%s: bad address %q: %s", label, d.Address, msg)
	}
	if pn := f["port"]; pn != nil {
		d.Port = p.integer(pn, label+".port", 1, 65535)
	}
	d.Username = p.str(f["username"], label+".username")
	if d.Username == "" {
		d.Username = inv.Defaults.Username
	}
	if d.Username == "" {
		p.fail(n.Line, "%s has no username (set it on the entry or under defaults)", label)
	}
	d.KnownHosts = p.resolvePath(p.str(f["known_hosts"], label+".known_hosts"))
	if d.KnownHosts == "" {
		d.KnownHosts = inv.Defaults.KnownHosts
	}
	if d.KnownHosts == "" {
		p.fail(n.Line, "%s has no known_hosts file (set it on the entry or under defaults): host keys are always checked", label)
	}
	d.TrustOnFirstUse = p.boolean(f["trust_on_first_use"], label+".trust_on_first_use")
	if c := f["credentials"]; c != nil {
		d.Credentials = p.credentials(c, label)
	} else {
		p.fail(n.Line, "%s has no credentials: add credentials: {password_env: VAR} (or password_file, key_file, agent: true)", label)
	}
	if a := f["algorithms"]; a != nil {
		d.Algorithms = p.algorithms(a, label)
	}
	if jump {
		return d
	}
	d.Platform = p.str(f["platform"], label+".platform")
	plat, ok := PlatformByName(d.Platform)
	switch {
	case f["platform"] == nil:
		p.fail(n.Line, "%s has no platform (one of %s)", label, strings.Join(PlatformNames(), ", "))
	case !ok:
		p.fail(f["platform"].Line, "%s: unknown platform %q%s (known: %s)", label, d.Platform, suggest(d.Platform, PlatformNames()), strings.Join(PlatformNames(), ", "))
	}
	d.Jump = p.str(f["jump"], label+".jump")
	d.Session = p.str(f["session"], label+".session")
	if sn := f["session"]; sn != nil && d.Session != "shell" && d.Session != "exec" {
		p.fail(sn.Line, "%s: session must be shell or exec, not %q", label, d.Session)
	}
	d.Enable = p.boolean(f["enable"], label+".enable")
	if en := f["enable"]; en != nil && d.Enable && ok && !plat.CanEnable {
		p.fail(en.Line, "%s: platform %s has no enable mode", label, d.Platform)
	}
	d.CommandTimeout = p.duration(f["command_timeout"], label+".command_timeout")
	d.MaxOutputBytes = p.integer(f["max_output_bytes"], label+".max_output_bytes", 1024, 64<<20)
	if tn := f["tunnels"]; tn != nil {
		d.Tunnels = p.tunnels(tn, label)
	}
	d.Debug = p.debugPolicy(f["debug"], label)
	return d
}

func checkAddress(s string) string {
	if s == "" {
		return "empty"
	}
	if strings.Contains(s, ":") || dottedRE.MatchString(s) {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return "not an IP address"
		}
		if a.IsUnspecified() || a.IsMulticast() {
			return "not a unicast address"
		}
		return ""
	}
	if !hostnameRE.MatchString(s) {
		return "neither an IP address nor a host name"
	}
	return ""
}

func (p *invParser) credentials(n *yaml.Node, label string) CredentialRef {
	f := p.fields(n, label+".credentials", "password_env", "password_file", "key_file", "key_passphrase_env", "agent", "enable_password_env", "enable_password_file")
	c := CredentialRef{
		PasswordEnv:        p.str(f["password_env"], label+".credentials.password_env"),
		PasswordFile:       p.resolvePath(p.str(f["password_file"], label+".credentials.password_file")),
		KeyFile:            p.resolvePath(p.str(f["key_file"], label+".credentials.key_file")),
		KeyPassphraseEnv:   p.str(f["key_passphrase_env"], label+".credentials.key_passphrase_env"),
		Agent:              p.boolean(f["agent"], label+".credentials.agent"),
		EnablePasswordEnv:  p.str(f["enable_password_env"], label+".credentials.enable_password_env"),
		EnablePasswordFile: p.resolvePath(p.str(f["enable_password_file"], label+".credentials.enable_password_file")),
	}
	if c.PasswordEnv == "" && c.PasswordFile == "" && c.KeyFile == "" && !c.Agent {
		p.fail(n.Line, "%s.credentials names no login method: give password_env, password_file, key_file or agent: true", label)
	}
	return c
}

func (p *invParser) algorithms(n *yaml.Node, label string) sshx.Algorithms {
	classes := []string{"key_exchanges", "ciphers", "macs", "host_keys"}
	f := p.fields(n, label+".algorithms", classes...)
	var a sshx.Algorithms
	for _, class := range classes {
		v := f[class]
		if v == nil {
			continue
		}
		list := p.strList(v, label+".algorithms."+class)
		for i, name := range list {
			line := v.Line
			if i < len(v.Content) {
				line = v.Content[i].Line
			}
			if err := sshx.CheckAlgorithm(class, name); err != nil {
				p.fail(line, "%s.algorithms: %v", label, err)
			}
		}
		switch class {
		case "key_exchanges":
			a.KeyExchanges = list
		case "ciphers":
			a.Ciphers = list
		case "macs":
			a.MACs = list
		case "host_keys":
			a.HostKeys = list
		}
	}
	return a
}

func (p *invParser) tunnels(n *yaml.Node, label string) []Tunnel {
	if n.Kind != yaml.SequenceNode {
		p.fail(n.Line, "%s.tunnels must be a list", label)
		return nil
	}
	var out []Tunnel
	peers := map[netip.Addr]int{}
	for _, e := range n.Content {
		f := p.fields(e, label+".tunnels entry", "peer", "name", "remote_subnets", "far_end")
		t := Tunnel{Line: e.Line, Name: p.str(f["name"], "tunnel name"), FarEnd: p.str(f["far_end"], "far_end")}
		pn := f["peer"]
		if pn == nil {
			p.fail(e.Line, "%s: tunnel has no peer address", label)
			continue
		}
		a, err := netip.ParseAddr(p.str(pn, "peer"))
		if err != nil {
			p.fail(pn.Line, "%s: bad peer address %q: not an IP address", label, pn.Value)
			continue
		}
		if first, dup := peers[a]; dup {
			p.fail(pn.Line, "%s: peer %s listed twice (first at line %d)", label, a, first)
			continue
		}
		peers[a] = pn.Line
		t.Peer = a
		if rn := f["remote_subnets"]; rn != nil {
			for i, s := range p.strList(rn, "remote_subnets") {
				pr, err := netip.ParsePrefix(s)
				if err != nil {
					line := rn.Line
					if i < len(rn.Content) {
						line = rn.Content[i].Line
					}
					p.fail(line, "%s: bad remote subnet %q: want a prefix like 192.168.10.0/24", label, s)
					continue
				}
				t.RemoteSubnets = append(t.RemoteSubnets, pr)
			}
		}
		out = append(out, t)
	}
	return out
}

package real

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tunneldoc/tunneldoc/devices/lab/ikelab"
	"github.com/tunneldoc/tunneldoc/devices/lab/labfiles"
)

// Scenarios are the states the running lab can be switched to (real.sh's
// real_scenario says what each changes).
var Scenarios = []string{"healthy", "proposal-mismatch", "psk-mismatch", "unreachable", "ts-mismatch", "one-way", "dpd"}

// LibreswanScenarios are the scenarios of a lab whose west gateway runs
// libreswan (Options.Libreswan): the ones that fail before an IPsec SA is
// installed. pluto installs its IPsec SAs in the kernel, and a kernel
// without XFRM ESP refuses them, so its "healthy" tunnel has an IKE SA and
// no IPsec SA.
var LibreswanScenarios = []string{"healthy", "proposal-mismatch", "psk-mismatch", "unreachable"}

// Gateway is one gateway of the lab.
type Gateway struct {
	Name         string // inventory entry name
	Platform     string // strongswan or libreswan
	Address      string // its outside address, where its sshd listens
	Peer         string // the other gateway's outside address
	Tunnel       string // connection name
	RemoteSubnet string // the net behind the peer
	HostKey      []byte // its public host key, authorized_keys format
	// Journal: charon logs to the gateway's own systemd journal (else to
	// /var/log/charon.log, and there is no journal); the inventory allows
	// a scoped debug, which reads the journal, on this gateway.
	Journal bool
}

// Lab is a running live lab.
type Lab struct {
	Gateways  []Gateway
	Scenario  string
	Scenarios []string // the scenarios this lab can be switched to
	work      string
	prefix    string
	pair      string   // real.sh's IKELAB_REAL_PAIR: sw-sw or lw-sw
	lock      *os.File // held while the lab runs
	clientPK  []byte   // OpenSSH private key (PEM) the inventory logs in with
}

// requirement is one thing the lab runs and the package that brings it.
type requirement struct {
	path, pkg string
}

var requirements = []requirement{
	{"/usr/lib/ipsec/charon", "strongswan-charon (or strongswan)"},
	{"/usr/sbin/swanctl", "strongswan-swanctl"},
	{"/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so", "libcharon-extra-plugins"},
	{"/usr/sbin/sshd", "openssh-server"},
	{"nft", "nftables"},
	{"ip", "iproute2"},
	{"ping", "iputils-ping"},
	{"nsenter", "util-linux"},
	{"unshare", "util-linux"},
	{"bash", "bash"},
	{"ssh-keygen", "openssh-client"},
	// east logs to a systemd-journald of its own
	{"/lib/systemd/systemd-journald", "systemd"},
	{"systemd-cat", "systemd"},
	{"journalctl", "systemd"},
}

// Missing says why the live lab cannot run here (not Linux, not root,
// programs absent, naming the packages to install); nil when it can.
func Missing() error {
	if runtime.GOOS != "linux" {
		return fmt.Errorf("the live lab needs Linux network namespaces (this is %s)", runtime.GOOS)
	}
	if os.Geteuid() != 0 {
		return errors.New("the live lab needs root (it makes network namespaces and runs charon and sshd)")
	}
	return missing(requirements, " (Debian/Ubuntu: apt-get install strongswan strongswan-swanctl libcharon-extra-plugins openssh-server nftables iproute2 iputils-ping systemd)")
}

// MissingLibreswan says why a lab with a libreswan west cannot run here;
// nil when it can.
func MissingLibreswan() error {
	if err := Missing(); err != nil {
		return err
	}
	reqs := libreswanRequirements
	_, installed := os.Stat("/usr/libexec/ipsec/pluto")
	_, cached := os.Stat(filepath.Join(lwCache, "libreswan-root/usr/libexec/ipsec/pluto"))
	if installed != nil && cached != nil {
		// real.sh downloads the package (apt-get download) and unpacks it
		reqs = append(slices.Clip(reqs), requirement{"apt-get", "apt"})
	}
	return missing(reqs, "")
}

// lwCache is where real.sh keeps the unpacked libreswan package.
const lwCache = "/var/cache/tunneldoc-reallab"

// missing names what of reqs is absent and the packages that bring it;
// hint follows the package names.
func missing(reqs []requirement, hint string) error {
	var absent, pkgs []string
	for _, r := range reqs {
		found := false
		if strings.HasPrefix(r.path, "/") {
			_, err := os.Stat(r.path)
			found = err == nil
		} else {
			_, err := exec.LookPath(r.path)
			if err != nil {
				for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin", "/bin"} {
					if _, err := os.Stat(filepath.Join(dir, r.path)); err == nil {
						found = true
					}
				}
			} else {
				found = true
			}
		}
		if !found {
			absent = append(absent, r.path)
			pkgs = append(pkgs, r.pkg)
		}
	}
	if len(absent) > 0 {
		return fmt.Errorf("the live lab needs %s: install %s%s", strings.Join(absent, ", "), strings.Join(uniq(pkgs), ", "), hint)
	}
	return nil
}

func uniq(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Options configure Start.
type Options struct {
	// Prefix names the namespaces (<prefix>-west, -east, -rtr) and the
	// host-side veth; default "tdr".
	Prefix string
	// Work is the folder for the scripts, configurations and logs; default
	// a new temporary folder, removed by Close.
	Work string
	// Libreswan: west runs libreswan (pluto, from the distribution's
	// package, unpacked into /var/cache/tunneldoc-reallab when it is not
	// installed) instead of strongSwan; east stays strongSwan. Only
	// LibreswanScenarios can be shown.
	Libreswan bool
}

// libreswanRequirements are what a libreswan west needs besides the rest.
var libreswanRequirements = []requirement{
	{"certutil", "libnss3-tools"},
	{"pk12util", "libnss3-tools"},
	{"openssl", "openssl"},
	{"dpkg", "dpkg"},
}

// The lab's addresses (lib.sh's topology).
const (
	westAddr = "198.18.73.5"
	eastAddr = "198.19.214.9"
	westNet  = "100.71.8.0/24"
	eastNet  = "172.29.203.0/24"
)

// Start builds the lab and returns once both sshds accept connections.
// On any error it has already cleaned up.
func Start(ctx context.Context, opts Options) (l *Lab, err error) {
	if err := Missing(); err != nil {
		return nil, err
	}
	if opts.Libreswan {
		if err := MissingLibreswan(); err != nil {
			return nil, err
		}
	}
	if opts.Prefix == "" {
		opts.Prefix = "tdr"
	}
	// The lab's addresses and host routes are fixed: one lab at a time per
	// machine (a second waits, bounded, for the first to close).
	lock, err := lockMachine(ctx, 3*time.Minute)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Close()
		}
	}()
	work := opts.Work
	if work == "" {
		if work, err = os.MkdirTemp("", "tunneldoc-reallab-"); err != nil {
			return nil, err
		}
	}
	l = &Lab{
		Scenario:  "healthy",
		Scenarios: Scenarios,
		lock:      lock,
		work:      work,
		prefix:    opts.Prefix,
		pair:      "sw-sw",
	}
	if opts.Libreswan {
		l.Scenarios, l.pair = LibreswanScenarios, "lw-sw"
	}
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()
	if err := l.writeScripts(); err != nil {
		return l, err
	}
	// Under the lock no other live lab runs: real.sh up first removes what
	// a killed one may have left (namespaces, the host veth, its routes).
	if err := l.run(ctx, 2*time.Minute, "up"); err != nil {
		return l, err
	}
	if err := l.readKeys(); err != nil {
		return l, err
	}
	for i := range l.Gateways {
		if err := waitListen(ctx, l.Gateways[i].Address+":22", 20*time.Second); err != nil {
			return l, fmt.Errorf("sshd on %s: %w (see %s)", l.Gateways[i].Name, err, filepath.Join(work, gwSide(i), "sshd.out"))
		}
	}
	return l, nil
}

func gwSide(i int) string {
	if i == 0 {
		return "west"
	}
	return "east"
}

// SetScenario switches the running lab; both sides forget their SAs and
// west negotiates again:
//   - healthy: the tunnel up, the hosts behind pinging through it;
//   - proposal-mismatch: east allows only IKE aes128-sha1-ecp256 (changed
//     in its swanctl.conf and reloaded), west offers aes256-sha256-modp2048;
//   - psk-mismatch: east's pre-shared key changed and reloaded;
//   - unreachable: the router drops UDP/500, UDP/4500 and ESP;
//   - ts-mismatch: east expects 100.71.9.0/24 behind west, so the IKE SA
//     comes up and the CHILD_SA is refused with TS_UNACCEPTABLE;
//   - one-way: the tunnel comes up, then east loses its route to west's
//     net: west encrypts its pings and decrypts nothing back;
//   - dpd: west probes every 2 s; once the tunnel is up the router drops
//     IKE and ESP and west declares east dead (about 10 s later).
//
// A lab with a libreswan west knows only LibreswanScenarios.
func (l *Lab) SetScenario(ctx context.Context, name string) error {
	if !slices.Contains(l.Scenarios, name) {
		return fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(l.Scenarios, ", "))
	}
	if err := l.run(ctx, time.Minute, "scenario", name); err != nil {
		return err
	}
	l.Scenario = name
	return nil
}

// Close removes the namespaces, the host-side veth and its routes, ends
// every lab process and removes the work folder. It is safe to call more
// than once.
func (l *Lab) Close() error {
	if l == nil || l.work == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := l.run(ctx, time.Minute, "down")
	if rerr := os.RemoveAll(l.work); rerr != nil && err == nil {
		err = rerr
	}
	l.work = ""
	l.lock.Close()
	return err
}

// run runs real.sh with args, bounded by limit.
func (l *Lab) run(ctx context.Context, limit time.Duration, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	argv := append([]string{"IKELAB_PREFIX=" + l.prefix, "IKELAB_WORK=" + l.work, "IKELAB_REAL_PAIR=" + l.pair, "IKELAB_LW_CACHE=" + lwCache,
		"bash", filepath.Join(l.work, "scripts", "real.sh")}, args...)
	cmd := exec.CommandContext(ctx, "env", argv...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("real.sh %s: %w\n%s", strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}

func (l *Lab) writeScripts() error {
	dir := filepath.Join(l.work, "scripts")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return fs.WalkDir(ikelab.Scripts, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := ikelab.Scripts.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, path), b, 0o700)
	})
}

// gateways are the lab's two gateways (lib.sh's topology and names).
func gateways() []Gateway {
	return []Gateway{
		{Name: "kestrel-gw", Platform: "strongswan", Address: westAddr, Peer: eastAddr, Tunnel: "kestrel-osprey", RemoteSubnet: eastNet},
		{Name: "osprey-gw", Platform: "strongswan", Address: eastAddr, Peer: westAddr, Tunnel: "osprey-kestrel", RemoteSubnet: westNet, Journal: true},
	}
}

// readKeys reads the keys real.sh made with ssh-keygen: each gateway's
// public host key (pinned in known_hosts) and the client's private key.
func (l *Lab) readKeys() error {
	dir := filepath.Join(l.work, "ssh")
	gws := gateways()
	if l.pair == "lw-sw" {
		gws[0].Platform = "libreswan"
	}
	for i := range gws {
		pub, err := os.ReadFile(filepath.Join(dir, gwSide(i)+"_host_key.pub"))
		if err != nil {
			return err
		}
		gws[i].HostKey = pub
	}
	priv, err := os.ReadFile(filepath.Join(dir, "client"))
	if err != nil {
		return err
	}
	l.clientPK = priv
	l.Gateways = gws
	return nil
}

// waitListen waits until addr accepts a TCP connection.
func waitListen(ctx context.Context, addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var d net.Dialer
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := d.DialContext(cctx, "tcp", addr)
		cancel()
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("not listening after %s: %w", limit, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// WriteFiles writes inventory.yaml, known_hosts (the gateways' host keys)
// and lab-client-key (the key the inventory logs in with) into dir and
// returns the inventory's path.
func (l *Lab) WriteFiles(dir string) (string, error) {
	hosts := make([]labfiles.Host, len(l.Gateways))
	for i, g := range l.Gateways {
		hosts[i] = labfiles.Host{Addr: g.Address + ":22", Key: g.HostKey}
	}
	return labfiles.Write(dir, hosts, labfiles.Credential{Name: "lab-client-key", Content: l.clientPK}, l.InventoryYAML())
}

// InventoryYAML renders the inventory of the gateways; paths are relative
// to the inventory file.
func (l *Lab) InventoryYAML() string {
	var b strings.Builder
	b.WriteString("# Written by `tunneldoc lab --real`: IKE gateways in network namespaces.\n")
	b.WriteString("defaults:\n  username: root\n  known_hosts: known_hosts\n  connect_timeout: 5s\n  command_timeout: 20s\n")
	b.WriteString("devices:\n")
	for _, g := range l.Gateways {
		fmt.Fprintf(&b, "  - name: %s\n    address: %s\n    platform: %s\n", g.Name, g.Address, g.Platform)
		b.WriteString("    credentials:\n      key_file: lab-client-key\n")
		if g.Journal {
			b.WriteString("    debug:\n      allowed: true\n      max_duration: 60s\n")
		}
		fmt.Fprintf(&b, "    tunnels:\n      - peer: %s\n        name: %s\n        remote_subnets: [%s]\n", g.Peer, g.Tunnel, g.RemoteSubnet)
	}
	return b.String()
}

package lab

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/tunneldoc/tunneldoc/devices/lab/labfiles"
)

// Fault makes one device misbehave, for tests.
type Fault struct {
	HangOn  string // a command (exact text) that never answers
	FloodOn string // a command that prints without end
	// DropOn is a command whose answer stops half way: the device sends
	// the first half of its lines, then closes the connection (TCP and
	// all), as a device that reboots or kills the vty mid-output.
	DropOn string
	// LegacyOnly: the device speaks only diffie-hellman-group14-sha1 and
	// an ssh-rsa (SHA-1) host key, like an old IOS image.
	LegacyOnly bool
	// StallHandshake: accept TCP, then say nothing.
	StallHandshake bool
	// UserMode: an IOS login lands in user EXEC (`host>`) and needs
	// `enable` for the privileged show commands.
	UserMode bool
}

// DeviceConfig is one device to start.
type DeviceConfig struct {
	Name     string // inventory name; default: the scenario name
	Scenario string
	Fault    Fault
	// DebugAllowed: the inventory entry allows a scoped debug, and the
	// device plays it (lab/debug.go); otherwise debug commands are refused.
	DebugAllowed bool
}

// Options configure a lab. Zero values take defaults.
type Options struct {
	Devices        []DeviceConfig // default: one device per scenario
	Username       string         // default "netops"
	Password       string         // default: random
	EnablePassword string         // default: same as Password
	AuthorizedKey  ssh.PublicKey  // optional: also accept this key
	// OnlyAuth limits logins to one method: "password",
	// "keyboard-interactive" or "publickey"; "" accepts all three.
	OnlyAuth   string
	PageLength int // lines per page until paging is off; default 24
	Logger     *slog.Logger
}

// Device is one running simulated device.
type Device struct {
	Name     string
	Scenario *Scenario
	Addr     string // 127.0.0.1:port
	HostKey  ssh.PublicKey
	fault    Fault
	ln       net.Listener
	// debugAllowed and debug: the scoped debug the device plays.
	debugAllowed bool
	debug        debugState
	active       atomic.Int64
	peak         atomic.Int64
	readsMu      sync.Mutex
	reads        map[string]int // answer key -> times read, for numbered answers
}

// PeakSessions is the most SSH connections this device served at once.
func (d *Device) PeakSessions() int { return int(d.peak.Load()) }

// answer is the scenario's answer to this device's next read of cmd.
func (d *Device) answer(cmd string) (string, bool) {
	key, _ := d.Scenario.key(cmd)
	d.readsMu.Lock()
	if d.reads == nil {
		d.reads = map[string]int{}
	}
	d.reads[key]++
	n := d.reads[key]
	d.readsMu.Unlock()
	return d.Scenario.AnswerRead(cmd, n)
}

// Lab is a set of running devices.
type Lab struct {
	Devices  []*Device
	Username string
	Password string
	opts     Options
	active   atomic.Int64
	peak     atomic.Int64
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	closed   chan struct{}
	once     sync.Once
}

// PeakSessions is the most SSH connections the lab served at once.
func (l *Lab) PeakSessions() int { return int(l.peak.Load()) }

// Start starts the devices on 127.0.0.1, each on its own free port. They
// run until ctx ends or Close is called.
func Start(ctx context.Context, opts Options) (*Lab, error) {
	if opts.Username == "" {
		opts.Username = "netops"
	}
	if opts.Password == "" {
		opts.Password = "lab-" + rand.Text()[:12]
	}
	if opts.EnablePassword == "" {
		opts.EnablePassword = opts.Password
	}
	if opts.PageLength <= 0 {
		opts.PageLength = 24
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if len(opts.Devices) == 0 {
		all, err := Scenarios()
		if err != nil {
			return nil, err
		}
		for _, s := range all {
			opts.Devices = append(opts.Devices, DeviceConfig{Name: s.Name, Scenario: s.Name})
		}
	}
	l := &Lab{Username: opts.Username, Password: opts.Password, opts: opts, conns: map[net.Conn]struct{}{}, closed: make(chan struct{})}
	for _, dc := range opts.Devices {
		d, err := l.startDevice(dc)
		if err != nil {
			l.Close()
			return nil, err
		}
		l.Devices = append(l.Devices, d)
	}
	context.AfterFunc(ctx, func() { l.Close() })
	return l, nil
}

func (l *Lab) startDevice(dc DeviceConfig) (*Device, error) {
	sc, err := ScenarioByName(dc.Scenario)
	if err != nil {
		return nil, err
	}
	name := dc.Name
	if name == "" {
		name = sc.Name
	}
	var signer ssh.Signer
	if dc.Fault.LegacyOnly {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		s, err := ssh.NewSignerFromKey(key)
		if err != nil {
			return nil, err
		}
		signer, err = ssh.NewSignerWithAlgorithms(s.(ssh.AlgorithmSigner), []string{ssh.KeyAlgoRSA})
		if err != nil {
			return nil, err
		}
	} else {
		if signer, err = newHostKey(); err != nil {
			return nil, err
		}
	}
	ln, err := listenLoopback("device", name)
	if err != nil {
		return nil, err
	}
	d := &Device{Name: name, Scenario: sc, Addr: ln.Addr().String(), HostKey: signer.PublicKey(), fault: dc.Fault, ln: ln, debugAllowed: dc.DebugAllowed}
	cfg := l.serverConfig(d)
	cfg.AddHostKey(signer)
	l.wg.Add(1)
	go l.accept(d, cfg)
	return d, nil
}

// newHostKey makes a fresh ed25519 host key for a lab device.
func newHostKey() (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return ssh.NewSignerFromKey(priv)
}

// listenLoopback opens a lab device's port on 127.0.0.1 (never another
// interface); kind names the device in the error ("device", "hub").
func listenLoopback(kind, name string) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lab %s %s: %w", kind, name, err)
	}
	return ln, nil
}

func (l *Lab) serverConfig(d *Device) *ssh.ServerConfig {
	check := func(user, pw string) error {
		if user == l.opts.Username && pw == l.opts.Password {
			return nil
		}
		return errors.New("access denied")
	}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			return nil, check(c.User(), string(pw))
		},
		KeyboardInteractiveCallback: func(c ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			ans, err := ask("", "", []string{"Password: "}, []bool{false})
			if err != nil || len(ans) != 1 {
				return nil, errors.New("access denied")
			}
			return nil, check(c.User(), ans[0])
		},
		BannerCallback: func(ssh.ConnMetadata) string {
			return "\r\n*** Authorized access only. Activity on this device is logged. ***\r\n\r\n"
		},
		ServerVersion: "SSH-2.0-Cisco-1.25",
	}
	if d.Scenario.Platform == "strongswan" {
		cfg.ServerVersion = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"
	}
	switch l.opts.OnlyAuth {
	case "password":
		cfg.KeyboardInteractiveCallback = nil
	case "keyboard-interactive":
		cfg.PasswordCallback = nil
	case "publickey":
		cfg.PasswordCallback, cfg.KeyboardInteractiveCallback = nil, nil
	}
	if l.opts.AuthorizedKey != nil {
		want := l.opts.AuthorizedKey.Marshal()
		cfg.PublicKeyCallback = func(c ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			if c.User() == l.opts.Username && string(k.Marshal()) == string(want) {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		}
	}
	if d.fault.LegacyOnly {
		cfg.KeyExchanges = []string{ssh.InsecureKeyExchangeDH14SHA1}
	}
	return cfg
}

func (l *Lab) track(c net.Conn, add bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if add {
		l.conns[c] = struct{}{}
	} else {
		delete(l.conns, c)
	}
}

func (l *Lab) accept(d *Device, cfg *ssh.ServerConfig) {
	defer l.wg.Done()
	for {
		c, err := d.ln.Accept()
		if err != nil {
			return
		}
		l.track(c, true)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer l.track(c, false)
			defer c.Close()
			l.serveConn(d, cfg, c)
		}()
	}
}

func bumpPeak(cur, peak *atomic.Int64) {
	n := cur.Add(1)
	for {
		p := peak.Load()
		if n <= p || peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (l *Lab) serveConn(d *Device, cfg *ssh.ServerConfig, c net.Conn) {
	if d.fault.StallHandshake {
		select {
		case <-l.closed:
		case <-time.After(time.Minute):
		}
		return
	}
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		l.opts.Logger.Debug("lab handshake failed", "device", d.Name, "err", err)
		return
	}
	_ = c.SetDeadline(time.Time{})
	bumpPeak(&d.active, &d.peak)
	bumpPeak(&l.active, &l.peak)
	defer d.active.Add(-1)
	defer l.active.Add(-1)
	defer sc.Close()
	// drop ends the whole connection, for Fault.DropOn.
	drop := func() { _ = sc.Close() }
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	for nc := range chans {
		if nc.ChannelType() == "direct-tcpip" {
			l.forward(nc) // the device as a jump host
			continue
		}
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.serveSession(d, ch, creqs, drop)
		}()
	}
	wg.Wait()
}

// forward serves a direct-tcpip channel (ssh -J through this device), to
// loopback destinations only: the lab never reaches beyond 127.0.0.0/8.
func (l *Lab) forward(nc ssh.NewChannel) {
	var p struct {
		Host       string
		Port       uint32
		OriginHost string
		OriginPort uint32
	}
	if err := ssh.Unmarshal(nc.ExtraData(), &p); err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, "bad request")
		return
	}
	ip := net.ParseIP(p.Host)
	if ip == nil || !ip.IsLoopback() {
		_ = nc.Reject(ssh.Prohibited, "the lab forwards to loopback only")
		return
	}
	dst, err := net.DialTimeout("tcp", net.JoinHostPort(p.Host, fmt.Sprint(p.Port)), 5*time.Second)
	if err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, err.Error())
		return
	}
	ch, reqs, err := nc.Accept()
	if err != nil {
		dst.Close()
		return
	}
	go ssh.DiscardRequests(reqs)
	l.track(dst, true)
	l.wg.Add(2)
	go func() {
		defer l.wg.Done()
		defer l.track(dst, false)
		_, _ = io.Copy(dst, ch)
		dst.Close()
	}()
	go func() {
		defer l.wg.Done()
		_, _ = io.Copy(ch, dst)
		ch.Close()
	}()
}

func (l *Lab) serveSession(d *Device, ch ssh.Channel, reqs <-chan *ssh.Request, drop func()) {
	defer ch.Close()
	for req := range reqs {
		switch req.Type {
		case "pty-req", "env", "window-change":
			_ = req.Reply(true, nil)
		case "shell":
			_ = req.Reply(true, nil)
			go ssh.DiscardRequests(reqs)
			if d.Scenario.Platform == "strongswan" {
				l.runLinuxShell(d, ch)
			} else {
				c := newCLI(l, d, ch)
				c.drop = drop
				c.run()
			}
			return
		case "exec":
			var p struct{ Command string }
			if err := ssh.Unmarshal(req.Payload, &p); err != nil {
				_ = req.Reply(false, nil)
				return
			}
			_ = req.Reply(true, nil)
			go ssh.DiscardRequests(reqs)
			status := l.exec(d, ch, p.Command, drop)
			_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
			return
		default:
			_ = req.Reply(false, nil)
		}
	}
}

// exec answers one command on a Linux (strongSwan) device or, for Cisco
// devices, like `ssh host "show ..."` does on IOS.
func (l *Lab) exec(d *Device, ch ssh.Channel, cmd string, drop func()) uint32 {
	if l.fault(d, ch, cmd, false, drop) {
		return 1
	}
	out, ok := d.answer(cmd)
	if d.debugAllowed {
		if j, isDebug := d.debugJournal(cmd); isDebug {
			out, ok = j, true
		}
	}
	if !ok {
		if d.Scenario.Platform == "strongswan" {
			first, _, _ := strings.Cut(strings.TrimSpace(cmd), " ")
			fmt.Fprintf(ch.Stderr(), "bash: line 1: %s: command not found\n", first)
			return 127
		}
		out = "% Invalid input detected at '^' marker.\n"
	}
	_, _ = ch.Write([]byte(out))
	return 0
}

// fault plays a hang, a flood or a drop; it reports whether it did. pty
// says the answer goes to a terminal (CRLF line ends).
func (l *Lab) fault(d *Device, ch ssh.Channel, cmd string, pty bool, drop func()) bool {
	cmd = strings.TrimSpace(cmd)
	switch {
	case d.fault.DropOn != "" && cmd == d.fault.DropOn:
		_, _ = ch.Write([]byte(dropHalf(d.Scenario, cmd, pty)))
		drop()
		return true
	case d.fault.HangOn != "" && cmd == d.fault.HangOn:
		// Answer half a line, then nothing: a device stuck mid-output.
		_, _ = ch.Write([]byte("interface: GigabitEthernet0/1\r\n    Crypto map tag: "))
		select {
		case <-l.closed:
		case <-time.After(5 * time.Minute):
		}
		return true
	case d.fault.FloodOn != "" && cmd == d.fault.FloodOn:
		line := []byte("      #pkts encaps: 294486, #pkts encrypt: 294485, #pkts digest: 294485\r\n")
		for i := 0; i < 1<<20; i++ { // at most ~70 MiB, then stop on our own
			if _, err := ch.Write(line); err != nil {
				break
			}
		}
		return true
	}
	return false
}

// runLinuxShell is a minimal interactive shell for strongSwan hosts.
func (l *Lab) runLinuxShell(d *Device, ch ssh.Channel) {
	prompt := fmt.Sprintf("%s@%s:~# ", "root", d.Scenario.Hostname)
	_, _ = ch.Write([]byte("Linux " + d.Scenario.Hostname + " 6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 x86_64\r\n\r\n" + prompt))
	r := newLineReader(ch)
	for {
		line, err := r.readLine(ch, true)
		if err != nil {
			return
		}
		line = strings.TrimSpace(line)
		if line == "exit" || line == "logout" {
			return
		}
		if line != "" {
			if out, ok := d.answer(line); ok {
				_, _ = ch.Write([]byte(strings.ReplaceAll(out, "\n", "\r\n")))
			} else {
				fmt.Fprintf(ch, "-bash: %s: command not found\r\n", strings.Fields(line)[0])
			}
		}
		_, _ = ch.Write([]byte(prompt))
	}
}

// Close stops every device and waits for their goroutines.
func (l *Lab) Close() error {
	l.once.Do(func() {
		close(l.closed)
		for _, d := range l.Devices {
			d.ln.Close()
		}
		l.mu.Lock()
		for c := range l.conns {
			c.Close()
		}
		l.mu.Unlock()
	})
	l.wg.Wait()
	return nil
}

// WriteFiles writes inventory.yaml, known_hosts and the password file
// (password_file, mode 0600) for the lab into dir and returns the
// inventory's path.
func (l *Lab) WriteFiles(dir string) (string, error) {
	hosts := make([]labfiles.Host, len(l.Devices))
	for i, d := range l.Devices {
		hosts[i] = labfiles.Host{Addr: d.Addr, Key: ssh.MarshalAuthorizedKey(d.HostKey)}
	}
	return labfiles.Write(dir, hosts, labfiles.Credential{Name: "lab-password", Content: []byte(l.Password + "\n")}, l.InventoryYAML())
}

// InventoryYAML renders the inventory for the running devices. Paths are
// relative to the inventory file.
func (l *Lab) InventoryYAML() string {
	var b strings.Builder
	b.WriteString("# Written by `tunneldoc lab`: simulated devices on 127.0.0.1.\n")
	b.WriteString("defaults:\n")
	fmt.Fprintf(&b, "  username: %s\n", l.Username)
	b.WriteString("  known_hosts: known_hosts\n")
	b.WriteString("  connect_timeout: 5s\n  command_timeout: 20s\n")
	b.WriteString("devices:\n")
	for _, d := range l.Devices {
		sc := d.Scenario
		host, port, _ := net.SplitHostPort(d.Addr)
		fmt.Fprintf(&b, "  - name: %s   # scenario %s: expect %s / %s\n", d.Name, sc.Name, sc.Expect.Phase, sc.Expect.Cause)
		fmt.Fprintf(&b, "    address: %s\n    port: %s\n    platform: %s\n", host, port, sc.Platform)
		b.WriteString("    credentials:\n      password_file: lab-password\n")
		if sc.Platform == "asa" {
			b.WriteString("      enable_password_file: lab-password\n    enable: true\n")
		}
		if d.debugAllowed {
			b.WriteString("    debug:\n      allowed: true\n      max_duration: 60s\n")
		}
		if d.fault.LegacyOnly {
			b.WriteString("    algorithms:\n      key_exchanges: [diffie-hellman-group14-sha1]\n      host_keys: [ssh-rsa]\n")
		}
		b.WriteString("    tunnels:\n")
		fmt.Fprintf(&b, "      - peer: %s\n", sc.Peer)
		if sc.Tunnel != "" {
			fmt.Fprintf(&b, "        name: %s\n", sc.Tunnel)
		}
		if len(sc.RemoteSubnets) > 0 {
			fmt.Fprintf(&b, "        remote_subnets: [%s]\n", strings.Join(sc.RemoteSubnets, ", "))
		}
	}
	return b.String()
}

// Fingerprint is the device's host key fingerprint as ssh prints it
// (SHA256:...).
func (d *Device) Fingerprint() string { return ssh.FingerprintSHA256(d.HostKey) }

// AuthorizedKey is the host key in authorized_keys form, without newline.
func (d *Device) AuthorizedKey() string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(d.HostKey)))
}

// dropHalf is the part of cmd's answer a dropping device sends: the first
// half of its lines (at least one), cut in the middle of the next.
func dropHalf(sc *Scenario, cmd string, pty bool) string {
	out, ok := sc.Answer(cmd)
	if !ok || strings.TrimSpace(out) == "" {
		out = "interface: GigabitEthernet0/1\n    Crypto map tag: VPN, local addr 30.3.1.1\n"
	}
	lines := strings.SplitAfter(out, "\n")
	n := max(1, len(lines)/2)
	half := strings.Join(lines[:n], "")
	if n < len(lines) {
		next := lines[n]
		half += next[:len(next)/2]
	}
	if pty {
		half = strings.ReplaceAll(half, "\n", "\r\n")
	}
	return half
}

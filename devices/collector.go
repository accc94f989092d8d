package devices

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tunneldoc/tunneldoc/devices/sshx"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Result is one command's answer, already redacted.
type Result struct {
	Command  string
	Output   string
	Duration time.Duration
	// Err is why the output is incomplete or missing (Timeout, OutputCut,
	// SessionFailed, ...); Output still holds what was read.
	Err error
}

// Collection is what was read from one device about one peer.
type Collection struct {
	Device   string
	Platform string
	Address  string // host:port
	Peer     string
	Tunnel   string // tunnel name from the inventory, if any
	Hostname string // as the device's prompt shows it (the entry name for exec)
	Started  time.Time
	Duration time.Duration
	Results  []Result
	// The limits each command ran under (zero when no session opened).
	CommandTimeout time.Duration
	MaxOutputBytes int
	// Err is set when the device could not be read at all (or only in
	// part); Collect returns it too.
	Err error
}

// Transcript renders the collection as one paste: "<hostname># <command>"
// then the output, for every command, so the diagnosis engine can split
// it by prompt and command echo. Incomplete outputs carry a marker line.
func (c *Collection) Transcript() string {
	var b strings.Builder
	for _, r := range c.Results {
		fmt.Fprintf(&b, "%s# %s\n", c.Hostname, r.Command)
		b.WriteString(r.Output)
		if r.Output != "" && !strings.HasSuffix(r.Output, "\n") {
			b.WriteString("\n")
		}
		if r.Err != nil {
			fmt.Fprintf(&b, "[tunneldoc: incomplete output: %s]\n", redact.Line(r.Err.Error()))
		}
	}
	return b.String()
}

// Summary says which commands ran on which device and how long each took,
// for the incident thread.
func (c *Collection) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, %s): %d command(s) in %s", c.Device, c.Platform, c.Address, len(c.Results), c.Duration.Round(time.Millisecond))
	for _, r := range c.Results {
		fmt.Fprintf(&b, "\n  %s  (%s)", r.Command, r.Duration.Round(time.Millisecond))
		if r.Err != nil {
			fmt.Fprintf(&b, ": %s", KindOf(r.Err))
		}
	}
	if c.Err != nil {
		fmt.Fprintf(&b, "\n  failed: %s", redact.Line(c.Err.Error()))
	}
	return b.String()
}

// CollectorOptions tune a Collector; zero values take defaults.
type CollectorOptions struct {
	MaxConcurrent int // SSH sessions at once across all devices (default 8)
	PerDevice     int // SSH sessions at once to one device (default 1)
	Logger        *slog.Logger
	// Getenv answers for the variables the inventory names (password_env,
	// enable_password_env, key_passphrase_env, and SSH_AUTH_SOCK for
	// agent: true); the caller's configuration loader read them. nil: none
	// is set. The collector never reads the process environment itself.
	Getenv   func(string) string
	ReadFile func(string) ([]byte, error) // default os.ReadFile
}

// Collector runs the platform commands for a peer on the devices that
// terminate it. Safe for concurrent use; the semaphores hold across calls.
type Collector struct {
	inv       *Inventory
	opts      CollectorOptions
	global    chan struct{}
	mu        sync.Mutex
	perDevice map[string]chan struct{}
	// SSH sessions open now and the most ever open at once, counted
	// while the global slot is held.
	active, peak atomic.Int64
}

func (c *Collector) sessionStarted() {
	n := c.active.Add(1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

// PeakSessions is the most SSH sessions this collector has held open at
// once (never more than CollectorOptions.MaxConcurrent).
func (c *Collector) PeakSessions() int { return int(c.peak.Load()) }

// NewCollector returns a Collector over inv.
func NewCollector(inv *Inventory, opts CollectorOptions) *Collector {
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = 8
	}
	if opts.PerDevice <= 0 {
		opts.PerDevice = 1
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	return &Collector{inv: inv, opts: opts, global: make(chan struct{}, opts.MaxConcurrent), perDevice: map[string]chan struct{}{}}
}

// Inventory returns the collector's inventory.
func (c *Collector) Inventory() *Inventory { return c.inv }

// Collect reads the evidence for peer from one device: deviceName, or the
// one device that terminates peer when deviceName is "". On failure it
// returns the error and, when a device was chosen, the partial Collection.
func (c *Collector) Collect(ctx context.Context, peer string, deviceName string) (*Collection, error) {
	m, err := c.one(peer, deviceName)
	if err != nil {
		return nil, err
	}
	col := c.collect(ctx, m)
	return col, col.Err
}

// one is the one device (and its tunnel) that answers for peer.
func (c *Collector) one(peer, deviceName string) (Match, error) {
	matches, err := c.inv.Lookup(peer, deviceName)
	if err != nil {
		return Match{}, err
	}
	if len(matches) > 1 {
		var names []string
		for _, m := range matches {
			names = append(names, m.Device.Name)
		}
		return Match{}, &Error{Kind: AmbiguousPeer, Msg: fmt.Sprintf("%s is terminated by %s: say `check tunnel %s on %s`", peer, strings.Join(names, " and "), peer, names[0])}
	}
	return matches[0], nil
}

// Check is `check tunnel <peer> [on <device>]`: the named device, or
// every device that terminates peer. Each Collection carries its own Err;
// the error joins them (or is the lookup failure, with no collections).
func (c *Collector) Check(ctx context.Context, peer, device string) ([]*Collection, error) {
	if device == "" {
		return c.CollectPeer(ctx, peer)
	}
	col, err := c.Collect(ctx, peer, device)
	if col == nil {
		return nil, err
	}
	return []*Collection{col}, err
}

// CollectPeer reads the evidence for peer from every device that
// terminates it, at most MaxConcurrent at a time, in inventory order.
func (c *Collector) CollectPeer(ctx context.Context, peer string) ([]*Collection, error) {
	matches, err := c.inv.Lookup(peer, "")
	if err != nil {
		return nil, err
	}
	out := make([]*Collection, len(matches))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(c.opts.MaxConcurrent, len(matches)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i] = c.collect(ctx, matches[i])
			}
		}()
	}
	for i := range matches {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var errs []error
	for _, col := range out {
		if col.Err != nil {
			errs = append(errs, col.Err)
		}
	}
	return out, errors.Join(errs...)
}

func (c *Collector) deviceSem(name string) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.perDevice[name]
	if !ok {
		s = make(chan struct{}, c.opts.PerDevice)
		c.perDevice[name] = s
	}
	return s
}

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Collector) collect(ctx context.Context, m Match) *Collection {
	d := m.Device
	col := &Collection{Device: d.Name, Platform: d.Platform, Address: d.Addr(), Peer: m.Tunnel.Peer.String(), Tunnel: m.Tunnel.Name, Hostname: d.Name, Started: time.Now()}
	plat, _ := PlatformByName(d.Platform)
	log := c.opts.Logger.With("device", d.Name, "addr", d.Addr(), "peer", col.Peer)
	c.runSession(ctx, d, plat, plat.Plan(m.Tunnel.Peer, m.Tunnel.RemoteSubnets), col, log)
	return col
}

// runSession runs plan on device d in one SSH login, for Collect and
// PollDevice alike: the per-device and global semaphores, credentials,
// exec channels or one PTY shell per the platform (or the entry's
// session:), and a new shell after a broken one. Each command's answer,
// whole or cut short, goes into col.Results; col.Err says why the device
// could not be read at all.
func (c *Collector) runSession(ctx context.Context, d *Device, plat Platform, plan []Planned, col *Collection, log *slog.Logger) {
	defer func() { col.Duration = time.Since(col.Started) }()
	// Per-device first, so a caller waiting on a busy device holds no
	// global slot another device could use.
	ds := c.deviceSem(d.Name)
	if err := acquire(ctx, ds); err != nil {
		col.Err = &Error{Kind: Canceled, Device: d.Name, Addr: d.Addr(), Err: err, Msg: fmt.Sprintf("gave up waiting for a free session to %s: %v", d.Name, err)}
		return
	}
	defer func() { <-ds }()
	if err := acquire(ctx, c.global); err != nil {
		col.Err = &Error{Kind: Canceled, Device: d.Name, Addr: d.Addr(), Err: err, Msg: fmt.Sprintf("gave up waiting for a free SSH slot for %s: %v", d.Name, err)}
		return
	}
	defer func() { <-c.global }()
	c.sessionStarted()
	defer c.active.Add(-1)

	target, enablePW, err := c.target(d)
	if err != nil {
		col.Err = err
		log.Warn("device credentials", "err", err)
		return
	}
	client, err := sshx.Dial(ctx, target)
	if err != nil {
		col.Err = err
		log.Warn("device dial failed", "kind", KindOf(err), "err", err)
		return
	}
	defer client.Close()

	lim := sshx.Limits{Timeout: c.commandTimeout(d), MaxBytes: c.maxBytes(d)}
	col.CommandTimeout, col.MaxOutputBytes = lim.Timeout, lim.MaxBytes
	if col.CommandTimeout <= 0 {
		col.CommandTimeout = sshx.DefaultCommandTimeout
	}
	if col.MaxOutputBytes <= 0 {
		col.MaxOutputBytes = sshx.DefaultMaxBytes
	}
	useShell := plat.Shell
	if d.Session != "" {
		useShell = d.Session == "shell"
	}
	// notRun fills in the commands after a lost connection, so the reply
	// can say which ones never ran.
	notRun := func(rest []Planned) {
		for _, p := range rest {
			col.add(log, p.Command, "", 0, &Error{Kind: SessionFailed, Device: d.Name, Addr: d.Addr(),
				Msg: fmt.Sprintf("%s (%s): `%s` not run: the device had closed the connection", d.Name, d.Addr(), p.Command)})
		}
	}
	if !useShell {
		for i, p := range plan {
			start := time.Now()
			out, err := client.Exec(ctx, p.Command, lim)
			col.add(log, p.Command, out, time.Since(start), err)
			if ctx.Err() != nil {
				return
			}
			if KindOf(err) == ConnectionLost {
				notRun(plan[i+1:])
				return
			}
		}
		return
	}
	scfg := sshx.ShellConfig{Setup: plat.PagingOff, Enable: d.Enable, EnablePassword: enablePW, Limits: lim}
	var sh *sshx.Shell
	defer func() {
		if sh != nil {
			sh.Close()
		}
	}()
	for i, p := range plan {
		if sh == nil {
			// A new shell after a timeout or a cut: the old one may still be
			// printing the previous answer.
			sh, err = client.Shell(ctx, scfg)
			if err != nil {
				if i == 0 {
					col.Err = err
					log.Warn("device shell failed", "kind", KindOf(err), "err", err)
					return
				}
				for _, rest := range plan[i:] {
					col.add(log, rest.Command, "", 0, err)
				}
				return
			}
			col.Hostname = sh.Hostname()
		}
		start := time.Now()
		out, err := sh.Run(ctx, p.Command, lim)
		col.add(log, p.Command, out, time.Since(start), err)
		if sh.Broken() != nil {
			sh.Close()
			sh = nil
		}
		if ctx.Err() != nil {
			return
		}
		if KindOf(err) == ConnectionLost {
			notRun(plan[i+1:])
			return
		}
	}
}

func (col *Collection) add(log *slog.Logger, cmd, out string, took time.Duration, err error) {
	out = redact.Text(out)
	col.Results = append(col.Results, Result{Command: cmd, Output: out, Duration: took, Err: err})
	if err != nil {
		log.Warn("device command incomplete", "command", cmd, "took", took, "bytes", len(out), "kind", KindOf(err), "err", redact.Line(err.Error()))
		return
	}
	log.Debug("device command", "command", cmd, "took", took, "bytes", len(out))
}

func (c *Collector) commandTimeout(d *Device) time.Duration {
	if d.CommandTimeout > 0 {
		return d.CommandTimeout
	}
	return c.inv.Defaults.CommandTimeout
}

func (c *Collector) maxBytes(d *Device) int {
	if d.MaxOutputBytes > 0 {
		return d.MaxOutputBytes
	}
	return c.inv.Defaults.MaxOutputBytes
}

// target resolves a device's credential references into an sshx.Target.
func (c *Collector) target(d *Device) (sshx.Target, string, error) {
	t := sshx.Target{
		Name:             d.Name,
		Addr:             d.Addr(),
		User:             d.Username,
		KnownHostsFile:   d.KnownHosts,
		TrustOnFirstUse:  d.TrustOnFirstUse,
		Algorithms:       d.Algorithms,
		ConnectTimeout:   c.inv.Defaults.ConnectTimeout,
		HandshakeTimeout: c.inv.Defaults.HandshakeTimeout,
	}
	creds, err := c.resolve(d)
	if err != nil {
		return t, "", err
	}
	t.Credentials = creds
	enablePW := ""
	if d.Enable {
		enablePW, err = c.secret(d, "enable password", d.Credentials.EnablePasswordEnv, d.Credentials.EnablePasswordFile)
		if err != nil {
			return t, "", err
		}
		if enablePW == "" {
			enablePW = creds.Password // many ASAs use the login password for enable
		}
	}
	if d.Jump != "" {
		j := c.inv.jumpHost(d.Jump)
		if j == nil {
			return t, "", &Error{Kind: BadConfig, Device: d.Name, Msg: fmt.Sprintf("%s: jump host %q is not in the inventory", d.Name, d.Jump)}
		}
		jc, err := c.resolve(j)
		if err != nil {
			return t, "", err
		}
		t.Jump = &sshx.Target{Name: j.Name, Addr: j.Addr(), User: j.Username, Credentials: jc, KnownHostsFile: j.KnownHosts,
			TrustOnFirstUse: j.TrustOnFirstUse, Algorithms: j.Algorithms, ConnectTimeout: t.ConnectTimeout, HandshakeTimeout: t.HandshakeTimeout}
	}
	return t, enablePW, nil
}

func (c *Collector) resolve(d *Device) (sshx.Credentials, error) {
	var cr sshx.Credentials
	ref := d.Credentials
	var err error
	cr.Password, err = c.secret(d, "password", ref.PasswordEnv, ref.PasswordFile)
	if err != nil {
		return cr, err
	}
	if ref.KeyFile != "" {
		cr.PrivateKeyPEM, err = c.opts.ReadFile(ref.KeyFile)
		if err != nil {
			return cr, &Error{Kind: CredentialsMissing, Device: d.Name, Err: err, Msg: fmt.Sprintf("the private key for %s (key_file %s) cannot be read: %v", d.Name, ref.KeyFile, err)}
		}
		if ref.KeyPassphraseEnv != "" {
			cr.KeyPassphrase = c.opts.Getenv(ref.KeyPassphraseEnv)
			if cr.KeyPassphrase == "" {
				return cr, &Error{Kind: CredentialsMissing, Device: d.Name, Msg: fmt.Sprintf("the key passphrase for %s comes from environment variable %s, which is not set", d.Name, ref.KeyPassphraseEnv)}
			}
		}
	}
	if ref.Agent {
		cr.AgentSocket = c.opts.Getenv("SSH_AUTH_SOCK")
		if cr.AgentSocket == "" {
			return cr, &Error{Kind: CredentialsMissing, Device: d.Name, Msg: fmt.Sprintf("%s logs in with ssh-agent, but SSH_AUTH_SOCK is not set in tunneldoc's environment", d.Name)}
		}
	}
	return cr, nil
}

func (c *Collector) secret(d *Device, what, env, file string) (string, error) {
	switch {
	case env != "":
		v := c.opts.Getenv(env)
		if v == "" {
			return "", &Error{Kind: CredentialsMissing, Device: d.Name, Msg: fmt.Sprintf("the %s for %s comes from environment variable %s, which is not set", what, d.Name, env)}
		}
		return v, nil
	case file != "":
		b, err := c.opts.ReadFile(file)
		if err != nil {
			return "", &Error{Kind: CredentialsMissing, Device: d.Name, Err: err, Msg: fmt.Sprintf("the %s for %s comes from file %s, which cannot be read: %v", what, d.Name, file, err)}
		}
		first, _, _ := strings.Cut(string(b), "\n")
		v := strings.TrimRight(first, "\r")
		if v == "" {
			return "", &Error{Kind: CredentialsMissing, Device: d.Name, Msg: fmt.Sprintf("the %s file %s for %s is empty", what, file, d.Name)}
		}
		return v, nil
	}
	return "", nil
}

// PeerAddr parses a peer given as an address; tunnel names resolve via
// Lookup.
func PeerAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	return a, err == nil
}

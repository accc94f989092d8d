package devices

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tunneldoc/tunneldoc/devices/sshx"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Debug limits. A device's entry allows a scoped debug with
// `debug: {allowed: true, max_duration: 2m}`; without it none runs.
const (
	DefaultDebugMax   = 60 * time.Second
	MaxDebugDuration  = 10 * time.Minute
	DefaultOffAttempt = 3
)

// NotAllowed: the device's inventory entry does not allow a debug (or not
// that long).
const NotAllowed Kind = "debug not allowed"

// DebugPolicy is an entry's `debug:` block.
type DebugPolicy struct {
	Allowed     bool
	MaxDuration time.Duration // the longest window allowed (default 60 s)
}

// DebugSteps is a platform's conditional debug for one peer. Every
// command is listed here and nowhere else: the README quotes them.
type DebugSteps struct {
	On      []string // limit the debug to the peer, then turn it on
	Trigger []string // start a negotiation (only when asked for explicitly)
	Read    []string // read what the debug wrote during the window
	Off     []string // turn it off again: always sent, also after a failure
}

// debugSteps returns the steps for platform; since is the window's start
// (strongSwan reads its journal from then). ok is false when the
// platform has no scoped debug.
func debugSteps(platform string, peer netip.Addr, tunnel string, since time.Time) (DebugSteps, bool) {
	p := peer.String()
	switch platform {
	case "ios":
		return DebugSteps{
			On:      []string{"debug crypto condition peer ipv4 " + p, "debug crypto isakmp", "debug crypto ikev2"},
			Trigger: []string{"clear crypto sa peer " + p},
			Read:    []string{"show logging"},
			Off:     []string{"undebug all", "no debug crypto condition peer ipv4 " + p},
		}, true
	case "asa":
		return DebugSteps{
			On:      []string{"debug crypto condition peer " + p, "debug crypto ikev1 127", "debug crypto ikev2 protocol 127"},
			Trigger: []string{"clear crypto ipsec sa peer " + p},
			Read:    []string{"show logging"},
			Off:     []string{"undebug all", "no debug crypto condition peer " + p},
		}, true
	case "strongswan":
		// charon logs every negotiation already: nothing is turned on, so
		// nothing is left on. The window is read where the check reads
		// charon's log (its log file when it writes one, else the journal
		// from the window's start) and kept to the peer as the check keeps
		// it (charonPeerFilter). A log file's lines carry no reliable time
		// (charon's time_format is optional), so its last lines are read
		// and the negotiation the window started is the newest in them.
		var trigger []string
		if tunnel != "" {
			trigger = []string{"swanctl --initiate --ike " + shellQuote(tunnel) + " --timeout 30"}
		}
		return DebugSteps{
			Trigger: trigger,
			Read: []string{fmt.Sprintf("{ if [ -s /var/log/charon.log ]; then tail -n 5000 /var/log/charon.log; else journalctl --no-pager --since=@%d -t charon -t charon-systemd 2>/dev/null; fi; } | %s | tail -n 500",
				since.Unix(), expand(charonPeerFilter, p))},
		}, true
	case "libreswan":
		return libreswanDebug(p, tunnel, since), true
	}
	return DebugSteps{}, false
}

// libreswanDebug is pluto's debug for one connection, the tunnel's name
// in the inventory (programs/whack/whack.c: --name with --debug; 4.x
// rcv_whack.c sets the connection's extra_debugging, 5.x whack_debug.c
// its logger's debugging, which the states it creates from then on copy
// and which puts the "conn" #N: prefix on their debug lines). "base" is
// pluto's detailed logging without the "crypt" and "private" classes
// that print keys. "none" clears every debug class of the connection and
// of it alone: the global debugging (plutodebug=) is left as it is.
// pluto 4.x reads a connection's debugging in one IKEv1 Quick Mode step
// only, so there the window holds mostly pluto's ordinary lines, which
// already name every exchange sent, received and failed. States created
// during the window keep their debugging until they end (5.x). Without
// a tunnel name nothing is turned on and the window's ordinary lines are
// read.
//
// The window is read like the check's log (platforms.go): pluto's log
// file from the window's start (its timestamps are local "%b %e %T",
// compared with the gateway's own date of the start), else the journal
// from the start, kept to the peer by the status's connection lines.
func libreswanDebug(peer, tunnel string, since time.Time) DebugSteps {
	var s DebugSteps
	if tunnel != "" {
		name := shellQuote(tunnel)
		s.On = []string{"ipsec whack --name " + name + " --debug base"}
		s.Trigger = []string{"ipsec whack --name " + name + " --initiate --asynchronous"}
		s.Off = []string{"ipsec whack --name " + name + " --debug none"}
	}
	t := since.Unix()
	s.Read = []string{fmt.Sprintf(`{ ipsec whack --status 2>/dev/null | grep -F '...' | sed 's/^/=peer-conn= /'; if [ -s /var/log/pluto.log ]; then tail -n 20000 /var/log/pluto.log | awk -v s="$(date -d @%d +%%m%%d%%H%%M%%S)" '{ m = index("JanFebMarAprMayJunJulAugSepOctNovDec", $1); k = sprintf("%%02d%%02d%%s", (m + 2) / 3, $2, substr($3, 1, 8)); gsub(/:/, "", k); if (m == 0 || k >= s) print }'; else journalctl --no-pager --since=@%d -t pluto 2>/dev/null | grep -v '^-- '; fi; } | awk -v p=%s %s | tail -n 500`, t, t, shellQuote(peer), plutoPeerFilter)}
	return s
}

// shellQuote quotes s for a POSIX shell: a tunnel's name is the
// inventory's word, not a validated token.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// DebugOptions says how to run one debug window.
type DebugOptions struct {
	Window  time.Duration // default and most: the entry's max_duration
	Trigger bool          // also start a negotiation (a second confirmation was given)
	// Wait waits out the window (and the pause between attempts to turn
	// the debug off); default a timer. Tests pass a fake clock's.
	Wait func(ctx context.Context, d time.Duration) error
	// OffAttempts bounds the fresh sessions tried to turn the debug off
	// when the first session cannot (default 3).
	OffAttempts int
	// Now is the window's start (default time.Now).
	Now func() time.Time
}

// DebugRun is what a debug window did.
type DebugRun struct {
	Device, Platform, Peer, Tunnel string
	Window                         time.Duration
	Commands                       []string // every command sent, in order
	Transcript                     string   // prompts, commands and what Read returned (redacted)
	Off                            bool     // the debug is confirmed off (or nothing was turned on)
	OffErr                         error    // why it could not be turned off
}

// DebugTarget is the device and tunnel a debug for peer runs on, checked
// against the entry's policy (window 0 takes the entry's maximum).
func (c *Collector) DebugTarget(peer, device string, window time.Duration) (Match, time.Duration, error) {
	matches, err := c.inv.Lookup(peer, device)
	if err != nil {
		return Match{}, 0, err
	}
	if len(matches) > 1 {
		return Match{}, 0, &Error{Kind: AmbiguousPeer, Msg: fmt.Sprintf("%s is terminated by more than one device: name one", peer)}
	}
	m := matches[0]
	pol := m.Device.Debug
	if !pol.Allowed {
		return m, 0, &Error{Kind: NotAllowed, Device: m.Device.Name, Msg: fmt.Sprintf("the inventory does not allow debugs on %s (add `debug: {allowed: true}` to its entry)", m.Device.Name)}
	}
	limit := pol.MaxDuration
	if limit <= 0 {
		limit = DefaultDebugMax
	}
	if window <= 0 {
		window = limit
	}
	if window > limit {
		return m, 0, &Error{Kind: NotAllowed, Device: m.Device.Name, Msg: fmt.Sprintf("%s allows debugs of at most %s", m.Device.Name, limit)}
	}
	if _, ok := debugSteps(m.Device.Platform, m.Tunnel.Peer, m.Tunnel.Name, time.Time{}); !ok {
		return m, 0, &Error{Kind: NotAllowed, Device: m.Device.Name, Msg: fmt.Sprintf("no scoped debug is known for platform %s", m.Device.Platform)}
	}
	return m, window, nil
}

// RunDebug runs the platform's debug for one peer on one device for a
// window, reads what it wrote and turns it off again. The debug is turned
// off whatever happens in between: on the same session when it is still
// up, else on fresh sessions (at most OffAttempts), even when ctx has
// ended. run.Off says whether that worked; err says why the window
// itself failed. The caller records the debug as on before calling and
// clears the record only when run.Off is true.
func (c *Collector) RunDebug(ctx context.Context, peer, device string, opts DebugOptions) (run *DebugRun, err error) {
	m, window, err := c.DebugTarget(peer, device, opts.Window)
	if err != nil {
		return nil, err
	}
	if opts.Wait == nil {
		opts.Wait = timerWait
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OffAttempts <= 0 {
		opts.OffAttempts = DefaultOffAttempt
	}
	d := m.Device
	steps, _ := debugSteps(d.Platform, m.Tunnel.Peer, m.Tunnel.Name, opts.Now())
	run = &DebugRun{Device: d.Name, Platform: d.Platform, Peer: m.Tunnel.Peer.String(), Tunnel: m.Tunnel.Name, Window: window}
	log := c.opts.Logger.With("device", d.Name, "peer", run.Peer, "debug", true)

	s, err := c.openDebugSession(ctx, d)
	if err != nil {
		// Nothing was sent: nothing is on.
		run.Off = true
		return run, err
	}
	var transcript strings.Builder
	defer func() {
		if s != nil && s.broken() {
			s.close()
			s = nil
		}
		run.OffErr = c.turnOff(ctx, d, steps.Off, s, run, opts)
		run.Off = run.OffErr == nil
		if s != nil {
			s.close()
		}
		if !run.Off {
			log.Error("debug left on", "err", run.OffErr)
		}
		run.Transcript = transcript.String()
	}()
	send := func(cmds []string, keep bool) error {
		for _, cmd := range cmds {
			run.Commands = append(run.Commands, cmd)
			out, err := s.run(ctx, cmd)
			out = redact.Text(out)
			if keep {
				transcript.WriteString(s.prompt() + cmd + "\n" + out)
				if !strings.HasSuffix(out, "\n") {
					transcript.WriteString("\n")
				}
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := send(steps.On, false); err != nil {
		return run, err
	}
	if opts.Trigger {
		if len(steps.Trigger) == 0 {
			return run, &Error{Kind: BadConfig, Device: d.Name, Msg: fmt.Sprintf("%s: a negotiation can only be started for a tunnel with a name in the inventory", d.Name)}
		}
		if err := send(steps.Trigger, false); err != nil {
			return run, err
		}
	}
	if err := opts.Wait(ctx, window); err != nil {
		return run, fmt.Errorf("the debug window on %s ended early: %w", d.Name, err)
	}
	return run, send(steps.Read, true)
}

// TurnOffDebug turns off a debug left on for peer on device (the startup
// sweep): on fresh sessions, at most attempts times.
func (c *Collector) TurnOffDebug(ctx context.Context, peer, device string, opts DebugOptions) error {
	matches, err := c.inv.Lookup(peer, device)
	if err != nil {
		return err
	}
	if opts.Wait == nil {
		opts.Wait = timerWait
	}
	if opts.OffAttempts <= 0 {
		opts.OffAttempts = DefaultOffAttempt
	}
	m := matches[0]
	steps, _ := debugSteps(m.Device.Platform, m.Tunnel.Peer, m.Tunnel.Name, time.Time{})
	return c.turnOff(ctx, m.Device, steps.Off, nil, &DebugRun{}, opts)
}

// turnOff sends off on s when it is usable, else on fresh sessions. It
// runs on a context of its own: a cancelled caller must not leave a debug
// on.
func (c *Collector) turnOff(ctx context.Context, d *Device, off []string, s *debugSession, run *DebugRun, opts DebugOptions) error {
	if len(off) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Duration(opts.OffAttempts)*time.Minute)
	defer cancel()
	send := func(s *debugSession) error {
		for _, cmd := range off {
			run.Commands = append(run.Commands, cmd)
			if _, err := s.run(ctx, cmd); err != nil {
				return err
			}
		}
		return nil
	}
	var errs []error
	if s != nil {
		err := send(s)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	for i := range opts.OffAttempts {
		if i > 0 {
			if err := opts.Wait(ctx, 2*time.Second); err != nil {
				break
			}
		}
		fresh, err := c.openDebugSession(ctx, d)
		if err == nil {
			err = send(fresh)
			fresh.close()
			if err == nil {
				return nil
			}
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("could not turn the debug off on %s after %d attempts: %w", d.Name, opts.OffAttempts, errors.Join(errs...))
}

// debugSession is one login to a device: a PTY shell (Cisco) or exec
// channels (Linux).
type debugSession struct {
	client *sshx.Client
	shell  *sshx.Shell
	lim    sshx.Limits
	host   string
}

func (c *Collector) openDebugSession(ctx context.Context, d *Device) (*debugSession, error) {
	target, enablePW, err := c.target(d)
	if err != nil {
		return nil, err
	}
	client, err := sshx.Dial(ctx, target)
	if err != nil {
		return nil, err
	}
	plat, _ := PlatformByName(d.Platform)
	s := &debugSession{client: client, lim: sshx.Limits{Timeout: c.commandTimeout(d), MaxBytes: c.maxBytes(d)}, host: d.Name}
	useShell := plat.Shell
	if d.Session != "" {
		useShell = d.Session == "shell"
	}
	if useShell {
		sh, err := client.Shell(ctx, sshx.ShellConfig{Setup: plat.PagingOff, Enable: d.Enable, EnablePassword: enablePW, Limits: s.lim})
		if err != nil {
			client.Close()
			return nil, err
		}
		s.shell, s.host = sh, sh.Hostname()
	}
	return s, nil
}

func (s *debugSession) run(ctx context.Context, cmd string) (string, error) {
	if s.shell != nil {
		return s.shell.Run(ctx, cmd, s.lim)
	}
	return s.client.Exec(ctx, cmd, s.lim)
}

func (s *debugSession) prompt() string {
	if s.shell != nil {
		return s.host + "#"
	}
	return "$ "
}

func (s *debugSession) broken() bool { return s.shell != nil && s.shell.Broken() != nil }

func (s *debugSession) close() {
	if s.shell != nil {
		s.shell.Close()
	}
	s.client.Close()
}

func timerWait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// debugPolicy reads an entry's `debug:` block.
func (p *invParser) debugPolicy(n *yaml.Node, label string) DebugPolicy {
	if n == nil {
		return DebugPolicy{}
	}
	f := p.fields(n, label+".debug", "allowed", "max_duration")
	pol := DebugPolicy{Allowed: p.boolean(f["allowed"], label+".debug.allowed"), MaxDuration: p.duration(f["max_duration"], label+".debug.max_duration")}
	if pol.MaxDuration > MaxDebugDuration {
		p.fail(f["max_duration"].Line, "%s.debug.max_duration must be at most %s", label, MaxDebugDuration)
	}
	return pol
}

// DebugCommands are the commands a debug for m sends, for a
// confirmation to quote (the window's start is not known yet: a
// strongSwan read shows the start it will have then).
func (c *Collector) DebugCommands(m Match) DebugSteps {
	s, _ := debugSteps(m.Device.Platform, m.Tunnel.Peer, m.Tunnel.Name, time.Now())
	return s
}

package devices

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tunneldoc/tunneldoc/devices/sshx"
)

// pollKeys are the cheap commands that tell whether a tunnel is up: the
// SA tables and their counters. Configs, routes and logs are left to a
// check, which runs once an outage is seen.
var pollKeys = []string{"show-crypto-isakmp-sa", "show-crypto-ipsec-sa-peer", "swanctl-list-sas"}

// PollDevice reads the SA tables of one device for every tunnel the
// inventory gives it, in one SSH login: the IKE SA table once, the IPsec
// SAs of each peer. The tunnel monitor calls it every interval, so it is
// kept to the commands that are cheap on a busy device. Like Collect it
// returns the partial Collection with the error.
func (c *Collector) PollDevice(ctx context.Context, deviceName string) (*Collection, error) {
	d, err := c.inv.Device(deviceName)
	if err != nil {
		return nil, err
	}
	plat, _ := PlatformByName(d.Platform)
	var plan []Planned
	for _, t := range d.Tunnels {
		for _, p := range plat.Plan(t.Peer, nil) {
			if slices.Contains(pollKeys, p.Key) && !slices.ContainsFunc(plan, func(q Planned) bool { return q.Command == p.Command }) {
				plan = append(plan, p)
			}
		}
	}
	col := &Collection{Device: d.Name, Platform: d.Platform, Address: d.Addr(), Hostname: d.Name, Started: time.Now()}
	if len(plan) == 0 {
		col.Err = &Error{Kind: BadConfig, Device: d.Name, Msg: fmt.Sprintf("%s has no tunnels to poll", d.Name)}
		return col, col.Err
	}
	c.runPlan(ctx, d, plat, plan, col)
	return col, col.Err
}

// runPlan is collect's session handling for a caller's plan: the same
// semaphores, credentials, exec or shell, and a new shell after a broken
// one.
func (c *Collector) runPlan(ctx context.Context, d *Device, plat Platform, plan []Planned, col *Collection) {
	defer func() { col.Duration = time.Since(col.Started) }()
	log := c.opts.Logger.With("device", d.Name, "addr", d.Addr(), "poll", true)
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
	target, enablePW, err := c.target(d)
	if err != nil {
		col.Err = err
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
	useShell := plat.Shell
	if d.Session != "" {
		useShell = d.Session == "shell"
	}
	if !useShell {
		for _, p := range plan {
			start := time.Now()
			out, err := client.Exec(ctx, p.Command, lim)
			col.add(log, p.Command, out, time.Since(start), err)
			if ctx.Err() != nil {
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
			sh, err = client.Shell(ctx, scfg)
			if err != nil {
				if i == 0 {
					col.Err = err
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
	}
}

package devices

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// pollKeys are the cheap commands that tell whether a tunnel is up: the
// SA tables and their counters, and the device's log filtered to the
// peer, bounded by the device's log buffer (IOS, ASA) or to its last 200
// lines (strongSwan, libreswan). The log is where dead peer detection
// says it gave up: the SA tables can still show the tunnel established
// with counters that no longer move. Configs and routes are left to a
// check, which runs once an outage is seen.
//
// libreswan has no per-peer status command: `ipsec whack --status` and
// `--trafficstatus` print every connection and are kept to the peer on
// the device, so a gateway runs them once per tunnel it terminates.
var pollKeys = []string{"show-crypto-isakmp-sa", "show-crypto-ipsec-sa-peer", "swanctl-list-sas", "show-logging-include-peer", "charon-log", "ipsec-whack-status", "pluto-log"}

// PollDevice reads the SA tables of one device for every tunnel the
// inventory gives it, in one SSH login: the IKE SA table once, the IPsec
// SAs and the log lines of each peer. The tunnel monitor calls it every interval, so it is
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
	if len(plan) == 0 && len(d.Tunnels) > 0 {
		col.Err = &Error{Kind: BadConfig, Device: d.Name, Msg: fmt.Sprintf("%s: the monitor cannot poll platform %s yet (check tunnel works)", d.Name, d.Platform)}
		return col, col.Err
	}
	if len(plan) == 0 {
		col.Err = &Error{Kind: BadConfig, Device: d.Name, Msg: fmt.Sprintf("%s has no tunnels to poll", d.Name)}
		return col, col.Err
	}
	c.runSession(ctx, d, plat, plan, col, c.opts.Logger.With("device", d.Name, "addr", d.Addr(), "poll", true))
	return col, col.Err
}

package devices

import (
	"context"
	"fmt"
	"time"
)

// ReadCounters runs, for peer, only the command that prints its IPsec SA
// packet counters (the platform's Counters command: `show crypto ipsec
// sa peer X` on IOS and ASA, `swanctl --list-sas` on strongSwan), in one
// login to deviceName (or the one device that terminates peer). A check
// reads the counters this second time a few seconds after the first, to
// see whether they move. Like Collect it returns the partial Collection
// with the error.
func (c *Collector) ReadCounters(ctx context.Context, peer, deviceName string) (*Collection, error) {
	m, err := c.one(peer, deviceName)
	if err != nil {
		return nil, err
	}
	d := m.Device
	plat, _ := PlatformByName(d.Platform)
	col := &Collection{Device: d.Name, Platform: d.Platform, Address: d.Addr(), Peer: m.Tunnel.Peer.String(), Tunnel: m.Tunnel.Name, Hostname: d.Name, Started: time.Now()}
	var plan []Planned
	for _, cmd := range plat.Commands {
		if cmd.Counters {
			plan = append(plan, Planned{Key: cmd.Key, Command: expand(cmd.Template, m.Tunnel.Peer.String())})
		}
	}
	if len(plan) == 0 {
		col.Err = &Error{Kind: BadConfig, Device: d.Name, Msg: fmt.Sprintf("%s (%s) has no command that prints IPsec SA counters", d.Name, d.Platform)}
		return col, col.Err
	}
	c.runSession(ctx, d, plat, plan, col, c.opts.Logger.With("device", d.Name, "addr", d.Addr(), "peer", col.Peer, "counters", true))
	return col, col.Err
}

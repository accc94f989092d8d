package main

import (
	"context"
	"strings"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/compare"
)

// collectorChecker is the devices collector as the bot's TunnelChecker
// (`check tunnel`), with the far end's config compared when the inventory
// holds it.
type collectorChecker struct{ c *devices.Collector }

// CheckTunnel collects from the device (or every device terminating the
// peer) and hands back one transcript. A partial transcript comes back
// with the error, so what was read is still diagnosed.
func (cc collectorChecker) CheckTunnel(ctx context.Context, peer, device string) (bot.CheckResult, error) {
	cols, err := cc.c.Check(ctx, peer, device)
	var res bot.CheckResult
	var names []string
	var tr strings.Builder
	for _, col := range cols {
		if col == nil {
			continue
		}
		names = append(names, col.Device)
		tr.WriteString(col.Transcript())
		for _, r := range col.Results {
			res.Commands = append(res.Commands, r.Command)
		}
		res.Notes = append(res.Notes, collectionNotes(col)...)
		res.Duration = max(res.Duration, col.Duration)
	}
	res.Device = strings.Join(names, ", ")
	res.Transcript = tr.String()
	if err == nil && len(cols) == 1 && cols[0] != nil {
		res.Comparison, res.Ends = cc.compareEnds(ctx, cols[0])
	}
	return res, err
}

// collectionNotes says, per command, which answers came back incomplete
// and why, for the reply.
func collectionNotes(col *devices.Collection) []bot.CollectionNote {
	var out []bot.CollectionNote
	for _, r := range col.Results {
		if r.Err == nil {
			continue
		}
		n := bot.CollectionNote{Device: col.Device, Command: r.Command, Bytes: len(r.Output), Waited: r.Duration}
		switch devices.KindOf(r.Err) {
		case devices.Timeout:
			n.Problem = bot.CutStalled
			if col.CommandTimeout > 0 {
				n.Waited = col.CommandTimeout
			}
		case devices.OutputCut:
			n.Problem, n.Limit = bot.CutFlooded, col.MaxOutputBytes
		case devices.ConnectionLost:
			n.Problem = bot.CutDropped
		case devices.Canceled:
			n.Problem = bot.CutCanceled
		default:
			n.Problem = bot.CutNotRun
		}
		out = append(out, n)
	}
	return out
}

// compareEnds: when the inventory also holds the far end of the tunnel (a
// device whose tunnel has the same name, or whose address is the peer),
// its configuration is read too and the two are compared. Nothing is said
// when the far end is unknown or unreadable: the live diagnosis stands.
func (cc collectorChecker) compareEnds(ctx context.Context, near *devices.Collection) (*diagnose.Report, string) {
	inv := cc.c.Inventory()
	for i := range inv.Devices {
		d := &inv.Devices[i]
		if d.Name == near.Device || d.Platform == "" {
			continue
		}
		for _, t := range d.Tunnels {
			sameName := near.Tunnel != "" && t.Name == near.Tunnel
			// the two ends of one tunnel point at each other: a device whose
			// tunnel has the same peer as ours is a twin, not the far end
			if (!sameName && d.Address != near.Peer) || t.Peer.String() == near.Peer {
				continue
			}
			far, err := cc.c.Collect(ctx, t.Peer.String(), d.Name)
			if err != nil || far == nil {
				return nil, ""
			}
			a, b := configText(near), configText(far)
			if !compare.LooksLikeConfig(a) || !compare.LooksLikeConfig(b) {
				return nil, ""
			}
			r := compare.Configs(compare.Input{Label: near.Device, Text: a}, compare.Input{Label: d.Name, Text: b}, compare.Options{HashKey: compareKey})
			if !r.Readable {
				return nil, ""
			}
			return &r, near.Device + " and " + d.Name
		}
	}
	return nil, ""
}

// configText is what a collection read of the device's configuration.
func configText(c *devices.Collection) string {
	var b strings.Builder
	for _, r := range c.Results {
		if strings.Contains(r.Command, "running-config") || strings.HasPrefix(r.Command, "show run") {
			b.WriteString(r.Output)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// ResolvePeer tells the bot before it posts anything whether the inventory
// knows peer (and device): an unknown one gets the near-match answer and
// no incident.
func (cc collectorChecker) ResolvePeer(peer, device string) error {
	_, err := cc.c.Inventory().Lookup(peer, device)
	return err
}

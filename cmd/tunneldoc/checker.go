package main

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/compare"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// collectorChecker is the devices collector as the bot's TunnelChecker
// (`check tunnel`), with the far end's config compared when the inventory
// holds it.
type collectorChecker struct{ c *devices.Collector }

// farEndGrace is how long an answer waits, once the near end has been
// read, for a far end still being read: a far end that does not answer
// over SSH never holds the near end's answer longer than this (and never
// past the check's own timeout).
var farEndGrace = 10 * time.Second

// CheckTunnel collects from the device (or every device terminating the
// peer) and hands back one transcript. A partial transcript comes back
// with the error, so what was read is still diagnosed. When the inventory
// holds the far end of the tunnel, it is read at the same time, and the
// two configurations are compared.
func (cc collectorChecker) CheckTunnel(ctx context.Context, peer, device string) (bot.CheckResult, error) {
	farCtx, cancelFar := context.WithCancel(ctx)
	defer cancelFar()
	var far chan farEnd
	if ms, err := cc.c.Inventory().Lookup(peer, device); err == nil && len(ms) == 1 {
		if m, ok := cc.c.Inventory().FarEnd(ms[0]); ok {
			far = make(chan farEnd, 1) // buffered: a far end read after the answer never blocks
			go func() {
				col, err := cc.c.Collect(farCtx, m.Tunnel.Peer.String(), m.Device.Name)
				far <- farEnd{m.Device.Name, m.Tunnel.Peer.String(), col, err}
			}()
		}
	}
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
	switch {
	case far != nil && err == nil && len(cols) == 1 && cols[0] != nil:
		res.Comparison, res.Ends, res.FarEnd = compareEnds(ctx, cols[0], far)
	case far != nil:
		// the near end failed: what the far end says still answers
		if f, ok := waitFarEnd(ctx, far); ok {
			res.FarEnd = &bot.FarEndCheck{Device: f.device, Peer: f.peer, Transcript: f.col.Transcript()}
		}
	}
	return res, err
}

// farEnd is what reading the far end gave.
type farEnd struct {
	device string
	peer   string // the near end, as the far end's peer
	col    *devices.Collection
	err    error
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

// compareEnds waits (at most farEndGrace) for the far end being read,
// compares the two configurations and hands back what the far end said,
// for its own diagnosis. Nothing is said when the far end did not answer
// in time: the near end's diagnosis stands.
func compareEnds(ctx context.Context, near *devices.Collection, far <-chan farEnd) (*diagnose.Report, string, *bot.FarEndCheck) {
	f, ok := waitFarEnd(ctx, far)
	if !ok {
		return nil, "", nil
	}
	fe := &bot.FarEndCheck{Device: f.device, Peer: f.peer, Transcript: f.col.Transcript()}
	a, b := configText(near), configText(f.col)
	if !compare.LooksLikeConfig(a) || !compare.LooksLikeConfig(b) {
		return nil, "", fe
	}
	r := compare.Configs(compare.Input{Label: near.Device, Text: a}, compare.Input{Label: f.device, Text: b}, compare.Options{HashKey: compareKey})
	if !r.Readable {
		return nil, "", fe
	}
	return &r, near.Device + " and " + f.device, fe
}

// waitFarEnd waits at most farEndGrace (and never past ctx) for the far
// end being read; ok when it answered in full.
func waitFarEnd(ctx context.Context, far <-chan farEnd) (farEnd, bool) {
	wait := time.NewTimer(farEndGrace)
	defer wait.Stop()
	var f farEnd
	select {
	case f = <-far:
	case <-wait.C:
		slog.WarnContext(ctx, "far end not read in time; answering without it", "waited", farEndGrace)
		return f, false
	case <-ctx.Done():
		return f, false
	}
	if f.err != nil || f.col == nil {
		if f.err != nil {
			slog.WarnContext(ctx, "far end not read; answering without it", "far_end", f.device, "err", redact.Text(f.err.Error()))
		}
		return f, false
	}
	return f, true
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

// counterReader is the collector's second read of a peer's counters; nil
// without an inventory.
func counterReader(c *devices.Collector) bot.CounterReader {
	if c == nil {
		return nil
	}
	return collectorChecker{c}
}

// ReadCounters reads only the peer's IPsec SA counters, for a check's
// second snapshot.
func (cc collectorChecker) ReadCounters(ctx context.Context, peer, device string) (string, error) {
	col, err := cc.c.ReadCounters(ctx, peer, device)
	if col == nil {
		return "", err
	}
	return col.Transcript(), err
}

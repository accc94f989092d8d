package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// DefaultSnapshotInterval is the wait between a check's two reads of the
// IPsec SA counters.
const DefaultSnapshotInterval = 5 * time.Second

// CounterReader reads a peer's IPsec SA counters again: only the command
// that prints them, on the device that was checked (cmd adapts
// devices.Collector.ReadCounters to it). On error it may still return
// what it read.
type CounterReader interface {
	ReadCounters(ctx context.Context, peer, device string) (transcript string, err error)
}

// watchCounters is a check's second snapshot: when the first read showed
// the peer's IPsec SA counters, the thread says the bot is waiting, the
// counters are read again SnapshotInterval later, and the data-plane
// verdict on the deltas (diagnose.CompareSnapshots) replaces that note,
// with both reads' counter lines as evidence. ctx is the request's own:
// a bot that is stopping says the second read was cut short.
func (b *Bot) watchCounters(ctx context.Context, req Request, t target, peer, device, firstTranscript string) {
	wait := b.cfg.SnapshotInterval
	if b.cfg.Counters == nil || wait <= 0 || ctx.Err() != nil {
		return
	}
	first := diagnose.ReadCounters(firstTranscript, peer)
	if first.Problem != "" {
		return // no SA whose counters could move: the diagnosis said why
	}
	seconds := int((wait + time.Second - 1) / time.Second)
	ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Incident: t.ref(),
		Reply: Say(IconWorking, fmt.Sprintf("Reading the counters of %s again in %d s, to see whether traffic flows now…", Literal(peer), seconds))})
	if err != nil {
		b.log.ErrorContext(ctx, "posting the counters note failed", "err", err)
		return
	}
	second, interrupted := b.readCountersAfter(ctx, peer, device, wait)
	// the verdict is posted even when tunneldoc is stopping
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	var reply Reply
	result := ""
	if interrupted {
		reply = Say(IconWarning, fmt.Sprintf("The second read of the counters of %s was cut short: tunneldoc is restarting. Ask again (`check tunnel %s`) to see whether traffic flows now.", Literal(peer), Literal(peer)))
		result = "interrupted"
	} else {
		dp := diagnose.CompareSnapshots(first, second, seconds)
		reply = countersReply(dp)
		result = dp.Verdict
	}
	if err := b.cfg.Messenger.Update(pctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Reply: reply, Incident: t.ref()}); err != nil {
		b.log.ErrorContext(pctx, "posting the counters verdict failed", "err", err)
		result = "post failed"
	}
	b.auditAt(pctx, req, t, "check counters", peer, result)
}

// readCountersAfter waits, then reads the counters; interrupted says the
// request ended first.
func (b *Bot) readCountersAfter(ctx context.Context, peer, device string, wait time.Duration) (diagnose.CounterSnapshot, bool) {
	select {
	case <-b.cfg.Clock.After(wait):
	case <-ctx.Done():
		return diagnose.CounterSnapshot{}, true
	}
	cctx, cancel := context.WithTimeout(ctx, b.cfg.CheckTimeout)
	defer cancel()
	tr, err := b.cfg.Counters.ReadCounters(cctx, peer, device)
	if ctx.Err() != nil {
		return diagnose.CounterSnapshot{}, true
	}
	second := diagnose.ReadCounters(redact.Text(withoutCollectionNotes(tr)), peer)
	if err != nil {
		b.log.WarnContext(ctx, "second counters read failed", "peer", peer, "device", device, "err", redact.Text(err.Error()))
		second = diagnose.CounterSnapshot{Peer: peer, Encaps: -1, Decaps: -1, Problem: truncate(redact.Line(err.Error()), 200)}
	}
	return second, false
}

// countersReply is the data-plane verdict with both reads' counter lines.
func countersReply(dp diagnose.DataPlane) Reply {
	icon := map[string]Icon{diagnose.DataLive: IconUp, diagnose.DataOneWayOutbound: IconDown, diagnose.DataOneWayInbound: IconDown,
		diagnose.DataIdle: IconUnknown, diagnose.DataStale: IconWarning}[dp.Verdict]
	r := Reply{Blocks: []Block{{Icon: icon, Text: Literal(redact.Text(dp.Summary))}}}
	if len(dp.First.Lines) > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: Code, Title: "Counters, first read", Lines: dp.First.Lines})
	}
	if len(dp.Second.Lines) > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: Code, Title: fmt.Sprintf("Counters, %d s later", dp.Seconds), Lines: dp.Second.Lines})
	}
	return r
}

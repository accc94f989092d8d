package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
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
// a bot that is stopping says the second read was cut short. A one-way
// verdict is evidence of its own: when it is stronger than what the
// tunnel's incident names (bot/cause.go), it becomes the incident's cause,
// opening one when none is open (dataPlaneCause); first is the check's own
// diagnosis of the first read.
func (b *Bot) watchCounters(ctx context.Context, req Request, t target, peer, device, firstTranscript string, firstReport diagnose.Report) {
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
	var changed *diagnose.Report
	result := ""
	if interrupted {
		reply = Say(IconWarning, fmt.Sprintf("The second read of the counters of %s was cut short: tunneldoc is restarting. Ask again (`check tunnel %s`) to see whether traffic flows now.", Literal(peer), Literal(peer)))
		result = "interrupted"
	} else {
		dp := diagnose.CompareSnapshots(first, second, seconds)
		reply = countersReply(dp)
		result = dp.Verdict
		if rep, note := b.dataPlaneCause(pctx, req, &t, peer, device, firstReport, dp); note != "" {
			changed = &rep
			reply.Blocks = append(reply.Blocks, Block{Icon: IconDown, Text: note})
			result += ", incident cause"
		}
	}
	if err := b.cfg.Messenger.Update(pctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Reply: reply, Incident: t.ref()}); err != nil {
		b.log.ErrorContext(pctx, "posting the counters verdict failed", "err", err)
		result = "post failed"
	}
	if changed != nil {
		// the verdict's message carries the incident's new cause
		b.cfg.Metrics.Diagnosis(changed.Phase, changed.Cause)
		if w := b.record(pctx, t, *changed, store.SourceCheck, req.User, ts); w != "" {
			b.log.WarnContext(pctx, "recording the data-plane cause in the incident", "warning", w)
		}
	}
	b.auditAt(pctx, req, t, "check counters", peer, result)
}

// dataPlaneCause makes a one-way verdict of the two reads the incident's
// cause when it is stronger than the cause the incident names so far: the
// strongest of its diagnoses (bot/cause.go), first among them. With no
// incident open, one is opened (one-way traffic over the interval is a
// failure seen, not inferred); live, idle and stale verdicts open none
// and change none. It returns the diagnosis to record and the line that
// says the change in the thread ("" when nothing changed).
func (b *Bot) dataPlaneCause(ctx context.Context, req Request, t *target, peer, device string, first diagnose.Report, dp diagnose.DataPlane) (diagnose.Report, string) {
	if dp.Cause != diagnose.CauseOneWayOutbound && dp.Cause != diagnose.CauseOneWayInbound {
		return diagnose.Report{}, ""
	}
	rep := dp.Report()
	opened := false
	if t.inc == nil && t.deferred == nil {
		b.join(ctx, req, t, peer, device, true)
		opened = t.inc != nil && len(t.inc.Diagnoses) == 0
	}
	cur, curConf := first.Cause, first.Confidence
	if t.inc != nil {
		inc, err := b.cfg.Store.Get(ctx, t.inc.ID)
		if err == nil {
			t.inc = &inc
			cur, curConf = incidentCause(inc, first)
		}
	}
	if !StrongerCause(cur, curConf, rep.Cause, rep.Confidence) {
		return diagnose.Report{}, ""
	}
	if t.inc == nil && t.deferred == nil {
		return diagnose.Report{}, "" // the store took no incident: nothing to say changed
	}
	id := ""
	if t.inc != nil {
		id = t.inc.ID
	} else {
		id = t.deferred.ID
	}
	what := causeWords(rep.Cause)
	if opened || t.inc == nil {
		return rep, fmt.Sprintf("Incident %s opened: the counters show %s.", id, what)
	}
	was := "no cause yet"
	if CauseRank(cur) > 0 || cur == diagnose.CauseHealthy {
		was = causeWords(cur)
	}
	return rep, fmt.Sprintf("Incident %s: the cause is now %s, from the counters read %d s apart (was: %s).", id, what, dp.Seconds, was)
}

// incidentCause is the cause an incident names so far: its strongest
// diagnosis (bot/cause.go), the latest of equals. A diagnosis keeps no
// confidence: the check's own first report lends its confidence when it
// is that cause; any other counts as sure, so only a higher rank replaces it.
func incidentCause(inc store.Incident, first diagnose.Report) (string, float64) {
	d, ok := StrongestDiagnosis(inc.Diagnoses)
	switch {
	case !ok, d.Cause == first.Cause:
		return first.Cause, first.Confidence
	}
	return d.Cause, 1.0
}

// causeWords is a cause as words ("one way outbound").
func causeWords(cause string) string {
	switch cause {
	case diagnose.CauseOneWayOutbound:
		return "one-way traffic outbound (encrypted, nothing decrypted back)"
	case diagnose.CauseOneWayInbound:
		return "one-way traffic inbound (decrypted, nothing encrypted back)"
	}
	return strings.ReplaceAll(cause, "_", " ")
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

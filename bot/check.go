package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

func (b *Bot) noInventoryText(peer string) string {
	s := fmt.Sprintf("No device inventory is configured, so I cannot log in to check %s myself. %s after `diagnose`, or attach it as a file.", Literal(peer), pasteHint(peer))
	if b.cfg.CheckHint != "" {
		s += " To let me check devices, " + b.cfg.CheckHint
	}
	return s
}

// pasteHint says what to paste when tunneldoc could not read the device
// itself: the platform is not known, so each platform's commands with its
// name (diagnose.PasteNext).
func pasteHint(peer string) string {
	return Literal(strings.TrimSuffix(strings.Join(diagnose.PasteNext("", peer), ". "), "."))
}

// check logs into the device, collects its crypto state and diagnoses it.
func (b *Bot) check(ctx context.Context, req Request, peer, device string, owner *store.Incident) {
	if ok, why := b.mayCheck(ctx, req); !ok {
		b.replyPrivately(ctx, req, Text(why))
		b.auditLog(ctx, req, "check", peer, "refused: not allowed")
		return
	}
	if b.cfg.Checker == nil {
		b.reply(ctx, req, b.noInventoryText(peer))
		b.auditLog(ctx, req, "check", peer, "no inventory configured")
		return
	}
	if b.cfg.Peers != nil {
		// A peer no device terminates is a typo, not an outage: answer it
		// without opening an incident.
		if err := b.cfg.Peers.ResolvePeer(peer, device); err != nil {
			b.replyPrivately(ctx, req, Say(IconError, fmt.Sprintf("I cannot check %s: %s", Literal(peer), safeErr(err))))
			b.auditLog(ctx, req, "check", peer, "unknown peer or device")
			return
		}
	}
	if owner == nil && req.ThreadTS != "" {
		if inc := b.threadOwner(ctx, req); inc != nil && inc.Peer == peer {
			owner = inc
		}
	}
	if owner != nil && owner.Status == store.StatusResolved {
		owner = nil // a resolved incident's thread does not take new checks
	}
	on := ""
	if device != "" {
		on = " on " + device
	}
	t := b.place(ctx, req, peer, device, owner, fmt.Sprintf("%s asked me to check tunnel %s%s.", Mention(req.User), Literal(peer), Literal(on)))
	ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Reply: Say(IconWorking, fmt.Sprintf("checking %s%s…", Literal(peer), Literal(on)))})
	if err != nil {
		b.log.ErrorContext(ctx, "posting check placeholder failed", "err", err)
		b.auditAt(ctx, req, t, "check", peer, "post failed")
		return
	}
	cctx, cancel := context.WithTimeout(ctx, b.cfg.CheckTimeout)
	started := b.cfg.Clock.Now()
	res, err := b.cfg.Checker.CheckTunnel(cctx, peer, device)
	outcome := CheckOutcomeOK
	switch {
	case err != nil && (ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded)):
		outcome = CheckOutcomeInterrupted
	case err != nil:
		outcome = CheckOutcomeError
	}
	b.cfg.Metrics.ObserveCheck(b.cfg.Clock.Now().Sub(started), outcome)
	cancel()
	// What was read is still answered when tunneldoc is stopping (SIGTERM):
	// the reply and the incident record get a short grace of their own.
	shuttingDown := ctx.Err() != nil
	reqCtx := ctx
	ctx, cancelPost := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancelPost()
	checkWarning := ""
	if err != nil && strings.TrimSpace(res.Transcript) != "" {
		// Part of the output came back: diagnose it and say what is missing.
		b.log.WarnContext(ctx, "check incomplete", "peer", peer, "device", device, "err", redact.Text(err.Error()))
		checkWarning = "the device answered only in part: " + truncate(err.Error(), 300)
		err = nil
	}
	if err != nil {
		b.log.WarnContext(ctx, "check failed", "peer", peer, "device", device, "err", redact.Text(err.Error()))
		msg := Say(IconError, fmt.Sprintf("I could not check %s%s: %s\n%s after `diagnose` instead.", Literal(peer), Literal(on), safeErr(err), pasteHint(peer)))
		if shuttingDown {
			msg = Say(IconWarning, fmt.Sprintf("The check of %s%s was interrupted: tunneldoc is restarting. Ask again (`check tunnel %s`) in a minute.", Literal(peer), Literal(on), Literal(peer)))
		}
		msg.Blocks = append(msg.Blocks, t.incidentNote()...)
		if uerr := b.cfg.Messenger.Update(ctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Reply: msg, Incident: t.ref()}); uerr != nil {
			b.log.ErrorContext(ctx, "updating check placeholder failed", "err", uerr)
		}
		if res.FarEnd != nil && !shuttingDown {
			b.postFarEnd(ctx, t, *res.FarEnd) // this end failed; the far end answered
		}
		b.auditAt(ctx, req, t, "check", peer, "check failed")
		return
	}
	transcript := redact.Text(withoutCollectionNotes(res.Transcript))
	report := b.cfg.Diagnose(transcript, diagnose.Options{Peer: peer})
	if !usableOutput(report, res) {
		// Nothing the device said can be read as tunnel state: no
		// diagnosis, and no incident, stands on that.
		b.log.WarnContext(ctx, "check returned no usable output", "peer", peer, "device", device, "commands", len(res.Commands), "cut", len(res.Notes))
		msg := Say(IconWarning, fmt.Sprintf("I checked %s%s, but the device returned no usable output, so I cannot say how the tunnel is. Run `check tunnel %s` again, or paste the device's own output after `diagnose`.", Literal(peer), Literal(on), Literal(peer)))
		if notes, commands := (ReplyContext{Check: &res}).collectionNotes(); len(notes) > 0 {
			nb := collectionBlock(notes, commands)
			nb.Title = "What the device sent: " + collectionFacts(notes, commands) + "."
			msg.Blocks = append(msg.Blocks, nb)
		}
		msg.Blocks = append(msg.Blocks, t.incidentNote()...)
		if uerr := b.cfg.Messenger.Update(ctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Reply: msg, Incident: t.ref()}); uerr != nil {
			b.log.ErrorContext(ctx, "updating check placeholder failed", "err", uerr)
		}
		b.auditAt(ctx, req, t, "check", peer, "no usable output")
		return
	}
	// The incident is the tunnel as asked for (its device when one was
	// named); the reply names the device that answered.
	b.join(ctx, req, &t, peer, device, troubled(report))
	ctx = t.logContext(ctx)
	device = firstNonEmpty(device, res.Device)
	rc := t.replyContext(peer, device, store.SourceCheck)
	res.Transcript = ""
	comparison, ends, far := res.Comparison, res.Ends, res.FarEnd
	res.Comparison, res.FarEnd = nil, nil
	rc.Check = &res
	rc.CanRecheck = true
	rc.CheckWarning = checkWarning
	out := Render(report, rc)
	b.offerDebug(&out.Reply, report, rc)
	if err := b.cfg.Messenger.Update(ctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Reply: out.Reply, Incident: t.ref()}); err != nil {
		b.log.ErrorContext(ctx, "posting check result failed", "err", err)
		b.auditAt(ctx, req, t, "check", peer, "post failed: "+report.Cause)
		return
	}
	b.delivered(ctx, t, ts, report, rc, out, store.SourceCheck, req.User)
	if comparison != nil && comparison.Readable {
		// both ends are in the inventory: their configs, side by side
		b.postAlongside(ctx, t, "Both ends' crypto configurations compared ("+Literal(ends)+"):", *comparison, t.replyContext(peer, device, store.SourceCheck))
	}
	if far != nil {
		b.postFarEnd(ctx, t, *far)
	}
	b.auditAt(ctx, req, t, "check", peer, report.Phase+"/"+report.Cause)
	if !strings.Contains(device, ", ") { // one device answered: read its counters again
		b.watchCounters(reqCtx, req, t, peer, device, transcript, report)
	}
}

// collectionNotePrefix starts the lines a checker adds to a transcript
// to say a command's output is incomplete: tunneldoc's own words, never
// the device's, so never evidence.
const collectionNotePrefix = "[tunneldoc: "

// withoutCollectionNotes is the transcript without the checker's notes.
func withoutCollectionNotes(transcript string) string {
	if !strings.Contains(transcript, collectionNotePrefix) {
		return transcript
	}
	lines := strings.Split(transcript, "\n")
	out := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), collectionNotePrefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// usableOutput reports whether a check read something a diagnosis can
// stand on: the engine read tunnel state, and at least one command
// answered in full. A device that said nothing, or dropped the connection
// in its first table (the rest never ran), left only a part of a table,
// and a missing row is not evidence.
func usableOutput(r diagnose.Report, res CheckResult) bool {
	if !r.Readable {
		return false
	}
	if len(res.Notes) == 0 {
		return true
	}
	incomplete := map[string]bool{}
	for _, n := range res.Notes {
		incomplete[n.Command] = true
	}
	for _, c := range res.Commands {
		if !incomplete[c] {
			return true
		}
	}
	return false
}

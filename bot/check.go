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
	s := fmt.Sprintf("No device inventory is configured, so I cannot log in to check %s myself. Paste the output of `show crypto isakmp sa` and `show crypto ipsec sa peer %s` (and `debug crypto isakmp` if phase 1 is down) after `diagnose`, or attach it as a file.", Literal(peer), Literal(peer))
	if b.cfg.CheckHint != "" {
		s += " To let me check devices, " + b.cfg.CheckHint
	}
	return s
}

// check logs into the device, collects its crypto state and diagnoses it.
func (b *Bot) check(ctx context.Context, req Request, peer, device string, owner *store.Incident) {
	if ok, why := b.mayCheck(ctx, req); !ok {
		b.reply(ctx, req, why)
		b.auditLog(req, "check", peer, "refused: not allowed")
		return
	}
	if b.cfg.Checker == nil {
		b.reply(ctx, req, b.noInventoryText(peer))
		b.auditLog(req, "check", peer, "no inventory configured")
		return
	}
	if b.cfg.Peers != nil {
		// A peer no device terminates is a typo, not an outage: answer it
		// without opening an incident.
		if err := b.cfg.Peers.ResolvePeer(peer, device); err != nil {
			b.replyWith(ctx, req, Say(IconError, fmt.Sprintf("I cannot check %s: %s", Literal(peer), safeErr(err))))
			b.auditLog(req, "check", peer, "unknown peer or device")
			return
		}
	}
	if owner == nil && req.ThreadTS != "" {
		if inc := b.threadOwner(ctx, req.Channel, req.ThreadTS); inc != nil && inc.Peer == peer {
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
	t := b.target(ctx, req, peer, device, owner, true, fmt.Sprintf("%s asked me to check tunnel %s%s.", Mention(req.User), Literal(peer), Literal(on)))
	ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Reply: Say(IconWorking, fmt.Sprintf("checking %s%s…", Literal(peer), Literal(on)))})
	if err != nil {
		b.log.Error("posting check placeholder failed", "err", err)
		b.auditLog(req, "check", peer, "post failed")
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
	ctx, cancelPost := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancelPost()
	checkWarning := ""
	if err != nil && strings.TrimSpace(res.Transcript) != "" {
		// Part of the output came back: diagnose it and say what is missing.
		b.log.Warn("check incomplete", "peer", peer, "device", device, "err", redact.Text(err.Error()))
		checkWarning = "the device answered only in part: " + truncate(err.Error(), 300)
		err = nil
	}
	if err != nil {
		b.log.Warn("check failed", "peer", peer, "device", device, "err", redact.Text(err.Error()))
		msg := Say(IconError, fmt.Sprintf("I could not check %s%s: %s\nPaste `show crypto isakmp sa` and `show crypto ipsec sa peer %s` output after `diagnose` instead.", Literal(peer), Literal(on), safeErr(err), Literal(peer)))
		if shuttingDown {
			msg = Say(IconWarning, fmt.Sprintf("The check of %s%s was interrupted: tunneldoc is restarting. Ask again (`check tunnel %s`) in a minute.", Literal(peer), Literal(on), Literal(peer)))
		}
		if uerr := b.cfg.Messenger.Update(ctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Reply: msg}); uerr != nil {
			b.log.Error("updating check placeholder failed", "err", uerr)
		}
		b.auditLog(req, "check", peer, "check failed")
		return
	}
	transcript := redact.Text(res.Transcript)
	report := b.cfg.Diagnose(transcript, diagnose.Options{Peer: peer})
	device = firstNonEmpty(device, res.Device)
	rc := t.replyContext(peer, device, store.SourceCheck)
	res.Transcript = ""
	comparison, ends := res.Comparison, res.Ends
	res.Comparison = nil
	rc.Check = &res
	rc.CanRecheck = true
	rc.CheckWarning = checkWarning
	out := Render(report, rc)
	if err := b.cfg.Messenger.Update(ctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Reply: out.Reply, Incident: t.ref()}); err != nil {
		b.log.Error("posting check result failed", "err", err)
		b.auditLog(req, "check", peer, "post failed: "+report.Cause)
		return
	}
	b.delivered(ctx, t, ts, report, rc, out, store.SourceCheck, req.User)
	if comparison != nil && comparison.Readable {
		// both ends are in the inventory: their configs, side by side
		crc := t.replyContext(peer, device, store.SourceCheck)
		cout := Render(*comparison, crc)
		intro := "Both ends' crypto configurations compared (" + Literal(ends) + "):"
		reply := cout.Reply
		reply.Summary = intro + "\n" + reply.Summary
		reply.Full = PlainText(intro) + "\n" + reply.Full
		if _, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Reply: reply, Incident: t.ref()}); err != nil {
			b.log.Error("posting the config comparison failed", "err", err)
		} else {
			b.upload(ctx, t, cout)
		}
	}
	b.auditLog(req, "check", peer, report.Phase+"/"+report.Cause)
}

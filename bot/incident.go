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

// target is where a diagnosis about a tunnel is answered.
type target struct {
	channel, thread string
	inc             *store.Incident
	warning         string
	// deferred is the incident the store refused to open, held for the
	// retry loop (pending.go); its diagnoses join it there.
	deferred *store.Incident
}

// target finds the thread a diagnosis belongs in: the incident that owns
// the request's thread, else the tunnel's open incident, else a new
// incident on the request's thread. A request without a message of its own
// (slash command, modal) gets a root message to thread under.
func (b *Bot) target(ctx context.Context, req Request, peer, device string, owner *store.Incident, track bool, rootText string) target {
	t := target{channel: req.Channel, thread: replyThread(req)}
	if owner != nil {
		t.inc = owner
		t.channel, t.thread = owner.Channel, owner.ThreadTS
		return t
	}
	tunnel := store.Tunnel(peer, device)
	if t.thread == "" && peer != "" && track {
		if inc, ok, err := b.cfg.Store.ByTunnel(ctx, tunnel); err == nil && ok {
			t.inc = &inc
			t.channel, t.thread = inc.Channel, inc.ThreadTS
			return t
		}
	}
	if t.thread == "" {
		ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: req.Channel, Text: rootText})
		if err != nil {
			b.log.Error("root message failed", "channel", req.Channel, "err", err)
		}
		t.thread = ts
	}
	if peer == "" || !track || t.thread == "" {
		return t
	}
	if other, ok, err := b.cfg.Store.ByThread(ctx, t.channel, t.thread); err == nil && ok && other.Tunnel != tunnel {
		// The thread belongs to another tunnel's incident, and a thread
		// holds one incident: unless this tunnel has one already (Open
		// below finds it), it gets a thread of its own.
		if _, hasOpen, _ := b.cfg.Store.ByTunnel(ctx, tunnel); !hasOpen {
			ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, Text: rootText})
			if err != nil {
				b.log.Error("root message failed", "channel", t.channel, "err", err)
				return target{channel: t.channel, thread: t.thread}
			}
			t.thread = ts
		}
	}
	now := b.cfg.Clock.Now()
	// The id is chosen here, not by the store: when Open fails after the
	// body was written (Redis died before the tunnel claim), the retry
	// (pending.go) writes the same record instead of leaving one behind.
	in := store.Incident{ID: store.NewID(), Tunnel: tunnel, Peer: peer, Device: device, Channel: t.channel, ThreadTS: t.thread, FirstSeen: now, LastSeen: now}
	open := in
	open.Users = nonEmpty(req.User)
	inc, created, err := b.cfg.Store.Open(ctx, open)
	if err != nil {
		t.warning = b.deferWrite(&pendingIncident{base: in, users: nonEmpty(req.User)}, "Open", err)
		if t.warning == stateDeferred {
			t.deferred = &in
			b.rethreadWhenDelivered(in)
		}
		return t
	}
	t.inc = &inc
	if created {
		b.rethreadWhenDelivered(inc) // a root Slack has not taken yet: its real ts replaces the stand-in
	}
	if !created && req.Kind == KindConsole {
		t.channel, t.thread = inc.Channel, inc.ThreadTS // no threads on a terminal: no pointer
		return t
	}
	if !created && (inc.Channel != t.channel || inc.ThreadTS != t.thread) {
		link, _ := b.cfg.Messenger.Permalink(ctx, inc.Channel, inc.ThreadTS)
		where := "its thread"
		if link != "" {
			where = "<" + link + "|its thread>"
		}
		note := fmt.Sprintf("Incident %s for %s is already open (since %s, %s). I am answering in %s.",
			inc.ID, escapeMrkdwn(peer), inc.FirstSeen.UTC().Format("2006-01-02 15:04 MST"), inc.Status, where)
		if _, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Text: note}); err != nil {
			b.log.Warn("pointer to incident thread failed", "err", err)
		}
		t.channel, t.thread = inc.Channel, inc.ThreadTS
	}
	return t
}

// threadOwner returns the incident owning a thread. When the store has
// none (Redis lost its data), the incident is rebuilt from the metadata on
// the bot's messages in the thread, under its old ID.
func (b *Bot) threadOwner(ctx context.Context, channel, threadTS string) *store.Incident {
	inc, ok, err := b.cfg.Store.ByThread(ctx, channel, threadTS)
	if err != nil {
		b.log.Warn("thread lookup failed", "channel", channel, "thread", threadTS, "err", err)
		return nil
	}
	if ok {
		return &inc
	}
	if b.cfg.Recover == nil || b.recentlyNotOurs(channel, threadTS) {
		return nil
	}
	ref, ok, err := b.cfg.Recover.IncidentInThread(ctx, channel, threadTS)
	if err != nil {
		b.log.Warn("reading the thread for incident metadata failed", "channel", channel, "thread", threadTS, "err", err)
		return nil
	}
	if !ok {
		b.markNotOurs(channel, threadTS)
		return nil
	}
	now := b.cfg.Clock.Now()
	inc, created, err := b.cfg.Store.Open(ctx, store.Incident{
		ID: ref.ID, Tunnel: store.Tunnel(ref.Peer, ref.Device), Peer: ref.Peer, Device: ref.Device,
		Channel: channel, ThreadTS: threadTS, FirstSeen: now, LastSeen: now,
	})
	if err != nil {
		b.log.Warn("rebuilding the incident failed", "incident", ref.ID, "err", err)
		return nil
	}
	if !created && inc.ThreadTS != threadTS {
		// The tunnel has a newer open incident elsewhere; this thread is history.
		return nil
	}
	b.log.Info("incident rebuilt from Slack thread metadata", "incident", inc.ID, "peer", ref.Peer, "channel", channel, "thread", threadTS)
	return &inc
}

// notOursTTL: how long a thread found to hold no incident metadata is not
// read again, so pastes in other people's threads cost one
// conversations.replies call, not one per message.
const notOursTTL = 10 * time.Minute

func (b *Bot) recentlyNotOurs(channel, threadTS string) bool {
	b.notOursMu.Lock()
	defer b.notOursMu.Unlock()
	at, ok := b.notOurs[channel+":"+threadTS]
	return ok && b.cfg.Clock.Now().Sub(at) < notOursTTL
}

func (b *Bot) markNotOurs(channel, threadTS string) {
	now := b.cfg.Clock.Now()
	b.notOursMu.Lock()
	defer b.notOursMu.Unlock()
	if len(b.notOurs) >= 4096 {
		for k, at := range b.notOurs {
			if now.Sub(at) >= notOursTTL {
				delete(b.notOurs, k)
			}
		}
		if len(b.notOurs) >= 4096 {
			clear(b.notOurs)
		}
	}
	b.notOurs[channel+":"+threadTS] = now
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, x := range s {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// ref is the metadata for messages about the target's incident.
func (t target) ref() *IncidentRef {
	if t.inc == nil {
		return nil
	}
	return &IncidentRef{ID: t.inc.ID, Peer: t.inc.Peer, Device: t.inc.Device}
}

func (t target) replyContext(peer, device, source string) ReplyContext {
	rc := ReplyContext{Peer: peer, Device: device, Source: source, StateWarning: t.warning}
	if t.inc != nil {
		rc.IncidentID = t.inc.ID
		rc.IncidentStatus = t.inc.Status
		rc.AcknowledgedBy = t.inc.AcknowledgedBy
		rc.CanRecheck = t.inc.Peer != ""
		if rc.Device == "" {
			rc.Device = t.inc.Device
		}
	}
	return rc
}

// record stores a diagnosis once Slack has accepted the message carrying
// it; it returns a warning for the reply when the store failed.
func (b *Bot) record(ctx context.Context, t target, r diagnose.Report, source, user, messageTS string) string {
	if IsQueuedTS(messageTS) {
		// Slack has not taken the message yet (the outbox delivers it
		// later): the diagnosis is recorded without a message ts.
		messageTS = ""
	}
	d := store.Diagnosis{Phase: r.Phase, Cause: r.Cause, Verdict: verdictOf(r), Source: source, User: user, At: b.cfg.Clock.Now(), MessageTS: messageTS}
	if t.inc == nil {
		if t.deferred != nil {
			// The incident itself waits for the store: the diagnosis joins it.
			b.deferWrite(&pendingIncident{base: *t.deferred, diagnoses: []store.Diagnosis{d}, users: nonEmpty(user), rootTS: messageTS}, "Update", nil)
		}
		return t.warning
	}
	_, err := b.cfg.Store.Update(ctx, t.inc.ID, func(in *store.Incident) {
		store.AddDiagnosis(d)(in)
		if in.RootTS == "" {
			in.RootTS = messageTS
		}
	})
	if err != nil {
		return b.deferWrite(&pendingIncident{base: *t.inc, id: t.inc.ID, diagnoses: []store.Diagnosis{d}, users: nonEmpty(user), rootTS: messageTS}, "Update", err)
	}
	return ""
}

// paste diagnoses pasted (or attached) output.
func (b *Bot) paste(ctx context.Context, req Request, cmd Command, owner *store.Incident) {
	if !b.mayPaste(req) {
		b.reply(ctx, req, "Pasted output is diagnosed in DMs and in the channels listed in TUNNELDOC_PASTE_CHANNELS; this channel is not one of them.")
		b.auditLog(req, "diagnose", cmd.Peer, "refused: channel not allowed")
		return
	}
	var compared *diagnose.Report
	if b.cfg.Compare != nil && len(cmd.Text) <= DefaultMaxPaste {
		if r, ok := b.cfg.Compare(cmd.Text); ok {
			compared = &r
		}
	}
	text := redact.Text(cmd.Text)
	if len(text) > DefaultMaxPaste {
		text = text[:DefaultMaxPaste]
	}
	if owner == nil && req.ThreadTS != "" {
		owner = b.threadOwner(ctx, req.Channel, req.ThreadTS)
	}
	peer, device := cmd.Peer, ""
	if owner != nil {
		peer = firstNonEmpty(peer, owner.Peer)
		device = owner.Device
	}
	var report diagnose.Report
	if compared != nil {
		report = *compared
	} else {
		report = b.cfg.Diagnose(text, diagnose.Options{Peer: peer})
	}
	peer = firstNonEmpty(peer, report.Peer)
	track := report.Cause != diagnose.CauseHealthy
	t := b.target(ctx, req, peer, device, owner, track, "<@"+req.User+"> pasted output for diagnosis.")
	rc := t.replyContext(peer, device, store.SourcePaste)
	out := Render(report, rc)
	ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Text: out.Fallback, Plain: out.Plain, Blocks: out.Blocks, Incident: t.ref()})
	if err != nil {
		b.log.Error("posting diagnosis failed", "channel", t.channel, "err", err)
		b.auditLog(req, "diagnose", peer, "post failed: "+report.Cause)
		return
	}
	b.cfg.Metrics.Diagnosis(report.Phase, report.Cause)
	b.upload(ctx, t, out)
	if w := b.record(ctx, t, report, store.SourcePaste, req.User, ts); w != "" && t.warning == "" {
		b.rewarn(ctx, t, ts, report, rc, w)
	}
	b.auditLog(req, "diagnose", peer, report.Phase+"/"+report.Cause)
}

// rewarn edits a posted reply to say its state was not saved.
func (b *Bot) rewarn(ctx context.Context, t target, ts string, r diagnose.Report, rc ReplyContext, warning string) {
	rc.StateWarning = warning
	out := Render(r, rc)
	if err := b.cfg.Messenger.Update(ctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Text: out.Fallback, Plain: out.Plain, Blocks: out.Blocks, Incident: t.ref()}); err != nil {
		b.log.Warn("adding the state warning failed", "err", err)
	}
}

func (b *Bot) upload(ctx context.Context, t target, out Rendered) {
	if out.File == nil {
		return
	}
	if err := b.cfg.Messenger.Upload(ctx, t.channel, t.thread, out.File.Name, out.File.Title, out.File.Content); err != nil {
		b.log.Error("evidence upload failed", "channel", t.channel, "err", err)
		if SlackDown(err) {
			return // a note about it would fail the same way
		}
		_, _ = b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Text: "I could not attach the full evidence file: " + safeErr(err)})
	}
}

func (b *Bot) noInventoryText(peer string) string {
	s := fmt.Sprintf("No device inventory is configured, so I cannot log in to check %s myself. Paste the output of `show crypto isakmp sa` and `show crypto ipsec sa peer %s` (and `debug crypto isakmp` if phase 1 is down) after `diagnose`, or attach it as a file.", escapeMrkdwn(peer), escapeMrkdwn(peer))
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
	if r, ok := b.cfg.Checker.(PeerResolver); ok {
		// A peer no device terminates is a typo, not an outage: answer it
		// without opening an incident.
		if err := r.ResolvePeer(peer, device); err != nil {
			b.reply(ctx, req, fmt.Sprintf(":x: I cannot check %s: %s", escapeMrkdwn(peer), safeErr(err)))
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
	t := b.target(ctx, req, peer, device, owner, true, fmt.Sprintf("<@%s> asked me to check tunnel %s%s.", req.User, escapeMrkdwn(peer), escapeMrkdwn(on)))
	ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Text: fmt.Sprintf(":hourglass_flowing_sand: checking %s%s…", escapeMrkdwn(peer), escapeMrkdwn(on))})
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
		msg := fmt.Sprintf(":x: I could not check %s%s: %s\nPaste `show crypto isakmp sa` and `show crypto ipsec sa peer %s` output after `diagnose` instead.", escapeMrkdwn(peer), escapeMrkdwn(on), safeErr(err), escapeMrkdwn(peer))
		if shuttingDown {
			msg = fmt.Sprintf(":warning: The check of %s%s was interrupted: tunneldoc is restarting. Ask again (`check tunnel %s`) in a minute.", escapeMrkdwn(peer), escapeMrkdwn(on), escapeMrkdwn(peer))
		}
		if uerr := b.cfg.Messenger.Update(ctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Text: msg}); uerr != nil {
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
	if err := b.cfg.Messenger.Update(ctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Text: out.Fallback, Plain: out.Plain, Blocks: out.Blocks, Incident: t.ref()}); err != nil {
		b.log.Error("posting check result failed", "err", err)
		b.auditLog(req, "check", peer, "post failed: "+report.Cause)
		return
	}
	b.cfg.Metrics.Diagnosis(report.Phase, report.Cause)
	b.upload(ctx, t, out)
	if w := b.record(ctx, t, report, store.SourceCheck, req.User, ts); w != "" && t.warning == "" {
		b.rewarn(ctx, t, ts, report, rc, w)
	}
	if comparison != nil && comparison.Readable {
		// both ends are in the inventory: their configs, side by side
		crc := t.replyContext(peer, device, store.SourceCheck)
		cout := Render(*comparison, crc)
		intro := "Both ends' crypto configurations compared (" + escapeMrkdwn(ends) + "):"
		if _, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Text: intro + "\n" + cout.Fallback, Plain: intro + "\n" + cout.Plain, Blocks: cout.Blocks, Incident: t.ref()}); err != nil {
			b.log.Error("posting the config comparison failed", "err", err)
		} else {
			b.upload(ctx, t, cout)
		}
	}
	b.auditLog(req, "check", peer, report.Phase+"/"+report.Cause)
}

// status lists open incidents.
func (b *Bot) status(ctx context.Context, req Request) {
	open, err := b.cfg.Store.ListOpen(ctx)
	if err != nil {
		b.log.Error("listing incidents failed", "err", err)
		b.reply(ctx, req, "I could not read the incident list: the state store is unreachable.")
		b.auditLog(req, "status", "", "store error")
		return
	}
	silenced := b.silencedLines(ctx)
	if len(open) == 0 {
		b.reply(ctx, req, "No open incidents."+silenced)
		b.auditLog(req, "status", "", "0 open")
		return
	}
	var lines []string
	for i, in := range open {
		if i == 20 {
			lines = append(lines, fmt.Sprintf("…and %d more.", len(open)-20))
			break
		}
		last := "no diagnosis yet"
		if d, ok := in.Latest(); ok {
			last = d.Phase + " · " + d.Cause
		}
		where := in.Peer
		if in.Device != "" {
			where += " on " + in.Device
		}
		link, _ := b.cfg.Messenger.Permalink(ctx, in.Channel, in.ThreadTS)
		if link != "" {
			where = "<" + link + "|" + escapeMrkdwn(where) + ">"
		} else {
			where = escapeMrkdwn(where)
		}
		status := in.Status
		if in.AcknowledgedBy != "" {
			status += " by <@" + in.AcknowledgedBy + ">"
		}
		lines = append(lines, fmt.Sprintf("• %s — %s — %s, since %s (%s)", where, last, status, in.FirstSeen.UTC().Format("2006-01-02 15:04 MST"), in.ID))
	}
	b.reply(ctx, req, fmt.Sprintf("*%d open incident(s)*\n%s", len(open), strings.Join(lines, "\n"))+silenced)
	b.auditLog(req, "status", "", fmt.Sprintf("%d open", len(open)))
}

// Action is a button click on a diagnosis.
type Action struct {
	ActionID   string
	IncidentID string
	User       string
	Channel    string
	MessageTS  string
}

// HandleAction applies a button click.
func (b *Bot) HandleAction(ctx context.Context, a Action) {
	inc, err := b.cfg.Store.Get(ctx, a.IncidentID)
	req := Request{Kind: KindThreadMessage, Channel: a.Channel, User: a.User, TS: a.MessageTS}
	if err != nil {
		b.log.Warn("button on unknown incident", "incident", a.IncidentID, "err", err)
		_, _ = b.cfg.Messenger.Post(ctx, Message{Channel: a.Channel, EphemeralTo: a.User, Text: "That incident is no longer known (it expired, or the state store is unreachable)."})
		return
	}
	req.Channel, req.ThreadTS = inc.Channel, inc.ThreadTS
	switch a.ActionID {
	case ActionRecheck:
		if inc.Status == store.StatusResolved {
			b.reply(ctx, req, fmt.Sprintf("Incident %s is resolved; `check tunnel %s` opens a new one if it is down again.", inc.ID, escapeMrkdwn(inc.Peer)))
			return
		}
		b.check(ctx, req, inc.Peer, inc.Device, &inc)
		return
	case ActionAcknowledge, ActionResolve:
		status, verb := store.StatusAcknowledged, "acknowledged"
		if a.ActionID == ActionResolve {
			status, verb = store.StatusResolved, "resolved"
		}
		if inc.Status == status {
			return
		}
		now := b.cfg.Clock.Now()
		text := fmt.Sprintf("Incident %s %s by <@%s>.", inc.ID, verb, a.User)
		if _, err := b.cfg.Store.Update(ctx, inc.ID, store.SetStatus(status, a.User, now)); err != nil {
			w := b.deferWrite(&pendingIncident{base: inc, id: inc.ID, users: nonEmpty(a.User), status: &statusChange{status: status, by: a.User, at: now}}, "Update", err)
			if w != stateDeferred {
				b.reply(ctx, req, "I could not save that: "+w)
				return
			}
			text += " (Not saved yet: " + w + ")"
		}
		if status == store.StatusResolved {
			text += " The next trouble on this tunnel opens a new incident."
		}
		b.reply(ctx, req, text)
		b.auditLog(req, verb, inc.Peer, inc.ID)
	default:
		b.log.Info("unknown action", "action", a.ActionID)
	}
}

// silenceLister is what a Silencer may also offer: the silences in force.
type silenceLister interface {
	Silences(ctx context.Context) ([]store.SilenceEntry, error)
}

// silencedLines lists the silenced tunnels for `status` ("" when none).
func (b *Bot) silencedLines(ctx context.Context) string {
	sl, ok := b.cfg.Silencer.(silenceLister)
	if !ok {
		return ""
	}
	entries, err := sl.Silences(ctx)
	if err != nil || len(entries) == 0 {
		return ""
	}
	var lines []string
	for _, e := range entries {
		by := ""
		if e.By != "" {
			by = " by <@" + e.By + ">"
		}
		lines = append(lines, fmt.Sprintf("• %s silenced until %s%s", escapeMrkdwn(e.Peer), e.Until.UTC().Format("2006-01-02 15:04 MST"), by))
	}
	return "\n*Silenced*\n" + strings.Join(lines, "\n")
}

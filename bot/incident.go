package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/ops"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
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

// private reports whether req came from a conversation only its members
// see (a DM): what is said there, and the incidents opened there, stay
// there.
func (req Request) private() bool { return req.Private || req.Kind == KindDM }

// tunnelKey is the store's name for the tunnel as seen from req: an
// incident opened in a DM is that DM's alone, so its key names the DM and
// no channel (nor the monitor) ever finds it.
func tunnelKey(req Request, peer, device string) string {
	t := store.Tunnel(peer, device)
	if req.private() {
		return "dm:" + req.Channel + "|" + t
	}
	return t
}

// place finds the thread an answer to req goes in. It is always in the
// channel where req was asked: the request's thread, the thread of the
// incident that owns it, or (for a request without a message of its own:
// slash command, modal) the thread of the tunnel's incident in this
// channel, else a new root message here. It opens no incident: join does,
// once the diagnosis says there is trouble.
func (b *Bot) place(ctx context.Context, req Request, peer, device string, owner *store.Incident, rootText string) target {
	t := target{channel: req.Channel, thread: replyThread(req)}
	if owner != nil && owner.Private && owner.Channel != req.Channel {
		owner = nil // a DM's incident is never answered about elsewhere
	}
	if owner != nil {
		t.inc = owner
		if t.thread == "" && owner.Channel == req.Channel {
			t.thread = owner.ThreadTS
		}
	}
	if t.thread == "" && owner == nil && peer != "" {
		if inc, ok, err := b.cfg.Store.ByTunnel(ctx, tunnelKey(req, peer, device)); err == nil && ok && inc.Channel == req.Channel {
			t.inc = &inc
			t.thread = inc.ThreadTS
		}
	}
	if t.thread != "" && t.inc == nil && peer != "" {
		// A thread holds one incident: a request about another tunnel in
		// an incident's thread is answered in a thread of its own.
		if other, ok, err := b.cfg.Store.ByThread(ctx, t.channel, t.thread); err == nil && ok && other.Tunnel != tunnelKey(req, peer, device) {
			t.thread = ""
		}
	}
	if t.thread == "" {
		ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: req.Channel, Reply: Text(rootText)})
		if err != nil {
			b.log.ErrorContext(ctx, "root message failed", "channel", req.Channel, "err", err)
		}
		t.thread = ts
	}
	return t
}

// troubled reports whether a diagnosis says the tunnel is in trouble:
// down or degraded. Only trouble opens an incident; a healthy tunnel, or
// output the engine could not read, opens none.
func troubled(r diagnose.Report) bool {
	v := verdictOf(r)
	return r.Readable && (v == diagnose.VerdictDown || v == diagnose.VerdictDegraded)
}

// join ties the answer at t to the tunnel's incident: with open, the
// tunnel's open incident, or a new one on t's thread; without, only an
// incident already open (a healthy result opens nothing). An incident
// whose thread is elsewhere gets a pointer to it in the asker's thread;
// the answer stays where it was asked.
func (b *Bot) join(ctx context.Context, req Request, t *target, peer, device string, open bool) {
	if t.inc != nil || peer == "" || t.thread == "" {
		return
	}
	key := tunnelKey(req, peer, device)
	if !open {
		inc, ok, err := b.cfg.Store.ByTunnel(ctx, key)
		if err != nil || !ok {
			return
		}
		t.inc = &inc
		b.pointTo(ctx, req, *t, inc, peer)
		return
	}
	now := b.cfg.Clock.Now()
	// The id is chosen here, not by the store: when Open fails after the
	// body was written (Redis died before the tunnel claim), the retry
	// (pending.go) writes the same record instead of leaving one behind.
	in := store.Incident{ID: store.NewID(), Tunnel: key, Peer: peer, Device: device, Channel: t.channel, ThreadTS: t.thread, Private: req.private(), FirstSeen: now, LastSeen: now}
	opened := in
	opened.Users = nonEmpty(req.User)
	inc, created, err := b.cfg.Store.Open(ctx, opened)
	if err != nil {
		t.warning = b.deferWrite(&pendingIncident{base: in, users: nonEmpty(req.User)}, "Open", err)
		if held(t.warning) {
			t.deferred = &in
			b.rethreadWhenDelivered(in)
		}
		return
	}
	t.inc = &inc
	if created {
		b.rethreadWhenDelivered(inc) // a root Slack has not taken yet: its real ts replaces the stand-in
		return
	}
	b.pointTo(ctx, req, *t, inc, peer)
}

// pointTo tells the asker, in their thread, that the tunnel's incident is
// already open in another thread, with a link to it. The console has no
// threads: nothing to point to.
func (b *Bot) pointTo(ctx context.Context, req Request, t target, inc store.Incident, peer string) {
	if req.Kind == KindConsole || (inc.Channel == t.channel && inc.ThreadTS == t.thread) {
		return
	}
	link, _ := b.cfg.Messenger.Permalink(ctx, inc.Channel, inc.ThreadTS)
	note := fmt.Sprintf("Incident %s for %s is already open (since %s, %s) in %s. I am answering here and adding this to it.",
		inc.ID, Literal(peer), inc.FirstSeen.UTC().Format("2006-01-02 15:04 MST"), inc.Status, Link(link, "its thread"))
	if _, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Reply: Text(note)}); err != nil {
		b.log.WarnContext(ctx, "pointer to incident thread failed", "err", err)
	}
}

// threadOwner returns the incident owning a thread. When the store has
// none (Redis lost its data), the incident is rebuilt from the metadata on
// the bot's messages in the thread, under its old ID.
func (b *Bot) threadOwner(ctx context.Context, req Request) *store.Incident {
	channel, threadTS := req.Channel, req.ThreadTS
	inc, ok, err := b.cfg.Store.ByThread(ctx, channel, threadTS)
	if err != nil {
		b.log.WarnContext(ctx, "thread lookup failed", "channel", channel, "thread", threadTS, "err", err)
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
		b.log.WarnContext(ctx, "reading the thread for incident metadata failed", "channel", channel, "thread", threadTS, "err", err)
		return nil
	}
	if !ok {
		b.markNotOurs(channel, threadTS)
		return nil
	}
	now := b.cfg.Clock.Now()
	inc, created, err := b.cfg.Store.Open(ctx, store.Incident{
		ID: ref.ID, Tunnel: tunnelKey(req, ref.Peer, ref.Device), Peer: ref.Peer, Device: ref.Device,
		Channel: channel, ThreadTS: threadTS, Private: req.private(), FirstSeen: now, LastSeen: now,
	})
	if err != nil {
		b.log.WarnContext(ctx, "rebuilding the incident failed", "incident_id", ref.ID, "err", err)
		return nil
	}
	if !created && inc.ThreadTS != threadTS {
		// The tunnel has a newer open incident elsewhere; this thread is history.
		return nil
	}
	b.log.InfoContext(ops.WithIncidentID(ctx, inc.ID), "incident rebuilt from Slack thread metadata", "peer", ref.Peer, "channel", channel, "thread", threadTS)
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

// logContext is ctx carrying the target's incident id for the log.
func (t target) logContext(ctx context.Context) context.Context {
	if t.inc != nil {
		return ops.WithIncidentID(ctx, t.inc.ID)
	}
	if t.deferred != nil {
		return ops.WithIncidentID(ctx, t.deferred.ID)
	}
	return ctx
}

// incidentNote names the target's incident under an answer that is not a
// diagnosis (a failed check), so every answer in its thread carries its id.
func (t target) incidentNote() []Block {
	if t.inc == nil {
		return nil
	}
	return []Block{{Kind: Note, Text: "incident " + t.inc.ID + " (" + t.inc.Status + ")"}}
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

// delivered finishes a diagnosis the chat took as ts: it is counted, its
// evidence file attached, and it is recorded in the incident (the reply
// edited to say so when that failed).
func (b *Bot) delivered(ctx context.Context, t target, ts string, report diagnose.Report, rc ReplyContext, out Rendered, source, user string) {
	b.cfg.Metrics.Diagnosis(report.Phase, report.Cause)
	b.upload(ctx, t, out)
	if w := b.record(ctx, t, report, source, user, ts); w != "" && t.warning == "" {
		b.rewarn(ctx, t, ts, report, rc, w)
	}
}

// rewarn edits a posted reply to say its state was not saved.
func (b *Bot) rewarn(ctx context.Context, t target, ts string, r diagnose.Report, rc ReplyContext, warning string) {
	rc.StateWarning = warning
	out := Render(r, rc)
	if err := b.cfg.Messenger.Update(ctx, ts, Message{Channel: t.channel, ThreadTS: t.thread, Reply: out.Reply, Incident: t.ref()}); err != nil {
		b.log.WarnContext(ctx, "adding the state warning failed", "err", err)
	}
}

func (b *Bot) upload(ctx context.Context, t target, out Rendered) {
	if out.File == nil {
		return
	}
	if err := b.cfg.Messenger.Upload(ctx, t.channel, t.thread, out.File.Name, out.File.Title, out.File.Content); err != nil {
		b.log.ErrorContext(ctx, "evidence upload failed", "channel", t.channel, "err", err)
		if errors.Is(err, ErrUnavailable) {
			return // a note about it would fail the same way
		}
		_, _ = b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Reply: Text("I could not attach the full evidence file: " + safeErr(err))})
	}
}

// settle edits the resolved incident's diagnoses (Config.Settle): the
// clicked one, and those in the incident's thread when it was clicked in
// the incident's channel.
func (b *Bot) settle(ctx context.Context, a Action, inc store.Incident) {
	if b.cfg.Settle == nil {
		return
	}
	type msg struct{ thread, ts string }
	msgs := []msg{{a.ThreadTS, a.MessageTS}}
	if a.Channel == inc.Channel {
		for _, d := range inc.Diagnoses {
			if d.MessageTS != "" && d.MessageTS != a.MessageTS {
				msgs = append(msgs, msg{inc.ThreadTS, d.MessageTS})
			}
		}
	}
	for _, m := range msgs {
		if err := b.cfg.Settle.Settle(ctx, a.Channel, m.thread, m.ts, inc.ID, store.StatusResolved); err != nil {
			b.log.WarnContext(ctx, "editing a resolved incident's message failed", "ts", m.ts, "err", err)
		}
	}
}

// Action is a button click on a diagnosis.
type Action struct {
	ActionID   string
	IncidentID string
	User       string
	Channel    string
	MessageTS  string
	ThreadTS   string // the thread of the clicked message ("" when top level)
}

// HandleAction applies a button click.
func (b *Bot) HandleAction(ctx context.Context, a Action) {
	if ops.RequestID(ctx) == "" {
		ctx = ops.WithRequestID(ctx, ops.NewRequestID())
	}
	ctx = ops.WithIncidentID(ctx, a.IncidentID)
	inc, err := b.cfg.Store.Get(ctx, a.IncidentID)
	// The answer goes where the button was clicked: the clicked message's
	// thread, in its channel.
	req := Request{Kind: KindThreadMessage, Channel: a.Channel, User: a.User, TS: a.MessageTS, ThreadTS: a.ThreadTS}
	if err == nil && req.ThreadTS == "" && a.Channel == inc.Channel {
		req.ThreadTS = inc.ThreadTS // a transport that does not say the thread: the incident's, in this channel
	}
	if err == nil && inc.Private && inc.Channel != a.Channel {
		err = store.ErrNotFound // a DM's incident is not acted on from elsewhere
	}
	if err != nil {
		b.log.WarnContext(ctx, "button on unknown incident", "err", err)
		_, _ = b.cfg.Messenger.Post(ctx, Message{Channel: a.Channel, ThreadTS: a.ThreadTS, EphemeralTo: a.User, Reply: Text("That incident is no longer known (it expired, or the state store is unreachable).")})
		return
	}
	req.Private = inc.Private
	switch a.ActionID {
	case ActionRecheck:
		if inc.Status == store.StatusResolved {
			b.reply(ctx, req, fmt.Sprintf("Incident %s is resolved; `check tunnel %s` opens a new one if it is down again.", inc.ID, Literal(inc.Peer)))
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
		text := fmt.Sprintf("Incident %s %s by %s.", inc.ID, verb, Mention(a.User))
		if _, err := b.cfg.Store.Update(ctx, inc.ID, store.SetStatus(status, a.User, now)); err != nil {
			w := b.deferWrite(&pendingIncident{base: inc, id: inc.ID, users: nonEmpty(a.User), status: &statusChange{status: status, by: a.User, at: now}}, "Update", err)
			if !held(w) {
				b.reply(ctx, req, "I could not save that: "+w)
				return
			}
			text += " (Not saved yet: " + w + ")"
		}
		if status == store.StatusResolved {
			text += " The next trouble on this tunnel opens a new incident."
			b.settle(ctx, a, inc)
		}
		b.reply(ctx, req, text)
		b.auditLog(ctx, req, verb, inc.Peer, inc.ID)
	default:
		if b.debugAction(ctx, a, req, inc) {
			return
		}
		b.log.InfoContext(ctx, "unknown action", "action", a.ActionID)
	}
}

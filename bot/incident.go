package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

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
		ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: req.Channel, Reply: Text(rootText)})
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
			ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, Reply: Text(rootText)})
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
			where = Link(link, "its thread")
		}
		note := fmt.Sprintf("Incident %s for %s is already open (since %s, %s). I am answering in %s.",
			inc.ID, Literal(peer), inc.FirstSeen.UTC().Format("2006-01-02 15:04 MST"), inc.Status, where)
		if _, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Reply: Text(note)}); err != nil {
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
		b.log.Warn("adding the state warning failed", "err", err)
	}
}

func (b *Bot) upload(ctx context.Context, t target, out Rendered) {
	if out.File == nil {
		return
	}
	if err := b.cfg.Messenger.Upload(ctx, t.channel, t.thread, out.File.Name, out.File.Title, out.File.Content); err != nil {
		b.log.Error("evidence upload failed", "channel", t.channel, "err", err)
		if errors.Is(err, ErrUnavailable) {
			return // a note about it would fail the same way
		}
		_, _ = b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Reply: Text("I could not attach the full evidence file: " + safeErr(err))})
	}
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
		_, _ = b.cfg.Messenger.Post(ctx, Message{Channel: a.Channel, EphemeralTo: a.User, Reply: Text("That incident is no longer known (it expired, or the state store is unreachable).")})
		return
	}
	req.Channel, req.ThreadTS = inc.Channel, inc.ThreadTS
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

package bot

import (
	"context"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
)

// A root message the chat could not take is queued by the Messenger,
// which returns a stand-in ts (IsQueuedTS) for it. An incident opened on
// that thread is stored with the stand-in, and the stand-in replaced by
// the real ts once the root is delivered: from then on the thread index
// finds it, and other replicas (to whom the stand-in means nothing) post
// into the real thread.

// threadMove replaces an incident's stand-in thread ts with the real one.
type threadMove struct{ from, to string }

func (mv threadMove) apply(in *store.Incident) {
	if in.ThreadTS == mv.from {
		in.ThreadTS = mv.to
	}
	if in.RootTS == mv.from {
		in.RootTS = mv.to
	}
}

// rethreadWhenDelivered arranges for in's thread ts, when it is a
// stand-in, to be replaced in the store (or in the write waiting for it)
// once the root is delivered.
func (b *Bot) rethreadWhenDelivered(in store.Incident) {
	if b.cfg.Deliveries == nil || !IsQueuedTS(in.ThreadTS) {
		return
	}
	standIn := in.ThreadTS
	b.cfg.Deliveries.WhenDelivered(standIn, func(ts string, delivered bool) {
		if !delivered {
			b.log.Error("an incident's root message was never delivered to Slack; the incident keeps a thread that does not exist", "incident_id", in.ID, "tunnel", in.Tunnel, "channel", in.Channel)
			return
		}
		b.moveThread(in, threadMove{from: standIn, to: ts})
	})
}

// moveThread writes mv to the incident; when the store fails, or has not
// got the incident yet (its Open waits in pending writes), the move joins
// the pending writes for the tunnel and is applied there.
func (b *Bot) moveThread(in store.Incident, mv threadMove) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := b.cfg.Store.Update(ctx, in.ID, mv.apply)
	if err == nil {
		b.log.Info("incident thread ts set now that its root message is delivered", "incident_id", in.ID, "channel", in.Channel, "thread", mv.to)
		return
	}
	base := in
	mv.apply(&base)
	b.deferWrite(&pendingIncident{base: base, id: in.ID, move: &mv}, "Update", err)
}

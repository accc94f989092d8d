package bot

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
)

// Incident writes the store refused (Redis down) are kept here, in memory,
// and written by a background loop (Bot.Start) once the store answers
// again. One entry per tunnel: later writes for the same tunnel merge into
// it (its newest state wins), so the bound counts tunnels, not writes.
//
// Writing them back never duplicates an incident: an entry that never got
// an incident goes through store.Open, which returns the tunnel's open
// incident when one exists (another replica, or this one, may have created
// it meanwhile) and creates one otherwise; then its diagnoses, users and
// status are merged into that incident with store.Update (WATCH/MULTI):
// diagnoses already there are not added twice, and a status only moves
// forward (open -> acknowledged -> resolved), so newer state written by
// others is never overwritten. The incident id is chosen by the bot before
// the first Open, so when Redis died after the body was written but before
// the tunnel was claimed, the retry rewrites that same record. (A second
// request for the same tunnel caught in that same instant would leave its
// own body behind: unreachable, no index points to it, and it expires with
// OpenTTL.)

// Pending-write bounds and retry pacing.
const (
	DefaultMaxPendingWrites = 1000 // tunnels with writes waiting for the store
	maxPendingDiagnoses     = 50   // per tunnel; the oldest are dropped past it
	pendingRetryMin         = 200 * time.Millisecond
	pendingRetryMax         = 10 * time.Second
)

// Reply warnings about incident state, for a store that is unreachable
// and for one that is full (out of memory: store.ErrFull).
const (
	// stateDeferred: the write is held in memory and will be retried.
	stateDeferred     = "incident state could not be saved yet (state store unreachable); it is held in this bot's memory and will be written when the store answers again, unless tunneldoc restarts before that."
	stateDeferredFull = "incident state could not be saved yet (state store full); it is held in this bot's memory and will be written when the store has room again, unless tunneldoc restarts before that."
	// stateNotSaved: the write could not even be held (too many waiting).
	stateNotSaved     = "incident state could not be saved (state store unreachable, and too many writes are already waiting); this diagnosis is not tracked."
	stateNotSavedFull = "incident state could not be saved (state store full, and too many writes are already waiting); this diagnosis is not tracked."
)

// held: the warning says the write waits in memory.
func held(warning string) bool { return warning == stateDeferred || warning == stateDeferredFull }

// storeTrouble names what is wrong with the store for a user.
func storeTrouble(err error) string {
	if errors.Is(err, store.ErrFull) {
		return "the state store is full"
	}
	return "the state store is unreachable"
}

func (b *Bot) countDeferred(event string) { b.cfg.Metrics.Deferred("store", event) }

type statusChange struct {
	status, by string
	at         time.Time
}

// pendingIncident is everything not yet written for one tunnel.
type pendingIncident struct {
	base      store.Incident // what store.Open needs (Tunnel, Peer, Device, Channel, ThreadTS, seen times)
	id        string         // the incident's id once known ("" until Open succeeded)
	diagnoses []store.Diagnosis
	users     []string
	rootTS    string
	status    *statusChange
	move      *threadMove // the thread's stand-in ts and the real one (rethread.go)
	since     time.Time
}

// merge folds o (newer) into p.
func (p *pendingIncident) merge(o *pendingIncident) (dropped int) {
	if p.id == "" {
		p.id = o.id
	}
	if p.base.Channel == "" {
		p.base = o.base
	} else {
		if !o.base.FirstSeen.IsZero() && (p.base.FirstSeen.IsZero() || o.base.FirstSeen.Before(p.base.FirstSeen)) {
			p.base.FirstSeen = o.base.FirstSeen
		}
		if o.base.LastSeen.After(p.base.LastSeen) {
			p.base.LastSeen = o.base.LastSeen
		}
	}
	for _, d := range o.diagnoses {
		if !hasDiagnosis(p.diagnoses, d) {
			p.diagnoses = append(p.diagnoses, d)
		}
	}
	if n := len(p.diagnoses) - maxPendingDiagnoses; n > 0 {
		p.diagnoses = slices.Delete(p.diagnoses, 0, n)
		dropped = n
	}
	for _, u := range o.users {
		if !slices.Contains(p.users, u) {
			p.users = append(p.users, u)
		}
	}
	if p.rootTS == "" {
		p.rootTS = o.rootTS
	}
	if o.move != nil {
		p.move = o.move
	}
	if p.move != nil {
		p.move.apply(&p.base) // an Open still to be made takes the real thread
	}
	if o.status != nil && (p.status == nil || statusRank(o.status.status) >= statusRank(p.status.status)) {
		p.status = o.status
	}
	if p.since.IsZero() || (!o.since.IsZero() && o.since.Before(p.since)) {
		p.since = o.since
	}
	return dropped
}

func statusRank(s string) int {
	switch s {
	case store.StatusAcknowledged:
		return 1
	case store.StatusResolved:
		return 2
	}
	return 0
}

// hasDiagnosis: the same diagnosis (same time, source, cause and message)
// is already in ds.
func hasDiagnosis(ds []store.Diagnosis, d store.Diagnosis) bool {
	return slices.ContainsFunc(ds, func(x store.Diagnosis) bool {
		return x.At.Equal(d.At) && x.Source == d.Source && x.Cause == d.Cause && x.Phase == d.Phase && x.MessageTS == d.MessageTS
	})
}

// apply is the store.Update that merges p into the stored incident.
func (p *pendingIncident) apply(in *store.Incident) {
	if p.move != nil {
		p.move.apply(in)
	}
	for _, d := range p.diagnoses {
		if !hasDiagnosis(in.Diagnoses, d) {
			store.AddDiagnosis(d)(in)
		}
	}
	// Another writer may have added newer diagnoses meanwhile: keep them
	// in time order, so Latest stays the newest.
	slices.SortStableFunc(in.Diagnoses, func(a, b store.Diagnosis) int { return a.At.Compare(b.At) })
	for _, u := range p.users {
		store.AddUser(u)(in)
	}
	if in.RootTS == "" {
		in.RootTS = p.rootTS
	}
	if p.status != nil && statusRank(p.status.status) > statusRank(in.Status) {
		store.SetStatus(p.status.status, p.status.by, p.status.at)(in)
	}
}

// pendingWrites is the bounded set of waiting entries, by tunnel.
type pendingWrites struct {
	mu      sync.Mutex
	max     int
	entries map[string]*pendingIncident
	taken   int // entries taken by a flush and not yet written or put back
	wake    chan struct{}
}

func newPendingWrites(max int) *pendingWrites {
	if max <= 0 {
		max = DefaultMaxPendingWrites
	}
	return &pendingWrites{max: max, entries: map[string]*pendingIncident{}, wake: make(chan struct{}, 1)}
}

// put merges e into the entry for its tunnel. It refuses (false) a new
// tunnel when the bound is reached; the caller says so in the reply.
func (w *pendingWrites) put(e *pendingIncident) (ok bool, droppedDiagnoses int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	cur, exists := w.entries[e.base.Tunnel]
	if !exists {
		if len(w.entries) >= w.max {
			return false, 0
		}
		cur = &pendingIncident{base: store.Incident{Tunnel: e.base.Tunnel}}
		w.entries[e.base.Tunnel] = cur
	}
	dropped := cur.merge(e)
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return true, dropped
}

// take removes and returns every entry; the flush puts back what it could
// not write.
func (w *pendingWrites) take() []*pendingIncident {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*pendingIncident, 0, len(w.entries))
	for _, e := range w.entries {
		out = append(out, e)
	}
	clear(w.entries)
	w.taken += len(out)
	return out
}

// done marks one taken entry written or put back.
func (w *pendingWrites) done() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.taken--
}

// len counts the tunnels waiting, including those a flush is writing.
func (w *pendingWrites) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.entries) + w.taken
}

// PendingWrites is how many tunnels have incident writes waiting for the
// store (0 when everything is written).
func (b *Bot) PendingWrites() int { return b.pending.len() }

// deferWrite keeps e for the retry loop and returns the reply warning that
// is true for it.
func (b *Bot) deferWrite(e *pendingIncident, op string, err error) string {
	if e.since.IsZero() {
		e.since = b.cfg.Clock.Now()
	}
	ok, dropped := b.pending.put(e)
	if dropped > 0 {
		b.countDeferred("dropped")
		b.log.Error("pending incident writes: too many diagnoses waiting for one tunnel; the oldest were dropped", "tunnel", e.base.Tunnel, "dropped", dropped, "limit", maxPendingDiagnoses)
	}
	if !ok {
		b.countDeferred("dropped")
		b.log.Error("incident write lost: "+storeTrouble(err)+" and the pending-write bound is reached", "op", op, "tunnel", e.base.Tunnel, "limit", b.pending.max, "err", err)
		if errors.Is(err, store.ErrFull) {
			return stateNotSavedFull
		}
		return stateNotSaved
	}
	b.countDeferred("queued")
	b.log.Warn("incident write held for retry: "+storeTrouble(err), "op", op, "tunnel", e.base.Tunnel, "incident_id", e.id, "err", err)
	if errors.Is(err, store.ErrFull) {
		return stateDeferredFull
	}
	return stateDeferred
}

// Start runs the bot's background work until ctx ends: writing the
// incident state the store refused once it answers again, and (with
// Config.Outbox) delivering the messages held back. Transports call it;
// calling it again does nothing.
func (b *Bot) Start(ctx context.Context) {
	b.startOnce.Do(func() {
		if b.cfg.Outbox != nil {
			b.cfg.Outbox.Start(ctx)
		}
		go b.retryPending(ctx)
		if b.debugsEnabled() {
			go func() {
				if err := b.SweepDebugs(ctx); err != nil {
					b.log.ErrorContext(ctx, "startup debug sweep incomplete", "err", err)
				}
			}()
		}
	})
}

// retryPending writes pending entries with backoff until ctx ends.
func (b *Bot) retryPending(ctx context.Context) {
	backoff := pendingRetryMin
	for {
		var wait <-chan time.Time
		if b.pending.len() > 0 {
			wait = b.cfg.Clock.After(backoff)
		}
		select {
		case <-ctx.Done():
			if n := b.pending.len(); n > 0 {
				b.log.Error("incident writes not done: tunneldoc is stopping while the store is unreachable", "tunnels", n)
				for range n {
					b.countDeferred("given_up")
				}
			}
			return
		case <-b.pending.wake:
			if wait == nil {
				continue // first entry: wait backoff before trying
			}
		case <-wait:
		}
		if b.flushPending(ctx) {
			backoff = pendingRetryMin
		} else {
			backoff = min(2*backoff, pendingRetryMax)
		}
	}
}

// flushPending tries every entry once; false when the store still fails.
func (b *Bot) flushPending(ctx context.Context) bool {
	entries := b.pending.take()
	ok := true
	for i, e := range entries {
		if !ok {
			b.pending.put(e)
			b.pending.done()
			continue
		}
		if err := b.writePending(ctx, e); err != nil {
			ok = false
			b.pending.put(e)
			b.log.Debug("pending incident writes: store still unreachable", "waiting", len(entries)-i, "err", err)
		}
		b.pending.done()
	}
	return ok
}

// writePending writes one entry: Open (when its incident is not known)
// then a merging Update.
func (b *Bot) writePending(ctx context.Context, e *pendingIncident) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	created := false
	if e.id != "" {
		_, err := b.cfg.Store.Update(ctx, e.id, e.apply)
		if err == nil {
			b.wrotePending(e, false)
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) || e.base.Channel == "" {
			return err
		}
		// The store lost the incident (a Redis without its data): rebuild
		// it under its id, as threadOwner does from Slack metadata.
		e.base.ID = e.id
	}
	inc, c, err := b.cfg.Store.Open(ctx, e.base)
	if err != nil {
		return err
	}
	e.id, created = inc.ID, c
	if _, err := b.cfg.Store.Update(ctx, e.id, e.apply); err != nil {
		return err
	}
	b.wrotePending(e, created)
	return nil
}

func (b *Bot) wrotePending(e *pendingIncident, created bool) {
	b.countDeferred("written")
	b.log.Info("incident written after the store came back", "tunnel", e.base.Tunnel, "incident_id", e.id, "created", created,
		"diagnoses", len(e.diagnoses), "waited", b.cfg.Clock.Now().Sub(e.since).Round(time.Millisecond))
}

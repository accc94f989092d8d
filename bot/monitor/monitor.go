package monitor

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Event sources.
const (
	SourcePoll    = "poll"
	SourceSyslog  = "syslog"
	SourceWebhook = "webhook"
)

// Event is one observation of a tunnel's state, from any source.
type Event struct {
	Peer   string
	Device string // "" when the source does not know; resolved from the targets
	Down   bool
	Source string
	// Why the source says so (a poll's reason, the syslog message, the
	// alert's summary); redacted before use.
	Detail string
	// Report is the diagnosis when the source has one (a poll's
	// transcript); otherwise the monitor runs a check on down.
	Report *diagnose.Report
	// Partial: Report was read from the SA tables only (a device poll);
	// the thread's diagnosis comes from a full check when one is possible.
	Partial bool
	// Text is device text the cause can be read from when no check is
	// possible (a syslog line).
	Text string
}

// Target is one tunnel the inventory says must be up.
type Target struct {
	Device string
	Peer   string
	Name   string // the tunnel's name, if the inventory gives one
}

// Config tunes the monitor; zero values take the defaults.
type Config struct {
	Interval       time.Duration     // polling interval (default 1m)
	LeaseTTL       time.Duration     // device lease (default 3 x Interval)
	DefaultChannel string            // where a tunnel without its own channel posts
	Channels       map[string]string // tunnel name, peer, "peer|device" or device -> channel
	FlapWindow     time.Duration     // default 10m
	FlapCount      int               // transitions within FlapWindow that make it flapping (default 4)
	ReopenWindow   time.Duration     // a new outage this soon after resolution reuses the thread (default 30m)
	RootEvery      time.Duration     // at most one root edit per tunnel this often (default 10s; chat.update is Tier 3)
	RootRefresh    time.Duration     // an open root's "down for" is refreshed this often (default 5m)
	CheckTimeout   time.Duration     // a check run for a syslog/webhook outage (default 60s)
	LockTTL        time.Duration     // the per-tunnel lease while one replica handles it (default 2 x CheckTimeout)
	ClaimTTL       time.Duration     // a transition claim before it is sent or retried (default LockTTL)
	RecordTTL      time.Duration     // a tunnel record's lifetime after its last write (default 30 days)
	ReplicaID      string            // names this replica in logs; default random
	// SyslogAllow lists the networks syslog is accepted from; empty
	// accepts every sender.
	SyslogAllow []netip.Prefix
}

func (c Config) withDefaults() Config {
	if c.Interval <= 0 {
		c.Interval = time.Minute
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 3 * c.Interval
	}
	if c.FlapWindow <= 0 {
		c.FlapWindow = 10 * time.Minute
	}
	if c.FlapCount <= 1 {
		c.FlapCount = 4
	}
	if c.ReopenWindow <= 0 {
		c.ReopenWindow = 30 * time.Minute
	}
	if c.RootEvery <= 0 {
		c.RootEvery = 10 * time.Second
	}
	if c.RootRefresh <= 0 {
		c.RootRefresh = 5 * time.Minute
	}
	if c.CheckTimeout <= 0 {
		c.CheckTimeout = time.Minute
	}
	if c.LockTTL <= 0 {
		c.LockTTL = 2 * c.CheckTimeout
	}
	if c.ClaimTTL <= 0 {
		c.ClaimTTL = c.LockTTL
	}
	if c.RecordTTL <= 0 {
		c.RecordTTL = 30 * 24 * time.Hour
	}
	if c.ReplicaID == "" {
		c.ReplicaID = "r-" + rand.Text()[:8]
	}
	return c
}

// Deps are the monitor's collaborators.
type Deps struct {
	Messenger bot.Messenger // required
	// Deliveries, when the Messenger queues posts it could not send,
	// says when they are delivered (bot.Config.Deliveries); Finder looks
	// a post up by its delivery id before it is posted again. nil: the
	// Messenger never queues, posts are not looked up.
	Deliveries bot.DeliveryWatcher
	Finder     bot.DeliveryFinder
	State      store.MonitorState // required: Redis for several replicas
	Incidents  store.Store        // optional: open incidents also appear in the bot's `status` and own their thread
	Checker    bot.TunnelChecker  // optional: the diagnosis of an outage (and polling, when there is no Poller)
	Poller     DevicePoller       // optional: one cheap SA-table read per device and interval
	Targets    []Target           // the tunnels to poll
	Clock      clock.Clock        // default clock.Real
	Logger     *slog.Logger
	// Diagnose is the engine; default diagnose.Diagnose.
	Diagnose func(string, diagnose.Options) diagnose.Report
}

// sentTTL keeps a posted transition's mark. Transition IDs carry the
// record's sequence number, which only grows, so the mark is needed only
// while a replica might still be retrying the same transition.
const sentTTL = 24 * time.Hour

// Monitor turns events into incident threads.
type Monitor struct {
	cfg   Config
	deps  Deps
	log   *slog.Logger
	clock clock.Clock
	token string // this replica's lease token

	mu sync.Mutex
	// locks keeps this replica's goroutines apart per tunnel (the store's
	// tunnel lease keeps replicas apart).
	locks map[string]*tunnelLock
	// unsaved holds records this replica changed (usually after posting)
	// that the store did not take; they are written before the tunnel is
	// handled again, so a post is not repeated or forgotten after a
	// store outage.
	unsaved map[string]*record
	// counters are the last poll's SA counters per tunnel, for the
	// one-way traffic test.
	counters map[string]Verdict
}

// New checks deps and returns a Monitor.
func New(cfg Config, deps Deps) (*Monitor, error) {
	if deps.Messenger == nil || deps.State == nil {
		return nil, errors.New("monitor: a Messenger and a State store are required")
	}
	if deps.Clock == nil {
		deps.Clock = clock.Real
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Diagnose == nil {
		deps.Diagnose = diagnose.Diagnose
	}
	cfg = cfg.withDefaults()
	return &Monitor{cfg: cfg, deps: deps, clock: deps.Clock, token: cfg.ReplicaID + "-" + rand.Text(),
		log:   deps.Logger.With("component", "monitor", "replica", cfg.ReplicaID),
		locks: map[string]*tunnelLock{}, unsaved: map[string]*record{}, counters: map[string]Verdict{}}, nil
}

// Config returns the effective configuration.
func (m *Monitor) Config() Config { return m.cfg }

// record is the monitor's state of one tunnel, shared by the replicas.
type record struct {
	Tunnel     string `json:"tunnel"`
	Peer       string `json:"peer"`
	Device     string `json:"device,omitempty"`
	Name       string `json:"name,omitempty"`
	Channel    string `json:"channel,omitempty"`
	ThreadTS   string `json:"thread_ts,omitempty"` // the root message; "" until posted
	IncidentID string `json:"incident_id,omitempty"`

	Open       bool        `json:"open"`               // an incident is open (down, or flapping and not yet settled)
	Down       bool        `json:"down"`               // the tunnel's last known state
	Seq        int         `json:"seq"`                // transitions seen; names each transition's once-only claim
	Outages    int         `json:"outages"`            // outages in this thread (reopens count)
	Since      time.Time   `json:"since"`              // the thread's first outage
	DownAt     time.Time   `json:"down_at"`            // the current outage's start
	ChangedAt  time.Time   `json:"changed_at"`         // last transition
	ResolvedAt time.Time   `json:"resolved_at"`        // last resolution
	Flaps      []time.Time `json:"flaps,omitempty"`    // transitions within the flap window
	Flapping   bool        `json:"flapping,omitempty"` // marked flapping (said once in the thread)
	FlapTotal  int         `json:"flap_total,omitempty"`

	Phase      string  `json:"phase,omitempty"`
	Cause      string  `json:"cause,omitempty"` // the strongest reading of this outage (cause.go)
	Confidence float64 `json:"confidence,omitempty"`
	Summary    string  `json:"summary,omitempty"`
	Source     string  `json:"source,omitempty"`

	RootText      string    `json:"root_text,omitempty"`       // what the root shows now
	RootDirty     bool      `json:"root_dirty,omitempty"`      // the root needs an edit
	RootUpdatedAt time.Time `json:"root_updated_at,omitempty"` // last edit (debounce)

	// Poll counters, summed over the peer's IPsec SAs.
	Encaps     int64     `json:"encaps"`
	Decaps     int64     `json:"decaps"`
	OneWay     int       `json:"one_way,omitempty"` // consecutive one-way intervals (Verdict.OneWay)
	CountersAt time.Time `json:"counters_at,omitempty"`

	// DiagnosisDue: the root is posted but the diagnosis reply is not yet
	// (the store or Slack failed, or the replica stopped in between); any
	// replica posts it on the tunnel's next poll or sweep.
	DiagnosisDue bool `json:"diagnosis_due,omitempty"`
}

// load returns the tunnel's record; call it holding the tunnel (see
// withTunnel). A record this replica could not save earlier is written
// first, unless another replica has moved the tunnel on since.
func (m *Monitor) load(ctx context.Context, tunnel string) (*record, error) {
	stored, err := m.loadStored(ctx, tunnel)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	mine := m.unsaved[tunnel]
	m.mu.Unlock()
	if mine == nil {
		return stored, nil
	}
	if stored != nil && (stored.Seq > mine.Seq || stored.ThreadTS != "" && mine.ThreadTS != "" && stored.ThreadTS != mine.ThreadTS && !bot.IsQueuedTS(stored.ThreadTS)) {
		m.log.Info("dropping an unsaved tunnel record: another replica has moved the tunnel on", "tunnel", tunnel, "seq", mine.Seq, "stored_seq", stored.Seq)
		m.forget(mine)
		return stored, nil
	}
	r := mine.clone()
	if err := m.save(ctx, r); err != nil {
		return nil, err
	}
	m.log.Info("wrote a tunnel record held back by a store failure", "tunnel", tunnel, "seq", r.Seq)
	return r, nil
}

func (r *record) clone() *record {
	c := *r
	c.Flaps = append([]time.Time(nil), r.Flaps...)
	return &c
}

// forget drops r from the unsaved records if it is still the one held.
func (m *Monitor) forget(r *record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.unsaved[r.Tunnel] == r {
		delete(m.unsaved, r.Tunnel)
	}
}

// flushUnsaved writes the records held back by a store failure.
func (m *Monitor) flushUnsaved(ctx context.Context) {
	m.mu.Lock()
	var tunnels []string
	for t := range m.unsaved {
		tunnels = append(tunnels, t)
	}
	m.mu.Unlock()
	for _, t := range tunnels {
		if err := m.withTunnel(ctx, t, func() error { _, err := m.load(ctx, t); return err }); err != nil {
			m.log.Warn("writing a held-back tunnel record", "tunnel", t, "err", err)
		}
	}
}

// loadStored reads the record from the store only.
func (m *Monitor) loadStored(ctx context.Context, tunnel string) (*record, error) {
	b, ok, err := m.deps.State.LoadTunnel(ctx, tunnel)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("monitor record %s: %w", tunnel, err)
	}
	return &r, nil
}

// save writes the record; when the store fails, the record is held in
// this replica and written before the tunnel is handled again.
func (m *Monitor) save(ctx context.Context, r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("monitor record %s: %w", r.Tunnel, err)
	}
	err = m.deps.State.SaveTunnel(ctx, r.Tunnel, b, m.cfg.RecordTTL)
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.unsaved[r.Tunnel] = r.clone()
		return err
	}
	delete(m.unsaved, r.Tunnel)
	return nil
}

// withTunnel runs fn holding the tunnel's lease, so one replica at a time
// reads, posts and writes a tunnel's record. It waits a bounded time.
func (m *Monitor) withTunnel(ctx context.Context, tunnel string, fn func() error) error {
	// This replica's goroutines wait for each other here, so the store's
	// lease can carry the replica's own token: a hold left behind when a
	// release failed (the store was down) is renewed at once instead of
	// being waited out.
	m.mu.Lock()
	local := m.locks[tunnel]
	if local == nil {
		local = &tunnelLock{ch: make(chan struct{}, 1)}
		m.locks[tunnel] = local
	}
	local.refs++
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		if local.refs--; local.refs == 0 {
			delete(m.locks, tunnel) // events name any peer: keep only the locks in use
		}
		m.mu.Unlock()
	}()
	wait := time.NewTimer(m.cfg.LockTTL)
	select {
	case local.ch <- struct{}{}:
		wait.Stop()
	case <-ctx.Done():
		wait.Stop()
		return ctx.Err()
	case <-wait.C:
		return fmt.Errorf("monitor: tunnel %s is busy in this replica", tunnel)
	}
	defer func() { <-local.ch }()
	name := "tunnel:" + tunnel
	token := m.token
	deadline := m.clock.Now().Add(m.cfg.LockTTL)
	for i := 0; ; i++ {
		ok, err := m.deps.State.AcquireLease(ctx, name, token, m.cfg.LockTTL)
		if err != nil {
			return err
		}
		if ok {
			break
		}
		if i >= 200 || !m.clock.Now().Before(deadline) {
			return fmt.Errorf("monitor: tunnel %s is busy in another replica", tunnel)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
	// Released with a fresh context: a cancelled caller still frees it.
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = m.deps.State.ReleaseLease(rctx, name, token)
	}()
	return fn()
}

// tunnelLock is one tunnel's lock in this replica; refs counts the
// goroutines holding or waiting for it.
type tunnelLock struct {
	ch   chan struct{}
	refs int
}

// resolveTarget completes an event's device and tunnel name from the
// targets: the one device terminating the peer when the source did not
// say, or the target whose device matches.
func (m *Monitor) resolveTarget(peer, device string) Target {
	var byPeer []Target
	for _, t := range m.deps.Targets {
		if t.Peer != peer {
			continue
		}
		if device != "" && strings.EqualFold(t.Device, device) {
			return t
		}
		byPeer = append(byPeer, t)
	}
	if len(byPeer) == 1 && (device == "" || !m.knownDevice(device)) {
		return byPeer[0]
	}
	return Target{Peer: peer, Device: device}
}

func (m *Monitor) knownDevice(name string) bool {
	for _, t := range m.deps.Targets {
		if strings.EqualFold(t.Device, name) {
			return true
		}
	}
	return false
}

// channelFor picks the tunnel's channel.
func (m *Monitor) channelFor(t Target) string {
	for _, k := range []string{store.Tunnel(t.Peer, t.Device), t.Name, t.Peer, t.Device} {
		if k == "" {
			continue
		}
		if c, ok := m.cfg.Channels[k]; ok && c != "" {
			return c
		}
	}
	return m.cfg.DefaultChannel
}

// Handle applies one event: it may open, update, reopen or resolve the
// tunnel's incident. It returns an error when the state store or Slack
// failed, so a webhook can ask its sender to retry.
func (m *Monitor) Handle(ctx context.Context, ev Event) error {
	ev.Peer = strings.TrimSpace(ev.Peer)
	if ev.Peer == "" {
		return errors.New("monitor: event without a peer")
	}
	t := m.resolveTarget(ev.Peer, strings.TrimSpace(ev.Device))
	tunnel := store.Tunnel(t.Peer, t.Device)
	return m.withTunnel(ctx, tunnel, func() error {
		r, err := m.load(ctx, tunnel)
		if err != nil {
			return err
		}
		if r == nil {
			if !ev.Down {
				return nil // never seen down: nothing to say, nothing to keep
			}
			r = &record{Tunnel: tunnel, Peer: t.Peer, Device: t.Device, Name: t.Name}
		}
		return m.apply(ctx, r, ev)
	})
}

// apply runs under the tunnel lease.
func (m *Monitor) apply(ctx context.Context, r *record, ev Event) error {
	now := m.clock.Now()
	muted := m.silenced(ctx, r.Peer)
	// A stronger cause the bot recorded in the thread's incident is the
	// outage's cause now; the root says it (the bot already said it in
	// the thread).
	followed := m.followIncident(ctx, r)
	if followed {
		r.RootDirty = true
	}
	if ev.Down == r.Down && (r.Open || !ev.Down) {
		if r.Open && r.Down && r.DiagnosisDue && r.ThreadTS != "" && !muted {
			return m.dueDiagnosis(ctx, r, ev)
		}
		// Unchanged state: only a stronger cause is news (cause.go).
		if ev.Down && ev.Report != nil && stronger(r, ev.Report.Cause, ev.Report.Confidence) && r.ThreadTS != "" && !muted && !r.Flapping {
			return m.newCause(ctx, r, ev, now)
		}
		if followed {
			m.editRoot(ctx, r, true)
			return m.save(ctx, r)
		}
		return nil
	}
	base := r.Since // names the root's delivery (rootID) before a new thread resets it
	r.Seq++
	r.ChangedAt = now
	r.Down = ev.Down
	r.Source = ev.Source
	r.Flaps = append(pruneFlaps(r.Flaps, now, m.cfg.FlapWindow), now)
	r.FlapTotal++ // state changes in this thread
	prevCause := r.Phase + "/" + r.Cause
	if ev.Down {
		r.DownAt = now
		if !r.Open {
			r.Phase, r.Cause, r.Confidence = "", "", 0 // a new outage starts from nothing
		}
		m.takeCause(r, ev)
	}
	flapping := r.Flapping || len(r.Flaps) >= m.cfg.FlapCount
	switch {
	case ev.Down && !r.Open:
		reopen := r.ThreadTS != "" && !r.ResolvedAt.IsZero() && now.Sub(r.ResolvedAt) <= m.cfg.ReopenWindow
		r.Open = true
		r.Outages++
		if !reopen {
			r.ThreadTS, r.IncidentID, r.Outages, r.Since, r.FlapTotal = "", "", 1, now, 1
			r.Flaps = []time.Time{now}
			r.Flapping = false
			r.RootUpdatedAt = time.Time{}
		}
		switch {
		case muted:
			return m.save(ctx, r) // posted when the silence ends, if still down
		case !reopen:
			return m.openThread(ctx, r, ev, m.rootID(r, base))
		case flapping:
			m.linkIncident(ctx, r)
			return m.flap(ctx, r, muted)
		}
		return m.reopenThread(ctx, r, ev, prevCause)
	case flapping:
		return m.flap(ctx, r, muted)
	case !ev.Down:
		return m.resolve(ctx, r, muted, "")
	}
	// Down while open (was up but not resolved): a state change in the thread.
	if muted || r.ThreadTS == "" {
		return m.save(ctx, r)
	}
	if err := m.postOnce(ctx, r, "down", bot.Say(bot.IconDown, fmt.Sprintf("down again — %s.", m.causeText(r)))); err != nil {
		return err
	}
	r.RootDirty = true
	m.editRoot(ctx, r, true)
	return m.save(ctx, r)
}

// takeCause records the event's reading when it is stronger than the
// outage's cause so far (cause.go); without one, the event's own words.
func (m *Monitor) takeCause(r *record, ev Event) {
	if ev.Report != nil && stronger(r, ev.Report.Cause, ev.Report.Confidence) {
		setCause(r, *ev.Report, redact.Line(firstLine(ev.Report.Summary)))
		return
	}
	if r.Cause == "" {
		r.Phase = ""
		r.Summary = redact.Line(firstLine(ev.Detail))
	}
}

// flap handles a transition of a flapping tunnel: one message when it
// starts flapping, then only (debounced) root edits.
func (m *Monitor) flap(ctx context.Context, r *record, muted bool) error {
	first := !r.Flapping
	r.Flapping = true
	r.RootDirty = true
	if muted || r.ThreadTS == "" {
		return m.save(ctx, r)
	}
	if first {
		text := fmt.Sprintf("%s is flapping: %d state changes in %s (now %s). This thread stays the one incident; the message above is edited instead of a post per change. Flaps often come from mismatched lifetimes, DPD timers or one-way traffic.",
			m.tunnelTitle(r), len(r.Flaps), humanDuration(m.cfg.FlapWindow), upDown(r.Down))
		if err := m.postOnce(ctx, r, "flapping", bot.Say(bot.IconWarning, text)); err != nil {
			return err
		}
	}
	m.editRoot(ctx, r, first)
	return m.save(ctx, r)
}

// newCause says a new diagnosis in the thread (once per transition).
func (m *Monitor) newCause(ctx context.Context, r *record, ev Event, now time.Time) error {
	r.Seq++
	m.takeCause(r, ev)
	if err := m.postDiagnosis(ctx, r, *ev.Report, nil, "cause"); err != nil {
		return err
	}
	r.RootDirty = true
	m.editRoot(ctx, r, false)
	_ = now
	return m.save(ctx, r)
}

// openThread posts the root message and the diagnosis for a new incident.
// rootID is the root's delivery id (see rootID).
func (m *Monitor) openThread(ctx context.Context, r *record, ev Event, rootID string) error {
	r.Channel = m.channelFor(Target{Device: r.Device, Peer: r.Peer, Name: r.Name})
	if r.Channel == "" {
		m.log.Error("tunnel down but no channel is configured for it (TUNNELDOC_MONITOR_CHANNEL)", "tunnel", r.Tunnel)
		return m.save(ctx, r)
	}
	id := m.txID(r, "open")
	ok, err := m.deps.State.ClaimTransition(ctx, id, m.cfg.ClaimTTL)
	if err != nil {
		return err
	}
	if !ok {
		return nil // another replica posts (or posted) it
	}
	// The diagnosis first (a check for syslog and webhook outages), so the
	// root names the phase and cause.
	rep, check, diagnosed, note := m.diagnosisFor(ctx, r, ev)
	icon, text := m.rootText(r)
	r.RootText = text
	ts, adopted, err := m.deliver(ctx, bot.Message{Channel: r.Channel, Reply: bot.Say(icon, text), DeliveryID: rootID})
	if err != nil {
		_ = m.deps.State.DropTransition(ctx, id)
		return fmt.Errorf("monitor: posting the root for %s: %w", r.Tunnel, err)
	}
	r.ThreadTS = ts
	if bot.IsQueuedTS(ts) {
		m.whenRootDelivered(r.Tunnel, ts) // Slack is failing: the outbox posts the root later
	}
	r.RootUpdatedAt = m.clock.Now()
	r.RootDirty = adopted // an earlier attempt's text: brought up to date by the next edit
	r.DiagnosisDue = true
	// The thread exists now: record it first, before anything else can
	// fail or the replica stop, so no other replica opens a second one.
	if err := m.save(ctx, r); err != nil {
		m.log.Error("saving the tunnel record after the root was posted; kept to write later", "tunnel", r.Tunnel, "err", err)
	}
	m.linkIncident(ctx, r)
	if err := m.deps.State.TransitionSent(ctx, id, sentTTL); err != nil {
		m.log.Warn("recording a sent transition", "id", id, "err", err)
	}
	if diagnosed {
		err = m.postDiagnosis(ctx, r, rep, check, "diagnosis")
	} else {
		err = m.postOnce(ctx, r, "diagnosis", note)
	}
	if err != nil {
		m.log.Warn("posting the diagnosis failed; it is posted on a later poll", "tunnel", r.Tunnel, "err", err)
	} else {
		r.DiagnosisDue = false
	}
	return m.save(ctx, r)
}

// dueDiagnosis posts the diagnosis an open thread is still owed.
func (m *Monitor) dueDiagnosis(ctx context.Context, r *record, ev Event) error {
	if r.IncidentID == "" {
		m.linkIncident(ctx, r) // the replica that opened the thread may have stopped before
	}
	rep, check, diagnosed, note := m.diagnosisFor(ctx, r, ev)
	var err error
	if diagnosed {
		err = m.postDiagnosis(ctx, r, rep, check, "diagnosis")
	} else {
		err = m.postOnce(ctx, r, "diagnosis", note)
	}
	if err != nil {
		return err
	}
	r.DiagnosisDue = false
	r.RootDirty = true
	m.editRoot(ctx, r, false)
	return m.save(ctx, r)
}

// reopenThread says the outage is back in the old thread; the diagnosis
// is posted again only when it differs from the last one.
func (m *Monitor) reopenThread(ctx context.Context, r *record, ev Event, prevCause string) error {
	text := fmt.Sprintf("down again %s after it was resolved — reopened (outage %d in this thread). %s.",
		humanDuration(m.clock.Now().Sub(r.ResolvedAt)), r.Outages, capitalise(m.causeText(r)))
	if err := m.postOnce(ctx, r, "reopen", bot.Say(bot.IconDown, text)); err != nil {
		return err
	}
	m.linkIncident(ctx, r)
	r.RootDirty = true
	m.editRoot(ctx, r, true)
	if err := m.save(ctx, r); err != nil {
		return err
	}
	if ev.Report != nil || m.deps.Checker != nil {
		rep, check, diagnosed, _ := m.diagnosisFor(ctx, r, ev)
		if diagnosed && rep.Phase+"/"+rep.Cause != prevCause && rep.Cause != diagnose.CauseHealthy {
			if err := m.postDiagnosis(ctx, r, rep, check, "diagnosis"); err != nil {
				m.log.Error("posting the diagnosis", "tunnel", r.Tunnel, "err", err)
			}
		}
	}
	return m.save(ctx, r)
}

// resolve closes the incident: one reply and the root edited.
func (m *Monitor) resolve(ctx context.Context, r *record, muted bool, why string) error {
	now := m.clock.Now()
	was := now.Sub(r.DownAt)
	if r.Outages > 1 || r.FlapTotal > 2 {
		was = now.Sub(r.Since)
	}
	r.Open, r.Down = false, false
	r.DiagnosisDue = false // the outage is over: a check now would show the tunnel up
	r.ResolvedAt = now
	flapped := r.Flapping
	if flapped {
		r.Flapping = false
		r.Flaps = nil
	}
	if muted || r.ThreadTS == "" {
		r.RootDirty = r.ThreadTS != ""
		m.closeIncident(ctx, r)
		return m.save(ctx, r)
	}
	text := fmt.Sprintf("resolved after %s.", humanDuration(was))
	if flapped {
		text = fmt.Sprintf("resolved after %s: stable for %s after %d state changes.", humanDuration(was), humanDuration(m.cfg.FlapWindow), r.FlapTotal)
	}
	if why != "" {
		text += " " + why
	}
	if err := m.postOnce(ctx, r, "resolve", bot.Say(bot.IconUp, text)); err != nil {
		return err
	}
	m.closeIncident(ctx, r)
	r.RootDirty = true
	m.editRoot(ctx, r, true)
	return m.save(ctx, r)
}

// txID names a thread post's transition claim; it is also the post's
// delivery id (bot.Message.DeliveryID): every replica derives it the same
// way from the stored record.
func (m *Monitor) txID(r *record, kind string) string {
	return r.Tunnel + ":" + r.Since.UTC().Format("20060102T150405") + ":" + strconv.Itoa(r.Seq) + ":" + kind
}

// rootID is a new thread's delivery id. The root's claim (txID) names the
// new thread's start, which each replica reads from its own clock; base is
// the record's Since before the transition (zero for a new tunnel), which
// every replica reads from the store, so a replica retrying the transition
// of one that died derives the same id.
func (m *Monitor) rootID(r *record, base time.Time) string {
	return r.Tunnel + ":" + base.UTC().Format("20060102T150405") + ":" + strconv.Itoa(r.Seq) + ":root"
}

// deliver posts msg (its DeliveryID set) at most once across replicas that
// die between Slack accepting a post and the store recording it. Before
// the first attempt it leaves a mark under the delivery id (one SET NX);
// when the mark is there already, an earlier attempt (this replica's, or
// one that died) may have been accepted, so Slack is read for the id
// first (bot.DeliveryFinder) and a message found is adopted: its ts is
// returned with adopted true and nothing is posted. The mark lives as long
// as a sent transition's (sentTTL), which bounds how far back a root is
// looked for. Without Deps.Finder (the console cannot look posts up) the
// post goes out directly.
func (m *Monitor) deliver(ctx context.Context, msg bot.Message) (ts string, adopted bool, err error) {
	finder := m.deps.Finder
	if finder == nil || msg.DeliveryID == "" {
		ts, err = m.deps.Messenger.Post(ctx, msg)
		return ts, false, err
	}
	first, err := m.deps.State.ClaimTransition(ctx, "try:"+msg.DeliveryID, sentTTL)
	if err != nil {
		return "", false, err
	}
	if !first {
		ts, found, err := finder.FindDelivery(ctx, msg.Channel, msg.ThreadTS, msg.DeliveryID, m.clock.Now().Add(-sentTTL))
		if err != nil {
			return "", false, fmt.Errorf("looking in Slack for an earlier attempt: %w", err)
		}
		if found {
			m.log.Info("an earlier attempt at this post reached Slack; recording it instead of posting again",
				"delivery", msg.DeliveryID, "channel", msg.Channel, "thread", msg.ThreadTS, "ts", ts)
			return ts, true, nil
		}
	}
	ts, err = m.deps.Messenger.Post(ctx, msg)
	return ts, false, err
}

// postOnce posts a thread reply for the current transition, once across
// replicas: claim, post, then mark sent (or drop the claim so it is
// retried).
func (m *Monitor) postOnce(ctx context.Context, r *record, kind string, reply bot.Reply) error {
	id := m.txID(r, kind)
	if ok, err := m.claim(ctx, r, id, kind); err != nil || !ok {
		return err
	}
	if _, _, err := m.deliver(ctx, bot.Message{Channel: r.Channel, ThreadTS: r.ThreadTS, Reply: reply, Incident: m.ref(r), DeliveryID: id}); err != nil {
		_ = m.deps.State.DropTransition(ctx, id)
		return fmt.Errorf("monitor: posting %s for %s: %w", kind, r.Tunnel, err)
	}
	if err := m.deps.State.TransitionSent(ctx, id, sentTTL); err != nil {
		m.log.Warn("recording a sent transition", "id", id, "err", err)
	}
	return nil
}

// claim takes the once-only claim of a thread post. false, nil: it was
// sent already. A claim another replica holds but has not marked sent is
// an error: that replica is posting it or stopped before it could, so the
// caller leaves the record unchanged and the post is retried once the
// claim expires, instead of being taken as done.
func (m *Monitor) claim(ctx context.Context, r *record, id, kind string) (bool, error) {
	ok, err := m.deps.State.ClaimTransition(ctx, id, m.cfg.ClaimTTL)
	if err != nil || ok {
		return ok, err
	}
	st, err := m.deps.State.TransitionState(ctx, id)
	if err != nil {
		return false, err
	}
	if st == "sent" {
		return false, nil
	}
	return false, fmt.Errorf("monitor: the %s post for %s is claimed but not sent (another replica is posting it or stopped); retried after the claim expires", kind, r.Tunnel)
}

func (m *Monitor) ref(r *record) *bot.IncidentRef {
	if r.IncidentID == "" {
		return nil
	}
	return &bot.IncidentRef{ID: r.IncidentID, Peer: r.Peer, Device: r.Device}
}

// diagnosisFor returns the event's diagnosis, or runs a check (the same
// collection as `check tunnel`), or reads the event's own text. ok is
// false when none of them told anything; note then says why, for the
// thread. check is the check whose transcript was diagnosed, if any: its
// notes say which commands came back incomplete.
func (m *Monitor) diagnosisFor(ctx context.Context, r *record, ev Event) (rep diagnose.Report, check *bot.CheckResult, ok bool, note bot.Reply) {
	if ev.Report != nil && (!ev.Partial || m.deps.Checker == nil) {
		return *ev.Report, nil, true, bot.Reply{}
	}
	why := "no device inventory is configured for me to check it"
	if m.deps.Checker != nil {
		cctx, cancel := context.WithTimeout(ctx, m.cfg.CheckTimeout)
		res, err := m.deps.Checker.CheckTunnel(cctx, r.Peer, r.Device)
		cancel()
		if strings.TrimSpace(res.Transcript) != "" {
			rep := m.deps.Diagnose(redact.Text(res.Transcript), diagnose.Options{Peer: r.Peer})
			if stronger(r, rep.Cause, rep.Confidence) {
				setCause(r, rep, redact.Line(firstLine(rep.Summary)))
			}
			res.Transcript = ""
			return rep, &res, true, bot.Reply{}
		}
		if err != nil {
			why = "checking it failed: " + redact.Line(firstLine(err.Error()))
			m.log.Warn("check for the monitor's diagnosis failed", "tunnel", r.Tunnel, "err", redact.Line(err.Error()))
		}
	}
	if ev.Report != nil {
		return *ev.Report, nil, true, bot.Reply{}
	}
	if strings.TrimSpace(ev.Text) != "" {
		rep := m.deps.Diagnose(redact.Text(ev.Text), diagnose.Options{Peer: r.Peer})
		if rep.Cause != "" && rep.Cause != diagnose.CauseHealthy && rep.Cause != diagnose.CauseUnknown {
			if stronger(r, rep.Cause, rep.Confidence) {
				setCause(r, rep, redact.Line(firstLine(rep.Summary)))
			}
			return rep, nil, true, bot.Reply{}
		}
	}
	peer := bot.Literal(r.Peer)
	text := fmt.Sprintf("I could not diagnose %s myself (%s). %s here after `diagnose`, or run `check tunnel %s on <device>`.",
		peer, bot.Literal(why), bot.Literal(strings.TrimSuffix(strings.Join(diagnose.PasteNext("", r.Peer), ". "), ".")), peer)
	if t := strings.TrimSpace(ev.Text); t != "" {
		// The event's own words first, verbatim, then what to do.
		note.Blocks = append(note.Blocks, bot.Block{Text: "The " + bot.Literal(ev.Source) + " message:"}, bot.Block{Kind: bot.Code, Lines: []string{firstLine(t)}})
	}
	note.Blocks = append(note.Blocks, bot.Block{Text: text})
	note.Summary = text // the notification says what to do, not "The syslog message:"
	return diagnose.Report{}, nil, false, note
}

// postDiagnosis renders a report as the bot does and posts it in the thread;
// check, when the report came from one, adds its notes on output that was
// cut short.
func (m *Monitor) postDiagnosis(ctx context.Context, r *record, rep diagnose.Report, check *bot.CheckResult, kind string) error {
	id := m.txID(r, kind)
	if ok, err := m.claim(ctx, r, id, kind); err != nil || !ok {
		return err
	}
	rc := bot.ReplyContext{Peer: r.Peer, Device: r.Device, Source: store.SourceMonitor, IncidentID: r.IncidentID, IncidentStatus: store.StatusOpen, CanRecheck: r.IncidentID != ""}
	if check != nil {
		rc.Collection, rc.CollectionCommands = check.Notes, len(check.Commands)
	}
	out := bot.Render(rep, rc)
	ts, adopted, err := m.deliver(ctx, bot.Message{Channel: r.Channel, ThreadTS: r.ThreadTS, Reply: out.Reply, Incident: m.ref(r), DeliveryID: id})
	if err != nil {
		_ = m.deps.State.DropTransition(ctx, id)
		return fmt.Errorf("monitor: posting the diagnosis for %s: %w", r.Tunnel, err)
	}
	if err := m.deps.State.TransitionSent(ctx, id, sentTTL); err != nil {
		m.log.Warn("recording a sent transition", "id", id, "err", err)
	}
	// An adopted diagnosis (posted by a replica that stopped before it
	// could record it) gets no evidence file: whether that replica
	// uploaded it cannot be looked up, and a second copy is worse than none.
	if out.File != nil && !adopted {
		if err := m.deps.Messenger.Upload(ctx, r.Channel, r.ThreadTS, out.File.Name, out.File.Title, out.File.Content); err != nil {
			m.log.Warn("evidence upload failed", "tunnel", r.Tunnel, "err", err)
		}
	}
	if m.deps.Incidents != nil && r.IncidentID != "" {
		if bot.IsQueuedTS(ts) {
			ts = "" // not in Slack yet (queued): no message ts to record
		}
		d := store.Diagnosis{Phase: rep.Phase, Cause: rep.Cause, Verdict: rep.Verdict, Source: store.SourceMonitor, At: m.clock.Now(), MessageTS: ts}
		if _, err := m.deps.Incidents.Update(ctx, r.IncidentID, store.AddDiagnosis(d)); err != nil {
			m.log.Warn("recording the monitor's diagnosis in the incident", "incident", r.IncidentID, "err", err)
		}
	}
	return nil
}

// whenRootDelivered replaces a root's stand-in ts (bot.IsQueuedTS: the
// Messenger queued the root while Slack failed) in the tunnel's record and
// in its bot incident once the root is delivered, so later posts, other
// replicas (to which the stand-in means nothing) and the bot's thread
// index use the real thread. A root that is given up leaves the record
// without a thread: the next sweep opens a new one.
func (m *Monitor) whenRootDelivered(tunnel, standIn string) {
	if m.deps.Deliveries == nil {
		return
	}
	m.deps.Deliveries.WhenDelivered(standIn, func(ts string, delivered bool) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*m.cfg.LockTTL)
		defer cancel()
		err := m.withTunnel(ctx, tunnel, func() error {
			r, err := m.load(ctx, tunnel)
			if err != nil || r == nil || r.ThreadTS != standIn {
				return err // moved on meanwhile (resolved and reopened): nothing to replace
			}
			if !delivered {
				m.log.Error("the root of a tunnel's thread was never delivered to Slack; the next sweep opens a new thread", "tunnel", tunnel)
				m.closeIncident(ctx, r)
				r.ThreadTS, r.IncidentID, r.DiagnosisDue = "", "", false
				return m.save(ctx, r)
			}
			r.ThreadTS = ts
			if m.deps.Incidents != nil && r.IncidentID != "" {
				if _, err := m.deps.Incidents.Update(ctx, r.IncidentID, func(in *store.Incident) {
					if in.ThreadTS == standIn {
						in.ThreadTS = ts
					}
					if in.RootTS == standIn {
						in.RootTS = ts
					}
				}); err != nil {
					m.log.Warn("setting the bot incident's thread ts after its root was delivered", "incident", r.IncidentID, "err", err)
				}
			}
			m.log.Info("a queued root was delivered; its thread ts is recorded", "tunnel", tunnel, "thread", ts)
			return m.save(ctx, r)
		})
		if err != nil {
			m.log.Error("recording the thread ts of a root delivered late", "tunnel", tunnel, "stand_in", standIn, "ts", ts, "err", err)
		}
	})
}

// linkIncident opens the bot's incident for the thread, so `status` lists
// it and pastes in the thread belong to it.
func (m *Monitor) linkIncident(ctx context.Context, r *record) {
	if m.deps.Incidents == nil || r.ThreadTS == "" {
		return
	}
	now := m.clock.Now()
	inc, created, err := m.deps.Incidents.Open(ctx, store.Incident{Tunnel: r.Tunnel, Peer: r.Peer, Device: r.Device,
		Channel: r.Channel, ThreadTS: r.ThreadTS, RootTS: r.ThreadTS, FirstSeen: now, LastSeen: now})
	if err != nil {
		m.log.Warn("opening the bot incident", "tunnel", r.Tunnel, "err", err)
		return
	}
	if !created && inc.ThreadTS != r.ThreadTS {
		m.log.Info("the tunnel already has an incident thread opened by hand; the monitor keeps its own", "tunnel", r.Tunnel, "incident", inc.ID)
		return
	}
	r.IncidentID = inc.ID
}

func (m *Monitor) closeIncident(ctx context.Context, r *record) {
	if m.deps.Incidents == nil || r.IncidentID == "" {
		return
	}
	if _, err := m.deps.Incidents.Update(ctx, r.IncidentID, store.SetStatus(store.StatusResolved, "", m.clock.Now())); err != nil {
		m.log.Warn("resolving the bot incident", "incident", r.IncidentID, "err", err)
	}
}

// editRoot edits the root in place when it is due (or now, when forced by
// an open/resolve). An edit that is not due stays dirty for Sweep.
func (m *Monitor) editRoot(ctx context.Context, r *record, force bool) {
	if r.ThreadTS == "" || !r.RootDirty {
		return
	}
	now := m.clock.Now()
	if !force && now.Sub(r.RootUpdatedAt) < m.cfg.RootEvery {
		return
	}
	icon, text := m.rootText(r)
	if text == r.RootText && !force {
		r.RootDirty = false
		return
	}
	if err := m.deps.Messenger.Update(ctx, r.ThreadTS, bot.Message{Channel: r.Channel, Reply: bot.Say(icon, text), Incident: m.ref(r)}); err != nil {
		m.log.Warn("editing the root message", "tunnel", r.Tunnel, "err", err)
		return
	}
	r.RootText = text
	r.RootDirty = false
	r.RootUpdatedAt = now
}

func (m *Monitor) silenced(ctx context.Context, peer string) bool {
	_, _, ok, err := m.deps.State.Silenced(ctx, peer)
	if err != nil {
		m.log.Warn("reading silences", "peer", peer, "err", err)
	}
	return ok
}

// Silence stops notifications for peer for d (`silence 90.1.1.1 2h`).
// State is still followed, so an outage still open when the silence ends
// is posted then.
func (m *Monitor) Silence(ctx context.Context, peer string, d time.Duration, by string) (time.Time, error) {
	peer = strings.TrimSpace(peer)
	if peer == "" || d <= 0 {
		return time.Time{}, errors.New("silence needs a peer and a positive duration")
	}
	until := m.clock.Now().Add(d)
	return until, m.deps.State.Silence(ctx, peer, by, until)
}

// Unsilence lifts a silence early.
func (m *Monitor) Unsilence(ctx context.Context, peer string) error {
	return m.deps.State.Unsilence(ctx, strings.TrimSpace(peer))
}

// Silences lists the live silences, for `status`.
func (m *Monitor) Silences(ctx context.Context) ([]store.SilenceEntry, error) {
	return m.deps.State.Silences(ctx)
}

// Sweep does what time alone decides: due root edits, "down for" refresh,
// flapping incidents that have settled, outages held back by a silence
// that has ended. Run calls it every interval; any replica may.
func (m *Monitor) Sweep(ctx context.Context) error {
	tunnels, err := m.deps.State.Tunnels(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, tun := range tunnels {
		r, err := m.loadStored(ctx, tun)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r == nil || !m.sweepDue(ctx, r) && !m.holdsUnsaved(tun) {
			continue
		}
		err = m.withTunnel(ctx, tun, func() error {
			r, err := m.load(ctx, tun)
			if err != nil || r == nil {
				return err
			}
			return m.sweepOne(ctx, r)
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m *Monitor) sweepDue(ctx context.Context, r *record) bool {
	now := m.clock.Now()
	switch {
	case r.RootDirty && r.ThreadTS != "" && now.Sub(r.RootUpdatedAt) >= m.cfg.RootEvery:
		return true
	case r.Open && r.Flapping && !r.Down && now.Sub(r.ChangedAt) >= m.cfg.FlapWindow:
		return true
	case r.Open && r.Down && r.ThreadTS == "":
		return !m.silenced(ctx, r.Peer)
	case r.Open && r.Down && r.ThreadTS != "" && r.DiagnosisDue:
		return !m.silenced(ctx, r.Peer)
	case r.Open && r.ThreadTS != "" && now.Sub(r.RootUpdatedAt) >= m.cfg.RootRefresh:
		return true
	}
	return false
}

func (m *Monitor) sweepOne(ctx context.Context, r *record) error {
	now := m.clock.Now()
	muted := m.silenced(ctx, r.Peer)
	switch {
	case r.Open && r.Flapping && !r.Down && now.Sub(r.ChangedAt) >= m.cfg.FlapWindow:
		r.Seq++
		return m.resolve(ctx, r, muted, "")
	case r.Open && r.Down && r.ThreadTS == "" && !muted:
		base := r.Since
		r.Seq++
		r.Since = now
		return m.openThread(ctx, r, Event{Peer: r.Peer, Device: r.Device, Down: true, Source: r.Source, Detail: r.Summary}, m.rootID(r, base))
	case r.Open && r.Down && r.ThreadTS != "" && r.DiagnosisDue && !muted:
		return m.dueDiagnosis(ctx, r, Event{Peer: r.Peer, Device: r.Device, Down: true, Source: r.Source, Detail: r.Summary})
	case r.Open && r.ThreadTS != "" && now.Sub(r.RootUpdatedAt) >= m.cfg.RootRefresh:
		r.RootDirty = true
	}
	if muted {
		return nil
	}
	m.editRoot(ctx, r, false)
	return m.save(ctx, r)
}

// Status is one tunnel as the monitor sees it.
type Status struct {
	Tunnel, Peer, Device, Name string
	Down, Open, Flapping       bool
	Since, ChangedAt           time.Time
	Phase, Cause               string
	Channel, ThreadTS          string
}

// Statuses lists the tunnels with an open incident.
func (m *Monitor) Statuses(ctx context.Context) ([]Status, error) {
	tunnels, err := m.deps.State.Tunnels(ctx)
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, t := range tunnels {
		r, err := m.loadStored(ctx, t)
		if err != nil {
			return nil, err
		}
		if r == nil || !r.Open {
			continue
		}
		out = append(out, Status{Tunnel: r.Tunnel, Peer: r.Peer, Device: r.Device, Name: r.Name, Down: r.Down, Open: r.Open,
			Flapping: r.Flapping, Since: r.Since, ChangedAt: r.ChangedAt, Phase: r.Phase, Cause: r.Cause, Channel: r.Channel, ThreadTS: r.ThreadTS})
	}
	return out, nil
}

func pruneFlaps(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	out := ts[:0:0]
	for _, t := range ts {
		if now.Sub(t) < window {
			out = append(out, t)
		}
	}
	return out
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

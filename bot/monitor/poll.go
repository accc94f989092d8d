package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Verdict is what one poll of one tunnel found.
type Verdict struct {
	Down   bool
	Reason string // why down: no IKE SA, stuck in MM_WAIT_MSG2, ...
	Encaps int64  // summed over the peer's IPsec SAs; -1 when not shown
	Decaps int64
	// OneWay counts the consecutive poll intervals, up to this poll, whose
	// deltas showed encaps growing while decaps stayed flat.
	OneWay int
}

// oneWayIntervals is how many consecutive poll intervals must show encaps
// growing while decaps stay flat before the tunnel is judged one-way. One
// interval is not evidence: a poll taken between a request's encryption
// and its reply's decryption sees exactly that on a healthy tunnel (and
// at a 1 s poll interval a ping every second hits it often enough); the
// next interval then counts the reply. Two intervals in a row with no
// packet back are.
const oneWayIntervals = 2

// Judge reads one poll's SA tables for peer. prev holds the previous
// poll's counters (nil for the first): encaps growing while decaps stay
// flat across oneWayIntervals consecutive poll intervals is down even
// though every SA looks fine.
func Judge(f *facts.Facts, peer string, prev *Verdict) Verdict {
	v := Verdict{Encaps: -1, Decaps: -1}
	var ike []facts.IKESA
	for _, s := range f.IKESAs {
		if s.Peer == peer || s.Local == peer {
			ike = append(ike, s)
		}
	}
	var sas []facts.IPsecSA
	for _, s := range f.IPsecSAs {
		if s.Peer == peer || s.RemoteEndpt == peer {
			sas = append(sas, s)
		}
	}
	for _, s := range sas {
		if s.Counters.Encaps >= 0 {
			v.Encaps = max(v.Encaps, 0) + s.Counters.Encaps
		}
		if s.Counters.Decaps >= 0 {
			v.Decaps = max(v.Decaps, 0) + s.Counters.Decaps
		}
	}
	// Established is the engine's reading of the row (diagnose.IKESAUp),
	// so every vendor's state names, pluto's STATE_V2_ESTABLISHED_IKE_SA
	// and STATE_MAIN_I4 among them, are known in one place.
	up := false
	var states []string
	for _, s := range ike {
		if diagnose.IKESAUp(s) {
			up = true
		}
		states = append(states, s.State)
	}
	installed := slices.ContainsFunc(sas, func(s facts.IPsecSA) bool { return s.HasSAs() })
	if oneWayOutbound(peer, prev, v) {
		v.OneWay = prev.OneWay + 1
	}
	switch {
	case len(ike) == 0:
		v.Down, v.Reason = true, "no IKE SA with the peer"
	case !up:
		v.Down, v.Reason = true, "IKE SA stuck in "+strings.Join(states, ", ")
	case !installed:
		v.Down, v.Reason = true, "no IPsec SA with the peer"
	case v.OneWay >= oneWayIntervals:
		v.Down, v.Reason = true, fmt.Sprintf("encaps growing (%d → %d) while decaps stay at %d, %d polls in a row", prev.Encaps, v.Encaps, v.Decaps, v.OneWay)
	}
	return v
}

// oneWayOutbound says two polls' counters grew one way only: encaps up,
// decaps flat, on the deltas diagnose.CompareSnapshots works out for a
// check's two reads. Unlike a check's single interval, any growth counts
// here, one packet too: a slow ping (one a second) across a 1 s poll
// interval is one packet an interval, and it is the second interval in a
// row (oneWayIntervals) that rules out a reply still on its way. A rekey
// between polls (a counter lower than before) is not judged on.
func oneWayOutbound(peer string, prev *Verdict, v Verdict) bool {
	if prev == nil || prev.Encaps < 0 || prev.Decaps < 0 || v.Encaps < 0 || v.Decaps < 0 {
		return false
	}
	dp := diagnose.CompareSnapshots(diagnose.CounterSnapshot{Peer: peer, Encaps: prev.Encaps, Decaps: prev.Decaps},
		diagnose.CounterSnapshot{Peer: peer, Encaps: v.Encaps, Decaps: v.Decaps}, 0)
	return dp.Encaps > 0 && dp.Decaps == 0 && !dp.Rekeyed
}

// DevicePoller reads the SA tables of one device for every tunnel it
// terminates, in one login (cmd wires devices.Collector.PollDevice). A
// partial answer comes back with its error.
type DevicePoller interface {
	PollDevice(ctx context.Context, device string) (transcript string, err error)
}

// pollTarget checks one tunnel through the Checker and applies the result.
func (m *Monitor) pollTarget(ctx context.Context, t Target) error {
	cctx, cancel := context.WithTimeout(ctx, m.cfg.CheckTimeout)
	res, err := m.deps.Checker.CheckTunnel(cctx, t.Peer, t.Device)
	cancel()
	if err != nil || strings.TrimSpace(res.Transcript) == "" || len(res.Notes) > 0 {
		// A device that cannot be read (or only in part) says nothing about
		// the tunnel: a missing table must not read as a missing SA.
		switch {
		case err != nil:
		case len(res.Notes) > 0:
			err = errors.New(res.Notes[0].Sentence())
		default:
			err = errors.New("empty answer")
		}
		return fmt.Errorf("polling %s on %s: %s", t.Peer, t.Device, redact.Line(err.Error()))
	}
	return m.judgeAndApply(ctx, t, redact.Text(res.Transcript), false)
}

// pollDevice reads one device's SA tables once and judges each of its
// tunnels on them.
func (m *Monitor) pollDevice(ctx context.Context, dev string, targets []Target) error {
	cctx, cancel := context.WithTimeout(ctx, m.cfg.CheckTimeout)
	tr, err := m.deps.Poller.PollDevice(cctx, dev)
	cancel()
	if err != nil || strings.TrimSpace(tr) == "" {
		if err == nil {
			err = errors.New("empty answer")
		}
		return fmt.Errorf("polling %s: %s", dev, redact.Line(err.Error()))
	}
	text := redact.Text(tr)
	secs := splitSections(text)
	var errs []error
	for _, t := range targets {
		if err := m.judgeAndApply(ctx, t, tunnelText(secs, text, t.Peer, targets), true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// section is one command of a device transcript with its output.
type section struct {
	command string
	text    string // the header line and the output
}

// splitSections cuts a device transcript ("HOST# command" lines, each
// followed by its output, as devices.Collection.Transcript writes it) into
// its commands. It returns nil when the text does not start with such a
// header.
func splitSections(text string) []section {
	first, _, _ := strings.Cut(text, "\n")
	host, _, ok := strings.Cut(first, "# ")
	if !ok || host == "" || strings.ContainsAny(host, " \t") {
		return nil
	}
	prefix := host + "# "
	var out []section
	for len(text) > 0 {
		next := strings.Index(text, "\n"+prefix)
		chunk := text
		if next >= 0 {
			chunk, text = text[:next+1], text[next+1:]
		} else {
			text = ""
		}
		head, _, _ := strings.Cut(chunk, "\n")
		out = append(out, section{command: strings.TrimPrefix(head, prefix), text: chunk})
	}
	return out
}

// tunnelText is the part of a device poll that concerns one tunnel: the
// shared tables and the commands naming its peer, without the commands
// naming the device's other peers. Each tunnel was judged on the whole
// device's text before, so a poll's CPU grew with the square of the
// tunnels a device terminates. Without sections it is the whole text.
func tunnelText(secs []section, whole, peer string, targets []Target) string {
	if len(secs) == 0 {
		return whole
	}
	other := map[string]bool{}
	for _, t := range targets {
		if t.Peer != peer {
			other[t.Peer] = true
		}
	}
	var b strings.Builder
	for _, s := range secs {
		skip := false
		for _, w := range strings.Fields(s.command) {
			if other[w] {
				skip = true
				break
			}
		}
		if !skip {
			b.WriteString(s.text)
		}
	}
	return b.String()
}

// judgeAndApply judges one tunnel on a poll's text and applies the event.
func (m *Monitor) judgeAndApply(ctx context.Context, t Target, text string, partial bool) error {
	f := diagnose.Facts(text, diagnose.Options{Peer: t.Peer})
	tunnel := store.Tunnel(t.Peer, t.Device)
	r, err := m.loadStored(ctx, tunnel)
	if err != nil {
		return err
	}
	// The previous poll's counters: this replica's own when it polled the
	// tunnel last, else the record's (a device taken over from another
	// replica).
	prev, ok := m.lastCounters(tunnel)
	if !ok && r != nil && !r.CountersAt.IsZero() {
		prev = &Verdict{Encaps: r.Encaps, Decaps: r.Decaps, OneWay: r.OneWay}
	}
	v, ev := decide(f, m.deps.Diagnose(text, diagnose.Options{Peer: t.Peer}), t.Peer, prev)
	m.keepCounters(tunnel, v)
	ev.Device = t.Device
	ev.Partial = partial
	// An up tunnel with nothing open and nothing owed needs no write: one
	// read per tunnel and round, no lease. (Counters stay in this replica;
	// the record keeps them only while something is open.)
	if !v.Down && (r == nil || !r.Open && !r.Down && !r.DiagnosisDue) && !m.holdsUnsaved(tunnel) {
		return nil
	}
	return m.withTunnel(ctx, tunnel, func() error {
		r, err := m.load(ctx, tunnel)
		if err != nil {
			return err
		}
		if r == nil {
			r = &record{Tunnel: tunnel, Peer: t.Peer, Device: t.Device, Name: t.Name}
		}
		r.Encaps, r.Decaps, r.OneWay, r.CountersAt = v.Encaps, v.Decaps, v.OneWay, m.clock.Now()
		if r.Seq == 0 && !v.Down {
			return nil // healthy and never down: nothing to keep
		}
		return m.apply(ctx, r, ev)
	})
}

// lastCounters returns the counters this replica saw at its last poll of
// tunnel.
func (m *Monitor) lastCounters(tunnel string) (*Verdict, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.counters[tunnel]
	if !ok {
		return nil, false
	}
	return &v, true
}

func (m *Monitor) keepCounters(tunnel string, v Verdict) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counters[tunnel] = Verdict{Encaps: v.Encaps, Decaps: v.Decaps, OneWay: v.OneWay}
}

func (m *Monitor) holdsUnsaved(tunnel string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unsaved[tunnel] != nil
}

// decide combines the SA tables' verdict with the engine's: the engine
// sees outages the tables hide (one-way traffic, DPD declared the peer
// dead) when it is sure of them.
//
// A DPD reading on tables that look up rests on log lines, which outlive
// the outage they tell of: it is taken only when the peer's decaps stayed
// flat since the previous poll (staleDPD).
func decide(f *facts.Facts, rep diagnose.Report, peer string, prev *Verdict) (Verdict, Event) {
	v := Judge(f, peer, prev)
	if !v.Down && rep.Verdict == diagnose.VerdictDown && rep.Confidence >= 0.8 && !staleDPD(rep, prev, v) && !unconfirmedOneWay(rep, prev, v) {
		v.Down, v.Reason = true, redact.Line(firstLine(rep.Summary))
	}
	ev := Event{Peer: peer, Down: v.Down, Source: SourcePoll, Detail: v.Reason}
	if v.Down {
		if rep.Cause == diagnose.CauseHealthy || rep.Cause == "" {
			rep.Phase, rep.Cause, rep.Verdict = diagnose.PhaseUnknown, diagnose.CauseUnknown, diagnose.VerdictDown
			rep.Summary = v.Reason + ". " + rep.Summary
		}
		ev.Report = &rep
	}
	return v, ev
}

// staleDPD says a DPD reading cannot be taken as the tunnel's state now:
// the peer's decaps moved since the previous poll (its packets arrive, or
// a rekey it answered reset them), or there is no previous poll to tell
// (the reading waits one round).
func staleDPD(rep diagnose.Report, prev *Verdict, v Verdict) bool {
	if rep.Cause != diagnose.CauseDPDPeerDead {
		return false
	}
	return prev == nil || prev.Decaps < 0 || v.Decaps < 0 || v.Decaps != prev.Decaps
}

// unconfirmedOneWay says an engine's one-way reading of one poll's
// cumulative counters (encaps and no decaps, or the reverse) is not yet
// the tunnel's state: a poll taken between a request's encryption and its
// reply's decryption shows just that on a new SA. It is taken once the
// previous poll showed the same, and the side that should answer still
// counts nothing (the reading waits one round, as a DPD one does).
// Counters the tables do not show cannot confirm it: the reading is taken
// as it is.
func unconfirmedOneWay(rep diagnose.Report, prev *Verdict, v Verdict) bool {
	if v.Encaps < 0 || v.Decaps < 0 {
		return false
	}
	switch rep.Cause {
	case diagnose.CauseOneWayOutbound:
		return prev == nil || prev.Encaps <= 0 || prev.Decaps != 0 || v.Decaps != 0
	case diagnose.CauseOneWayInbound:
		return prev == nil || prev.Decaps <= 0 || prev.Encaps != 0 || v.Encaps != 0
	}
	return false
}

// devices groups the targets by device, in inventory order.
func (m *Monitor) devices() ([]string, map[string][]Target) {
	by := map[string][]Target{}
	var names []string
	for _, t := range m.deps.Targets {
		if _, ok := by[t.Device]; !ok {
			names = append(names, t.Device)
		}
		by[t.Device] = append(by[t.Device], t)
	}
	return names, by
}

// PollOnce polls every device whose lease this replica holds or can take,
// each device's tunnels in turn, at most 8 devices at once. It returns the
// devices it polled.
func (m *Monitor) PollOnce(ctx context.Context) ([]string, error) {
	if m.deps.Checker == nil && m.deps.Poller == nil {
		return nil, nil
	}
	names, by := m.devices()
	var (
		mu     sync.Mutex
		polled []string
		errs   []error
		wg     sync.WaitGroup
	)
	sem := make(chan struct{}, 8)
	for _, dev := range names {
		ok, err := m.deps.State.AcquireLease(ctx, "device:"+dev, m.token, m.cfg.LeaseTTL)
		if err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
			continue
		}
		if !ok {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var perr []error
			if m.deps.Poller != nil {
				perr = append(perr, m.pollDevice(ctx, dev, by[dev]))
			} else {
				for _, t := range by[dev] {
					perr = append(perr, m.pollTarget(ctx, t))
				}
			}
			if err := errors.Join(perr...); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			mu.Lock()
			polled = append(polled, dev)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(polled)
	return polled, errors.Join(errs...)
}

// Run polls and sweeps every interval until ctx ends, then gives up its
// device leases so another replica takes over at once.
func (m *Monitor) Run(ctx context.Context) error {
	m.log.Info("monitor running", "interval", m.cfg.Interval, "lease", m.cfg.LeaseTTL, "targets", len(m.deps.Targets))
	defer m.releaseAll()
	for {
		start := time.Now()
		m.flushUnsaved(ctx)
		polled, err := m.PollOnce(ctx)
		if err != nil && ctx.Err() == nil {
			m.log.Warn("poll round", "err", err)
		}
		pollTook := time.Since(start)
		if err := m.Sweep(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("sweep", "err", err)
		}
		took := time.Since(start)
		// One line per round: what it cost, so an operator (and the load
		// tool) can see a round outgrowing the interval.
		level := slog.LevelInfo
		if took >= m.cfg.Interval {
			level = slog.LevelWarn
		}
		m.log.Log(ctx, level, "monitor round", "devices", len(polled), "poll_ms", pollTook.Milliseconds(),
			"sweep_ms", (took - pollTook).Milliseconds(), "round_ms", took.Milliseconds(), "interval", m.cfg.Interval)
		// The next round starts one interval after this one started, not
		// after it ended, so rounds keep the interval's pace.
		wait := m.cfg.Interval - took
		if wait <= 0 {
			wait = time.Millisecond
		}
		select {
		case <-ctx.Done():
			return nil
		case <-m.clock.After(wait):
		}
	}
}

func (m *Monitor) releaseAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	names, _ := m.devices()
	for _, dev := range names {
		_ = m.deps.State.ReleaseLease(ctx, "device:"+dev, m.token)
	}
}

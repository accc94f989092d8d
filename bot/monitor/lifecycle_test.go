package monitor

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

const (
	testPeer    = "40.10.1.1"
	testDevice  = "fw-hq"
	testChannel = "C0NETOPS"
)

// rig is one monitor on the memory store with a fake clock, a fake device
// and a recording Messenger.
type rig struct {
	t       *testing.T
	m       *Monitor
	clock   *clocktest.Fake
	log     *msgLog
	checker *fakeChecker
	states  map[string]string // scenario -> transcript for testPeer
	inc     store.Store
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newRig(t *testing.T, cfg Config) *rig {
	t.Helper()
	c := clocktest.New(time.Time{})
	return newRigOn(t, cfg, c, store.NewMemoryMonitor(c), store.NewMemory(store.Options{Clock: c}))
}

// newRigOn is newRig on the given monitor state and incident store.
func newRigOn(t *testing.T, cfg Config, c *clocktest.Fake, state store.MonitorState, inc store.Store) *rig {
	t.Helper()
	r := &rig{t: t, clock: c, log: newMsgLog(), checker: &fakeChecker{}, states: map[string]string{}, inc: inc}
	for _, sc := range []string{"ios-healthy", "ios-peer-unreachable", "ios-psk-mismatch"} {
		peer, tr := scenarioTranscript(t, sc)
		r.states[sc] = rewritePeer(tr, peer, testPeer)
	}
	if cfg.DefaultChannel == "" {
		cfg.DefaultChannel = testChannel
	}
	fm := &fakeMessenger{name: "r1", log: r.log}
	m, err := New(cfg, Deps{
		Messenger: fm, Finder: fm,
		State:     state,
		Incidents: r.inc,
		Checker:   r.checker,
		Targets:   []Target{{Device: testDevice, Peer: testPeer, Name: "HQ–Branch7"}},
		Clock:     r.clock,
		Logger:    quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	r.set("ios-healthy")
	return r
}

func (r *rig) set(scenario string) { r.checker.set(testPeer, r.states[scenario]) }

func (r *rig) poll() {
	r.t.Helper()
	if _, err := r.m.PollOnce(context.Background()); err != nil {
		r.t.Fatalf("poll: %v", err)
	}
}

func (r *rig) sweep() {
	r.t.Helper()
	if err := r.m.Sweep(context.Background()); err != nil {
		r.t.Fatalf("sweep: %v", err)
	}
}

// TestPollLifecycle: down -> one root + one diagnosis reply; unchanged
// polls post nothing; up -> one "resolved after 14 min" reply and the root
// edited to resolved; the bot's incident opens and resolves with it.
func TestPollLifecycle(t *testing.T) {
	r := newRig(t, Config{})
	r.poll()
	r.poll()
	if got := r.log.snapshot(); len(got) != 0 {
		t.Fatalf("healthy polls posted:\n%s", dump(got))
	}

	r.set("ios-peer-unreachable")
	r.clock.Advance(time.Minute)
	r.poll()
	all := r.log.snapshot()
	rs := roots(all)
	if len(rs) != 1 {
		t.Fatalf("want 1 root, got:\n%s", dump(all))
	}
	root := rs[0]
	if root.Channel != testChannel || !strings.Contains(root.Text, "Tunnel 40.10.1.1 (HQ–Branch7) down on fw-hq — phase 1, peer unreachable") {
		t.Errorf("root: %q in %s", root.Text, root.Channel)
	}
	rep := replies(all, root.TS)
	if len(rep) != 1 || !strings.Contains(rep[0].Text, "peer_unreachable") && !strings.Contains(strings.ToLower(rep[0].Text), "unreachable") {
		t.Fatalf("want one diagnosis reply naming the cause, got:\n%s", dump(all))
	}
	open, _ := r.inc.ListOpen(context.Background())
	if len(open) != 1 || open[0].ThreadTS != root.TS || open[0].Tunnel != store.Tunnel(testPeer, testDevice) {
		t.Errorf("bot incident: %+v", open)
	}

	n := len(all)
	for range 3 {
		r.clock.Advance(time.Minute)
		r.poll()
		r.sweep()
	}
	if got := r.log.snapshot(); len(got) != n {
		t.Fatalf("unchanged polls posted:\n%s", dump(got[n:]))
	}

	r.clock.Advance(11 * time.Minute) // down since 20:01, now 20:15
	r.set("ios-healthy")
	r.poll()
	all = r.log.snapshot()
	rep = replies(all, root.TS)
	if len(roots(all)) != 1 || len(rep) != 2 || !strings.Contains(rep[1].Text, "resolved after 14 min") {
		t.Fatalf("want the resolution reply, got:\n%s", dump(all))
	}
	ups := updates(all, root.TS)
	if len(ups) == 0 || !strings.Contains(ups[len(ups)-1].Text, "resolved after 14 min") {
		t.Fatalf("root not edited to resolved:\n%s", dump(all))
	}
	if open, _ := r.inc.ListOpen(context.Background()); len(open) != 0 {
		t.Errorf("bot incident still open: %+v", open)
	}
	n = len(all)
	r.clock.Advance(time.Minute)
	r.poll()
	r.sweep()
	if got := r.log.snapshot(); len(got) != n {
		t.Fatalf("healthy polls after resolution posted:\n%s", dump(got[n:]))
	}
}

// TestReopenWindow: a new outage within the window reopens the thread (no
// new root); after the window it opens a new one.
func TestReopenWindow(t *testing.T) {
	r := newRig(t, Config{ReopenWindow: 30 * time.Minute, FlapWindow: time.Minute})
	r.set("ios-peer-unreachable")
	r.poll()
	r.clock.Advance(5 * time.Minute)
	r.set("ios-healthy")
	r.poll()
	r.clock.Advance(10 * time.Minute)
	r.set("ios-psk-mismatch")
	r.poll()
	all := r.log.snapshot()
	rs := roots(all)
	if len(rs) != 1 {
		t.Fatalf("reopen posted a new root:\n%s", dump(all))
	}
	rep := replies(all, rs[0].TS)
	// diagnosis, resolved, reopened, new diagnosis (the cause changed)
	if len(rep) != 4 || !strings.Contains(rep[2].Text, "reopened") || !strings.Contains(strings.ToLower(rep[2].Text), "phase 1, psk mismatch") {
		t.Fatalf("want reopen + new diagnosis in the thread:\n%s", dump(all))
	}
	ups := updates(all, rs[0].TS)
	if !strings.Contains(ups[len(ups)-1].Text, "outage 2 in this thread") {
		t.Errorf("root after reopen: %q", ups[len(ups)-1].Text)
	}
	r.clock.Advance(time.Minute)
	r.set("ios-healthy")
	r.poll()
	r.clock.Advance(31 * time.Minute)
	r.set("ios-peer-unreachable")
	r.poll()
	if got := roots(r.log.snapshot()); len(got) != 2 {
		t.Fatalf("an outage after the reopen window must open a new thread:\n%s", dump(r.log.snapshot()))
	}
}

// TestFlapStorm: 10 transitions in a minute are one incident marked
// flapping with its count, not a message per flap; it resolves once it
// stays up for the flap window.
func TestFlapStorm(t *testing.T) {
	r := newRig(t, Config{FlapWindow: 10 * time.Minute, FlapCount: 4, RootEvery: 10 * time.Second})
	for i := range 10 {
		if i%2 == 0 {
			r.set("ios-peer-unreachable")
		} else {
			r.set("ios-healthy")
		}
		r.poll()
		r.clock.Advance(6 * time.Second)
	}
	r.clock.Advance(10 * time.Second)
	r.sweep()
	all := r.log.snapshot()
	rs := roots(all)
	if len(rs) != 1 {
		t.Fatalf("want one incident, got:\n%s", dump(all))
	}
	rep := replies(all, rs[0].TS)
	flapping := 0
	for _, s := range rep {
		if strings.Contains(s.Text, "flapping") {
			flapping++
		}
	}
	// diagnosis, resolved, reopened, flapping: never one per flap.
	if flapping != 1 || len(rep) > 4 {
		t.Fatalf("want one flapping message and at most 4 replies for 10 flaps, got:\n%s", dump(all))
	}
	ups := updates(all, rs[0].TS)
	last := ups[len(ups)-1].Text
	if !strings.Contains(last, "flapping") || !strings.Contains(last, "10 state changes") {
		t.Fatalf("root does not say flapping with the count: %q\n%s", last, dump(all))
	}
	if len(ups) > 8 {
		t.Errorf("root edited %d times for 10 flaps in a minute (debounce broken)", len(ups))
	}
	// Stable (up) for the flap window: resolved, once.
	for range 12 {
		r.clock.Advance(time.Minute)
		r.poll()
		r.sweep()
	}
	all = r.log.snapshot()
	resolved := 0
	for _, s := range replies(all, rs[0].TS) {
		if strings.Contains(s.Text, "resolved after") {
			resolved++
		}
	}
	if resolved != 2 { // the early one before it was known to flap, and the final one
		t.Fatalf("want the final resolution once, got:\n%s", dump(all))
	}
	if final := updates(all, rs[0].TS); !strings.Contains(final[len(final)-1].Text, "resolved") {
		t.Errorf("root not resolved: %q", final[len(final)-1].Text)
	}
}

// TestSilence: a silenced peer posts nothing; an outage still open when
// the silence ends is posted then.
func TestSilence(t *testing.T) {
	r := newRig(t, Config{})
	ctx := context.Background()
	until, err := r.m.Silence(ctx, testPeer, 2*time.Hour, "U123")
	if err != nil || !until.Equal(r.clock.Now().Add(2*time.Hour)) {
		t.Fatalf("silence: %v %v", until, err)
	}
	sil, _ := r.m.Silences(ctx)
	if len(sil) != 1 || sil[0].Peer != testPeer || sil[0].By != "U123" {
		t.Fatalf("silences: %+v", sil)
	}
	r.set("ios-peer-unreachable")
	r.poll()
	r.clock.Advance(time.Hour)
	r.poll()
	r.sweep()
	if got := r.log.snapshot(); len(got) != 0 {
		t.Fatalf("silenced tunnel posted:\n%s", dump(got))
	}
	st, _ := r.m.Statuses(ctx)
	if len(st) != 1 || !st[0].Down {
		t.Fatalf("silenced outage not tracked: %+v", st)
	}
	r.clock.Advance(time.Hour + time.Minute)
	r.sweep()
	all := r.log.snapshot()
	if rs := roots(all); len(rs) != 1 || len(replies(all, rs[0].TS)) != 1 {
		t.Fatalf("outage not posted after the silence:\n%s", dump(all))
	}
}

// TestPostFailureRetried: when Slack refuses the root, nothing is recorded
// as sent and the next poll posts it, once.
func TestPostFailureRetried(t *testing.T) {
	r := newRig(t, Config{})
	fail := true
	r.m.deps.Messenger.(*fakeMessenger).fail = func(m bot_Message) error {
		if fail {
			return errSlackDown
		}
		return nil
	}
	r.set("ios-peer-unreachable")
	if _, err := r.m.PollOnce(context.Background()); err == nil {
		t.Fatal("a failed post must be reported")
	}
	fail = false
	r.clock.Advance(time.Minute)
	r.poll()
	r.poll()
	all := r.log.snapshot()
	if rs := roots(all); len(rs) != 1 || len(replies(all, rs[0].TS)) != 1 {
		t.Fatalf("want exactly one root and one diagnosis after the retry:\n%s", dump(all))
	}
}

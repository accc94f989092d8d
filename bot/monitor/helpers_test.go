package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// sent is one recorded Messenger call.
type sent struct {
	Op       string // post, update, upload
	Channel  string
	ThreadTS string
	TS       string // the ts returned (post) or edited (update)
	Text     string
	By       string // which messenger (replica) did it
	Delivery string // post: the delivery id in its metadata
}

// fakeMessenger records every call; several replicas may share one log.
type fakeMessenger struct {
	name string
	log  *msgLog
	fail func(m bot.Message) error
}

type msgLog struct {
	mu   sync.Mutex
	n    int
	all  []sent
	wait chan struct{}
}

func newMsgLog() *msgLog { return &msgLog{wait: make(chan struct{}, 1)} }

func (l *msgLog) add(s sent) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.Op == "post" {
		l.n++
		s.TS = fmt.Sprintf("1700000000.%06d", l.n)
	}
	l.all = append(l.all, s)
	select {
	case l.wait <- struct{}{}:
	default:
	}
	return s.TS
}

func (l *msgLog) snapshot() []sent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]sent(nil), l.all...)
}

func (f *fakeMessenger) Post(_ context.Context, m bot.Message) (string, error) {
	if f.fail != nil {
		if err := f.fail(m); err != nil {
			return "", err
		}
	}
	text := m.Reply.Plain()
	return f.log.add(sent{Op: "post", Channel: m.Channel, ThreadTS: m.ThreadTS, Text: text, By: f.name, Delivery: m.DeliveryID}), nil
}

// FindDelivery implements bot.DeliveryFinder over the shared log, as
// conversations.history (thread "") and conversations.replies with
// include_all_metadata would answer. since is not checked: the log holds
// one test's posts.
func (f *fakeMessenger) FindDelivery(_ context.Context, channel, thread, id string, _ time.Time) (string, bool, error) {
	if f.fail != nil {
		if err := f.fail(bot.Message{Channel: channel, ThreadTS: thread}); err != nil {
			return "", false, err
		}
	}
	for _, s := range f.log.snapshot() {
		if s.Op == "post" && s.Channel == channel && s.ThreadTS == thread && s.Delivery == id {
			return s.TS, true, nil
		}
	}
	return "", false, nil
}

func (f *fakeMessenger) Update(_ context.Context, ts string, m bot.Message) error {
	if f.fail != nil {
		if err := f.fail(m); err != nil {
			return err
		}
	}
	f.log.add(sent{Op: "update", Channel: m.Channel, TS: ts, Text: m.Reply.Plain(), By: f.name})
	return nil
}

func (f *fakeMessenger) Upload(_ context.Context, channel, threadTS, _, title, _ string) error {
	f.log.add(sent{Op: "upload", Channel: channel, ThreadTS: threadTS, Text: title, By: f.name})
	return nil
}

func (f *fakeMessenger) Permalink(context.Context, string, string) (string, error) { return "", nil }

// roots, replies and updates split the log.
func roots(all []sent) []sent {
	var out []sent
	for _, s := range all {
		if s.Op == "post" && s.ThreadTS == "" {
			out = append(out, s)
		}
	}
	return out
}

func replies(all []sent, thread string) []sent {
	var out []sent
	for _, s := range all {
		if s.Op == "post" && s.ThreadTS == thread {
			out = append(out, s)
		}
	}
	return out
}

func updates(all []sent, ts string) []sent {
	var out []sent
	for _, s := range all {
		if s.Op == "update" && s.TS == ts {
			out = append(out, s)
		}
	}
	return out
}

func dump(all []sent) string {
	var b strings.Builder
	for _, s := range all {
		fmt.Fprintf(&b, "  %s %s ch=%s thread=%s ts=%s: %.160q\n", s.By, s.Op, s.Channel, s.ThreadTS, s.TS, s.Text)
	}
	return b.String()
}

// scenarioTranscript renders a lab scenario's answers as the collector's
// transcript would, with the scenario's peer and subnets rewritten to peer
// (so one tunnel can be shown in several states).
func scenarioTranscript(t testing.TB, name string) (peer, transcript string) {
	t.Helper()
	return scenarioRead(t, name, 1)
}

// scenarioRead is scenarioTranscript at the device's n-th read (from 1),
// where a scenario's counters grow.
func scenarioRead(t testing.TB, name string, n int) (peer, transcript string) {
	t.Helper()
	sc, err := lab.ScenarioByName(name)
	if err != nil {
		t.Fatal(err)
	}
	plat, _ := devices.PlatformByName(sc.Platform)
	p, _ := netip.ParseAddr(sc.Peer)
	var b strings.Builder
	for _, c := range plat.Plan(p, sc.Remotes()) {
		out, _ := sc.AnswerRead(c.Command, n)
		fmt.Fprintf(&b, "%s# %s\n%s\n", sc.Hostname, c.Command, out)
	}
	return sc.Peer, b.String()
}

// fakeChecker answers CheckTunnel from a switchable transcript per peer.
type fakeChecker struct {
	mu    sync.Mutex
	state map[string]string // peer -> transcript
	calls int
}

func (f *fakeChecker) set(peer, transcript string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.state == nil {
		f.state = map[string]string{}
	}
	f.state[peer] = transcript
}

func (f *fakeChecker) CheckTunnel(_ context.Context, peer, device string) (bot.CheckResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	tr, ok := f.state[peer]
	if !ok {
		return bot.CheckResult{}, fmt.Errorf("no device answers for %s", peer)
	}
	return bot.CheckResult{Device: device, Transcript: tr}, nil
}

// rewritePeer moves a scenario transcript to another peer address.
func rewritePeer(transcript, from, to string) string {
	return strings.ReplaceAll(transcript, from, to)
}

type bot_Message = bot.Message

var errSlackDown = fmt.Errorf("slack: ratelimited for good")

// rounds counts the "monitor round" lines a Monitor logs (one per Run
// round), so a test can wait for rounds instead of sleeping.
type rounds struct {
	mu sync.Mutex
	n  int
	ch chan struct{}
}

func newRounds() *rounds { return &rounds{ch: make(chan struct{}, 1)} }

func (r *rounds) Enabled(context.Context, slog.Level) bool { return true }
func (r *rounds) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message == "monitor round" {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
		select {
		case r.ch <- struct{}{}:
		default:
		}
	}
	return nil
}
func (r *rounds) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *rounds) WithGroup(string) slog.Handler      { return r }

func (r *rounds) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// wait returns once n more rounds than now have been logged, failing the
// test after a bounded time.
func (r *rounds) wait(t *testing.T, n int) {
	t.Helper()
	want := r.count() + n
	deadline := time.After(30 * time.Second)
	for r.count() < want {
		select {
		case <-r.ch:
		case <-deadline:
			t.Fatalf("waited for %d monitor rounds; %d of them came", n, n-(want-r.count()))
		}
	}
}

// startLabMonitor starts simulated lab devices and a monitor (replica r1,
// a fake clock at zero, returned, a memory store) that polls each device's peer
// through the real collector; the lab closes with the test.
func startLabMonitor(ctx context.Context, t *testing.T, devs ...lab.DeviceConfig) (*Monitor, *msgLog, *clocktest.Fake) {
	t.Helper()
	l, err := lab.Start(ctx, lab.Options{Devices: devs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	path, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := devices.LoadInventory(path)
	if err != nil {
		t.Fatal(err)
	}
	var targets []Target
	for _, d := range l.Devices {
		targets = append(targets, Target{Device: d.Name, Peer: d.Scenario.Peer})
	}
	c := clocktest.New(time.Time{})
	msgs := newMsgLog()
	fm := &fakeMessenger{name: "r1", log: msgs}
	m, err := New(Config{DefaultChannel: testChannel, ReplicaID: "r1"}, Deps{
		Messenger: fm, Finder: fm, State: store.NewMemoryMonitor(c),
		Poller:  labPoller{devices.NewCollector(inv, devices.CollectorOptions{Logger: slog.New(slog.DiscardHandler)})},
		Targets: targets, Clock: c, Logger: quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, msgs, c
}

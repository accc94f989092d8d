package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
)

var errKilled = errors.New("replica killed")

// killable is a replica's view of the shared store; kill cuts it off as a
// crashed process or a partition would: no renewal, no release, no writes.
type killable struct {
	store.MonitorState
	dead atomic.Bool
}

func (k *killable) AcquireLease(ctx context.Context, name, token string, ttl time.Duration) (bool, error) {
	if k.dead.Load() {
		return false, errKilled
	}
	return k.MonitorState.AcquireLease(ctx, name, token, ttl)
}

func (k *killable) ReleaseLease(ctx context.Context, name, token string) error {
	if k.dead.Load() {
		return errKilled
	}
	return k.MonitorState.ReleaseLease(ctx, name, token)
}

func (k *killable) ClaimTransition(ctx context.Context, id string, ttl time.Duration) (bool, error) {
	if k.dead.Load() {
		return false, errKilled
	}
	return k.MonitorState.ClaimTransition(ctx, id, ttl)
}

func (k *killable) TransitionSent(ctx context.Context, id string, ttl time.Duration) error {
	if k.dead.Load() {
		return errKilled
	}
	return k.MonitorState.TransitionSent(ctx, id, ttl)
}

func (k *killable) DropTransition(ctx context.Context, id string) error {
	if k.dead.Load() {
		return errKilled
	}
	return k.MonitorState.DropTransition(ctx, id)
}

func (k *killable) SaveTunnel(ctx context.Context, tunnel string, data []byte, ttl time.Duration) error {
	if k.dead.Load() {
		return errKilled
	}
	return k.MonitorState.SaveTunnel(ctx, tunnel, data, ttl)
}

func (k *killable) LoadTunnel(ctx context.Context, tunnel string) ([]byte, bool, error) {
	if k.dead.Load() {
		return nil, false, errKilled
	}
	return k.MonitorState.LoadTunnel(ctx, tunnel)
}

// pollLog records which replica polled which device, and when.
type pollLog struct {
	mu    sync.Mutex
	polls []pollRec
}

type pollRec struct {
	replica, device string
	at              time.Time
}

type recordingChecker struct {
	name  string
	inner bot.TunnelChecker
	log   *pollLog
}

func (c recordingChecker) CheckTunnel(ctx context.Context, peer, device string) (bot.CheckResult, error) {
	c.log.mu.Lock()
	c.log.polls = append(c.log.polls, pollRec{c.name, device, time.Now()})
	c.log.mu.Unlock()
	return c.inner.CheckTunnel(ctx, peer, device)
}

func (l *pollLog) since(t time.Time) []pollRec {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []pollRec
	for _, p := range l.polls {
		if !p.at.Before(t) {
			out = append(out, p)
		}
	}
	return out
}

type replica struct {
	name   string
	rounds *rounds
	m      *Monitor
	state  *killable
	msgr   *fakeMessenger
	cancel context.CancelFunc
	done   chan struct{}
}

// TestThreeReplicas: three monitors on one real redis-server poll three
// devices. Every transition is posted exactly once; killing the replica
// polling a device hands the device to another within the lease period,
// and its recovery is posted once, by a live replica.
func TestThreeReplicas(t *testing.T) {
	srv := redistest.Start(t)
	tunnels := map[string]string{"dev-a": "40.10.1.1", "dev-b": "40.10.1.2", "dev-c": "40.10.1.3"}
	var targets []Target
	for _, d := range []string{"dev-a", "dev-b", "dev-c"} {
		targets = append(targets, Target{Device: d, Peer: tunnels[d], Name: "spoke-" + d})
	}
	healthyPeer, healthy := scenarioTranscript(t, "ios-healthy")
	downPeer, down := scenarioTranscript(t, "ios-peer-unreachable")
	checker := &fakeChecker{}
	setAll := func(which string, devs ...string) {
		for _, d := range devs {
			if which == "up" {
				checker.set(tunnels[d], rewritePeer(healthy, healthyPeer, tunnels[d]))
			} else {
				checker.set(tunnels[d], rewritePeer(down, downPeer, tunnels[d]))
			}
		}
	}
	setAll("up", "dev-a", "dev-b", "dev-c")

	const lease = time.Second
	const interval = 100 * time.Millisecond
	msgs := newMsgLog()
	polls := &pollLog{}
	var reps []*replica
	for i := range 3 {
		rs, err := redisstore.OpenURL(srv.URL(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rs.Close() })
		k := &killable{MonitorState: rs}
		name := fmt.Sprintf("r%d", i+1)
		fm := &fakeMessenger{name: name, log: msgs}
		rc := newRounds()
		m, err := New(Config{Interval: interval, LeaseTTL: lease, CheckTimeout: time.Second, LockTTL: 2 * time.Second,
			DefaultChannel: testChannel, ReplicaID: name, RootEvery: time.Millisecond},
			Deps{Messenger: fm, Finder: fm, State: k, Checker: recordingChecker{name, checker, polls}, Targets: targets, Logger: slog.New(rc)})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		rp := &replica{name: name, rounds: rc, m: m, state: k, msgr: fm, cancel: cancel, done: make(chan struct{})}
		go func() { defer close(rp.done); _ = m.Run(ctx) }()
		reps = append(reps, rp)
	}
	t.Cleanup(func() {
		for _, rp := range reps {
			rp.cancel()
			<-rp.done
		}
	})

	// Every replica has run two rounds: the devices were polled healthy.
	waitRounds(t, reps, 2)
	if got := msgs.snapshot(); len(got) != 0 {
		t.Fatalf("healthy tunnels posted:\n%s", dump(got))
	}

	setAll("down", "dev-a", "dev-b", "dev-c")
	all := waitFor(t, msgs, "three incidents", func(all []sent) bool {
		rs := roots(all)
		if len(rs) < 3 {
			return false
		}
		for _, r := range rs {
			if len(replies(all, r.TS)) < 1 {
				return false
			}
		}
		return true
	})
	waitRounds(t, reps, 3) // more polls of the unchanged state
	all = msgs.snapshot()
	threadOf := map[string]string{}
	for _, r := range roots(all) {
		for d, p := range tunnels {
			if strings.Contains(r.Text, "Tunnel "+p+" ") {
				if threadOf[d] != "" {
					t.Fatalf("two roots for %s:\n%s", d, dump(all))
				}
				threadOf[d] = r.TS
			}
		}
	}
	if len(roots(all)) != 3 || len(threadOf) != 3 {
		t.Fatalf("want exactly one root per tunnel:\n%s", dump(all))
	}
	for d, ts := range threadOf {
		if n := len(replies(all, ts)); n != 1 {
			t.Fatalf("%s: %d replies for one outage:\n%s", d, n, dump(all))
		}
	}

	// Who polls dev-a now? Exactly one replica at a time.
	recent := polls.since(time.Now().Add(-3 * interval))
	holder := ""
	for _, p := range recent {
		if p.device != "dev-a" {
			continue
		}
		if holder != "" && p.replica != holder {
			t.Fatalf("dev-a polled by %s and %s", holder, p.replica)
		}
		holder = p.replica
	}
	if holder == "" {
		t.Fatal("nobody polls dev-a")
	}
	var victim *replica
	for _, rp := range reps {
		if rp.name == holder {
			victim = rp
		}
	}
	// Kill it: no more store access, no release, no posts.
	victim.state.dead.Store(true)
	victim.msgr.fail = func(bot.Message) error { return errKilled }
	victim.cancel()
	<-victim.done
	killedAt := time.Now()
	setAll("up", "dev-a")

	all = waitFor(t, msgs, "dev-a resolved", func(all []sent) bool { return hasReplyIn(all, threadOf["dev-a"], "resolved after") })
	var took time.Duration
	newHolder := ""
	for _, p := range polls.since(killedAt) {
		if p.device == "dev-a" && p.replica != holder {
			took, newHolder = p.at.Sub(killedAt), p.replica
			break
		}
	}
	t.Logf("dev-a: %s killed; %s polled it %s later (lease %s, interval %s)", holder, newHolder, took.Round(time.Millisecond), lease, interval)
	if newHolder == "" {
		t.Fatalf("dev-a resolved but no live replica polled it after %s was killed", holder)
	}

	setAll("up", "dev-b", "dev-c")
	all = waitFor(t, msgs, "all resolved", func(all []sent) bool {
		return hasReplyIn(all, threadOf["dev-b"], "resolved after") && hasReplyIn(all, threadOf["dev-c"], "resolved after")
	})
	waitRounds(t, reps, 3)
	all = msgs.snapshot()
	for d, ts := range threadOf {
		rep := replies(all, ts)
		if len(rep) != 2 || !strings.Contains(rep[1].Text, "resolved after") {
			t.Errorf("%s: want diagnosis + one resolution, got %d replies", d, len(rep))
		}
	}
	for _, s := range all {
		if s.By == holder && s.Op == "post" && strings.Contains(s.Text, "resolved") && s.ThreadTS == threadOf["dev-a"] {
			t.Errorf("the killed replica posted: %+v", s)
		}
	}
	if len(roots(all)) != 3 {
		t.Errorf("roots: %d", len(roots(all)))
	}
	if t.Failed() {
		t.Log("\n" + dump(all))
	}
}

// waitRounds waits until every live replica has run n more rounds.
func waitRounds(t *testing.T, reps []*replica, n int) {
	t.Helper()
	for _, rp := range reps {
		select {
		case <-rp.done:
			continue // stopped (killed)
		default:
		}
		rp.rounds.wait(t, n)
	}
}

func hasReplyIn(all []sent, thread, substr string) bool {
	for _, s := range replies(all, thread) {
		if strings.Contains(s.Text, substr) {
			return true
		}
	}
	return false
}

// TestReplicasRaceOneEvent: the same down and up events delivered to three
// replicas at once (syslog sent to all, a webhook retried) are posted once.
func TestReplicasRaceOneEvent(t *testing.T) {
	srv := redistest.Start(t)
	msgs := newMsgLog()
	checker := &fakeChecker{}
	peer, tr := scenarioTranscript(t, "ios-peer-unreachable")
	checker.set(testPeer, rewritePeer(tr, peer, testPeer))
	var ms []*Monitor
	for i := range 3 {
		rs, err := redisstore.OpenURL(srv.URL(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rs.Close() })
		fm := &fakeMessenger{name: fmt.Sprintf("r%d", i+1), log: msgs}
		m, err := New(Config{DefaultChannel: testChannel, ReplicaID: fmt.Sprintf("r%d", i+1), CheckTimeout: time.Second},
			Deps{Messenger: fm, Finder: fm, State: rs, Checker: checker,
				Targets: []Target{{Device: testDevice, Peer: testPeer}}, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	fire := func(down bool) {
		var wg sync.WaitGroup
		for _, m := range ms {
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := m.Handle(context.Background(), Event{Peer: testPeer, Device: testDevice, Down: down, Source: SourceSyslog}); err != nil {
						t.Errorf("handle: %v", err)
					}
				}()
			}
		}
		wg.Wait()
	}
	fire(true)
	fire(false)
	all := msgs.snapshot()
	rs := roots(all)
	if len(rs) != 1 {
		t.Fatalf("want one root:\n%s", dump(all))
	}
	rep := replies(all, rs[0].TS)
	if len(rep) != 2 || !strings.Contains(rep[1].Text, "resolved after") {
		t.Fatalf("want one diagnosis and one resolution:\n%s", dump(all))
	}
}

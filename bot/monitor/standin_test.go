package monitor

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
)

// queueingMessenger is a Messenger whose Slack is down: posts are held
// and stand-in ts returned (as bot/slack's outbox does) until
// deliver posts them, roots first, replies in the root's real thread, and
// tells the WhenDelivered callbacks.
type queueingMessenger struct {
	*fakeMessenger
	mu      sync.Mutex
	down    bool
	n       int
	held    []heldPost
	real    map[string]string // stand-in -> real ts
	waiting map[string][]func(string, bool)
}

type heldPost struct {
	standIn string
	msg     bot.Message
}

func (q *queueingMessenger) Post(ctx context.Context, m bot.Message) (string, error) {
	q.mu.Lock()
	if real, ok := q.real[m.ThreadTS]; ok {
		m.ThreadTS = real
	}
	if q.down {
		q.n++
		s := fmt.Sprintf("queued-%d", q.n)
		q.held = append(q.held, heldPost{standIn: s, msg: m})
		q.mu.Unlock()
		return s, nil
	}
	q.mu.Unlock()
	return q.fakeMessenger.Post(ctx, m)
}

func (q *queueingMessenger) Update(ctx context.Context, ts string, m bot.Message) error {
	q.mu.Lock()
	if real, ok := q.real[ts]; ok {
		ts = real
	}
	q.mu.Unlock()
	if bot.IsQueuedTS(ts) {
		return fmt.Errorf("edit of %s before it was delivered", ts)
	}
	return q.fakeMessenger.Update(ctx, ts, m)
}

func (q *queueingMessenger) WhenDelivered(standIn string, fn func(string, bool)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if real, ok := q.real[standIn]; ok {
		go fn(real, true)
		return
	}
	q.waiting[standIn] = append(q.waiting[standIn], fn)
}

// deliver posts what was held, in order, and calls the callbacks.
func (q *queueingMessenger) deliver(ctx context.Context) error {
	q.mu.Lock()
	q.down = false
	held := q.held
	q.held = nil
	q.mu.Unlock()
	for _, h := range held {
		q.mu.Lock()
		if real, ok := q.real[h.msg.ThreadTS]; ok {
			h.msg.ThreadTS = real
		}
		q.mu.Unlock()
		ts, err := q.fakeMessenger.Post(ctx, h.msg)
		if err != nil {
			return err
		}
		q.mu.Lock()
		q.real[h.standIn] = ts
		fns := q.waiting[h.standIn]
		delete(q.waiting, h.standIn)
		q.mu.Unlock()
		for _, fn := range fns {
			go fn(ts, true)
		}
	}
	return nil
}

// TestRootQueuedStandInReplaced: Slack is down when a tunnel goes down;
// the Messenger queues the root and returns a stand-in ts. Once the root
// is delivered, the tunnel's record and the bot's incident name its real
// ts (not the stand-in), and the resolution is posted in the real thread.
func TestRootQueuedStandInReplaced(t *testing.T) {
	r := newRig(t, Config{})
	q := &queueingMessenger{fakeMessenger: &fakeMessenger{name: "r1", log: r.log}, down: true, real: map[string]string{}, waiting: map[string][]func(string, bool){}}
	r.m.deps.Messenger, r.m.deps.Finder, r.m.deps.Deliveries = q, q, q
	r.set("ios-peer-unreachable")
	r.poll()
	ctx := context.Background()
	st, err := r.m.Statuses(ctx)
	if err != nil || len(st) != 1 || !bot.IsQueuedTS(st[0].ThreadTS) {
		t.Fatalf("statuses during the outage = %+v, %v; want one tunnel on a stand-in thread", st, err)
	}
	standIn := st[0].ThreadTS
	if err := q.deliver(ctx); err != nil {
		t.Fatal(err)
	}
	all := r.log.snapshot()
	rs := roots(all)
	if len(rs) != 1 {
		t.Fatalf("%d roots; want 1:%s", len(rs), dump(all))
	}
	real := rs[0].TS
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err = r.m.Statuses(ctx)
		if err == nil && len(st) == 1 && st[0].ThreadTS == real {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the record still names %+v (err %v); want thread %s instead of %s", st, err, real, standIn)
		}
		time.Sleep(10 * time.Millisecond) // poll interval, not an assertion
	}
	inc, ok, err := r.inc.ByTunnel(ctx, st[0].Tunnel)
	if err != nil || !ok || inc.ThreadTS != real || inc.RootTS != real {
		t.Fatalf("bot incident = %+v, %v, %v; want thread and root %s", inc, ok, err, real)
	}
	for _, d := range inc.Diagnoses {
		if bot.IsQueuedTS(d.MessageTS) {
			t.Errorf("a diagnosis records the stand-in %s", d.MessageTS)
		}
	}
	r.clock.Advance(5 * time.Minute)
	r.set("ios-healthy")
	r.poll()
	all = r.log.snapshot()
	found := false
	for _, s := range replies(all, real) {
		if strings.Contains(strings.ToLower(s.Text), "resolved") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no resolution in the real thread %s:%s", real, dump(all))
	}
	for _, s := range all {
		if bot.IsQueuedTS(s.ThreadTS) || bot.IsQueuedTS(s.TS) {
			t.Errorf("a stand-in reached Slack: %+v", s)
		}
	}
}

// giveUp drops what was held and tells the callbacks it was not delivered.
func (q *queueingMessenger) giveUp() {
	q.mu.Lock()
	held := q.held
	q.held, q.down = nil, false
	var fns []func(string, bool)
	for _, h := range held {
		fns = append(fns, q.waiting[h.standIn]...)
		delete(q.waiting, h.standIn)
	}
	q.mu.Unlock()
	for _, fn := range fns {
		go fn("", false)
	}
}

// TestRootGivenUpReopensThread: the queued root is given up (Slack failed
// past the outbox's limit); the record drops the stand-in thread and its
// incident, and the next sweep opens a real thread with a new incident.
func TestRootGivenUpReopensThread(t *testing.T) {
	r := newRig(t, Config{})
	q := &queueingMessenger{fakeMessenger: &fakeMessenger{name: "r1", log: r.log}, down: true, real: map[string]string{}, waiting: map[string][]func(string, bool){}}
	r.m.deps.Messenger, r.m.deps.Finder, r.m.deps.Deliveries = q, q, q
	r.set("ios-peer-unreachable")
	r.poll()
	ctx := context.Background()
	q.giveUp()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := r.m.Statuses(ctx)
		if err == nil && len(st) == 1 && st[0].ThreadTS == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the record still names %+v (err %v); want no thread", st, err)
		}
		time.Sleep(10 * time.Millisecond) // poll interval, not an assertion
	}
	r.sweep()
	all := r.log.snapshot()
	rs := roots(all)
	if len(rs) != 1 {
		t.Fatalf("%d roots after the sweep; want 1:%s", len(rs), dump(all))
	}
	st, err := r.m.Statuses(ctx)
	if err != nil || len(st) != 1 || st[0].ThreadTS != rs[0].TS {
		t.Fatalf("statuses = %+v, %v; want thread %s", st, err, rs[0].TS)
	}
	inc, ok, err := r.inc.ByTunnel(ctx, st[0].Tunnel)
	if err != nil || !ok || inc.ThreadTS != rs[0].TS {
		t.Fatalf("bot incident = %+v, %v, %v; want one on thread %s", inc, ok, err, rs[0].TS)
	}
}

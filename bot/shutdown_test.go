package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// blockingChecker waits until its context ends, as an SSH session does
// when tunneldoc is told to stop mid-check.
type blockingChecker struct{ started chan struct{} }

func (c blockingChecker) CheckTunnel(ctx context.Context, peer, device string) (CheckResult, error) {
	close(c.started)
	<-ctx.Done()
	return CheckResult{Device: "fw-hq"}, ctx.Err()
}

// recordingMessenger keeps every post and update; it refuses to work on a
// cancelled context, as the Slack client does.
type recordingMessenger struct {
	mu   sync.Mutex
	msgs []string
}

func (m *recordingMessenger) Post(ctx context.Context, msg Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg.Reply.Plain())
	return "1700000000.00000" + string(rune('0'+len(m.msgs))), nil
}
func (m *recordingMessenger) Update(ctx context.Context, ts string, msg Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg.Reply.Plain())
	return nil
}
func (m *recordingMessenger) Upload(context.Context, string, string, string, string, string) error {
	return nil
}
func (m *recordingMessenger) Permalink(context.Context, string, string) (string, error) {
	return "", nil
}

// TestCheckInterruptedByShutdown: SIGTERM during a running check tells the
// user it was interrupted, and the incident in the store is whole.
func TestCheckInterruptedByShutdown(t *testing.T) {
	st := store.NewMemory(store.Options{})
	msgr := &recordingMessenger{}
	chk := blockingChecker{started: make(chan struct{})}
	b, err := New(Config{Store: st, Messenger: msgr, Checker: chk, Clock: clock.Real})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		b.Handle(ctx, Request{Kind: KindMention, Channel: "C1", User: "U1", TS: "1700000000.000100", Text: "check tunnel 90.1.1.1"})
		close(done)
	}()
	select {
	case <-chk.started:
	case <-time.After(10 * time.Second):
		t.Fatal("check never started")
	}
	cancel() // SIGTERM
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("handler did not return after shutdown")
	}
	msgr.mu.Lock()
	defer msgr.mu.Unlock()
	last := msgr.msgs[len(msgr.msgs)-1]
	if !strings.Contains(last, "interrupted") {
		t.Fatalf("user not told the check was interrupted: %q", msgr.msgs)
	}
	open, err := st.ListOpen(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range open {
		if in.Peer == "90.1.1.1" && (in.Channel == "" || in.ThreadTS == "") {
			t.Fatalf("half-written incident: %+v", in)
		}
	}
}

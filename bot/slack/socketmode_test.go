package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// TestSocketModeMentionWithSeed: a mention carrying seed 004's problem
// scenario 1a, delivered over a Socket Mode websocket, is acked and gets
// exactly one threaded reply whose header names phase 1 and
// ike_proposal_mismatch; the same event redelivered (retry_attempt 1) is
// acked again and not answered twice.
func TestSocketModeMentionWithSeed(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- botslack.RunSocketMode(ctx, e.bot, e.api, nil, nil) }()

	text := "diagnose\n```\n" + seed(t, "seed004_scenario1a.txt") + "\n```"
	e.slack.envelopes <- envelope("env-1", mention("Ev100", "1700000100.000100", "", text), 0)

	cs := e.slack.waitFor("the diagnosis reply", func(cs []call) bool { return len(only(cs, "chat.postMessage")) >= 1 })
	posts := only(cs, "chat.postMessage")
	reply := posts[0]
	if reply.ThreadTS != "1700000100.000100" || reply.Channel != "CNET" {
		t.Fatalf("reply not threaded under the mention: channel=%s thread=%s", reply.Channel, reply.ThreadTS)
	}
	h := reply.header()
	t.Logf("reply header: %q", h)
	if !strings.Contains(h, "Phase 1") || !strings.Contains(h, "ike_proposal_mismatch") {
		t.Errorf("header = %q; want phase 1 and ike_proposal_mismatch", h)
	}
	if !strings.Contains(reply.Blocks, "Encryption algorithm offered does not match policy") {
		t.Errorf("proving line missing from the reply blocks")
	}
	if !strings.Contains(reply.Metadata, "tunneldoc_incident") {
		t.Errorf("root reply carries no incident metadata: %q", reply.Metadata)
	}

	// Redelivery of the same event_id (Slack retry) on the socket.
	e.slack.envelopes <- envelope("env-2", mention("Ev100", "1700000100.000100", "", text), 1)
	// A different event afterwards, so we know the redelivery was processed.
	e.slack.envelopes <- envelope("env-3", mention("Ev101", "1700000200.000100", "", "help"), 0)
	e.slack.waitFor("the help reply", func(cs []call) bool {
		for _, c := range only(cs, "chat.postMessage") {
			if c.ThreadTS == "1700000200.000100" {
				return true
			}
		}
		return false
	})
	cs = e.slack.waitFor("three acks", func(cs []call) bool { return len(only(cs, "ack")) >= 3 })
	// The redelivery was seen and ignored (not still on its way to a reply).
	waitUntil(t, "the redelivery to be ignored", func() bool {
		return strings.Contains(e.logs.String(), `redelivered event ignored" event_id=Ev100`)
	})
	n := 0
	for _, c := range only(e.slack.snapshot(), "chat.postMessage") {
		if c.ThreadTS == "1700000100.000100" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("mention answered %d times; want once. calls:%s", n, describe(e.slack.snapshot()))
	}
	acks := only(cs, "ack")
	if acks[0].Text != "env-1" {
		t.Errorf("first ack = %q; want env-1", acks[0].Text)
	}
	if !strings.Contains(e.logs.String(), "redelivered event ignored") {
		t.Error("redelivery not logged as ignored")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunSocketMode did not return after cancel")
	}
}

// TestSocketModeSlashAndButton: a /tunnel command and a button click
// over Socket Mode are acked and handled like their HTTP twins.
func TestSocketModeSlashAndButton(t *testing.T) {
	// The check blocks until the test has seen the ack: the ack must not
	// wait for the work.
	checker := &fakeChecker{gate: make(chan struct{})}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	checker.transcript = seed(t, "seed004_scenario1a.txt")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = botslack.RunSocketMode(ctx, e.bot, e.api, e.config.Logger, nil) }()
	go func() {
		defer close(checker.gate)
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if len(only(e.slack.snapshot(), "ack")) >= 1 {
				return
			}
		}
	}()

	e.slack.envelopes <- map[string]any{"envelope_id": "env-s1", "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{"command": "/tunnel", "text": "check 40.10.1.1", "user_id": "UALICE", "channel_id": "CNET", "trigger_id": "trig-2"}}
	cs := e.slack.waitFor("the check result", func(cs []call) bool { return len(only(cs, "chat.update")) == 1 })
	if ackAt, updateAt := indexOf(cs, "ack"), indexOf(cs, "chat.update"); ackAt < 0 || ackAt > updateAt {
		t.Fatalf("check finished before the envelope was acked:%s", describe(cs))
	}
	posts := only(cs, "chat.postMessage")
	if len(posts) != 2 || posts[0].ThreadTS != "" || posts[1].ThreadTS != posts[0].TS || !strings.Contains(only(cs, "chat.update")[0].header(), "ike_proposal_mismatch") {
		t.Fatalf("slash check over socket mode:%s", describe(cs))
	}
	inc, ok, err := e.store.ByThread(ctx, "CNET", posts[0].TS)
	if err != nil || !ok {
		t.Fatalf("no incident for the slash check: %v %v", ok, err)
	}
	e.slack.envelopes <- map[string]any{"envelope_id": "env-b1", "type": "interactive", "accepts_response_payload": false,
		"payload": map[string]any{"type": "block_actions", "user": map[string]any{"id": "UDAVE"}, "channel": map[string]any{"id": "CNET"},
			"message": map[string]any{"ts": posts[1].TS},
			"actions": []any{map[string]any{"action_id": bot.ActionAcknowledge, "block_id": "tunneldoc_actions", "value": inc.ID, "type": "button"}}}}
	e.slack.waitFor("the acknowledgement", func(cs []call) bool {
		for _, c := range only(cs, "chat.postMessage") {
			if strings.Contains(c.Text, "acknowledged by <@UDAVE>") && c.ThreadTS == posts[0].TS {
				return true
			}
		}
		return false
	})
	acks := only(e.slack.waitFor("two acks", func(cs []call) bool { return len(only(cs, "ack")) >= 2 }), "ack")
	if acks[0].Text != "env-s1" || acks[1].Text != "env-b1" {
		t.Fatalf("acks = %+v", acks)
	}
	if !strings.Contains(acks[0].Blocks, "Checking 40.10.1.1") || !strings.Contains(acks[0].Blocks, "ephemeral") {
		t.Fatalf("slash ack payload = %s", acks[0].Blocks)
	}
}

func indexOf(cs []call, method string) int {
	for i, c := range cs {
		if c.Method == method {
			return i
		}
	}
	return -1
}

// TestSocketModeReconnects: Slack refreshes connections; after a
// "disconnect" envelope the client opens a new socket by itself and the
// next mention is answered. The connection state readiness reads is up
// once the socket said hello.
func TestSocketModeReconnects(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn := botslack.NewConnection()
	if up, _ := conn.State(); up {
		t.Fatal("a new connection reads up before connecting")
	}
	go func() { _ = botslack.RunSocketMode(ctx, e.bot, e.api, e.config.Logger, conn) }()
	waitUntil(t, "the socket to be connected", func() bool { up, _ := conn.State(); return up })

	e.slack.envelopes <- map[string]any{"type": "disconnect", "reason": "refresh_requested"}
	e.slack.envelopes <- envelope("env-r1", mention("EvRe1", "1700003000.000100", "", "help"), 0)
	e.slack.waitFor("the reply after reconnecting", func(cs []call) bool { return len(only(cs, "chat.postMessage")) == 1 })
	e.slack.mu.Lock()
	conns := e.slack.wsConns
	e.slack.mu.Unlock()
	if conns < 2 {
		t.Fatalf("%d websocket connections; want a reconnect", conns)
	}
}

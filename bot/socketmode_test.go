package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack/socketmode"

	"github.com/tunneldoc/tunneldoc/bot"
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
	sm := socketmode.New(e.api)
	done := make(chan error, 1)
	go func() { done <- bot.RunSocketMode(ctx, e.bot, sm, nil) }()

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
	time.Sleep(300 * time.Millisecond) // give a wrongly answered duplicate time to show up
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

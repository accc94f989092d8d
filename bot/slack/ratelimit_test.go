package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// gateClock hands every wait to the test, which decides when it ends.
// TestRateLimitWaitedOutInOrder: a 429 on chat.postMessage is waited out
// for Retry-After and the message sent; a later message to the same
// channel waits behind it (order kept), another channel is not held up.
func TestRateLimitWaitedOutInOrder(t *testing.T) {
	f := newFakeSlack(t)
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(f.apiURL()))
	clk := clocktest.New(time.Time{})
	requested := clk.Hold()
	m := botslack.NewMessenger(api, clk, nil)
	m.MinInterval = 0
	f.rateLimit("chat.postMessage", 1)
	ctx := context.Background()

	errs := make(chan error, 3)
	go func() { _, err := m.Post(ctx, bot.Message{Channel: "CNET", Reply: bot.Text("first")}); errs <- err }()
	select {
	case d := <-requested:
		if d != time.Second {
			t.Fatalf("waited %v; want Retry-After 1s", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the 429 was not waited on")
	}
	go func() { _, err := m.Post(ctx, bot.Message{Channel: "CNET", Reply: bot.Text("second")}); errs <- err }()
	if _, err := m.Post(ctx, bot.Message{Channel: "COTHER", Reply: bot.Text("elsewhere")}); err != nil {
		t.Fatalf("other channel held up: %v", err)
	}
	// Not a wait for a condition: when the messenger is right nothing
	// happens here. It is the window in which a wrong one would send
	// "second" ahead of "first" (checked just below and in the final order).
	time.Sleep(100 * time.Millisecond)
	if cs := only(f.snapshot(), "chat.postMessage"); len(cs) != 1 || cs[0].Text != "elsewhere" {
		t.Fatalf("sent during the wait:%s", describe(cs))
	}
	clk.Release()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var order []string
	for _, c := range f.snapshot() {
		if c.Channel == "CNET" {
			order = append(order, c.Method+":"+c.Text)
		}
	}
	if got := strings.Join(order, ","); got != "chat.postMessage:429:first,chat.postMessage:first,chat.postMessage:second" {
		t.Fatalf("order = %s", got)
	}
}

// TestRateLimitQueuedPastRetries: a channel that stays rate limited past
// the inline retries does not hold the caller up (it returns after the
// bounded retries) and the call is not lost: it is queued and sent, once,
// when the limit ends.
func TestRateLimitQueuedPastRetries(t *testing.T) {
	f := newFakeSlack(t)
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(f.apiURL()))
	m := botslack.NewMessenger(api, newJumpClock(), nil)
	m.MaxRateLimitRetries = 3
	f.rateLimit("chat.update", 10)
	if err := m.Update(context.Background(), "1.000001", bot.Message{Channel: "CNET", Reply: bot.Text("x")}); err != nil {
		t.Fatalf("a rate-limited edit failed instead of being queued: %v", err)
	}
	cs := f.waitFor("the edit sent after the limit", func(cs []call) bool { return len(only(cs, "chat.update")) == 1 })
	waitUntil(t, "the outbox to empty", func() bool { return m.Queued() == 0 })
	cs = f.snapshot()
	if n := len(only(cs, "chat.update:429")); n != 10 {
		t.Fatalf("%d 429s answered; want 10:%s", n, describe(cs))
	}
	if n := len(only(cs, "chat.update")); n != 1 {
		t.Fatalf("edit sent %d times; want once:%s", n, describe(cs))
	}
}

// TestPacingPerChannel: posts to one channel are spaced by MinInterval.
func TestPacingPerChannel(t *testing.T) {
	f := newFakeSlack(t)
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(f.apiURL()))
	clk := clocktest.New(time.Time{})
	m := botslack.NewMessenger(api, clk, nil)
	ctx := context.Background()
	for _, text := range []string{"a", "b"} {
		if _, err := m.Post(ctx, bot.Message{Channel: "CNET", Reply: bot.Text(text)}); err != nil {
			t.Fatal(err)
		}
	}
	if w := clk.Waits(); len(w) != 1 || w[0] != time.Second {
		t.Fatalf("pacing waits = %v; want one wait of 1s (no time passed between the posts)", w)
	}
}

// TestMentionAnsweredThrough429: end to end, the diagnosis of a mention
// survives a 429 on its reply and is posted exactly once.
func TestMentionAnsweredThrough429(t *testing.T) {
	clk := clocktest.New(time.Time{})
	e := newEnv(t, func(e *testEnv, c *bot.Config) {
		c.Messenger = botslack.NewMessenger(e.api, clk, c.Logger)
		c.Clock = clk
	})
	e.slack.rateLimit("chat.postMessage", 2)
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "Ev429", TS: "1700002200.000100", Text: "<@UBOT> diagnose\n" + seed(t, "seed004_scenario1a.txt")})
	cs := e.slack.snapshot()
	if n := len(only(cs, "chat.postMessage:429")); n != 2 {
		t.Fatalf("%d 429s seen; want 2", n)
	}
	posts := only(cs, "chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].header(), "ike_proposal_mismatch") || posts[0].ThreadTS != "1700002200.000100" {
		t.Fatalf("reply after 429s:%s", describe(cs))
	}
	if w := clk.Waits(); len(w) != 2 || w[0] != time.Second {
		t.Fatalf("waits = %v", w)
	}
	if !strings.Contains(e.logs.String(), "slack rate limited; waiting") {
		t.Error("wait not logged")
	}
}

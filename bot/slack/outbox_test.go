package slack_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// jumpClock is virtual time: every wait ends at once and moves the clock
// on by its length, so hours of backoff take no real time.
// newJumpClock is virtual time: every wait moves it on at once.
func newJumpClock() *clocktest.Fake { return clocktest.New(time.Now()).Jump() }

func repeat(status, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = status
	}
	return out
}

// shown is one message as the thread shows it after every edit.
type shown struct {
	ts, text, header string
	edits            int
}

// threadsOf replays the successful posts and edits: thread ts -> its
// replies in posting order, each with its final content (top-level posts
// may be edited but are in no thread). An edit of a ts never posted is an
// error.
func threadsOf(cs []call) (map[string][]*shown, error) {
	byTS := map[string]*shown{}
	threads := map[string][]*shown{}
	for _, c := range cs {
		switch c.Method {
		case "chat.postMessage":
			m := &shown{ts: c.TS, text: c.Text, header: c.header()}
			byTS[c.TS] = m
			if c.ThreadTS != "" {
				threads[c.ThreadTS] = append(threads[c.ThreadTS], m)
			}
		case "chat.update":
			m, ok := byTS[c.TS]
			if !ok {
				return nil, fmt.Errorf("chat.update of %q, which was never posted", c.TS)
			}
			m.text, m.header = c.Text, c.header()
			m.edits++
		}
	}
	return threads, nil
}

// outageEnv is a bot whose messenger runs on virtual time, checking
// tunnels with a comparison of both ends (two replies per check).
func outageEnv(t *testing.T) (*testEnv, *botslack.Messenger) {
	t.Helper()
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	cmp := diagnose.Diagnose(seed(t, "seed004_scenario1a.txt"), diagnose.Options{})
	checker.comparison = &cmp
	var m *botslack.Messenger
	e := newEnv(t, func(e *testEnv, c *bot.Config) {
		m = botslack.NewMessenger(e.api, newJumpClock(), c.Logger)
		m.MinInterval = 0
		// Virtual time adds up every backoff of every thread (about an
		// hour for the outages below); give-up is tested on its own.
		m.MaxQueueAge = 24 * time.Hour
		c.Messenger, c.Recover, c.Checker = m, m, checker
	})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", e.logs.String())
		}
	})
	e.bot.Start(ctx)
	return e, m
}

const outageChecks = 6

func checkTS(i int) string { return fmt.Sprintf("17000040%02d.000100", i) }

// runChecks asks for outageChecks checks, one per thread.
func runChecks(e *testEnv) {
	for i := range outageChecks {
		e.handle(bot.Request{Kind: bot.KindMention, EventID: fmt.Sprintf("EvOut%d", i), TS: checkTS(i), Text: fmt.Sprintf("<@UBOT> check tunnel 40.10.1.%d", i+1)})
	}
}

// answered: every check's thread shows its diagnosis, then the
// comparison.
func answered(cs []call) bool {
	threads, err := threadsOf(cs)
	if err != nil {
		return false
	}
	for i := range outageChecks {
		ms := threads[checkTS(i)]
		if len(ms) < 2 || !strings.Contains(ms[0].header, "ike_proposal_mismatch") {
			return false
		}
	}
	return true
}

// assertInOrderOnce: each thread holds exactly the diagnosis (posted or
// edited into the placeholder) followed by the comparison, once each.
func assertInOrderOnce(t *testing.T, e *testEnv, cs []call) {
	t.Helper()
	threads, err := threadsOf(cs)
	if err != nil {
		t.Fatalf("%v:%s", err, describe(cs))
	}
	for i := range outageChecks {
		ms := threads[checkTS(i)]
		if len(ms) != 2 {
			t.Fatalf("thread %s has %d replies; want 2 (diagnosis, comparison):%s", checkTS(i), len(ms), describe(cs))
		}
		if !strings.Contains(ms[0].header, "ike_proposal_mismatch") || strings.Contains(ms[0].text, "checking") {
			t.Errorf("thread %s: first reply is not the diagnosis: %q %q", checkTS(i), ms[0].header, ms[0].text)
		}
		if !strings.HasPrefix(ms[1].text, "Both ends' crypto configurations compared") {
			t.Errorf("thread %s: second reply is not the comparison: %.80q", checkTS(i), ms[1].text)
		}
	}
	for _, c := range cs {
		if strings.HasPrefix(c.ThreadTS, "queued-") || strings.HasPrefix(c.TS, "queued-") {
			t.Errorf("a stand-in ts reached Slack: %s ts=%s thread=%s", c.Method, c.TS, c.ThreadTS)
		}
	}
	// The incidents carry no stand-in ts either.
	for i := range outageChecks {
		inc, ok, err := e.store.ByTunnel(context.Background(), fmt.Sprintf("40.10.1.%d", i+1))
		if err != nil || !ok {
			t.Fatalf("no incident for check %d: %v %v", i, ok, err)
		}
		for _, d := range inc.Diagnoses {
			if bot.IsQueuedTS(d.MessageTS) {
				t.Errorf("incident %s stored a stand-in ts %q", inc.ID, d.MessageTS)
			}
		}
	}
}

// TestSlackOutageAnswersDeliveredInOrderOnce: Slack answers 429 (past the
// messenger's inline retries) and then 500 for a while; every answer is
// delivered afterwards, in order per thread, exactly once, and the log
// says what was queued and delivered late.
func TestSlackOutageAnswersDeliveredInOrderOnce(t *testing.T) {
	e, m := outageEnv(t)
	e.slack.failNext(false, append(repeat(429, 30), repeat(500, 30)...)...)
	runChecks(e)
	cs := e.slack.waitFor("every answer delivered after the outage", func(cs []call) bool {
		return answered(cs) && m.Queued() == 0
	})
	if left := e.slack.scriptLeft(); left != 0 {
		t.Fatalf("the outage was not reached: %d scripted failures left", left)
	}
	if len(only(cs, "chat.postMessage:500")) == 0 || len(only(cs, "chat.postMessage:429"))+len(only(cs, "chat.update:429")) == 0 {
		t.Fatalf("no 429 or no 500 was answered to a post:%s", describe(cs))
	}
	assertInOrderOnce(t, e, cs)
	logs := e.logs.String()
	for _, want := range []string{"slack call queued for later delivery", "queued slack call delivered"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(logs, "given up") {
		t.Errorf("a call was given up:\n%s", logs)
	}
}

// TestSlackAmbiguous500NotPostedTwice: Slack posts but answers 500 (the
// answer was lost); the outbox finds the post by its delivery id in the
// thread and does not post it again.
func TestSlackAmbiguous500NotPostedTwice(t *testing.T) {
	e, m := outageEnv(t)
	e.slack.failNext(true, repeat(500, 30)...)
	runChecks(e)
	cs := e.slack.waitFor("every answer delivered after the outage", func(cs []call) bool {
		return answered(cs) && m.Queued() == 0
	})
	if len(only(cs, "chat.postMessage:500")) == 0 {
		t.Fatalf("no post was answered 500:%s", describe(cs))
	}
	if len(only(cs, "conversations.replies")) == 0 {
		t.Fatalf("the thread was never read for the delivery id:%s", describe(cs))
	}
	assertInOrderOnce(t, e, cs)
	if !strings.Contains(e.logs.String(), "delivered by an earlier attempt; not posting again") {
		t.Error("the found delivery is not logged")
	}
}

// TestSlackOutageGivenUpAfterMaxAge: a thread that keeps failing is given
// up after MaxQueueAge (virtual time here), and the log says so.
func TestSlackOutageGivenUpAfterMaxAge(t *testing.T) {
	e, m := outageEnv(t)
	m.MaxQueueAge = 10 * time.Minute
	e.slack.failNext(false, repeat(500, 200)...)
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvGiveUp", TS: "1700004100.000100", Text: "<@UBOT> diagnose\n" + seed(t, "seed004_scenario1a.txt")})
	waitUntil(t, "the outbox to give up", func() bool { return m.Queued() == 0 })
	if !strings.Contains(e.logs.String(), "queued slack call given up: still failing after 10m") {
		t.Fatalf("give-up not logged:\n%s", e.logs.String())
	}
}

// waitUntil polls cond until it holds, failing the test after 30 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // poll interval, not an assertion
	}
}

// deferredRecorder also records what was held back (ops.Metrics.Deferred).
type deferredRecorder struct{ recordMetrics }

func (m *deferredRecorder) Deferred(queue, event string) { m.add(queue + " " + event) }

// TestDeferredWritesCounted: with Redis down and Slack answering 500, the
// held incident write and the queued reply are counted, and so are their
// late delivery and write.
func TestDeferredWritesCounted(t *testing.T) {
	m := &deferredRecorder{}
	var sm *botslack.Messenger
	e := newEnv(t, func(e *testEnv, c *bot.Config) {
		sm = botslack.NewMessenger(e.api, newJumpClock(), c.Logger)
		sm.MinInterval = 0
		c.Messenger, c.Metrics = sm, m
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.bot.Start(ctx)
	e.redis.Stop()
	e.slack.failNext(false, repeat(500, 3)...)
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvCount", TS: "1700004200.000100", Text: "<@UBOT> diagnose\n" + seed(t, "seed004_scenario1a.txt")})
	e.redis.Restart()
	waitUntil(t, "the held write and the queued reply", func() bool { return e.bot.PendingWrites() == 0 && sm.Queued() == 0 })
	got := m.String()
	for _, want := range []string{"store queued", "store written", "slack queued", "slack delivered_late"} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q: %s", want, got)
		}
	}
	if strings.Contains(got, "dropped") || strings.Contains(got, "given_up") {
		t.Errorf("something was lost: %s", got)
	}
}

package slack_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// topLevelEnv is a messenger on virtual time talking to a fake Slack.
func topLevelEnv(t *testing.T) (*fakeSlack, *botslack.Messenger, *syncBuffer) {
	t.Helper()
	f := newFakeSlack(t)
	logs := &syncBuffer{}
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(f.apiURL()))
	m := botslack.NewMessenger(api, newJumpClock(), slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	m.MinInterval = 0
	m.MaxQueueAge = 24 * time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m.Start(ctx)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("messenger log:\n%s", logs.String())
		}
	})
	return f, m, logs
}

// topLevelPosts are the successful top-level chat.postMessage calls.
func topLevelPosts(cs []call) []call {
	var out []call
	for _, c := range only(cs, "chat.postMessage") {
		if c.ThreadTS == "" {
			out = append(out, c)
		}
	}
	return out
}

func noStandInSent(t *testing.T, cs []call) {
	t.Helper()
	for _, c := range cs {
		if bot.IsQueuedTS(c.ThreadTS) || bot.IsQueuedTS(c.TS) {
			t.Errorf("a stand-in ts reached Slack: %s ts=%s thread=%s", c.Method, c.TS, c.ThreadTS)
		}
	}
}

// TestSlackOutageTopLevelPostQueued: Slack answers 500 and then 429 (past
// the inline retries) for a while. A slash-command style root post, two
// replies in its thread, an edit of the first reply and an edit of the
// root, all made during the outage, are delivered afterwards: the root
// first, the replies in its real thread in order, each once, the root
// edit to the root's real ts; the stand-in resolves to the real ts, the
// WhenDelivered callback gets it, and a reply naming the stand-in after
// delivery goes to the real thread too.
func TestSlackOutageTopLevelPostQueued(t *testing.T) {
	f, m, logs := topLevelEnv(t)
	ctx := context.Background()
	f.failNext(false, append(repeat(500, 4), repeat(429, 40)...)...)

	root, err := m.Post(ctx, bot.Message{Channel: "CNET", Reply: bot.Text(bot.Mention("UALICE") + " asked me to check tunnel 40.10.1.1.")})
	if err != nil {
		t.Fatalf("a top-level post failed during the outage instead of being queued: %v", err)
	}
	if !bot.IsQueuedTS(root) {
		t.Fatalf("root post returned %q during the outage; want a stand-in", root)
	}
	delivered := make(chan string, 1)
	m.WhenDelivered(root, func(ts string, ok bool) {
		if !ok {
			ts = "given up"
		}
		delivered <- ts
	})
	r1, err := m.Post(ctx, bot.Message{Channel: "CNET", ThreadTS: root, Reply: bot.Text("checking 40.10.1.1…")})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Update(ctx, r1, bot.Message{Channel: "CNET", ThreadTS: root, Reply: bot.Text("diagnosis of 40.10.1.1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Post(ctx, bot.Message{Channel: "CNET", ThreadTS: root, Reply: bot.Text("comparison of both ends")}); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(ctx, root, bot.Message{Channel: "CNET", Reply: bot.Text(bot.Mention("UALICE") + " asked me to check tunnel 40.10.1.1: phase 1 down.")}); err != nil {
		t.Fatal(err)
	}

	waitUntil(t, "the outbox to deliver everything", func() bool { return m.Queued() == 0 })
	cs := f.snapshot()
	if left := f.scriptLeft(); left != 0 {
		t.Fatalf("the outage was not reached: %d scripted failures left:%s", left, describe(cs))
	}
	if len(only(cs, "chat.postMessage:500")) == 0 || len(only(cs, "chat.postMessage:429")) == 0 {
		t.Fatalf("no 500 or no 429 was answered to a post:%s", describe(cs))
	}
	roots := topLevelPosts(cs)
	if len(roots) != 1 || !strings.HasPrefix(roots[0].Text, "<@UALICE> asked me") {
		t.Fatalf("%d top-level posts; want the root once:%s", len(roots), describe(cs))
	}
	real := roots[0].TS
	if got, ok := m.Resolve(root); !ok || got != real {
		t.Fatalf("Resolve(%s) = %q, %v; want %q", root, got, ok, real)
	}
	select {
	case got := <-delivered:
		if got != real {
			t.Fatalf("WhenDelivered got %q; want %q", got, real)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WhenDelivered was not called")
	}
	threads, err := threadsOf(cs)
	if err != nil {
		t.Fatalf("%v:%s", err, describe(cs))
	}
	var texts []string
	for _, r := range threads[real] {
		texts = append(texts, r.text)
	}
	if got := strings.Join(texts, " | "); got != "diagnosis of 40.10.1.1 | comparison of both ends" {
		t.Fatalf("the root's thread shows %q; want the diagnosis, then the comparison, once each:%s", got, describe(cs))
	}
	// The root comes first, and its edit went to its real ts after it.
	rootAt, editAt := -1, -1
	for i, c := range cs {
		switch {
		case c.Method == "chat.postMessage" && c.TS == real:
			rootAt = i
		case c.Method == "chat.postMessage" && c.ThreadTS == real && rootAt < 0:
			t.Fatalf("a reply was posted before its root:%s", describe(cs))
		case c.Method == "chat.update" && c.TS == real:
			if editAt >= 0 {
				t.Fatalf("the root edit was made twice:%s", describe(cs))
			}
			editAt = i
			if !strings.HasSuffix(c.Text, "phase 1 down.") {
				t.Errorf("root edited to %q", c.Text)
			}
		}
	}
	if editAt < rootAt {
		t.Fatalf("the root edit was not made after the root (root at %d, edit at %d):%s", rootAt, editAt, describe(cs))
	}
	noStandInSent(t, cs)

	// After delivery the stand-in still names the thread.
	if _, err := m.Post(ctx, bot.Message{Channel: "CNET", ThreadTS: root, Reply: bot.Text("late reply")}); err != nil {
		t.Fatal(err)
	}
	last := only(f.snapshot(), "chat.postMessage")
	if l := last[len(last)-1]; l.Text != "late reply" || l.ThreadTS != real {
		t.Fatalf("a reply naming the stand-in after delivery went to thread %q; want %q", l.ThreadTS, real)
	}
	if !strings.Contains(logs.String(), "top_level=true") {
		t.Error("the log does not say a top-level post was queued")
	}
}

// TestSlackAmbiguous500RootNotPostedTwice: Slack makes the top-level post
// but answers 500 (the answer was lost); the outbox finds it by its
// delivery id in conversations.history and does not post it again, and
// the reply queued behind it goes to its thread.
func TestSlackAmbiguous500RootNotPostedTwice(t *testing.T) {
	f, m, logs := topLevelEnv(t)
	ctx := context.Background()
	f.failNext(true, repeat(500, 6)...)
	root, err := m.Post(ctx, bot.Message{Channel: "CNET", Reply: bot.Text("Tunnel 40.10.1.2 is down.")})
	if err != nil {
		t.Fatalf("the root post failed instead of being queued: %v", err)
	}
	if _, err := m.Post(ctx, bot.Message{Channel: "CNET", ThreadTS: root, Reply: bot.Text("diagnosis of 40.10.1.2")}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the outbox to deliver everything", func() bool { return m.Queued() == 0 })
	cs := f.snapshot()
	if len(only(cs, "chat.postMessage:500")) == 0 {
		t.Fatalf("no post was answered 500:%s", describe(cs))
	}
	if len(only(cs, "conversations.history")) == 0 {
		t.Fatalf("the channel was never read for the delivery id:%s", describe(cs))
	}
	roots := topLevelPosts(cs)
	if len(roots) != 1 {
		t.Fatalf("the root was posted %d times; want once:%s", len(roots), describe(cs))
	}
	real := roots[0].TS
	if got, ok := m.Resolve(root); !ok || got != real {
		t.Fatalf("Resolve(%s) = %q, %v; want %q", root, got, ok, real)
	}
	threads, err := threadsOf(cs)
	if err != nil {
		t.Fatal(err)
	}
	if rs := threads[real]; len(rs) != 1 || rs[0].text != "diagnosis of 40.10.1.2" {
		t.Fatalf("the root's thread holds %d replies; want the diagnosis once:%s", len(rs), describe(cs))
	}
	noStandInSent(t, cs)
	if !strings.Contains(logs.String(), "delivered by an earlier attempt; not posting again") {
		t.Error("the found delivery is not logged")
	}
}

// TestSlackRootGivenUpFailsItsThread: a root that is given up (still
// failing after MaxQueueAge, virtual time) is reported to WhenDelivered as not delivered, Resolve stays
// false, and a later call naming its stand-in fails instead of posting to
// a thread that does not exist.
func TestSlackRootGivenUpFailsItsThread(t *testing.T) {
	f := newFakeSlack(t)
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(f.apiURL()))
	m := botslack.NewMessenger(api, newJumpClock(), nil)
	m.MinInterval = 0
	m.MaxQueueAge = 10 * time.Minute
	f.failNext(false, repeat(500, 200)...)
	ctx := context.Background()
	root, err := m.Post(ctx, bot.Message{Channel: "CNET", Reply: bot.Text("Tunnel 40.10.1.3 is down.")})
	if err != nil || !bot.IsQueuedTS(root) {
		t.Fatalf("root = %q, %v; want a stand-in", root, err)
	}
	result := make(chan bool, 1)
	m.WhenDelivered(root, func(_ string, ok bool) { result <- ok })
	if _, err := m.Post(ctx, bot.Message{Channel: "CNET", ThreadTS: root, Reply: bot.Text("diagnosis")}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the outbox to give up", func() bool { return m.Queued() == 0 })
	select {
	case ok := <-result:
		if ok {
			t.Fatal("WhenDelivered reported a given-up root as delivered")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WhenDelivered was not called")
	}
	if _, ok := m.Resolve(root); ok {
		t.Fatal("a given-up root resolved")
	}
	if _, err := m.Post(ctx, bot.Message{Channel: "CNET", ThreadTS: root, Reply: bot.Text("late")}); err == nil {
		t.Fatal("a reply to a given-up root was accepted")
	}
	for _, c := range only(f.snapshot(), "chat.postMessage") {
		t.Fatalf("something was posted: %s %q", c.ThreadTS, c.Text)
	}
}

// TestSlackOutageSlashCheckRootQueued: end to end, a slash command's
// check (root message, placeholder edited into the diagnosis, then the
// comparison of both ends) made while Slack answers 500 and then 429 is
// delivered afterwards: the root once, both replies in its real thread in
// order, once each; and the incident, opened on the root's stand-in, is
// stored with the real thread ts once the root is delivered.
func TestSlackOutageSlashCheckRootQueued(t *testing.T) {
	e, m := outageEnv(t)
	e.slack.failNext(false, append(repeat(500, 10), repeat(429, 30)...)...)
	e.handle(bot.Request{Kind: bot.KindSlash, EventID: "EvSlashOut", Text: "check tunnel 40.10.1.9"})
	cs := e.slack.waitFor("the slash command's thread delivered", func(cs []call) bool {
		return m.Queued() == 0 && len(topLevelPosts(cs)) > 0
	})
	if left := e.slack.scriptLeft(); left != 0 {
		t.Fatalf("the outage was not reached: %d scripted failures left:%s", left, describe(cs))
	}
	roots := topLevelPosts(cs)
	if len(roots) != 1 || !strings.Contains(roots[0].Text, "asked me to check tunnel 40.10.1.9") {
		t.Fatalf("%d top-level posts; want the slash command's root once:%s", len(roots), describe(cs))
	}
	if len(only(cs, "chat.postMessage:500")) == 0 || roots[0].ThreadTS != "" {
		t.Fatalf("the root was not hit by the outage:%s", describe(cs))
	}
	real := roots[0].TS
	threads, err := threadsOf(cs)
	if err != nil {
		t.Fatalf("%v:%s", err, describe(cs))
	}
	ms := threads[real]
	if len(ms) != 2 || !strings.Contains(ms[0].header, "ike_proposal_mismatch") || !strings.HasPrefix(ms[1].text, "Both ends' crypto configurations compared") {
		t.Fatalf("the root's thread holds %d replies; want the diagnosis then the comparison, once each:%s", len(ms), describe(cs))
	}
	noStandInSent(t, cs)
	ctx := context.Background()
	waitUntil(t, "the incident to name the real thread", func() bool {
		inc, ok, err := e.store.ByTunnel(ctx, "40.10.1.9")
		return err == nil && ok && inc.ThreadTS == real
	})
	// The thread index is written just after the incident's body.
	waitUntil(t, "the real thread to find the incident", func() bool {
		inc, ok, err := e.store.ByThread(ctx, "CNET", real)
		return err == nil && ok && inc.Peer == "40.10.1.9"
	})
}

// TestSlackOutageRootQueuedStoreDown: Slack fails the slash command's root
// and Redis is down, so the incident waits in pending writes with the
// root's stand-in as its thread. The root is delivered while Redis is
// still down; when Redis is back the incident is written with the real
// thread ts, not the stand-in.
func TestSlackOutageRootQueuedStoreDown(t *testing.T) {
	e, m := outageEnv(t)
	e.redis.Stop()
	e.slack.failNext(false, repeat(500, 5)...)
	e.handle(bot.Request{Kind: bot.KindSlash, EventID: "EvSlashDown", Text: "check tunnel 40.10.1.8"})
	cs := e.slack.waitFor("the slash command's thread delivered", func(cs []call) bool {
		return m.Queued() == 0 && len(topLevelPosts(cs)) > 0
	})
	roots := topLevelPosts(cs)
	if len(roots) != 1 || len(only(cs, "chat.postMessage:500")) == 0 {
		t.Fatalf("want one root, hit by the outage:%s", describe(cs))
	}
	real := roots[0].TS
	if e.bot.PendingWrites() == 0 {
		t.Fatal("the incident was not held for the store")
	}
	e.redis.Restart()
	waitUntil(t, "the held incident written", func() bool { return e.bot.PendingWrites() == 0 })
	inc, ok, err := e.store.ByTunnel(context.Background(), "40.10.1.8")
	if err != nil || !ok {
		t.Fatalf("no incident after the store came back: %v %v", ok, err)
	}
	if inc.ThreadTS != real {
		t.Fatalf("incident thread = %q; want the root's real ts %q", inc.ThreadTS, real)
	}
	noStandInSent(t, cs)
}

// TestSlackRootLookupRefusedPostsAgain: after an ambiguous 500 on a root,
// Slack refuses the history read for good (missing_scope: a channel the
// token may not read). The root is posted again rather than given up,
// and the log says it may show twice.
func TestSlackRootLookupRefusedPostsAgain(t *testing.T) {
	f, m, logs := topLevelEnv(t)
	f.mu.Lock()
	f.historyErr = "missing_scope"
	f.mu.Unlock()
	f.failNext(false, 500)
	root, err := m.Post(context.Background(), bot.Message{Channel: "GPRIVATE", Reply: bot.Text("Tunnel 40.10.1.4 is down.")})
	if err != nil || !bot.IsQueuedTS(root) {
		t.Fatalf("root = %q, %v; want a stand-in", root, err)
	}
	waitUntil(t, "the outbox to empty", func() bool { return m.Queued() == 0 })
	cs := f.snapshot()
	if len(only(cs, "conversations.history")) == 0 {
		t.Fatalf("the channel was not read:%s", describe(cs))
	}
	if roots := topLevelPosts(cs); len(roots) != 1 {
		t.Fatalf("the root was posted %d times; want once:%s", len(roots), describe(cs))
	}
	if !strings.Contains(logs.String(), "it may show twice") {
		t.Error("the re-post without a lookup is not logged")
	}
}

// TestSlackSameDeliveryIDPostedOnce: a caller that posts again with the
// same delivery id (retrying after an error of its own) gets the first
// post's stand-in while it is queued, and its real ts once delivered;
// Slack gets the post once.
func TestSlackSameDeliveryIDPostedOnce(t *testing.T) {
	f, m, _ := topLevelEnv(t)
	ctx := context.Background()
	f.failNext(false, repeat(500, 3)...)
	msg := bot.Message{Channel: "CNET", Reply: bot.Text("Tunnel 40.10.1.5 is down."), DeliveryID: "40.10.1.5:1:root"}
	first, err := m.Post(ctx, msg)
	if err != nil || !bot.IsQueuedTS(first) {
		t.Fatalf("first = %q, %v; want a stand-in", first, err)
	}
	again, err := m.Post(ctx, msg)
	if err != nil || again != first {
		t.Fatalf("the same delivery id while queued: %q, %v; want %q", again, err, first)
	}
	waitUntil(t, "the outbox to empty", func() bool { return m.Queued() == 0 })
	roots := topLevelPosts(f.snapshot())
	if len(roots) != 1 {
		t.Fatalf("posted %d times; want once:%s", len(roots), describe(f.snapshot()))
	}
	late, err := m.Post(ctx, msg)
	if err != nil || late != roots[0].TS {
		t.Fatalf("the same delivery id after delivery: %q, %v; want %q", late, err, roots[0].TS)
	}
	if n := len(topLevelPosts(f.snapshot())); n != 1 {
		t.Fatalf("posted %d times after the repeat; want once", n)
	}
}

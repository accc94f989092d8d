package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// burst runs one check per peer at once and waits for all of them.
func burst(e *testEnv, b *bot.Bot, tag string, peers []string) {
	var wg sync.WaitGroup
	for i, p := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Handle(context.Background(), bot.Request{Kind: bot.KindMention, Channel: "CNET", User: "UALICE",
				EventID: fmt.Sprintf("Ev%s%d", tag, i), TS: fmt.Sprintf("17000%s%03d.000100", tag, i), Text: "<@UBOT> check tunnel " + p})
		}()
	}
	wg.Wait()
}

func peerRange(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("40.20.1.%d", i))
	}
	return out
}

// TestRedisKilledMidBurstNothingLost: redis-server is SIGKILLed in the
// middle of a burst of checks and restarted. The checks made while it was
// down are answered saying their state waits in memory; once Redis is back
// the bot (not restarted) writes them: every tunnel checked has exactly one
// incident, holding every diagnosis made for it, also when another replica
// checked the same tunnel after the restart, before the write.
func TestRedisKilledMidBurstNothingLost(t *testing.T) {
	checker := &fakeChecker{}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	checker.transcript = seed(t, "seed004_scenario1a.txt")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.bot.Start(ctx)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", e.logs.String())
		}
	})

	want := map[string]int{} // peer -> diagnoses made
	note := func(peers []string) {
		for _, p := range peers {
			want[p]++
		}
	}
	up := peerRange(0, 10)
	burst(e, e.bot, "501", up)
	note(up)

	e.redis.Kill()
	// New tunnels, and tunnels whose incident exists already.
	down := append(peerRange(10, 20), peerRange(0, 5)...)
	burst(e, e.bot, "502", down)
	note(down)
	if e.bot.PendingWrites() == 0 {
		t.Fatal("nothing is waiting for the store while it is down")
	}
	deferredReplies := 0
	for _, c := range e.slack.snapshot() {
		if c.Method == "chat.update" && strings.Contains(c.Blocks, "will be written when the store answers again") {
			deferredReplies++
		}
	}
	if deferredReplies == 0 {
		t.Fatalf("no reply says its state waits for the store:%s", describe(e.slack.snapshot()))
	}

	e.redis.Restart()
	// Another replica (its own store client, same Redis) checks tunnels
	// this bot holds writes for.
	replica, err := bot.New(bot.Config{Store: e.openStore(), Messenger: e.config.Messenger, Checker: checker, Logger: e.config.Logger, BotUserID: botUser})
	if err != nil {
		t.Fatal(err)
	}
	again := peerRange(10, 13)
	burst(e, replica, "503", again)
	note(again)
	after := peerRange(20, 25)
	burst(e, e.bot, "504", after)
	note(after)

	ctxb := context.Background()
	waitUntil(t, "the held writes to reach Redis", func() bool { return e.bot.PendingWrites() == 0 })
	open, err := e.store.ListOpen(ctxb)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, in := range open {
		if other, dup := seen[in.Tunnel]; dup {
			t.Errorf("tunnel %s has two incidents: %s and %s", in.Tunnel, other, in.ID)
		}
		seen[in.Tunnel] = in.ID
	}
	if len(open) != len(want) {
		t.Errorf("%d open incidents; want %d (one per tunnel checked)", len(open), len(want))
	}
	for peer, n := range want {
		in, ok, err := e.store.ByTunnel(ctxb, store.Tunnel(peer, ""))
		if err != nil || !ok {
			t.Errorf("tunnel %s has no incident after recovery: %v %v", peer, ok, err)
			continue
		}
		if len(in.Diagnoses) != n {
			t.Errorf("incident %s (%s) holds %d diagnoses; want %d", in.ID, peer, len(in.Diagnoses), n)
		}
		for i := 1; i < len(in.Diagnoses); i++ {
			if in.Diagnoses[i].At.Before(in.Diagnoses[i-1].At) {
				t.Errorf("incident %s: diagnoses out of time order", in.ID)
			}
		}
	}
	if !strings.Contains(e.logs.String(), "incident written after the store came back") {
		t.Error("the late writes are not logged")
	}
}

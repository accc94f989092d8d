package slack_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
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

// TestHeldOpenLeavesNoOrphanRecord: the store writes an incident's body
// and then fails to claim its tunnel (as when Redis dies between the two;
// here an ACL lets the bot's Redis user read tunnel keys but not write
// them). When the claim works again, the held write makes the same record
// the tunnel's incident: no second incident record is left behind.
func TestHeldOpenLeavesNoOrphanRecord(t *testing.T) {
	e := newEnv(t)
	admin := func(args ...string) string {
		t.Helper()
		out, err := e.redis.Do(args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return out
	}
	admin("ACL", "SETUSER", "bot", "on", ">bot-pw", "+@all", "&*", "resetkeys",
		"~tunneldoc:incident:*", "~tunneldoc:event:*", "~tunneldoc:thread:*", "~tunneldoc:open", "%R~tunneldoc:tunnel:*")
	st, err := redisstore.OpenURL("redis://bot:bot-pw@"+e.redis.Addr()+"/0", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := bot.New(bot.Config{Store: st, Messenger: e.config.Messenger, Logger: e.config.Logger, BotUserID: botUser})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Start(ctx)

	b.Handle(ctx, bot.Request{Kind: bot.KindMention, Channel: "CNET", User: "UALICE", EventID: "EvOrphan", TS: "1700006000.000100", Text: "<@UBOT> diagnose\n" + seed(t, "seed004_scenario1a.txt")})
	if b.PendingWrites() != 1 {
		t.Fatalf("%d tunnels wait for the store; want 1 (the claim was refused)\n%s", b.PendingWrites(), e.logs.String())
	}
	if n := strings.Count(admin("KEYS", "tunneldoc:incident:*"), "tunneldoc:incident:"); n != 1 {
		t.Fatalf("%d incident bodies before the claim works; want the 1 written before it failed", n)
	}
	admin("ACL", "SETUSER", "bot", "~*")
	waitUntil(t, "the held write", func() bool { return b.PendingWrites() == 0 })
	keys := admin("KEYS", "tunneldoc:incident:*")
	if n := strings.Count(keys, "tunneldoc:incident:"); n != 1 {
		t.Fatalf("%d incident records for one tunnel: %q", n, keys)
	}
	inc, ok, err := e.store.ByTunnel(ctx, "40.10.1.1")
	if err != nil || !ok || "tunneldoc:incident:"+inc.ID != keys || len(inc.Diagnoses) != 1 {
		t.Fatalf("the tunnel's incident is not the record written first: %+v %v %v (keys %q)", inc, ok, err, keys)
	}
}

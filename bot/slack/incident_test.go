package slack_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

func (e *testEnv) handle(req bot.Request) {
	e.t.Helper()
	if req.Channel == "" {
		req.Channel = "CNET"
	}
	if req.User == "" {
		req.User = "UALICE"
	}
	e.bot.Handle(context.Background(), req)
}

// TestSecondCheckSameThreadSurvivesRedisRestart: a second `check tunnel`
// of a peer with an open incident is answered in the asker's own thread,
// with a pointer to the incident's thread, and joins the incident; after
// redis-server restarts (AOF on), a third check still finds the incident.
func TestSecondCheckSameThreadSurvivesRedisRestart(t *testing.T) {
	checker := &fakeChecker{}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	checker.transcript = seed(t, "seed004_scenario1a.txt")
	ctx := context.Background()

	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvC1", TS: "1700000500.000100", Text: "<@UBOT> check tunnel 40.10.1.1 on fw-hq"})
	cs := e.slack.snapshot()
	posts, updates := only(cs, "chat.postMessage"), only(cs, "chat.update")
	if len(posts) != 1 || posts[0].ThreadTS != "1700000500.000100" || !strings.Contains(posts[0].Text, "checking 40.10.1.1 on fw-hq") {
		t.Fatalf("want a threaded placeholder:%s", describe(cs))
	}
	if len(updates) != 1 || updates[0].TS != posts[0].TS || !strings.Contains(updates[0].header(), "Phase 1") || !strings.Contains(updates[0].header(), "ike_proposal_mismatch") {
		t.Fatalf("want the placeholder updated in place with the result:%s", describe(cs))
	}
	if !strings.Contains(updates[0].Blocks, "2 command(s)") || !strings.Contains(updates[0].Blocks, "device fw-hq") {
		t.Errorf("context line lacks the check facts: %s", updates[0].Blocks)
	}
	first, ok, err := e.store.ByTunnel(ctx, store.Tunnel("40.10.1.1", "fw-hq"))
	if err != nil || !ok || first.ThreadTS != "1700000500.000100" || first.RootTS != posts[0].TS {
		t.Fatalf("incident after first check: %+v %v %v", first, ok, err)
	}

	// Second check from a new top-level message.
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvC2", User: "UBOB", TS: "1700000600.000100", Text: "<@UBOT> check tunnel 40.10.1.1 on fw-hq"})
	cs = e.slack.snapshot()
	posts = only(cs, "chat.postMessage")
	if len(posts) != 3 {
		t.Fatalf("want placeholder + pointer:%s", describe(cs))
	}
	placeholder, pointer := posts[1], posts[2]
	if pointer.ThreadTS != "1700000600.000100" || !strings.Contains(pointer.Text, first.ID) || !strings.Contains(pointer.Text, "p1700000500000100") {
		t.Errorf("pointer in the asker's thread = %+v", pointer)
	}
	if placeholder.ThreadTS != "1700000600.000100" {
		t.Errorf("second check answered in thread %q; want the asker's", placeholder.ThreadTS)
	}
	if last := only(cs, "chat.update"); last[len(last)-1].TS != placeholder.TS || !strings.Contains(last[len(last)-1].Blocks, first.ID) {
		t.Errorf("the asker's answer does not carry the incident id:%s", describe(cs))
	}
	got, _ := e.store.Get(ctx, first.ID)
	if len(got.Diagnoses) != 2 || strings.Join(got.Users, ",") != "UALICE,UBOB" {
		t.Fatalf("incident after second check: diagnoses=%d users=%v", len(got.Diagnoses), got.Users)
	}

	e.redis.Restart()

	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvC3", User: "UCAROL", TS: "1700000700.000100", Text: "<@UBOT> check tunnel 40.10.1.1 on fw-hq"})
	cs = e.slack.snapshot()
	posts = only(cs, "chat.postMessage")
	if last := posts[len(posts)-1]; last.ThreadTS != "1700000700.000100" || !strings.Contains(last.Text, first.ID) {
		t.Fatalf("after restart the check went to thread %q, or no pointer to %s; want the asker's:%s", last.ThreadTS, first.ID, describe(cs))
	}
	got, err = e.store.Get(ctx, first.ID)
	if err != nil || len(got.Diagnoses) != 3 || got.Status != store.StatusOpen {
		t.Fatalf("incident after restart: %+v %v", got, err)
	}
	// A redelivery of an event answered before the restart is still refused.
	before := len(e.slack.snapshot())
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvC2", User: "UBOB", TS: "1700000600.000100", Text: "<@UBOT> check tunnel 40.10.1.1 on fw-hq"})
	if after := len(e.slack.snapshot()); after != before {
		t.Fatalf("event answered again after the restart:%s", describe(e.slack.snapshot()[before:]))
	}
}

// TestThreadFollowUpPaste: an unmentioned paste in a thread the bot owns
// joins that incident; chatter in the thread and messages in foreign
// threads are ignored; the bot ignores its own messages.
func TestThreadFollowUpPaste(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvT1", TS: "1700000800.000100", Text: "<@UBOT> " + seed(t, "seed004_scenario1a.txt")})
	inc, ok, err := e.store.ByThread(ctx, "CNET", "1700000800.000100")
	if err != nil || !ok || inc.Peer != "40.10.1.1" {
		t.Fatalf("bare paste with a mention opened no incident: %+v %v %v", inc, ok, err)
	}
	e.handle(bot.Request{Kind: bot.KindThreadMessage, EventID: "EvT2", User: "UBOB", TS: "1700000801.000100", ThreadTS: "1700000800.000100", Text: "any news on this one?"})
	e.handle(bot.Request{Kind: bot.KindThreadMessage, EventID: "EvT3", User: "UBOB", TS: "1700000802.000100", ThreadTS: "1700000999.000100", Text: seed(t, "seed004_scenario1a.txt")})
	e.handle(bot.Request{Kind: bot.KindThreadMessage, EventID: "EvT4", User: botUser, FromBot: true, TS: "1700000803.000100", ThreadTS: "1700000800.000100", Text: seed(t, "seed004_scenario1a.txt")})
	if n := len(only(e.slack.snapshot(), "chat.postMessage")); n != 1 {
		t.Fatalf("chatter, a foreign thread or our own message was answered:%s", describe(e.slack.snapshot()))
	}
	e.handle(bot.Request{Kind: bot.KindThreadMessage, EventID: "EvT5", User: "UBOB", TS: "1700000804.000100", ThreadTS: "1700000800.000100", Text: "```\n" + seed(t, "seed004_scenario1a.txt") + "```"})
	posts := only(e.slack.snapshot(), "chat.postMessage")
	if len(posts) != 2 || posts[1].ThreadTS != "1700000800.000100" {
		t.Fatalf("follow-up paste not answered in the thread:%s", describe(posts))
	}
	got, _ := e.store.Get(ctx, inc.ID)
	if len(got.Diagnoses) != 2 || got.Diagnoses[1].Source != store.SourcePaste || got.Diagnoses[1].User != "UBOB" {
		t.Fatalf("follow-up not recorded in the incident: %+v", got.Diagnoses)
	}
}

// TestCheckWithoutInventoryAndRefusals: no checker configured -> a clear
// answer saying what to paste; a user outside the allow lists is refused
// with the reason; a user in an allowed group may check.
func TestCheckWithoutInventoryAndRefusals(t *testing.T) {
	e := newEnv(t)
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvN1", TS: "1700000900.000100", Text: "<@UBOT> check tunnel 90.1.1.1"})
	posts := only(e.slack.snapshot(), "chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "No device inventory is configured") || !strings.Contains(posts[0].Text, "show crypto ipsec sa peer 90.1.1.1") {
		t.Fatalf("no-inventory answer:%s", describe(posts))
	}

	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e2 := newEnv(t, func(_ *testEnv, c *bot.Config) {
		c.Checker = checker
		c.Access = bot.Access{CheckUsers: []string{"UADMIN"}, CheckGroups: []string{"SNETOPS"}}
	})
	e2.handle(bot.Request{Kind: bot.KindMention, EventID: "EvR1", User: "UMALLORY", TS: "1700001000.000100", Text: "<@UBOT> check tunnel 40.10.1.1"})
	// A refusal is the asker's alone: ephemeral, in the asker's thread.
	posts = only(e2.slack.snapshot(), "chat.postEphemeral")
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "limited to configured users") || posts[0].User != "UMALLORY" || posts[0].ThreadTS != "1700001000.000100" || len(checker.calls) != 0 {
		t.Fatalf("refusal:%s calls=%v", describe(e2.slack.snapshot()), checker.calls)
	}
	if n := len(only(e2.slack.snapshot(), "chat.postMessage")); n != 0 {
		t.Fatalf("refusal posted for everyone:%s", describe(e2.slack.snapshot()))
	}
	e2.handle(bot.Request{Kind: bot.KindMention, EventID: "EvR2", User: "UGROUPMEMBER", TS: "1700001100.000100", Text: "<@UBOT> check tunnel 40.10.1.1"})
	if len(checker.calls) != 1 {
		t.Fatalf("group member was refused:%s", describe(e2.slack.snapshot()))
	}
	if !strings.Contains(e2.logs.String(), "result=\"refused: not allowed\"") {
		t.Errorf("refusal not in the audit log:\n%s", e2.logs.String())
	}

	// A failing check says so in place of the placeholder.
	checker.err = errors.New("dial tcp 10.0.0.1:22: connection refused")
	e2.handle(bot.Request{Kind: bot.KindMention, EventID: "EvR3", User: "UADMIN", TS: "1700001200.000100", Text: "<@UBOT> check tunnel 50.1.1.1"})
	ups := only(e2.slack.snapshot(), "chat.update")
	if last := ups[len(ups)-1]; !strings.Contains(last.Text, "could not check 50.1.1.1") || !strings.Contains(last.Text, "connection refused") {
		t.Fatalf("failed check: %+v", last)
	}

	// A check that read part of the output diagnoses it and says so.
	checker.err, checker.partial = errors.New("show crypto ipsec sa peer 60.1.1.1: timeout after 30s"), true
	e2.handle(bot.Request{Kind: bot.KindMention, EventID: "EvR4", User: "UADMIN", TS: "1700001250.000100", Text: "<@UBOT> check tunnel 60.1.1.1"})
	ups = only(e2.slack.snapshot(), "chat.update")
	if last := ups[len(ups)-1]; !strings.Contains(last.header(), "Phase 1") || !strings.Contains(last.Blocks, "answered only in part") || !strings.Contains(last.Blocks, "timeout after 30s") {
		t.Fatalf("partial check: %+v", last)
	}
}

// TestSecretsNeverLeave: a paste holding pre-shared keys and passwords
// reaches neither Slack nor the log.
func TestSecretsNeverLeave(t *testing.T) {
	e := newEnv(t)
	paste := seed(t, "seed004_scenario1a.txt") + "\ncrypto isakmp key 6 Sup3rSecretKey address 40.10.1.1\n" +
		"crypto keyring SPOKES\n pre-shared-key address 40.10.1.1 key OtherSecret99\n" +
		"username admin privilege 15 secret 5 $1$HashySecret\n"
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvS1", TS: "1700001300.000100", Text: "<@UBOT> diagnose\n" + paste})
	if len(only(e.slack.snapshot(), "chat.postMessage")) != 1 {
		t.Fatalf("no reply:%s", describe(e.slack.snapshot()))
	}
	for _, s := range []string{"Sup3rSecretKey", "OtherSecret99", "HashySecret"} {
		e.assertNoSecret(s)
	}
}

// TestLongEvidenceGoesToAFile: evidence that does not fit Slack's limits
// is uploaded (files.getUploadURLExternal + completeUploadExternal) into
// the same thread, and the message stays within the limits.
func TestLongEvidenceGoesToAFile(t *testing.T) {
	e := newEnv(t, func(_ *testEnv, c *bot.Config) {
		c.Diagnose = func(text string, opts diagnose.Options) diagnose.Report {
			r := diagnose.Diagnose(text, opts)
			// The engine quotes a few lines; make it sixty long ones.
			for i := 0; len(r.Evidence) < 60; i++ {
				r.Evidence = append(r.Evidence, diagnose.Evidence{Section: "debug crypto isakmp", Line: 100 + i,
					Text: fmt.Sprintf("ISAKMP:(0):Encryption algorithm offered does not match policy! %03d %s", i, strings.Repeat("x", 80))})
			}
			return r
		}
	})
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvL1", TS: "1700001400.000100", Text: "<@UBOT> diagnose\n" + seed(t, "seed004_scenario1a.txt")})
	cs := e.slack.snapshot()
	posts := only(cs, "chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("replies:%s", describe(cs))
	}
	if len(posts[0].Blocks) > 13000 {
		t.Errorf("blocks are %d characters", len(posts[0].Blocks))
	}
	if len(only(cs, "files.getUploadURLExternal")) != 1 {
		t.Fatalf("no upload started:%s", describe(cs))
	}
	done := only(cs, "files.completeUploadExternal")
	if len(done) != 1 || done[0].ThreadTS != "1700001400.000100" || done[0].Channel != "CNET" {
		t.Fatalf("upload not completed into the thread:%s", describe(cs))
	}
	if !strings.Contains(done[0].Text, "Proving lines") || !strings.Contains(done[0].Text, "policy! 050") {
		t.Errorf("uploaded file lacks the evidence: %.200q", done[0].Text)
	}
	if !strings.Contains(posts[0].Blocks, "in the attached file") {
		t.Errorf("message does not point to the file")
	}
}

// TestAttachedFile: output attached as a file is downloaded with the bot
// token and diagnosed; a file over the size cap is refused with a reason.
func TestAttachedFile(t *testing.T) {
	e := newEnv(t)
	u := e.slack.addFile("isakmp-debug.txt", seed(t, "seed004_scenario1a.txt"))
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvF1", TS: "1700001500.000100", Text: "<@UBOT>",
		Files: []bot.FileRef{{ID: "F1", Name: "isakmp-debug.txt", URL: u, Size: int64(len(seed(t, "seed004_scenario1a.txt"))), Mimetype: "text/plain", Filetype: "text"}}})
	posts := only(e.slack.snapshot(), "chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].header(), "ike_proposal_mismatch") {
		t.Fatalf("attached file not diagnosed:%s", describe(posts))
	}
	e.slack.mu.Lock()
	auth := append([]string(nil), e.slack.authSeen...)
	e.slack.mu.Unlock()
	if len(auth) != 1 || auth[0] != "Bearer xoxb-test-token" {
		t.Fatalf("download auth = %v", auth)
	}
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvF2", TS: "1700001600.000100", Text: "<@UBOT>",
		Files: []bot.FileRef{{ID: "F2", Name: "huge.log", URL: u, Size: 10 << 20, Mimetype: "text/plain", Filetype: "text"}}})
	posts = only(e.slack.snapshot(), "chat.postMessage")
	if !strings.Contains(posts[1].Text, "over the 64 KiB limit") {
		t.Fatalf("oversized file answer:%s", describe(posts))
	}
}

// TestRedisDownStillAnswers: with Redis stopped, a paste is still
// diagnosed in the thread and the reply says state was not saved; once
// Redis is back the next paste is tracked again, with no restart.
func TestRedisDownStillAnswers(t *testing.T) {
	e := newEnv(t)
	e.redis.Stop()
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvD1", TS: "1700001700.000100", Text: "<@UBOT> diagnose\n" + seed(t, "seed004_scenario1a.txt")})
	posts := only(e.slack.snapshot(), "chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].header(), "ike_proposal_mismatch") || !strings.Contains(posts[0].Blocks, "could not be saved") {
		t.Fatalf("reply with Redis down:%s", describe(posts))
	}
	e.redis.Restart()
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvD2", TS: "1700001800.000100", Text: "<@UBOT> diagnose\n" + seed(t, "seed004_scenario1a.txt")})
	posts = only(e.slack.snapshot(), "chat.postMessage")
	if len(posts) != 2 || strings.Contains(posts[1].Blocks, "could not be saved") {
		t.Fatalf("no recovery after Redis came back:%s", describe(posts))
	}
	if _, ok, err := e.store.ByTunnel(context.Background(), "40.10.1.1"); err != nil || !ok {
		t.Fatalf("incident not tracked after recovery: %v %v", ok, err)
	}
}

// TestStatus lists open incidents.
func TestStatus(t *testing.T) {
	e := newEnv(t)
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvX1", TS: "1700001900.000100", Text: "<@UBOT> status"})
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvX2", TS: "1700002000.000100", Text: "<@UBOT> " + seed(t, "seed004_scenario1a.txt")})
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvX3", TS: "1700002100.000100", Text: "<@UBOT> status"})
	posts := only(e.slack.snapshot(), "chat.postMessage")
	if len(posts) != 3 || !strings.Contains(posts[0].Text, "No open incidents") {
		t.Fatalf("status replies:%s", describe(posts))
	}
	if s := posts[2].Text; !strings.Contains(s, "1 open incident") || !strings.Contains(s, "40.10.1.1") || !strings.Contains(s, "ike_proposal_mismatch") {
		t.Fatalf("status = %q", s)
	}
}

// TestIncidentRebuiltFromSlackMetadata: Redis loses everything (FLUSHALL,
// not a restart); a follow-up paste in the incident's thread rebuilds the
// incident, under its old ID, from the metadata on the bot's reply.
func TestIncidentRebuiltFromSlackMetadata(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvM1", TS: "1700002300.000100", Text: "<@UBOT> " + seed(t, "seed004_scenario1a.txt")})
	inc, ok, err := e.store.ByThread(ctx, "CNET", "1700002300.000100")
	if err != nil || !ok {
		t.Fatalf("no incident: %v %v", ok, err)
	}
	e.redis.FlushAll()
	if _, ok, _ := e.store.ByThread(ctx, "CNET", "1700002300.000100"); ok {
		t.Fatal("FLUSHALL kept the incident")
	}
	e.handle(bot.Request{Kind: bot.KindThreadMessage, EventID: "EvM2", User: "UBOB", TS: "1700002301.000100", ThreadTS: "1700002300.000100", Text: seed(t, "seed004_scenario1a.txt")})
	cs := e.slack.snapshot()
	if len(only(cs, "conversations.replies")) != 1 {
		t.Fatalf("thread not read:%s", describe(cs))
	}
	posts := only(cs, "chat.postMessage")
	if len(posts) != 2 || posts[1].ThreadTS != "1700002300.000100" {
		t.Fatalf("follow-up not answered in the thread:%s\nlogs:\n%s", describe(cs), e.logs.String())
	}
	got, ok, err := e.store.ByTunnel(ctx, store.Tunnel(inc.Peer, inc.Device))
	if err != nil || !ok || got.ID != inc.ID || got.ThreadTS != inc.ThreadTS || len(got.Diagnoses) != 1 {
		t.Fatalf("rebuilt incident = %+v (want id %s)", got, inc.ID)
	}
	// Pastes in a thread that is not the bot's read it once, not per message.
	for i := range 3 {
		e.handle(bot.Request{Kind: bot.KindThreadMessage, EventID: fmt.Sprint("EvM9", i), User: "UBOB", TS: fmt.Sprintf("1700002901.00010%d", i), ThreadTS: "1700002900.000100", Text: seed(t, "seed004_scenario1a.txt")})
	}
	if n := len(only(e.slack.snapshot(), "conversations.replies")); n != 2 {
		t.Fatalf("foreign thread read %d times; want once", n-1)
	}
}

// TestOtherBotsIgnoredUnlessAllowed: another bot's mention is not
// answered by default, and is with AllowBots; the bot never answers itself.
func TestOtherBotsIgnoredUnlessAllowed(t *testing.T) {
	e := newEnv(t)
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvB1", User: "UOTHERBOT", FromBot: true, TS: "1700002500.000100", Text: "<@UBOT> help"})
	if n := len(only(e.slack.snapshot(), "chat.postMessage")); n != 0 {
		t.Fatalf("another bot was answered by default")
	}
	e2 := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Access.AllowBots = true })
	e2.handle(bot.Request{Kind: bot.KindMention, EventID: "EvB2", User: "UOTHERBOT", FromBot: true, TS: "1700002600.000100", Text: "<@UBOT> help"})
	e2.handle(bot.Request{Kind: bot.KindMention, EventID: "EvB3", User: botUser, FromBot: true, TS: "1700002700.000100", Text: "<@UBOT> help"})
	posts := only(e2.slack.snapshot(), "chat.postMessage")
	if len(posts) != 1 || posts[0].ThreadTS != "1700002600.000100" {
		t.Fatalf("with AllowBots:%s", describe(posts))
	}
}

// TestCheckOfAnotherPeerInsideAnIncidentThread: `check tunnel Y` typed in
// the thread of X's incident opens Y's incident in a thread of its own and
// leaves X's thread to X.
func TestCheckOfAnotherPeerInsideAnIncidentThread(t *testing.T) {
	checker := &fakeChecker{}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	checker.transcript = seed(t, "seed004_scenario1a.txt")
	ctx := context.Background()
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvY1", TS: "1700002800.000100", Text: "<@UBOT> check tunnel 40.10.1.1"})
	x, ok, _ := e.store.ByThread(ctx, "CNET", "1700002800.000100")
	if !ok || x.Peer != "40.10.1.1" {
		t.Fatalf("X incident: %+v", x)
	}
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvY2", TS: "1700002801.000100", ThreadTS: "1700002800.000100", Text: "<@UBOT> check tunnel 50.5.5.5"})
	if again, _, _ := e.store.ByThread(ctx, "CNET", "1700002800.000100"); again.ID != x.ID {
		t.Fatalf("X's thread now maps to %+v", again)
	}
	y, ok, _ := e.store.ByTunnel(ctx, "50.5.5.5")
	if !ok || y.ThreadTS == x.ThreadTS {
		t.Fatalf("Y incident: %+v", y)
	}
	var root bool
	for _, p := range only(e.slack.snapshot(), "chat.postMessage") {
		if p.TS == y.ThreadTS && p.ThreadTS == "" && strings.Contains(p.Text, "check tunnel 50.5.5.5") {
			root = true
		}
	}
	if !root {
		t.Fatalf("no root message for Y:%s", describe(e.slack.snapshot()))
	}
}

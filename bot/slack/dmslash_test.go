package slack_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// TestSlashAndFormInADMStayPrivate: a /tunnel check typed in a DM, and a
// paste form submitted from one, open incidents of that DM alone: status
// in a channel does not list them, a channel's check of the same peer
// opens its own.
func TestSlashAndFormInADMStayPrivate(t *testing.T) {
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	srv, h := e.startHTTP(t)
	ctx := context.Background()
	form := func(path string, v url.Values) {
		t.Helper()
		if code, _ := do(t, srv, httpReq{path: path, contentType: "application/x-www-form-urlencoded", secret: signingSecret, body: []byte(v.Encode())}); code != 200 {
			t.Fatalf("%s: status %d", path, code)
		}
		h.Wait()
	}
	form(botslack.PathCommands, url.Values{"command": {"/tunnel"}, "text": {"check 40.10.1.1"}, "user_id": {"UALICE"}, "channel_id": {"D0ALICE"}, "channel_name": {"directmessage"}, "trigger_id": {"trig-1"}})
	submission := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UALICE"},
		"view": map[string]any{"callback_id": "tunneldoc_diagnose", "private_metadata": "D0ALICE", "state": map[string]any{"values": map[string]any{
			"peer":  map[string]any{"peer_input": map[string]any{"type": "plain_text_input", "value": "50.5.5.5"}},
			"paste": map[string]any{"paste_input": map[string]any{"type": "plain_text_input", "value": seed(t, "seed004_scenario1a.txt")}},
		}}},
	}
	form(botslack.PathInteractive, url.Values{"payload": {string(mustJSON(submission))}})
	open, err := e.store.ListOpen(ctx)
	if err != nil || len(open) != 2 {
		t.Fatalf("want the DM's two incidents: %+v %v", open, err)
	}
	for _, in := range open {
		if !in.Private || in.Channel != "D0ALICE" {
			t.Errorf("an incident opened in the DM is not the DM's own: %+v", in)
		}
	}
	e.handle(bot.Request{Kind: bot.KindMention, Channel: "CNET", User: "UBOB", EventID: "EvS1", TS: "1700010000.000100", Text: "<@UBOT> status"})
	cs := e.slack.snapshot()
	if last := cs[len(cs)-1]; last.Channel != "CNET" || !strings.Contains(last.Text, "No open incidents") {
		t.Errorf("status in a channel lists the DM's incidents: %q", last.Text)
	}
	for _, c := range cs {
		if c.Channel != "D0ALICE" && c.Channel != "CNET" {
			t.Errorf("%s posted in %s", c.Method, c.Channel)
		}
	}
}

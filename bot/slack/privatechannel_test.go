package slack_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// mentionIn is an app_mention callback in channel (app_mention events
// carry no channel_type).
func mentionIn(channel, eventID, ts, text string) map[string]any {
	return callback(eventID, map[string]any{"type": "app_mention", "user": "UALICE", "text": "<@" + botUser + "> " + text, "ts": ts, "channel": channel, "event_ts": ts})
}

// toldOf is the calls in channel whose text or blocks name any of words.
func toldOf(cs []call, channel string, words ...string) []call {
	var out []call
	for _, c := range callsIn(cs, channel) {
		for _, w := range words {
			if strings.Contains(c.Text+c.Blocks, w) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// post sends a signed request to the Events API handler and waits for
// the work it started.
func post(t *testing.T, srv *httptest.Server, h *botslack.HTTPHandler, path string, body []byte) {
	t.Helper()
	ct := ""
	if path != botslack.PathEvents {
		ct = "application/x-www-form-urlencoded"
	}
	if code, _ := do(t, srv, httpReq{path: path, body: body, contentType: ct, secret: signingSecret}); code != 200 {
		t.Fatalf("%s: status %d", path, code)
	}
	h.Wait()
}

// TestPrivateChannelIncidentsStayThere: mentions reach the bot as
// app_mention events, which do not say whether their channel is private;
// the transport asks Slack (conversations.info) once per channel. A check
// in a private channel opens an incident of that channel alone: a public
// channel's check of the same peer opens its own, is not pointed at the
// private one, and status there does not list it. A public channel's
// incident is still linked from another public channel, and listed by
// status in channels but not in the private one.
func TestPrivateChannelIncidentsStayThere(t *testing.T) {
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	e.slack.setPrivate("GSEC")
	srv, h := e.startHTTP(t)
	ctx := context.Background()
	const peer = "40.10.1.1"

	post(t, srv, h, botslack.PathEvents, mustJSON(mentionIn("GSEC", "EvG1", "1700020000.000100", "check tunnel "+peer)))
	sec, ok, err := e.store.ByThread(ctx, "GSEC", "1700020000.000100")
	if err != nil || !ok || !sec.Private {
		t.Fatalf("the private channel's check opened no private incident: %+v %v %v", sec, ok, err)
	}
	inSec := len(callsIn(e.slack.snapshot(), "GSEC"))

	post(t, srv, h, botslack.PathEvents, mustJSON(mentionIn("CNET", "EvG2", "1700020100.000100", "check tunnel "+peer)))
	cs := e.slack.snapshot()
	if n := len(callsIn(cs, "GSEC")); n != inSec {
		t.Fatalf("the public channel's check wrote into the private channel:%s", describe(callsIn(cs, "GSEC")[inSec:]))
	}
	if told := toldOf(cs, "CNET", sec.ID, "GSEC"); len(told) > 0 {
		t.Errorf("the public channel was told of the private channel's incident:%s", describe(told))
	}
	pub, ok, err := e.store.ByThread(ctx, "CNET", "1700020100.000100")
	if err != nil || !ok || pub.ID == sec.ID || pub.Private {
		t.Fatalf("the public channel's check opened no public incident of its own: %+v %v %v", pub, ok, err)
	}

	// Another public channel is pointed at the public incident, not the private one.
	post(t, srv, h, botslack.PathEvents, mustJSON(mentionIn("COPS", "EvG3", "1700020200.000100", "check tunnel "+peer)))
	cs = e.slack.snapshot()
	if told := toldOf(cs, "COPS", sec.ID, "GSEC"); len(told) > 0 {
		t.Errorf("COPS was told of the private channel's incident:%s", describe(told))
	}
	if linked := toldOf(cs, "COPS", "/archives/CNET/p1700020100000100"); len(linked) == 0 || !strings.Contains(linked[0].Text, pub.ID) {
		t.Errorf("COPS got no link to the public incident's thread:%s", describe(callsIn(cs, "COPS")))
	}

	// status: the private channel's incident only there.
	lastIn := func(channel string) string {
		t.Helper()
		cs := callsIn(e.slack.snapshot(), channel)
		if len(cs) == 0 {
			t.Fatalf("nothing posted in %s", channel)
		}
		return cs[len(cs)-1].Text
	}
	post(t, srv, h, botslack.PathEvents, mustJSON(mentionIn("COPS", "EvG4", "1700020300.000100", "status")))
	if got := lastIn("COPS"); !strings.Contains(got, pub.ID) || strings.Contains(got, sec.ID) || strings.Contains(got, "GSEC") {
		t.Errorf("status in a public channel = %q", got)
	}
	post(t, srv, h, botslack.PathEvents, mustJSON(mentionIn("GSEC", "EvG5", "1700020400.000100", "status")))
	if got := lastIn("GSEC"); !strings.Contains(got, sec.ID) || strings.Contains(got, pub.ID) {
		t.Errorf("status in the private channel = %q", got)
	}

	// Slack was asked once per channel, not once per mention.
	asked := e.slack.asked()
	slices.Sort(asked)
	if want := []string{"CNET", "COPS", "GSEC"}; !slices.Equal(asked, want) {
		t.Errorf("conversations.info asked about %v; want each channel once: %v", asked, want)
	}
}

// TestChannelPrivacyFromWhatSlackSays: a slash command in a private
// channel ("privategroup") or a group DM ("mpdm-…") opens a private
// incident without asking Slack; a mention in a private channel, and a
// paste form submitted from one, open private incidents once Slack said
// so, and the channel's thread pastes (channel_type group) join them. A
// channel conversations.info cannot answer for is taken as private, and
// the log says why.
func TestChannelPrivacyFromWhatSlackSays(t *testing.T) {
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	e.slack.setPrivate("GFORM", "GTHREAD")
	e.slack.infoErr["CHIDDEN"] = "missing_scope"
	srv, h := e.startHTTP(t)
	ctx := context.Background()

	slash := func(channel, name, trigger, text string) {
		t.Helper()
		post(t, srv, h, botslack.PathCommands, []byte(url.Values{"command": {"/tunnel"}, "text": {text}, "user_id": {"UALICE"}, "channel_id": {channel}, "channel_name": {name}, "trigger_id": {trigger}}.Encode()))
	}
	slash("CPRIV", "privategroup", "trig-p1", "check 40.10.1.1")
	slash("GMPIM", "mpdm-alice--bob--carol-1", "trig-p2", "check 40.10.1.1")

	// A private channel's incident, and a paste in its thread (channel_type group).
	post(t, srv, h, botslack.PathEvents, mustJSON(mentionIn("GTHREAD", "EvT1", "1700030000.000100", "check tunnel 40.10.1.1")))
	post(t, srv, h, botslack.PathEvents, mustJSON(callback("EvT2", map[string]any{
		"type": "message", "channel_type": "group", "user": "UBOB", "text": seed(t, "seed004_scenario1a.txt"),
		"ts": "1700030100.000100", "thread_ts": "1700030000.000100", "channel": "GTHREAD",
	})))

	// The paste form names its channel only; Slack says GFORM is private.
	submission := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UALICE"},
		"view": map[string]any{"callback_id": "tunneldoc_diagnose", "private_metadata": "GFORM", "state": map[string]any{"values": map[string]any{
			"peer":  map[string]any{"peer_input": map[string]any{"type": "plain_text_input", "value": "50.5.5.5"}},
			"paste": map[string]any{"paste_input": map[string]any{"type": "plain_text_input", "value": seed(t, "seed004_scenario1a.txt")}},
		}}},
	}
	post(t, srv, h, botslack.PathInteractive, []byte(url.Values{"payload": {string(mustJSON(submission))}}.Encode()))

	// conversations.info refused: private, and the log says why.
	post(t, srv, h, botslack.PathEvents, mustJSON(mentionIn("CHIDDEN", "EvT3", "1700030200.000100", "check tunnel 40.10.1.1")))

	open, err := e.store.ListOpen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byChannel := map[string]bool{}
	for _, in := range open {
		byChannel[in.Channel] = in.Private
	}
	for _, ch := range []string{"CPRIV", "GMPIM", "GTHREAD", "GFORM", "CHIDDEN"} {
		private, ok := byChannel[ch]
		if !ok || !private {
			t.Errorf("%s: incident opened %v, private %v; want a private one (open: %+v)", ch, ok, private, open)
		}
	}
	if got, _, _ := e.store.ByThread(ctx, "GTHREAD", "1700030000.000100"); len(got.Diagnoses) != 2 {
		t.Errorf("the private thread's paste did not join its incident: %d diagnoses", len(got.Diagnoses))
	}
	asked := e.slack.asked()
	for _, ch := range []string{"CPRIV", "GMPIM"} {
		if slices.Contains(asked, ch) {
			t.Errorf("conversations.info asked about %s, whose slash command said it is private: %v", ch, asked)
		}
	}
	if n := strings.Count(strings.Join(asked, ","), "GTHREAD"); n != 1 {
		t.Errorf("conversations.info asked about GTHREAD %d times: %v", n, asked)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "treating it as private") || !strings.Contains(logs, "channel=CHIDDEN") || !strings.Contains(logs, "missing_scope") {
		t.Errorf("the log does not say why CHIDDEN was taken as private:\n%s", logs)
	}

	// status in a public channel lists none of them.
	post(t, srv, h, botslack.PathEvents, mustJSON(mentionIn("CNET", "EvT4", "1700030300.000100", "status")))
	cs := callsIn(e.slack.snapshot(), "CNET")
	if len(cs) == 0 || !strings.Contains(cs[len(cs)-1].Text, "No open incidents") {
		t.Errorf("status in a public channel lists private incidents:%s", describe(cs))
	}
}

package slack_test

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack/slackevents"

	"github.com/tunneldoc/tunneldoc/bot"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// TestRequestFromEvent: which Events API events the bot answers, as what
// kind of request, and whether the event says its channel is private
// (an app_mention says nothing: the transport asks Slack).
func TestRequestFromEvent(t *testing.T) {
	for _, tc := range []struct {
		name     string
		event    map[string]any
		want     bool
		kind     bot.RequestKind
		fromBot  bool
		files    int
		threadTS string
		private  bool
	}{
		{name: "mention", event: map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> help", "ts": "1.1", "channel": "C1"}, want: true, kind: bot.KindMention},
		{name: "mention in thread", event: map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> help", "ts": "1.2", "thread_ts": "1.1", "channel": "C1"}, want: true, kind: bot.KindMention, threadTS: "1.1"},
		{name: "mention by a bot", event: map[string]any{"type": "app_mention", "user": "U2", "bot_id": "B2", "text": "<@UBOT> help", "ts": "1.1", "channel": "C1"}, want: true, kind: bot.KindMention, fromBot: true},
		{name: "dm", event: map[string]any{"type": "message", "channel_type": "im", "user": "U1", "text": "status", "ts": "1.1", "channel": "D1"}, want: true, kind: bot.KindDM, private: true},
		{name: "dm with file", event: map[string]any{"type": "message", "subtype": "file_share", "channel_type": "im", "user": "U1", "text": "", "ts": "1.1", "channel": "D1",
			"files": []any{map[string]any{"id": "F1", "name": "debug.txt", "mimetype": "text/plain", "filetype": "text", "size": 120, "url_private_download": "https://files.slack.com/F1"}}}, want: true, kind: bot.KindDM, files: 1, private: true},
		{name: "thread reply", event: map[string]any{"type": "message", "channel_type": "channel", "user": "U1", "text": "ISAKMP ...", "ts": "1.2", "thread_ts": "1.1", "channel": "C1"}, want: true, kind: bot.KindThreadMessage, threadTS: "1.1"},
		{name: "private channel thread reply", event: map[string]any{"type": "message", "channel_type": "group", "user": "U1", "text": "ISAKMP ...", "ts": "1.2", "thread_ts": "1.1", "channel": "G1"}, want: true, kind: bot.KindThreadMessage, threadTS: "1.1", private: true},
		{name: "group DM thread reply", event: map[string]any{"type": "message", "channel_type": "mpim", "user": "U1", "text": "ISAKMP ...", "ts": "1.2", "thread_ts": "1.1", "channel": "G2"}, want: true, kind: bot.KindThreadMessage, threadTS: "1.1", private: true},
		{name: "group DM chatter", event: map[string]any{"type": "message", "channel_type": "mpim", "user": "U1", "text": "lunch?", "ts": "1.1", "channel": "G2"}},
		{name: "channel message with mention (app_mention has it)", event: map[string]any{"type": "message", "channel_type": "channel", "user": "U1", "text": "<@UBOT> help", "ts": "1.2", "thread_ts": "1.1", "channel": "C1"}},
		{name: "top-level channel chatter", event: map[string]any{"type": "message", "channel_type": "channel", "user": "U1", "text": "lunch?", "ts": "1.1", "channel": "C1"}},
		{name: "edit", event: map[string]any{"type": "message", "subtype": "message_changed", "channel_type": "channel", "channel": "C1", "ts": "1.3",
			"message": map[string]any{"type": "message", "user": "U1", "text": "x", "ts": "1.1"}}},
		{name: "bot_message", event: map[string]any{"type": "message", "subtype": "bot_message", "channel_type": "channel", "bot_id": "B1", "text": "x", "ts": "1.2", "thread_ts": "1.1", "channel": "C1"}},
		{name: "reaction", event: map[string]any{"type": "reaction_added", "user": "U1", "reaction": "eyes", "item": map[string]any{"type": "message", "channel": "C1", "ts": "1.1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, _ := json.Marshal(callback("Ev1", tc.event))
			ev, err := slackevents.ParseEvent(raw, slackevents.OptionNoVerifyToken())
			if err != nil {
				t.Fatal(err)
			}
			req, ok := botslack.RequestFromEvent(ev, botUser)
			if ok != tc.want {
				t.Fatalf("answered = %v; want %v (%+v)", ok, tc.want, req)
			}
			if !ok {
				return
			}
			if req.Kind != tc.kind || req.FromBot != tc.fromBot || len(req.Files) != tc.files || req.ThreadTS != tc.threadTS || req.EventID != "Ev1" || req.Private != tc.private {
				t.Fatalf("request = %+v", req)
			}
		})
	}
}

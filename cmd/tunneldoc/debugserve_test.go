package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// TestServeOffersTheDebug is the debug button as `tunneldoc serve` wires
// it: access.debug_users from the environment, the inventory's debug
// policy, a check's reply with the button, and presses through the
// signed interactivity endpoint: refused for a user not on the list, a
// confirmation (and nothing sent) for one who is.
func TestServeOffersTheDebug(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{{Name: "fw-dbg", Scenario: "asa-mm-wait-msg2", DebugAllowed: true}}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	inv, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dev := l.Devices[0]
	peer := dev.Scenario.Peer
	rs := redistest.Start(t)
	slk := newRecordingSlack(t)
	const signing = "SlackSigning-5512"
	listen := freeAddr(t, "tcp")
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-BotToken-5513", "SLACK_SIGNING_SECRET": signing, "SLACK_API_URL": slk.srv.URL + "/",
		"TUNNELDOC_LISTEN": listen, "REDIS_URL": rs.URL(), "TUNNELDOC_INVENTORY": inv, "TUNNELDOC_OPS_LISTEN": "off",
		"TUNNELDOC_DEBUG_USERS": "UOPS", "TUNNELDOC_LOG_FORMAT": "json",
	}
	logs, _, _ := startServe(ctx, t, env, listen)

	ts := "1700000201.000100"
	ev := map[string]any{"type": "app_mention", "user": "UBOB", "channel": "CNET", "ts": ts, "event_ts": ts, "text": "<@UBOT> check tunnel " + peer + " on fw-dbg"}
	if code := sendEvent(ctx, t, listen, signing, "EvD1", ev); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitThread(t, slk, ts, "Run a 60 s debug for "+peer+" on fw-dbg")
	m := regexp.MustCompile(`"action_id":"tunneldoc_debug","value":"([^"]+)"`).FindStringSubmatch(slk.thread(ts))
	if m == nil {
		t.Fatalf("no debug button with an incident:\n%s", slk.thread(ts))
	}
	press := func(user, action string) {
		t.Helper()
		payload := map[string]any{
			"type": "block_actions", "user": map[string]any{"id": user}, "channel": map[string]any{"id": "CNET"},
			"container": map[string]any{"type": "message", "message_ts": ts, "thread_ts": ts, "is_ephemeral": true},
			"actions":   []any{map[string]any{"action_id": action, "block_id": "tunneldoc_actions", "value": m[1], "type": "button"}},
		}
		body := []byte(url.Values{"payload": {mustJSONString(payload)}}.Encode())
		now := time.Now().Unix()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+listen+botslack.PathInteractive, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now, 10))
		req.Header.Set("X-Slack-Signature", slackSign(signing, now, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", action, resp.StatusCode)
		}
	}
	ephemeral := func(user, want string) {
		t.Helper()
		ok := eventually(30*time.Second, 20*time.Millisecond, func() bool {
			for _, c := range slk.snapshot() {
				if c.Method == "chat.postEphemeral" && c.Form.Get("user") == user && strings.Contains(c.Form.Get("text")+c.Form.Get("blocks"), want) {
					return true
				}
			}
			return false
		})
		if !ok {
			t.Fatalf("%s was never shown %q:\n%.6000s", user, want, slk.text())
		}
	}
	press("UBOB", "tunneldoc_debug")
	ephemeral("UBOB", "only the users and groups configured")
	press("UOPS", "tunneldoc_debug")
	ephemeral("UOPS", "tunneldoc_debug_run")
	if got := dev.DebugCommands(); len(got) != 0 {
		t.Fatalf("sent %q without confirmation", got)
	}
	if !eventually(10*time.Second, 20*time.Millisecond, func() bool { return strings.Contains(logs.String(), "asked for confirmation") }) {
		t.Errorf("the press is not audited:\n%.4000s", logs.String())
	}
}

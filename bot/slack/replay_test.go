package slack_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

const formType = "application/x-www-form-urlencoded"

// A signed /tunnel check replayed 5 times inside Slack's 5-minute
// signature window runs one collection and posts one root; another
// command (its own trigger_id) still runs.
func TestSlashReplayedRunsOnce(t *testing.T) {
	checker := &fakeChecker{}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	checker.transcript = seed(t, "seed004_scenario1a.txt")
	srv, h := e.startHTTP(t)
	body := []byte(url.Values{"command": {"/tunnel"}, "text": {"check 40.10.1.1"}, "user_id": {"UALICE"}, "channel_id": {"CNET"}, "trigger_id": {"trig-replay-1"}}.Encode())
	ts := time.Now().Add(-time.Minute).Unix()
	for i := range 5 {
		if code, _ := do(t, srv, httpReq{path: botslack.PathCommands, body: body, contentType: formType, secret: signingSecret, ts: ts}); code != 200 {
			t.Fatalf("delivery %d: status %d", i, code)
		}
	}
	h.Wait()
	checker.mu.Lock()
	runs := len(checker.calls)
	checker.mu.Unlock()
	roots := 0
	for _, p := range only(e.slack.snapshot(), "chat.postMessage") {
		if p.ThreadTS == "" {
			roots++
		}
	}
	if runs != 1 || roots != 1 {
		t.Fatalf("one slash command replayed 5 times: %d collections, %d roots; want 1 and 1:%s", runs, roots, describe(e.slack.snapshot()))
	}

	other := []byte(url.Values{"command": {"/tunnel"}, "text": {"check 40.10.1.1"}, "user_id": {"UALICE"}, "channel_id": {"CNET"}, "trigger_id": {"trig-replay-2"}}.Encode())
	if code, _ := do(t, srv, httpReq{path: botslack.PathCommands, body: other, contentType: formType, secret: signingSecret}); code != 200 {
		t.Fatalf("second command: status %d", code)
	}
	h.Wait()
	checker.mu.Lock()
	defer checker.mu.Unlock()
	if len(checker.calls) != 2 {
		t.Fatalf("a second command (new trigger_id) ran %d collections in all; want 2", len(checker.calls))
	}
}

// A signed paste-form submission replayed 3 times is diagnosed once.
func TestInteractionReplayedRunsOnce(t *testing.T) {
	e := newEnv(t)
	srv, h := e.startHTTP(t)
	submission := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UBOB"}, "trigger_id": "trig-view-1",
		"view": map[string]any{"callback_id": "tunneldoc_diagnose", "private_metadata": "CNET", "state": map[string]any{"values": map[string]any{
			"paste": map[string]any{"paste_input": map[string]any{"type": "plain_text_input", "value": seed(t, "seed004_scenario1a.txt")}},
		}}},
	}
	body := []byte(url.Values{"payload": {string(mustJSON(submission))}}.Encode())
	ts := time.Now().Unix()
	for i := range 3 {
		if code, _ := do(t, srv, httpReq{path: botslack.PathInteractive, body: body, contentType: formType, secret: signingSecret, ts: ts}); code != 200 {
			t.Fatalf("delivery %d: status %d", i, code)
		}
	}
	h.Wait()
	n := 0
	for _, p := range only(e.slack.snapshot(), "chat.postMessage") {
		if strings.Contains(p.header(), "ike_proposal_mismatch") {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("one form submission replayed 3 times was diagnosed %d times:%s", n, describe(e.slack.snapshot()))
	}
}

// With Redis full (maxmemory, noeviction) or stopped, the store cannot
// record an event as seen; the same event delivered 3 times (Slack's
// retries) is still answered once.
func TestEventDedupWithoutRedis(t *testing.T) {
	for _, how := range []string{"full", "stopped"} {
		t.Run(how, func(t *testing.T) {
			e := newEnv(t)
			if how == "full" {
				for _, kv := range [][2]string{{"maxmemory-policy", "noeviction"}, {"maxmemory", "1"}} {
					if _, err := e.redis.Do("CONFIG", "SET", kv[0], kv[1]); err != nil {
						t.Fatal(err)
					}
				}
			} else {
				e.redis.Stop()
			}
			srv, h := e.startHTTP(t)
			body := mustJSON(mention("EvNoRedis-"+how, "1700007000.000100", "", "help"))
			for i := range 3 {
				retry := ""
				if i > 0 {
					retry = strconv.Itoa(i)
				}
				if code, _ := do(t, srv, httpReq{path: botslack.PathEvents, body: body, secret: signingSecret, retryNum: retry}); code != 200 {
					t.Fatalf("delivery %d: status %d", i, code)
				}
				h.Wait()
			}
			if posts := only(e.slack.snapshot(), "chat.postMessage"); len(posts) != 1 {
				t.Fatalf("one event delivered 3 times with Redis %s: %d answers; want 1:%s", how, len(posts), describe(posts))
			}
		})
	}
}

package slack_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// redisKeys lists every key of the test's own redis-server.
func (e *testEnv) redisKeys() []string {
	e.t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: e.redis.Addr()})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var keys []string
	iter := rdb.Scan(ctx, 0, "*", 100).Iterator()
	for i := 0; iter.Next(ctx) && i < 100000; i++ {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		e.t.Fatal(err)
	}
	sort.Strings(keys)
	return keys
}

// nested returns a JSON value nested depth arrays deep.
func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

// shownInSlack lists the calls that would show something in Slack.
func shownInSlack(cs []call) []call {
	var out []call
	for _, c := range cs {
		switch c.Method {
		case "chat.postMessage", "chat.postEphemeral", "chat.update", "views.open", "files.getUploadURLExternal":
			out = append(out, c)
		}
	}
	return out
}

// TestHTTPHostilePayloads: forged, stale, oversized, malformed, truncated,
// deeply nested and unknown payloads on every Slack path are refused or
// ignored with the right status; nothing is posted to Slack and nothing is
// written to Redis; the handler still answers a good event afterwards.
func TestHTTPHostilePayloads(t *testing.T) {
	e := newEnv(t)
	srv, h := e.startHTTP(t)
	keysBefore := e.redisKeys()
	good := mustJSON(mention("EvGood", "1700000500.000100", "", "help"))
	big := []byte(`{"type":"event_callback","event":{"type":"app_mention","text":"` + strings.Repeat("A", 10<<20) + `"}}`)
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name string
		req  httpReq
		raw  func(*http.Request) // edits the request after signing
		want int
	}{
		// signatures and timestamps
		{"forged signature", httpReq{path: botslack.PathEvents, body: good, secret: "forged"}, nil, 401},
		{"signature of another body", httpReq{path: botslack.PathEvents, body: good, secret: signingSecret}, func(r *http.Request) {
			r.Header.Set("X-Slack-Signature", sign(signingSecret, time.Now().Unix(), []byte("{}")))
		}, 401},
		{"signature not hex", httpReq{path: botslack.PathEvents, body: good, secret: signingSecret}, func(r *http.Request) { r.Header.Set("X-Slack-Signature", "v0=zz") }, 401},
		{"signature v1", httpReq{path: botslack.PathEvents, body: good, secret: signingSecret}, func(r *http.Request) {
			r.Header.Set("X-Slack-Signature", strings.Replace(r.Header.Get("X-Slack-Signature"), "v0=", "v1=", 1))
		}, 401},
		{"no timestamp", httpReq{path: botslack.PathEvents, body: good, secret: signingSecret}, func(r *http.Request) { r.Header.Del("X-Slack-Request-Timestamp") }, 401},
		{"timestamp not a number", httpReq{path: botslack.PathEvents, body: good, secret: signingSecret}, func(r *http.Request) { r.Header.Set("X-Slack-Request-Timestamp", "now") }, 401},
		{"timestamp an hour old", httpReq{path: botslack.PathEvents, body: good, secret: signingSecret, ts: time.Now().Add(-time.Hour).Unix()}, nil, 401},
		{"timestamp far future", httpReq{path: botslack.PathEvents, body: good, secret: signingSecret, ts: 1 << 62}, nil, 401},
		{"timestamp min int64", httpReq{path: botslack.PathEvents, body: good, secret: signingSecret, ts: -1 << 63}, nil, 401},
		// size
		{"10 MB signed", httpReq{path: botslack.PathEvents, body: big, secret: signingSecret}, nil, 413},
		{"10 MB unsigned", httpReq{path: botslack.PathEvents, body: big}, nil, 413},
		{"10 MB slash command", httpReq{path: botslack.PathCommands, body: []byte("text=" + strings.Repeat("a", 10<<20)), contentType: form, secret: signingSecret}, nil, 413},
		// bodies Slack never sends, correctly signed
		{"empty body", httpReq{path: botslack.PathEvents, body: []byte{}, secret: signingSecret}, nil, 400},
		{"malformed JSON", httpReq{path: botslack.PathEvents, body: []byte(`{"type":"event_callback",,}`), secret: signingSecret}, nil, 400},
		{"truncated JSON", httpReq{path: botslack.PathEvents, body: good[:len(good)/2], secret: signingSecret}, nil, 400},
		{"not an object", httpReq{path: botslack.PathEvents, body: []byte(`"event_callback"`), secret: signingSecret}, nil, 400},
		{"deeply nested", httpReq{path: botslack.PathEvents, body: []byte(`{"type":"event_callback","event":` + nested(200000) + `}`), secret: signingSecret}, nil, 400},
		{"deeply nested event field", httpReq{path: botslack.PathEvents, body: []byte(`{"type":"event_callback","event_id":"EvDeep","event":{"type":"app_mention","user":"UALICE","channel":"CNET","ts":"1.1","text":"<@UBOT> help","blocks":` + nested(200000) + `}}`), secret: signingSecret}, nil, 400},
		// ignored with 200: Slack retries anything else
		{"event is a string", httpReq{path: botslack.PathEvents, body: []byte(`{"type":"event_callback","event_id":"EvStr","event":"app_mention"}`), secret: signingSecret}, nil, 200},
		{"unknown envelope type", httpReq{path: botslack.PathEvents, body: []byte(`{"token":"t","type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820,"api_app_id":"A1"}`), secret: signingSecret}, nil, 200},
		{"unknown event type", httpReq{path: botslack.PathEvents, body: mustJSON(callback("EvUnknown", map[string]any{"type": "tunneldoc_never_heard_of_it", "user": "UALICE", "channel": "CNET", "text": "<@UBOT> help", "ts": "1700000600.000100"})), secret: signingSecret}, nil, 200},
		{"event without type", httpReq{path: botslack.PathEvents, body: mustJSON(callback("EvNoType", map[string]any{"user": "UALICE", "channel": "CNET", "text": "<@UBOT> help"})), secret: signingSecret}, nil, 200},
		{"mention without channel", httpReq{path: botslack.PathEvents, body: mustJSON(callback("EvNoChan", map[string]any{"type": "app_mention", "user": "UALICE", "text": "<@UBOT> help", "ts": "1700000700.000100"})), secret: signingSecret}, nil, 200},
		{"mention without ts", httpReq{path: botslack.PathEvents, body: mustJSON(callback("EvNoTS", map[string]any{"type": "app_mention", "user": "UALICE", "channel": "CNET", "text": "<@UBOT> help"})), secret: signingSecret}, nil, 200},
		{"mention without user", httpReq{path: botslack.PathEvents, body: mustJSON(callback("EvNoUser", map[string]any{"type": "app_mention", "channel": "CNET", "text": "<@UBOT> help", "ts": "1700000800.000100"})), secret: signingSecret}, nil, 200},
		{"mention with empty text", httpReq{path: botslack.PathEvents, body: mustJSON(callback("EvNoText", map[string]any{"type": "app_mention", "user": "UALICE", "channel": "CNET", "ts": "1700000900.000100"})), secret: signingSecret}, nil, 200},
		{"callback without event", httpReq{path: botslack.PathEvents, body: []byte(`{"type":"event_callback","event_id":"EvNone"}`), secret: signingSecret}, nil, 200},
		{"url_verification without challenge", httpReq{path: botslack.PathEvents, body: []byte(`{"type":"url_verification"}`), secret: signingSecret}, nil, 200},
		// slash commands and buttons
		{"slash command bad form", httpReq{path: botslack.PathCommands, body: []byte("text=%zz&command=%2Ftunnel"), contentType: form, secret: signingSecret}, nil, 400},
		{"slash command without channel or user", httpReq{path: botslack.PathCommands, body: []byte("command=%2Ftunnel&text=status"), contentType: form, secret: signingSecret}, nil, 200},
		{"modal submitted without channel", httpReq{path: botslack.PathInteractive, body: []byte(`payload={"type":"view_submission","user":{"id":"UALICE"},"view":{"callback_id":"tunneldoc_diagnose","state":{"values":{"paste":{"paste_input":{"type":"plain_text_input","value":"show crypto isakmp sa"}}}}}}`), contentType: form, secret: signingSecret}, nil, 200},
		{"button bad form", httpReq{path: botslack.PathInteractive, body: []byte("payload=%zz"), contentType: form, secret: signingSecret}, nil, 400},
		{"button payload not JSON", httpReq{path: botslack.PathInteractive, body: []byte("payload=%7B%22type%22"), contentType: form, secret: signingSecret}, nil, 400},
		{"button without payload", httpReq{path: botslack.PathInteractive, body: []byte("x=1"), contentType: form, secret: signingSecret}, nil, 400},
		{"button deeply nested", httpReq{path: botslack.PathInteractive, body: []byte("payload=" + strings.Repeat("%5B", 100000) + strings.Repeat("%5D", 100000)), contentType: form, secret: signingSecret}, nil, 400},
		{"button of unknown type", httpReq{path: botslack.PathInteractive, body: []byte(`payload={"type":"tunneldoc_unknown","user":{"id":"UALICE"},"actions":[{"action_id":"nope","value":"x"}]}`), contentType: form, secret: signingSecret}, nil, 200},
		{"button without actions", httpReq{path: botslack.PathInteractive, body: []byte(`payload={"type":"block_actions","user":{"id":"UALICE"}}`), contentType: form, secret: signingSecret}, nil, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := doRaw(t, srv.URL, tc.req, tc.raw)
			if code != tc.want {
				t.Fatalf("status %d, want %d: %s", code, tc.want, body)
			}
		})
	}
	// Wrong methods.
	for _, p := range []string{botslack.PathEvents, botslack.PathCommands, botslack.PathInteractive} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: status %d", p, resp.StatusCode)
		}
	}
	h.Wait()
	if a := shownInSlack(e.slack.snapshot()); len(a) != 0 {
		t.Errorf("hostile payloads were answered:%s", describe(a))
	}
	if after := e.redisKeys(); strings.Join(after, ",") != strings.Join(keysBefore, ",") {
		t.Errorf("hostile payloads wrote to Redis: keys %v, before %v", after, keysBefore)
	}
	// The handler is still alive: a good event is answered once.
	if code, _ := do(t, srv, httpReq{path: botslack.PathEvents, body: good, secret: signingSecret}); code != 200 {
		t.Fatalf("good event after the hostile ones: status %d", code)
	}
	e.slack.waitFor("the help reply", func(cs []call) bool { return len(shownInSlack(cs)) == 1 })
}

// doRaw sends r like do, then lets edit change the signed request.
func doRaw(t *testing.T, base string, r httpReq, edit func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+r.path, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	ct := r.contentType
	if ct == "" {
		ct = "application/json"
	}
	req.Header.Set("Content-Type", ct)
	if r.ts == 0 {
		r.ts = time.Now().Unix()
	}
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(r.ts, 10))
	if r.secret != "" {
		req.Header.Set("X-Slack-Signature", sign(r.secret, r.ts, r.body))
	}
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}

// rawSocket is a Socket Mode endpoint that sends frames exactly as given
// (not JSON, truncated, huge) and records the envelope ids acked.
type rawSocket struct {
	srv    *httptest.Server
	frames chan []byte
	mu     sync.Mutex
	acks   []string
}

func newRawSocket(t *testing.T) *rawSocket {
	rs := &rawSocket{frames: make(chan []byte, 100)}
	mux := http.NewServeMux()
	mux.HandleFunc("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"url":"ws://%s/ws"}`, r.Host)
	})
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		if err := c.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1}`)); err != nil {
			return
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				var ack struct {
					EnvelopeID string `json:"envelope_id"`
				}
				if err := c.ReadJSON(&ack); err != nil {
					return
				}
				rs.mu.Lock()
				rs.acks = append(rs.acks, ack.EnvelopeID)
				rs.mu.Unlock()
			}
		}()
		for {
			select {
			case f := <-rs.frames:
				if err := c.WriteMessage(websocket.TextMessage, f); err != nil {
					return
				}
			case <-done:
				return
			case <-r.Context().Done():
				return
			}
		}
	})
	rs.srv = httptest.NewServer(mux)
	t.Cleanup(rs.srv.Close)
	return rs
}

func (rs *rawSocket) acked(id string) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, a := range rs.acks {
		if a == id {
			return true
		}
	}
	return false
}

// TestSocketModeHostileEnvelopes: frames that are not JSON, truncated,
// 10 MB, deeply nested, of unknown envelope or event types, or events
// missing their channel, timestamp or user: the bot keeps running, posts
// nothing, stores nothing, and answers the good mention sent after them.
func TestSocketModeHostileEnvelopes(t *testing.T) {
	e := newEnv(t)
	rs := newRawSocket(t)
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(rs.srv.URL+"/"), slack.OptionAppLevelToken("xapp-test-token"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- botslack.RunSocketMode(ctx, e.bot, api, e.config.Logger, nil) }()
	keysBefore := e.redisKeys()

	env := func(id, typ, payload string) []byte {
		return []byte(`{"envelope_id":"` + id + `","type":"` + typ + `","accepts_response_payload":false,"retry_attempt":0,"payload":` + payload + `}`)
	}
	ev := func(id string, inner map[string]any) []byte {
		return env(id, "events_api", string(mustJSON(callback("Ev"+id, inner))))
	}
	frames := [][]byte{
		[]byte("not json at all"),
		[]byte(`{"envelope_id":"trunc","type":"events_api","payload":{"type":"event_call`),
		[]byte(`[]`),
		[]byte(`{}`),
		env("unknown-envelope", "tunneldoc_unknown", `{}`),
		env("big", "tunneldoc_unknown", `{"x":"`+strings.Repeat("A", 10<<20)+`"}`),
		env("deep", "events_api", nested(200000)),
		env("deep-event", "events_api", `{"type":"event_callback","event":{"type":"app_mention","user":"UALICE","channel":"CNET","ts":"1.2","text":"<@UBOT> help","blocks":`+nested(200000)+`}}`),
		env("payload-string", "events_api", `"x"`),
		env("payload-null", "events_api", `null`),
		ev("unknown-event", map[string]any{"type": "tunneldoc_never_heard_of_it", "user": "UALICE", "channel": "CNET", "text": "<@UBOT> help", "ts": "1700001000.000100"}),
		ev("no-channel", map[string]any{"type": "app_mention", "user": "UALICE", "text": "<@UBOT> help", "ts": "1700001100.000100"}),
		ev("no-ts", map[string]any{"type": "app_mention", "user": "UALICE", "channel": "CNET", "text": "<@UBOT> help"}),
		ev("no-user", map[string]any{"type": "app_mention", "channel": "CNET", "text": "<@UBOT> help", "ts": "1700001200.000100"}),
		ev("no-text", map[string]any{"type": "app_mention", "user": "UALICE", "channel": "CNET", "ts": "1700001300.000100"}),
		env("slash-garbage", "slash_commands", `{"command":7,"text":["x"]}`),
		env("slash-empty", "slash_commands", `{}`),
		env("button-unknown", "interactive", `{"type":"tunneldoc_unknown","user":{"id":"UALICE"},"actions":[{"action_id":"nope"}]}`),
		env("button-empty", "interactive", `{}`),
	}
	for _, f := range frames {
		rs.frames <- f
	}
	rs.frames <- env("good", "events_api", string(mustJSON(mention("EvSMGood", "1700001400.000100", "", "help"))))
	e.slack.waitFor("the reply to the good mention", func(cs []call) bool {
		for _, c := range shownInSlack(cs) {
			if c.ThreadTS == "1700001400.000100" {
				return true
			}
		}
		return false
	})
	select {
	case err := <-done:
		t.Fatalf("RunSocketMode returned: %v", err)
	default:
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunSocketMode did not return after cancel")
	}
	// The slash command and buttons may have answered the user with an
	// ephemeral error; nothing else may show in Slack.
	for _, c := range shownInSlack(e.slack.snapshot()) {
		if c.ThreadTS == "1700001400.000100" {
			continue
		}
		t.Errorf("a hostile envelope was answered: %s", describe([]call{c}))
	}
	for _, id := range []string{"unknown-event", "no-channel", "no-user", "good"} {
		if !rs.acked(id) {
			t.Errorf("envelope %s not acked", id)
		}
	}
	after := e.redisKeys()
	var extra []string
	for _, k := range after {
		if !slices.Contains(keysBefore, k) && !strings.Contains(k, "EvSMGood") {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		t.Errorf("hostile envelopes wrote to Redis: %v", extra)
	}
}

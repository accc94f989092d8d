package slack_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

func sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

type httpReq struct {
	path        string
	body        []byte
	contentType string
	ts          int64
	secret      string // "" leaves the request unsigned
	retryNum    string
}

func (e *testEnv) startHTTP(t *testing.T) (*httptest.Server, *botslack.HTTPHandler) {
	ctx, cancel := context.WithCancel(context.Background())
	h := botslack.NewHTTPHandler(ctx, e.bot, e.api, signingSecret, nil, e.config.Logger)
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); cancel(); h.Wait() })
	return srv, h
}

func do(t *testing.T, srv *httptest.Server, r httpReq) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+r.path, strings.NewReader(string(r.body)))
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
	if r.retryNum != "" {
		req.Header.Set("X-Slack-Retry-Num", r.retryNum)
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestHTTPSignatures: unsigned, wrongly signed and 6-minute-old requests
// get 401 and no reply; a correctly signed one is answered; url_verification
// is answered with its challenge.
func TestHTTPSignatures(t *testing.T) {
	e := newEnv(t)
	srv, h := e.startHTTP(t)
	body := mustJSON(mention("EvSig1", "1700000300.000100", "", "help"))

	refused := []struct {
		name string
		req  httpReq
	}{
		{"unsigned", httpReq{path: botslack.PathEvents, body: body}},
		{"wrong secret", httpReq{path: botslack.PathEvents, body: body, secret: "not-the-secret"}},
		{"six minutes old", httpReq{path: botslack.PathEvents, body: body, secret: signingSecret, ts: time.Now().Add(-6 * time.Minute).Unix()}},
		{"six minutes ahead", httpReq{path: botslack.PathEvents, body: body, secret: signingSecret, ts: time.Now().Add(6 * time.Minute).Unix()}},
		{"unsigned slash command", httpReq{path: botslack.PathCommands, body: []byte("command=%2Ftunnel&text=status&user_id=UALICE&channel_id=CNET"), contentType: "application/x-www-form-urlencoded"}},
		{"unsigned button", httpReq{path: botslack.PathInteractive, body: []byte("payload=%7B%7D"), contentType: "application/x-www-form-urlencoded"}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			code, _ := do(t, srv, tc.req)
			if code != http.StatusUnauthorized {
				t.Fatalf("status %d; want 401", code)
			}
		})
	}
	// A body changed after signing is refused too.
	ts := time.Now().Unix()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+botslack.PathEvents, strings.NewReader(string(body)+" "))
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", sign(signingSecret, ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("tampered body: status %d; want 401", resp.StatusCode)
	}

	code, challenge := do(t, srv, httpReq{path: botslack.PathEvents, secret: signingSecret, body: mustJSON(map[string]any{"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})})
	if code != 200 || challenge != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification = %d %q", code, challenge)
	}
	h.Wait()
	if cs := e.slack.snapshot(); len(only(cs, "chat.postMessage"))+len(only(cs, "chat.postEphemeral")) != 0 {
		t.Fatalf("refused requests were answered:%s", describe(cs))
	}

	code, _ = do(t, srv, httpReq{path: botslack.PathEvents, body: body, secret: signingSecret})
	if code != 200 {
		t.Fatalf("signed request: status %d", code)
	}
	cs := e.slack.waitFor("the help reply", func(cs []call) bool { return len(only(cs, "chat.postMessage")) == 1 })
	if p := only(cs, "chat.postMessage")[0]; p.ThreadTS != "1700000300.000100" || !strings.Contains(p.Text, "check tunnel") {
		t.Fatalf("help reply = %+v", p)
	}
	if !strings.Contains(e.logs.String(), "refused unsigned or stale request") {
		t.Error("refusals not logged")
	}
}

// TestHTTPRetryAcrossReplicas: two bot replicas sharing one Redis get the
// same event (the original and Slack's retry) at the same moment; exactly
// one answers.
func TestHTTPRetryAcrossReplicas(t *testing.T) {
	e := newEnv(t)
	srvA, hA := e.startHTTP(t)
	// Replica B: its own Redis connection, its own Slack client, same Redis.
	cfgB := e.config
	cfgB.Store = e.openStore()
	b2, err := bot.New(cfgB)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hB := botslack.NewHTTPHandler(ctx, b2, e.api, signingSecret, nil, e.config.Logger)
	srvB := httptest.NewServer(hB)
	defer srvB.Close()

	body := mustJSON(mention("EvRetry1", "1700000400.000100", "", "diagnose\n"+seed(t, "seed004_scenario1a.txt")))
	var wg sync.WaitGroup
	for i, srv := range []*httptest.Server{srvA, srvB, srvA} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			retry := ""
			if i > 0 {
				retry = strconv.Itoa(i)
			}
			if code, _ := do(t, srv, httpReq{path: botslack.PathEvents, body: body, secret: signingSecret, retryNum: retry}); code != 200 {
				t.Errorf("delivery %d: status %d", i, code)
			}
		}()
	}
	wg.Wait()
	hA.Wait()
	hB.Wait()
	posts := only(e.slack.snapshot(), "chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d replies to one event; want 1:%s", len(posts), describe(posts))
	}
	if h := posts[0].header(); !strings.Contains(h, "ike_proposal_mismatch") {
		t.Errorf("header = %q", h)
	}
}

// TestSlashCommandsAndButtons: /tunnel check posts a root message and
// answers in its thread; /tunnel diagnose opens a modal whose submission
// is diagnosed; Acknowledge and Resolved buttons change the incident.
func TestSlashCommandsAndButtons(t *testing.T) {
	checker := &fakeChecker{}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	checker.transcript = seed(t, "seed004_scenario1a.txt")
	srv, h := e.startHTTP(t)
	formBody := func(v url.Values) []byte { return []byte(v.Encode()) }
	// Slack gives every command its own trigger_id: trig-<first word>.
	slash := func(text string) string {
		t.Helper()
		trigger := "trig-" + strings.Fields(text)[0]
		code, body := do(t, srv, httpReq{path: botslack.PathCommands, contentType: "application/x-www-form-urlencoded", secret: signingSecret,
			body: formBody(url.Values{"command": {"/tunnel"}, "text": {text}, "user_id": {"UALICE"}, "channel_id": {"CNET"}, "trigger_id": {trigger}})})
		if code != 200 {
			t.Fatalf("/tunnel %s: status %d", text, code)
		}
		h.Wait()
		return body
	}

	if body := slash("check 40.10.1.1 on fw-hq"); !strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "Checking 40.10.1.1") {
		t.Fatalf("slash ack body = %q", body)
	}
	cs := e.slack.snapshot()
	posts := only(cs, "chat.postMessage")
	if len(posts) != 2 || posts[0].ThreadTS != "" || posts[1].ThreadTS != posts[0].TS {
		t.Fatalf("want a root message and a threaded placeholder:%s", describe(cs))
	}
	updates := only(cs, "chat.update")
	if len(updates) != 1 || updates[0].TS != posts[1].TS || !strings.Contains(updates[0].header(), "ike_proposal_mismatch") {
		t.Fatalf("placeholder not updated with the result:%s", describe(cs))
	}
	if len(checker.calls) != 1 || checker.calls[0] != "40.10.1.1|fw-hq" {
		t.Fatalf("checker calls = %v", checker.calls)
	}
	inc, ok, err := e.store.ByTunnel(context.Background(), store.Tunnel("40.10.1.1", "fw-hq"))
	if err != nil || !ok || inc.ThreadTS != posts[0].TS || inc.RootTS != posts[1].TS || len(inc.Diagnoses) != 1 || inc.Diagnoses[0].Source != store.SourceCheck {
		t.Fatalf("incident = %+v %v %v", inc, ok, err)
	}

	if body := slash("diagnose"); body != "" {
		t.Fatalf("modal-opening slash ack body = %q; want empty", body)
	}
	if v := only(e.slack.snapshot(), "views.open"); len(v) != 1 || !strings.Contains(v[0].Text, `"trigger_id":"trig-diagnose"`) || !strings.Contains(v[0].Text, "tunneldoc_diagnose") {
		t.Fatalf("modal not opened:%s", describe(v))
	}
	submission := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UBOB"},
		"view": map[string]any{"callback_id": "tunneldoc_diagnose", "private_metadata": "CNET", "state": map[string]any{"values": map[string]any{
			"peer":  map[string]any{"peer_input": map[string]any{"type": "plain_text_input", "value": "40.10.1.1"}},
			"paste": map[string]any{"paste_input": map[string]any{"type": "plain_text_input", "value": seed(t, "seed004_scenario1a.txt")}},
		}}},
	}
	code, _ := do(t, srv, httpReq{path: botslack.PathInteractive, contentType: "application/x-www-form-urlencoded", secret: signingSecret, body: formBody(url.Values{"payload": {string(mustJSON(submission))}})})
	if code != 200 {
		t.Fatalf("view submission: %d", code)
	}
	h.Wait()
	// The modal's paste is about the same tunnel peer but no device: its
	// own incident key ("40.10.1.1"), answered under a root message.
	cs = e.slack.snapshot()
	last := only(cs, "chat.postMessage")
	if got := last[len(last)-1]; !strings.Contains(got.header(), "ike_proposal_mismatch") || got.ThreadTS == "" {
		t.Fatalf("modal submission not answered in a thread:%s", describe(cs))
	}

	click := func(actionID string) {
		t.Helper()
		payload := map[string]any{
			"type": "block_actions", "user": map[string]any{"id": "UCAROL"}, "channel": map[string]any{"id": "CNET"},
			"message": map[string]any{"ts": posts[1].TS},
			"actions": []any{map[string]any{"action_id": actionID, "block_id": "tunneldoc_actions", "value": inc.ID, "type": "button"}},
		}
		code, _ := do(t, srv, httpReq{path: botslack.PathInteractive, contentType: "application/x-www-form-urlencoded", secret: signingSecret, body: formBody(url.Values{"payload": {string(mustJSON(payload))}})})
		if code != 200 {
			t.Fatalf("%s: status %d", actionID, code)
		}
		h.Wait()
	}
	click(bot.ActionAcknowledge)
	got, err := e.store.Get(context.Background(), inc.ID)
	if err != nil || got.Status != store.StatusAcknowledged || got.AcknowledgedBy != "UCAROL" {
		t.Fatalf("after Acknowledge: %+v %v", got, err)
	}
	click(bot.ActionRecheck)
	if len(checker.calls) != 2 {
		t.Fatalf("Re-check did not run a check: %v", checker.calls)
	}
	click(bot.ActionResolve)
	if _, ok, _ := e.store.ByTunnel(context.Background(), inc.Tunnel); ok {
		t.Fatal("resolved incident still owns its tunnel")
	}
	got, _ = e.store.Get(context.Background(), inc.ID)
	if got.Status != store.StatusResolved || len(got.Diagnoses) != 2 {
		t.Fatalf("after Resolved: %+v", got)
	}
	var saidAck, saidResolved bool
	for _, p := range only(e.slack.snapshot(), "chat.postMessage") {
		if p.ThreadTS == inc.ThreadTS && strings.Contains(p.Text, "acknowledged by <@UCAROL>") {
			saidAck = true
		}
		if p.ThreadTS == inc.ThreadTS && strings.Contains(p.Text, "resolved by <@UCAROL>") {
			saidResolved = true
		}
	}
	if !saidAck || !saidResolved {
		t.Fatalf("status changes not announced in the thread:%s", describe(e.slack.snapshot()))
	}
	if !strings.Contains(e.logs.String(), "audit=true") {
		t.Error("no audit log lines")
	}
}

// TestHTTPSignatureWindowUsesInjectedClock: the 5-minute window is judged
// by the injected clock too, so a server whose clock says "6 minutes
// later" refuses a request signed just now.
func TestHTTPSignatureWindowUsesInjectedClock(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := botslack.NewHTTPHandler(ctx, e.bot, e.api, signingSecret, clocktest.New(time.Now().Add(6*time.Minute)), e.config.Logger)
	srv := httptest.NewServer(h)
	defer srv.Close()
	code, _ := do(t, srv, httpReq{path: botslack.PathEvents, secret: signingSecret, body: mustJSON(mention("EvClk", "1700002400.000100", "", "help"))})
	h.Wait()
	if code != http.StatusUnauthorized {
		t.Fatalf("status %d; want 401", code)
	}
	if n := len(only(e.slack.snapshot(), "chat.postMessage")); n != 0 {
		t.Fatalf("answered %d times", n)
	}
}

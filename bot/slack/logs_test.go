package slack_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/ops"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// jsonLogger is the process logger as serve builds it (JSON, with the
// context's ids), at debug, writing to w.
func jsonLogger(t *testing.T, w *syncBuffer) *slog.Logger {
	t.Helper()
	l, err := ops.NewLogger(w, ops.LogJSON, slog.LevelDebug)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLogLinesCarryRequestAndIncident: the bot's JSON log lines about a
// paste and a check carry the request's request_id, and once the
// incident is known its incident_id, as the README promises.
func TestLogLinesCarryRequestAndIncident(t *testing.T) {
	jsonLog := &syncBuffer{}
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Logger, c.Checker = jsonLogger(t, jsonLog), checker })
	ctx := context.Background()
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvL1", TS: "1700005000.000100", Text: "<@UBOT> " + seed(t, "seed004_scenario1a.txt")})
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvL2", User: "UBOB", Channel: "COPS", TS: "1700005100.000100", Text: "<@UBOT> check tunnel 50.5.5.5"})
	paste, ok, err := e.store.ByThread(ctx, "CNET", "1700005000.000100")
	if err != nil || !ok {
		t.Fatalf("no incident for the paste: %v %v", ok, err)
	}
	check, ok, err := e.store.ByThread(ctx, "COPS", "1700005100.000100")
	if err != nil || !ok {
		t.Fatalf("no incident for the check: %v %v", ok, err)
	}

	audit := map[string]map[string]any{} // command -> its audit line
	requests := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(jsonLog.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", line)
		}
		id, _ := rec["request_id"].(string)
		if !strings.HasPrefix(id, "req-") {
			t.Errorf("log line without request_id: %s", line)
		}
		requests[id] = true
		if _, old := rec["incident"]; old {
			t.Errorf("log line names the incident \"incident\", not \"incident_id\": %s", line)
		}
		if rec["audit"] == true {
			audit[rec["command"].(string)] = rec
		}
	}
	if len(requests) != 2 {
		t.Errorf("%d request ids for two requests: %v", len(requests), requests)
	}
	for cmd, want := range map[string]string{"diagnose": paste.ID, "check": check.ID} {
		rec, ok := audit[cmd]
		if !ok {
			t.Errorf("no audit line for %s:\n%s", cmd, jsonLog.String())
			continue
		}
		if rec["incident_id"] != want {
			t.Errorf("%s audit line: incident_id %v, want %s", cmd, rec["incident_id"], want)
		}
	}
	if audit["diagnose"]["request_id"] == audit["check"]["request_id"] {
		t.Errorf("the paste and the check share a request id")
	}
}

// TestTransportLinesCarryTheRequestID: the Slack transport's own lines
// about a request carry its request_id from receipt on, the same as the
// bot's audit line: the Socket Mode receipt and retry, the rate-limit
// wait, and the outbox's queueing, delivery look-up and late delivery of
// its calls (the queued edit also names the incident). A second request
// has lines of its own under another id.
func TestTransportLinesCarryTheRequestID(t *testing.T) {
	jsonLog := &syncBuffer{}
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e := newEnv(t, func(e *testEnv, c *bot.Config) {
		l := jsonLogger(t, jsonLog)
		m := botslack.NewMessenger(e.api, clock.Real, l)
		m.MinInterval = 0
		c.Logger, c.Checker, c.Messenger = l, checker, m
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = botslack.RunSocketMode(ctx, e.bot, e.api, e.config.Logger, nil) }()

	// The first post is rate limited (waited out inline), then answered
	// 500 though Slack posted it: it is queued, found in the thread by its
	// delivery id, and the edit queued behind it follows.
	e.slack.failNext(true, 429, 500)
	e.slack.envelopes <- envelope("env-r1", mention("EvR1", "1700040000.000100", "", "check tunnel 40.10.1.1"), 1)
	e.slack.waitFor("the late edit", func(cs []call) bool { return len(only(cs, "chat.update")) == 1 })
	inc, ok, err := e.store.ByThread(ctx, "CNET", "1700040000.000100")
	if err != nil || !ok {
		t.Fatalf("no incident: %v %v", ok, err)
	}
	e.slack.envelopes <- envelope("env-r2", mention("EvR2", "1700040100.000100", "", "help"), 0)

	type line = map[string]any
	records := func() []line {
		var out []line
		for _, s := range strings.Split(strings.TrimSpace(jsonLog.String()), "\n") {
			var rec line
			if err := json.Unmarshal([]byte(s), &rec); err != nil {
				t.Fatalf("not a JSON log line: %q", s)
			}
			out = append(out, rec)
		}
		return out
	}
	audit := func(recs []line, command string) line {
		for _, r := range recs {
			if r["audit"] == true && r["command"] == command {
				return r
			}
		}
		return nil
	}
	var recs []line
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		recs = records()
		delivered := 0
		for _, r := range recs {
			if r["msg"] == "queued slack call delivered" {
				delivered++
			}
		}
		if (delivered == 2 && audit(recs, "help") != nil) || time.Now().After(deadline) {
			break
		}
	}
	check, help := audit(recs, "check"), audit(recs, "help")
	if check == nil || help == nil {
		t.Fatalf("no audit lines for the check and the help:\n%s", jsonLog.String())
	}
	checkID, helpID := check["request_id"], help["request_id"]
	if checkID == nil || checkID == helpID {
		t.Fatalf("request ids: check %v, help %v", checkID, helpID)
	}

	want := map[string]int{ // the check's transport lines
		"slack event received":                 0,
		"slack retry":                          0,
		"slack rate limited; waiting":          0,
		"slack call queued for later delivery": 0,
		"queued slack post was delivered by an earlier attempt; not posting again": 0,
		"queued slack call delivered": 0,
	}
	helpReceived := false
	for _, r := range recs {
		msg, _ := r["msg"].(string)
		if _, ok := want[msg]; !ok {
			continue
		}
		if msg == "slack event received" && r["event_id"] == "EvR2" {
			helpReceived = r["request_id"] == helpID
			continue
		}
		want[msg]++
		if r["request_id"] != checkID {
			t.Errorf("%q carries request_id %v; want the check's %v", msg, r["request_id"], checkID)
		}
		if msg == "queued slack call delivered" && r["method"] == "chat.update" && r["incident_id"] != inc.ID {
			t.Errorf("the late edit's line carries incident_id %v; want %s", r["incident_id"], inc.ID)
		}
	}
	for msg, n := range want {
		if n == 0 {
			t.Errorf("no %q line for the check:\n%s", msg, jsonLog.String())
		}
	}
	if !helpReceived {
		t.Errorf("the second request's receipt line does not carry its own request_id %v:\n%s", helpID, jsonLog.String())
	}
}

// TestEventsAPILinesCarryTheRequestID: over the HTTP Events API, a
// retried event's retry and receipt lines carry the request_id of the
// bot's audit line for it.
func TestEventsAPILinesCarryTheRequestID(t *testing.T) {
	jsonLog := &syncBuffer{}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Logger = jsonLogger(t, jsonLog) })
	srv, h := e.startHTTP(t)
	if code, _ := do(t, srv, httpReq{path: botslack.PathEvents, body: mustJSON(mention("EvH1", "1700041000.000100", "", "help")), secret: signingSecret, retryNum: "2"}); code != 200 {
		t.Fatalf("status %d", code)
	}
	h.Wait()
	ids := map[string]any{}
	for _, s := range strings.Split(strings.TrimSpace(jsonLog.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(s), &rec); err != nil {
			t.Fatalf("not a JSON log line: %q", s)
		}
		switch msg, _ := rec["msg"].(string); {
		case rec["audit"] == true:
			ids["audit"] = rec["request_id"]
		case msg == "slack retry", msg == "slack event received":
			ids[msg] = rec["request_id"]
		}
	}
	if len(ids) != 3 || ids["audit"] == nil || ids["slack retry"] != ids["audit"] || ids["slack event received"] != ids["audit"] {
		t.Errorf("request ids by line: %v\n%s", ids, jsonLog.String())
	}
}

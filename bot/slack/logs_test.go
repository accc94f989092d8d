package slack_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/ops"
)

// TestLogLinesCarryRequestAndIncident: the bot's JSON log lines about a
// paste and a check carry the request's request_id, and once the
// incident is known its incident_id, as the README promises.
func TestLogLinesCarryRequestAndIncident(t *testing.T) {
	jsonLog := &syncBuffer{}
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) {
		l, err := ops.NewLogger(jsonLog, ops.LogJSON, slog.LevelDebug)
		if err != nil {
			t.Fatal(err)
		}
		c.Logger, c.Checker = l, checker
	})
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

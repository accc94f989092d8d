package slack_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

const botUser = "UBOT"

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fakeChecker answers checks with a fixed transcript and counts calls.
type fakeChecker struct {
	mu         sync.Mutex
	transcript string
	err        error
	calls      []string
	gate       chan struct{} // when set, a check waits for it to close
	partial    bool          // return the transcript along with err
	comparison *diagnose.Report
	notes      []bot.CollectionNote // what the checker says was cut short
}

func (c *fakeChecker) CheckTunnel(ctx context.Context, peer, device string) (bot.CheckResult, error) {
	if c.gate != nil {
		select {
		case <-c.gate:
		case <-ctx.Done():
			return bot.CheckResult{}, ctx.Err()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, peer+"|"+device)
	res := bot.CheckResult{Device: firstOr(device, "fw-hq"), Transcript: c.transcript, Commands: []string{"show crypto isakmp sa", "show crypto ipsec sa peer " + peer}, Duration: 1500 * time.Millisecond}
	res.Notes = c.notes
	if c.comparison != nil {
		res.Comparison, res.Ends = c.comparison, "fw-hq and br-7"
	}
	if c.err != nil && !c.partial {
		return bot.CheckResult{}, c.err
	}
	return res, c.err
}

func firstOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// testEnv is one bot wired to a fake Slack and a real redis-server.
type testEnv struct {
	t      *testing.T
	slack  *fakeSlack
	api    *slack.Client
	redis  *redistest.Server
	store  store.Store
	bot    *bot.Bot
	logs   *syncBuffer
	config bot.Config
}

func seed(t *testing.T, name string) string {
	t.Helper()
	s, err := readSeed(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readSeed(name string) (string, error) {
	b, err := os.ReadFile("../testdata/" + name)
	return string(b), err
}

func newEnv(t *testing.T, tweak ...func(*testEnv, *bot.Config)) *testEnv {
	t.Helper()
	e := &testEnv{t: t, slack: newFakeSlack(t), redis: redistest.Start(t), logs: &syncBuffer{}}
	e.api = slack.New("xoxb-test-token", slack.OptionAPIURL(e.slack.apiURL()), slack.OptionAppLevelToken("xapp-test-token"))
	e.store = e.openStore()
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := botslack.NewMessenger(e.api, clock.Real, log)
	m.MinInterval = 0 // pacing is covered by its own test
	e.config = bot.Config{
		Store: e.store, Messenger: m, Files: botslack.Files{API: e.api}, Groups: botslack.Groups{API: e.api},
		Logger: log, BotUserID: botUser, MaxFileBytes: 64 << 10,
	}
	for _, f := range tweak {
		f(e, &e.config)
	}
	if sm, ok := e.config.Messenger.(*botslack.Messenger); ok {
		// the Slack messenger's abilities, wired as cmd/tunneldoc wires them
		e.config.Deliveries, e.config.Outbox, e.config.Forms, e.config.Recover = sm, sm, sm, sm
		e.config.Settle = sm
		if d, ok := e.config.Metrics.(botslack.DeferredCounter); ok && sm.Metrics == nil {
			sm.Metrics = d
		}
	}
	b, err := bot.New(e.config)
	if err != nil {
		t.Fatal(err)
	}
	e.bot = b
	return e
}

func (e *testEnv) openStore() store.Store {
	e.t.Helper()
	s, err := redisstore.OpenURL(e.redis.URL(), store.Options{})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { s.Close() })
	return s
}

// mention builds an Events API app_mention callback.
func mention(eventID, ts, threadTS, text string) map[string]any {
	ev := map[string]any{"type": "app_mention", "user": "UALICE", "text": "<@" + botUser + "> " + text, "ts": ts, "channel": "CNET", "event_ts": ts}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return callback(eventID, ev)
}

func callback(eventID string, ev map[string]any) map[string]any {
	return map[string]any{"token": "tok", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": eventID, "event_time": 1700000000, "event": ev}
}

func envelope(id string, payload map[string]any, retry int) map[string]any {
	return map[string]any{"envelope_id": id, "type": "events_api", "payload": payload, "accepts_response_payload": false, "retry_attempt": retry, "retry_reason": map[bool]string{true: "timeout"}[retry > 0]}
}

// assertNoSecret fails when secret appears in any call or in the logs.
func (e *testEnv) assertNoSecret(secret string) {
	e.t.Helper()
	for _, c := range e.slack.snapshot() {
		if strings.Contains(c.Text, secret) || strings.Contains(c.Blocks, secret) || strings.Contains(c.Form.Encode(), secret) {
			e.t.Errorf("secret leaked to Slack in %s: %q", c.Method, c.Text)
		}
	}
	if strings.Contains(e.logs.String(), secret) {
		e.t.Errorf("secret leaked to the log")
	}
}

package slack_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// countingMessenger counts what the bot tries to show in Slack.
type countingMessenger struct {
	mu    sync.Mutex
	posts int
}

func (m *countingMessenger) Post(context.Context, bot.Message) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.posts++
	return "1700000000." + strconv.Itoa(100000+m.posts), nil
}

func (m *countingMessenger) Update(context.Context, string, bot.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.posts++
	return nil
}

func (m *countingMessenger) Upload(context.Context, string, string, string, string, string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.posts++
	return nil
}

func (m *countingMessenger) Permalink(context.Context, string, string) (string, error) {
	return "", nil
}

func (m *countingMessenger) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.posts
}

// FuzzEventsEndpoint sends any body to the Events API, slash command or
// interactivity endpoint (mode/3 picks it), unsigned, signed with the
// wrong secret or signed correctly (mode%3): no panic, only 200, 400, 401
// or 413; a request not signed by Slack is always refused and nothing is
// posted for it; a refused one (4xx) posts nothing either.
func FuzzEventsEndpoint(f *testing.F) {
	for _, b := range [][]byte{
		mustJSON(mention("EvF1", "1700000300.000100", "", "help")),
		mustJSON(mention("EvF2", "1700000300.000200", "", "diagnose\n```\nHUB#show crypto isakmp sa\nIPv4 Crypto ISAKMP SA\ndst src state conn-id status\n90.1.1.1 30.3.1.1 MM_NO_STATE 1001 ACTIVE\n```")),
		mustJSON(callback("EvF3", map[string]any{"type": "message", "channel_type": "im", "user": "UALICE", "channel": "D1", "ts": "1.2", "text": "status"})),
		[]byte(`{"type":"url_verification","challenge":"abc"}`),
		[]byte(`{"type":"app_rate_limited","minute_rate_limited":1}`),
		[]byte(`{"type":"event_callback","event":{"type":"zzz"}}`),
		[]byte(`{"type":"event_callback","event":[[[[]]]]}`),
		[]byte(`{`),
	} {
		for mode := range uint8(3) {
			f.Add(b, mode)
		}
	}
	for _, b := range []string{
		"command=%2Ftunnel&text=status&user_id=UALICE&channel_id=CNET&trigger_id=1",
		"command=%2Ftunnel&text=check+90.1.1.1&user_id=UALICE&channel_id=CNET",
		"text=%zz",
	} {
		for mode := uint8(3); mode < 6; mode++ {
			f.Add([]byte(b), mode)
		}
	}
	for _, b := range []string{
		`payload={"type":"block_actions","user":{"id":"UALICE"},"channel":{"id":"CNET"},"actions":[{"action_id":"tunneldoc_ack","value":"inc-1"}]}`,
		`payload={"type":"view_submission","user":{"id":"UALICE"},"view":{"callback_id":"tunneldoc_diagnose","private_metadata":"CNET"}}`,
		"payload=%7B",
	} {
		for mode := uint8(6); mode < 9; mode++ {
			f.Add([]byte(b), mode)
		}
	}
	msg := &countingMessenger{}
	b, err := bot.New(bot.Config{Store: store.NewMemory(store.Options{}), Messenger: msg, BotUserID: botUser,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.Cleanup(cancel)
	h := botslack.NewHTTPHandler(ctx, b, nil, signingSecret, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	send := func(body []byte, mode uint8) int {
		now := time.Now()
		path, ct := botslack.PathEvents, "application/json"
		switch (mode / 3) % 3 {
		case 1:
			path, ct = botslack.PathCommands, "application/x-www-form-urlencoded"
		case 2:
			path, ct = botslack.PathInteractive, "application/x-www-form-urlencoded"
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now.Unix(), 10))
		switch mode % 3 {
		case 1:
			req.Header.Set("X-Slack-Signature", sign("not-the-secret", now.Unix(), body))
		case 2:
			req.Header.Set("X-Slack-Signature", sign(signingSecret, now.Unix(), body))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		h.Wait()
		return rec.Code
	}
	// The harness is live: a signed help mention is answered.
	if code := send(mustJSON(mention("EvLive", "1700000300.000900", "", "help")), 2); code != 200 || msg.count() != 1 {
		f.Fatalf("signed help mention: status %d, %d posts", code, msg.count())
	}
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		signed := mode%3 == 2
		before := msg.count()
		code := send(body, mode)
		switch code {
		case 200, 400, 401, 413:
		default:
			t.Fatalf("status %d for %q", code, body)
		}
		if !signed && code != 401 && code != 413 {
			t.Fatalf("unsigned request got %d", code)
		}
		if (!signed || code != 200) && msg.count() != before {
			t.Fatalf("status %d (signed %v) but %d messages posted", code, signed, msg.count()-before)
		}
	})
}

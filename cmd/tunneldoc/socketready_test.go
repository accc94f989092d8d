package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
)

// socketSlack is a local Slack API that passes auth.test and answers
// apps.connections.open with openAnswer; it counts the opens.
func socketSlack(t *testing.T, openAnswer func() string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var opens atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/auth.test":
			fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","team":"T","user":"tunneldoc"}`)
		case "/apps.connections.open":
			opens.Add(1)
			fmt.Fprint(w, openAnswer())
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(api.Close)
	return api, &opens
}

func socketEnv(t *testing.T, apiURL, opsAddr string) map[string]string {
	rs := redistest.Start(t)
	return map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_API_URL": apiURL + "/",
		"TUNNELDOC_OPS_LISTEN": opsAddr, "REDIS_URL": rs.URL(), "TUNNELDOC_LOG_FORMAT": "text",
	}
}

// A Socket Mode websocket that cannot be reached keeps /readyz at 503,
// naming Slack, while the client retries; auth.test passing is not a
// connection.
func TestReadyzSocketModeCannotConnect(t *testing.T) {
	dead := freeAddr(t, "tcp") // nothing listens here
	api, opens := socketSlack(t, func() string { return `{"ok":true,"url":"ws://` + dead + `/link"}` })
	opsAddr := freeAddr(t, "tcp")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"serve"}, envFrom(socketEnv(t, api.URL, opsAddr)), strings.NewReader(""), &out, &errb)
	}()
	if !eventually(10*time.Second, 20*time.Millisecond, func() bool { return opens.Load() >= 1 }) {
		t.Fatal("the bot never asked apps.connections.open for a socket")
	}
	var code int
	var body string
	if !eventually(10*time.Second, 50*time.Millisecond, func() bool {
		var err error
		code, body, err = getReady(opsAddr)
		return err == nil
	}) {
		t.Fatal("/readyz never answered")
	}
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "slack: FAIL") {
		t.Fatalf("/readyz while the socket cannot connect: %d %s", code, body)
	}
	t.Logf("/readyz: %s", body)
	cancel()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after cancel")
	}
}

// apps.connections.open answering invalid_auth is permanent: Socket Mode
// stops after one try and logs why; /readyz says not ready and why until
// the process is stopped.
func TestSocketModeInvalidAuthStops(t *testing.T) {
	api, opens := socketSlack(t, func() string { return `{"ok":false,"error":"invalid_auth"}` })
	opsAddr := freeAddr(t, "tcp")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	errb := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- runServe(ctx, []string{"serve"}, envFrom(socketEnv(t, api.URL, opsAddr)), strings.NewReader(""), &out, errb)
	}()
	var body string
	if !eventually(15*time.Second, 50*time.Millisecond, func() bool {
		code, b, err := getReady(opsAddr)
		body = b
		return err == nil && code == http.StatusServiceUnavailable && strings.Contains(b, "invalid_auth")
	}) {
		t.Fatalf("/readyz never said Slack refused the app token (last %q); serve log: %s", body, errb.String())
	}
	if !strings.Contains(body, "slack: FAIL") {
		t.Errorf("/readyz: %s", body)
	}
	// slack-go's first retry would come within a second or two.
	if eventually(3*time.Second, 50*time.Millisecond, func() bool { return opens.Load() > 1 }) {
		t.Errorf("apps.connections.open called %d times; a permanent error is not retried", opens.Load())
	}
	log := errb.String()
	if !strings.Contains(log, "socket mode stopped") || !strings.Contains(log, "invalid_auth") || !strings.Contains(log, "SLACK_APP_TOKEN") {
		t.Errorf("the log does not say why Socket Mode stopped: %s", log)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after being stopped: %s", code, log)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return after cancel")
	}
	t.Logf("/readyz: %s", body)
}

func getReady(addr string) (int, string, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + "/readyz")
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String(), nil
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func envFrom(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRunServeConsole(t *testing.T) {
	var out, errb bytes.Buffer
	code := runServe(context.Background(), nil, envFrom(nil), strings.NewReader("help\ncheck tunnel 90.1.1.1\nquit\n"), &out, &errb)
	if code != 0 {
		t.Fatalf("code %d stderr %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "check tunnel 90.1.1.1") || !strings.Contains(out.String(), "No device inventory") {
		t.Fatalf("out: %s", out.String())
	}
	if !strings.Contains(errb.String(), "REDIS_URL not set") {
		t.Fatalf("stderr: %s", errb.String())
	}
	t.Log(errb.String())
}

func TestRunServeRedisUnreachable(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	var out, errb bytes.Buffer
	code := runServe(context.Background(), []string{"console"}, envFrom(map[string]string{"REDIS_URL": "redis://:pw@" + addr + "/0"}), strings.NewReader("status\n"), &out, &errb)
	if code != 0 || !strings.Contains(errb.String(), "Redis unreachable at start") || strings.Contains(errb.String(), ":pw@") {
		t.Fatalf("code %d stderr %s", code, errb.String())
	}
	t.Log(errb.String())
}

func TestRunServeHTTP(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth.test" {
			fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","team":"T","user":"tunneldoc"}`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer api.Close()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- runServe(ctx, []string{"serve"}, envFrom(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api.URL, "TUNNELDOC_LISTEN": addr, "TUNNELDOC_OPS_LISTEN": "off"}), strings.NewReader(""), &out, &errb)
	}()
	var resp *http.Response
	var err error
	eventually(5*time.Second, 20*time.Millisecond, func() bool { // until serve listens
		resp, err = http.Post("http://"+addr+"/slack/events", "application/json", strings.NewReader(`{}`))
		return err == nil
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("code %d %s", code, errb.String())
	}
	t.Log(errb.String())
}

// In http mode without monitor.webhook_listen, the monitor's webhook is
// served on the Events API listener, as the README says.
func TestServeHTTPMountsMonitorWebhook(t *testing.T) {
	var mu sync.Mutex
	var posted []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		posted = append(posted, r.URL.Path+" "+r.Form.Get("channel"))
		mu.Unlock()
		switch r.URL.Path {
		case "/auth.test":
			fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","team":"T","user":"tunneldoc"}`)
		case "/chat.postMessage":
			fmt.Fprint(w, `{"ok":true,"channel":"C0ALERTS","ts":"1700000000.000100"}`)
		default:
			fmt.Fprint(w, `{"ok":true}`)
		}
	}))
	defer api.Close()
	addr := freeAddr(t, "tcp")
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api.URL, "TUNNELDOC_LISTEN": addr, "TUNNELDOC_OPS_LISTEN": "off",
		"TUNNELDOC_MONITOR_CHANNEL": "C0ALERTS", "TUNNELDOC_MONITOR_WEBHOOK_TOKEN": "hook-token",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), strings.NewReader(""), &out, &errb) }()
	post := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/monitor/alerts", strings.NewReader(`{"peer":"90.1.1.1","device":"fw-hq","status":"down"}`))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if !eventually(5*time.Second, 20*time.Millisecond, func() bool { code, _ := post("wrong"); return code != 0 }) {
		t.Fatalf("serve never listened on %s: %s", addr, errb.String())
	}
	if code, body := post("wrong"); code != http.StatusUnauthorized {
		t.Errorf("a wrong webhook token: %d %s", code, body)
	}
	if code, body := post("hook-token"); code != http.StatusOK || !strings.Contains(body, `"events":1`) {
		t.Errorf("the alert on the Events API listener: %d %s", code, body)
	}
	if !eventually(10*time.Second, 20*time.Millisecond, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(posted, "/chat.postMessage C0ALERTS")
	}) {
		t.Errorf("the alert opened no incident thread in C0ALERTS; Slack saw %v", posted)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d %s", code, errb.String())
	}
}

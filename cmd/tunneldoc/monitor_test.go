package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/monitor"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// slackCall is one Web API call the local Slack server received.
type slackCall struct {
	Method, Channel, TS, ThreadTS, Text string
}

// localSlack is a loopback Slack Web API: chat.postMessage and chat.update
// answer ok and are recorded; anything else answers ok too.
type localSlack struct {
	mu    sync.Mutex
	n     int
	calls []slackCall
}

func (s *localSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	method := strings.TrimPrefix(r.URL.Path, "/")
	c := slackCall{Method: method, Channel: r.Form.Get("channel"), TS: r.Form.Get("ts"), ThreadTS: r.Form.Get("thread_ts"), Text: r.Form.Get("text")}
	s.mu.Lock()
	if method == "chat.postMessage" {
		s.n++
		c.TS = fmt.Sprintf("1700000100.%06d", s.n)
	}
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q,"text":%q}`, c.Channel, c.TS, c.Text)
}

func (s *localSlack) snapshot() []slackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]slackCall(nil), s.calls...)
}

func (s *localSlack) posts(thread string) []slackCall {
	var out []slackCall
	for _, c := range s.snapshot() {
		if c.Method == "chat.postMessage" && c.ThreadTS == thread {
			out = append(out, c)
		}
	}
	return out
}

func (s *localSlack) dump() string {
	var b strings.Builder
	for _, c := range s.snapshot() {
		fmt.Fprintf(&b, "  %s ch=%s ts=%s thread=%s %.140q\n", c.Method, c.Channel, c.TS, c.ThreadTS, c.Text)
	}
	return b.String()
}

func (s *localSlack) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; Slack saw:\n%s", what, s.dump())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeAddr(t *testing.T, network string) string {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().String()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestMonitorEndToEnd: startMonitor from TUNNELDOC_MONITOR_* against the
// device lab (a device switched between healthy and down while it runs),
// posting through the bot's Slack messenger to a local Slack API. Down ->
// one root + one diagnosis reply; unchanged polls post nothing; up -> one
// resolution reply and the root edited; a syslog line and an Alertmanager
// webhook each open and resolve an incident.
func TestMonitorEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{{Name: "fw-spoke", Scenario: "swan-healthy"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sw, err := l.AddSwitch("fw-hq", "ios-healthy")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	slk := &localSlack{}
	api := httptest.NewServer(slk)
	defer api.Close()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	msgr := botslack.NewMessenger(botslack.NewAPI("xoxb-test", botslack.APIOptions{URL: api.URL + "/"}), clock.Real, logger)
	msgr.MinInterval = 0
	rounds := &roundLog{ch: make(chan struct{}, 1)}

	udp := freeAddr(t, "udp")
	hookAddr := freeAddr(t, "tcp")
	env := map[string]string{
		"TUNNELDOC_INVENTORY":              inv,
		"TUNNELDOC_MONITOR_CHANNEL":        "C0DEFAULT",
		"TUNNELDOC_MONITOR_CHANNELS":       "spoke-10=C0SPOKE10",
		"TUNNELDOC_MONITOR_INTERVAL":       "150ms",
		"TUNNELDOC_MONITOR_CHECK_TIMEOUT":  "20s",
		"TUNNELDOC_MONITOR_SYSLOG_UDP":     udp,
		"TUNNELDOC_MONITOR_WEBHOOK_LISTEN": hookAddr,
		"TUNNELDOC_MONITOR_WEBHOOK_TOKEN":  "hook-token",
	}
	conf, err := loadConfig("", envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	var mon *monitor.Monitor
	stop, err := startMonitor(ctx, conf.Monitor, monitorDeps{
		Messenger: msgr, Deliveries: msgr, Finder: msgr, Store: store.NewMemory(store.Options{}),
		Collector: devices.NewCollector(conf.Devices.Loaded, devices.CollectorOptions{Getenv: conf.Devices.Lookup}),
		Logger:    slog.New(rounds), Started: func(m *monitor.Monitor) { mon = m },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if mon == nil {
		t.Fatal("Started not called")
	}

	rounds.wait(t, 3) // several healthy polls of both devices
	if got := slk.snapshot(); len(got) != 0 {
		t.Fatalf("healthy tunnels posted:\n%s", slk.dump())
	}

	// fw-hq's tunnel to 40.10.1.1 (spoke-10) goes down.
	if err := sw.Set("ios-peer-unreachable"); err != nil {
		t.Fatal(err)
	}
	slk.waitFor(t, "root + diagnosis", func() bool {
		r := slk.posts("")
		return len(r) == 1 && len(slk.posts(r[0].TS)) == 1
	})
	root := slk.posts("")[0]
	if root.Channel != "C0SPOKE10" || !strings.Contains(root.Text, "Tunnel 40.10.1.1 (spoke-10) down on fw-hq — phase 1, peer unreachable") {
		t.Errorf("root %q in %s", root.Text, root.Channel)
	}
	if d := slk.posts(root.TS)[0]; !strings.Contains(d.Text, "peer_unreachable") && !strings.Contains(d.Text, "Phase 1") {
		t.Errorf("diagnosis reply: %q", d.Text)
	}
	n := len(slk.snapshot())
	rounds.wait(t, 3) // unchanged polls
	if got := slk.snapshot(); len(got) != n {
		t.Fatalf("unchanged polls posted:\n%s", slk.dump())
	}

	if err := sw.Set("ios-healthy"); err != nil {
		t.Fatal(err)
	}
	slk.waitFor(t, "resolution", func() bool { return len(slk.posts(root.TS)) == 2 })
	if r := slk.posts(root.TS)[1]; !strings.Contains(r.Text, "resolved after") {
		t.Errorf("resolution reply: %q", r.Text)
	}
	slk.waitFor(t, "root edited to resolved", func() bool {
		for _, c := range slk.snapshot() {
			if c.Method == "chat.update" && c.TS == root.TS && strings.Contains(c.Text, "resolved after") {
				return true
			}
		}
		return false
	})

	// Syslog: a peer the inventory does not poll, down then up.
	u, err := net.Dial("udp", udp)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	fmt.Fprint(u, "<189>Nov 23 20:01:02 edge-7 %CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN. Peer 198.51.100.7:500       Id: 198.51.100.7")
	slk.waitFor(t, "syslog root", func() bool { return len(slk.posts("")) == 2 })
	sysRoot := slk.posts("")[1]
	if sysRoot.Channel != "C0DEFAULT" || !strings.Contains(sysRoot.Text, "198.51.100.7") || !strings.Contains(sysRoot.Text, "edge-7") {
		t.Errorf("syslog root %q in %s", sysRoot.Text, sysRoot.Channel)
	}
	fmt.Fprint(u, "<189>Nov 23 20:03:02 edge-7 %CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP  .  Peer 198.51.100.7:500       Id: 198.51.100.7")
	slk.waitFor(t, "syslog resolution", func() bool {
		for _, c := range slk.posts(sysRoot.TS) {
			if strings.Contains(c.Text, "resolved after") {
				return true
			}
		}
		return false
	})

	// Alertmanager webhook, with the token.
	hook := func(status string) {
		body := fmt.Sprintf(`{"version":"4","status":%q,"alerts":[{"status":%q,"labels":{"alertname":"VPNDown","peer":"203.0.113.99","device":"dc-fw"},"annotations":{"summary":"VPN to DC down"}}]}`, status, status)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+hookAddr+"/monitor/alerts", bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer hook-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook %s: %d", status, resp.StatusCode)
		}
	}
	hook("firing")
	slk.waitFor(t, "webhook root", func() bool { return len(slk.posts("")) == 3 })
	hookRoot := slk.posts("")[2]
	if !strings.Contains(hookRoot.Text, "203.0.113.99") || !strings.Contains(hookRoot.Text, "dc-fw") {
		t.Errorf("webhook root %q", hookRoot.Text)
	}
	hook("resolved")
	slk.waitFor(t, "webhook resolution", func() bool {
		for _, c := range slk.posts(hookRoot.TS) {
			if strings.Contains(c.Text, "resolved after") {
				return true
			}
		}
		return false
	})
	if got := slk.posts(""); len(got) != 3 {
		t.Errorf("want 3 incidents in all, Slack saw:\n%s", slk.dump())
	}
}

// The monitor section from the environment alone: what the loader reads
// is what startMonitor is given.
func TestMonitorSectionFromEnvironment(t *testing.T) {
	env := map[string]string{
		"TUNNELDOC_MONITOR_CHANNEL":       "C0001",
		"TUNNELDOC_MONITOR_CHANNELS":      "spoke-10=C0002, 90.1.1.1|fw-hq=C0003",
		"TUNNELDOC_MONITOR_INTERVAL":      "30s",
		"TUNNELDOC_MONITOR_FLAP_WINDOW":   "15m",
		"TUNNELDOC_MONITOR_FLAP_COUNT":    "6",
		"TUNNELDOC_MONITOR_REOPEN_WINDOW": "1h",
		"TUNNELDOC_MONITOR_SYSLOG_ALLOW":  "10.0.0.0/8, 192.0.2.1",
	}
	c, err := loadConfig("", envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Monitor
	if !m.On() || m.Interval != 30*time.Second || m.FlapWindow != 15*time.Minute || m.FlapCount != 6 ||
		m.ReopenWindow != time.Hour || m.Channels["90.1.1.1|fw-hq"] != "C0003" || m.Channels["spoke-10"] != "C0002" || m.DefaultChannel != "C0001" {
		t.Errorf("parsed %+v", m)
	}
	if len(m.SyslogAllow) != 2 || m.SyslogAllow[1].String() != "192.0.2.1/32" {
		t.Errorf("syslog allow: %v", m.SyslogAllow)
	}
	bad := map[string]string{
		"TUNNELDOC_MONITOR":              "on",
		"TUNNELDOC_MONITOR_INTERVAL":     "soon",
		"TUNNELDOC_MONITOR_FLAP_COUNT":   "1",
		"TUNNELDOC_MONITOR_CHANNELS":     "nochannel",
		"TUNNELDOC_MONITOR_SYSLOG_UDP":   "5514",
		"TUNNELDOC_MONITOR_WEBHOOK_PATH": "alerts",
		"TUNNELDOC_MONITOR_SYSLOG_ALLOW": "somewhere",
	}
	_, err = loadConfig("", envOf(bad))
	for _, want := range []string{"TUNNELDOC_MONITOR_INTERVAL", "TUNNELDOC_MONITOR_FLAP_COUNT", "TUNNELDOC_MONITOR_CHANNELS", "TUNNELDOC_MONITOR_SYSLOG_UDP", "TUNNELDOC_MONITOR_WEBHOOK_PATH", "TUNNELDOC_MONITOR_SYSLOG_ALLOW", "nowhere to post"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	off, err := loadConfig("", envOf(nil))
	if err != nil || off.Monitor.On() {
		t.Errorf("empty environment must leave the monitor off: %+v %v", off.Monitor, err)
	}
}

// roundLog counts the monitor's "monitor round" log lines, so the test
// waits for polls to have happened instead of sleeping.
type roundLog struct {
	mu sync.Mutex
	n  int
	ch chan struct{}
}

func (r *roundLog) Enabled(context.Context, slog.Level) bool { return true }
func (r *roundLog) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message == "monitor round" {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
		select {
		case r.ch <- struct{}{}:
		default:
		}
	}
	return nil
}
func (r *roundLog) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *roundLog) WithGroup(string) slog.Handler      { return r }

func (r *roundLog) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// wait returns once n more rounds have been logged (bounded).
func (r *roundLog) wait(t *testing.T, n int) {
	t.Helper()
	want := r.count() + n
	deadline := time.After(30 * time.Second)
	for r.count() < want {
		select {
		case <-r.ch:
		case <-deadline:
			t.Fatalf("waited for %d monitor rounds; only %d came", n, n-(want-r.count()))
		}
	}
}

package ops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/ops"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// get fetches path from the handler served on a loopback port.
func get(t *testing.T, base, path string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// sample finds one series (name{labels} exactly as the text format prints
// it, labels sorted) in a scrape.
func sample(t *testing.T, scrape, series string) (float64, bool) {
	t.Helper()
	for _, line := range strings.Split(scrape, "\n") {
		rest, ok := strings.CutPrefix(line, series+" ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
		if err != nil {
			t.Fatalf("series %s: bad value in %q", series, line)
		}
		return v, true
	}
	return 0, false
}

func wantSample(t *testing.T, scrape, series string, want float64) {
	t.Helper()
	got, ok := sample(t, scrape, series)
	if !ok {
		t.Errorf("scrape has no %s", series)
		return
	}
	if got != want {
		t.Errorf("%s = %v, want %v", series, got, want)
	}
}

func serve(t *testing.T, o ops.Options) (*ops.Handler, string) {
	t.Helper()
	h := ops.NewHandler(o)
	srv := httptest.NewServer(h) // 127.0.0.1, random port
	t.Cleanup(srv.Close)
	return h, srv.URL
}

func TestMetricsMoveAfterDiagnosis(t *testing.T) {
	m := ops.NewMetrics()
	_, base := serve(t, ops.Options{Metrics: m})

	code, before := get(t, base, ops.PathMetrics)
	if code != http.StatusOK {
		t.Fatalf("/metrics status %d", code)
	}
	paste, err := os.ReadFile("../../diagnose/testdata/cases/ike_proposal_mismatch/seed000-asa-all-sa-proposals-unacceptable.txt")
	if err != nil {
		t.Fatal(err)
	}
	r := diagnose.Diagnose(string(paste), diagnose.Options{})
	if r.Cause == "" || r.Phase == "" {
		t.Fatalf("engine gave no phase/cause: %+v", r)
	}
	series := `tunneldoc_diagnoses_total{cause="` + r.Cause + `",phase="` + r.Phase + `"}`
	if v, ok := sample(t, before, series); ok && v != 0 {
		t.Fatalf("%s already %v before any diagnosis", series, v)
	}

	m.Diagnosis(r.Phase, r.Cause)
	m.Diagnosis(r.Phase, r.Cause)
	m.ObserveCheck(1500*time.Millisecond, ops.CheckOK)
	m.ObserveCheck(40*time.Second, ops.CheckError)
	m.SSHError("auth failed")
	m.SlackCall("chat.postMessage", false)
	m.SlackCall("chat.update", true)
	m.SetOpenIncidents(3)
	m.ObserveMonitorSweep(700 * time.Millisecond)
	m.RedisError("Update")

	_, after := get(t, base, ops.PathMetrics)
	wantSample(t, after, series, 2)
	wantSample(t, after, `tunneldoc_check_duration_seconds_count{outcome="ok"}`, 1)
	wantSample(t, after, `tunneldoc_check_duration_seconds_bucket{outcome="ok",le="2"}`, 1)
	wantSample(t, after, `tunneldoc_check_duration_seconds_bucket{outcome="ok",le="1"}`, 0)
	wantSample(t, after, `tunneldoc_check_duration_seconds_sum{outcome="error"}`, 40)
	wantSample(t, after, `tunneldoc_ssh_errors_total{kind="auth failed"}`, 1)
	wantSample(t, after, `tunneldoc_slack_api_calls_total{method="chat.postMessage"}`, 1)
	wantSample(t, after, `tunneldoc_slack_api_calls_total{method="chat.update"}`, 1)
	wantSample(t, after, `tunneldoc_slack_api_errors_total{method="chat.update"}`, 1)
	wantSample(t, after, `tunneldoc_open_incidents`, 3)
	wantSample(t, after, `tunneldoc_monitor_sweep_duration_seconds_count`, 1)
	wantSample(t, after, `tunneldoc_redis_errors_total{op="Update"}`, 1)
	if !strings.Contains(after, "go_goroutines") || !strings.Contains(after, "tunneldoc_build_info{") {
		t.Error("scrape lacks the Go runtime or build info metrics")
	}
}

func TestLabelValuesAreBounded(t *testing.T) {
	m := ops.NewMetrics()
	_, base := serve(t, ops.Options{Metrics: m})
	m.SSHError("dial tcp 10.0.0.1:22: connect: connection refused\nand more")
	m.SSHError("")
	m.Diagnosis("", "")
	_, s := get(t, base, ops.PathMetrics)
	wantSample(t, s, `tunneldoc_ssh_errors_total{kind="other"}`, 2)
	wantSample(t, s, `tunneldoc_diagnoses_total{cause="none",phase="none"}`, 1)
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *ops.Metrics
	m.Diagnosis("phase1", "x")
	m.ObserveCheck(time.Second, ops.CheckOK)
	m.SSHError("timeout")
	m.SlackCall("chat.postMessage", true)
	m.SetOpenIncidents(1)
	m.ObserveMonitorSweep(time.Second)
	m.RedisError("Get")
	_, base := serve(t, ops.Options{})
	if code, _ := get(t, base, ops.PathMetrics); code != http.StatusNotFound {
		t.Errorf("/metrics without metrics: status %d, want 404", code)
	}
	if code, body := get(t, base, ops.PathHealth); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := get(t, base, ops.PathReady); code != http.StatusOK || !strings.Contains(body, "redis: ok (not configured") || !strings.Contains(body, "slack: ok (not configured)") {
		t.Errorf("/readyz with nothing configured: %d %q", code, body)
	}
}

func TestReadyzFollowsRedis(t *testing.T) {
	srv := redistest.Start(t)
	st, err := redisstore.OpenURL(srv.URL(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m := ops.NewMetrics()
	st.CountErrors(m.RedisError)
	_, base := serve(t, ops.Options{Metrics: m, Redis: st, Slack: func() (bool, string) { return true, "" }, ReadyTimeout: time.Second})

	if code, body := get(t, base, ops.PathReady); code != http.StatusOK || !strings.Contains(body, "redis: ok (reachable)") {
		t.Fatalf("/readyz with Redis up: %d %q", code, body)
	}

	srv.Stop()
	code, body := get(t, base, ops.PathReady)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "redis: FAIL") {
		t.Fatalf("/readyz with Redis stopped: %d %q, want 503 naming redis", code, body)
	}
	if strings.Contains(body, "slack: FAIL") {
		t.Errorf("slack reported failing while connected: %q", body)
	}
	if code, _ := get(t, base, ops.PathHealth); code != http.StatusOK {
		t.Errorf("/healthz must stay 200 while Redis is down, got %d", code)
	}
	// The store counts the failed ping when it ends, which may be just
	// after /readyz answered.
	var scrape string
	if !eventually(5*time.Second, 50*time.Millisecond, func() bool {
		_, scrape = get(t, base, ops.PathMetrics)
		v, _ := sample(t, scrape, `tunneldoc_redis_errors_total{op="Ping"}`)
		return v >= 1
	}) {
		t.Errorf("redis ping failure not counted:\n%s", scrape)
	}
	if v, _ := sample(t, scrape, `tunneldoc_readiness_failures_total{reason="redis"}`); v < 1 {
		t.Errorf("readiness failure not counted: %v", v)
	}

	srv.Restart() // same port and dir; go-redis redials on the next command
	var last string
	if !eventually(5*time.Second, 50*time.Millisecond, func() bool {
		code, body := get(t, base, ops.PathReady)
		last = body
		return code == http.StatusOK
	}) {
		t.Fatalf("/readyz still failing after Redis came back: %q", last)
	}
}

func TestReadyzSlackAndDraining(t *testing.T) {
	connected := false
	h, base := serve(t, ops.Options{Slack: func() (bool, string) { return connected, "" }})
	if code, body := get(t, base, ops.PathReady); code != http.StatusServiceUnavailable || !strings.Contains(body, "slack: FAIL (not connected)") {
		t.Fatalf("/readyz with Slack down: %d %q", code, body)
	}
	connected = true
	if code, body := get(t, base, ops.PathReady); code != http.StatusOK || !strings.Contains(body, "slack: ok (connected)") {
		t.Fatalf("/readyz with Slack up: %d %q", code, body)
	}
	h.Drain()
	if code, body := get(t, base, ops.PathReady); code != http.StatusServiceUnavailable || !strings.Contains(body, "draining") {
		t.Fatalf("/readyz while draining: %d %q", code, body)
	}
	if code, _ := get(t, base, ops.PathHealth); code != http.StatusOK {
		t.Errorf("/healthz while draining: %d, want 200", code)
	}
}

func TestSlackTransportCountsByMethod(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/chat.postMessage":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"ok":true,"ts":"1.2","message":{"text":"`+strings.Repeat("x", 2000)+`"}}`)
		case "/api/chat.update":
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"ok":false,"error":"message_not_found"}`)
		case "/api/conversations.replies":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			io.WriteString(w, "OK - 12")
		}
	}))
	defer api.Close()
	m := ops.NewMetrics()
	c := &http.Client{Transport: ops.SlackTransport(m, nil), Timeout: 5 * time.Second}
	for _, p := range []string{"/api/chat.postMessage", "/api/chat.update", "/api/conversations.replies", "/upload/v1/abc"} {
		resp, err := c.Post(api.URL+p, "application/x-www-form-urlencoded", strings.NewReader("a=b"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if p == "/api/chat.postMessage" {
			var v struct {
				OK      bool `json:"ok"`
				Message struct{ Text string }
			}
			if err := json.Unmarshal(body, &v); err != nil || !v.OK || len(v.Message.Text) != 2000 {
				t.Errorf("the transport changed the body the caller reads: %v %d", err, len(v.Message.Text))
			}
		}
	}
	_, base := serve(t, ops.Options{Metrics: m})
	_, s := get(t, base, ops.PathMetrics)
	wantSample(t, s, `tunneldoc_slack_api_calls_total{method="chat.postMessage"}`, 1)
	if _, ok := sample(t, s, `tunneldoc_slack_api_errors_total{method="chat.postMessage"}`); ok {
		t.Error("a successful postMessage was counted as an error")
	}
	wantSample(t, s, `tunneldoc_slack_api_errors_total{method="chat.update"}`, 1)
	wantSample(t, s, `tunneldoc_slack_api_errors_total{method="conversations.replies"}`, 1)
	wantSample(t, s, `tunneldoc_slack_api_calls_total{method="upload"}`, 1)
}

func TestJSONLogCarriesIDsAndHidesSecrets(t *testing.T) {
	var buf bytes.Buffer
	log, err := ops.NewLogger(&buf, ops.LogJSON, slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ops.WithIncidentID(ops.WithRequestID(context.Background(), "req-1"), "inc-2")
	log.With("component", "bot").InfoContext(ctx, "answered", "bot_token", "xoxb-123-secret", "bot_token_env", "SLACK_BOT_TOKEN")
	log.Debug("hidden")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not one JSON object per line: %v\n%s", err, buf.String())
	}
	for k, want := range map[string]string{"msg": "answered", "request_id": "req-1", "incident_id": "inc-2", "component": "bot", "bot_token": "<redacted>", "bot_token_env": "SLACK_BOT_TOKEN", "level": "INFO"} {
		if rec[k] != want {
			t.Errorf("%s = %v, want %q", k, rec[k], want)
		}
	}
	if strings.Contains(buf.String(), "xoxb") || strings.Contains(buf.String(), "hidden") {
		t.Errorf("log leaked a token or a debug line: %s", buf.String())
	}
	if _, err := ops.NewLogger(&buf, "xml", slog.LevelInfo); err == nil {
		t.Error("log format xml accepted")
	}
	if id := ops.NewRequestID(); !strings.HasPrefix(id, "req-") || len(id) != 16 || id == ops.NewRequestID() {
		t.Errorf("request id %q", id)
	}
}

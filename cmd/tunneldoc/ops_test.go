package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/ops"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/devices"
)

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func metricValue(scrape, series string) (float64, bool) {
	for _, line := range strings.Split(scrape, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
			return v, err == nil
		}
	}
	return 0, false
}

func startOpsForTest(t *testing.T, deps opsDeps) (*opsServer, string) {
	t.Helper()
	s, err := startOps(context.Background(), "127.0.0.1:0", deps, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Stop(ctx)
	})
	return s, "http://" + s.Addr()
}

// A diagnosis made by the real bot (console transport, real engine) moves
// the counters /metrics shows.
func TestOpsMetricsAfterBotDiagnosis(t *testing.T) {
	m := ops.NewMetrics()
	st := store.NewMemory(store.Options{})
	_, base := startOpsForTest(t, opsDeps{Metrics: m, Store: st, GaugeEvery: 20 * time.Millisecond})

	paste, err := os.ReadFile("../../diagnose/testdata/cases/ike_proposal_mismatch/seed000-asa-all-sa-proposals-unacceptable.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	b, err := bot.New(bot.Config{
		Store: st, Messenger: bot.NewConsoleMessenger(&out), Clock: clock.Real,
		Diagnose: instrumentDiagnose(m, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	in := "diagnose\n" + string(paste) + "\n.\n"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := bot.RunConsole(ctx, b, strings.NewReader(in), &out, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ike_proposal_mismatch") {
		t.Fatalf("the bot did not answer with the diagnosis:\n%s", out.String())
	}

	series := `tunneldoc_diagnoses_total{cause="ike_proposal_mismatch",phase="phase1"}`
	var scrape string
	eventually(5*time.Second, 20*time.Millisecond, func() bool { // the gauge refresher runs every 20 ms
		_, scrape = httpGet(t, base+ops.PathMetrics)
		v, _ := metricValue(scrape, "tunneldoc_open_incidents")
		return v >= 1
	})
	if v, ok := metricValue(scrape, series); !ok || v != 1 {
		t.Errorf("%s = %v (present %v), want 1\n", series, v, ok)
	}
	if v, _ := metricValue(scrape, "tunneldoc_open_incidents"); v != 1 {
		t.Errorf("tunneldoc_open_incidents = %v, want 1 (the diagnosis opened an incident)", v)
	}
}

type fakeChecker struct{ err error }

func (f fakeChecker) CheckTunnel(ctx context.Context, peer, device string) (bot.CheckResult, error) {
	if f.err != nil {
		return bot.CheckResult{}, f.err
	}
	return bot.CheckResult{Device: "fw-hq", Transcript: "fw-hq# show crypto isakmp sa\n"}, nil
}

func TestInstrumentChecker(t *testing.T) {
	m := ops.NewMetrics()
	_, base := startOpsForTest(t, opsDeps{Metrics: m})
	ctx := context.Background()
	cases := []error{
		nil,
		&devices.Error{Kind: devices.AuthFailed, Msg: "login refused"},
		fmt.Errorf("check: %w", &devices.Error{Kind: devices.HostKeyChanged, Msg: "changed"}),
		&devices.Error{Kind: devices.UnknownPeer, Msg: "no device terminates 1.2.3.4"},
		&devices.Error{Kind: devices.Canceled, Msg: "stopped"},
		errors.New("something without a kind"),
	}
	for _, e := range cases {
		_, _ = instrumentChecker(fakeChecker{err: e}, m).CheckTunnel(ctx, "90.1.1.1", "")
	}
	_, s := httpGet(t, base+ops.PathMetrics)
	for series, want := range map[string]float64{
		`tunneldoc_check_duration_seconds_count{outcome="ok"}`:          1,
		`tunneldoc_check_duration_seconds_count{outcome="error"}`:       3,
		`tunneldoc_check_duration_seconds_count{outcome="interrupted"}`: 1,
		`tunneldoc_ssh_errors_total{kind="auth failed"}`:                1,
		`tunneldoc_ssh_errors_total{kind="host key changed"}`:           1,
		`tunneldoc_ssh_errors_total{kind="other"}`:                      1,
	} {
		if v, _ := metricValue(s, series); v != want {
			t.Errorf("%s = %v, want %v", series, v, want)
		}
	}
	if strings.Contains(s, "unknown peer") {
		t.Error("an inventory refusal was counted as an SSH error")
	}
	if instrumentChecker(nil, m) != nil {
		t.Error("a nil checker must stay nil (the bot tells the user how to configure one)")
	}
}

// The wiring serve will use: the Redis store, instrumented, behind
// /readyz; failures counted by store method; draining on SIGTERM.
func TestOpsReadyzWithRedisStore(t *testing.T) {
	rs := redistest.Start(t)
	rdb, m := openCountedStore(t, rs)
	var st store.Store = rdb
	link := botslack.NewConnection()
	link.Set(true, "")
	srv, base := startOpsForTest(t, opsDeps{Metrics: m, Redis: redisPinger(st), Store: st, Slack: link.State, ReadyTimeout: time.Second})

	if code, body := httpGet(t, base+ops.PathReady); code != 200 {
		t.Fatalf("/readyz with Redis up: %d %s", code, body)
	}
	if _, err := st.Get(context.Background(), "inc-nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get of a missing incident: %v", err)
	}

	rs.Stop()
	if code, body := httpGet(t, base+ops.PathReady); code != 503 || !strings.Contains(body, "redis: FAIL") {
		t.Fatalf("/readyz with Redis stopped: %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	_, err := st.ListOpen(ctx)
	cancel()
	if err == nil {
		t.Fatal("ListOpen worked with Redis stopped")
	}
	_, s := httpGet(t, base+ops.PathMetrics)
	if v, _ := metricValue(s, `tunneldoc_redis_errors_total{op="ListOpen"}`); v < 1 {
		t.Errorf("ListOpen failure not counted:\n%s", grepLines(s, "tunneldoc_redis"))
	}
	if _, found := metricValue(s, `tunneldoc_redis_errors_total{op="Get"}`); found {
		t.Error("a not-found Get was counted as a Redis error")
	}

	rs.Restart()
	if !eventually(5*time.Second, 50*time.Millisecond, func() bool {
		code, _ := httpGet(t, base+ops.PathReady)
		return code == 200
	}) {
		t.Fatal("/readyz did not recover after Redis came back")
	}

	link.Set(false, "socket mode connecting")
	if code, body := httpGet(t, base+ops.PathReady); code != 503 || !strings.Contains(body, "slack: FAIL") {
		t.Errorf("/readyz with Slack down: %d %s", code, body)
	}
	link.Set(true, "")
	srv.Drain()
	if code, body := httpGet(t, base+ops.PathReady); code != 503 || !strings.Contains(body, "draining") {
		t.Errorf("/readyz after Drain: %d %s", code, body)
	}
	if code, _ := httpGet(t, base+ops.PathHealth); code != 200 {
		t.Errorf("/healthz after Drain: %d", code)
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	if err := srv.Stop(sctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
	if c, err := net.DialTimeout("tcp", srv.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("the operations port still accepts connections after Stop")
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestStartOpsPortTaken(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := startOps(context.Background(), l.Addr().String(), opsDeps{}, nil); err == nil || !strings.Contains(err.Error(), "operations endpoint") {
		t.Errorf("a taken port must fail at start, got %v", err)
	}
}

func TestConfigLogger(t *testing.T) {
	c := defaultConfig()
	c.Slack.Mode = modeSocketMode
	var buf strings.Builder
	log, err := configLogger(c, &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.InfoContext(ops.WithRequestID(context.Background(), "req-9"), "hello", "signing_secret", "abc")
	if !strings.HasPrefix(buf.String(), "{") || !strings.Contains(buf.String(), `"request_id":"req-9"`) || strings.Contains(buf.String(), "abc") {
		t.Errorf("socketmode logs JSON with IDs and no secrets: %s", buf.String())
	}
	c.Slack.Mode = modeConsole
	buf.Reset()
	log, _ = configLogger(c, &buf)
	log.Info("hello")
	if !strings.HasPrefix(buf.String(), "time=") {
		t.Errorf("the console logs text: %s", buf.String())
	}
}

// openCountedStore opens the Redis store on rs, its failures counted in
// the metrics it returns, as serve wires it.
func openCountedStore(t *testing.T, rs *redistest.Server) (*redisstore.Store, *ops.Metrics) {
	t.Helper()
	rdb, err := redisstore.OpenURL(rs.URL(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	m := ops.NewMetrics()
	countRedisErrors(rdb, m)
	return rdb, m
}

// A frozen Redis makes /readyz answer 503 within ops.ready_timeout, not
// after the Redis client's own read timeout.
func TestOpsReadyzBoundedWhenRedisFrozen(t *testing.T) {
	rs := redistest.Start(t)
	rdb, m := openCountedStore(t, rs)
	const readyTimeout = 200 * time.Millisecond
	_, base := startOpsForTest(t, opsDeps{Metrics: m, Redis: redisPinger(rdb), ReadyTimeout: readyTimeout})
	if code, body := httpGet(t, base+ops.PathReady); code != 200 {
		t.Fatalf("/readyz with Redis up: %d %s", code, body)
	}

	rs.Freeze()
	for i := 0; i < 3; i++ {
		start := time.Now()
		code, body := httpGet(t, base+ops.PathReady)
		took := time.Since(start)
		if code != 503 || !strings.Contains(body, "redis: FAIL") {
			t.Errorf("/readyz with Redis frozen: %d %s", code, body)
		}
		// ready_timeout plus the time to write an answer; the Redis
		// client's own read timeout is 3s.
		if took > readyTimeout+time.Second {
			t.Errorf("/readyz with Redis frozen took %s; ops.ready_timeout is %s", took, readyTimeout)
		}
	}

	rs.Thaw()
	if !eventually(10*time.Second, 50*time.Millisecond, func() bool {
		code, _ := httpGet(t, base+ops.PathReady)
		return code == 200
	}) {
		t.Fatal("/readyz did not recover after Redis was resumed")
	}
}

// A full Redis (maxmemory, noeviction) is counted apart on /metrics, and
// /readyz still answers ready: it reads, and a full Redis answers PING.
func TestOpsCountsRedisFull(t *testing.T) {
	rs := redistest.StartWith(t, "--maxmemory", "1", "--maxmemory-policy", "noeviction")
	rdb, m := openCountedStore(t, rs)
	_, base := startOpsForTest(t, opsDeps{Metrics: m, Redis: redisPinger(rdb), Store: rdb, ReadyTimeout: time.Second})
	for i := range 20 {
		if _, err := rdb.FirstDelivery(context.Background(), fmt.Sprintf("EvOpsFull%d", i), time.Minute); !errors.Is(err, store.ErrFull) {
			t.Fatalf("write %d on a full Redis: %v", i, err)
		}
	}
	_, s := httpGet(t, base+ops.PathMetrics)
	if v, _ := metricValue(s, `tunneldoc_redis_full_total{op="FirstDelivery"}`); v != 20 {
		t.Errorf("full refusals counted %v; want 20:\n%s", v, grepLines(s, "tunneldoc_redis"))
	}
	if code, body := httpGet(t, base+ops.PathReady); code != 200 {
		t.Errorf("/readyz on a full Redis: %d %s", code, body)
	}
}

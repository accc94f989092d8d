package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
)

// `tunneldoc status --json` lists the open incidents of the configured
// Redis with peer, phase, cause, channel, thread and incident id; resolved
// ones are left out.
func TestStatusJSONFromRedis(t *testing.T) {
	rs := redistest.Start(t)
	rdb, _ := openCountedStore(t, rs)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	open := func(in store.Incident) store.Incident {
		t.Helper()
		inc, created, err := rdb.Open(ctx, in)
		if err != nil || !created {
			t.Fatalf("opening %s: created %v, %v", in.Tunnel, created, err)
		}
		return inc
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	one := open(store.Incident{Tunnel: "40.10.1.1|fw-hq", Peer: "40.10.1.1", Device: "fw-hq", Channel: "C0NETOPS", ThreadTS: "1700000000.000100", Status: store.StatusOpen,
		FirstSeen: at, LastSeen: at, Diagnoses: []store.Diagnosis{{Phase: "phase1", Cause: "ike_proposal_mismatch", Source: store.SourceCheck, At: at}}})
	two := open(store.Incident{Tunnel: "90.1.1.1", Peer: "90.1.1.1", Channel: "D0DIRECT", ThreadTS: "1700000001.000200", Status: store.StatusOpen,
		FirstSeen: at, LastSeen: at.Add(time.Minute), Diagnoses: []store.Diagnosis{{Phase: "data_plane", Cause: "one_way_inbound", Source: store.SourcePaste, At: at}}})
	gone := open(store.Incident{Tunnel: "10.9.9.9", Peer: "10.9.9.9", Channel: "C0NETOPS", ThreadTS: "1700000002.000300", Status: store.StatusOpen, FirstSeen: at, LastSeen: at})
	if _, err := rdb.Update(ctx, gone.ID, func(in *store.Incident) { in.Status = store.StatusResolved }); err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	code := run(ctx, []string{"status", "--json"}, envOf(map[string]string{"REDIS_URL": rs.URL()}), strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("status --json: exit %d\n%s", code, errb.String())
	}
	var rep statusReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if !strings.HasPrefix(rep.Store, "redis://127.0.0.1:") {
		t.Errorf("store %q", rep.Store)
	}
	byID := map[string]statusIncident{}
	for _, s := range rep.Open {
		byID[s.ID] = s
	}
	if len(rep.Open) != 2 || byID[gone.ID].ID != "" {
		t.Fatalf("want the two open incidents, got:\n%s", out.String())
	}
	for _, want := range []statusIncident{
		{ID: one.ID, Peer: "40.10.1.1", Device: "fw-hq", Status: "open", Phase: "phase1", Cause: "ike_proposal_mismatch", Channel: "C0NETOPS", Thread: "1700000000.000100"},
		{ID: two.ID, Peer: "90.1.1.1", Status: "open", Phase: "data_plane", Cause: "one_way_inbound", Channel: "D0DIRECT", Thread: "1700000001.000200"},
	} {
		got := byID[want.ID]
		if got.Peer != want.Peer || got.Device != want.Device || got.Status != want.Status || got.Phase != want.Phase ||
			got.Cause != want.Cause || got.Channel != want.Channel || got.Thread != want.Thread || want.ID == "" {
			t.Errorf("incident %s:\n got %+v\nwant %+v", want.ID, got, want)
		}
	}

	// From a shell that has REDIS_URL but not the bot's tokens: the
	// problems outside the redis section are a note, not a refusal.
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, []byte("slack:\n  mode: socketmode\nredis:\n  required: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code = run(ctx, []string{"status", "--json", "--config", cfgPath}, envOf(map[string]string{"REDIS_URL": rs.URL()}), strings.NewReader(""), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), one.ID) || !strings.Contains(errb.String(), "problems outside the redis section") {
		t.Errorf("status with the bot's tokens unset: exit %d\n%s%s", code, out.String(), errb.String())
	}

	// The same incidents as text, one line each.
	out.Reset()
	if code := run(ctx, []string{"status"}, envOf(map[string]string{"REDIS_URL": rs.URL()}), strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("status: exit %d\n%s", code, errb.String())
	}
	for _, want := range []string{"2 open incident(s)", one.ID, "ike_proposal_mismatch", two.ID, "D0DIRECT"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, out.String())
		}
	}
}

// With no Redis configured the incidents are in a running bot's memory:
// status says so and fails instead of printing an empty list.
func TestStatusWithoutRedisSaysSo(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"status", "--json"}, envOf(nil), strings.NewReader(""), &out, &errb)
	if code != 1 || out.Len() != 0 || !strings.Contains(errb.String(), "no Redis is configured ($REDIS_URL is not set)") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out.String(), errb.String())
	}
}

// Every command run dispatches is in --help, serve and status among them.
func TestHelpListsEveryCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, envOf(nil), strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for name := range commands {
		if strings.HasPrefix(name, "-") {
			continue
		}
		if !strings.Contains(out.String(), "\n  tunneldoc "+name) {
			t.Errorf("--help does not list %q:\n%s", name, out.String())
		}
	}
	if !strings.Contains(out.String(), "tunneldoc serve") {
		t.Error("--help does not list serve")
	}
}

// The incidents section of the file reaches the store Main opens: an
// incident a console paste opened in Redis lives incidents.open_ttl.
func TestConfigFileLifetimesReachTheStore(t *testing.T) {
	rs := redistest.Start(t)
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, []byte("incidents:\n  open_ttl: 2h\n  resolved_ttl: 1h\nops:\n  listen: \"off\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	paste, err := os.ReadFile("../../diagnose/testdata/cases/ike_proposal_mismatch/seed000-asa-all-sa-proposals-unacceptable.txt")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	env := envOf(map[string]string{"REDIS_URL": rs.URL(), "TUNNELDOC_CONFIG": cfgPath})
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"console"}, env, strings.NewReader("diagnose\n"+string(paste)+"\n.\nquit\n"), &out, &errb); code != 0 {
		t.Fatalf("console: exit %d\n%s", code, errb.String())
	}
	out.Reset()
	if code := run(ctx, []string{"status", "--json"}, env, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("status: exit %d\n%s", code, errb.String())
	}
	var rep statusReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || len(rep.Open) != 1 {
		t.Fatalf("want one open incident: %v\n%s", err, out.String())
	}
	ttl := redisPTTL(t, rs, "tunneldoc:incident:"+rep.Open[0].ID)
	if ttl <= time.Hour || ttl > 2*time.Hour {
		t.Errorf("the open incident lives %s in Redis; incidents.open_ttl is 2h", ttl)
	}
}

// redisPTTL asks the server itself how long key lives (RESP, no client).
func redisPTTL(t *testing.T, rs *redistest.Server, key string) time.Duration {
	t.Helper()
	v, err := rs.Do("PTTL", key)
	if err != nil {
		t.Fatalf("PTTL %s: %v", key, err)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms < 0 {
		t.Fatalf("PTTL %s: %q (no such key or no TTL)", key, v)
	}
	return time.Duration(ms) * time.Millisecond
}

// TestFlagOnlyCommandsRefuseStrayArguments: serve, status and config check
// take flags only; a word after them is refused (exit 2) and named.
func TestFlagOnlyCommandsRefuseStrayArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--console", "extra"}, `tunneldoc serve: unexpected argument "extra"`},
		{[]string{"status", "--json", "extra"}, `tunneldoc status: unexpected argument "extra"`},
		{[]string{"config", "check", "extra"}, `tunneldoc config check: unexpected argument "extra"`},
	} {
		var stdout, stderr strings.Builder
		code := run(context.Background(), tc.args, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}

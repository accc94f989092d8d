package main

// Monitor mode (-monitor): the tunnel monitor of a real `tunneldoc serve`
// polling lab hubs (devices/lab Hub: one IOS device with many tunnels),
// measured per round, and the monitor's fault runs (-monitor-fault).

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tunneldoc/tunneldoc/devices/lab"
)

type monOptions struct {
	on        bool
	tunnels   string
	perDevice int
	interval  time.Duration
	rounds    int
	fault     string
	replicas  int
	down      int
	outage    time.Duration
	timeout   time.Duration
}

var mon monOptions

func init() {
	flag.BoolVar(&mon.on, "monitor", false, "monitor mode: `tunneldoc serve` with the tunnel monitor polling lab hubs; prints a table per size (-tunnels)")
	flag.StringVar(&mon.tunnels, "tunnels", "500,1000,2000", "monitor mode: tunnel counts to measure, comma separated (one bot, Redis and lab per count)")
	flag.IntVar(&mon.perDevice, "tunnels-per-device", 10, "monitor mode: tunnels per lab hub")
	flag.DurationVar(&mon.interval, "interval", 30*time.Second, "monitor mode: TUNNELDOC_MONITOR_INTERVAL")
	flag.IntVar(&mon.rounds, "rounds", 3, "monitor mode: steady rounds to measure after the first (cold) round")
	flag.StringVar(&mon.fault, "monitor-fault", "", "monitor fault run: \"redis\" (Redis SIGKILLed and restarted while tunnels go down and up) or \"replica\" (-replicas bots share Redis; the one holding the device leases is SIGKILLed mid-poll, twice)")
	flag.IntVar(&mon.replicas, "replicas", 3, "monitor fault run \"replica\": bot processes")
	flag.IntVar(&mon.down, "down", 8, "monitor fault runs: tunnels taken down (and up) in each of the two groups")
	flag.DurationVar(&mon.outage, "outage", 4*time.Second, "monitor fault run \"redis\": how long Redis stays down each time")
	flag.DurationVar(&mon.timeout, "monitor-timeout", 3*time.Minute, "monitor fault runs: give up waiting for a phase after this long")
}

// monitorMain runs monitor mode and returns the exit code.
func monitorMain(o options) int {
	if o.bin == "" || mon.perDevice <= 0 || mon.interval <= 0 {
		flag.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch mon.fault {
	case "":
		err = monitorScale(ctx, o)
	case "redis", "replica":
		err = monitorFault(ctx, o, mon.fault)
	default:
		err = fmt.Errorf("-monitor-fault %q: want redis or replica", mon.fault)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "tunneldoc-load: %v\n", err)
		return 1
	}
	return 0
}

// monEnv is one run's Redis, fake Slack, lab and inventory.
type monEnv struct {
	work  string
	rs    *redisServer
	rdb   *redis.Client
	slack *monSlack
	lab   *lab.Lab
	hubs  []*lab.Hub
	inv   string
	chans string // TUNNELDOC_MONITOR_CHANNELS: one channel per hub
}

func (e *monEnv) close() {
	if e.lab != nil {
		e.lab.Close()
	}
	if e.slack != nil {
		e.slack.srv.Close()
	}
	if e.rdb != nil {
		e.rdb.Close()
	}
	if e.rs != nil {
		e.rs.stop()
	}
}

func hubPeer(dev, t int) string { return fmt.Sprintf("50.%d.%d.%d", dev/250, dev%250, t+1) }

func startMonEnv(ctx context.Context, o options, tunnels, perDevice int, aof bool) (*monEnv, error) {
	e := &monEnv{}
	work, err := os.MkdirTemp("", "tunneldoc-load-monitor-")
	if err != nil {
		return nil, err
	}
	e.work = work
	if e.rs, err = startRedis(ctx, work, aof); err != nil {
		return nil, err
	}
	if e.rdb, err = redisClient(e.rs.url()); err != nil {
		e.close()
		return nil, err
	}
	e.slack = newMonSlack()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// lab.Start needs one ordinary device; it is not in the inventory.
	if e.lab, err = lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{{Name: "unused", Scenario: "ios-healthy"}}, Logger: quiet}); err != nil {
		e.close()
		return nil, fmt.Errorf("start lab: %w", err)
	}
	devs := (tunnels + perDevice - 1) / perDevice
	var chans []string
	for d := range devs {
		n := min(perDevice, tunnels-d*perDevice)
		peers := make([]string, n)
		for t := range n {
			peers[t] = hubPeer(d, t)
		}
		h, err := e.lab.AddHub(fmt.Sprintf("hub-%03d", d), peers)
		if err != nil {
			e.close()
			return nil, err
		}
		e.hubs = append(e.hubs, h)
		chans = append(chans, fmt.Sprintf("%s=CMON%03d", h.Name, d))
	}
	e.chans = strings.Join(chans, ",")
	dir := filepath.Join(work, "lab")
	if _, err := e.lab.WriteFiles(dir); err != nil { // known_hosts and the password file
		e.close()
		return nil, err
	}
	var b strings.Builder
	b.WriteString("defaults:\n")
	fmt.Fprintf(&b, "  username: %s\n  known_hosts: known_hosts\n  connect_timeout: 5s\n  command_timeout: 20s\ndevices:\n", e.lab.Username)
	for _, h := range e.hubs {
		host, port, _ := strings.Cut(h.Addr, ":")
		fmt.Fprintf(&b, "  - name: %s\n    address: %s\n    port: %s\n    platform: ios\n    credentials:\n      password_file: lab-password\n    tunnels:\n", h.Name, host, port)
		for i, p := range h.Peers() {
			fmt.Fprintf(&b, "      - peer: %s\n        name: %s-t%d\n        remote_subnets: [%s]\n", p, h.Name, i, lab.HubRemoteSubnet())
		}
	}
	e.inv = filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(e.inv, []byte(b.String()), 0o600); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

func (e *monEnv) logins() int64 {
	var n int64
	for _, h := range e.hubs {
		n += h.Logins()
	}
	return n
}

// botProc is one `tunneldoc serve`.
type botProc struct {
	name    string
	cmd     *exec.Cmd
	pid     int
	logPath string
	exited  chan error
	replica string // the monitor's replica ID, from its log
}

func (e *monEnv) startBot(ctx context.Context, o options, name string) (*botProc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	opsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	b := &botProc{name: name, logPath: filepath.Join(e.work, name+".log"), exited: make(chan error, 1)}
	logFile, err := os.Create(b.logPath)
	if err != nil {
		return nil, err
	}
	b.cmd = exec.Command(o.bin, "serve")
	b.cmd.Env = append(os.Environ(),
		"SLACK_BOT_TOKEN=xoxb-load-test", "SLACK_APP_TOKEN=", "SLACK_SIGNING_SECRET="+signingSecret,
		"SLACK_API_URL="+e.slack.srv.URL+"/", "REDIS_URL="+e.rs.url(), "TUNNELDOC_LISTEN="+listen,
		fmt.Sprintf("TUNNELDOC_OPS_LISTEN=127.0.0.1:%d", opsPort), "TUNNELDOC_INVENTORY="+e.inv,
		"TUNNELDOC_LOG_LEVEL="+o.logLevel, "TUNNELDOC_LOG_FORMAT=text", "TUNNELDOC_CONFIG=",
		"TUNNELDOC_MONITOR=on", "TUNNELDOC_MONITOR_CHANNEL=CMONDEF", "TUNNELDOC_MONITOR_CHANNELS="+e.chans,
		"TUNNELDOC_MONITOR_INTERVAL="+mon.interval.String(), "TUNNELDOC_MONITOR_CHECK_TIMEOUT="+monCheckTimeout.String(),
	)
	b.cmd.Stdout, b.cmd.Stderr = logFile, logFile
	if err := b.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start bot: %w", err)
	}
	b.pid = b.cmd.Process.Pid
	go func() { b.exited <- b.cmd.Wait(); logFile.Close() }()
	if err := waitTCP(ctx, listen, 30*time.Second, b.exited); err != nil {
		b.stop()
		return nil, fmt.Errorf("bot %s did not listen on %s: %w (log: %s)", name, listen, err, tail(b.logPath))
	}
	return b, nil
}

func (b *botProc) stop() {
	if b.cmd.ProcessState != nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
	case <-time.After(20 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.exited
	}
}

func (b *botProc) kill() {
	_ = b.cmd.Process.Kill()
	<-b.exited
}

// round is one "monitor round" log line.
type round struct {
	devices                  int
	pollMS, sweepMS, roundMS int64
	level                    string
	at                       time.Time
	cpu                      time.Duration // bot CPU when the line was seen
	cmds                     map[string]int64
	top, lua                 int64 // MONITOR counts: client commands, commands inside Lua
	logins                   int64
}

var kvRE = regexp.MustCompile(`(\w+)=("[^"]*"|\S+)`)

// logTail reads a bot log as it grows.
type logTail struct {
	path string
	off  int64
	part string
}

func (t *logTail) lines() []string {
	f, err := os.Open(t.path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if _, err := f.Seek(t.off, io.SeekStart); err != nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(f, 16<<20))
	t.off += int64(len(b))
	s := t.part + string(b)
	i := strings.LastIndexByte(s, '\n')
	if i < 0 {
		t.part = s
		return nil
	}
	t.part = s[i+1:]
	return strings.Split(s[:i], "\n")
}

func parseKV(line string) map[string]string {
	out := map[string]string{}
	for _, m := range kvRE.FindAllStringSubmatch(line, -1) {
		out[m[1]] = strings.Trim(m[2], `"`)
	}
	return out
}

// commandStats is INFO commandstats: command -> calls.
func commandStats(ctx context.Context, c *redis.Client) map[string]int64 {
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	s, err := c.Info(cctx, "commandstats").Result()
	if err != nil {
		return nil
	}
	out := map[string]int64{}
	for _, l := range strings.Split(s, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(l), ":calls=")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.SplitN(rest, ",", 2)[0], 10, 64)
		out[strings.TrimPrefix(name, "cmdstat_")] = n
	}
	return out
}

func diffStats(a, b map[string]int64) (map[string]int64, int64) {
	out := map[string]int64{}
	var total int64
	for k, v := range b {
		if d := v - a[k]; d > 0 {
			out[k] = d
			total += d
		}
	}
	// the tool's own INFO call
	if out["info"] > 0 {
		total -= out["info"]
		delete(out, "info")
	}
	return out, total
}

type scaleResult struct {
	tunnels, devices int
	cold             round
	steady           []round
	cpu              []time.Duration
	cmds             []int64
	client, lua      []int64
	byCmd            map[string]int64
	logins           []int64
	rss, hwm         int64
	posts            int
	selfCPU          time.Duration
}

// monitorScale measures one bot per tunnel count.
func monitorScale(ctx context.Context, o options) error {
	var sizes []int
	for _, s := range strings.Split(mon.tunnels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("-tunnels %q: want counts such as 500,1000,2000", mon.tunnels)
		}
		sizes = append(sizes, n)
	}
	var res []scaleResult
	for _, n := range sizes {
		r, err := monitorScaleOne(ctx, o, n)
		if err != nil {
			return fmt.Errorf("%d tunnels: %w", n, err)
		}
		res = append(res, r)
	}
	fmt.Printf("\nmonitor, interval %s, %d tunnels per device, %d steady rounds each (median, max):\n\n", mon.interval, mon.perDevice, mon.rounds)
	fmt.Println("| tunnels | devices | first round | round (poll + sweep) | round max | bot CPU per round | % of one core | Redis commands per round (sent + run in Lua) | sent per tunnel | SSH logins per round | bot RSS (peak) | Slack posts |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range res {
		rt := make([]int64, len(r.steady))
		var poll, sweep []int64
		for i, s := range r.steady {
			rt[i], poll, sweep = s.roundMS, append(poll, s.pollMS), append(sweep, s.sweepMS)
		}
		cpu := medianDur(r.cpu)
		client, lua := medianInt(r.client), medianInt(r.lua)
		fmt.Printf("| %d | %d | %.2f s | %.2f s (%.2f + %.2f) | %.2f s | %.2f s | %.0f %% | %d + %d | %.1f | %d | %.1f MiB (%.1f) | %d |\n",
			r.tunnels, r.devices, float64(r.cold.roundMS)/1000, float64(medianInt(rt))/1000, float64(medianInt(poll))/1000, float64(medianInt(sweep))/1000,
			float64(maxInt(rt))/1000, cpu.Seconds(), 100*cpu.Seconds()/mon.interval.Seconds(), client, lua, float64(client)/float64(r.tunnels),
			medianInt(r.logins), mib(r.rss), mib(r.hwm), r.posts)
	}
	fmt.Println()
	for _, r := range res {
		var keys []string
		for k := range r.byCmd {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return r.byCmd[keys[i]] > r.byCmd[keys[j]] })
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %.1f", k, float64(r.byCmd[k])/float64(len(r.steady))/float64(r.tunnels)))
		}
		fmt.Printf("%d tunnels: Redis commands (INFO commandstats, Lua-internal calls included) per tunnel per round: %s; this tool (lab + fake Slack) CPU %.2f s per round\n",
			r.tunnels, strings.Join(parts, ", "), r.selfCPU.Seconds()/float64(len(r.steady)))
	}
	return nil
}

func monitorScaleOne(ctx context.Context, o options, n int) (scaleResult, error) {
	res := scaleResult{tunnels: n, byCmd: map[string]int64{}}
	e, err := startMonEnv(ctx, o, n, mon.perDevice, false)
	if err != nil {
		return res, err
	}
	defer e.close()
	if o.keep {
		fmt.Printf("work directory: %s\n", e.work)
	} else {
		defer os.RemoveAll(e.work)
	}
	res.devices = len(e.hubs)
	b, err := e.startBot(ctx, o, "bot")
	if err != nil {
		return res, err
	}
	defer b.stop()
	rm, err := startRedisMonitor(describeRedis(e.rs.url()))
	if err != nil {
		return res, fmt.Errorf("redis MONITOR: %w", err)
	}
	defer rm.close()
	fmt.Printf("%d tunnels on %d hubs: bot pid %d, redis %s, interval %s\n", n, len(e.hubs), b.pid, e.rs.url(), mon.interval)
	var self0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self0)
	tl := &logTail{path: b.logPath}
	var rounds []round
	deadline := time.Now().Add(time.Duration(mon.rounds+2)*mon.interval + 2*time.Minute)
	for len(rounds) < mon.rounds+1 {
		if time.Now().After(deadline) {
			return res, fmt.Errorf("only %d rounds logged before the deadline (log: %s)", len(rounds), tail(b.logPath))
		}
		select {
		case err := <-b.exited:
			return res, fmt.Errorf("bot exited: %v (log: %s)", err, tail(b.logPath))
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		for _, l := range tl.lines() {
			if !strings.Contains(l, `msg="monitor round"`) {
				continue
			}
			kv := parseKV(l)
			r := round{level: kv["level"], at: time.Now(), cpu: readProc(b.pid).cpu, cmds: commandStats(ctx, e.rdb), logins: e.logins()}
			r.top, r.lua = rm.counts()
			r.devices, _ = strconv.Atoi(kv["devices"])
			r.pollMS, _ = strconv.ParseInt(kv["poll_ms"], 10, 64)
			r.sweepMS, _ = strconv.ParseInt(kv["sweep_ms"], 10, 64)
			r.roundMS, _ = strconv.ParseInt(kv["round_ms"], 10, 64)
			rounds = append(rounds, r)
			fmt.Printf("  round %d: %d devices, poll %d ms, sweep %d ms (%s)\n", len(rounds), r.devices, r.pollMS, r.sweepMS, r.level)
		}
	}
	var self1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
	res.selfCPU = tv(self1.Utime) + tv(self1.Stime) - tv(self0.Utime) - tv(self0.Stime)
	res.cold = rounds[0]
	for i := 1; i < len(rounds); i++ {
		res.steady = append(res.steady, rounds[i])
		res.cpu = append(res.cpu, rounds[i].cpu-rounds[i-1].cpu)
		by, total := diffStats(rounds[i-1].cmds, rounds[i].cmds)
		res.cmds = append(res.cmds, total)
		res.client = append(res.client, rounds[i].top-rounds[i-1].top)
		res.lua = append(res.lua, rounds[i].lua-rounds[i-1].lua)
		for k, v := range by {
			res.byCmd[k] += v
		}
		res.logins = append(res.logins, rounds[i].logins-rounds[i-1].logins)
	}
	p := readProc(b.pid)
	res.rss, res.hwm = p.rssKB, p.hwmKB
	res.posts = e.slack.posts()
	return res, nil
}

func medianInt(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]int64(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func maxInt(v []int64) int64 {
	var m int64
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func medianDur(v []time.Duration) time.Duration {
	ints := make([]int64, len(v))
	for i, d := range v {
		ints[i] = int64(d)
	}
	return time.Duration(medianInt(ints))
}

// monCheckTimeout is the bots' TUNNELDOC_MONITOR_CHECK_TIMEOUT; a
// transition claim lives twice as long.
const monCheckTimeout = 10 * time.Second

// monSlack is a local Slack Web API that records the monitor's messages:
// roots (no thread_ts) and replies per thread. conversations.history and
// conversations.replies answer from what was posted, with the metadata
// (include_all_metadata), so a replica can look a post up by delivery id;
// history ignores oldest (the fake's ts are not times).
type monSlack struct {
	srv *httptest.Server

	mu      sync.Mutex
	seq     int
	roots   map[string]string   // ts -> text
	replies map[string][]string // thread ts -> texts
	posted  []monPost           // every post, in order
	edits   int
	lookups int // conversations.history and conversations.replies calls
}

// monPost is one post as conversations.history/replies return it.
type monPost struct {
	channel, ts, thread, text string
	metadata                  json.RawMessage
}

func (p monPost) message(withMetadata bool) map[string]any {
	m := map[string]any{"type": "message", "ts": p.ts, "text": p.text, "bot_id": "BLOAD", "user": botUser}
	if p.thread != "" {
		m["thread_ts"] = p.thread
	}
	if withMetadata && len(p.metadata) > 0 {
		m["metadata"] = p.metadata
	}
	return m
}

// lookup answers conversations.history (thread "": the channel's roots,
// newest first) or conversations.replies (the parent, then its replies).
func (s *monSlack) lookup(w http.ResponseWriter, r *http.Request, replies bool) {
	_ = r.ParseForm()
	ch, thread, md := r.Form.Get("channel"), r.Form.Get("ts"), r.Form.Get("include_all_metadata") == "1"
	s.mu.Lock()
	s.lookups++
	var msgs []map[string]any
	if replies {
		for _, p := range s.posted {
			if p.channel == ch && (p.ts == thread || p.thread == thread) {
				msgs = append(msgs, p.message(md))
			}
		}
	} else {
		for i := len(s.posted) - 1; i >= 0; i-- {
			if p := s.posted[i]; p.channel == ch && p.thread == "" {
				msgs = append(msgs, p.message(md))
			}
		}
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

var tunnelRE = regexp.MustCompile(`Tunnel (\d+\.\d+\.\d+\.\d+)`)

func newMonSlack() *monSlack {
	s := &monSlack{roots: map[string]string{}, replies: map[string][]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/auth.test", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"ok": true, "user_id": botUser, "user": "tunneldoc", "team": "load", "team_id": "TLOAD"})
	})
	mux.HandleFunc("/chat.postMessage", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		s.mu.Lock()
		s.seq++
		ts := fmt.Sprintf("1900000000.%06d", s.seq)
		text := r.Form.Get("text")
		th := r.Form.Get("thread_ts")
		if th != "" {
			s.replies[th] = append(s.replies[th], text)
		} else {
			s.roots[ts] = text
		}
		p := monPost{channel: r.Form.Get("channel"), ts: ts, thread: th, text: text}
		if md := r.Form.Get("metadata"); json.Valid([]byte(md)) {
			p.metadata = json.RawMessage(md)
		}
		s.posted = append(s.posted, p)
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": true, "channel": r.Form.Get("channel"), "ts": ts, "message": map[string]any{"text": text, "ts": ts}})
	})
	mux.HandleFunc("/chat.update", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		s.mu.Lock()
		s.edits++
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": true, "channel": r.Form.Get("channel"), "ts": r.Form.Get("ts"), "text": r.Form.Get("text")})
	})
	mux.HandleFunc("/files.getUploadURLExternal", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"ok": true, "upload_url": s.srv.URL + "/upload/F1", "file_id": "F1"})
	})
	mux.HandleFunc("/upload/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "OK")
	})
	mux.HandleFunc("/files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"ok": true, "files": []map[string]any{{"id": "F1", "title": "evidence"}}})
	})
	mux.HandleFunc("/conversations.history", func(w http.ResponseWriter, r *http.Request) { s.lookup(w, r, false) })
	mux.HandleFunc("/conversations.replies", func(w http.ResponseWriter, r *http.Request) { s.lookup(w, r, true) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"ok": true, "messages": []any{}})
	})
	s.srv = httptest.NewServer(mux)
	return s
}

func (s *monSlack) posts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.roots)
	for _, r := range s.replies {
		n += len(r)
	}
	return n
}

// thread is what Slack holds for one tunnel.
type thread struct {
	roots               int
	diagnoses, resolved int
	other               []string
}

// threads groups the roots by the tunnel's peer and counts each thread's
// replies: resolutions, and the rest (the diagnosis, and anything else).
func (s *monSlack) threads() map[string]*thread {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]*thread{}
	for ts, text := range s.roots {
		m := tunnelRE.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		t := out[m[1]]
		if t == nil {
			t = &thread{}
			out[m[1]] = t
		}
		t.roots++
		for _, r := range s.replies[ts] {
			switch {
			case strings.Contains(r, "resolved after"):
				t.resolved++
			case strings.Contains(r, "down again"), strings.Contains(r, "flapping"), strings.Contains(r, "reopened"):
				t.other = append(t.other, r)
			default:
				t.diagnoses++
			}
		}
	}
	return out
}

var errPhase = errors.New("phase did not complete")

// waitThreads waits until cond holds for the Slack threads, bounded.
func (s *monSlack) waitThreads(ctx context.Context, what string, limit time.Duration, cond func(map[string]*thread) bool) error {
	deadline := time.Now().Add(limit)
	for {
		if cond(s.threads()) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s within %s", errPhase, what, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// readLines returns a file's lines (bounded).
func readLines(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(io.LimitReader(f, 64<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// redisMonitor counts the commands Redis executes, from a MONITOR
// connection: those sent by clients (round trips, the tool's own INFO
// excluded) and those run inside Lua scripts.
type redisMonitor struct {
	mu       sync.Mutex
	top, lua int64
	conn     net.Conn
}

func startRedisMonitor(addr string) (*redisMonitor, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(c, "MONITOR\r\n"); err != nil {
		c.Close()
		return nil, err
	}
	m := &redisMonitor{conn: c}
	go func() {
		sc := bufio.NewScanner(c)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for sc.Scan() {
			l := sc.Text()
			i := strings.Index(l, "] \"")
			if !strings.HasPrefix(l, "+") || i < 0 {
				continue
			}
			cmd := strings.ToLower(strings.SplitN(l[i+3:], "\"", 2)[0])
			m.mu.Lock()
			switch {
			case strings.Contains(l[:i], " lua"):
				m.lua++
			case cmd != "info":
				m.top++
			}
			m.mu.Unlock()
		}
	}()
	return m, nil
}

func (m *redisMonitor) counts() (top, lua int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.top, m.lua
}

func (m *redisMonitor) close() { m.conn.Close() }

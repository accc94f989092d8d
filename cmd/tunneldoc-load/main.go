package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

const (
	botUser       = "UBOT"
	signingSecret = "load-signing-secret"
)

type options struct {
	bin       string
	requests  int
	devices   int
	channels  int
	redisURL  string
	timeout   time.Duration
	idle      time.Duration
	keep      bool
	logLevel  string
	redisKill time.Duration
	redisDown time.Duration
	hang      int
	flood     int
	drop      int
	shared    bool
	slackFail time.Duration
	slackCode int
	dump      string
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "", "path to the tunneldoc binary (required; build it with go build ./cmd/tunneldoc)")
	flag.IntVar(&o.requests, "requests", 200, "concurrent `check tunnel` mentions to fire")
	flag.IntVar(&o.devices, "devices", 100, "lab devices (scenarios are cycled over them)")
	flag.IntVar(&o.channels, "channels", 0, "Slack channels the mentions are spread over (default: one per request; the bot paces posts to 1/s per channel as Slack does)")
	flag.StringVar(&o.redisURL, "redis", "", "Redis URL to use instead of starting a redis-server (never the shared one: it is written to)")
	flag.DurationVar(&o.timeout, "timeout", 3*time.Minute, "give up waiting for answers after this long")
	flag.DurationVar(&o.idle, "idle", 5*time.Second, "how long the connected bot idles before its idle RSS is read")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (bot log, inventory)")
	flag.StringVar(&o.logLevel, "log-level", "info", "the bot's TUNNELDOC_LOG_LEVEL")
	flag.DurationVar(&o.redisKill, "redis-kill-after", 0, "fault run: kill the redis-server this long after the burst starts (only with the redis-server this tool starts)")
	flag.DurationVar(&o.redisDown, "redis-down", 3*time.Second, "fault run: how long Redis stays down before it is restarted on the same port")
	flag.IntVar(&o.hang, "hang", 0, "fault run: this many devices (dev-000 up) hang mid-output on their first crypto command")
	flag.IntVar(&o.flood, "flood", 0, "fault run: this many devices (after the hanging ones) flood ~70 MiB on their first crypto command")
	flag.IntVar(&o.drop, "drop", 0, "fault run: this many devices (after the flooding ones) close the connection half way through their first crypto command's answer")
	flag.BoolVar(&o.shared, "shared-tunnel-names", false, "keep the scenarios' tunnel names, so the devices cloned from one scenario share a tunnel name and every check also reads a \"far end\" (see docs/BENCHMARKS.md)")
	flag.DurationVar(&o.slackFail, "slack-fail-for", 0, "fault run: for this long from the start of the burst, chat.postMessage and chat.update answer -slack-status")
	flag.IntVar(&o.slackCode, "slack-status", 429, "fault run: the HTTP status Slack answers while failing (429 with Retry-After: 1, or 500)")
	flag.StringVar(&o.dump, "dump-answer", "", "print the answer (text and blocks) given for this device, e.g. dev-000")
	flag.Parse()
	if mon.on {
		os.Exit(monitorMain(o)) // monitor.go
	}
	if o.bin == "" || o.requests <= 0 || o.devices <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	if o.channels <= 0 {
		o.channels = o.requests
	}
	if o.redisKill > 0 && o.redisURL != "" {
		fmt.Fprintln(os.Stderr, "tunneldoc-load: -redis-kill-after needs the redis-server this tool starts (no -redis)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintf(os.Stderr, "tunneldoc-load: %v\n", err)
		os.Exit(1)
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func run(ctx context.Context, o options) error {
	work, err := os.MkdirTemp("", "tunneldoc-load-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Printf("work directory: %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	// Redis
	var rs *redisServer
	redisURL := o.redisURL
	if redisURL == "" {
		// the fault run keeps Redis's data across the kill (appendfsync
		// always), as a production Redis with persistence would
		rs, err = startRedis(ctx, work, o.redisKill > 0)
		if err != nil {
			return err
		}
		defer rs.stop()
		redisURL = rs.url()
	}
	rdb, err := redisClient(redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()

	// Slack
	fs := newFakeSlack()
	defer fs.srv.Close()

	// the lab
	scenarios, err := lab.Scenarios()
	if err != nil {
		return err
	}
	var dcs []lab.DeviceConfig
	for i := 0; i < o.devices; i++ {
		sc := scenarios[i%len(scenarios)]
		dc := lab.DeviceConfig{Name: fmt.Sprintf("dev-%03d", i), Scenario: sc.Name}
		// the first command of the scenario's platform plan
		plat, _ := devices.PlatformByName(sc.Platform)
		peer, _ := devices.PeerAddr(sc.Peer)
		first := plat.Plan(peer, sc.Remotes())[0].Command
		switch {
		case i < o.hang:
			dc.Fault.HangOn = first
		case i < o.hang+o.flood:
			dc.Fault.FloodOn = first
		case i < o.hang+o.flood+o.drop:
			dc.Fault.DropOn = first
		}
		dcs = append(dcs, dc)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	l, err := lab.Start(ctx, lab.Options{Devices: dcs, Logger: quiet})
	if err != nil {
		return fmt.Errorf("start lab: %w", err)
	}
	defer l.Close()
	inv, err := l.WriteFiles(filepath.Join(work, "lab"))
	if err != nil {
		return err
	}
	if !o.shared {
		if err := uniqueTunnelNames(inv); err != nil {
			return err
		}
	}

	// the bot, as its own process so its CPU and memory are its own
	port, err := freePort()
	if err != nil {
		return err
	}
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	opsPort, err := freePort()
	if err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(work, "bot.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(o.bin, "serve")
	cmd.Env = append(os.Environ(),
		"SLACK_BOT_TOKEN=xoxb-load-test",
		"SLACK_APP_TOKEN=",
		"SLACK_SIGNING_SECRET="+signingSecret,
		"SLACK_API_URL="+fs.srv.URL+"/",
		"REDIS_URL="+redisURL,
		"TUNNELDOC_LISTEN="+listen,
		fmt.Sprintf("TUNNELDOC_OPS_LISTEN=127.0.0.1:%d", opsPort), // the default :9090 is every interface
		"TUNNELDOC_INVENTORY="+inv,
		"TUNNELDOC_LOG_LEVEL="+o.logLevel,
		"TUNNELDOC_CONFIG=",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start bot: %w", err)
	}
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopBot := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	if err := waitTCP(ctx, listen, 30*time.Second, exited); err != nil {
		stopBot()
		return fmt.Errorf("bot did not listen on %s: %w (log: %s)", listen, err, tail(logFile.Name()))
	}
	fmt.Printf("bot pid %d listening on %s; %d lab devices (%d scenarios, %d hanging, %d flooding, %d dropping); redis %s; %d requests over %d channels\n",
		pid, listen, len(l.Devices), len(scenarios), min(o.hang, o.devices), max(0, min(o.flood, o.devices-o.hang)), max(0, min(o.drop, o.devices-o.hang-o.flood)), describeRedis(redisURL), o.requests, o.channels)

	// idle footprint
	time.Sleep(o.idle)
	idle := readProc(pid)
	fmt.Printf("idle after %s: RSS %.1f MiB, CPU so far %.2f s, threads %d\n", o.idle, mib(idle.rssKB), idle.cpu.Seconds(), idle.threads)

	// the burst
	redisBefore := redisCommands(ctx, rdb)
	before := readProc(pid)
	var self0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self0)

	type req struct {
		key  string // "peer on device": what the placeholder names
		sent time.Time
		code int
		err  error
	}
	reqs := make([]req, o.requests)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: o.requests}}
	var wg sync.WaitGroup
	start := time.Now()
	if o.slackFail > 0 {
		fs.failUntil(start.Add(o.slackFail), o.slackCode)
	}
	if o.redisKill > 0 {
		go func() {
			select {
			case <-time.After(o.redisKill):
			case <-ctx.Done():
				return
			}
			fmt.Printf("fault: killing redis-server at +%s\n", time.Since(start).Round(time.Millisecond))
			rs.kill()
			time.Sleep(o.redisDown)
			if err := rs.restart(ctx); err != nil {
				fmt.Printf("fault: redis restart failed: %v\n", err)
				return
			}
			fmt.Printf("fault: redis-server back at +%s\n", time.Since(start).Round(time.Millisecond))
		}()
	}
	for i := 0; i < o.requests; i++ {
		d := l.Devices[i%len(l.Devices)]
		key := d.Scenario.Peer + " on " + d.Name
		wg.Add(1)
		go func(i int, key string) {
			defer wg.Done()
			ts := fmt.Sprintf("1800000000.%06d", i)
			ch := fmt.Sprintf("CLOAD%04d", i%o.channels)
			body, _ := json.Marshal(map[string]any{
				"token": "x", "team_id": "TLOAD", "api_app_id": "ALOAD", "type": "event_callback",
				"event_id": fmt.Sprintf("EvLOAD%06d", i), "event_time": time.Now().Unix(),
				"event": map[string]any{"type": "app_mention", "user": "UOPS", "text": "<@" + botUser + "> check tunnel " + key,
					"ts": ts, "channel": ch, "event_ts": ts},
			})
			sent := time.Now()
			code, err := postSigned(ctx, client, "http://"+listen+botslack.PathEvents, body)
			reqs[i] = req{key: key, sent: sent, code: code, err: err}
		}(i, key)
	}
	wg.Wait()
	fired := time.Since(start)

	// wait for every request to be answered (or the timeout)
	// (or until no new answer came for 30 s after the last one: the rest is lost)
	deadline := time.Now().Add(o.timeout)
	last, lastChange := -1, time.Now()
	for time.Now().Before(deadline) && ctx.Err() == nil {
		n := fs.answered()
		if n >= o.requests {
			break
		}
		if n != last {
			last, lastChange = n, time.Now()
		} else if quiet := time.Since(lastChange); quiet > 30*time.Second && time.Since(fs.failOver()) > 30*time.Second {
			// (answers held back by a Slack failure come after it ends)
			fmt.Printf("no new answer for 30 s: giving up with %d of %d answered\n", n, o.requests)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// a little longer, to catch duplicates
	time.Sleep(2 * time.Second)
	wall := time.Since(start)
	after := readProc(pid)
	var self1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
	redisAfter := redisCommands(ctx, rdb)

	// results
	accepted, refused := 0, 0
	for _, r := range reqs {
		if r.err == nil && r.code == http.StatusOK {
			accepted++
		} else {
			refused++
			if refused <= 3 {
				fmt.Printf("request %s: HTTP %d %v\n", r.key, r.code, r.err)
			}
		}
	}
	sentBy := map[string][]time.Time{}
	for _, r := range reqs {
		sentBy[r.key] = append(sentBy[r.key], r.sent)
	}
	// Only trouble opens an incident: the tunnels whose scenario is not
	// healthy, on devices that answer in full, must each have one, with
	// every answer about them recorded.
	troubled := map[string]bool{}
	for i, d := range l.Devices {
		if i >= o.hang+o.flood+o.drop && d.Scenario.Expect.Cause != "healthy" {
			troubled[d.Scenario.Peer+" on "+d.Name] = true
		}
	}
	troubledAnswers := 0
	for _, r := range reqs {
		if troubled[r.key] {
			troubledAnswers++
		}
	}
	st := fs.summary()
	var lat []time.Duration
	unmatched := 0
	for key, sent := range sentBy {
		done := st.finalByKey[key]
		sort.Slice(sent, func(i, j int) bool { return sent[i].Before(sent[j]) })
		sort.Slice(done, func(i, j int) bool { return done[i].Before(done[j]) })
		for i := range sent {
			if i < len(done) {
				lat = append(lat, done[i].Sub(sent[i]))
			} else {
				unmatched++
			}
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("\nburst: %d mentions fired in %s, %d accepted (HTTP 200), %d refused or failed\n", o.requests, fired.Round(time.Millisecond), accepted, refused)
	fmt.Printf("answers: %d placeholders, %d answered with a diagnosis, %d answered with an error (\":x:\"), %d placeholders never answered, %d placeholders answered more than once, %d edited again only to add the \"state could not be saved\" warning, %d requests without a placeholder\n",
		st.placeholders, st.diagnoses, st.errors, st.placeholders-st.answeredPlaceholders, st.twice, st.rewarned, unmatched)
	fmt.Printf("answers (text or blocks) that say the device's output was cut short: %d\n", st.partial)
	if o.dump != "" {
		fmt.Printf("answer for %s:\n%s\n", o.dump, fs.answerFor(" on "+o.dump))
	}
	fmt.Printf("Slack calls: %d chat.postMessage, %d chat.update, %d other, %d refused by the scripted failure\n", st.posts, st.updates, st.other, st.failed)
	lost := st.placeholders - st.answeredPlaceholders + unmatched
	fmt.Printf("delivery: %d lost (no answer shown), %d duplicated (answered twice, or one delivery id posted twice: %d), %d out of order (edits of a ts never posted: %d; a placeholder put back over its answer: %d); %d answers shown only after the Slack failure ended\n",
		lost, st.twice+st.dupDeliveries, st.dupDeliveries, st.unknownEdits+st.regressions, st.unknownEdits, st.regressions, st.late)
	if len(lat) > 0 {
		fmt.Printf("event -> threaded diagnosis: p50 %s, p90 %s, p99 %s, max %s (n=%d)\n",
			pct(lat, 50), pct(lat, 90), pct(lat, 99), lat[len(lat)-1].Round(time.Millisecond), len(lat))
	}
	fmt.Printf("wall from first mention to last answer + 2 s: %s\n", wall.Round(time.Millisecond))
	burstCPU := after.cpu - before.cpu
	fmt.Printf("bot process during the burst: CPU %.2f s (%.0f%% of one core over %s), RSS now %.1f MiB, peak RSS (VmHWM) %.1f MiB, threads %d\n",
		burstCPU.Seconds(), 100*burstCPU.Seconds()/wall.Seconds(), wall.Round(time.Millisecond), mib(after.rssKB), mib(after.hwmKB), after.threads)
	selfCPU := tv(self1.Utime) + tv(self1.Stime) - tv(self0.Utime) - tv(self0.Stime)
	fmt.Printf("this tool (lab SSH servers + fake Slack + load) during the burst: CPU %.2f s\n", selfCPU.Seconds())
	if redisBefore >= 0 && redisAfter >= 0 {
		fmt.Printf("redis commands during the burst: %d (%.1f per request)\n", redisAfter-redisBefore, float64(redisAfter-redisBefore)/float64(o.requests))
	}
	fmt.Printf("lab: peak concurrent SSH sessions %d\n", l.PeakSessions())
	inc, tun := countKeys(ctx, rdb, "tunneldoc:incident:*"), countKeys(ctx, rdb, "tunneldoc:tunnel:*")
	if o.redisKill > 0 {
		// Incident writes held during the outage are written by the bot
		// after Redis is back (with backoff up to 10 s): wait for them.
		for waitEnd := time.Now().Add(60 * time.Second); (tun < len(troubled) || countDiagnoses(ctx, rdb) < troubledAnswers) && time.Now().Before(waitEnd) && ctx.Err() == nil; {
			time.Sleep(500 * time.Millisecond)
			inc, tun = countKeys(ctx, rdb, "tunneldoc:incident:*"), countKeys(ctx, rdb, "tunneldoc:tunnel:*")
		}
	}
	fmt.Printf("redis after the burst: %d incident records, %d tunnel index keys (%d distinct tunnels were checked, %d of them in trouble): %d troubled tunnels without an incident, %d incident records beyond one per tunnel\n",
		inc, tun, len(sentBy), len(troubled), max(0, len(troubled)-tun), max(0, inc-tun))
	dups, orphans := incidentAudit(ctx, rdb)
	fmt.Printf("redis after the burst: %d tunnels with two incidents in the open list, %d unreachable incident records (no open list entry or tunnel key names them)\n", dups, orphans)
	diagnosesRecorded := countDiagnoses(ctx, rdb)
	fmt.Printf("redis after the burst: %d diagnoses recorded in incidents (%d answers were shown with a diagnosis, %d of them about tunnels in trouble)\n", diagnosesRecorded, st.diagnoses, troubledAnswers)

	stopBot()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		fmt.Printf("bot process whole life (getrusage after exit): user %.2f s, sys %.2f s, max RSS %.1f MiB\n",
			tv(ru.Utime).Seconds(), tv(ru.Stime).Seconds(), float64(ru.Maxrss)/1024)
	}
	if n := countLines(logFile.Name(), "level=ERROR", `"level":"ERROR"`); n > 0 {
		fmt.Printf("bot log: %d ERROR lines, last: %s\n", n, tail(logFile.Name()))
	}
	if st.placeholders-st.answeredPlaceholders > 0 || st.twice > 0 || accepted < o.requests || unmatched > 0 || st.dupDeliveries > 0 {
		return errors.New("not every request was answered exactly once")
	}
	if st.unknownEdits+st.regressions > 0 {
		return errors.New("Slack calls arrived out of order")
	}
	if tun < len(troubled) || dups != 0 {
		return errors.New("not every tunnel in trouble has exactly one incident")
	}
	if diagnosesRecorded < troubledAnswers {
		return errors.New("not every diagnosis shown was recorded in its incident")
	}
	return nil
}

func pct(d []time.Duration, p int) time.Duration {
	i := (len(d)*p + 99) / 100
	if i > 0 {
		i--
	}
	return d[i].Round(time.Millisecond)
}

func tv(t syscall.Timeval) time.Duration {
	return time.Duration(t.Sec)*time.Second + time.Duration(t.Usec)*time.Microsecond
}

func mib(kb int64) float64 { return float64(kb) / 1024 }

func postSigned(ctx context.Context, c *http.Client, url string, body []byte) (int, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(signingSecret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	rq, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	rq.Header.Set("Content-Type", "application/json")
	rq.Header.Set("X-Slack-Request-Timestamp", ts)
	rq.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := c.Do(rq)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func waitTCP(ctx context.Context, addr string, limit time.Duration, exited <-chan error) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("bot exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("timed out")
}

// procStat is what /proc says about a process.
type procStat struct {
	cpu          time.Duration
	rssKB, hwmKB int64
	threads      int
}

func readProc(pid int) procStat {
	var p procStat
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i > 0 {
			f := strings.Fields(s[i+2:])
			// fields after the command: state is f[0]; utime f[11], stime f[12] (clock ticks, USER_HZ=100)
			if len(f) > 12 {
				u, _ := strconv.ParseInt(f[11], 10, 64)
				st, _ := strconv.ParseInt(f[12], 10, 64)
				p.cpu = time.Duration(u+st) * 10 * time.Millisecond
			}
		}
	}
	if f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, _ := strings.Cut(sc.Text(), ":")
			n, _ := strconv.ParseInt(strings.Fields(v + " 0")[0], 10, 64)
			switch k {
			case "VmRSS":
				p.rssKB = n
			case "VmHWM":
				p.hwmKB = n
			case "Threads":
				p.threads = int(n)
			}
		}
		f.Close()
	}
	return p
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

func countLines(path string, subs ...string) int {
	b, _ := os.ReadFile(path)
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		for _, s := range subs {
			if strings.Contains(l, s) {
				n++
				break
			}
		}
	}
	return n
}

// fakeSlack is a local Slack Web API: it answers the calls the bot makes
// and records the check placeholders and their edits.
type fakeSlack struct {
	srv *httptest.Server

	mu          sync.Mutex
	seq         int
	placeholder map[string]string      // ts -> "peer on device"
	finals      map[string][]time.Time // ts -> edits after the placeholder
	finalText   map[string]string
	rewarned    map[string]bool // a later edit only added "state could not be saved"
	posts       int
	updates     int
	other       int
	nAnswered   int
	failEnd     time.Time
	failCode    int
	failed      int
	// "once" and "in order" (the bot's outbox): every thread reply
	// carries a delivery id in its metadata.
	deliveries   map[string]int // delivery id -> posts carrying it
	unknownEdits int            // chat.update of a ts never posted
	regressions  int            // an edit put a placeholder back over an answer
	late         int            // answers first shown after the scripted failure ended
}

func (f *fakeSlack) failUntil(t time.Time, code int) {
	f.mu.Lock()
	f.failEnd, f.failCode = t, code
	f.mu.Unlock()
}

// failing answers the scripted failure, if one is on; it reports whether it did.
func (f *fakeSlack) failing(w http.ResponseWriter) bool {
	f.mu.Lock()
	on := time.Now().Before(f.failEnd)
	code := f.failCode
	if on {
		f.failed++
	}
	f.mu.Unlock()
	if !on {
		return false
	}
	if code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	http.Error(w, http.StatusText(code), code)
	return true
}

func newFakeSlack() *fakeSlack {
	f := &fakeSlack{placeholder: map[string]string{}, finals: map[string][]time.Time{}, finalText: map[string]string{}, rewarned: map[string]bool{}, deliveries: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/auth.test", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"ok": true, "user_id": botUser, "user": "tunneldoc", "team": "load", "team_id": "TLOAD"})
	})
	mux.HandleFunc("/chat.postMessage", f.postMessage)
	mux.HandleFunc("/chat.update", f.update)
	mux.HandleFunc("/chat.postEphemeral", func(w http.ResponseWriter, r *http.Request) {
		f.count(&f.other)
		writeJSON(w, map[string]any{"ok": true, "message_ts": f.nextTS()})
	})
	mux.HandleFunc("/chat.getPermalink", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		writeJSON(w, map[string]any{"ok": true, "channel": r.Form.Get("channel"), "permalink": "https://load.slack.invalid/archives/" + r.Form.Get("channel") + "/p1"})
	})
	mux.HandleFunc("/files.getUploadURLExternal", func(w http.ResponseWriter, r *http.Request) {
		f.count(&f.other)
		id := "F" + strings.ReplaceAll(f.nextTS(), ".", "")
		writeJSON(w, map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/" + id, "file_id": id})
	})
	mux.HandleFunc("/upload/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "OK")
	})
	mux.HandleFunc("/files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
		f.count(&f.other)
		writeJSON(w, map[string]any{"ok": true, "files": []map[string]any{{"id": "F1", "title": "evidence"}}})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.count(&f.other)
		writeJSON(w, map[string]any{"ok": true, "messages": []any{}})
	})
	f.srv = httptest.NewServer(mux)
	return f
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeSlack) count(n *int) {
	f.mu.Lock()
	*n++
	f.mu.Unlock()
}

func (f *fakeSlack) nextTS() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return fmt.Sprintf("1900000000.%06d", f.seq)
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if f.failing(w) {
		return
	}
	text := r.Form.Get("text")
	ts := f.nextTS()
	md := parseMetadata(r.Form.Get("metadata"))
	now := time.Now()
	f.mu.Lock()
	f.posts++
	if md.deliveryID != "" {
		f.deliveries[md.deliveryID]++
	}
	switch {
	case isPlaceholder(text):
		// the placeholder: ":hourglass_flowing_sand: checking PEER on DEVICE…"
		i := strings.Index(text, "checking ")
		f.placeholder[ts] = strings.TrimSuffix(strings.TrimSpace(text[i+len("checking "):]), "…")
	case md.peer != "" && md.device != "" && r.Form.Get("thread_ts") != "" && !strings.HasPrefix(text, "Both ends"):
		// A placeholder that could not be posted in time and was edited
		// while queued: the bot posts the answer itself (the outbox).
		key := md.peer + " on " + md.device
		f.placeholder[ts] = key
		f.answer(ts, text+"\n"+r.Form.Get("blocks"), now)
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "channel": r.Form.Get("channel"), "ts": ts, "message": map[string]any{"text": text, "ts": ts}})
}

func (f *fakeSlack) update(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	if f.failing(w) {
		return
	}
	ts := r.Form.Get("ts")
	now := time.Now()
	f.mu.Lock()
	f.updates++
	if ts == "" || ts > fmt.Sprintf("1900000000.%06d", f.seq) || strings.HasPrefix(ts, "queued-") {
		f.unknownEdits++
	}
	if _, ok := f.placeholder[ts]; ok {
		text := r.Form.Get("text")
		switch {
		case isPlaceholder(text):
			if len(f.finals[ts]) > 0 {
				f.regressions++
			}
		case len(f.finals[ts]) == 0:
			f.answer(ts, text+"\n"+r.Form.Get("blocks"), now)
		default:
			if strings.Contains(text, "could not be saved") || strings.Contains(r.Form.Get("blocks"), "could not be saved") {
				f.rewarned[ts] = true
			}
			f.finals[ts] = append(f.finals[ts], now)
		}
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "channel": r.Form.Get("channel"), "ts": ts, "text": r.Form.Get("text")})
}

// answer records the first answer shown for the placeholder at ts; the
// caller holds mu.
func (f *fakeSlack) answer(ts, text string, now time.Time) {
	f.nAnswered++
	f.finalText[ts] = text
	f.finals[ts] = append(f.finals[ts], now)
	if !f.failEnd.IsZero() && now.After(f.failEnd) {
		f.late++
	}
}

func isPlaceholder(text string) bool {
	return strings.Contains(text, "hourglass") && strings.Contains(text, "checking ")
}

// msgMetadata is what the load tool reads from a post's metadata.
type msgMetadata struct{ deliveryID, peer, device string }

func parseMetadata(raw string) msgMetadata {
	if raw == "" {
		return msgMetadata{}
	}
	var m struct {
		EventPayload map[string]any `json:"event_payload"`
	}
	if json.Unmarshal([]byte(raw), &m) != nil {
		return msgMetadata{}
	}
	str := func(k string) string { v, _ := m.EventPayload[k].(string); return v }
	return msgMetadata{deliveryID: str("delivery_id"), peer: str("peer"), device: str("device")}
}

// failOver is when the scripted failure ended (zero when none).
func (f *fakeSlack) failOver() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failEnd
}

func (f *fakeSlack) answered() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nAnswered
}

type slackSummary struct {
	placeholders, answeredPlaceholders, twice, rewarned, diagnoses, errors, partial int
	posts, updates, other, failed                                                   int
	dupDeliveries, unknownEdits, regressions, late                                  int
	finalByKey                                                                      map[string][]time.Time
}

func (f *fakeSlack) summary() slackSummary {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := slackSummary{placeholders: len(f.placeholder), posts: f.posts, updates: f.updates, other: f.other, failed: f.failed, finalByKey: map[string][]time.Time{},
		unknownEdits: f.unknownEdits, regressions: f.regressions, late: f.late}
	for _, n := range f.deliveries {
		if n > 1 {
			s.dupDeliveries += n - 1
		}
	}
	for ts, key := range f.placeholder {
		fin := f.finals[ts]
		if len(fin) == 0 {
			continue
		}
		s.answeredPlaceholders++
		if len(fin) > 1 {
			if f.rewarned[ts] {
				s.rewarned++
			} else {
				s.twice++
			}
		}
		if t := f.finalText[ts]; strings.Contains(t, "only in part") || strings.Contains(t, "partial output") || strings.Contains(t, "cut off") || strings.Contains(t, "did not finish") || strings.Contains(t, "printed more than") {
			s.partial++
		}
		if strings.HasPrefix(f.finalText[ts], ":x:") {
			s.errors++
		} else {
			s.diagnoses++
		}
		s.finalByKey[key] = append(s.finalByKey[key], fin[0])
	}
	return s
}

// redisServer is a redis-server this tool started on a free loopback port.
type redisServer struct {
	dir  string
	port int
	aof  bool
	cmd  *exec.Cmd
	done chan struct{}
}

func startRedis(ctx context.Context, dir string, aof bool) (*redisServer, error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found (apt-get install redis-server), or pass -redis: %w", err)
	}
	_ = path
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	rs := &redisServer{dir: dir, port: port, aof: aof}
	return rs, rs.restart(ctx)
}

func (rs *redisServer) restart(ctx context.Context) error {
	args := []string{"--port", strconv.Itoa(rs.port), "--bind", "127.0.0.1", "--save", "", "--dir", rs.dir, "--protected-mode", "yes"}
	if rs.aof {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	rs.cmd = exec.Command("redis-server", args...)
	rs.cmd.Stdout, rs.cmd.Stderr = io.Discard, io.Discard
	if err := rs.cmd.Start(); err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	rs.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(rs.cmd, rs.done)
	return waitTCP(ctx, fmt.Sprintf("127.0.0.1:%d", rs.port), 10*time.Second, nil)
}

func (rs *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", rs.port) }

func (rs *redisServer) kill() {
	_ = rs.cmd.Process.Kill()
	<-rs.done
}

func (rs *redisServer) stop() {
	_ = rs.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-rs.done:
	case <-time.After(5 * time.Second):
		rs.kill()
	}
}

func redisClient(url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	return redis.NewClient(opt), nil
}

func describeRedis(url string) string {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return "?"
	}
	return opt.Addr
}

// redisCommands is INFO stats total_commands_processed, -1 when unknown.
func redisCommands(ctx context.Context, c *redis.Client) int64 {
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	s, err := c.Info(cctx, "stats").Result()
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "total_commands_processed:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// countKeys counts keys matching pattern with SCAN (bounded), -1 on error.
// incidentAudit reads every incident record: dups counts tunnels with more
// than one incident in the open list (a duplicate the bot's `status`
// would show); orphans counts records neither the open list nor a tunnel
// key names (unreachable; they expire with the open TTL).
func incidentAudit(ctx context.Context, c *redis.Client) (dups, orphans int) {
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	named := map[string]bool{}
	open, err := c.ZRange(cctx, "tunneldoc:open", 0, -1).Result()
	if err != nil {
		return -1, -1
	}
	perTunnel := map[string]int{}
	for _, id := range open {
		named[id] = true
		b, err := c.Get(cctx, "tunneldoc:incident:"+id).Bytes()
		if err != nil {
			continue // expired or never written: not listed by the bot either
		}
		var in struct {
			Tunnel string `json:"tunnel"`
		}
		if json.Unmarshal(b, &in) == nil {
			perTunnel[in.Tunnel]++
		}
	}
	for _, n := range perTunnel {
		if n > 1 {
			dups++
		}
	}
	it := c.Scan(cctx, 0, "tunneldoc:tunnel:*", 1000).Iterator()
	for it.Next(cctx) {
		if id, err := c.Get(cctx, it.Val()).Result(); err == nil {
			named[id] = true
		}
	}
	it = c.Scan(cctx, 0, "tunneldoc:incident:*", 1000).Iterator()
	for it.Next(cctx) {
		if !named[strings.TrimPrefix(it.Val(), "tunneldoc:incident:")] {
			orphans++
		}
	}
	return dups, orphans
}

// countDiagnoses sums the diagnoses recorded in every incident (-1 when
// Redis cannot be read).
func countDiagnoses(ctx context.Context, c *redis.Client) int {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n := 0
	it := c.Scan(cctx, 0, "tunneldoc:incident:*", 1000).Iterator()
	for it.Next(cctx) {
		b, err := c.Get(cctx, it.Val()).Bytes()
		if err != nil {
			return -1
		}
		var in struct {
			Diagnoses []json.RawMessage `json:"diagnoses"`
		}
		if json.Unmarshal(b, &in) != nil {
			return -1
		}
		n += len(in.Diagnoses)
	}
	if it.Err() != nil {
		return -1
	}
	return n
}

func countKeys(ctx context.Context, c *redis.Client, pattern string) int {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n := 0
	it := c.Scan(cctx, 0, pattern, 1000).Iterator()
	for it.Next(cctx) {
		n++
	}
	if it.Err() != nil {
		return -1
	}
	return n
}

// uniqueTunnelNames suffixes every tunnel name in the lab inventory with its
// device's name. The lab clones scenarios, and clones share a tunnel name;
// tunneldoc takes a device with the same tunnel name for the tunnel's far
// end and reads it too, which a real inventory with one device per end
// would not do for unrelated devices.
func uniqueTunnelNames(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var out []string
	device := ""
	for _, line := range strings.Split(string(b), "\n") {
		t := strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(t, "- name: "); ok {
			device = strings.Fields(v)[0]
		} else if v, ok := strings.CutPrefix(t, "name: "); ok && strings.HasPrefix(line, "        ") && device != "" {
			line = strings.TrimSuffix(line, v) + strings.TrimSpace(v) + "-" + device
		}
		out = append(out, line)
	}
	return os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o600)
}

// answerFor is the first answer whose placeholder named key's suffix.
func (f *fakeSlack) answerFor(suffix string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ts, key := range f.placeholder {
		if strings.HasSuffix(key, suffix) {
			return f.finalText[ts]
		}
	}
	return "(none)"
}

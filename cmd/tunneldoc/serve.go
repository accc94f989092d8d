package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/monitor"
	"github.com/tunneldoc/tunneldoc/bot/ops"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/devices"
)

// checkHint ends the bot's "no device inventory" answer.
var checkHint = "configure a device inventory (see the README, \"Checking devices\")."

// runServe is `tunneldoc [serve|console] [--config FILE] [--listen ADDR]
// [--console]`: it loads the configuration once and runs Main. "console"
// (or --console) forces the console whatever tokens are set.
func runServe(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	forceConsole := false
	if len(args) > 0 && (args[0] == "serve" || args[0] == "console") {
		forceConsole = args[0] == "console"
		args = args[1:]
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "", "HTTP listen address in Events API mode (default slack.listen, $TUNNELDOC_LISTEN or :3000)")
	configPath := fs.String("config", "", "YAML configuration file (default $TUNNELDOC_CONFIG; none: defaults and the environment)")
	console := fs.Bool("console", false, "use the console even when Slack tokens are set")
	if !parseFlagsOnly(fs, args, stderr) {
		return 2
	}
	conf, err := loadConfig(*configPath, getenv)
	if err != nil {
		// an invalid configuration is refused, with every problem and its line
		fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
		return 2
	}
	if *listen != "" {
		conf.Slack.Listen = *listen
	}
	if forceConsole || *console {
		conf.Slack.Mode = modeConsole
	}
	m := &Main{Config: conf, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	defer m.Close()
	if err := m.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
		return 1
	}
	return 0
}

// Main is one running tunneldoc. Run builds every part from Config — the
// logger, the metrics, the incident store, the operations endpoint, the
// device collector, the monitor and the transport (console, Socket Mode
// or the HTTP Events API) — and runs until ctx ends; Close releases what
// Run built, last built first.
type Main struct {
	Config         Config
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// Built by Run.
	Transport string
	Log       *slog.Logger
	Metrics   *ops.Metrics
	Store     store.Store
	Ops       *opsServer
	Collector *devices.Collector // nil without an inventory
	Checker   bot.TunnelChecker  // nil without an inventory
	Peers     bot.PeerResolver   // nil without an inventory; the bot looks a check's peer up first

	closers []func()
}

// Close releases what Run built, in reverse order. Safe to call once
// after Run, whatever Run returned.
func (m *Main) Close() {
	for i := len(m.closers) - 1; i >= 0; i-- {
		m.closers[i]()
	}
	m.closers = nil
}

func (m *Main) onClose(f func()) { m.closers = append(m.closers, f) }

// Run builds every part and runs the transport until ctx ends.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	m.Transport = c.Transport()
	log, err := ops.NewLogger(m.Stderr, c.LogFormat(), c.logLevel())
	if err != nil {
		return err
	}
	m.Log = log
	m.Metrics = ops.NewMetrics()

	redisstore.SetLogger(log)
	raw := openStore(ctx, c, log)
	m.onClose(func() { _ = raw.Close() })
	if c.Redis.Required && isMemoryStore(raw) {
		return errors.New("redis.required is set and Redis is not reachable: refusing to run on the in-memory store")
	}
	countRedisErrors(raw, m.Metrics)
	m.Store = raw

	// /healthz, /readyz and /metrics, when ops.listen is set
	link := botslack.NewConnection() // what /readyz reports of Slack
	if err := m.startOps(ctx, raw, link); err != nil {
		return err
	}

	if inv := c.Devices.Loaded; inv != nil {
		// One collector for `check tunnel` and the monitor's polls: its
		// SSH session limits hold across both.
		m.Collector = devices.NewCollector(inv, devices.CollectorOptions{Logger: log, Getenv: c.Devices.Lookup})
		m.Checker = instrumentChecker(collectorChecker{m.Collector}, m.Metrics)
		m.Peers = collectorChecker{m.Collector}
	} else {
		log.Info("no device inventory configured: `check tunnel` will ask for pasted output")
	}
	a := c.Bot.Access
	if len(a.CheckUsers)+len(a.CheckGroups)+len(a.CheckChannels) == 0 && m.Checker != nil && m.Transport != modeConsole {
		log.Warn("access.check_users, check_groups and check_channels are empty: everyone who can reach the bot may run check")
	}
	cfg := bot.Config{
		Store: m.Store, Checker: m.Checker, Peers: m.Peers, Clock: clock.Real, Logger: log, Access: c.Bot.Access, Compare: comparePaste,
		MaxFileBytes: c.Bot.MaxFileBytes, CheckHint: checkHint, Metrics: m.Metrics, CheckTimeout: c.Bot.CheckTimeout,
		Counters: counterReader(m.Collector), SnapshotInterval: c.Devices.SnapshotInterval,
	}
	if m.Collector != nil {
		if ledger, ok := raw.(store.DebugLedger); ok {
			cfg.Debugger, cfg.Debugs = collectorDebugger{m.Collector}, ledger
		}
	}
	if m.Transport == modeConsole {
		return m.runConsole(ctx, cfg, raw)
	}
	return m.runSlack(ctx, cfg, raw, link)
}

// logLevel is log.level; on the console, where the terminal is for
// answers, warn unless log.level was set.
func (c Config) logLevel() slog.Level {
	if _, set := c.sources["log.level"]; !set && c.Transport() == modeConsole {
		return slog.LevelWarn
	}
	return c.Log.Level
}

func (m *Main) startOps(ctx context.Context, raw store.Store, link *botslack.Connection) error {
	c := m.Config
	if c.Ops.Listen == "" {
		return nil
	}
	deps := opsDeps{Metrics: m.Metrics, Redis: redisPinger(raw), Store: m.Store, ReadyTimeout: c.Ops.ReadyTimeout}
	if m.Transport != modeConsole {
		deps.Slack = link.State
	}
	srv, err := startOps(ctx, c.Ops.Listen, deps, m.Log)
	switch {
	case err != nil && m.Transport == modeConsole:
		// The console needs no health endpoint, and :9090 is also
		// Prometheus's port: say so and go on.
		m.Log.Warn("ops listener not started; the console works without it (set ops.listen / TUNNELDOC_OPS_LISTEN to another address, or off)", "listen", c.Ops.Listen, "err", err)
		return nil
	case err != nil:
		return fmt.Errorf("ops listener: %w", err)
	}
	m.Ops = srv
	m.onClose(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Stop(stopCtx)
	})
	return nil
}

// startMonitor starts the tunnel monitor (polling, syslog, webhooks) when
// monitor.* turn it on; it posts through the bot's messenger (and finds
// its posts with finder, when the messenger can look them up).
// mux, when not nil, is the Events API listener's: the webhook is served
// there unless monitor.webhook_listen gives it a listener of its own.
func (m *Main) startMonitor(ctx context.Context, cfg *bot.Config, finder bot.DeliveryFinder, raw store.Store, mux *http.ServeMux) error {
	stop, err := startMonitor(ctx, m.Config.Monitor, monitorDeps{
		Messenger: cfg.Messenger, Deliveries: cfg.Deliveries, Finder: finder, Store: raw, Collector: m.Collector, Checker: m.Checker, Clock: clock.Real, Logger: m.Log, Mux: mux,
		Started: func(mon *monitor.Monitor) { cfg.Silencer = mon },
	})
	if err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	m.onClose(stop)
	return nil
}

func (m *Main) runConsole(ctx context.Context, cfg bot.Config, raw store.Store) error {
	cfg.Messenger = bot.NewConsoleMessenger(m.Stdout)
	if err := m.startMonitor(ctx, &cfg, nil, raw, nil); err != nil {
		return err
	}
	b, err := bot.New(cfg)
	if err != nil {
		return err
	}
	prompt := ""
	if f, ok := m.Stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			prompt = "tunneldoc> "
		}
	}
	return bot.RunConsole(ctx, b, m.Stdin, m.Stdout, prompt)
}

func (m *Main) runSlack(ctx context.Context, cfg bot.Config, raw store.Store, link *botslack.Connection) error {
	c := m.Config
	apiOpts := botslack.APIOptions{URL: c.Slack.APIURL, HTTPClient: &http.Client{Transport: ops.SlackTransport(m.Metrics, nil), Timeout: 30 * time.Second}}
	if m.Transport == modeSocketMode {
		apiOpts.AppToken = c.Slack.AppToken.Reveal()
	}
	api := botslack.NewAPI(c.Slack.BotToken.Reveal(), apiOpts)
	authCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	auth, err := api.AuthTestContext(authCtx)
	cancel()
	if err != nil {
		return fmt.Errorf("Slack auth.test with $%s failed: %w", c.Slack.BotTokenEnv, err)
	}
	if auth.UserID == "" {
		return bot.ErrNoBotUser
	}
	messenger := botslack.NewMessenger(api, clock.Real, m.Log)
	messenger.Metrics = m.Metrics
	cfg.Messenger, cfg.Deliveries, cfg.Outbox = messenger, messenger, messenger
	var mux *http.ServeMux // the Events API listener's paths (http mode)
	if m.Transport == modeHTTP {
		mux = http.NewServeMux()
	}
	if err := m.startMonitor(ctx, &cfg, messenger, raw, mux); err != nil {
		return err
	}
	cfg.Forms = messenger
	cfg.Recover = messenger
	cfg.Settle = messenger
	cfg.Files = botslack.Files{API: api}
	cfg.Groups = botslack.Groups{API: api}
	cfg.BotUserID = auth.UserID
	b, err := bot.New(cfg)
	if err != nil {
		return err
	}
	m.Log.Info("tunneldoc bot starting", "transport", m.Transport, "team", auth.Team, "bot_user", auth.UserID, "api", apiHost(c.Slack.APIURL))
	if m.Transport == modeSocketMode {
		// The link is up once the websocket says hello. Refused for good
		// (a bad app token), Socket Mode stops and says why; the process
		// stays up reporting not ready, the monitor still posting, until
		// it is stopped: a restart would only be refused again.
		err := botslack.RunSocketMode(ctx, b, api, m.Log, link)
		var refused *botslack.RefusedError
		if errors.As(err, &refused) {
			<-ctx.Done()
			return nil
		}
		return err
	}
	link.Set(true, "") // HTTP: auth.test answered

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	h := botslack.NewHTTPHandler(workCtx, b, api, c.Slack.SigningSecret.Reveal(), clock.Real, m.Log)
	mux.Handle("/", h) // the monitor's webhook path, when mounted, is more specific
	srv := &http.Server{Addr: c.Slack.Listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	m.Log.Info("listening for Slack", "addr", c.Slack.Listen, "events", botslack.PathEvents, "interactive", botslack.PathInteractive, "commands", botslack.PathCommands)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if m.Ops != nil {
		m.Ops.Drain() // not ready any more: the load balancer stops sending work
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), c.Shutdown.Grace)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	// Let answers in flight finish, bounded by the shutdown grace.
	done := make(chan struct{})
	go func() { h.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func apiHost(u string) string {
	if u == "" {
		return "https://slack.com/api/"
	}
	return u
}

// openStore connects to the configured Redis, or falls back to memory
// with a warning so the bot still answers on a machine without Redis.
func openStore(ctx context.Context, c Config, log *slog.Logger) store.Store {
	url := c.RedisURL().Reveal()
	if url == "" {
		log.Warn("no Redis configured ($" + c.Redis.URLEnv + " not set): incident state is kept in memory and lost when tunneldoc stops")
		return store.NewMemory(c.Store)
	}
	r, err := redisstore.OpenURL(url, c.Store)
	if err != nil {
		log.Warn("Redis URL unusable: falling back to the in-memory store", "err", err)
		return store.NewMemory(c.Store)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := r.Ping(pingCtx); err != nil {
		log.Warn("Redis unreachable at start: falling back to the in-memory store (state is lost when tunneldoc stops)", "redis", redisstore.Describe(url), "err", err)
		_ = r.Close()
		return store.NewMemory(c.Store)
	}
	log.Info("incident state in Redis", "redis", redisstore.Describe(url))
	return r
}

func isMemoryStore(st store.Store) bool {
	_, ok := st.(*store.Memory)
	return ok
}

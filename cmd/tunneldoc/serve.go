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
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/monitor"
	"github.com/tunneldoc/tunneldoc/bot/ops"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
)

// tunnelCheckerFromEnv builds the TunnelChecker behind `check tunnel`
// (the devices adapter sets it). nil, or a nil checker, means no device
// inventory is configured and `check` says how to paste instead.
var tunnelCheckerFromEnv func(ctx context.Context, getenv func(string) string, log *slog.Logger) (bot.TunnelChecker, error)

// checkHint ends the bot's "no device inventory" answer.
var checkHint = "configure a device inventory (see the README, \"Checking devices\")."

// serveEnv is the bot's configuration, read from the environment.
type serveEnv struct {
	botToken, appToken, signingSecret string
	apiURL                            string
	redisURL                          string
	listen                            string
	access                            bot.Access
	resolvedTTL                       time.Duration
	maxFileBytes                      int64
	logLevel                          slog.Level
}

func list(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, f)
	}
	return out
}

func readServeEnv(getenv func(string) string) (serveEnv, error) {
	e := serveEnv{
		botToken:      getenv("SLACK_BOT_TOKEN"),
		appToken:      getenv("SLACK_APP_TOKEN"),
		signingSecret: getenv("SLACK_SIGNING_SECRET"),
		apiURL:        getenv("SLACK_API_URL"),
		redisURL:      getenv("REDIS_URL"),
		listen:        getenv("TUNNELDOC_LISTEN"),
		access: bot.Access{
			CheckUsers:    list(getenv("TUNNELDOC_CHECK_USERS")),
			CheckGroups:   list(getenv("TUNNELDOC_CHECK_GROUPS")),
			CheckChannels: list(getenv("TUNNELDOC_CHECK_CHANNELS")),
			PasteChannels: list(getenv("TUNNELDOC_PASTE_CHANNELS")),
		},
		resolvedTTL:  store.DefaultResolvedTTL,
		maxFileBytes: bot.DefaultMaxFileBytes,
		logLevel:     slog.LevelInfo,
	}
	if e.listen == "" {
		e.listen = ":3000"
	}
	if e.apiURL != "" && !strings.HasSuffix(e.apiURL, "/") {
		e.apiURL += "/" // slack-go appends the method name
	}
	if v := getenv("TUNNELDOC_ALLOW_BOTS"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return e, fmt.Errorf("TUNNELDOC_ALLOW_BOTS=%q: want true or false", v)
		}
		e.access.AllowBots = b
	}
	if v := getenv("TUNNELDOC_RESOLVED_TTL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return e, fmt.Errorf("TUNNELDOC_RESOLVED_TTL=%q: want a positive duration such as 168h", v)
		}
		e.resolvedTTL = d
	}
	if v := getenv("TUNNELDOC_MAX_FILE_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return e, fmt.Errorf("TUNNELDOC_MAX_FILE_BYTES=%q: want a positive number of bytes", v)
		}
		e.maxFileBytes = n
	}
	if v := getenv("TUNNELDOC_LOG_LEVEL"); v != "" {
		if err := e.logLevel.UnmarshalText([]byte(v)); err != nil {
			return e, fmt.Errorf("TUNNELDOC_LOG_LEVEL=%q: want debug, info, warn or error", v)
		}
	}
	return e, nil
}

// transport names the way in, chosen from the environment.
func (e serveEnv) transport() string {
	switch {
	case e.botToken != "" && e.appToken != "":
		return "socketmode"
	case e.botToken != "" && e.signingSecret != "":
		return "http"
	}
	return "console"
}

// runServe runs the bot: Socket Mode when SLACK_APP_TOKEN and
// SLACK_BOT_TOKEN are set, the HTTP Events API when SLACK_SIGNING_SECRET and
// SLACK_BOT_TOKEN are, else a console on stdin/stdout. args may start with
// "serve" or "console" ("console" forces the console).
func runServe(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	forceConsole := false
	if len(args) > 0 && (args[0] == "serve" || args[0] == "console") {
		forceConsole = args[0] == "console"
		args = args[1:]
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "", "HTTP listen address in Events API mode (default $TUNNELDOC_LISTEN or :3000)")
	configPath := fs.String("config", "", "YAML configuration file (default $TUNNELDOC_CONFIG; none: defaults and the environment)")
	console := fs.Bool("console", false, "use the console even when Slack tokens are set")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tunneldoc serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	conf, err := loadConfig(*configPath, getenv)
	if err != nil {
		// an invalid configuration is refused, with every problem and its line
		fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
		return 2
	}
	env, err := readServeEnv(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
		return 2
	}
	env.applyConfig(conf)
	if *listen != "" {
		env.listen = *listen
	}
	mode := env.transport()
	if forceConsole || *console {
		mode = "console"
	}
	level := env.logLevel
	if mode == "console" && getenv("TUNNELDOC_LOG_LEVEL") == "" {
		level = slog.LevelWarn // the terminal is for answers; audit lines only on request
	}
	var log *slog.Logger
	if mode == "console" || conf.LogFormat() == "text" {
		log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	} else {
		log, _ = ops.NewLogger(stderr, "json", level)
	}
	metrics := ops.NewMetrics()

	redisstore.SetLogger(log)
	raw := openStore(ctx, env, log)
	if conf.Redis.Required && isMemoryStore(raw) {
		fmt.Fprintln(stderr, "tunneldoc: redis.required is set and Redis is not reachable: refusing to run on the in-memory store")
		return 1
	}
	defer raw.Close()
	countRedisErrors(raw, metrics)
	st := raw

	// /healthz, /readyz and /metrics, when ops.listen is set
	link := &slackLink{}
	var opsSrv *opsServer
	if conf.Ops.Listen != "" {
		deps := opsDeps{Metrics: metrics, Redis: redisPinger(raw), Store: st, ReadyTimeout: conf.Ops.ReadyTimeout}
		if mode != "console" {
			deps.SlackConnected = link.Connected
		}
		opsSrv, err = startOps(ctx, conf.Ops.Listen, deps, log)
		switch {
		case err != nil && mode == "console":
			// The console needs no health endpoint, and :9090 is also
			// Prometheus's port: say so and go on.
			log.Warn("ops listener not started; the console works without it (set ops.listen / TUNNELDOC_OPS_LISTEN to another address, or off)", "listen", conf.Ops.Listen, "err", err)
			opsSrv = nil
		case err != nil:
			fmt.Fprintf(stderr, "tunneldoc: ops listener: %v\n", err)
			return 1
		}
	}
	if opsSrv != nil {
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = opsSrv.Stop(stopCtx)
		}()
	}

	// the device inventory: devices.inventory from the file, else TUNNELDOC_INVENTORY
	invEnv := getenv
	var checker bot.TunnelChecker
	if tunnelCheckerFromEnv != nil {
		if conf.Inventory != "" {
			// devices.inventory from the file (TUNNELDOC_INVENTORY already folded in)
			invEnv = func(k string) string {
				if k == "TUNNELDOC_INVENTORY" {
					return conf.Inventory
				}
				return getenv(k)
			}
		}
		c, err := tunnelCheckerFromEnv(ctx, invEnv, log)
		if err != nil {
			fmt.Fprintf(stderr, "tunneldoc: device inventory: %v\n", err)
			return 2
		}
		if c != nil {
			checker = instrumentChecker(c, metrics)
		}
	}
	if checker == nil {
		log.Info("no device inventory configured: `check tunnel` will ask for pasted output")
	}
	if len(env.access.CheckUsers)+len(env.access.CheckGroups)+len(env.access.CheckChannels) == 0 && checker != nil && mode != "console" {
		log.Warn("TUNNELDOC_CHECK_USERS/GROUPS/CHANNELS unset: everyone who can reach the bot may run check")
	}
	cfg := bot.Config{
		Store: st, Checker: checker, Clock: bot.RealClock, Logger: log, Access: env.access, Compare: comparePaste,
		MaxFileBytes: env.maxFileBytes, CheckHint: checkHint, Metrics: metrics, CheckTimeout: conf.CheckTimeout,
	}

	// The tunnel monitor (polling, syslog, webhooks) posts through the same
	// messenger as the bot; off unless TUNNELDOC_MONITOR_* turn it on.
	startMon := func(m bot.Messenger) (func(), bool) {
		stop, err := startMonitor(ctx, monitorDeps{Getenv: monitorGetenv(conf, invEnv), Messenger: m, Store: raw, Checker: checker, Clock: bot.RealClock, Logger: log,
			Started: func(mon *monitor.Monitor) { cfg.Silencer = mon }})
		if err != nil {
			fmt.Fprintf(stderr, "tunneldoc: monitor: %v\n", err)
			return nil, false
		}
		return stop, true
	}

	switch mode {
	case "console":
		cfg.Messenger = bot.NewConsoleMessenger(stdout)
		stopMon, ok := startMon(cfg.Messenger)
		if !ok {
			return 2
		}
		defer stopMon()
		b, err := bot.New(cfg)
		if err != nil {
			fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
			return 1
		}
		prompt := ""
		if f, ok := stdin.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				prompt = "tunneldoc> "
			}
		}
		if err := bot.RunConsole(ctx, b, stdin, stdout, prompt); err != nil {
			fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
			return 1
		}
		return 0
	}

	opts := []slack.Option{}
	if env.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(env.apiURL))
	}
	if mode == "socketmode" {
		opts = append(opts, slack.OptionAppLevelToken(env.appToken))
	}
	opts = append(opts, slack.OptionHTTPClient(&http.Client{Transport: ops.SlackTransport(metrics, nil), Timeout: 30 * time.Second}))
	api := slack.New(env.botToken, opts...)
	authCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	auth, err := api.AuthTestContext(authCtx)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc: Slack auth.test with SLACK_BOT_TOKEN failed: %v\n", err)
		return 1
	}
	if auth.UserID == "" {
		fmt.Fprintf(stderr, "tunneldoc: %v\n", bot.ErrNoBotUser)
		return 1
	}
	messenger := bot.NewSlackMessenger(api, bot.RealClock, log)
	cfg.Messenger = messenger
	stopMon, ok := startMon(messenger)
	if !ok {
		return 2
	}
	defer stopMon()
	cfg.Modals = messenger
	cfg.Recover = messenger
	cfg.Files = bot.SlackFiles{API: api}
	cfg.Groups = bot.SlackGroups{API: api}
	cfg.BotUserID = auth.UserID
	b, err := bot.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
		return 1
	}
	log.Info("tunneldoc bot starting", "transport", mode, "team", auth.Team, "bot_user", auth.UserID, "api", apiHost(env.apiURL))
	link.Set(true) // auth.test answered; Socket Mode reconnects on its own

	if mode == "socketmode" {
		sm := socketmode.New(api)
		if err := bot.RunSocketMode(ctx, b, sm, log); err != nil {
			fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
			return 1
		}
		return 0
	}

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	h := bot.NewHTTPHandler(workCtx, b, env.signingSecret, bot.RealClock, log)
	srv := &http.Server{Addr: env.listen, Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("listening for Slack", "addr", env.listen, "events", bot.PathEvents, "interactive", bot.PathInteractive, "commands", bot.PathCommands)
	select {
	case err := <-errc:
		stopWork()
		fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	if opsSrv != nil {
		opsSrv.Drain() // not ready any more: the load balancer stops sending work
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), conf.ShutdownGrace)
	defer cancel()
	_ = srv.Shutdown(shutCtx)
	// Let answers in flight finish, bounded by the shutdown timeout.
	done := make(chan struct{})
	go func() { h.Wait(); close(done) }()
	select {
	case <-done:
	case <-shutCtx.Done():
	}
	stopWork()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "tunneldoc: %v\n", err)
		return 1
	}
	return 0
}

func apiHost(u string) string {
	if u == "" {
		return "https://slack.com/api/"
	}
	return u
}

// openStore connects to REDIS_URL, or falls back to memory with a warning
// so the bot still answers on a machine without Redis.
func openStore(ctx context.Context, env serveEnv, log *slog.Logger) store.Store {
	opts := store.Options{ResolvedTTL: env.resolvedTTL}
	if env.redisURL == "" {
		log.Warn("REDIS_URL not set: incident state is kept in memory and lost when tunneldoc stops")
		return store.NewMemory(opts)
	}
	r, err := redisstore.OpenURL(env.redisURL, opts)
	if err != nil {
		log.Warn("REDIS_URL unusable: falling back to the in-memory store", "err", err)
		return store.NewMemory(opts)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := r.Ping(pingCtx); err != nil {
		log.Warn("Redis unreachable at start: falling back to the in-memory store (state is lost when tunneldoc stops)", "redis", redisstore.Describe(env.redisURL), "err", err)
		_ = r.Close()
		return store.NewMemory(opts)
	}
	log.Info("incident state in Redis", "redis", redisstore.Describe(env.redisURL))
	return r
}

// applyConfig lays the configuration (file, then TUNNELDOC_* overrides,
// then the secrets its *_env keys name) over what the environment alone
// gave: the file can name other variables for the tokens and set what the
// environment does not.
func (e *serveEnv) applyConfig(c Config) {
	if v := c.Slack.BotToken.Reveal(); v != "" {
		e.botToken = v
	}
	if v := c.Slack.AppToken.Reveal(); v != "" {
		e.appToken = v
	}
	if v := c.Slack.SigningSecret.Reveal(); v != "" {
		e.signingSecret = v
	}
	switch c.Slack.Mode {
	case modeConsole:
		e.botToken, e.appToken, e.signingSecret = "", "", ""
	case modeHTTP:
		e.appToken = ""
	}
	if c.Slack.APIURL != "" {
		e.apiURL = c.Slack.APIURL
	}
	if c.Slack.Listen != "" && e.listen == ":3000" {
		e.listen = c.Slack.Listen
	}
	if v := c.RedisURL().Reveal(); v != "" {
		e.redisURL = v
	}
	if len(c.Access.CheckUsers)+len(c.Access.CheckGroups)+len(c.Access.CheckChannels)+len(c.Access.PasteChannels) > 0 || c.Access.AllowBots {
		e.access = c.Access
	}
	if c.ResolvedTTL > 0 {
		e.resolvedTTL = c.ResolvedTTL
	}
	if c.MaxFileBytes > 0 {
		e.maxFileBytes = c.MaxFileBytes
	}
}

func isMemoryStore(st store.Store) bool {
	_, ok := st.(*store.Memory)
	return ok
}

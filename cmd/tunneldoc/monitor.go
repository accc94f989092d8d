package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/monitor"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/devices"
)

// monitorDeps is what the tunnel monitor needs from serve.
type monitorDeps struct {
	Getenv    func(string) string
	Messenger bot.Messenger // the bot's: Slack order, 429 waits, or the console
	// Store is the bot's incident store: monitor incidents show in `status`
	// and own their threads. When it is Redis it also holds the monitor's
	// state (leases, claims, records); otherwise State or memory does.
	Store     store.Store
	State     store.MonitorState // optional override
	Checker   bot.TunnelChecker  // nil: built from the inventory
	Inventory *devices.Inventory // nil: TUNNELDOC_INVENTORY
	// Mux, when set, serves the webhook at TUNNELDOC_MONITOR_WEBHOOK_PATH
	// (the Events API listener); TUNNELDOC_MONITOR_WEBHOOK_LISTEN starts a
	// listener of the monitor's own instead.
	Mux    *http.ServeMux
	Clock  bot.Clock
	Logger *slog.Logger
	// Started, when set, receives the running monitor (for the `silence`
	// command and `status`).
	Started func(*monitor.Monitor)
}

// monitorEnv is the monitor's configuration, from TUNNELDOC_MONITOR_*.
type monitorEnv struct {
	enabled       bool
	poll          bool
	cfg           monitor.Config
	syslogUDP     string
	syslogTCP     string
	webhookPath   string
	webhookListen string
	webhookToken  string
}

// readMonitorEnv reads TUNNELDOC_MONITOR_*; every problem is reported.
func readMonitorEnv(getenv func(string) string) (monitorEnv, error) {
	e := monitorEnv{webhookPath: "/monitor/alerts", poll: true}
	var errs []error
	dur := func(name string, into *time.Duration) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive duration such as 90s, 5m or 2h", name, v))
			return
		}
		*into = d
	}
	dur("TUNNELDOC_MONITOR_INTERVAL", &e.cfg.Interval)
	dur("TUNNELDOC_MONITOR_LEASE", &e.cfg.LeaseTTL)
	dur("TUNNELDOC_MONITOR_FLAP_WINDOW", &e.cfg.FlapWindow)
	dur("TUNNELDOC_MONITOR_REOPEN_WINDOW", &e.cfg.ReopenWindow)
	dur("TUNNELDOC_MONITOR_ROOT_EVERY", &e.cfg.RootEvery)
	dur("TUNNELDOC_MONITOR_CHECK_TIMEOUT", &e.cfg.CheckTimeout)
	if v := strings.TrimSpace(getenv("TUNNELDOC_MONITOR_FLAP_COUNT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 1000 {
			errs = append(errs, fmt.Errorf("TUNNELDOC_MONITOR_FLAP_COUNT=%q: want a whole number from 2 to 1000", v))
		}
		e.cfg.FlapCount = n
	}
	e.cfg.DefaultChannel = strings.TrimSpace(getenv("TUNNELDOC_MONITOR_CHANNEL"))
	if v := strings.TrimSpace(getenv("TUNNELDOC_MONITOR_CHANNELS")); v != "" {
		e.cfg.Channels = map[string]string{}
		for _, pair := range strings.Split(v, ",") {
			k, c, ok := strings.Cut(strings.TrimSpace(pair), "=")
			k, c = strings.TrimSpace(k), strings.TrimSpace(c)
			if !ok || k == "" || c == "" {
				errs = append(errs, fmt.Errorf("TUNNELDOC_MONITOR_CHANNELS: %q is not tunnel=CHANNEL_ID", pair))
				continue
			}
			e.cfg.Channels[k] = c
		}
	}
	switch strings.ToLower(strings.TrimSpace(getenv("TUNNELDOC_MONITOR"))) {
	case "", "auto":
		e.enabled = e.cfg.DefaultChannel != "" || len(e.cfg.Channels) > 0
	case "on", "true", "1", "yes":
		e.enabled = true
	case "off", "false", "0", "no":
		e.enabled = false
	default:
		errs = append(errs, fmt.Errorf("TUNNELDOC_MONITOR=%q: want on or off", getenv("TUNNELDOC_MONITOR")))
	}
	switch strings.ToLower(strings.TrimSpace(getenv("TUNNELDOC_MONITOR_POLL"))) {
	case "", "on", "true", "1", "yes":
	case "off", "false", "0", "no":
		e.poll = false
	default:
		errs = append(errs, fmt.Errorf("TUNNELDOC_MONITOR_POLL=%q: want on or off", getenv("TUNNELDOC_MONITOR_POLL")))
	}
	if v := strings.TrimSpace(getenv("TUNNELDOC_MONITOR_SYSLOG_ALLOW")); v != "" {
		for _, c := range strings.Split(v, ",") {
			c = strings.TrimSpace(c)
			p, err := netip.ParsePrefix(c)
			if err != nil {
				a, aerr := netip.ParseAddr(c)
				if aerr != nil {
					errs = append(errs, fmt.Errorf("TUNNELDOC_MONITOR_SYSLOG_ALLOW: %q is not an address or CIDR", c))
					continue
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			e.cfg.SyslogAllow = append(e.cfg.SyslogAllow, p.Masked())
		}
	}
	e.syslogUDP = strings.TrimSpace(getenv("TUNNELDOC_MONITOR_SYSLOG_UDP"))
	e.syslogTCP = strings.TrimSpace(getenv("TUNNELDOC_MONITOR_SYSLOG_TCP"))
	for _, a := range []struct{ name, v string }{{"TUNNELDOC_MONITOR_SYSLOG_UDP", e.syslogUDP}, {"TUNNELDOC_MONITOR_SYSLOG_TCP", e.syslogTCP}, {"TUNNELDOC_MONITOR_WEBHOOK_LISTEN", getenv("TUNNELDOC_MONITOR_WEBHOOK_LISTEN")}} {
		if a.v == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a.v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want host:port (\":5514\" for every address)", a.name, a.v))
		}
	}
	if p := strings.TrimSpace(getenv("TUNNELDOC_MONITOR_WEBHOOK_PATH")); p != "" {
		if !strings.HasPrefix(p, "/") {
			errs = append(errs, fmt.Errorf("TUNNELDOC_MONITOR_WEBHOOK_PATH=%q: want a path starting with /", p))
		}
		e.webhookPath = p
	}
	e.webhookListen = strings.TrimSpace(getenv("TUNNELDOC_MONITOR_WEBHOOK_LISTEN"))
	e.webhookToken = getenv("TUNNELDOC_MONITOR_WEBHOOK_TOKEN")
	if e.enabled && e.cfg.DefaultChannel == "" && len(e.cfg.Channels) == 0 {
		errs = append(errs, errors.New("the monitor is on but has nowhere to post: set TUNNELDOC_MONITOR_CHANNEL (and TUNNELDOC_MONITOR_CHANNELS for per-tunnel channels)"))
	}
	return e, errors.Join(errs...)
}

// collectorPoller reads a device's SA tables for the monitor: one login
// per device and interval, only the cheap commands.
type collectorPoller struct{ c *devices.Collector }

func (p collectorPoller) PollDevice(ctx context.Context, device string) (string, error) {
	col, err := p.c.PollDevice(ctx, device)
	if col == nil {
		return "", err
	}
	if err == nil {
		// An SA table cut short is not a table without the tunnel: a device
		// that stalls, floods or drops the connection mid-poll tells the
		// monitor nothing this round (it would read as "no IKE SA").
		err = incompleteResults(col)
	}
	return col.Transcript(), err
}

// incompleteResults joins the errors of the commands whose output came
// back incomplete; nil when every answer is whole.
func incompleteResults(col *devices.Collection) error {
	var errs []error
	for _, r := range col.Results {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	return errors.Join(errs...)
}

// monitorTargets lists every tunnel the inventory says must be up.
func monitorTargets(inv *devices.Inventory) []monitor.Target {
	if inv == nil {
		return nil
	}
	var out []monitor.Target
	for _, d := range inv.Devices {
		for _, t := range d.Tunnels {
			out = append(out, monitor.Target{Device: d.Name, Peer: t.Peer.String(), Name: t.Name})
		}
	}
	return out
}

// startMonitor starts the tunnel monitor when TUNNELDOC_MONITOR_* turn it
// on: polling (when there is an inventory), the syslog listeners and the
// webhook. stop ends all of it and waits; it is safe to call once.
func startMonitor(ctx context.Context, deps monitorDeps) (stop func(), err error) {
	if deps.Getenv == nil {
		return nil, errors.New("monitor: no environment")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Clock == nil {
		deps.Clock = bot.RealClock
	}
	env, err := readMonitorEnv(deps.Getenv)
	if err != nil {
		return nil, err
	}
	if !env.enabled {
		return func() {}, nil
	}
	if deps.Messenger == nil {
		return nil, errors.New("monitor: no Messenger to post with")
	}
	inv := deps.Inventory
	if inv == nil && deps.Getenv("TUNNELDOC_INVENTORY") != "" {
		if inv, err = devices.LoadInventory(deps.Getenv("TUNNELDOC_INVENTORY")); err != nil {
			return nil, fmt.Errorf("monitor: %w", err)
		}
	}
	checker := deps.Checker
	var poller monitor.DevicePoller
	if inv != nil {
		col := devices.NewCollector(inv, devices.CollectorOptions{Logger: deps.Logger, Getenv: deps.Getenv})
		poller = collectorPoller{col}
		if checker == nil {
			checker = collectorChecker{col}
		}
	}
	state := deps.State
	if state == nil {
		if r, ok := deps.Store.(*redisstore.Store); ok {
			state = r
		} else {
			deps.Logger.Warn("monitor state in memory: run one replica only (set REDIS_URL for several)")
			state = store.NewMemoryMonitor(deps.Clock.Now)
		}
	}
	targets := monitorTargets(inv)
	if !env.poll {
		targets = nil
	}
	m, err := monitor.New(env.cfg, monitor.Deps{
		Messenger: deps.Messenger, State: state, Incidents: deps.Store, Checker: checker, Poller: poller,
		Targets: targets, Clock: deps.Clock, Logger: deps.Logger,
	})
	if err != nil {
		return nil, err
	}
	mctx, cancel := context.WithCancel(ctx)
	var waits []func()
	fail := func(err error) (func(), error) {
		cancel()
		for _, w := range waits {
			w()
		}
		return nil, err
	}
	if env.syslogUDP != "" || env.syslogTCP != "" {
		srv, err := m.ListenSyslog(mctx, env.syslogUDP, env.syslogTCP)
		if err != nil {
			return fail(fmt.Errorf("monitor: %w", err))
		}
		deps.Logger.Info("monitor syslog listening", "udp", srv.UDPAddr(), "tcp", srv.TCPAddr())
		waits = append(waits, func() { srv.Close() })
	}
	hook := m.WebhookHandler(env.webhookToken)
	if env.webhookToken == "" {
		deps.Logger.Warn("monitor webhook has no TUNNELDOC_MONITOR_WEBHOOK_TOKEN: anyone who reaches it can open incidents")
	}
	switch {
	case env.webhookListen != "":
		ln, err := net.Listen("tcp", env.webhookListen)
		if err != nil {
			return fail(fmt.Errorf("monitor webhook: %w", err))
		}
		mux := http.NewServeMux()
		mux.Handle(env.webhookPath, hook)
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
		done := make(chan struct{})
		go func() { defer close(done); _ = hs.Serve(ln) }()
		deps.Logger.Info("monitor webhook listening", "addr", ln.Addr().String(), "path", env.webhookPath)
		waits = append(waits, func() {
			sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
			defer c()
			_ = hs.Shutdown(sctx)
			<-done
		})
	case deps.Mux != nil:
		deps.Mux.Handle(env.webhookPath, hook)
		deps.Logger.Info("monitor webhook mounted", "path", env.webhookPath)
	}
	runDone := make(chan struct{})
	go func() { defer close(runDone); _ = m.Run(mctx) }()
	waits = append(waits, func() { <-runDone })
	if deps.Started != nil {
		deps.Started(m)
	}
	var once bool
	return func() {
		if once {
			return
		}
		once = true
		cancel()
		for _, w := range waits {
			w()
		}
	}, nil
}

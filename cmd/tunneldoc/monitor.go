package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/monitor"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/devices"
)

// monitorDeps is what the tunnel monitor needs besides its configuration.
type monitorDeps struct {
	Messenger bot.Messenger // the bot's: Slack order, 429 waits, or the console
	// Deliveries and Finder are the Messenger's (bot/slack) when it
	// queues posts and can look them up; nil on the console.
	Deliveries bot.DeliveryWatcher
	Finder     bot.DeliveryFinder
	// Store is the bot's incident store: monitor incidents show in `status`
	// and own their threads. When it is Redis it also holds the monitor's
	// state (leases, claims, records); otherwise State or memory does.
	Store store.Store
	State store.MonitorState // optional override
	// Collector polls the inventory's devices; nil: no polling.
	Collector *devices.Collector
	Checker   bot.TunnelChecker // nil: the Collector's
	// Mux, when set, serves the webhook at monitor.webhook_path (the
	// Events API listener); monitor.webhook_listen starts a listener of
	// the monitor's own instead.
	Mux    *http.ServeMux
	Clock  clock.Clock
	Logger *slog.Logger
	// Started, when set, receives the running monitor (for the `silence`
	// command and `status`).
	Started func(*monitor.Monitor)
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

// startMonitor starts the tunnel monitor when the monitor section turns
// it on: polling (when there is an inventory), the syslog listeners and
// the webhook. stop ends all of it and waits; it is safe to call once.
func startMonitor(ctx context.Context, cfg MonitorConfig, deps monitorDeps) (stop func(), err error) {
	if !cfg.On() {
		return func() {}, nil
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Clock == nil {
		deps.Clock = clock.Real
	}
	if deps.Messenger == nil {
		return nil, errors.New("monitor: no Messenger to post with")
	}
	checker := deps.Checker
	var poller monitor.DevicePoller
	var targets []monitor.Target
	if deps.Collector != nil {
		poller = collectorPoller{deps.Collector}
		if checker == nil {
			checker = collectorChecker{deps.Collector}
		}
		if cfg.Poll {
			targets = monitorTargets(deps.Collector.Inventory())
		}
	}
	state := deps.State
	if state == nil {
		if r, ok := deps.Store.(*redisstore.Store); ok {
			state = r
		} else {
			deps.Logger.Warn("monitor state in memory: run one replica only (configure Redis for several)")
			state = store.NewMemoryMonitor(deps.Clock)
		}
	}
	m, err := monitor.New(cfg.Config, monitor.Deps{
		Messenger: deps.Messenger, Deliveries: deps.Deliveries, Finder: deps.Finder, State: state, Incidents: deps.Store, Checker: checker, Poller: poller,
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
	if cfg.SyslogUDP != "" || cfg.SyslogTCP != "" {
		srv, err := m.ListenSyslog(mctx, cfg.SyslogUDP, cfg.SyslogTCP)
		if err != nil {
			return fail(fmt.Errorf("monitor: %w", err))
		}
		deps.Logger.Info("monitor syslog listening", "udp", srv.UDPAddr(), "tcp", srv.TCPAddr())
		waits = append(waits, func() { srv.Close() })
	}
	hook := m.WebhookHandler(cfg.WebhookToken.Reveal())
	if cfg.WebhookToken == "" && (cfg.WebhookListen != "" || deps.Mux != nil) {
		deps.Logger.Warn("monitor webhook has no token ($" + cfg.WebhookTokenEnv + " is not set): anyone who reaches it can open incidents")
	}
	switch {
	case cfg.WebhookListen != "":
		ln, err := net.Listen("tcp", cfg.WebhookListen)
		if err != nil {
			return fail(fmt.Errorf("monitor webhook: %w", err))
		}
		mux := http.NewServeMux()
		mux.Handle(cfg.WebhookPath, hook)
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
		done := make(chan struct{})
		go func() { defer close(done); _ = hs.Serve(ln) }()
		deps.Logger.Info("monitor webhook listening", "addr", ln.Addr().String(), "path", cfg.WebhookPath)
		waits = append(waits, func() {
			sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
			defer c()
			_ = hs.Shutdown(sctx)
			<-done
		})
	case deps.Mux != nil:
		deps.Mux.Handle(cfg.WebhookPath, hook)
		deps.Logger.Info("monitor webhook mounted", "path", cfg.WebhookPath)
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

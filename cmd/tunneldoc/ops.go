package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/ops"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// opsDeps are what the operations endpoint reports on.
type opsDeps struct {
	Metrics *ops.Metrics
	// Redis is pinged by /readyz; nil when the store is in memory.
	Redis ops.Pinger
	// Store feeds the open-incidents gauge; nil leaves it alone.
	Store store.Store
	// Slack is the transport's connection state (slack.Connection.State);
	// nil on the console (not configured).
	Slack        func() (up bool, note string)
	ReadyTimeout time.Duration
	// GaugeEvery is how often the open-incidents gauge is refreshed
	// (default 30s): one ListOpen per interval, not one per scrape.
	GaugeEvery time.Duration
}

// opsServer is the running operations endpoint.
type opsServer struct {
	handler *ops.Handler
	srv     *http.Server
	addr    string
	errc    chan error
	stopBg  context.CancelFunc
	bg      sync.WaitGroup

	stopOnce sync.Once
	stopErr  error
}

// startOps listens on addr (an error now, not later, when the port is
// taken) and serves /healthz, /readyz and /metrics until Stop.
func startOps(ctx context.Context, addr string, deps opsDeps, log *slog.Logger) (*opsServer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("operations endpoint: %w", err)
	}
	h := ops.NewHandler(ops.Options{
		Metrics: deps.Metrics, Redis: deps.Redis, Slack: deps.Slack,
		ReadyTimeout: deps.ReadyTimeout, Logger: log,
	})
	s := &opsServer{
		handler: h,
		srv:     &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second},
		addr:    ln.Addr().String(),
		errc:    make(chan error, 1),
	}
	go func() { s.errc <- s.srv.Serve(ln) }()
	bgCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stopBg = cancel
	if deps.Store != nil && deps.Metrics != nil {
		every := deps.GaugeEvery
		if every <= 0 {
			every = 30 * time.Second
		}
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			refreshOpenIncidents(bgCtx, deps.Store, deps.Metrics, every, log)
		}()
	}
	log.Info("operations endpoint listening", "addr", s.addr, "paths", []string{ops.PathHealth, ops.PathReady, ops.PathMetrics})
	return s, nil
}

// Addr is the address actually bound (":0" resolved).
func (s *opsServer) Addr() string { return s.addr }

// Drain makes /readyz answer 503 from now on: call it first on SIGTERM.
func (s *opsServer) Drain() { s.handler.Drain() }

// Stop shuts the endpoint down, waiting for scrapes in flight until ctx
// ends. Later calls return the first call's result.
func (s *opsServer) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() {
		s.stopBg()
		err := s.srv.Shutdown(ctx)
		s.bg.Wait()
		if serveErr := <-s.errc; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
			err = serveErr
		}
		s.stopErr = err
	})
	return s.stopErr
}

func refreshOpenIncidents(ctx context.Context, st store.Store, m *ops.Metrics, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		open, err := st.ListOpen(qctx)
		cancel()
		if err == nil {
			m.SetOpenIncidents(len(open))
		} else if ctx.Err() == nil {
			log.Warn("open incidents gauge: listing failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// configLogger is the process logger the configuration asks for: JSON or
// text (log.format, "auto" resolved for the transport) at log.level, with
// request and incident IDs from the context.
func configLogger(c Config, w io.Writer) (*slog.Logger, error) {
	return ops.NewLogger(w, c.LogFormat(), c.Log.Level)
}

// instrumentDiagnose counts every diagnosis the bot makes (bot.Config.Diagnose).
func instrumentDiagnose(m *ops.Metrics, next func(string, diagnose.Options) diagnose.Report) func(string, diagnose.Options) diagnose.Report {
	if next == nil {
		next = diagnose.Diagnose
	}
	return func(text string, opts diagnose.Options) diagnose.Report {
		r := next(text, opts)
		if r.Readable {
			m.Diagnosis(r.Phase, r.Cause)
		}
		return r
	}
}

// instrumentedChecker times device collections and counts SSH failures.
type instrumentedChecker struct {
	next bot.TunnelChecker
	m    *ops.Metrics
}

// instrumentChecker wraps the `check tunnel` collector; nil stays nil so
// the bot still knows no inventory is configured.
func instrumentChecker(c bot.TunnelChecker, m *ops.Metrics) bot.TunnelChecker {
	if c == nil || m == nil {
		return c
	}
	return instrumentedChecker{next: c, m: m}
}

// inventoryKinds are refusals from the inventory, not device failures.
var inventoryKinds = map[devices.Kind]bool{
	devices.UnknownPeer: true, devices.UnknownDevice: true, devices.AmbiguousPeer: true, devices.BadInventory: true,
}

func (c instrumentedChecker) CheckTunnel(ctx context.Context, peer, device string) (bot.CheckResult, error) {
	start := time.Now()
	res, err := c.next.CheckTunnel(ctx, peer, device)
	took := time.Since(start)
	kind := devices.KindOf(err)
	switch {
	case err == nil:
		c.m.ObserveCheck(took, ops.CheckOK)
	case inventoryKinds[kind]:
		// Answered from the inventory without touching a device.
	case kind == devices.Canceled || ctx.Err() != nil:
		c.m.ObserveCheck(took, ops.CheckInterrupted)
	default:
		c.m.ObserveCheck(took, ops.CheckError)
		c.m.SSHError(string(kind))
	}
	return res, err
}

// countRedisErrors has the Redis store count its failed operations in m,
// by store method; the in-memory store has no Redis to fail.
func countRedisErrors(st store.Store, m *ops.Metrics) {
	if r, ok := st.(*redisstore.Store); ok && m != nil {
		r.CountErrors(m.RedisError)
		r.CountFull(m.RedisFull)
	}
}

// redisPinger is the Redis behind st, or nil when st is in memory.
func redisPinger(st store.Store) ops.Pinger {
	if r, ok := st.(*redisstore.Store); ok {
		return r
	}
	return nil
}

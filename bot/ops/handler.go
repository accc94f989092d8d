package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Paths the operations handler serves. deploy/ manifests probe these; a
// test in cmd/tunneldoc checks they agree.
const (
	PathHealth  = "/healthz"
	PathReady   = "/readyz"
	PathMetrics = "/metrics"
)

// DefaultReadyTimeout bounds each readiness check, well inside the
// default Kubernetes probe timeout.
const DefaultReadyTimeout = 2 * time.Second

// Pinger is the Redis store as readiness sees it (bot/store/redis.Store).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options are what the operations handler reports on.
type Options struct {
	Metrics *Metrics
	// Redis is pinged on every /readyz; nil means no Redis is configured
	// (the in-memory store), which is ready.
	Redis Pinger
	// Slack reports whether the Slack connection is up and, when it is
	// not, why (connecting, cannot connect, refused for good); nil means
	// Slack is not configured (console), which is ready.
	Slack func() (up bool, note string)
	// ReadyTimeout bounds each check; zero means DefaultReadyTimeout.
	ReadyTimeout time.Duration
	Logger       *slog.Logger
}

// Handler serves /healthz, /readyz and /metrics.
type Handler struct {
	opts     Options
	mux      *http.ServeMux
	draining atomic.Bool
	// pinging is set while a Redis ping runs: a ping left unanswered by a
	// frozen server is not joined by another one per probe.
	pinging atomic.Bool
}

// NewHandler returns the operations handler.
func NewHandler(o Options) *Handler {
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = DefaultReadyTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opts: o, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+PathHealth, h.health)
	h.mux.HandleFunc("GET "+PathReady, h.ready)
	h.mux.Handle("GET "+PathMetrics, o.Metrics.Handler())
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Drain makes /readyz fail from now on, so a load balancer or Kubernetes
// stops sending work while the process finishes what it has (SIGTERM).
// /healthz keeps answering: the process is alive until it exits.
func (h *Handler) Drain() { h.draining.Store(true) }

func (h *Handler) health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

// Check is one line of the readiness answer.
type Check struct {
	Name string
	OK   bool
	Note string
}

// Ready runs the readiness checks; ok is true when all pass.
func (h *Handler) Ready(ctx context.Context) (checks []Check, ok bool) {
	ok = true
	if h.draining.Load() {
		checks = append(checks, Check{Name: "process", OK: false, Note: "draining (shutting down)"})
		h.opts.Metrics.readinessFailure("draining")
		ok = false
	}
	switch {
	case h.opts.Redis == nil:
		checks = append(checks, Check{Name: "redis", OK: true, Note: "not configured (in-memory store)"})
	default:
		if err := h.pingRedis(ctx); err != nil {
			// The store redacts the URL from its errors; the message names
			// the failure (refused, timeout), never the password.
			// The Redis store counts the failed Ping itself.
			checks = append(checks, Check{Name: "redis", OK: false, Note: err.Error()})
			h.opts.Metrics.readinessFailure("redis")
			ok = false
		} else {
			checks = append(checks, Check{Name: "redis", OK: true, Note: "reachable"})
		}
	}
	if h.opts.Slack == nil {
		checks = append(checks, Check{Name: "slack", OK: true, Note: "not configured"})
	} else if up, note := h.opts.Slack(); up {
		checks = append(checks, Check{Name: "slack", OK: true, Note: "connected"})
	} else {
		if note == "" {
			note = "not connected"
		}
		checks = append(checks, Check{Name: "slack", OK: false, Note: note})
		h.opts.Metrics.readinessFailure("slack")
		ok = false
	}
	return checks, ok
}

// pingRedis answers within ReadyTimeout even when the client does not
// honour the context's deadline (go-redis waits for its own socket
// timeouts on a server that accepts and never answers): the ping goes on
// in the background and its late answer is dropped. One ping at a time:
// while an earlier one is unanswered, the check fails at once.
func (h *Handler) pingRedis(ctx context.Context) error {
	if !h.pinging.CompareAndSwap(false, true) {
		return errors.New("redis ping: an earlier ping is still unanswered")
	}
	// The ping outlives the probe when Redis is slow; it ends on its own
	// deadline, not with the request, so the store sees (and counts) the
	// failure instead of a cancellation.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.opts.ReadyTimeout)
	done := make(chan error, 1)
	go func() {
		defer cancel()
		defer h.pinging.Store(false)
		done <- h.opts.Redis.Ping(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("redis ping: no answer within %s", h.opts.ReadyTimeout)
	}
}

func (h *Handler) ready(w http.ResponseWriter, r *http.Request) {
	checks, ok := h.Ready(r.Context())
	var b strings.Builder
	for _, c := range checks {
		state := "ok"
		if !c.OK {
			state = "FAIL"
		}
		fmt.Fprintf(&b, "%s: %s (%s)\n", c.Name, state, c.Note)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ok {
		h.opts.Logger.Warn("not ready", "checks", strings.TrimSpace(strings.ReplaceAll(b.String(), "\n", "; ")))
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprint(w, b.String())
}

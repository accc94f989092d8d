package ops

import (
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metric names, for dashboards, alerts and tests.
const (
	MetricDiagnoses        = "tunneldoc_diagnoses_total"
	MetricCheckDuration    = "tunneldoc_check_duration_seconds"
	MetricSSHErrors        = "tunneldoc_ssh_errors_total"
	MetricSlackCalls       = "tunneldoc_slack_api_calls_total"
	MetricSlackErrors      = "tunneldoc_slack_api_errors_total"
	MetricOpenIncidents    = "tunneldoc_open_incidents"
	MetricMonitorSweep     = "tunneldoc_monitor_sweep_duration_seconds"
	MetricRedisErrors      = "tunneldoc_redis_errors_total"
	MetricRedisFull        = "tunneldoc_redis_full_total"
	MetricBuildInfo        = "tunneldoc_build_info"
	MetricReadinessFailure = "tunneldoc_readiness_failures_total"
	MetricDeferred         = "tunneldoc_deferred_writes_total"
)

// Check outcomes for ObserveCheck.
const (
	CheckOK          = "ok"          // the device answered and a diagnosis was made
	CheckError       = "error"       // the collection failed (see SSHError for the kind)
	CheckInterrupted = "interrupted" // shutdown or the user's deadline cut it short
)

// Metrics is every metric tunneldoc exports, on its own registry (so tests
// and several bots in one process never collide). The zero of *Metrics,
// nil, is valid and records nothing.
type Metrics struct {
	reg           *prometheus.Registry
	diagnoses     *prometheus.CounterVec
	checkDuration *prometheus.HistogramVec
	sshErrors     *prometheus.CounterVec
	slackCalls    *prometheus.CounterVec
	slackErrors   *prometheus.CounterVec
	openIncidents prometheus.Gauge
	monitorSweep  prometheus.Histogram
	redisErrors   *prometheus.CounterVec
	redisFull     *prometheus.CounterVec
	readyFailures *prometheus.CounterVec
	deferred      *prometheus.CounterVec
}

// NewMetrics registers tunneldoc's metrics, plus the Go runtime and
// process collectors, on a fresh registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		diagnoses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricDiagnoses,
			Help: "Diagnoses made, by failing phase and cause (contract codes; healthy tunnels count too).",
		}, []string{"phase", "cause"}),
		checkDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: MetricCheckDuration,
			Help: "Time to collect a tunnel's evidence from a device over SSH, by outcome (ok, error, interrupted).",
			// Device logins take from under a second (lab) to the check
			// timeout (2 minutes by default) on a slow ASA behind a jump host.
			Buckets: []float64{0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300},
		}, []string{"outcome"}),
		sshErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricSSHErrors,
			Help: "Failed device collections, by error kind (unreachable, timeout, auth failed, host key unknown, ...).",
		}, []string{"kind"}),
		slackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricSlackCalls,
			Help: "Slack Web API calls, by method (chat.postMessage, chat.update, ...).",
		}, []string{"method"}),
		slackErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricSlackErrors,
			Help: "Slack Web API calls that failed (transport error, HTTP error, 429, or ok=false), by method.",
		}, []string{"method"}),
		openIncidents: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: MetricOpenIncidents,
			Help: "Open or acknowledged incidents in the shared store (every replica reports the same value: use max, not sum).",
		}),
		monitorSweep: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    MetricMonitorSweep,
			Help:    "Time for one monitor sweep over the watched tunnels.",
			Buckets: []float64{0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600},
		}),
		redisErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRedisErrors,
			Help: "Redis operations that failed (not \"not found\"), by operation.",
		}, []string{"op"}),
		redisFull: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricRedisFull,
			Help: "Redis operations refused because Redis is out of memory (maxmemory with noeviction), by operation; also in " + MetricRedisErrors + ".",
		}, []string{"op"}),
		readyFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricReadinessFailure,
			Help: "Readiness probes answered 503, by the dependency that failed (redis, slack, draining).",
		}, []string{"reason"}),
		deferred: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: MetricDeferred,
			Help: "Writes held back while Redis or Slack failed, by queue (store, slack) and event (queued, written, delivered_late, dropped, given_up).",
		}, []string{"queue", "event"}),
	}
	version := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        MetricBuildInfo,
		Help:        "Always 1; the labels say which build runs.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.diagnoses, m.checkDuration, m.sshErrors, m.slackCalls, m.slackErrors,
		m.openIncidents, m.monitorSweep, m.redisErrors, m.redisFull, m.readyFailures, m.deferred, build,
	)
	return m
}

// Handler serves the registry in the Prometheus text (or OpenMetrics)
// format. On a nil *Metrics it answers 404.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// Diagnosis counts one diagnosis with its contract phase and cause.
func (m *Metrics) Diagnosis(phase, cause string) {
	if m == nil {
		return
	}
	m.diagnoses.WithLabelValues(label(phase, "none"), label(cause, "none")).Inc()
}

// ObserveCheck records how long a device collection took and how it ended
// (CheckOK, CheckError or CheckInterrupted).
func (m *Metrics) ObserveCheck(d time.Duration, outcome string) {
	if m == nil {
		return
	}
	m.checkDuration.WithLabelValues(label(outcome, "unknown")).Observe(d.Seconds())
}

// SSHError counts a failed device collection by its error kind.
func (m *Metrics) SSHError(kind string) {
	if m == nil {
		return
	}
	m.sshErrors.WithLabelValues(label(kind, "other")).Inc()
}

// SlackCall counts one Web API call, and its failure when failed.
func (m *Metrics) SlackCall(method string, failed bool) {
	if m == nil {
		return
	}
	method = label(method, "other")
	m.slackCalls.WithLabelValues(method).Inc()
	if failed {
		m.slackErrors.WithLabelValues(method).Inc()
	}
}

// SetOpenIncidents sets the number of open incidents.
func (m *Metrics) SetOpenIncidents(n int) {
	if m == nil {
		return
	}
	m.openIncidents.Set(float64(n))
}

// ObserveMonitorSweep records one monitor sweep's duration.
func (m *Metrics) ObserveMonitorSweep(d time.Duration) {
	if m == nil {
		return
	}
	m.monitorSweep.Observe(d.Seconds())
}

// RedisError counts a failed Redis operation (op names the store method).
func (m *Metrics) RedisError(op string) {
	if m == nil {
		return
	}
	m.redisErrors.WithLabelValues(label(op, "other")).Inc()
}

// RedisFull counts an operation refused because Redis is full.
func (m *Metrics) RedisFull(op string) {
	if m == nil {
		return
	}
	m.redisFull.WithLabelValues(label(op, "other")).Inc()
}

// Deferred counts what happened to a write held back while its backend
// failed: queue is "store" (Redis) or "slack"; event is queued, written,
// delivered_late, dropped (a bound was reached) or given_up.
func (m *Metrics) Deferred(queue, event string) {
	if m == nil {
		return
	}
	m.deferred.WithLabelValues(label(queue, "other"), label(event, "other")).Inc()
}

func (m *Metrics) readinessFailure(reason string) {
	if m == nil {
		return
	}
	m.readyFailures.WithLabelValues(reason).Inc()
}

// labelRE bounds what reaches a label value: label values are series, and
// a stray free-text value (an error message, a user's input) would make a
// new series for every request.
var labelRE = regexp.MustCompile(`^[A-Za-z0-9_. -]{1,64}$`)

func label(v, empty string) string {
	switch {
	case v == "":
		return empty
	case labelRE.MatchString(v):
		return v
	}
	return "other"
}

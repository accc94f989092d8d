// Package ops is how an operator watches a running tunneldoc: the
// operations HTTP handler (/healthz, /readyz, /metrics), the Prometheus
// metrics every other package records through one *Metrics value, and the
// structured (JSON) log setup with request and incident IDs.
//
// Other packages record metrics through Metrics' methods and never see a
// Prometheus type; a nil *Metrics records nothing, so callers need no
// checks. Readiness depends on two small things passed in (a Pinger for
// Redis, a func reporting the Slack connection), so this package must not
// import go-redis, slack-go, the bot, the devices package or the diagnosis
// engine. It is the only importer of github.com/prometheus/client_golang.
package ops

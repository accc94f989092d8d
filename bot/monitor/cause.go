package monitor

import (
	"context"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// A thread's cause only ever gets stronger within one outage: the order
// is bot.StrongerCause's (bot/cause.go), which a check's data-plane
// verdict follows too. A new outage (resolved, then down again) starts
// from nothing. A change that is recorded is posted in the thread
// (newCause).

// stronger says whether a reading (cause, confidence) should replace the
// record's cause for the same outage.
func stronger(r *record, cause string, confidence float64) bool {
	return bot.StrongerCause(r.Cause, r.Confidence, cause, confidence)
}

// setCause records a reading as the thread's cause.
func setCause(r *record, rep diagnose.Report, summary string) {
	r.Phase, r.Cause, r.Confidence, r.Summary = rep.Phase, rep.Cause, rep.Confidence, summary
}

// followIncident takes, as the outage's cause, a stronger one the bot
// recorded in the incident of the thread: a check's one-way verdict of
// two counter reads (bot/snapshots.go), or a diagnosis asked for in the
// thread. The bot said it where it was asked; the monitor's root, its
// `status` line and what it counts as news from then on follow it. A
// recorded diagnosis keeps no confidence: it counts as sure, so only a
// higher rank replaces it (as bot.StrongestDiagnosis's other readers do).
// It reports whether the cause changed; call it holding the tunnel.
func (m *Monitor) followIncident(ctx context.Context, r *record) bool {
	if m.deps.Incidents == nil || r.IncidentID == "" || !r.Open {
		return false
	}
	inc, err := m.deps.Incidents.Get(ctx, r.IncidentID)
	if err != nil {
		m.log.Warn("reading the bot incident's diagnoses", "incident", r.IncidentID, "err", err)
		return false
	}
	d, ok := bot.StrongestDiagnosis(inc.Diagnoses)
	if !ok || d.Source == store.SourceMonitor || !stronger(r, d.Cause, 1) {
		return false
	}
	r.Phase, r.Cause, r.Confidence, r.Summary = d.Phase, d.Cause, 1, ""
	return true
}

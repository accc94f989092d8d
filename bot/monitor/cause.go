package monitor

import (
	"github.com/tunneldoc/tunneldoc/bot"
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

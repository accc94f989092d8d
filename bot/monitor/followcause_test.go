package monitor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestMonitorFollowsIncidentCause: the monitor's thread names the peer as
// unreachable; a check then records one-way traffic (stronger, bot/cause.go)
// in the thread's incident, as the bot does for two counter reads. The
// next poll, still reading an unreachable peer, takes the incident's cause:
// the root and `status` name one-way traffic, and nothing is posted again
// (the check said it). A weaker reading never brings the old cause back; a
// stronger one of the monitor's own (a PSK mismatch) is news again.
func TestMonitorFollowsIncidentCause(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, Config{})
	r.set("ios-peer-unreachable")
	r.poll()
	all := r.log.snapshot()
	rs := roots(all)
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "peer unreachable") {
		t.Fatalf("want one root naming the unreachable peer:\n%s", dump(all))
	}
	root := rs[0].TS
	open, err := r.inc.ListOpen(ctx)
	if err != nil || len(open) != 1 {
		t.Fatalf("bot incidents %+v, %v", open, err)
	}
	// What the bot records for a check's one-way verdict (bot.record).
	if _, err := r.inc.Update(ctx, open[0].ID, store.AddDiagnosis(store.Diagnosis{Phase: diagnose.PhaseData, Cause: diagnose.CauseOneWayOutbound,
		Verdict: diagnose.VerdictDown, Source: store.SourceCheck, User: "U1", At: r.clock.Now()})); err != nil {
		t.Fatal(err)
	}
	posted := len(replies(all, root))

	r.clock.Advance(time.Minute)
	r.poll()
	all = r.log.snapshot()
	if n := len(replies(all, root)); n != posted {
		t.Errorf("following the incident's cause posted in the thread:\n%s", dump(all))
	}
	ups := updates(all, root)
	if len(ups) == 0 || !strings.Contains(ups[len(ups)-1].Text, "one way outbound") {
		t.Errorf("root not edited to the incident's cause:\n%s", dump(all))
	}
	st, err := r.m.Statuses(ctx)
	if err != nil || len(st) != 1 || st[0].Cause != diagnose.CauseOneWayOutbound || st[0].Phase != diagnose.PhaseData {
		t.Errorf("status %+v (%v), want %s", st, err, diagnose.CauseOneWayOutbound)
	}

	for range 2 {
		r.clock.Advance(time.Minute)
		r.poll()
		r.sweep()
	}
	if st, _ := r.m.Statuses(ctx); len(st) != 1 || st[0].Cause != diagnose.CauseOneWayOutbound {
		t.Errorf("a weaker reading replaced the incident's cause: %+v", st)
	}

	r.set("ios-psk-mismatch")
	r.clock.Advance(time.Minute)
	r.poll()
	all = r.log.snapshot()
	if n := len(replies(all, root)); n != posted+1 {
		t.Errorf("a stronger reading of the monitor's own: %d replies, want %d:\n%s", n, posted+1, dump(all))
	}
	if st, _ := r.m.Statuses(ctx); len(st) != 1 || st[0].Cause != diagnose.CausePSKMismatch {
		t.Errorf("status %+v, want %s", st, diagnose.CausePSKMismatch)
	}
	inc, err := r.inc.Get(ctx, open[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := bot.StrongestDiagnosis(inc.Diagnoses); !ok || d.Cause != diagnose.CausePSKMismatch {
		t.Errorf("the incident's strongest diagnosis %+v, want %s", d, diagnose.CausePSKMismatch)
	}
}

package monitor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
)

// Polls 5 s apart read one outage differently: a weaker or less specific
// reading (the peer not answering, between the initiator's retries) never
// replaces the stronger cause in the root or the thread; a stronger one
// (phase 2 refused, then its traffic selectors) is posted in the thread
// and the root names it. A new outage starts from nothing.
func TestMonitorCauseOnlyGetsStronger(t *testing.T) {
	t.Run("memory", func(t *testing.T) { causeOnlyGetsStronger(t, newRig(t, Config{})) })
	t.Run("redis", func(t *testing.T) {
		// the record (cause and confidence) kept in a real redis-server
		srv := redistest.Start(t)
		rs, err := redisstore.OpenURL(srv.URL(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rs.Close() })
		causeOnlyGetsStronger(t, newRigOn(t, Config{}, clocktest.New(time.Time{}), rs, rs))
	})
}

func causeOnlyGetsStronger(t *testing.T, r *rig) {
	for _, sc := range []string{"ios-ike-policy-mismatch", "ios-transform-mismatch", "ios-acl-mismatch"} {
		peer, tr := scenarioTranscript(t, sc)
		r.states[sc] = rewritePeer(tr, peer, testPeer)
	}
	step := func(sc string) {
		t.Helper()
		r.set(sc)
		r.clock.Advance(5 * time.Second)
		r.poll()
		r.sweep()
	}
	rootText := func() string {
		all := r.log.snapshot()
		rs := roots(all)
		if len(rs) != 1 {
			t.Fatalf("want one root:\n%s", dump(all))
		}
		if ups := updates(all, rs[0].TS); len(ups) > 0 {
			return ups[len(ups)-1].Text
		}
		return rs[0].Text
	}
	threadHas := func(cause string) int { // diagnoses posted in the thread headed by cause
		all := r.log.snapshot()
		n := 0
		for _, s := range replies(all, roots(all)[0].TS) {
			if head, _, _ := strings.Cut(s.Text, "\n"); strings.Contains(head, cause) {
				n++
			}
		}
		return n
	}

	step("ios-ike-policy-mismatch")
	if got := rootText(); !strings.Contains(got, "proposal") {
		t.Fatalf("root after the first reading: %q", got)
	}
	for range 3 { // the same outage read as the peer not answering
		step("ios-peer-unreachable")
	}
	if got := rootText(); !strings.Contains(got, "proposal") || strings.Contains(got, "unreachable") {
		t.Errorf("a weaker reading replaced the cause in the root: %q\n%s", got, dump(r.log.snapshot()))
	}
	if n := threadHas("peer_unreachable"); n != 0 {
		t.Errorf("a weaker reading was posted in the thread %d times:\n%s", n, dump(r.log.snapshot()))
	}

	step("ios-transform-mismatch") // phase 2 refused: the IKE proposal was accepted after all
	if got := rootText(); !strings.Contains(got, "esp") && !strings.Contains(strings.ToLower(got), "transform") && !strings.Contains(got, "phase 2") {
		t.Errorf("a stronger reading did not reach the root: %q", got)
	}
	if n := threadHas("esp_proposal_mismatch"); n != 1 {
		t.Errorf("the stronger reading was posted %d times in the thread; want 1:\n%s", n, dump(r.log.snapshot()))
	}
	step("ios-acl-mismatch") // traffic selectors: compared only once the proposal matched
	step("ios-transform-mismatch")
	step("ios-peer-unreachable")
	if n := threadHas("traffic_selector_mismatch"); n != 1 {
		t.Errorf("traffic selectors posted %d times; want 1:\n%s", n, dump(r.log.snapshot()))
	}
	if n := threadHas("esp_proposal_mismatch"); n != 1 {
		t.Errorf("the weaker ESP reading was posted again (%d in all):\n%s", n, dump(r.log.snapshot()))
	}
	if got := strings.ToLower(rootText()); !strings.Contains(got, "selector") && !strings.Contains(got, "acl") {
		t.Errorf("root does not name the strongest cause: %q", got)
	}
	if m, _ := r.m.Statuses(context.Background()); len(m) != 1 || m[0].Cause != "traffic_selector_mismatch" {
		t.Errorf("status: %+v", m)
	}
}

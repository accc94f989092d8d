package slack_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/ops"
)

// The operator's metrics plug in as they are.
var _ bot.Metrics = (*ops.Metrics)(nil)

type recordMetrics struct {
	mu     sync.Mutex
	events []string
}

func (m *recordMetrics) add(s string) { m.mu.Lock(); m.events = append(m.events, s); m.mu.Unlock() }
func (m *recordMetrics) Diagnosis(phase, cause string) {
	m.add("diagnosis " + phase + " " + cause)
}
func (m *recordMetrics) ObserveCheck(_ time.Duration, outcome string) { m.add("check " + outcome) }
func (m *recordMetrics) Deferred(queue, event string)                 { m.add("deferred " + queue + " " + event) }
func (m *recordMetrics) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.events, "; ")
}

func TestMetricsRecorded(t *testing.T) {
	m := &recordMetrics{}
	checker := &fakeChecker{}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Metrics = m; c.Checker = checker })
	checker.transcript = seed(t, "seed004_scenario1a.txt")
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvMe1", TS: "1700003100.000100", Text: "<@UBOT> check tunnel 40.10.1.1"})
	checker.err = errors.New("dial tcp: connection refused")
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvMe2", TS: "1700003200.000100", Text: "<@UBOT> check tunnel 50.1.1.1"})
	e.redis.Stop()
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvMe3", TS: "1700003300.000100", Text: "<@UBOT> diagnose\n" + seed(t, "seed004_scenario1a.txt")})
	got := m.String()
	for _, want := range []string{"check ok; diagnosis phase1 ike_proposal_mismatch", "check error", "diagnosis phase1 ike_proposal_mismatch"} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q: %s", want, got)
		}
	}
}

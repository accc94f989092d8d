package ops_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/ops"
)

// What recording costs on the hot paths (every diagnosis, every Slack call).
func BenchmarkRecord(b *testing.B) {
	m := ops.NewMetrics()
	b.ReportAllocs()
	for b.Loop() {
		m.Diagnosis("phase1", "ike_proposal_mismatch")
		m.SlackCall("chat.postMessage", false)
		m.ObserveCheck(1500*time.Millisecond, ops.CheckOK)
	}
}

// One /metrics scrape with every series present.
func BenchmarkScrape(b *testing.B) {
	m := ops.NewMetrics()
	for _, c := range []string{"ike_proposal_mismatch", "psk_mismatch", "esp_proposal_mismatch", "one_way_inbound", "healthy"} {
		m.Diagnosis("phase1", c)
	}
	h := ops.NewHandler(ops.Options{Metrics: m})
	req := httptest.NewRequest(http.MethodGet, ops.PathMetrics, nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// The Slack transport's peek at "ok" on a 4 KB answer.
func BenchmarkSlackTransport(b *testing.B) {
	body := `{"ok":true,"ts":"1.2","message":{"text":"` + strings.Repeat("x", 4096) + `"}}`
	next := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body))}, nil
	})
	rt := ops.SlackTransport(ops.NewMetrics(), next)
	req := httptest.NewRequest(http.MethodPost, "https://slack.com/api/chat.postMessage", nil)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := rt.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

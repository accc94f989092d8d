package monitor

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestParseSyslogAndRecognise(t *testing.T) {
	cases := []struct {
		line       string
		host, peer string
		down, ok   bool
	}{
		{"<189>Nov 23 20:01:02 fw-hq %CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN. Peer 90.1.1.1:500       Id: 90.1.1.1", "fw-hq", "90.1.1.1", true, true},
		{"<189>Nov  3 20:01:02 fw-hq %CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP  .  Peer 90.1.1.1:500       Id: 90.1.1.1", "fw-hq", "90.1.1.1", false, true},
		{"<189>123: *Nov 23 20:01:02.123: %CRYPTO-5-IKEV2_SESSION_STATUS: Crypto tunnel v2 is DOWN. Peer 40.10.1.1:500 Id: 40.10.1.1", "", "40.10.1.1", true, true},
		{"<190>1 2026-11-23T20:01:02.000Z fw-hq - - - - %CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at 40.10.7.1", "fw-hq", "40.10.7.1", true, true},
		{"<190>1 2026-11-23T20:01:02Z asa-dc ASA - 713123 [meta sequenceId=\"1\"] %ASA-3-713123: Group = 90.1.1.1, IP = 90.1.1.1, IKE lost contact with remote peer, deleting connection (keepalive type: DPD)", "asa-dc", "90.1.1.1", true, true},
		{"<164>Nov 23 2026 20:01:02 asa-dc : %ASA-4-113019: Group = 90.1.1.1, Username = 90.1.1.1, IP = 90.1.1.1, Session disconnected. Session Type: LAN-to-LAN, Duration: 0h:05m:12s, Bytes xmt: 0, Bytes rcv: 0, Reason: Lost Service", "", "90.1.1.1", true, true},
		{"<166>Nov 23 20:01:02 asa-dc %ASA-6-713120: Group = 90.1.1.1, IP = 90.1.1.1, PHASE 2 COMPLETED (msgid=7ab0a6d6)", "asa-dc", "90.1.1.1", false, true},
		{"<166>Nov 23 20:01:02 asa-dc %ASA-6-302013: Built outbound TCP connection 1 for outside:90.1.1.1/443", "asa-dc", "", false, false},
		{"<189>Nov 23 20:01:02 fw-hq %LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0, changed state to down", "fw-hq", "", false, false},
	}
	for _, c := range cases {
		msg := ParseSyslog(c.line)
		peer, down, _, ok := Recognise(msg.Text)
		if ok != c.ok || peer != c.peer || down != c.down {
			t.Errorf("%q: peer %q down %v ok %v, want %q %v %v (text %q)", c.line, peer, down, ok, c.peer, c.down, c.ok, msg.Text)
		}
		if c.host != "" && msg.Host != c.host {
			t.Errorf("%q: host %q, want %q", c.line, msg.Host, c.host)
		}
	}
}

// waitFor polls the message log until cond holds, within a bounded time.
func waitFor(t *testing.T, l *msgLog, what string, cond func([]sent) bool) []sent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		all := l.snapshot()
		if cond(all) {
			return all
		}
		select {
		case <-l.wait:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; messages:\n%s", what, dump(all))
		}
	}
}

func hasReply(all []sent, substr string) bool {
	for _, s := range all {
		if s.Op == "post" && s.ThreadTS != "" && strings.Contains(s.Text, substr) {
			return true
		}
	}
	return false
}

// TestSyslogOpensAndResolves: an IOS DOWN line over UDP opens an incident
// (root + the diagnosis from a check), an RFC 5424 UP line over TCP with
// octet counting resolves it; other lines do nothing.
func TestSyslogOpensAndResolves(t *testing.T) {
	r := newRig(t, Config{})
	r.set("ios-peer-unreachable")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := r.m.ListenSyslog(ctx, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	u, err := net.Dial("udp", srv.UDPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	fmt.Fprintf(u, "<189>Nov 23 20:01:02 fw-hq %%LINK-3-UPDOWN: Interface Gi0/1, changed state to up")
	fmt.Fprintf(u, "<189>Nov 23 20:01:02 fw-hq %%CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN. Peer %s:500       Id: %s", testPeer, testPeer)
	all := waitFor(t, r.log, "root and diagnosis", func(all []sent) bool { return len(roots(all)) == 1 && len(replies(all, roots(all)[0].TS)) == 1 })
	root := roots(all)[0]
	if !strings.Contains(root.Text, "down on fw-hq — phase 1, peer unreachable") {
		t.Errorf("root: %q", root.Text)
	}
	c, err := net.Dial("tcp", srv.TCPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The same DOWN again (a second sender, a retransmit; newline framing):
	// nothing new. Then UP on the same connection, so the two keep order.
	fmt.Fprintf(c, "<189>Nov 23 20:01:03 fw-hq %%CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN. Peer %s:500       Id: %s\n", testPeer, testPeer)
	r.clock.Advance(14 * time.Minute)
	up := fmt.Sprintf("<189>1 2026-11-23T20:15:02Z fw-hq - - - - %%CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP  .  Peer %s:500       Id: %s", testPeer, testPeer)
	fmt.Fprintf(c, "%d %s", len(up), up)
	all = waitFor(t, r.log, "resolution", func(all []sent) bool { return hasReply(all, "resolved after 14 min") })
	if rs := roots(all); len(rs) != 1 || len(replies(all, root.TS)) != 2 {
		t.Fatalf("want one root, diagnosis and resolution:\n%s", dump(all))
	}
}

// TestWebhook: Alertmanager firing opens, resolved resolves; plain JSON
// works the same; bad input and a missing token are refused.
func TestWebhook(t *testing.T) {
	r := newRig(t, Config{})
	r.set("ios-psk-mismatch")
	srv := httptest.NewServer(r.m.WebhookHandler("s3cret"))
	defer srv.Close()
	post := func(body, token string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewBufferString(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	am := `{"version":"4","groupKey":"{}:{alertname=\"IPsecTunnelDown\"}","status":"%s","receiver":"tunneldoc","alerts":[
	  {"status":"%s","labels":{"alertname":"IPsecTunnelDown","peer":"40.10.1.1","instance":"fw-hq:9116"},
	   "annotations":{"summary":"IPsec tunnel to 40.10.1.1 down"},"startsAt":"2026-11-23T20:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"abc"}]}`
	if code := post(fmt.Sprintf(am, "firing", "firing"), ""); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	if code := post(`{"peer":`, "s3cret"); code != http.StatusBadRequest {
		t.Fatalf("bad JSON: %d", code)
	}
	if code := post(`{"device":"fw-hq","status":"down"}`, "s3cret"); code != http.StatusBadRequest {
		t.Fatalf("no peer: %d", code)
	}
	if code := post(fmt.Sprintf(am, "firing", "firing"), "s3cret"); code != http.StatusOK {
		t.Fatalf("firing: %d", code)
	}
	if code := post(fmt.Sprintf(am, "firing", "firing"), "s3cret"); code != http.StatusOK { // Alertmanager repeats
		t.Fatalf("firing again: %d", code)
	}
	all := r.log.snapshot()
	if rs := roots(all); len(rs) != 1 || len(replies(all, rs[0].TS)) != 1 || !strings.Contains(rs[0].Text, "psk mismatch") {
		t.Fatalf("want one root with the check's diagnosis:\n%s", dump(all))
	}
	r.clock.Advance(3 * time.Minute)
	if code := post(fmt.Sprintf(am, "resolved", "resolved"), "s3cret"); code != http.StatusOK {
		t.Fatalf("resolved: %d", code)
	}
	all = r.log.snapshot()
	if !hasReply(all, "resolved after 3 min") {
		t.Fatalf("no resolution:\n%s", dump(all))
	}
	// Plain JSON, after the reopen window: a new incident, then resolved.
	r.clock.Advance(time.Hour)
	if code := post(`{"peer":"40.10.1.1","device":"fw-hq","status":"down"}`, "s3cret"); code != http.StatusOK {
		t.Fatalf("plain down: %d", code)
	}
	r.clock.Advance(time.Minute)
	if code := post(`{"peer":"40.10.1.1","device":"fw-hq","status":"up"}`, "s3cret"); code != http.StatusOK {
		t.Fatalf("plain up: %d", code)
	}
	all = r.log.snapshot()
	if rs := roots(all); len(rs) != 2 || !hasReply(all, "resolved after 1 min") {
		t.Fatalf("plain JSON did not open and resolve:\n%s", dump(all))
	}
}

// TestSyslogAllow: senders outside TUNNELDOC_MONITOR_SYSLOG_ALLOW are
// dropped on UDP and refused on TCP; allowed ones open incidents.
func TestSyslogAllow(t *testing.T) {
	line := fmt.Sprintf("<189>Nov 23 20:01:02 fw-hq %%CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN. Peer %s:500 Id: %s", testPeer, testPeer)
	for _, allow := range []string{"10.0.0.0/8", "127.0.0.0/8"} {
		r := newRig(t, Config{SyslogAllow: []netip.Prefix{netip.MustParsePrefix(allow)}})
		r.set("ios-peer-unreachable")
		drops := &countingHandler{match: "syslog from a sender not in TUNNELDOC_MONITOR_SYSLOG_ALLOW dropped", seen: make(chan struct{}, 2)}
		r.m.log = slog.New(drops)
		ctx, cancel := context.WithCancel(context.Background())
		srv, err := r.m.ListenSyslog(ctx, "127.0.0.1:0", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		u, _ := net.Dial("udp", srv.UDPAddr())
		fmt.Fprint(u, line)
		u.Close()
		c, err := net.Dial("tcp", srv.TCPAddr())
		if err == nil {
			fmt.Fprint(c, line+"\n")
			c.Close()
		}
		if allow == "127.0.0.0/8" {
			waitFor(t, r.log, "allowed sender's incident", func(all []sent) bool { return len(roots(all)) == 1 })
		} else {
			// Both senders (UDP and TCP) were refused before their line was
			// read: the refusal is logged first, so after it nothing can come.
			for range 2 {
				select {
				case <-drops.seen:
				case <-time.After(10 * time.Second):
					t.Fatal("the refused senders were not logged")
				}
			}
			if got := r.log.snapshot(); len(got) != 0 {
				t.Errorf("a sender outside %s opened an incident:\n%s", allow, dump(got))
			}
		}
		cancel()
		srv.Close()
	}
}

// countingHandler signals every log record whose message is match.
type countingHandler struct {
	match string
	seen  chan struct{}
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.match {
		select {
		case h.seen <- struct{}{}:
		default:
		}
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }

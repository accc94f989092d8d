package lab

import (
	"context"
	"strings"
	"testing"
)

// TestHubAnswersPerPeer: a hub lists every peer in its IKE SA table and
// answers each peer's IPsec SA command from that peer's state, which Set
// changes for new connections.
func TestHubAnswersPerPeer(t *testing.T) {
	l, err := Start(context.Background(), Options{Devices: []DeviceConfig{{Name: "one", Scenario: "ios-healthy"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	peers := []string{"50.0.0.1", "50.0.0.2", "50.0.0.3"}
	h, err := l.AddHub("hub-0", peers)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Set("50.0.0.2", true); err != nil {
		t.Fatal(err)
	}
	if err := h.Set("60.0.0.1", true); err == nil {
		t.Fatal("Set of an unknown peer was accepted")
	}
	sc := h.cur.Load().Scenario
	table, ok := sc.Answer("show crypto isakmp sa")
	if !ok {
		t.Fatal("no isakmp table")
	}
	for _, p := range peers {
		if !strings.Contains(table, p) {
			t.Errorf("isakmp table lacks %s:\n%s", p, table)
		}
	}
	if !strings.Contains(table, "50.0.0.2        30.3.1.1        MM_NO_STATE") || !strings.Contains(table, "50.0.0.3        30.3.1.1        QM_IDLE") {
		t.Errorf("states wrong:\n%s", table)
	}
	for _, p := range peers {
		out, ok := sc.Answer("show crypto ipsec sa peer " + p)
		if !ok || !strings.Contains(out, "current_peer "+p+" ") {
			t.Fatalf("ipsec sa for %s: ok=%v\n%s", p, ok, out)
		}
		hasSA := strings.Contains(out, "Status: ACTIVE")
		if hasSA == (p == "50.0.0.2") {
			t.Errorf("%s: installed SA %v, down %v", p, hasSA, h.Down(p))
		}
	}
	if n := len(l.Devices); n != 2 {
		t.Errorf("lab lists %d devices, want 2", n)
	}
}

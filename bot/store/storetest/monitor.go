package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
)

// MonitorContract is what bot/monitor relies on, for both implementations.
// after asserts what must hold once d has passed: it moves a fake clock
// by d and checks once, or (Redis, real time) waits for cond with a
// deadline.
func MonitorContract(t *testing.T, s store.MonitorState, now func() time.Time, after func(d time.Duration, what string, cond func() bool)) {
	ctx := context.Background()
	ttl := 300 * time.Millisecond

	// Leases: one holder; renewal by the holder only; release by the
	// holder only; free again after the TTL.
	if ok, err := s.AcquireLease(ctx, "device:fw-hq", "A", ttl); !ok || err != nil {
		t.Fatalf("A acquire: %v %v", ok, err)
	}
	if ok, _ := s.AcquireLease(ctx, "device:fw-hq", "B", ttl); ok {
		t.Fatal("B took a held lease")
	}
	if ok, _ := s.AcquireLease(ctx, "device:fw-hq", "A", ttl); !ok {
		t.Fatal("A could not renew its lease")
	}
	if err := s.ReleaseLease(ctx, "device:fw-hq", "B"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.AcquireLease(ctx, "device:fw-hq", "B", ttl); ok {
		t.Fatal("B released A's lease")
	}
	if err := s.ReleaseLease(ctx, "device:fw-hq", "A"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.AcquireLease(ctx, "device:fw-hq", "B", ttl); !ok {
		t.Fatal("B could not take a released lease")
	}
	after(ttl+100*time.Millisecond, "C takes the expired lease", func() bool {
		ok, _ := s.AcquireLease(ctx, "device:fw-hq", "C", ttl)
		return ok
	})

	// Transitions: one claim; a dropped claim can be claimed again; a sent
	// one cannot be dropped or claimed.
	if st, err := s.TransitionState(ctx, "t1"); st != "" || err != nil {
		t.Fatalf("state before the claim: %q %v", st, err)
	}
	if ok, _ := s.ClaimTransition(ctx, "t1", time.Minute); !ok {
		t.Fatal("first claim refused")
	}
	if st, _ := s.TransitionState(ctx, "t1"); st != "claimed" {
		t.Fatalf("state after the claim: %q", st)
	}
	if ok, _ := s.ClaimTransition(ctx, "t1", time.Minute); ok {
		t.Fatal("second claim granted")
	}
	if err := s.DropTransition(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.ClaimTransition(ctx, "t1", time.Minute); !ok {
		t.Fatal("claim after drop refused")
	}
	if err := s.TransitionSent(ctx, "t1", time.Hour); err != nil {
		t.Fatal(err)
	}
	_ = s.DropTransition(ctx, "t1")
	if st, _ := s.TransitionState(ctx, "t1"); st != "sent" {
		t.Fatalf("state after sent and a drop: %q", st)
	}
	if ok, _ := s.ClaimTransition(ctx, "t1", time.Minute); ok {
		t.Fatal("a sent transition was claimed again")
	}

	// Tunnel records.
	if _, ok, _ := s.LoadTunnel(ctx, "90.1.1.1|fw-hq"); ok {
		t.Fatal("record before save")
	}
	if err := s.SaveTunnel(ctx, "90.1.1.1|fw-hq", []byte(`{"x":1}`), time.Hour); err != nil {
		t.Fatal(err)
	}
	if b, ok, err := s.LoadTunnel(ctx, "90.1.1.1|fw-hq"); !ok || err != nil || string(b) != `{"x":1}` {
		t.Fatalf("load: %q %v %v", b, ok, err)
	}
	if err := s.SaveTunnel(ctx, "short", []byte(`{}`), ttl); err != nil {
		t.Fatal(err)
	}
	if names, _ := s.Tunnels(ctx); len(names) != 2 {
		t.Fatalf("tunnels: %v", names)
	}
	after(ttl+100*time.Millisecond, "only the long-lived tunnel is listed after the short one expired", func() bool {
		names, _ := s.Tunnels(ctx)
		return len(names) == 1 && names[0] == "90.1.1.1|fw-hq"
	})

	// Silences.
	if err := s.Silence(ctx, "90.1.1.1", "U1", now().Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Silence(ctx, "90.1.1.2", "U2", now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if until, by, ok, _ := s.Silenced(ctx, "90.1.1.1"); !ok || by != "U1" || until.Sub(now()) < time.Hour {
		t.Fatalf("silenced: %v %q %v", until, by, ok)
	}
	if l, _ := s.Silences(ctx); len(l) != 2 {
		t.Fatalf("silences: %+v", l)
	}
	if err := s.Unsilence(ctx, "90.1.1.1"); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := s.Silenced(ctx, "90.1.1.1"); ok {
		t.Fatal("unsilence did not lift it")
	}
	after(1100*time.Millisecond, "no silence listed once the short one expired", func() bool {
		l, _ := s.Silences(ctx)
		return len(l) == 0
	})
}

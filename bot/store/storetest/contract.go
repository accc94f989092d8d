package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
)

// Contract is the suite every Store implementation must pass; newStore
// returns an empty store for each subtest.
func Contract(t *testing.T, newStore func(t *testing.T) store.Store) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

	newIncident := func(peer, ts string) store.Incident {
		return store.Incident{Tunnel: store.Tunnel(peer, "fw-hq"), Peer: peer, Device: "fw-hq", Channel: "C1", ThreadTS: ts, FirstSeen: t0}
	}

	t.Run("dedup", func(t *testing.T) {
		s := newStore(t)
		first, err := s.FirstDelivery(ctx, "Ev1", 10*time.Minute)
		if err != nil || !first {
			t.Fatalf("first delivery = %v, %v; want true", first, err)
		}
		again, err := s.FirstDelivery(ctx, "Ev1", 10*time.Minute)
		if err != nil || again {
			t.Fatalf("redelivery = %v, %v; want false", again, err)
		}
		other, _ := s.FirstDelivery(ctx, "Ev2", 10*time.Minute)
		if !other {
			t.Fatal("a different event was taken for a redelivery")
		}
	})

	t.Run("one incident per tunnel", func(t *testing.T) {
		s := newStore(t)
		a, created, err := s.Open(ctx, newIncident("90.1.1.1", "100.000001"))
		if err != nil || !created || a.ID == "" || a.Status != store.StatusOpen {
			t.Fatalf("open = %+v, %v, %v", a, created, err)
		}
		b, created, err := s.Open(ctx, newIncident("90.1.1.1", "200.000002"))
		if err != nil || created || b.ID != a.ID || b.ThreadTS != "100.000001" {
			t.Fatalf("second open = %+v, created=%v, %v; want the first incident", b, created, err)
		}
		got, ok, err := s.ByTunnel(ctx, store.Tunnel("90.1.1.1", "fw-hq"))
		if err != nil || !ok || got.ID != a.ID {
			t.Fatalf("by tunnel = %+v %v %v", got, ok, err)
		}
		got, ok, err = s.ByThread(ctx, "C1", "100.000001")
		if err != nil || !ok || got.ID != a.ID {
			t.Fatalf("by thread = %+v %v %v", got, ok, err)
		}
		if _, ok, _ := s.ByThread(ctx, "C1", "200.000002"); ok {
			t.Fatal("the losing thread was indexed")
		}
		if _, ok, _ := s.ByTunnel(ctx, store.Tunnel("90.1.1.1", "")); ok {
			t.Fatal("peer without device matched peer+device tunnel")
		}
	})

	t.Run("concurrent open creates one", func(t *testing.T) {
		s := newStore(t)
		const n = 8
		var wg sync.WaitGroup
		ids := make([]string, n)
		createdCount := 0
		var mu sync.Mutex
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in, created, err := s.Open(ctx, newIncident("10.9.9.9", fmt.Sprintf("%d.000100", 300+i)))
				if err != nil {
					t.Errorf("open %d: %v", i, err)
					return
				}
				mu.Lock()
				ids[i] = in.ID
				if created {
					createdCount++
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		if createdCount != 1 {
			t.Fatalf("%d callers created an incident; want 1", createdCount)
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("callers got different incidents: %v", ids)
			}
		}
		open, _ := s.ListOpen(ctx)
		if len(open) != 1 {
			t.Fatalf("ListOpen = %d incidents; want 1", len(open))
		}
	})

	t.Run("diagnoses, status and release", func(t *testing.T) {
		s := newStore(t)
		a, _, _ := s.Open(ctx, newIncident("20.2.2.2", "400.000001"))
		d := store.Diagnosis{Phase: "phase1", Cause: "ike_proposal_mismatch", Source: store.SourcePaste, User: "U1", At: t0.Add(time.Minute), MessageTS: "400.000002"}
		if _, err := s.Update(ctx, a.ID, store.AddDiagnosis(d)); err != nil {
			t.Fatal(err)
		}
		d2 := d
		d2.Source, d2.User, d2.At = store.SourceCheck, "U2", t0.Add(2*time.Minute)
		if _, err := s.Update(ctx, a.ID, store.AddDiagnosis(d2)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Update(ctx, a.ID, store.SetStatus(store.StatusAcknowledged, "U3", t0.Add(3*time.Minute)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Diagnoses) != 2 || got.Diagnoses[0].Source != store.SourcePaste || got.Diagnoses[1].Source != store.SourceCheck {
			t.Fatalf("diagnoses = %+v", got.Diagnoses)
		}
		if got.Status != store.StatusAcknowledged || got.AcknowledgedBy != "U3" {
			t.Fatalf("status = %q by %q", got.Status, got.AcknowledgedBy)
		}
		if fmt.Sprint(got.Users) != "[U1 U2 U3]" {
			t.Fatalf("users = %v", got.Users)
		}
		if !got.LastSeen.Equal(t0.Add(3*time.Minute)) || !got.FirstSeen.Equal(t0) {
			t.Fatalf("first/last seen = %v / %v", got.FirstSeen, got.LastSeen)
		}
		// Acknowledged still owns the tunnel.
		if in, ok, _ := s.ByTunnel(ctx, a.Tunnel); !ok || in.ID != a.ID {
			t.Fatal("acknowledged incident lost its tunnel")
		}
		if _, err := s.Update(ctx, a.ID, store.SetStatus(store.StatusResolved, "U1", t0.Add(4*time.Minute))); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.ByTunnel(ctx, a.Tunnel); ok {
			t.Fatal("resolved incident still owns its tunnel")
		}
		if in, ok, _ := s.ByThread(ctx, "C1", "400.000001"); !ok || in.Status != store.StatusResolved {
			t.Fatalf("resolved incident not found by its thread: %+v %v", in, ok)
		}
		open, _ := s.ListOpen(ctx)
		if len(open) != 0 {
			t.Fatalf("resolved incident listed as open: %+v", open)
		}
		b, created, _ := s.Open(ctx, newIncident("20.2.2.2", "500.000001"))
		if !created || b.ID == a.ID {
			t.Fatal("a new incident could not be opened after resolve")
		}
	})

	t.Run("not found and bad input", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, "inc-nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get unknown: %v", err)
		}
		if _, err := s.Update(ctx, "inc-nope", store.AddUser("U1")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update unknown: %v", err)
		}
		if _, _, err := s.Open(ctx, store.Incident{Tunnel: "1.1.1.1"}); err == nil {
			t.Fatal("incident without thread accepted")
		}
	})

	t.Run("list open order", func(t *testing.T) {
		s := newStore(t)
		a, _, _ := s.Open(ctx, store.Incident{Tunnel: "1.1.1.1", Channel: "C1", ThreadTS: "1.1", FirstSeen: t0})
		b, _, _ := s.Open(ctx, store.Incident{Tunnel: "2.2.2.2", Channel: "C1", ThreadTS: "2.2", FirstSeen: t0.Add(time.Hour)})
		open, err := s.ListOpen(ctx)
		if err != nil || len(open) != 2 || open[0].ID != b.ID || open[1].ID != a.ID {
			t.Fatalf("ListOpen = %+v, %v; want newest first", open, err)
		}
	})
}

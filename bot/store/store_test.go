package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/bot/store/storetest"
)

func TestMemoryContract(t *testing.T) {
	storetest.Contract(t, func(t *testing.T) store.Store { return store.NewMemory(store.Options{}) })
}

func TestMemoryExpiry(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	s := store.NewMemory(store.Options{ResolvedTTL: time.Hour, Clock: clk})
	a, _, _ := s.Open(ctx, store.Incident{Tunnel: "1.1.1.1", Channel: "C1", ThreadTS: "1.1"})
	if _, err := s.Update(ctx, a.ID, store.SetStatus(store.StatusResolved, "U1", clk.Now())); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.FirstDelivery(ctx, "Ev1", 10*time.Minute); !ok {
		t.Fatal("first delivery refused")
	}
	clk.Advance(61 * time.Minute)
	if _, err := s.Get(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("resolved incident outlived ResolvedTTL: %v", err)
	}
	if ok, _ := s.FirstDelivery(ctx, "Ev1", 10*time.Minute); !ok {
		t.Fatal("event id still remembered after its TTL")
	}
}

func TestMemoryMonitorState(t *testing.T) {
	c := clocktest.New(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	storetest.MonitorContract(t, store.NewMemoryMonitor(c), c.Now, func(d time.Duration, what string, cond func() bool) {
		t.Helper()
		c.Advance(d)
		if !cond() {
			t.Fatalf("%s: not after %s", what, d)
		}
	})
}

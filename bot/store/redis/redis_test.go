package redis_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/bot/store/storetest"
)

func TestRedisContract(t *testing.T) {
	srv := redistest.Start(t)
	n := 0
	storetest.Contract(t, func(t *testing.T) store.Store {
		n++
		// One server, a fresh DB number per subtest keeps them apart.
		s, err := redis.OpenURL(fmt.Sprintf("redis://%s/%d", srv.Addr(), n%16), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestRedisTTLsAndRestart(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s, err := redis.OpenURL(srv.URL(), store.Options{ResolvedTTL: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, _, err := s.Open(ctx, store.Incident{Tunnel: "90.1.1.1", Peer: "90.1.1.1", Channel: "C1", ThreadTS: "1700000000.000100"})
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := s.Open(ctx, store.Incident{Tunnel: "80.1.1.1", Channel: "C1", ThreadTS: "1700000000.000200"})
	if _, err := s.Update(ctx, b.ID, store.SetStatus(store.StatusResolved, "U1", time.Now())); err != nil {
		t.Fatal(err)
	}
	_, _ = s.FirstDelivery(ctx, "EvTTL", 10*time.Minute)

	keys := redisKeys(t, srv, "*")
	if len(keys) < 5 {
		t.Fatalf("expected at least 5 keys, got %v", keys)
	}
	for _, k := range keys {
		ttl := time.Duration(redisPTTL(t, srv, k)) * time.Millisecond
		if ttl <= 0 {
			t.Errorf("key %s has no TTL (%v)", k, ttl)
		}
		// The test's own writes took well under a few seconds.
		if k == "tunneldoc:event:EvTTL" && ttl < 10*time.Minute-5*time.Second {
			t.Errorf("event dedup TTL %v < 10 min", ttl)
		}
		if k == "tunneldoc:incident:"+b.ID && ttl > 2*time.Hour {
			t.Errorf("resolved incident TTL %v > ResolvedTTL", ttl)
		}
	}

	srv.Restart()
	// The same client reconnects by itself.
	var got store.Incident
	var ok bool
	for deadline := time.Now().Add(10 * time.Second); ; {
		got, ok, err = s.ByTunnel(ctx, "90.1.1.1")
		if err == nil || time.Now().After(deadline) {
			break
		}
		<-time.After(50 * time.Millisecond) // the client reconnects on its own
	}
	if err != nil || !ok || got.ID != a.ID || got.ThreadTS != "1700000000.000100" {
		t.Fatalf("after restart: %+v %v %v", got, ok, err)
	}
	if first, _ := s.FirstDelivery(ctx, "EvTTL", 10*time.Minute); first {
		t.Fatal("event dedup forgotten across restart")
	}
}

// TestRedisTwoReplicasRace: two processes' clients (separate connection
// pools) race to open the same tunnel's incident; exactly one is created.
func TestRedisTwoReplicasRace(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	var clients [2]*redis.Store
	for i := range clients {
		c, err := redis.OpenURL(srv.URL(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
	}
	for round := range 20 {
		tunnel := fmt.Sprintf("10.0.%d.1", round)
		var wg sync.WaitGroup
		results := make([]store.Incident, 4)
		created := make([]bool, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in, c, err := clients[i%2].Open(ctx, store.Incident{Tunnel: tunnel, Channel: "C1", ThreadTS: fmt.Sprintf("%d.%d", round, i)})
				if err != nil {
					t.Errorf("open: %v", err)
				}
				results[i], created[i] = in, c
			}()
		}
		wg.Wait()
		n := 0
		for i := range 4 {
			if created[i] {
				n++
			}
			if results[i].ID != results[0].ID {
				t.Fatalf("round %d: different incidents %v", round, results)
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %d created", round, n)
		}
	}
}

// TestErrorsCountedOnce: with Redis stopped every failed method is counted
// once under its own name, a nested call (Open looks the tunnel up first)
// is not counted twice, and a not-found answer is not a failure.
func TestErrorsCountedOnce(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s, err := redis.OpenURL(srv.URL(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mu sync.Mutex
	counted := map[string]int{}
	s.CountErrors(func(op string) { mu.Lock(); counted[op]++; mu.Unlock() })

	if _, err := s.Get(ctx, "inc-nope"); err == nil {
		t.Fatal("Get of a missing incident found one")
	}
	if len(counted) != 0 {
		t.Fatalf("a not-found answer was counted: %v", counted)
	}

	srv.Stop()
	short := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, 2*time.Second) }
	c, cancel := short()
	_, _, err = s.Open(c, store.Incident{Tunnel: "90.1.1.1", Channel: "C1", ThreadTS: "1.1"})
	cancel()
	if err == nil {
		t.Fatal("Open worked with Redis stopped")
	}
	c, cancel = short()
	_, err = s.AcquireLease(c, "device:fw-hq", "A", time.Minute)
	cancel()
	if err == nil {
		t.Fatal("AcquireLease worked with Redis stopped")
	}
	c, cancel = short()
	_, err = s.Silences(c)
	cancel()
	if err == nil {
		t.Fatal("Silences worked with Redis stopped")
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"Open": 1, "AcquireLease": 1, "Silences": 1}
	if fmt.Sprint(counted) != fmt.Sprint(want) {
		t.Fatalf("counted %v, want %v", counted, want)
	}
}

// redisKeys lists the keys matching pattern, read over raw RESP so the test
// inspects Redis without going through the code under test.
func redisKeys(t *testing.T, srv *redistest.Server, pattern string) []string {
	t.Helper()
	v, err := srv.Do("KEYS", pattern)
	if err != nil {
		t.Fatal(err)
	}
	if v == "" {
		return nil
	}
	return strings.Split(v, "\n")
}

// redisPTTL is the key's remaining lifetime in milliseconds (negative: none).
func redisPTTL(t *testing.T, srv *redistest.Server, key string) int {
	t.Helper()
	v, err := srv.Do("PTTL", key)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("PTTL %s: %q", key, v)
	}
	return n
}

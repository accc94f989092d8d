package redis_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
)

// setCalls is how many SET commands reached the server, refused or not.
func setCalls(t *testing.T, srv *redistest.Server) int {
	t.Helper()
	info, err := srv.Do("INFO", "commandstats")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(info, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_set:")
		if !ok {
			continue
		}
		for _, f := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(f, "=")
			if k == "calls" || k == "rejected_calls" || k == "failed_calls" {
				c, _ := strconv.Atoi(v)
				n += c
			}
		}
	}
	return n
}

// A Redis at maxmemory with noeviction refuses every write. The store
// says "state store full" (store.ErrFull), counts it, and backs off: a
// burst of writes reaches the server a handful of times, not once per
// call. Reads still work; once memory is freed, writes work again.
func TestRedisFullBacksOff(t *testing.T) {
	ctx := context.Background()
	srv := redistest.StartWith(t, "--maxmemory", "1", "--maxmemory-policy", "noeviction")
	s, err := redis.OpenURL(srv.URL(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mu sync.Mutex
	errs, full := map[string]int{}, map[string]int{}
	s.CountErrors(func(op string) { mu.Lock(); errs[op]++; mu.Unlock() })
	s.CountFull(func(op string) { mu.Lock(); full[op]++; mu.Unlock() })

	before := setCalls(t, srv)
	const calls = 300
	deadline := time.Now().Add(5 * time.Second)
	var last error
	made := 0
	for i := 0; i < calls && time.Now().Before(deadline); i++ {
		_, last = s.FirstDelivery(ctx, "EvFull"+strconv.Itoa(i), time.Minute)
		made++
		if last == nil {
			t.Fatalf("a write succeeded on a full Redis")
		}
		if !errors.Is(last, store.ErrFull) || !strings.Contains(last.Error(), "state store full") {
			t.Fatalf("call %d: %v; want store.ErrFull saying 'state store full'", i, last)
		}
	}
	reached := setCalls(t, srv) - before
	t.Logf("%d writes on a full Redis: %d reached the server; last error: %v", made, reached, last)
	if reached < 1 || reached > 10 {
		t.Errorf("%d of %d writes reached a full Redis; want a few (backing off)", reached, made)
	}
	mu.Lock()
	if errs["FirstDelivery"] != made || full["FirstDelivery"] != made {
		t.Errorf("counted errors %v, full %v; want %d of each", errs, full, made)
	}
	mu.Unlock()

	// Reads work on a full Redis, even while writes back off.
	if _, ok, err := s.ByTunnel(ctx, "90.1.1.1"); err != nil || ok {
		t.Errorf("read on a full Redis: %v %v", ok, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping on a full Redis: %v", err)
	}

	if _, err := srv.Do("CONFIG", "SET", "maxmemory", "0"); err != nil {
		t.Fatal(err)
	}
	var ok bool
	for end := time.Now().Add(15 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if ok, err = s.FirstDelivery(ctx, "EvAfter", time.Minute); err == nil {
			break
		}
	}
	if err != nil || !ok {
		t.Fatalf("writes did not work again after memory was freed: %v", err)
	}
}

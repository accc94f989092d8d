package redis_test

import (
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/bot/store/storetest"
)

// TestRedisMonitorState runs the contract on a real redis-server and checks
// that every key it leaves has a TTL.
func TestRedisMonitorState(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redis.OpenURL(srv.URL(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	storetest.MonitorContract(t, s, time.Now, func(d time.Duration, what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(d + 10*time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after %s", what, d+10*time.Second)
			}
			<-time.After(20 * time.Millisecond)
		}
	})

	keys := redisKeys(t, srv, "tunneldoc:mon:*")
	if len(keys) == 0 {
		t.Fatal("the monitor state left no keys")
	}
	for _, k := range keys {
		if ttl := redisPTTL(t, srv, k); ttl < 0 {
			t.Errorf("%s has no TTL (%v)", k, ttl)
		}
	}
}

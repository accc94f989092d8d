package bot

import (
	"strconv"
	"testing"
	"time"
)

// The in-process record of request keys is bounded in count and in age.
func TestRecentKeysBounded(t *testing.T) {
	r := newRecentKeys(3, time.Minute)
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if !r.first("a", t0) || r.first("a", t0.Add(time.Second)) {
		t.Fatal("a key is first once")
	}
	if !r.first("a", t0.Add(time.Minute)) {
		t.Error("a key older than the lifetime is first again")
	}
	for i := range 10 {
		r.first("k"+strconv.Itoa(i), t0.Add(2*time.Minute))
	}
	if len(r.seen) > 3 || len(r.order) > 3 {
		t.Errorf("%d keys kept (%d in order); bound is 3", len(r.seen), len(r.order))
	}
	if r.first("k9", t0.Add(2*time.Minute)) {
		t.Error("the newest key was dropped")
	}
	if !r.first("k0", t0.Add(2*time.Minute)) {
		t.Error("the oldest key was kept past the bound")
	}
}

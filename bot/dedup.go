package bot

import (
	"context"
	"sync"
	"time"
)

// Requests are run once: an event (its event_id), a slash command or an
// interaction (the key its transport derives: Slack's trigger_id, or a hash
// of the signed request) is claimed in the store, shared by every replica
// (Store.FirstDelivery). The store can fail (Redis down, or full); this
// replica then decides from its own memory of recent keys, so a retry that
// reaches the same replica is not answered twice. That memory is bounded
// in size (maxRecentKeys; the oldest go first) and in age (EventTTL).

// maxRecentKeys bounds the in-process record of request keys.
const maxRecentKeys = 10000

// recentKeys is the in-process record of request keys seen.
type recentKeys struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	seen  map[string]time.Time
	order []string // oldest first
}

func newRecentKeys(max int, ttl time.Duration) *recentKeys {
	return &recentKeys{max: max, ttl: ttl, seen: map[string]time.Time{}}
}

// first records key at now and says whether it was not seen within ttl.
func (r *recentKeys) first(key string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.order) > 0 {
		k := r.order[0]
		if at, ok := r.seen[k]; ok && len(r.order) < r.max && now.Sub(at) < r.ttl {
			break
		}
		delete(r.seen, k)
		r.order = r.order[1:]
	}
	if _, ok := r.seen[key]; ok {
		return false
	}
	r.seen[key] = now
	r.order = append(r.order, key)
	return true
}

// FirstDelivery says whether the request named key is seen for the first
// time and should be run: the store decides across replicas; when it does
// not answer, this replica's memory does. An empty key is always first.
func (b *Bot) FirstDelivery(ctx context.Context, key string) bool {
	if key == "" {
		return true
	}
	local := b.recent.first(key, b.cfg.Clock.Now())
	first, err := b.cfg.Store.FirstDelivery(ctx, key, b.cfg.EventTTL)
	if err != nil {
		b.log.WarnContext(ctx, "request dedup: the state store did not answer; this replica's memory decides", "key", key, "first", local, "err", err)
		return local
	}
	return first
}

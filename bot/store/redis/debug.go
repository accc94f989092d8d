package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/tunneldoc/tunneldoc/bot/store"
)

// The debugs that may be on live in one hash, without a lifetime: a
// record goes only when its debug is confirmed off.

// DebugStarted implements store.DebugLedger.
func (r *Store) DebugStarted(ctx context.Context, rec store.DebugRecord) (err error) {
	defer r.count("DebugStarted", &err)
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := r.rdb.HSet(ctx, r.key("debug", "on"), rec.Key(), b).Err(); err != nil {
		return fmt.Errorf("redis record debug %s: %w", rec.Key(), err)
	}
	return nil
}

// DebugEnded implements store.DebugLedger.
func (r *Store) DebugEnded(ctx context.Context, key string) (err error) {
	defer r.count("DebugEnded", &err)
	if err := r.rdb.HDel(ctx, r.key("debug", "on"), key).Err(); err != nil {
		return fmt.Errorf("redis clear debug %s: %w", key, err)
	}
	return nil
}

// DebugsOn implements store.DebugLedger.
func (r *Store) DebugsOn(ctx context.Context) (_ []store.DebugRecord, err error) {
	defer r.count("DebugsOn", &err)
	m, err := r.rdb.HGetAll(ctx, r.key("debug", "on")).Result()
	if err != nil {
		return nil, fmt.Errorf("redis list debugs: %w", err)
	}
	out := make([]store.DebugRecord, 0, len(m))
	for k, v := range m {
		var rec store.DebugRecord
		if err := json.Unmarshal([]byte(v), &rec); err != nil {
			return nil, fmt.Errorf("redis debug record %s: %w", k, err)
		}
		out = append(out, rec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tunneldoc/tunneldoc/bot/store"
)

var (
	renewLease = goredis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`)
	// extendTTL lengthens a key's lifetime, never shortens it (EXPIRE GT
	// needs Redis 7).
	extendTTL = goredis.NewScript(`if redis.call("PTTL", KEYS[1]) < tonumber(ARGV[1]) then return redis.call("PEXPIRE", KEYS[1], ARGV[1]) end return 0`)
	dropLease = goredis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)
)

// AcquireLease implements store.MonitorState: SET NX PX, else a Lua
// compare-and-PEXPIRE renewal when the token already holds it.
func (r *Store) AcquireLease(ctx context.Context, name, token string, ttl time.Duration) (_ bool, err error) {
	defer r.count("AcquireLease", &err)
	k := r.key("mon", "lease", name)
	ok, err := r.rdb.SetNX(ctx, k, token, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redis lease %s: %w", name, err)
	}
	if ok {
		return true, nil
	}
	n, err := renewLease.Run(ctx, r.rdb, []string{k}, token, ttl.Milliseconds()).Int64()
	if err != nil {
		return false, fmt.Errorf("redis renew lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease implements store.MonitorState (Lua compare-and-DEL).
func (r *Store) ReleaseLease(ctx context.Context, name, token string) (err error) {
	defer r.count("ReleaseLease", &err)
	if err := dropLease.Run(ctx, r.rdb, []string{r.key("mon", "lease", name)}, token).Err(); err != nil && !errors.Is(err, goredis.Nil) {
		return fmt.Errorf("redis release lease %s: %w", name, err)
	}
	return nil
}

// ClaimTransition implements store.MonitorState with SET NX PX.
func (r *Store) ClaimTransition(ctx context.Context, id string, claimTTL time.Duration) (_ bool, err error) {
	defer r.count("ClaimTransition", &err)
	ok, err := r.rdb.SetNX(ctx, r.key("mon", "tx", id), "claimed", claimTTL).Result()
	if err != nil {
		return false, fmt.Errorf("redis claim transition %s: %w", id, err)
	}
	return ok, nil
}

// TransitionSent implements store.MonitorState (SET XX EX: only a live claim
// becomes "sent"; a claim that expired meanwhile is set anew).
func (r *Store) TransitionSent(ctx context.Context, id string, ttl time.Duration) (err error) {
	defer r.count("TransitionSent", &err)
	if err := r.rdb.Set(ctx, r.key("mon", "tx", id), "sent", ttl).Err(); err != nil {
		return fmt.Errorf("redis transition sent %s: %w", id, err)
	}
	return nil
}

// DropTransition implements store.MonitorState; a "sent" mark is never dropped.
func (r *Store) DropTransition(ctx context.Context, id string) (err error) {
	defer r.count("DropTransition", &err)
	if err := dropLease.Run(ctx, r.rdb, []string{r.key("mon", "tx", id)}, "claimed").Err(); err != nil && !errors.Is(err, goredis.Nil) {
		return fmt.Errorf("redis drop transition %s: %w", id, err)
	}
	return nil
}

// TransitionState implements store.MonitorState.
func (r *Store) TransitionState(ctx context.Context, id string) (_ string, err error) {
	defer r.count("TransitionState", &err)
	v, err := r.rdb.Get(ctx, r.key("mon", "tx", id)).Result()
	if errors.Is(err, goredis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("redis transition state %s: %w", id, err)
	}
	return v, nil
}

// LoadTunnel implements store.MonitorState.
func (r *Store) LoadTunnel(ctx context.Context, tunnel string) (_ []byte, _ bool, err error) {
	defer r.count("LoadTunnel", &err)
	b, err := r.rdb.Get(ctx, r.key("mon", "tunnel", tunnel)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis monitor tunnel %s: %w", tunnel, err)
	}
	return b, true, nil
}

// SaveTunnel implements store.MonitorState.
func (r *Store) SaveTunnel(ctx context.Context, tunnel string, data []byte, ttl time.Duration) (err error) {
	defer r.count("SaveTunnel", &err)
	setKey := r.key("mon", "tunnels")
	_, err = r.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, r.key("mon", "tunnel", tunnel), data, ttl)
		p.ZAdd(ctx, setKey, goredis.Z{Score: float64(r.opts.Clock.Now().Unix()), Member: tunnel})
		return nil
	})
	if err == nil {
		// The set lives as long as its longest-lived record.
		err = extendTTL.Run(ctx, r.rdb, []string{setKey}, ttl.Milliseconds()).Err()
	}
	if err != nil && !errors.Is(err, goredis.Nil) {
		return fmt.Errorf("redis save monitor tunnel %s: %w", tunnel, err)
	}
	return nil
}

// Tunnels implements store.MonitorState.
func (r *Store) Tunnels(ctx context.Context) (_ []string, err error) {
	defer r.count("Tunnels", &err)
	setKey := r.key("mon", "tunnels")
	names, err := r.rdb.ZRevRange(ctx, setKey, 0, 9999).Result()
	if err != nil {
		return nil, fmt.Errorf("redis monitor tunnels: %w", err)
	}
	var out []string
	for _, t := range names {
		n, err := r.rdb.Exists(ctx, r.key("mon", "tunnel", t)).Result()
		if err != nil {
			return nil, fmt.Errorf("redis monitor tunnels: %w", err)
		}
		if n == 0 {
			r.rdb.ZRem(ctx, setKey, t)
			continue
		}
		out = append(out, t)
	}
	return out, nil
}

// Silence implements store.MonitorState.
func (r *Store) Silence(ctx context.Context, peer, by string, until time.Time) (err error) {
	defer r.count("Silence", &err)
	ttl := until.Sub(r.opts.Clock.Now())
	if ttl <= 0 {
		return r.unsilence(ctx, peer)
	}
	setKey := r.key("mon", "silences")
	_, err = r.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, r.key("mon", "silence", peer), strconv.FormatInt(until.Unix(), 10)+"|"+by, ttl)
		p.ZAdd(ctx, setKey, goredis.Z{Score: float64(until.Unix()), Member: peer})
		return nil
	})
	if err == nil {
		err = extendTTL.Run(ctx, r.rdb, []string{setKey}, ttl.Milliseconds()).Err()
	}
	if err != nil && !errors.Is(err, goredis.Nil) {
		return fmt.Errorf("redis silence %s: %w", peer, err)
	}
	return nil
}

// Unsilence implements store.MonitorState.
func (r *Store) Unsilence(ctx context.Context, peer string) (err error) {
	defer r.count("Unsilence", &err)
	return r.unsilence(ctx, peer)
}

func (r *Store) unsilence(ctx context.Context, peer string) error {
	_, err := r.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Del(ctx, r.key("mon", "silence", peer))
		p.ZRem(ctx, r.key("mon", "silences"), peer)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis unsilence %s: %w", peer, err)
	}
	return nil
}

// Silenced implements store.MonitorState.
func (r *Store) Silenced(ctx context.Context, peer string) (_ time.Time, _ string, _ bool, err error) {
	defer r.count("Silenced", &err)
	return r.silenced(ctx, peer)
}

func (r *Store) silenced(ctx context.Context, peer string) (time.Time, string, bool, error) {
	v, err := r.rdb.Get(ctx, r.key("mon", "silence", peer)).Result()
	if errors.Is(err, goredis.Nil) {
		return time.Time{}, "", false, nil
	}
	if err != nil {
		return time.Time{}, "", false, fmt.Errorf("redis silence %s: %w", peer, err)
	}
	until, by, ok := parseSilence(v)
	if !ok || !r.opts.Clock.Now().Before(until) {
		return time.Time{}, "", false, nil
	}
	return until, by, true, nil
}

func parseSilence(v string) (time.Time, string, bool) {
	sec, by, _ := cutByte(v, '|')
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, "", false
	}
	return time.Unix(n, 0), by, true
}

func cutByte(s string, b byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Silences implements store.MonitorState.
func (r *Store) Silences(ctx context.Context) (_ []store.SilenceEntry, err error) {
	defer r.count("Silences", &err)
	setKey := r.key("mon", "silences")
	peers, err := r.rdb.ZRange(ctx, setKey, 0, 999).Result()
	if err != nil {
		return nil, fmt.Errorf("redis silences: %w", err)
	}
	var out []store.SilenceEntry
	for _, p := range peers {
		until, by, ok, err := r.silenced(ctx, p)
		if err != nil {
			return nil, err
		}
		if !ok {
			r.rdb.ZRem(ctx, setKey, p)
			continue
		}
		out = append(out, store.SilenceEntry{Peer: p, By: by, Until: until})
	}
	return out, nil
}

var _ store.MonitorState = (*Store)(nil)

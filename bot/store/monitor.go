package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// MonitorState is what the tunnel monitor (bot/monitor) keeps in the
// shared store so several replicas act as one: leases (who polls a device,
// who handles a tunnel right now), once-only transition claims, the
// per-tunnel monitor record (an opaque blob the monitor encodes) and
// silences. *Redis implements it; MemoryMonitor is the one-process version.
//
// Redis keys (all under the store prefix, all with a TTL):
//
//	tunneldoc:mon:lease:<name>     random owner token; SET NX PX ttl to take, renewed
//	                               and released by Lua compare-and-PEXPIRE /
//	                               compare-and-DEL, so only the owner extends or frees it.
//	                               <name> is "device:<device>" (polling) or
//	                               "tunnel:<tunnel>" (one writer per incident)
//	tunneldoc:mon:tx:<id>          "claimed" (SET NX PX claim ttl) while one replica posts a
//	                               transition, then "sent" (SET XX EX sent ttl) once the
//	                               Messenger said ok; deleted again when the post failed
//	tunneldoc:mon:tunnel:<tunnel>  the monitor's JSON record of the tunnel; EX record ttl
//	tunneldoc:mon:tunnels          sorted set of tunnels with a record, score = unix
//	                               seconds of the last write; its TTL is extended (never
//	                               shortened) to the longest record's on every write;
//	                               members whose record expired are dropped when listed
//	tunneldoc:mon:silence:<peer>   unix seconds the silence ends + "|" + who; EX = its length
//	tunneldoc:mon:silences         sorted set of silenced peers, score = end (unix
//	                               seconds); EXPIRE = the longest silence; pruned when listed
type MonitorState interface {
	// AcquireLease takes the lease name for token, or renews it when token
	// already holds it. It reports whether token holds it now.
	AcquireLease(ctx context.Context, name, token string, ttl time.Duration) (bool, error)
	// ReleaseLease frees the lease if token holds it.
	ReleaseLease(ctx context.Context, name, token string) error
	// ClaimTransition claims the right to post transition id once; false
	// means another replica claimed or already sent it.
	ClaimTransition(ctx context.Context, id string, claimTTL time.Duration) (bool, error)
	// TransitionSent records that the claimed transition was posted.
	TransitionSent(ctx context.Context, id string, ttl time.Duration) error
	// DropTransition frees a claim whose post failed, so it can be retried.
	DropTransition(ctx context.Context, id string) error
	// TransitionState says where transition id is: "" (free), "claimed"
	// (a replica is posting it, or died doing so: free again once the
	// claim expires) or "sent".
	TransitionState(ctx context.Context, id string) (string, error)
	// LoadTunnel returns the monitor record of tunnel.
	LoadTunnel(ctx context.Context, tunnel string) (data []byte, ok bool, err error)
	// SaveTunnel stores the monitor record of tunnel for ttl.
	SaveTunnel(ctx context.Context, tunnel string, data []byte, ttl time.Duration) error
	// Tunnels lists the tunnels that have a record, most recently written first.
	Tunnels(ctx context.Context) ([]string, error)
	// Silence mutes peer until the given time.
	Silence(ctx context.Context, peer, by string, until time.Time) error
	// Unsilence lifts a silence.
	Unsilence(ctx context.Context, peer string) error
	// Silenced returns when the silence on peer ends and who set it.
	Silenced(ctx context.Context, peer string) (until time.Time, by string, ok bool, err error)
	// Silences lists the live silences.
	Silences(ctx context.Context) ([]SilenceEntry, error)
}

// SilenceEntry is one muted peer.
type SilenceEntry struct {
	Peer  string
	By    string
	Until time.Time
}

var (
	renewLease = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end return 0`)
	// extendTTL lengthens a key's lifetime, never shortens it (EXPIRE GT
	// needs Redis 7).
	extendTTL = redis.NewScript(`if redis.call("PTTL", KEYS[1]) < tonumber(ARGV[1]) then return redis.call("PEXPIRE", KEYS[1], ARGV[1]) end return 0`)
	dropLease = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)
)

// AcquireLease implements MonitorState: SET NX PX, else a Lua
// compare-and-PEXPIRE renewal when the token already holds it.
func (r *Redis) AcquireLease(ctx context.Context, name, token string, ttl time.Duration) (bool, error) {
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

// ReleaseLease implements MonitorState (Lua compare-and-DEL).
func (r *Redis) ReleaseLease(ctx context.Context, name, token string) error {
	if err := dropLease.Run(ctx, r.rdb, []string{r.key("mon", "lease", name)}, token).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redis release lease %s: %w", name, err)
	}
	return nil
}

// ClaimTransition implements MonitorState with SET NX PX.
func (r *Redis) ClaimTransition(ctx context.Context, id string, claimTTL time.Duration) (bool, error) {
	ok, err := r.rdb.SetNX(ctx, r.key("mon", "tx", id), "claimed", claimTTL).Result()
	if err != nil {
		return false, fmt.Errorf("redis claim transition %s: %w", id, err)
	}
	return ok, nil
}

// TransitionSent implements MonitorState (SET XX EX: only a live claim
// becomes "sent"; a claim that expired meanwhile is set anew).
func (r *Redis) TransitionSent(ctx context.Context, id string, ttl time.Duration) error {
	if err := r.rdb.Set(ctx, r.key("mon", "tx", id), "sent", ttl).Err(); err != nil {
		return fmt.Errorf("redis transition sent %s: %w", id, err)
	}
	return nil
}

// DropTransition implements MonitorState; a "sent" mark is never dropped.
func (r *Redis) DropTransition(ctx context.Context, id string) error {
	if err := dropLease.Run(ctx, r.rdb, []string{r.key("mon", "tx", id)}, "claimed").Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redis drop transition %s: %w", id, err)
	}
	return nil
}

// TransitionState implements MonitorState.
func (r *Redis) TransitionState(ctx context.Context, id string) (string, error) {
	v, err := r.rdb.Get(ctx, r.key("mon", "tx", id)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("redis transition state %s: %w", id, err)
	}
	return v, nil
}

// LoadTunnel implements MonitorState.
func (r *Redis) LoadTunnel(ctx context.Context, tunnel string) ([]byte, bool, error) {
	b, err := r.rdb.Get(ctx, r.key("mon", "tunnel", tunnel)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis monitor tunnel %s: %w", tunnel, err)
	}
	return b, true, nil
}

// SaveTunnel implements MonitorState.
func (r *Redis) SaveTunnel(ctx context.Context, tunnel string, data []byte, ttl time.Duration) error {
	setKey := r.key("mon", "tunnels")
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, r.key("mon", "tunnel", tunnel), data, ttl)
		p.ZAdd(ctx, setKey, redis.Z{Score: float64(r.opts.Now().Unix()), Member: tunnel})
		return nil
	})
	if err == nil {
		// The set lives as long as its longest-lived record.
		err = extendTTL.Run(ctx, r.rdb, []string{setKey}, ttl.Milliseconds()).Err()
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redis save monitor tunnel %s: %w", tunnel, err)
	}
	return nil
}

// Tunnels implements MonitorState.
func (r *Redis) Tunnels(ctx context.Context) ([]string, error) {
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

// Silence implements MonitorState.
func (r *Redis) Silence(ctx context.Context, peer, by string, until time.Time) error {
	ttl := until.Sub(r.opts.Now())
	if ttl <= 0 {
		return r.Unsilence(ctx, peer)
	}
	setKey := r.key("mon", "silences")
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, r.key("mon", "silence", peer), strconv.FormatInt(until.Unix(), 10)+"|"+by, ttl)
		p.ZAdd(ctx, setKey, redis.Z{Score: float64(until.Unix()), Member: peer})
		return nil
	})
	if err == nil {
		err = extendTTL.Run(ctx, r.rdb, []string{setKey}, ttl.Milliseconds()).Err()
	}
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redis silence %s: %w", peer, err)
	}
	return nil
}

// Unsilence implements MonitorState.
func (r *Redis) Unsilence(ctx context.Context, peer string) error {
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, r.key("mon", "silence", peer))
		p.ZRem(ctx, r.key("mon", "silences"), peer)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis unsilence %s: %w", peer, err)
	}
	return nil
}

// Silenced implements MonitorState.
func (r *Redis) Silenced(ctx context.Context, peer string) (time.Time, string, bool, error) {
	v, err := r.rdb.Get(ctx, r.key("mon", "silence", peer)).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, "", false, nil
	}
	if err != nil {
		return time.Time{}, "", false, fmt.Errorf("redis silence %s: %w", peer, err)
	}
	until, by, ok := parseSilence(v)
	if !ok || !r.opts.Now().Before(until) {
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

// Silences implements MonitorState.
func (r *Redis) Silences(ctx context.Context) ([]SilenceEntry, error) {
	setKey := r.key("mon", "silences")
	peers, err := r.rdb.ZRange(ctx, setKey, 0, 999).Result()
	if err != nil {
		return nil, fmt.Errorf("redis silences: %w", err)
	}
	var out []SilenceEntry
	for _, p := range peers {
		until, by, ok, err := r.Silenced(ctx, p)
		if err != nil {
			return nil, err
		}
		if !ok {
			r.rdb.ZRem(ctx, setKey, p)
			continue
		}
		out = append(out, SilenceEntry{Peer: p, By: by, Until: until})
	}
	return out, nil
}

var _ MonitorState = (*Redis)(nil)

// MemoryMonitor is MonitorState in one process: for a single replica
// without Redis, and for tests. Expiry follows the injected clock.
type MemoryMonitor struct {
	now func() time.Time

	mu       sync.Mutex
	leases   map[string]memValue
	tx       map[string]memValue
	tunnels  map[string]memValue
	silences map[string]SilenceEntry
}

type memValue struct {
	v       string
	expires time.Time
}

// NewMemoryMonitor returns an empty MemoryMonitor; now nil means time.Now.
func NewMemoryMonitor(now func() time.Time) *MemoryMonitor {
	if now == nil {
		now = time.Now
	}
	return &MemoryMonitor{now: now, leases: map[string]memValue{}, tx: map[string]memValue{}, tunnels: map[string]memValue{}, silences: map[string]SilenceEntry{}}
}

func (m *MemoryMonitor) live(tab map[string]memValue, k string) (memValue, bool) {
	v, ok := tab[k]
	if ok && !m.now().Before(v.expires) {
		delete(tab, k)
		return memValue{}, false
	}
	return v, ok
}

// AcquireLease implements MonitorState.
func (m *MemoryMonitor) AcquireLease(_ context.Context, name, token string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.live(m.leases, name); ok && v.v != token {
		return false, nil
	}
	m.leases[name] = memValue{v: token, expires: m.now().Add(ttl)}
	return true, nil
}

// ReleaseLease implements MonitorState.
func (m *MemoryMonitor) ReleaseLease(_ context.Context, name, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.live(m.leases, name); ok && v.v == token {
		delete(m.leases, name)
	}
	return nil
}

// ClaimTransition implements MonitorState.
func (m *MemoryMonitor) ClaimTransition(_ context.Context, id string, claimTTL time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.live(m.tx, id); ok {
		return false, nil
	}
	m.tx[id] = memValue{v: "claimed", expires: m.now().Add(claimTTL)}
	m.gc(m.tx)
	return true, nil
}

// gc drops expired entries once a table grows; the caller holds mu.
func (m *MemoryMonitor) gc(tab map[string]memValue) {
	if len(tab) < 4096 {
		return
	}
	for k := range tab {
		m.live(tab, k)
	}
}

// TransitionSent implements MonitorState.
func (m *MemoryMonitor) TransitionSent(_ context.Context, id string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tx[id] = memValue{v: "sent", expires: m.now().Add(ttl)}
	return nil
}

// DropTransition implements MonitorState.
func (m *MemoryMonitor) DropTransition(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.live(m.tx, id); ok && v.v == "claimed" {
		delete(m.tx, id)
	}
	return nil
}

// TransitionState implements MonitorState.
func (m *MemoryMonitor) TransitionState(_ context.Context, id string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, _ := m.live(m.tx, id)
	return v.v, nil
}

// LoadTunnel implements MonitorState.
func (m *MemoryMonitor) LoadTunnel(_ context.Context, tunnel string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.live(m.tunnels, tunnel)
	return []byte(v.v), ok, nil
}

// SaveTunnel implements MonitorState.
func (m *MemoryMonitor) SaveTunnel(_ context.Context, tunnel string, data []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tunnels[tunnel] = memValue{v: string(data), expires: m.now().Add(ttl)}
	return nil
}

// Tunnels implements MonitorState.
func (m *MemoryMonitor) Tunnels(_ context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for k := range m.tunnels {
		if _, ok := m.live(m.tunnels, k); ok {
			out = append(out, k)
		}
	}
	return out, nil
}

// Silence implements MonitorState.
func (m *MemoryMonitor) Silence(_ context.Context, peer, by string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.silences[peer] = SilenceEntry{Peer: peer, By: by, Until: until}
	return nil
}

// Unsilence implements MonitorState.
func (m *MemoryMonitor) Unsilence(_ context.Context, peer string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.silences, peer)
	return nil
}

// Silenced implements MonitorState.
func (m *MemoryMonitor) Silenced(_ context.Context, peer string) (time.Time, string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.silences[peer]
	if !ok || !m.now().Before(s.Until) {
		delete(m.silences, peer)
		return time.Time{}, "", false, nil
	}
	return s.Until, s.By, true, nil
}

// Silences implements MonitorState.
func (m *MemoryMonitor) Silences(_ context.Context) ([]SilenceEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []SilenceEntry
	for p, s := range m.silences {
		if !m.now().Before(s.Until) {
			delete(m.silences, p)
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

var _ MonitorState = (*MemoryMonitor)(nil)

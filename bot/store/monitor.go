package store

import (
	"context"
	"sync"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock"
)

// MonitorState is what the tunnel monitor (bot/monitor) keeps in the
// shared store so several replicas act as one: leases (who polls a device,
// who handles a tunnel right now), once-only transition claims, the
// per-tunnel monitor record (an opaque blob the monitor encodes) and
// silences. bot/store/redis implements it; MemoryMonitor is the one-process
// version.
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

// MemoryMonitor is MonitorState in one process: for a single replica
// without Redis, and for tests. Expiry follows the injected clock.
type MemoryMonitor struct {
	clock clock.Clock

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

// NewMemoryMonitor returns an empty MemoryMonitor; c nil means clock.Real.
func NewMemoryMonitor(c clock.Clock) *MemoryMonitor {
	if c == nil {
		c = clock.Real
	}
	return &MemoryMonitor{clock: c, leases: map[string]memValue{}, tx: map[string]memValue{}, tunnels: map[string]memValue{}, silences: map[string]SilenceEntry{}}
}

func (m *MemoryMonitor) live(tab map[string]memValue, k string) (memValue, bool) {
	v, ok := tab[k]
	if ok && !m.clock.Now().Before(v.expires) {
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
	m.leases[name] = memValue{v: token, expires: m.clock.Now().Add(ttl)}
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
	m.tx[id] = memValue{v: "claimed", expires: m.clock.Now().Add(claimTTL)}
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
	m.tx[id] = memValue{v: "sent", expires: m.clock.Now().Add(ttl)}
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
	m.tunnels[tunnel] = memValue{v: string(data), expires: m.clock.Now().Add(ttl)}
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
	if !ok || !m.clock.Now().Before(s.Until) {
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
		if !m.clock.Now().Before(s.Until) {
			delete(m.silences, p)
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

var _ MonitorState = (*MemoryMonitor)(nil)

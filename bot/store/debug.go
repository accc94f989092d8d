package store

import (
	"context"
	"sort"
	"sync"
	"time"
)

// DebugRecord is a debug tunneldoc turned on, written before the first
// debug command is sent and removed once it is confirmed off: a record
// that outlives its debug is harmless (the sweep turns off what is
// already off), a debug without a record could stay on for ever.
type DebugRecord struct {
	Peer    string    `json:"peer"`
	Device  string    `json:"device"`
	By      string    `json:"by"` // the user who ran it
	Started time.Time `json:"started"`
}

// Key names the record: one debug per peer and device.
func (r DebugRecord) Key() string { return Tunnel(r.Peer, r.Device) }

// DebugLedger keeps the records of debugs that may still be on, for the
// startup sweep that turns off what a stopped tunneldoc left on.
type DebugLedger interface {
	DebugStarted(ctx context.Context, rec DebugRecord) error
	DebugEnded(ctx context.Context, key string) error
	DebugsOn(ctx context.Context) ([]DebugRecord, error)
}

// MemoryDebugs is a DebugLedger in memory (one process: a restart forgets
// it, so use it only where the store is memory too).
type MemoryDebugs struct {
	mu sync.Mutex
	on map[string]DebugRecord
}

// DebugStarted implements DebugLedger.
func (m *MemoryDebugs) DebugStarted(_ context.Context, rec DebugRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.on == nil {
		m.on = map[string]DebugRecord{}
	}
	m.on[rec.Key()] = rec
	return nil
}

// DebugEnded implements DebugLedger.
func (m *MemoryDebugs) DebugEnded(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.on, key)
	return nil
}

// DebugsOn implements DebugLedger.
func (m *MemoryDebugs) DebugsOn(context.Context) ([]DebugRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]DebugRecord, 0, len(m.on))
	for _, r := range m.on {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

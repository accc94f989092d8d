package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Memory is the in-memory Store: the embedded default when no Redis is
// configured. State lives as long as the process; lifetimes follow the
// injected clock exactly as Redis TTLs would.
type Memory struct {
	opts Options

	mu        sync.Mutex
	events    map[string]time.Time // event id -> expiry
	incidents map[string]memIncident
	tunnels   map[string]string // tunnel -> open incident id
	threads   map[string]string // channel:ts -> incident id

	MemoryDebugs // the debugs that may be on (debug.go)
}

type memIncident struct {
	in      Incident
	expires time.Time
}

// NewMemory returns an empty in-memory store.
func NewMemory(opts Options) *Memory {
	return &Memory{
		opts:      opts.WithDefaults(),
		events:    map[string]time.Time{},
		incidents: map[string]memIncident{},
		tunnels:   map[string]string{},
		threads:   map[string]string{},
	}
}

func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "inc-" + hex.EncodeToString(b[:])
}

func threadKey(channel, ts string) string { return channel + ":" + ts }

// FirstDelivery implements Store.
func (m *Memory) FirstDelivery(_ context.Context, eventID string, ttl time.Duration) (bool, error) {
	if eventID == "" {
		return true, nil
	}
	now := m.opts.Clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if exp, ok := m.events[eventID]; ok && now.Before(exp) {
		return false, nil
	}
	m.events[eventID] = now.Add(ttl)
	if len(m.events) > 4096 {
		for id, exp := range m.events {
			if !now.Before(exp) {
				delete(m.events, id)
			}
		}
	}
	return true, nil
}

// get returns a live incident; the caller holds mu.
func (m *Memory) get(id string) (Incident, bool) {
	mi, ok := m.incidents[id]
	if !ok {
		return Incident{}, false
	}
	if !m.opts.Clock.Now().Before(mi.expires) {
		delete(m.incidents, id)
		return Incident{}, false
	}
	return clone(mi.in), true
}

func (m *Memory) put(in Incident) {
	m.incidents[in.ID] = memIncident{in: clone(in), expires: m.opts.Clock.Now().Add(m.opts.TTL(in))}
	m.threads[threadKey(in.Channel, in.ThreadTS)] = in.ID
	if in.IsOpen() {
		m.tunnels[in.Tunnel] = in.ID
	} else if m.tunnels[in.Tunnel] == in.ID {
		delete(m.tunnels, in.Tunnel)
	}
}

func clone(in Incident) Incident {
	in.Diagnoses = slices.Clone(in.Diagnoses)
	in.Users = slices.Clone(in.Users)
	return in
}

// Open implements Store.
func (m *Memory) Open(_ context.Context, in Incident) (Incident, bool, error) {
	if err := ValidateNew(in); err != nil {
		return Incident{}, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if id, ok := m.tunnels[in.Tunnel]; ok {
		if cur, ok := m.get(id); ok && cur.IsOpen() {
			return cur, false, nil
		}
		delete(m.tunnels, in.Tunnel)
	}
	in = PrepareNew(in, m.opts.Clock.Now())
	m.put(in)
	return clone(in), true, nil
}

// PrepareNew gives a new incident its id (when unset), status and times.
func PrepareNew(in Incident, now time.Time) Incident {
	if in.ID == "" {
		in.ID = newID()
	}
	if in.Status == "" {
		in.Status = StatusOpen
	}
	if in.FirstSeen.IsZero() {
		in.FirstSeen = now
	}
	if in.LastSeen.IsZero() {
		in.LastSeen = in.FirstSeen
	}
	return in
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, id string) (Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in, ok := m.get(id)
	if !ok {
		return Incident{}, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return in, nil
}

// ByTunnel implements Store.
func (m *Memory) ByTunnel(_ context.Context, tunnel string) (Incident, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.tunnels[tunnel]
	if !ok {
		return Incident{}, false, nil
	}
	in, ok := m.get(id)
	if !ok || !in.IsOpen() {
		delete(m.tunnels, tunnel)
		return Incident{}, false, nil
	}
	return in, true, nil
}

// ByThread implements Store.
func (m *Memory) ByThread(_ context.Context, channel, threadTS string) (Incident, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := threadKey(channel, threadTS)
	id, ok := m.threads[k]
	if !ok {
		return Incident{}, false, nil
	}
	in, ok := m.get(id)
	if !ok {
		delete(m.threads, k)
		return Incident{}, false, nil
	}
	return in, true, nil
}

// Update implements Store.
func (m *Memory) Update(_ context.Context, id string, fn Update) (Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in, ok := m.get(id)
	if !ok {
		return Incident{}, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	fn(&in)
	in.ID = id
	m.put(in)
	return clone(in), nil
}

// ListOpen implements Store.
func (m *Memory) ListOpen(_ context.Context) ([]Incident, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Incident
	for _, id := range m.tunnels {
		if in, ok := m.get(id); ok && in.IsOpen() {
			out = append(out, in)
		}
	}
	SortByLastSeen(out)
	return out, nil
}

// SortByLastSeen orders incidents most recent first, then by id.
func SortByLastSeen(out []Incident) {
	slices.SortFunc(out, func(a, b Incident) int {
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return compareStrings(a.ID, b.ID)
	})
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Ping implements Store.
func (m *Memory) Ping(context.Context) error { return nil }

// Close implements Store.
func (m *Memory) Close() error { return nil }

var _ Store = (*Memory)(nil)

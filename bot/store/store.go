package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock"
)

// Incident statuses.
const (
	StatusOpen         = "open"
	StatusAcknowledged = "acknowledged"
	StatusResolved     = "resolved"
)

// Diagnosis sources.
const (
	SourcePaste   = "paste"
	SourceCheck   = "check"
	SourceMonitor = "monitor"
)

// Default lifetimes.
const (
	DefaultEventTTL    = 15 * time.Minute
	DefaultOpenTTL     = 30 * 24 * time.Hour
	DefaultResolvedTTL = 7 * 24 * time.Hour
)

// ErrNotFound: no incident with that id (it never existed or it expired).
var ErrNotFound = errors.New("incident not found")

// ErrFull marks a write the store refused because it is out of memory
// (Redis at maxmemory with noeviction): waiting helps only once someone
// frees memory, and users are told "state store full", not unreachable.
var ErrFull = errors.New("state store full")

// Diagnosis is one diagnosis posted in an incident's thread.
type Diagnosis struct {
	Phase     string    `json:"phase"`
	Cause     string    `json:"cause"`
	Verdict   string    `json:"verdict,omitempty"`
	Source    string    `json:"source"`
	User      string    `json:"user,omitempty"`
	At        time.Time `json:"at"`
	MessageTS string    `json:"message_ts,omitempty"` // the Slack message that carried it: recorded only once Slack said ok
}

// Incident is the state of one tunnel's trouble.
type Incident struct {
	ID       string `json:"id"`
	Tunnel   string `json:"tunnel"`
	Peer     string `json:"peer,omitempty"`
	Device   string `json:"device,omitempty"`
	Channel  string `json:"channel"`
	ThreadTS string `json:"thread_ts"`
	// Private: opened in a DM; only that DM hears of it (status, answers).
	Private        bool        `json:"private,omitempty"`
	RootTS         string      `json:"root_ts,omitempty"`
	Status         string      `json:"status"`
	AcknowledgedBy string      `json:"acknowledged_by,omitempty"`
	ResolvedBy     string      `json:"resolved_by,omitempty"`
	FirstSeen      time.Time   `json:"first_seen"`
	LastSeen       time.Time   `json:"last_seen"`
	Diagnoses      []Diagnosis `json:"diagnoses,omitempty"`
	Users          []string    `json:"users,omitempty"`
}

// Latest returns the most recent diagnosis, if any.
func (in Incident) Latest() (Diagnosis, bool) {
	if len(in.Diagnoses) == 0 {
		return Diagnosis{}, false
	}
	return in.Diagnoses[len(in.Diagnoses)-1], true
}

// Update changes one incident in place; the store applies it atomically.
type Update func(*Incident)

// Store is the incident state. Every method is safe for concurrent use,
// also across processes for the Redis implementation.
type Store interface {
	// FirstDelivery records an event ID and reports whether this is the
	// first time it was seen within ttl.
	FirstDelivery(ctx context.Context, eventID string, ttl time.Duration) (bool, error)
	// Open returns the tunnel's open incident, creating it from in when
	// there is none. created is true only for the caller that created it.
	Open(ctx context.Context, in Incident) (inc Incident, created bool, err error)
	// Get returns the incident with that id, or ErrNotFound.
	Get(ctx context.Context, id string) (Incident, error)
	// ByTunnel returns the tunnel's open (or acknowledged) incident.
	ByTunnel(ctx context.Context, tunnel string) (Incident, bool, error)
	// ByThread returns the incident owning a Slack thread.
	ByThread(ctx context.Context, channel, threadTS string) (Incident, bool, error)
	// Update applies fn to the incident atomically and stores the result;
	// a status moved to resolved releases the tunnel for a new incident.
	Update(ctx context.Context, id string, fn Update) (Incident, error)
	// ListOpen returns open and acknowledged incidents, most recent first.
	ListOpen(ctx context.Context) ([]Incident, error)
	// Ping reports whether the store is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// NewID returns a fresh incident id ("inc-" and 12 hex digits). A caller
// that may have to retry Open (the bot, when the store fails mid-write)
// sets Incident.ID with it, so the retry writes the same record instead of
// leaving the first attempt's body behind.
func NewID() string { return newID() }

// Tunnel names a tunnel: its peer, and its device where known.
func Tunnel(peer, device string) string {
	peer, device = strings.TrimSpace(peer), strings.TrimSpace(device)
	if device == "" {
		return peer
	}
	return peer + "|" + device
}

// MaxDiagnoses bounds an incident's diagnosis list: past it, the oldest
// after the first (the one that opened it) are dropped.
const MaxDiagnoses = 50

// AddDiagnosis returns an Update appending d and noting the user.
func AddDiagnosis(d Diagnosis) Update {
	return func(in *Incident) {
		in.Diagnoses = append(in.Diagnoses, d)
		if n := len(in.Diagnoses); n > MaxDiagnoses {
			in.Diagnoses = append(in.Diagnoses[:1], in.Diagnoses[n-MaxDiagnoses+1:]...)
		}
		if d.At.After(in.LastSeen) {
			in.LastSeen = d.At
		}
		AddUser(d.User)(in)
	}
}

// AddUser returns an Update noting a Slack user as involved.
func AddUser(user string) Update {
	return func(in *Incident) {
		if user != "" && !slices.Contains(in.Users, user) {
			in.Users = append(in.Users, user)
		}
	}
}

// SetStatus returns an Update moving the incident to status, by user.
func SetStatus(status, user string, at time.Time) Update {
	return func(in *Incident) {
		in.Status = status
		switch status {
		case StatusAcknowledged:
			in.AcknowledgedBy = user
		case StatusResolved:
			in.ResolvedBy = user
		}
		if at.After(in.LastSeen) {
			in.LastSeen = at
		}
		AddUser(user)(in)
	}
}

// Options tune lifetimes; zero values take the defaults.
type Options struct {
	OpenTTL     time.Duration
	ResolvedTTL time.Duration
	// Clock tells the time lifetimes run on; nil means clock.Real.
	Clock clock.Clock
}

// WithDefaults fills zero lifetimes and a nil clock with the defaults.
func (o Options) WithDefaults() Options {
	if o.OpenTTL <= 0 {
		o.OpenTTL = DefaultOpenTTL
	}
	if o.ResolvedTTL <= 0 {
		o.ResolvedTTL = DefaultResolvedTTL
	}
	if o.Clock == nil {
		o.Clock = clock.Real
	}
	return o
}

// TTL is how long in is kept: OpenTTL while open, ResolvedTTL after.
func (o Options) TTL(in Incident) time.Duration {
	if in.Status == StatusResolved {
		return o.ResolvedTTL
	}
	return o.OpenTTL
}

// IsOpen reports whether the incident is open or acknowledged.
func (in Incident) IsOpen() bool {
	return in.Status == StatusOpen || in.Status == StatusAcknowledged
}

// ValidateNew checks that an incident to open names its tunnel and thread.
func ValidateNew(in Incident) error {
	if in.Tunnel == "" {
		return errors.New("incident has no tunnel")
	}
	if in.Channel == "" || in.ThreadTS == "" {
		return errors.New("incident has no Slack thread")
	}
	return nil
}

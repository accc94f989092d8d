package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TunnelChecker logs into a device and collects the show output that
// tells a tunnel's state. cmd adapts the devices package to it. On error
// it may still return what it did read (a partial Transcript): the bot
// diagnoses that and says the collection was incomplete.
type TunnelChecker interface {
	CheckTunnel(ctx context.Context, peer, device string) (CheckResult, error)
}

// PeerResolver is what a TunnelChecker may also offer: whether any device
// terminates peer (or the named device exists), before anything is posted.
type PeerResolver interface {
	ResolvePeer(peer, device string) error
}

// Silencer stops tunnel-down notifications for a peer for a while (the
// monitor implements it).
type Silencer interface {
	Silence(ctx context.Context, peer string, d time.Duration, by string) (time.Time, error)
	Unsilence(ctx context.Context, peer string) error
}

// CheckResult is what a check collected.
type CheckResult struct {
	Device     string        // the device that was asked (resolved from the inventory when none was named)
	Transcript string        // prompts, commands and their output, as one paste
	Commands   []string      // the commands run
	Duration   time.Duration // how long the collection took
	// Comparison, when the inventory knows both ends of the tunnel, is the
	// comparison of their crypto configurations (posted as a second reply).
	Comparison *diagnose.Report
	// Ends names the two devices compared ("fw-hq and br-7").
	Ends string
	// Notes lists the commands whose output came back incomplete (the
	// device stalled, flooded or dropped the connection); the reply says
	// the diagnosis stands on partial output.
	Notes []CollectionNote
}

// Message is one outgoing message: Text is the plain rendering (Slack's
// notification fallback, and what the console prints); Blocks the rich one.
type Message struct {
	Channel  string
	ThreadTS string
	Text     string
	Plain    string // the full text rendering, when it differs from Text
	Blocks   []slack.Block
	// EphemeralTo, when set, shows the message to that user only.
	EphemeralTo string
	// Incident, when set, is carried as message metadata so the incident
	// can be rebuilt from Slack if the store loses it.
	Incident *IncidentRef
	// DeliveryID, when set, is the delivery id the post carries in its
	// metadata instead of a random one: a caller that derives it the same
	// way every time (the monitor, from its transition claim) can look the
	// post up later with DeliveryFinder. Posts only; edits ignore it.
	DeliveryID string
}

// Messenger sends messages. The Slack implementation keeps per-channel
// order and waits out rate limits; the console one prints.
type Messenger interface {
	// Post sends a message and returns its ts.
	Post(ctx context.Context, m Message) (ts string, err error)
	// Update replaces the message at ts in place.
	Update(ctx context.Context, ts string, m Message) error
	// Upload shares a text file in a thread.
	Upload(ctx context.Context, channel, threadTS, filename, title, content string) error
	// Permalink returns a link to a message ("" when it cannot tell).
	Permalink(ctx context.Context, channel, ts string) (string, error)
}

// FileFetcher downloads an attached file (with the bot token).
type FileFetcher interface {
	Fetch(ctx context.Context, f FileRef, limit int64) ([]byte, error)
}

// GroupResolver lists the members of a Slack user group.
type GroupResolver interface {
	GroupMembers(ctx context.Context, group string) ([]string, error)
}

// IncidentRef names an incident in message metadata.
type IncidentRef struct {
	ID     string
	Peer   string
	Device string
}

// ThreadRecoverer finds the incident a thread belonged to from the
// metadata on the bot's own messages in it, for when the store lost it.
type ThreadRecoverer interface {
	IncidentInThread(ctx context.Context, channel, threadTS string) (IncidentRef, bool, error)
}

// ModalOpener opens a Slack modal (views.open).
type ModalOpener interface {
	OpenModal(ctx context.Context, triggerID string, view slack.ModalViewRequest) error
}

// Metrics records what the bot does (*ops.Metrics satisfies it); nil in
// Config records nothing. Redis failures are counted by the Redis store
// itself (bot/store/redis), not here.
type Metrics interface {
	Diagnosis(phase, cause string)
	ObserveCheck(d time.Duration, outcome string)
}

// Check outcomes for Metrics.ObserveCheck (the same words as bot/ops).
const (
	CheckOutcomeOK          = "ok"
	CheckOutcomeError       = "error"
	CheckOutcomeInterrupted = "interrupted"
)

type noMetrics struct{}

func (noMetrics) Diagnosis(string, string)           {}
func (noMetrics) ObserveCheck(time.Duration, string) {}

// Clock is the injected time source: signature windows, rate-limit waits,
// first/last seen all read it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RealClock is the wall clock.
var RealClock Clock = realClock{}

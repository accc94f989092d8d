package bot

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TunnelChecker logs into a device and collects the show output that
// tells a tunnel's state. cmd adapts the devices package to it. On error
// it may still return what it did read (a partial Transcript): the bot
// diagnoses that and says the collection was incomplete.
type TunnelChecker interface {
	CheckTunnel(ctx context.Context, peer, device string) (CheckResult, error)
}

// PeerResolver says whether any device terminates peer (or the named
// device exists), before anything is posted.
type PeerResolver interface {
	ResolvePeer(peer, device string) error
}

// Silencer stops tunnel-down notifications for a peer for a while, and
// lists the silences in force (the monitor implements it).
type Silencer interface {
	Silence(ctx context.Context, peer string, d time.Duration, by string) (time.Time, error)
	Unsilence(ctx context.Context, peer string) error
	Silences(ctx context.Context) ([]store.SilenceEntry, error)
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
	// FarEnd, when the inventory holds the far end of the tunnel and it
	// answered, is what was read there: diagnosed and posted in the same
	// thread.
	FarEnd *FarEndCheck
	// Notes lists the commands whose output came back incomplete (the
	// device stalled, flooded or dropped the connection); the reply says
	// the diagnosis stands on partial output.
	Notes []CollectionNote
}

// Message is one outgoing message: where it goes and what it says, in the
// transport-neutral Reply each transport lays out its own way.
type Message struct {
	Channel  string
	ThreadTS string
	Reply    Reply
	// EphemeralTo, when set, shows the message to that user only (a
	// transport without private messages shows it to all).
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

// Messenger sends messages. The Slack implementation (bot/slack) keeps
// per-channel order, waits out rate limits and queues what fails; the
// console one prints. What a transport may also do is named in Config
// (and monitor.Deps), never guessed from the Messenger's type.
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

// Settler edits a diagnosis already posted once its incident is settled
// (resolved): its buttons go and it no longer calls the incident open.
type Settler interface {
	Settle(ctx context.Context, channel, threadTS, ts, incidentID, status string) error
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

// PasteFormOpener opens a form to paste device output into (Slack: the
// /tunnel diagnose modal); its submission comes back as a KindModal
// request for channel.
type PasteFormOpener interface {
	OpenPasteForm(ctx context.Context, trigger, channel string) error
}

// DeliveryWatcher tells when a post the Messenger queued (it returned a
// stand-in ts, IsQueuedTS) is delivered, with its real ts, or given up.
// Code that stored the stand-in (an incident's thread, the monitor's
// record) replaces it from fn.
type DeliveryWatcher interface {
	WhenDelivered(standIn string, fn func(ts string, ok bool))
}

// DeliveryFinder looks a post up by the delivery id it carries
// (Message.DeliveryID). A caller that may have posted already (a replica
// that died after the post was accepted but before its store recorded it)
// looks first and adopts the message it finds instead of posting again.
type DeliveryFinder interface {
	// FindDelivery returns the ts of the message carrying deliveryID: a
	// reply in threadTS, or, when threadTS is "", a top-level message in
	// channel posted after since (a little before, for clock skew; zero
	// reads the channel's whole history as far as the search goes).
	FindDelivery(ctx context.Context, channel, threadTS, deliveryID string, since time.Time) (ts string, found bool, err error)
}

// Starter is background work a part runs until ctx ends.
type Starter interface {
	Start(ctx context.Context)
}

// queuedTSPrefix starts the stand-in ts a Messenger returns for a post it
// queued instead of sending.
const queuedTSPrefix = "queued-"

// IsQueuedTS reports whether ts is the stand-in a Messenger returned for
// a post it queued (not a real ts: replace it with the real one, from
// DeliveryWatcher, before storing it where others read it).
func IsQueuedTS(ts string) bool { return strings.HasPrefix(ts, queuedTSPrefix) }

// QueuedTS is the stand-in ts for the queued post with deliveryID.
func QueuedTS(deliveryID string) string { return queuedTSPrefix + deliveryID }

// ErrUnavailable marks a Messenger error that passes (the chat is down or
// limiting us; the call was queued or would be): a note about the failure
// would fail the same way.
var ErrUnavailable = errors.New("chat unavailable for now")

// Metrics records what the bot does (*ops.Metrics satisfies it); nil in
// Config records nothing. Redis failures are counted by the Redis store
// itself (bot/store/redis), not here.
type Metrics interface {
	Diagnosis(phase, cause string)
	ObserveCheck(d time.Duration, outcome string)
	// Deferred counts what happened to a write held back while its
	// backend failed: queue "store" or "slack"; event queued, written,
	// delivered_late, dropped or given_up.
	Deferred(queue, event string)
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
func (noMetrics) Deferred(string, string)            {}

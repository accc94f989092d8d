package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/ops"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Defaults.
const (
	DefaultMaxFileBytes = 1 << 20
	DefaultMaxPaste     = 4 << 20
	DefaultCheckTimeout = 2 * time.Minute
)

// ErrNoBotUser: auth.test gave no user ID for the bot token.
var ErrNoBotUser = errors.New("auth.test returned no bot user id")

// Access says who may do what. Empty lists allow everyone.
type Access struct {
	CheckUsers    []string // Slack user IDs allowed to run check (it logs into devices)
	CheckGroups   []string // Slack user group IDs whose members may run check
	CheckChannels []string // channels where everyone may run check
	PasteChannels []string // channels where pastes are diagnosed (DMs always are)
	AllowBots     bool     // answer other bots' messages (never our own)
	// DebugUsers and DebugGroups may run a scoped debug (debug.go); empty
	// lists allow nobody.
	DebugUsers  []string
	DebugGroups []string
}

// Config builds a Bot.
type Config struct {
	Store     store.Store
	Messenger Messenger
	Checker   TunnelChecker   // nil: no device inventory configured
	Peers     PeerResolver    // nil: a check's peer is not looked up before it runs
	Files     FileFetcher     // nil: attachments are not read
	Groups    GroupResolver   // nil: CheckGroups cannot be resolved
	Forms     PasteFormOpener // nil: /tunnel diagnose cannot open its paste form
	Recover   ThreadRecoverer // nil: a thread the store forgot stays forgotten
	Settle    Settler         // nil: a resolved incident's messages keep their buttons
	// Counters reads a checked peer's IPsec SA counters a second time,
	// SnapshotInterval after the check (nil or 0: read once).
	Counters         CounterReader
	SnapshotInterval time.Duration
	// Debugger and Debugs, both set, offer a scoped debug when a check's
	// show output leaves the cause ambiguous (debug.go); Debugs records
	// each debug before it is turned on, for the startup sweep.
	Debugger Debugger
	Debugs   store.DebugLedger
	// Deliveries, when the Messenger queues posts it could not send (it
	// returns stand-in ts, IsQueuedTS), says when they are delivered;
	// nil: the Messenger never queues.
	Deliveries DeliveryWatcher
	// Outbox, when set, is the Messenger's queue of calls that failed for
	// a while; Bot.Start starts its delivery.
	Outbox  Starter
	Metrics Metrics // nil: nothing recorded
	Clock   clock.Clock
	Logger  *slog.Logger
	Access  Access
	// BotUserID is the bot's own Slack user ID (auth.test), to ignore itself.
	BotUserID    string
	MaxFileBytes int64
	EventTTL     time.Duration
	CheckTimeout time.Duration
	// MaxConcurrent bounds requests worked on at once (default 16); the
	// rest wait their turn (they were acked already), so a burst of pastes
	// cannot take all memory.
	MaxConcurrent int
	// Diagnose is the engine; nil means diagnose.Diagnose. Tests set it to
	// produce reports the engine would need long inputs for.
	Diagnose func(text string, opts diagnose.Options) diagnose.Report
	// Compare, when set, reads a paste that holds both peers' crypto
	// configs and returns their comparison (ok false: not a config pair).
	// It gets the text before redaction, to tell keys apart, and must
	// never return a key (compare quotes redacted lines only).
	Compare func(text string) (diagnose.Report, bool)
	// Silencer, when set, takes `silence PEER DURATION` (the monitor).
	Silencer Silencer
	// CheckHint completes the "no device inventory" answer: how to set one up.
	CheckHint string
	// MaxPendingWrites bounds the tunnels whose incident writes wait in
	// memory for an unreachable store (default DefaultMaxPendingWrites).
	MaxPendingWrites int
}

// Bot is the transport-independent core.
type Bot struct {
	cfg   Config
	log   *slog.Logger
	audit *slog.Logger

	sem chan struct{}

	notOursMu sync.Mutex
	notOurs   map[string]time.Time // threads recently read and found not the bot's

	groupMu    sync.Mutex
	groupCache map[string]groupEntry

	pending   *pendingWrites // incident writes waiting for the store
	recent    *recentKeys    // request keys seen, when the store cannot say (dedup.go)
	startOnce sync.Once
}

type groupEntry struct {
	members []string
	at      time.Time
}

// New returns a Bot; Store and Messenger are required.
func New(cfg Config) (*Bot, error) {
	if cfg.Store == nil || cfg.Messenger == nil {
		return nil, errors.New("bot: Store and Messenger are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.EventTTL < 10*time.Minute {
		cfg.EventTTL = store.DefaultEventTTL
	}
	if cfg.Diagnose == nil {
		cfg.Diagnose = diagnose.Diagnose
	}
	if cfg.CheckTimeout <= 0 {
		cfg.CheckTimeout = DefaultCheckTimeout
	}
	if cfg.Metrics == nil {
		cfg.Metrics = noMetrics{}
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 16
	}
	return &Bot{cfg: cfg, log: cfg.Logger, audit: cfg.Logger.With("audit", true), sem: make(chan struct{}, cfg.MaxConcurrent), notOurs: map[string]time.Time{}, groupCache: map[string]groupEntry{},
		pending: newPendingWrites(cfg.MaxPendingWrites), recent: newRecentKeys(maxRecentKeys, cfg.EventTTL)}, nil
}

// UserID is the bot's own chat user (Config.BotUserID).
func (b *Bot) UserID() string { return b.cfg.BotUserID }

// Handle answers one request. Transports call it after acking, on their
// own goroutine; it returns when the answer was sent (or failed).
func (b *Bot) Handle(ctx context.Context, req Request) {
	if ops.RequestID(ctx) == "" {
		ctx = ops.WithRequestID(ctx, ops.NewRequestID())
	}
	if req.FromBot && (!b.cfg.Access.AllowBots || (b.cfg.BotUserID != "" && req.User == b.cfg.BotUserID)) {
		return
	}
	if req.User != "" && req.User == b.cfg.BotUserID {
		return
	}
	cmd := ParseCommand(req.Text)
	var owner *store.Incident
	if req.Kind == KindThreadMessage {
		// Unmentioned thread messages count only in threads the bot owns,
		// and only when they hold device output; checked before dedup so
		// ordinary chatter costs no write.
		if req.ThreadTS == "" {
			return
		}
		isPaste := (cmd.Kind == CmdPaste && looksLikeOutput(cmd.Text)) || cmd.Kind == CmdDiagnose
		if !isPaste && len(req.Files) == 0 {
			return
		}
		owner = b.threadOwner(ctx, req)
		if owner == nil {
			return
		}
	}
	if !b.FirstDelivery(ctx, req.EventID) {
		b.log.InfoContext(ctx, "redelivered event ignored", "event_id", req.EventID, "channel", req.Channel)
		return
	}

	select {
	case b.sem <- struct{}{}:
		defer func() { <-b.sem }()
	case <-ctx.Done():
		b.log.WarnContext(ctx, "request dropped at shutdown", "event_id", req.EventID, "channel", req.Channel)
		return
	}

	if len(req.Files) > 0 {
		cmd = b.withFiles(ctx, req, cmd)
	}

	switch cmd.Kind {
	case CmdHelp, CmdEmpty:
		b.replyWith(ctx, req, Paragraphs(helpBlock))
		b.auditLog(ctx, req, "help", "", "answered")
	case CmdStatus:
		b.status(ctx, req)
	case CmdSilence:
		b.silence(ctx, req, cmd)
	case CmdCheck:
		if cmd.Err != "" {
			b.reply(ctx, req, cmd.Err)
			b.auditLog(ctx, req, "check", cmd.Peer, "bad command")
			return
		}
		b.check(ctx, req, cmd.Peer, cmd.Device, owner)
	case CmdDiagnose, CmdPaste:
		if strings.TrimSpace(cmd.Text) == "" {
			b.reply(ctx, req, "Paste the output after `diagnose` (in or out of ``` fences), or attach it as a file: IOS/ASA `show crypto isakmp sa`, `show crypto ipsec sa peer <peer>`, `debug crypto isakmp`; strongSwan `swanctl --list-sas` and charon's log; libreswan `ipsec status` and pluto's log.")
			b.auditLog(ctx, req, "diagnose", cmd.Peer, "nothing pasted")
			return
		}
		b.paste(ctx, req, cmd, owner)
	default:
		b.replyWith(ctx, req, Paragraphs(Block{Text: "I did not understand `" + Literal(redact.Text(cmd.Text)) + "`."}, helpBlock))
		b.auditLog(ctx, req, "unknown", "", "answered with help")
	}
}

// withFiles appends the text of attached files to the command.
func (b *Bot) withFiles(ctx context.Context, req Request, cmd Command) Command {
	if b.cfg.Files == nil {
		return cmd
	}
	var parts []string
	var notes []string
	for _, f := range req.Files {
		if !isTextFile(f) {
			notes = append(notes, fmt.Sprintf("`%s` is not a text file; skipped.", Literal(f.Name)))
			continue
		}
		if f.Size > b.cfg.MaxFileBytes {
			notes = append(notes, fmt.Sprintf("`%s` is %d KiB, over the %d KiB limit; paste the relevant part instead.", Literal(f.Name), f.Size>>10, b.cfg.MaxFileBytes>>10))
			continue
		}
		data, err := b.cfg.Files.Fetch(ctx, f, b.cfg.MaxFileBytes)
		if err != nil {
			b.log.WarnContext(ctx, "file download failed", "file", f.ID, "err", err)
			notes = append(notes, fmt.Sprintf("I could not download `%s`: %s", Literal(f.Name), safeErr(err)))
			continue
		}
		parts = append(parts, string(data))
	}
	if len(notes) > 0 {
		b.reply(ctx, req, strings.Join(notes, "\n"))
	}
	if len(parts) == 0 {
		return cmd
	}
	text := strings.Join(append([]string{cmd.Text}, parts...), "\n")
	switch cmd.Kind {
	case CmdDiagnose, CmdPaste:
		cmd.Text = strings.TrimSpace(text)
	case CmdEmpty, CmdUnknown, CmdHelp:
		cmd = Command{Kind: CmdPaste, Text: strings.TrimSpace(text)}
	}
	return cmd
}

func isTextFile(f FileRef) bool {
	if strings.HasPrefix(f.Mimetype, "text/") {
		return true
	}
	switch f.Filetype {
	case "text", "txt", "log", "markdown", "csv", "json", "yaml", "shell", "diff":
		return true
	}
	return false
}

// replyThread is where a reply to req goes: its thread, or a new thread
// under the user's message.
func replyThread(req Request) string {
	if req.ThreadTS != "" {
		return req.ThreadTS
	}
	return req.TS
}

// reply posts a short answer (reply text, text.go) in the request's
// thread; requests without a message of their own (slash commands,
// modals) get it as an ephemeral message.
func (b *Bot) reply(ctx context.Context, req Request, text string) {
	b.replyWith(ctx, req, Text(text))
}

// replyWith is reply for an answer of more than one plain paragraph.
func (b *Bot) replyWith(ctx context.Context, req Request, r Reply) {
	m := Message{Channel: req.Channel, ThreadTS: replyThread(req), Reply: r}
	if req.Kind == KindSlash || req.Kind == KindModal {
		m.EphemeralTo = req.User
	}
	if _, err := b.cfg.Messenger.Post(ctx, m); err != nil {
		b.log.ErrorContext(ctx, "reply failed", "channel", req.Channel, "err", err)
	}
}

// replyPrivately answers the asker alone (a refusal, a typo): an
// ephemeral message in the request's thread.
func (b *Bot) replyPrivately(ctx context.Context, req Request, r Reply) {
	m := Message{Channel: req.Channel, ThreadTS: replyThread(req), Reply: r, EphemeralTo: req.User}
	if _, err := b.cfg.Messenger.Post(ctx, m); err != nil {
		b.log.ErrorContext(ctx, "reply failed", "channel", req.Channel, "err", err)
	}
}

// auditLog records a command answered in the request's own thread.
func (b *Bot) auditLog(ctx context.Context, req Request, command, peer, result string) {
	b.audit.InfoContext(ctx, "command", "user", req.User, "channel", req.Channel, "thread", replyThread(req), "via", req.Kind.String(), "command", command, "peer", peer, "result", result)
}

// auditAt records a command answered at t: the channel and thread it was
// posted in.
func (b *Bot) auditAt(ctx context.Context, req Request, t target, command, peer, result string) {
	b.audit.InfoContext(ctx, "command", "user", req.User, "channel", t.channel, "thread", t.thread, "via", req.Kind.String(), "command", command, "peer", peer, "result", result)
}

// mayCheck says whether the user may run check here, and why not.
func (b *Bot) mayCheck(ctx context.Context, req Request) (bool, string) {
	a := b.cfg.Access
	if len(a.CheckUsers) == 0 && len(a.CheckGroups) == 0 && len(a.CheckChannels) == 0 {
		return true, ""
	}
	if slices.Contains(a.CheckUsers, req.User) || slices.Contains(a.CheckChannels, req.Channel) {
		return true, ""
	}
	for _, g := range a.CheckGroups {
		if slices.Contains(b.groupMembers(ctx, g), req.User) {
			return true, ""
		}
	}
	return false, "`check` logs into network devices, so it is limited to configured users, user groups and channels (TUNNELDOC_CHECK_USERS, TUNNELDOC_CHECK_GROUPS, TUNNELDOC_CHECK_CHANNELS); you are not on those lists. Pasting output for diagnosis works for everyone here."
}

func (b *Bot) groupMembers(ctx context.Context, group string) []string {
	if b.cfg.Groups == nil {
		return nil
	}
	now := b.cfg.Clock.Now()
	b.groupMu.Lock()
	e, ok := b.groupCache[group]
	b.groupMu.Unlock()
	if ok && now.Sub(e.at) < 5*time.Minute {
		return e.members
	}
	m, err := b.cfg.Groups.GroupMembers(ctx, group)
	if err != nil {
		b.log.WarnContext(ctx, "user group lookup failed", "group", group, "err", err)
		return e.members
	}
	b.groupMu.Lock()
	b.groupCache[group] = groupEntry{members: m, at: now}
	b.groupMu.Unlock()
	return m
}

// mayPaste: pastes are diagnosed in DMs, the console and allowed channels.
func (b *Bot) mayPaste(req Request) bool {
	pc := b.cfg.Access.PasteChannels
	return len(pc) == 0 || req.Kind == KindDM || req.Kind == KindConsole || slices.Contains(pc, req.Channel)
}

// safeErr is the user-facing form of an error: redacted and short.
func safeErr(err error) string {
	return Literal(truncate(redact.Text(err.Error()), 300))
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// Debugger runs a debug limited to one peer on one device for a window
// and turns it off again (cmd adapts the devices collector to it).
type Debugger interface {
	// DebugOffer says whether the inventory allows a debug for peer (on
	// device, or the one device terminating it), and what it would send.
	DebugOffer(peer, device string) (DebugOffer, error)
	// RunDebug runs it: wait waits out the window. The debug is turned
	// off whatever happens; DebugResult.Off says whether that worked.
	RunDebug(ctx context.Context, peer, device string, window time.Duration, trigger bool, wait func(context.Context, time.Duration) error) (DebugResult, error)
	// TurnOffDebug turns off a debug left on (the startup sweep).
	TurnOffDebug(ctx context.Context, peer, device string) error
}

// DebugOffer is a debug the inventory allows.
type DebugOffer struct {
	Device  string
	Window  time.Duration
	On      []string // the commands that turn it on
	Trigger []string // the commands that start a negotiation; none: it cannot be started
	Off     []string // the commands that turn it off
}

// DebugResult is what a debug window read.
type DebugResult struct {
	Device     string
	Commands   []string // every command sent, in order
	Transcript string
	Off        bool
	OffErr     error
}

// Debug button action IDs: the offer, the confirmation, the second
// confirmation a negotiation needs, and the run with a negotiation.
const (
	ActionDebug           = "tunneldoc_debug"
	ActionDebugRun        = "tunneldoc_debug_run"
	ActionDebugAskTrigger = "tunneldoc_debug_ask_trigger"
	ActionDebugRunTrigger = "tunneldoc_debug_run_trigger"
)

// debugConfidence: below it the show output leaves the cause ambiguous.
const debugConfidence = 0.6

// debugWanted reports whether the show output leaves the cause
// ambiguous: the report is not sure, or its next step is a debug.
func debugWanted(r diagnose.Report) bool {
	if r.Verdict == diagnose.VerdictUp {
		return false
	}
	if r.Confidence < debugConfidence {
		return true
	}
	for _, f := range r.Fix {
		if strings.Contains(f, "debug crypto") || strings.Contains(f, "swanctl --log") {
			return true
		}
	}
	return false
}

// debugsEnabled: a Debugger, and a ledger to record debugs in before
// they are turned on.
func (b *Bot) debugsEnabled() bool { return b.cfg.Debugger != nil && b.cfg.Debugs != nil }

// offerDebug adds the debug button to a tracked check's reply when the
// show output leaves the cause ambiguous and the inventory allows a
// debug on that device.
func (b *Bot) offerDebug(r *Reply, report diagnose.Report, rc ReplyContext) {
	if !b.debugsEnabled() || rc.IncidentID == "" || rc.IncidentStatus == store.StatusResolved || !debugWanted(report) {
		return
	}
	offer, err := b.cfg.Debugger.DebugOffer(rc.Peer, rc.Device)
	if err != nil {
		return
	}
	r.Buttons = append(r.Buttons, Button{Action: ActionDebug, Value: rc.IncidentID, Label: debugLabel(offer, rc.Peer)})
}

func debugLabel(o DebugOffer, peer string) string {
	return fmt.Sprintf("Run a %s debug for %s on %s", seconds(o.Window), peer, o.Device)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%d s", int(d/time.Second)) }

// mayDebug: only the users (and user groups) configured for debugs may
// run one; nobody when none is configured.
func (b *Bot) mayDebug(ctx context.Context, user string) bool {
	a := b.cfg.Access
	if slices.Contains(a.DebugUsers, user) {
		return true
	}
	for _, g := range a.DebugGroups {
		if slices.Contains(b.groupMembers(ctx, g), user) {
			return true
		}
	}
	return false
}

// debugAction handles the debug buttons; false: a is not one.
func (b *Bot) debugAction(ctx context.Context, a Action, req Request, inc store.Incident) bool {
	switch a.ActionID {
	case ActionDebug, ActionDebugRun, ActionDebugAskTrigger, ActionDebugRunTrigger:
	default:
		return false
	}
	if !b.debugsEnabled() {
		b.replyPrivately(ctx, req, Say(IconError, "Debugs are not set up on this tunneldoc."))
		return true
	}
	if !b.mayDebug(ctx, a.User) {
		b.replyPrivately(ctx, req, Say(IconError, "A debug changes what the device logs, so only the users and groups configured for it may run one (TUNNELDOC_DEBUG_USERS, TUNNELDOC_DEBUG_GROUPS); you are not on those lists."))
		b.auditDebug(ctx, req, inc, "", a.ActionID, "refused: not allowed", nil)
		return true
	}
	if inc.Status == store.StatusResolved {
		b.replyPrivately(ctx, req, Text(fmt.Sprintf("Incident %s is resolved; no debug runs for it.", inc.ID)))
		return true
	}
	offer, err := b.cfg.Debugger.DebugOffer(inc.Peer, inc.Device)
	if err != nil {
		b.replyPrivately(ctx, req, Say(IconError, "I cannot run that debug: "+safeErr(err)))
		b.auditDebug(ctx, req, inc, "", a.ActionID, "refused: "+redact.Text(err.Error()), nil)
		return true
	}
	switch a.ActionID {
	case ActionDebug:
		b.confirmDebug(ctx, req, inc, offer)
	case ActionDebugAskTrigger:
		b.confirmTrigger(ctx, req, inc, offer)
	case ActionDebugRun:
		b.runDebug(ctx, req, inc, offer, false)
	case ActionDebugRunTrigger:
		b.runDebug(ctx, req, inc, offer, true)
	}
	return true
}

// confirmDebug asks the user (alone) to confirm the debug, quoting the
// commands it sends.
func (b *Bot) confirmDebug(ctx context.Context, req Request, inc store.Incident, o DebugOffer) {
	r := Paragraphs(
		Block{Icon: IconWarning, Text: fmt.Sprintf("%s? For %s only; it is turned off at the end of the window, also if something fails.", debugLabel(o, Literal(inc.Peer)), seconds(o.Window))},
		Block{Kind: Code, Title: "It sends:", Lines: append(append(append([]string(nil), o.On...), "(wait "+seconds(o.Window)+", then read the log)"), o.Off...)},
	)
	r.Buttons = []Button{{Action: ActionDebugRun, Value: inc.ID, Label: "Yes, run the debug", Primary: true}}
	if len(o.Trigger) > 0 {
		r.Buttons = append(r.Buttons, Button{Action: ActionDebugAskTrigger, Value: inc.ID, Label: "Run it and start a negotiation…"})
	}
	b.replyPrivately(ctx, req, r)
	b.auditDebug(ctx, req, inc, o.Device, ActionDebug, "asked for confirmation", nil)
}

// confirmTrigger is the second confirmation a negotiation needs: it
// tears down the tunnel's SAs.
func (b *Bot) confirmTrigger(ctx context.Context, req Request, inc store.Incident, o DebugOffer) {
	if len(o.Trigger) == 0 {
		b.replyPrivately(ctx, req, Text("A negotiation cannot be started on "+Literal(o.Device)+" for this tunnel (it has no name in the inventory)."))
		return
	}
	r := Paragraphs(Block{Icon: IconWarning, Text: fmt.Sprintf("Starting a negotiation clears the SAs with %s on %s: traffic through the tunnel stops until they are negotiated again. Run the debug and send this?", Literal(inc.Peer), Literal(o.Device))},
		Block{Kind: Code, Lines: o.Trigger})
	r.Buttons = []Button{{Action: ActionDebugRunTrigger, Value: inc.ID, Label: "Yes, clear the SAs and run the debug", Primary: true}}
	b.replyPrivately(ctx, req, r)
	b.auditDebug(ctx, req, inc, o.Device, ActionDebugAskTrigger, "asked for the second confirmation", nil)
}

// runDebug records the debug, runs it, and posts what it showed in the
// incident's thread.
func (b *Bot) runDebug(ctx context.Context, req Request, inc store.Incident, o DebugOffer, trigger bool) {
	rec := store.DebugRecord{Peer: inc.Peer, Device: o.Device, By: req.User, Started: b.cfg.Clock.Now()}
	on, err := b.cfg.Debugs.DebugsOn(ctx)
	if err == nil && slices.ContainsFunc(on, func(r store.DebugRecord) bool { return r.Key() == rec.Key() }) {
		b.replyPrivately(ctx, req, Text(fmt.Sprintf("A debug for %s on %s is already running.", Literal(inc.Peer), Literal(o.Device))))
		return
	}
	if err == nil {
		err = b.cfg.Debugs.DebugStarted(ctx, rec)
	}
	if err != nil {
		// Unrecorded, a debug a crash left on would never be swept.
		b.replyPrivately(ctx, req, Say(IconError, "I cannot run the debug: the state store cannot record it ("+safeErr(err)+")."))
		b.auditDebug(ctx, req, inc, o.Device, "debug", "not run: store unavailable", nil)
		return
	}
	what := "debug"
	if trigger {
		what = "debug and a negotiation"
	}
	ch, thread := req.Channel, replyThread(req)
	b.post(ctx, ch, thread, Say(IconWorking, fmt.Sprintf("%s started a %s %s for %s on %s.", Mention(req.User), seconds(o.Window), what, Literal(inc.Peer), Literal(o.Device))))
	wait := func(ctx context.Context, d time.Duration) error {
		select {
		case <-b.cfg.Clock.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	res, err := b.cfg.Debugger.RunDebug(ctx, inc.Peer, o.Device, o.Window, trigger, wait)
	// The answer and the record get a short grace of their own when
	// tunneldoc is stopping.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if res.Off {
		if derr := b.cfg.Debugs.DebugEnded(ctx, rec.Key()); derr != nil {
			b.log.WarnContext(ctx, "clearing the debug record failed; the next start turns it off again", "err", derr)
		}
	} else {
		msg := fmt.Sprintf("I could not turn the debug off on %s: %s\nTurn it off by hand: %s. tunneldoc tries again when it next starts.", Literal(o.Device), safeErr(res.OffErr), Literal(strings.Join(o.Off, "; ")))
		b.post(ctx, ch, thread, Say(IconError, msg))
	}
	result := "off"
	if !res.Off {
		result = "LEFT ON"
	}
	if err != nil {
		b.post(ctx, ch, thread, Say(IconError, fmt.Sprintf("The debug on %s failed: %s", Literal(o.Device), safeErr(err))))
		b.auditDebug(ctx, req, inc, o.Device, what, "failed: "+redact.Text(err.Error())+"; debug "+result, res.Commands)
		if strings.TrimSpace(res.Transcript) == "" {
			return
		}
	}
	report := b.cfg.Diagnose(redact.Text(res.Transcript), diagnose.Options{Peer: inc.Peer})
	rc := ReplyContext{Peer: inc.Peer, Device: o.Device, Source: store.SourceCheck}
	out := Render(report, rc)
	intro := fmt.Sprintf("What the %s debug for %s on %s showed (the debug is %s):", seconds(o.Window), Literal(inc.Peer), Literal(o.Device), strings.ToLower(result))
	out.Reply.Summary = intro + "\n" + out.Reply.SummaryText()
	out.Reply.Blocks = append([]Block{{Text: intro}}, out.Reply.Blocks...)
	out.Reply.Full = PlainText(intro) + "\n" + out.Reply.Plain()
	b.post(ctx, ch, thread, out.Reply)
	if err == nil {
		b.auditDebug(ctx, req, inc, o.Device, what, report.Phase+"/"+report.Cause+"; debug "+result, res.Commands)
	}
}

func (b *Bot) post(ctx context.Context, channel, thread string, r Reply) {
	if _, err := b.cfg.Messenger.Post(ctx, Message{Channel: channel, ThreadTS: thread, Reply: r}); err != nil {
		b.log.ErrorContext(ctx, "posting a debug reply failed", "err", err)
	}
}

// auditDebug records who ran what debug where.
func (b *Bot) auditDebug(ctx context.Context, req Request, inc store.Incident, device, command, result string, sent []string) {
	b.audit.InfoContext(ctx, "command", "user", req.User, "channel", req.Channel, "thread", replyThread(req), "via", "button", "command", command,
		"peer", inc.Peer, "device", device, "incident", inc.ID, "sent", strings.Join(sent, "; "), "result", result)
}

// SweepDebugs turns off the debugs the ledger says may still be on (a
// tunneldoc stopped mid-window); Start runs it. A record goes only when
// its debug is confirmed off.
func (b *Bot) SweepDebugs(ctx context.Context) error {
	if !b.debugsEnabled() {
		return nil
	}
	recs, err := b.cfg.Debugs.DebugsOn(ctx)
	if err != nil {
		return fmt.Errorf("listing debugs left on: %w", err)
	}
	var errs []error
	for _, r := range recs {
		if err := b.cfg.Debugger.TurnOffDebug(ctx, r.Peer, r.Device); err != nil {
			b.log.ErrorContext(ctx, "a debug left on could not be turned off", "peer", r.Peer, "device", r.Device, "started_by", r.By, "err", redact.Text(err.Error()))
			errs = append(errs, err)
			continue
		}
		if err := b.cfg.Debugs.DebugEnded(ctx, r.Key()); err != nil {
			errs = append(errs, err)
		}
		b.audit.InfoContext(ctx, "command", "user", r.By, "via", "startup", "command", "debug sweep", "peer", r.Peer, "device", r.Device, "result", "turned off a debug left on since "+r.Started.UTC().Format(time.RFC3339))
	}
	return errors.Join(errs...)
}

package slack

import (
	"context"
	"log/slog"
	"strings"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/ops"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Modal identifiers for /tunnel diagnose.
const (
	modalCallbackID = "tunneldoc_diagnose"
	modalPeerBlock  = "peer"
	modalPeerInput  = "peer_input"
	modalPasteBlock = "paste"
	modalPasteInput = "paste_input"
)

// RequestFromEvent turns an Events API callback into a bot.Request; ok is
// false for events the bot does not answer. botUserID is the bot's own
// user (a message mentioning it is answered from its app_mention event).
func RequestFromEvent(ev slackevents.EventsAPIEvent, botUserID string) (bot.Request, bool) {
	req, ok := requestFromEvent(ev, botUserID)
	if !ok || !complete(req) {
		return bot.Request{}, false
	}
	return req, true
}

// complete: Slack's message and app_mention events always name a channel,
// a timestamp and who wrote them (a user, or a bot), and carry text or
// files. An event without them is not Slack's (or is damaged): answering
// it would post at the channel's root or nowhere, so it is ignored.
func complete(req bot.Request) bool {
	return req.Channel != "" && req.TS != "" && (req.User != "" || req.FromBot) &&
		(strings.TrimSpace(req.Text) != "" || len(req.Files) > 0)
}

func requestFromEvent(ev slackevents.EventsAPIEvent, botUserID string) (bot.Request, bool) {
	eventID := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		return bot.Request{
			EventID: eventID, Kind: bot.KindMention, Channel: e.Channel, User: e.User, TS: e.TimeStamp,
			ThreadTS: e.ThreadTimeStamp, Text: e.Text, Files: fileRefs(e.Files), FromBot: e.BotID != "",
		}, true
	case *slackevents.MessageEvent:
		switch e.SubType {
		case "", "file_share", "thread_broadcast":
		default:
			return bot.Request{}, false // edits, deletions, joins, bot_message...
		}
		var files []slackgo.File
		if e.Message != nil {
			files = e.Message.Files
		}
		req := bot.Request{
			EventID: eventID, Channel: e.Channel, User: e.User, TS: e.TimeStamp, ThreadTS: e.ThreadTimeStamp,
			Text: e.Text, Files: fileRefs(files), FromBot: e.BotID != "",
		}
		req.Private, _ = eventChannelType(e.ChannelType)
		switch {
		case e.ChannelType == slackevents.ChannelTypeIM:
			req.Kind = bot.KindDM
		case botUserID != "" && strings.Contains(e.Text, "<@"+botUserID+">"):
			return bot.Request{}, false // the app_mention event carries it
		case e.ThreadTimeStamp != "" && e.ThreadTimeStamp != e.TimeStamp:
			req.Kind = bot.KindThreadMessage
		default:
			return bot.Request{}, false
		}
		return req, true
	}
	return bot.Request{}, false
}

// eventPrivacy is what an Events API callback says of its channel's
// privacy: a message event's channel_type; known is false for an
// app_mention event, which carries none.
func eventPrivacy(ev slackevents.EventsAPIEvent) (private, known bool) {
	if e, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent); ok {
		return eventChannelType(e.ChannelType)
	}
	return false, false
}

// handleEvent answers req, the request of the Events API callback ev,
// once its channel's privacy is settled.
func handleEvent(ctx context.Context, b *bot.Bot, p *channelPrivacy, ev slackevents.EventsAPIEvent, req bot.Request) {
	private, known := eventPrivacy(ev)
	p.settle(ctx, &req, private, known)
	b.Handle(ctx, req)
}

func fileRefs(files []slackgo.File) []bot.FileRef {
	var out []bot.FileRef
	for _, f := range files {
		u := f.URLPrivateDownload
		if u == "" {
			u = f.URLPrivate
		}
		out = append(out, bot.FileRef{ID: f.ID, Name: firstNonEmpty(f.Name, f.Title, f.ID), URL: u, Size: int64(f.Size), Mimetype: f.Mimetype, Filetype: f.Filetype})
	}
	return out
}

// SlashAck is the ephemeral text a /tunnel command is acknowledged with
// (within Slack's 3 s, before any work): it reaches the user even when the
// bot cannot post in the channel. "" for commands answered ephemerally anyway.
func SlashAck(sc slackgo.SlashCommand) string {
	cmd := bot.ParseCommand(sc.Text)
	switch {
	case cmd.Kind == bot.CmdCheck && cmd.Err == "":
		return "Checking " + cmd.Peer + "… the answer goes to a thread in this channel. (If nothing appears, invite me: `/invite @tunneldoc`.)"
	case cmd.Kind == bot.CmdDiagnose && strings.TrimSpace(cmd.Text) != "", cmd.Kind == bot.CmdPaste:
		return "Diagnosing… the answer goes to a thread in this channel. (If nothing appears, invite me: `/invite @tunneldoc`.)"
	}
	return ""
}

// slashRequest is the bot.Request a /tunnel command makes; ok is false
// without a channel or a user (Slack always sends both; without them an
// answer goes nowhere).
func slashRequest(sc slackgo.SlashCommand) (bot.Request, bool) {
	if sc.ChannelID == "" || sc.UserID == "" {
		return bot.Request{}, false
	}
	private, _ := slashChannelType(sc)
	return bot.Request{Kind: bot.KindSlash, Channel: sc.ChannelID, User: sc.UserID, Text: strings.TrimSpace(sc.Text), Trigger: sc.TriggerID, Private: private}, true
}

// isDM: Slack's DM channel ids start with D.
func isDM(channel string) bool {
	return strings.HasPrefix(channel, "D")
}

// requestKey names one slash command or interaction for running it once
// (bot.Bot.FirstDelivery): Slack's trigger_id, unique per user action;
// without one, what identifies the delivery (the HTTP request's
// signature, timestamp and body hash; the Socket Mode envelope id).
// Replays of a signed request are accepted for 5 minutes (the signature
// window); the key is kept longer (bot.Config.EventTTL).
func requestKey(kind, triggerID, delivery string) string {
	switch {
	case triggerID != "":
		return kind + ":trigger:" + triggerID
	case delivery != "":
		return kind + ":delivery:" + delivery
	}
	return ""
}

// handleSlash answers /tunnel through the bot, once per request.
func handleSlash(ctx context.Context, b *bot.Bot, p *channelPrivacy, sc slackgo.SlashCommand, delivery string, log *slog.Logger) {
	req, ok := slashRequest(sc)
	if !ok {
		log.WarnContext(ctx, "slash command without channel or user ignored", "command", sc.Command)
		return
	}
	if !b.FirstDelivery(ctx, requestKey("slash", sc.TriggerID, delivery)) {
		log.InfoContext(ctx, "replayed slash command ignored", "command", sc.Command, "channel", sc.ChannelID, "user", sc.UserID)
		return
	}
	private, known := slashChannelType(sc)
	p.settle(ctx, &req, private, known)
	b.HandleSlash(ctx, req)
}

// maxPlaceholderChars is Slack's limit for a plain-text input's
// placeholder.
const maxPlaceholderChars = 150

// pastePlaceholder names, for each platform read in depth, the first
// command the diagnosis asks for when it knows the platform
// (diagnose.PasteNext), beside the platform's name, platforms with the
// same command together: "IOS/ASA show crypto isakmp sa; strongSwan
// swanctl --list-sas; ...". The full list of each platform's commands is
// longer than a placeholder holds; the reply to an unreadable paste gives
// it.
func pastePlaceholder() string {
	platforms := []struct {
		vendor facts.Vendor
		name   string
	}{{facts.VendorIOS, "IOS"}, {facts.VendorASA, "ASA"}, {facts.VendorStrongSwan, "strongSwan"}, {facts.VendorLibreswan, "libreswan"}}
	var cmds []string
	names := map[string][]string{}
	for _, p := range platforms {
		next := diagnose.PasteNext(string(p.vendor), "<peer>")
		if len(next) == 0 {
			continue
		}
		_, rest, ok := strings.Cut(next[0], "`")
		cmd, _, closed := strings.Cut(rest, "`")
		if !ok || !closed || cmd == "" {
			continue
		}
		if _, seen := names[cmd]; !seen {
			cmds = append(cmds, cmd)
		}
		names[cmd] = append(names[cmd], p.name)
	}
	parts := make([]string, 0, len(cmds)+1)
	for _, c := range cmds {
		parts = append(parts, strings.Join(names[c], "/")+" "+c)
	}
	parts = append(parts, "or the IKE debug / log")
	return truncate(strings.Join(parts, "; "), maxPlaceholderChars)
}

func diagnoseModal(channel string) slackgo.ModalViewRequest {
	plain := func(s string) *slackgo.TextBlockObject {
		return slackgo.NewTextBlockObject(slackgo.PlainTextType, s, false, false)
	}
	peer := slackgo.NewPlainTextInputBlockElement(plain("90.1.1.1"), modalPeerInput)
	paste := slackgo.NewPlainTextInputBlockElement(plain(pastePlaceholder()), modalPasteInput)
	paste.Multiline = true
	paste.MaxLength = 3000 // Slack's limit for a plain-text input; attach longer output as a file
	peerBlock := slackgo.NewInputBlock(modalPeerBlock, plain("Peer address (optional)"), nil, peer)
	peerBlock.Optional = true
	return slackgo.ModalViewRequest{
		Type:            slackgo.VTModal,
		CallbackID:      modalCallbackID,
		Title:           plain("Diagnose a tunnel"),
		Submit:          plain("Diagnose"),
		Close:           plain("Cancel"),
		PrivateMetadata: channel,
		Blocks: slackgo.Blocks{BlockSet: []slackgo.Block{
			peerBlock,
			slackgo.NewInputBlock(modalPasteBlock, plain("Device output"), nil, paste),
		}},
	}
}

// handleInteraction applies a button click or a paste form submission,
// once per request.
func handleInteraction(ctx context.Context, b *bot.Bot, p *channelPrivacy, cb slackgo.InteractionCallback, delivery string, log *slog.Logger) {
	if cb.User.ID == "" {
		log.WarnContext(ctx, "interaction without a user ignored", "type", string(cb.Type))
		return
	}
	once := func() bool {
		if b.FirstDelivery(ctx, requestKey("interaction", cb.TriggerID, delivery)) {
			return true
		}
		log.InfoContext(ctx, "replayed interaction ignored", "type", string(cb.Type), "user", cb.User.ID)
		return false
	}
	switch cb.Type {
	case slackgo.InteractionTypeBlockActions:
		if acts := cb.ActionCallback.BlockActions; len(acts) == 1 && acts[0].Value != "" {
			ctx = ops.WithIncidentID(ctx, acts[0].Value) // a button's value names its incident
		}
		if len(cb.ActionCallback.BlockActions) == 0 || !once() {
			return
		}
		for _, a := range cb.ActionCallback.BlockActions {
			b.HandleAction(ctx, bot.Action{ActionID: a.ActionID, IncidentID: a.Value, User: cb.User.ID, Channel: cb.Channel.ID, MessageTS: cb.Message.Timestamp, ThreadTS: firstNonEmpty(cb.Message.ThreadTimestamp, cb.Container.ThreadTs)})
		}
	case slackgo.InteractionTypeViewSubmission:
		if cb.View.CallbackID != modalCallbackID || cb.View.State == nil || cb.View.PrivateMetadata == "" || !once() {
			return
		}
		v := cb.View.State.Values
		channel := cb.View.PrivateMetadata
		b.HandlePasteForm(ctx, channel, cb.User.ID, v[modalPeerBlock][modalPeerInput].Value, v[modalPasteBlock][modalPasteInput].Value, p.private(ctx, channel))
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// newRequestContext is ctx carrying a new request_id: a request gets it
// on receipt, so the transport's lines about it (receipt, ack, retry,
// replay) carry the same id as the bot's.
func newRequestContext(ctx context.Context) context.Context {
	return ops.WithRequestID(ctx, ops.NewRequestID())
}

// sameRequest is ctx carrying the request_id of the request received
// under rctx (work runs under another context than its receipt).
func sameRequest(ctx, rctx context.Context) context.Context {
	return ops.WithRequestID(ctx, ops.RequestID(rctx))
}

// logReceipt logs (at debug) that the transport received a request.
func logReceipt(ctx context.Context, log *slog.Logger, via, what string, attrs ...any) {
	log.DebugContext(ctx, "slack "+what+" received", append([]any{"via", via}, attrs...)...)
}

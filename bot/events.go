package bot

import (
	"context"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Modal identifiers for /tunnel diagnose.
const (
	modalCallbackID = "tunneldoc_diagnose"
	modalPeerBlock  = "peer"
	modalPeerInput  = "peer_input"
	modalPasteBlock = "paste"
	modalPasteInput = "paste_input"
)

// RequestFromEvent turns an Events API callback into a Request; ok is
// false for events the bot does not answer. eventID is the outer event_id.
func (b *Bot) RequestFromEvent(ev slackevents.EventsAPIEvent) (Request, bool) {
	req, ok := b.requestFromEvent(ev)
	if !ok || !complete(req) {
		return Request{}, false
	}
	return req, true
}

// complete: Slack's message and app_mention events always name a channel,
// a timestamp and who wrote them (a user, or a bot), and carry text or
// files. An event without them is not Slack's (or is damaged): answering
// it would post at the channel's root or nowhere, so it is ignored.
func complete(req Request) bool {
	return req.Channel != "" && req.TS != "" && (req.User != "" || req.FromBot) &&
		(strings.TrimSpace(req.Text) != "" || len(req.Files) > 0)
}

func (b *Bot) requestFromEvent(ev slackevents.EventsAPIEvent) (Request, bool) {
	eventID := ""
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		return Request{
			EventID: eventID, Kind: KindMention, Channel: e.Channel, User: e.User, TS: e.TimeStamp,
			ThreadTS: e.ThreadTimeStamp, Text: e.Text, Files: fileRefs(e.Files), FromBot: e.BotID != "",
		}, true
	case *slackevents.MessageEvent:
		switch e.SubType {
		case "", "file_share", "thread_broadcast":
		default:
			return Request{}, false // edits, deletions, joins, bot_message...
		}
		var files []slack.File
		if e.Message != nil {
			files = e.Message.Files
		}
		req := Request{
			EventID: eventID, Channel: e.Channel, User: e.User, TS: e.TimeStamp, ThreadTS: e.ThreadTimeStamp,
			Text: e.Text, Files: fileRefs(files), FromBot: e.BotID != "",
		}
		switch {
		case e.ChannelType == slackevents.ChannelTypeIM:
			req.Kind = KindDM
		case b.cfg.BotUserID != "" && strings.Contains(e.Text, "<@"+b.cfg.BotUserID+">"):
			return Request{}, false // the app_mention event carries it
		case e.ThreadTimeStamp != "" && e.ThreadTimeStamp != e.TimeStamp:
			req.Kind = KindThreadMessage
		default:
			return Request{}, false
		}
		return req, true
	}
	return Request{}, false
}

func fileRefs(files []slack.File) []FileRef {
	var out []FileRef
	for _, f := range files {
		u := f.URLPrivateDownload
		if u == "" {
			u = f.URLPrivate
		}
		out = append(out, FileRef{ID: f.ID, Name: firstNonEmpty(f.Name, f.Title, f.ID), URL: u, Size: int64(f.Size), Mimetype: f.Mimetype, Filetype: f.Filetype})
	}
	return out
}

// SlashAck is the ephemeral text a /tunnel command is acknowledged with
// (within Slack's 3 s, before any work): it reaches the user even when the
// bot cannot post in the channel. "" for commands answered ephemerally anyway.
func SlashAck(sc slack.SlashCommand) string {
	cmd := ParseCommand(sc.Text)
	switch {
	case cmd.Kind == CmdCheck && cmd.Err == "":
		return "Checking " + cmd.Peer + "… the answer goes to a thread in this channel. (If nothing appears, invite me: `/invite @tunneldoc`.)"
	case cmd.Kind == CmdDiagnose && strings.TrimSpace(cmd.Text) != "", cmd.Kind == CmdPaste:
		return "Diagnosing… the answer goes to a thread in this channel. (If nothing appears, invite me: `/invite @tunneldoc`.)"
	}
	return ""
}

// HandleSlash answers /tunnel. "/tunnel diagnose" with nothing after it
// opens a modal to paste into; everything else reads like a mention.
func (b *Bot) HandleSlash(ctx context.Context, sc slack.SlashCommand) {
	if sc.ChannelID == "" || sc.UserID == "" {
		// Slack always sends both; without them an answer goes nowhere.
		b.log.Warn("slash command without channel or user ignored", "command", sc.Command)
		return
	}
	text := strings.TrimSpace(sc.Text)
	req := Request{Kind: KindSlash, Channel: sc.ChannelID, User: sc.UserID, Text: text}
	if strings.EqualFold(text, "diagnose") || strings.EqualFold(text, "paste") {
		if b.cfg.Modals == nil || sc.TriggerID == "" {
			b.reply(ctx, req, "Paste the output after `/tunnel diagnose`, or mention me with it.")
			return
		}
		if err := b.cfg.Modals.OpenModal(ctx, sc.TriggerID, diagnoseModal(sc.ChannelID)); err != nil {
			b.log.Error("opening the diagnose modal failed", "err", err)
			b.reply(ctx, req, "I could not open the paste window: "+safeErr(err)+". Mention me with the output instead.")
		}
		b.auditLog(req, "diagnose", "", "modal opened")
		return
	}
	b.Handle(ctx, req)
}

func diagnoseModal(channel string) slack.ModalViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	peer := slack.NewPlainTextInputBlockElement(plain("90.1.1.1"), modalPeerInput)
	paste := slack.NewPlainTextInputBlockElement(plain("show crypto isakmp sa, show crypto ipsec sa peer …, debug crypto isakmp"), modalPasteInput)
	paste.Multiline = true
	paste.MaxLength = 3000 // Slack's limit for a plain-text input; attach longer output as a file
	peerBlock := slack.NewInputBlock(modalPeerBlock, plain("Peer address (optional)"), nil, peer)
	peerBlock.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      modalCallbackID,
		Title:           plain("Diagnose a tunnel"),
		Submit:          plain("Diagnose"),
		Close:           plain("Cancel"),
		PrivateMetadata: channel,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			peerBlock,
			slack.NewInputBlock(modalPasteBlock, plain("Device output"), nil, paste),
		}},
	}
}

// HandleInteraction applies a button click or a modal submission.
func (b *Bot) HandleInteraction(ctx context.Context, cb slack.InteractionCallback) {
	if cb.User.ID == "" {
		b.log.Warn("interaction without a user ignored", "type", string(cb.Type))
		return
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			b.HandleAction(ctx, Action{ActionID: a.ActionID, IncidentID: a.Value, User: cb.User.ID, Channel: cb.Channel.ID, MessageTS: cb.Message.Timestamp})
		}
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID != modalCallbackID || cb.View.State == nil || cb.View.PrivateMetadata == "" {
			return
		}
		v := cb.View.State.Values
		peer := strings.TrimSpace(v[modalPeerBlock][modalPeerInput].Value)
		text := v[modalPasteBlock][modalPasteInput].Value
		first := "diagnose"
		if peer != "" && isPeer(peer) {
			first += " " + peer
		}
		b.Handle(ctx, Request{Kind: KindModal, Channel: cb.View.PrivateMetadata, User: cb.User.ID, Text: first + "\n" + text})
	}
}

package bot

import (
	"context"
	"strings"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// paste diagnoses pasted (or attached) output.
func (b *Bot) paste(ctx context.Context, req Request, cmd Command, owner *store.Incident) {
	if !b.mayPaste(req) {
		b.replyPrivately(ctx, req, Text("Pasted output is diagnosed in DMs and in the channels listed in TUNNELDOC_PASTE_CHANNELS; this channel is not one of them."))
		b.auditLog(ctx, req, "diagnose", cmd.Peer, "refused: channel not allowed")
		return
	}
	compared := b.comparison(cmd.Text)
	text := redact.Text(cmd.Text)
	if len(text) > DefaultMaxPaste {
		text = text[:DefaultMaxPaste]
	}
	if owner == nil && req.ThreadTS != "" {
		owner = b.threadOwner(ctx, req)
	}
	peer, device := cmd.Peer, ""
	if owner != nil {
		peer = firstNonEmpty(peer, owner.Peer)
		device = owner.Device
	}
	var report diagnose.Report
	if compared != nil {
		report = *compared
	} else {
		report = b.cfg.Diagnose(text, diagnose.Options{Peer: peer})
	}
	peer = firstNonEmpty(peer, report.Peer)
	t := b.place(ctx, req, peer, device, owner, Mention(req.User)+" pasted output for diagnosis.")
	b.join(ctx, req, &t, peer, device, compared == nil && troubled(report))
	ctx = t.logContext(ctx)
	rc := t.replyContext(peer, device, store.SourcePaste)
	out := Render(report, rc)
	ts, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Reply: out.Reply, Incident: t.ref()})
	if err != nil {
		b.log.ErrorContext(ctx, "posting diagnosis failed", "channel", t.channel, "err", err)
		b.auditAt(ctx, req, t, "diagnose", peer, "post failed: "+report.Cause)
		return
	}
	b.delivered(ctx, t, ts, report, rc, out, store.SourcePaste, req.User)
	b.auditAt(ctx, req, t, "diagnose", peer, report.Phase+"/"+report.Cause)
}

// HandleSlash answers /tunnel. "/tunnel diagnose" (or compare) with
// nothing after it opens the paste form (Config.Forms, with req.Trigger);
// everything else reads like a mention.
func (b *Bot) HandleSlash(ctx context.Context, req Request) {
	text := strings.TrimSpace(req.Text)
	if !strings.EqualFold(text, "diagnose") && !strings.EqualFold(text, "paste") && !strings.EqualFold(text, "compare") {
		b.Handle(ctx, req)
		return
	}
	if b.cfg.Forms == nil || req.Trigger == "" {
		b.reply(ctx, req, "Paste the output after `/tunnel "+strings.ToLower(text)+"`, or mention me with it.")
		return
	}
	if err := b.cfg.Forms.OpenPasteForm(ctx, req.Trigger, req.Channel); err != nil {
		b.log.ErrorContext(ctx, "opening the diagnose modal failed", "err", err)
		b.reply(ctx, req, "I could not open the paste window: "+safeErr(err)+". Mention me with the output instead.")
	}
	b.auditLog(ctx, req, "diagnose", "", "modal opened")
}

// HandlePasteForm answers a submitted paste form (Config.Forms): the
// pasted text, for channel (private: a DM), with the peer to focus on
// when one was given.
func (b *Bot) HandlePasteForm(ctx context.Context, channel, user, peer, text string, private bool) {
	first := "diagnose"
	if peer = strings.TrimSpace(peer); peer != "" && isPeer(peer) {
		first += " " + peer
	}
	b.Handle(ctx, Request{Kind: KindModal, Channel: channel, User: user, Text: first + "\n" + text, Private: private})
}

package bot

import (
	"context"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// FarEndCheck is what `check tunnel` read on the device at the other end
// of the tunnel, when the inventory holds it and it answered.
type FarEndCheck struct {
	Device     string // the far end's inventory name
	Peer       string // the near end's address, as the far end's peer
	Transcript string // its prompts, commands and output
}

// postAlongside posts a second report in the check's thread (the two
// ends' configurations compared, the far end's own diagnosis) under a
// line that says what it is.
func (b *Bot) postAlongside(ctx context.Context, t target, intro string, report diagnose.Report, rc ReplyContext) {
	out := Render(report, rc)
	reply := out.Reply
	reply.Summary = intro + "\n" + reply.Summary
	reply.Full = PlainText(intro) + "\n" + reply.Full
	if _, err := b.cfg.Messenger.Post(ctx, Message{Channel: t.channel, ThreadTS: t.thread, Reply: reply, Incident: t.ref()}); err != nil {
		b.log.ErrorContext(ctx, "posting a second report in the check's thread failed", "err", err)
		return
	}
	b.upload(ctx, t, out)
}

// postFarEnd diagnoses what the far end said about the tunnel and posts
// it in the thread; output that holds no tunnel state is left unsaid.
func (b *Bot) postFarEnd(ctx context.Context, t target, far FarEndCheck) {
	report := b.cfg.Diagnose(redact.Text(withoutCollectionNotes(far.Transcript)), diagnose.Options{Peer: far.Peer})
	if !report.Readable {
		return
	}
	b.postAlongside(ctx, t, "The far end ("+Literal(far.Device)+") sees:", report, t.replyContext(far.Peer, far.Device, store.SourceCheck))
}

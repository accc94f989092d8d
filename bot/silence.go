package bot

import (
	"context"
	"fmt"
	"strings"
)

// silence turns tunnel-down notifications for a peer off for a while, or
// back on.
func (b *Bot) silence(ctx context.Context, req Request, cmd Command) {
	switch {
	case cmd.Err != "":
		b.reply(ctx, req, cmd.Err)
	case b.cfg.Silencer == nil:
		b.reply(ctx, req, "Tunnel-down notifications are not running here (the monitor is off), so there is nothing to silence.")
	case cmd.For == 0:
		if err := b.cfg.Silencer.Unsilence(ctx, cmd.Peer); err != nil {
			b.reply(ctx, req, "I could not lift the silence: "+safeErr(err))
			return
		}
		b.reply(ctx, req, fmt.Sprintf("Notifications for %s are back on.", Literal(cmd.Peer)))
		b.auditLog(ctx, req, "unsilence", cmd.Peer, "done")
	default:
		until, err := b.cfg.Silencer.Silence(ctx, cmd.Peer, cmd.For, req.User)
		if err != nil {
			b.reply(ctx, req, "I could not silence "+Literal(cmd.Peer)+": "+safeErr(err))
			return
		}
		b.reply(ctx, req, fmt.Sprintf("Tunnel-down notifications for %s are silenced until %s.", Literal(cmd.Peer), until.UTC().Format("2006-01-02 15:04 MST")))
		b.auditLog(ctx, req, "silence", cmd.Peer, cmd.For.String())
	}
}

// silencedLines lists the silenced tunnels for `status` (none: nil).
func (b *Bot) silencedLines(ctx context.Context) []Block {
	if b.cfg.Silencer == nil {
		return nil
	}
	entries, err := b.cfg.Silencer.Silences(ctx)
	if err != nil || len(entries) == 0 {
		return nil
	}
	var lines []string
	for _, e := range entries {
		by := ""
		if e.By != "" {
			by = " by " + Mention(e.By)
		}
		lines = append(lines, fmt.Sprintf("• %s silenced until %s%s", Literal(e.Peer), e.Until.UTC().Format("2006-01-02 15:04 MST"), by))
	}
	return []Block{{Title: "Silenced", Text: strings.Join(lines, "\n")}}
}

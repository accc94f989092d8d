package bot

import (
	"context"
	"fmt"
	"strings"
)

// status lists open incidents.
func (b *Bot) status(ctx context.Context, req Request) {
	open, err := b.cfg.Store.ListOpen(ctx)
	if err != nil {
		b.log.Error("listing incidents failed", "err", err)
		b.reply(ctx, req, "I could not read the incident list: the state store is unreachable.")
		b.auditLog(req, "status", "", "store error")
		return
	}
	silenced := b.silencedLines(ctx)
	if len(open) == 0 {
		b.replyWith(ctx, req, Paragraphs(append([]Block{{Text: "No open incidents."}}, silenced...)...))
		b.auditLog(req, "status", "", "0 open")
		return
	}
	var lines []string
	for i, in := range open {
		if i == 20 {
			lines = append(lines, fmt.Sprintf("…and %d more.", len(open)-20))
			break
		}
		last := "no diagnosis yet"
		if d, ok := in.Latest(); ok {
			last = d.Phase + " · " + d.Cause
		}
		where := in.Peer
		if in.Device != "" {
			where += " on " + in.Device
		}
		link, _ := b.cfg.Messenger.Permalink(ctx, in.Channel, in.ThreadTS)
		where = Link(link, where)
		status := in.Status
		if in.AcknowledgedBy != "" {
			status += " by " + Mention(in.AcknowledgedBy)
		}
		lines = append(lines, fmt.Sprintf("• %s — %s — %s, since %s (%s)", where, last, status, in.FirstSeen.UTC().Format("2006-01-02 15:04 MST"), in.ID))
	}
	b.replyWith(ctx, req, Paragraphs(append([]Block{{Title: fmt.Sprintf("%d open incident(s)", len(open)), Text: strings.Join(lines, "\n")}}, silenced...)...))
	b.auditLog(req, "status", "", fmt.Sprintf("%d open", len(open)))
}

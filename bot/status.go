package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/tunneldoc/tunneldoc/bot/store"
)

// visibleIn reports whether status asked by req may list in: a DM's
// incidents only in that DM, channel incidents in channels (the console,
// the operator's own terminal, sees all).
func visibleIn(in store.Incident, req Request) bool {
	switch {
	case req.Kind == KindConsole:
		return true
	case in.Private:
		return in.Channel == req.Channel
	}
	return !req.private()
}

// status lists the open incidents visible where it is asked.
func (b *Bot) status(ctx context.Context, req Request) {
	all, err := b.cfg.Store.ListOpen(ctx)
	if err != nil {
		b.log.ErrorContext(ctx, "listing incidents failed", "err", err)
		b.reply(ctx, req, "I could not read the incident list: "+storeTrouble(err)+".")
		b.auditLog(ctx, req, "status", "", "store error")
		return
	}
	var open []store.Incident
	for _, in := range all {
		if visibleIn(in, req) {
			open = append(open, in)
		}
	}
	silenced := b.silencedLines(ctx)
	if len(open) == 0 {
		b.replyWith(ctx, req, Paragraphs(append([]Block{{Text: "No open incidents."}}, silenced...)...))
		b.auditLog(ctx, req, "status", "", "0 open")
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
	b.auditLog(ctx, req, "status", "", fmt.Sprintf("%d open", len(open)))
}

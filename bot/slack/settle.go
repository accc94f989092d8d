package slack

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	slackgo "github.com/slack-go/slack"
)

// Settle implements bot.Settler: it reads the posted diagnosis (its own
// blocks, from conversations.replies) and edits it in place, so a
// resolved incident's message no longer offers buttons nor calls the
// incident open.
func (s *Messenger) Settle(ctx context.Context, channel, threadTS, ts, incidentID, status string) error {
	var msgs []slackgo.Message
	err := s.do(ctx, channel, false, "conversations.replies", func() error {
		var err error
		msgs, _, _, err = s.api.GetConversationRepliesContext(ctx, &slackgo.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: firstNonEmpty(threadTS, ts), Latest: ts, Oldest: ts, Inclusive: true, Limit: 10,
		})
		return err
	})
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Timestamp != ts {
			continue
		}
		blocks := settledBlocks(m.Blocks.BlockSet, incidentID, status)
		return s.doN(ctx, channel, false, "chat.update", s.MaxRateLimitRetries, func() error {
			_, _, _, err := s.api.UpdateMessageContext(ctx, channel, ts, slackgo.MsgOptionText(m.Text, false), slackgo.MsgOptionBlocks(blocks...))
			return err
		})
	}
	return fmt.Errorf("slack: message %s not found in %s", ts, channel)
}

// settledBlocks are a diagnosis's blocks once its incident is settled:
// without buttons, without the invitation to resolve it, and naming the
// incident's new status.
func settledBlocks(in []slackgo.Block, incidentID, status string) []slackgo.Block {
	statusRE := regexp.MustCompile(`incident ` + regexp.QuoteMeta(incidentID) + ` \([^)]*\)`)
	var out []slackgo.Block
	for _, b := range in {
		switch b := b.(type) {
		case *slackgo.ActionBlock:
			continue
		case *slackgo.SectionBlock:
			if b.Text != nil && strings.Contains(b.Text.Text, "to close incident "+incidentID) {
				continue
			}
		case *slackgo.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slackgo.TextBlockObject); ok {
					t.Text = statusRE.ReplaceAllString(t.Text, "incident "+incidentID+" ("+status+")")
				}
			}
		}
		out = append(out, b)
	}
	return out
}

package slack

import (
	"context"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
)

var _ bot.DeliveryFinder = (*Messenger)(nil)

// FindDelivery implements bot.DeliveryFinder with the outbox's own look-ups
// (with include_all_metadata): conversations.replies of the thread for a
// reply, conversations.history of the channel since since for a
// top-level post, newest first, each at most 10 pages of 200 messages.
// A thread that is a stand-in (bot.IsQueuedTS) is not in Slack yet: it is
// read through its real ts once delivered, and holds nothing before.
func (s *Messenger) FindDelivery(ctx context.Context, channel, threadTS, deliveryID string, since time.Time) (string, bool, error) {
	if threadTS == "" {
		return s.findRootDelivery(ctx, channel, deliveryID, since)
	}
	if bot.IsQueuedTS(threadTS) {
		real, ok := s.resolvedTS(threadTS)
		if !ok {
			return "", false, nil
		}
		threadTS = real
	}
	return s.findDelivery(ctx, channel, threadTS, deliveryID)
}

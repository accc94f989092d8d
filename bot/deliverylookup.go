package bot

import (
	"context"
	"time"
)

// DeliveryFinder looks a post up in Slack by the delivery id its metadata
// carries (Message.DeliveryID). A caller that may have posted already (a
// replica that died after Slack accepted its post but before its store
// recorded it) looks first and adopts the message it finds instead of
// posting a second one. SlackMessenger implements it; a Messenger that
// does not is simply not looked up.
type DeliveryFinder interface {
	// FindDelivery returns the ts of the message carrying deliveryID: a
	// reply in threadTS, or, when threadTS is "", a top-level message in
	// channel posted after since (a little before, for clock skew; zero
	// reads the channel's whole history as far as the search goes).
	FindDelivery(ctx context.Context, channel, threadTS, deliveryID string, since time.Time) (ts string, found bool, err error)
}

var _ DeliveryFinder = (*SlackMessenger)(nil)

// FindDelivery implements DeliveryFinder with the outbox's own look-ups
// (with include_all_metadata): conversations.replies of the thread for a
// reply, conversations.history of the channel since since for a
// top-level post, newest first, each at most 10 pages of 200 messages.
// A thread that is a stand-in (IsQueuedTS) is not in Slack yet: it is
// read through its real ts once delivered, and holds nothing before.
func (s *SlackMessenger) FindDelivery(ctx context.Context, channel, threadTS, deliveryID string, since time.Time) (string, bool, error) {
	if threadTS == "" {
		return s.findRootDelivery(ctx, channel, deliveryID, since)
	}
	if IsQueuedTS(threadTS) {
		real, ok := s.resolvedTS(threadTS)
		if !ok {
			return "", false, nil
		}
		threadTS = real
	}
	return s.findDelivery(ctx, channel, threadTS, deliveryID)
}

package slack

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock"
)

// Messenger sends through the Slack Web API. Calls for one channel
// are serialised, so replies keep their order; posts are paced to about
// one per second per channel; a 429 is waited out (Retry-After) and the
// same call retried, a bounded number of times. Calls that still fail for
// a reason that passes (429, 5xx, network) are queued in its outbox and
// delivered later, in order and once (outbox.go).
type Messenger struct {
	api   *slackgo.Client
	clock clock.Clock
	log   *slog.Logger
	// MinInterval paces chat.postMessage per channel.
	MinInterval time.Duration
	// MaxRateLimitRetries bounds the 429 retries of one call made by a
	// caller; past them the call is queued.
	MaxRateLimitRetries int
	// MaxQueued, MaxQueuedBytes and MaxQueueAge bound the outbox (zero:
	// DefaultOutboxMax, DefaultOutboxMaxBytes, DefaultOutboxMaxAge).
	MaxQueued      int
	MaxQueuedBytes int
	MaxQueueAge    time.Duration
	// Metrics counts queued, delivered_late, dropped and given_up calls
	// (nil: not counted).
	Metrics DeferredCounter

	mu    sync.Mutex
	chans map[string]*channelQueue
	ob    *outbox
}

type channelQueue struct {
	mu       sync.Mutex
	lastPost time.Time
}

// NewMessenger wraps a Web API client.
func NewMessenger(api *slackgo.Client, clk clock.Clock, log *slog.Logger) *Messenger {
	if clk == nil {
		clk = clock.Real
	}
	if log == nil {
		log = slog.Default()
	}
	return &Messenger{api: api, clock: clk, log: log, MinInterval: time.Second, MaxRateLimitRetries: 5, chans: map[string]*channelQueue{}, ob: newOutbox()}
}

func (s *Messenger) queue(channel string) *channelQueue {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.chans[channel]
	if !ok {
		q = &channelQueue{}
		s.chans[channel] = q
	}
	return q
}

// wait sleeps on the injected clock, or returns when ctx ends.
func (s *Messenger) wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	select {
	case <-s.clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// do runs call for channel in order, pacing posts and waiting out 429s.
func (s *Messenger) do(ctx context.Context, channel string, post bool, method string, call func() error) error {
	return s.doN(ctx, channel, post, method, s.MaxRateLimitRetries, call)
}

// doN is do with at most retries 429 retries.
func (s *Messenger) doN(ctx context.Context, channel string, post bool, method string, retries int, call func() error) error {
	q := s.queue(channel)
	q.mu.Lock()
	defer q.mu.Unlock()
	if post && !q.lastPost.IsZero() {
		if err := s.wait(ctx, s.MinInterval-s.clock.Now().Sub(q.lastPost)); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		err := call()
		rl, limited := errors.AsType[*slackgo.RateLimitedError](err)
		if !limited {
			if post && err == nil {
				q.lastPost = s.clock.Now()
			}
			if err != nil {
				return fmt.Errorf("slack %s: %w", method, err)
			}
			return nil
		}
		if attempt >= retries {
			return fmt.Errorf("slack %s: still rate limited after %d retries: %w", method, attempt, err)
		}
		d := rl.RetryAfter
		if d < time.Second {
			d = time.Second
		}
		s.log.WarnContext(ctx, "slack rate limited; waiting", "method", method, "channel", channel, "retry_after", d)
		if err := s.wait(ctx, d); err != nil {
			return err
		}
	}
}

// DeferredCounter counts what happened to calls held back while Slack
// failed (*ops.Metrics does): queue "slack"; event queued,
// delivered_late, dropped or given_up.
type DeferredCounter interface {
	Deferred(queue, event string)
}

// msgOptions are a post's or an edit's options: its reply laid out, its
// thread, and its metadata. An edit that has no blocks clears the old
// ones (chat.update keeps them unless told otherwise).
func msgOptions(m bot.Message, deliveryID string, edit bool) []slackgo.MsgOption {
	text, blocks := Layout(m.Reply)
	opts := []slackgo.MsgOption{slackgo.MsgOptionText(text, false)}
	if len(blocks) > 0 || edit {
		opts = append(opts, slackgo.MsgOptionBlocks(blocks...))
	}
	if m.ThreadTS != "" {
		opts = append(opts, slackgo.MsgOptionTS(m.ThreadTS))
	}
	switch {
	case m.Incident != nil:
		payload := map[string]any{"incident_id": m.Incident.ID, "peer": m.Incident.Peer, "device": m.Incident.Device}
		if deliveryID != "" {
			payload["delivery_id"] = deliveryID
		}
		opts = append(opts, slackgo.MsgOptionMetadata(slackgo.SlackMetadata{EventType: metadataEventType, EventPayload: payload}))
	case deliveryID != "":
		opts = append(opts, slackgo.MsgOptionMetadata(slackgo.SlackMetadata{EventType: deliveryEventType, EventPayload: map[string]any{"delivery_id": deliveryID}}))
	}
	return opts
}

// postOnce sends one post (deliveryID "" for ephemeral ones).
func (s *Messenger) postOnce(ctx context.Context, m bot.Message, deliveryID string, retries int) (string, error) {
	var ts string
	if m.EphemeralTo != "" {
		err := s.doN(ctx, m.Channel, true, "chat.postEphemeral", retries, func() error {
			var err error
			ts, err = s.api.PostEphemeralContext(ctx, m.Channel, m.EphemeralTo, msgOptions(m, "", false)...)
			return err
		})
		return ts, err
	}
	err := s.doN(ctx, m.Channel, true, "chat.postMessage", retries, func() error {
		var err error
		_, ts, err = s.api.PostMessageContext(ctx, m.Channel, msgOptions(m, deliveryID, false)...)
		return err
	})
	return ts, err
}

// Post implements Messenger. A post that cannot be sent now (top-level,
// thread reply or ephemeral) is queued and a stand-in ts returned
// (bot.IsQueuedTS); a reply whose thread_ts is a stand-in waits behind that
// root and goes to its real thread (see outbox.go). A post whose
// m.DeliveryID this messenger has queued or delivered already is not
// sent again: its stand-in or real ts is returned.
func (s *Messenger) Post(ctx context.Context, m bot.Message) (string, error) {
	it := &outItem{kind: outPost, msg: m, deliveryID: cmp.Or(m.DeliveryID, newDeliveryID()), firstTry: s.clock.Now()}
	switch {
	case m.EphemeralTo != "":
		it.kind = outEphemeral
	case m.ThreadTS == "":
		it.root = true
	}
	if m.DeliveryID != "" {
		// The same delivery id again (a caller retrying): once is enough.
		if ts, ok := s.postedOrQueued(it.standIn()); ok {
			return ts, nil
		}
	}
	method := it.kind.method()
	if !it.root {
		thread, queued, err := s.route(m.Channel, m.ThreadTS)
		if err != nil {
			return "", fmt.Errorf("slack %s: %w", method, err)
		}
		it.msg.ThreadTS = thread
		if queued {
			return it.standIn(), s.enqueue(ctx, it, nil)
		}
	}
	ts, err := s.postOnce(ctx, it.msg, it.deliveryID, s.MaxRateLimitRetries)
	if retry, ambiguous, _ := transient(err); retry && ctx.Err() == nil {
		it.ambiguous = ambiguous && it.kind == outPost
		if qerr := s.enqueue(ctx, it, err); qerr != nil {
			return "", qerr
		}
		return it.standIn(), nil
	}
	return ts, markUnavailable(err)
}

func (s *Messenger) updateOnce(ctx context.Context, ts string, m bot.Message, retries int) error {
	opts := msgOptions(bot.Message{Reply: m.Reply, Incident: m.Incident}, "", true)
	return s.doN(ctx, m.Channel, false, "chat.update", retries, func() error {
		_, _, _, err := s.api.UpdateMessageContext(ctx, m.Channel, ts, opts...)
		return err
	})
}

// Update implements Messenger. An edit of a post still queued replaces
// its content; an edit that cannot be sent now is queued behind the
// thread's other calls (m.ThreadTS names the thread; for an edit of a
// queued top-level post, with no ThreadTS, its own stand-in does).
func (s *Messenger) Update(ctx context.Context, ts string, m bot.Message) error {
	if bot.IsQueuedTS(ts) {
		if m.ThreadTS == "" {
			m.ThreadTS = ts // a top-level post heads its own thread's queue
		}
		if s.foldEdit(ts, m) {
			return nil
		}
		if real, ok := s.resolvedTS(ts); ok {
			ts = real
		}
	}
	thread, queued, err := s.route(m.Channel, m.ThreadTS)
	if err != nil {
		return fmt.Errorf("slack chat.update: %w", err)
	}
	if bot.IsQueuedTS(ts) && !queued {
		return fmt.Errorf("slack chat.update: the message %s was never delivered", ts)
	}
	m.ThreadTS = thread
	it := &outItem{kind: outUpdate, msg: m, ts: ts}
	if queued {
		return s.enqueue(ctx, it, nil)
	}
	err = s.updateOnce(ctx, ts, m, s.MaxRateLimitRetries)
	if retry, _, _ := transient(err); retry && ctx.Err() == nil {
		return s.enqueue(ctx, it, err)
	}
	return markUnavailable(err)
}

// Upload implements Messenger with files.getUploadURLExternal +
// files.completeUploadExternal (files.upload is retired). An upload that
// cannot be made now is queued behind the thread's other calls.
func (s *Messenger) Upload(ctx context.Context, channel, threadTS, filename, title, content string) error {
	thread, queued, err := s.route(channel, threadTS)
	if err != nil {
		return fmt.Errorf("slack files.uploadV2: %w", err)
	}
	it := &outItem{kind: outUpload, msg: bot.Message{Channel: channel, ThreadTS: thread}, upload: uploadArgs{filename: filename, title: title, content: content}}
	if queued {
		return s.enqueue(ctx, it, nil)
	}
	err = s.uploadOnce(ctx, channel, thread, it.upload, s.MaxRateLimitRetries)
	if retry, _, _ := transient(err); retry && ctx.Err() == nil {
		return s.enqueue(ctx, it, err)
	}
	return markUnavailable(err)
}

func (s *Messenger) uploadOnce(ctx context.Context, channel, threadTS string, u uploadArgs, retries int) error {
	return s.doN(ctx, channel, true, "files.uploadV2", retries, func() error {
		_, err := s.api.UploadFileContext(ctx, slackgo.UploadFileParameters{
			Reader: bytes.NewReader([]byte(u.content)), FileSize: len(u.content), Filename: u.filename, Title: u.title,
			Channel: channel, ThreadTimestamp: threadTS, SnippetType: "text",
		})
		return err
	})
}

// Permalink implements Messenger.
func (s *Messenger) Permalink(ctx context.Context, channel, ts string) (string, error) {
	var link string
	err := s.do(ctx, channel, false, "chat.getPermalink", func() error {
		var err error
		link, err = s.api.GetPermalinkContext(ctx, &slackgo.PermalinkParameters{Channel: channel, Ts: ts})
		return err
	})
	return link, err
}

// metadataEventType marks tunneldoc's message metadata.
const metadataEventType = "tunneldoc_incident"

// IncidentInThread implements bot.ThreadRecoverer: it reads the thread
// (conversations.replies with metadata) for the bot's incident metadata.
func (s *Messenger) IncidentInThread(ctx context.Context, channel, threadTS string) (bot.IncidentRef, bool, error) {
	var msgs []slackgo.Message
	err := s.do(ctx, channel, false, "conversations.replies", func() error {
		var err error
		msgs, _, _, err = s.api.GetConversationRepliesContext(ctx, &slackgo.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: threadTS, Limit: 100, IncludeAllMetadata: true,
		})
		return err
	})
	if err != nil {
		return bot.IncidentRef{}, false, err
	}
	for _, m := range msgs {
		if m.Metadata.EventType != metadataEventType {
			continue
		}
		p := m.Metadata.EventPayload
		ref := bot.IncidentRef{ID: str(p["incident_id"]), Peer: str(p["peer"]), Device: str(p["device"])}
		if ref.ID != "" && ref.Peer != "" {
			return ref, true, nil
		}
	}
	return bot.IncidentRef{}, false, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// OpenPasteForm implements bot.PasteFormOpener: the /tunnel diagnose
// modal (views.open), whose submission names channel.
func (s *Messenger) OpenPasteForm(ctx context.Context, triggerID, channel string) error {
	_, err := s.api.OpenViewContext(ctx, triggerID, diagnoseModal(channel))
	if err != nil {
		return fmt.Errorf("slack views.open: %w", err)
	}
	return nil
}

// Files downloads attachments with the bot token.
type Files struct{ API *slackgo.Client }

// errTooLarge: the download passed the size cap.
var errTooLarge = errors.New("file is larger than the size limit")

type capWriter struct {
	buf   bytes.Buffer
	limit int64
}

func (w *capWriter) Write(p []byte) (int, error) {
	if int64(w.buf.Len()+len(p)) > w.limit {
		return 0, errTooLarge
	}
	return w.buf.Write(p)
}

// Fetch implements bot.FileFetcher, never reading more than limit bytes.
func (f Files) Fetch(ctx context.Context, ref bot.FileRef, limit int64) ([]byte, error) {
	if ref.URL == "" {
		return nil, fmt.Errorf("file %s has no download URL", ref.ID)
	}
	w := &capWriter{limit: limit}
	if err := f.API.GetFileContext(ctx, ref.URL, w); err != nil {
		return nil, fmt.Errorf("download %s: %w", ref.Name, err)
	}
	return w.buf.Bytes(), nil
}

// Groups resolves user group members.
type Groups struct{ API *slackgo.Client }

// GroupMembers implements bot.GroupResolver.
func (g Groups) GroupMembers(ctx context.Context, group string) ([]string, error) {
	m, err := g.API.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("usergroups.users.list %s: %w", group, err)
	}
	return m, nil
}

var _ io.Writer = (*capWriter)(nil)

package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// SlackMessenger sends through the Slack Web API. Calls for one channel
// are serialised, so replies keep their order; posts are paced to about
// one per second per channel; a 429 is waited out (Retry-After) and the
// same call retried, a bounded number of times.
type SlackMessenger struct {
	api   *slack.Client
	clock Clock
	log   *slog.Logger
	// MinInterval paces chat.postMessage per channel.
	MinInterval time.Duration
	// MaxRateLimitRetries bounds the 429 retries of one call.
	MaxRateLimitRetries int

	mu    sync.Mutex
	chans map[string]*channelQueue
}

type channelQueue struct {
	mu       sync.Mutex
	lastPost time.Time
}

// NewSlackMessenger wraps a Web API client.
func NewSlackMessenger(api *slack.Client, clock Clock, log *slog.Logger) *SlackMessenger {
	if clock == nil {
		clock = RealClock
	}
	if log == nil {
		log = slog.Default()
	}
	return &SlackMessenger{api: api, clock: clock, log: log, MinInterval: time.Second, MaxRateLimitRetries: 5, chans: map[string]*channelQueue{}}
}

func (s *SlackMessenger) queue(channel string) *channelQueue {
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
func (s *SlackMessenger) wait(ctx context.Context, d time.Duration) error {
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
func (s *SlackMessenger) do(ctx context.Context, channel string, post bool, method string, call func() error) error {
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
		rl, limited := errors.AsType[*slack.RateLimitedError](err)
		if !limited {
			if post && err == nil {
				q.lastPost = s.clock.Now()
			}
			if err != nil {
				return fmt.Errorf("slack %s: %w", method, err)
			}
			return nil
		}
		if attempt >= s.MaxRateLimitRetries {
			return fmt.Errorf("slack %s: still rate limited after %d retries: %w", method, attempt, err)
		}
		d := rl.RetryAfter
		if d < time.Second {
			d = time.Second
		}
		s.log.Warn("slack rate limited; waiting", "method", method, "channel", channel, "retry_after", d)
		if err := s.wait(ctx, d); err != nil {
			return err
		}
	}
}

func msgOptions(m Message) []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	if m.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(m.ThreadTS))
	}
	if m.Incident != nil {
		opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metadataEventType, EventPayload: map[string]any{
			"incident_id": m.Incident.ID, "peer": m.Incident.Peer, "device": m.Incident.Device,
		}}))
	}
	return opts
}

// Post implements Messenger.
func (s *SlackMessenger) Post(ctx context.Context, m Message) (string, error) {
	var ts string
	if m.EphemeralTo != "" {
		err := s.do(ctx, m.Channel, true, "chat.postEphemeral", func() error {
			var err error
			ts, err = s.api.PostEphemeralContext(ctx, m.Channel, m.EphemeralTo, msgOptions(m)...)
			return err
		})
		return ts, err
	}
	err := s.do(ctx, m.Channel, true, "chat.postMessage", func() error {
		var err error
		_, ts, err = s.api.PostMessageContext(ctx, m.Channel, msgOptions(m)...)
		return err
	})
	return ts, err
}

// Update implements Messenger.
func (s *SlackMessenger) Update(ctx context.Context, ts string, m Message) error {
	opts := msgOptions(Message{Text: m.Text, Blocks: m.Blocks, Incident: m.Incident})
	if len(m.Blocks) == 0 {
		// chat.update keeps old blocks unless told otherwise.
		opts = append(opts, slack.MsgOptionBlocks())
	}
	return s.do(ctx, m.Channel, false, "chat.update", func() error {
		_, _, _, err := s.api.UpdateMessageContext(ctx, m.Channel, ts, opts...)
		return err
	})
}

// Upload implements Messenger with files.getUploadURLExternal +
// files.completeUploadExternal (files.upload is retired).
func (s *SlackMessenger) Upload(ctx context.Context, channel, threadTS, filename, title, content string) error {
	return s.do(ctx, channel, true, "files.uploadV2", func() error {
		_, err := s.api.UploadFileContext(ctx, slack.UploadFileParameters{
			Reader: bytes.NewReader([]byte(content)), FileSize: len(content), Filename: filename, Title: title,
			Channel: channel, ThreadTimestamp: threadTS, SnippetType: "text",
		})
		return err
	})
}

// Permalink implements Messenger.
func (s *SlackMessenger) Permalink(ctx context.Context, channel, ts string) (string, error) {
	var link string
	err := s.do(ctx, channel, false, "chat.getPermalink", func() error {
		var err error
		link, err = s.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: channel, Ts: ts})
		return err
	})
	return link, err
}

// metadataEventType marks tunneldoc's message metadata.
const metadataEventType = "tunneldoc_incident"

// IncidentInThread implements ThreadRecoverer: it reads the thread
// (conversations.replies with metadata) for the bot's incident metadata.
func (s *SlackMessenger) IncidentInThread(ctx context.Context, channel, threadTS string) (IncidentRef, bool, error) {
	var msgs []slack.Message
	err := s.do(ctx, channel, false, "conversations.replies", func() error {
		var err error
		msgs, _, _, err = s.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: threadTS, Limit: 100, IncludeAllMetadata: true,
		})
		return err
	})
	if err != nil {
		return IncidentRef{}, false, err
	}
	for _, m := range msgs {
		if m.Metadata.EventType != metadataEventType {
			continue
		}
		p := m.Metadata.EventPayload
		ref := IncidentRef{ID: str(p["incident_id"]), Peer: str(p["peer"]), Device: str(p["device"])}
		if ref.ID != "" && ref.Peer != "" {
			return ref, true, nil
		}
	}
	return IncidentRef{}, false, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// OpenModal opens a modal view (for /tunnel diagnose).
func (s *SlackMessenger) OpenModal(ctx context.Context, triggerID string, view slack.ModalViewRequest) error {
	_, err := s.api.OpenViewContext(ctx, triggerID, view)
	if err != nil {
		return fmt.Errorf("slack views.open: %w", err)
	}
	return nil
}

// SlackFiles downloads attachments with the bot token.
type SlackFiles struct{ API *slack.Client }

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

// Fetch implements FileFetcher, never reading more than limit bytes.
func (f SlackFiles) Fetch(ctx context.Context, ref FileRef, limit int64) ([]byte, error) {
	if ref.URL == "" {
		return nil, fmt.Errorf("file %s has no download URL", ref.ID)
	}
	w := &capWriter{limit: limit}
	if err := f.API.GetFileContext(ctx, ref.URL, w); err != nil {
		return nil, fmt.Errorf("download %s: %w", ref.Name, err)
	}
	return w.buf.Bytes(), nil
}

// SlackGroups resolves user group members.
type SlackGroups struct{ API *slack.Client }

// GroupMembers implements GroupResolver.
func (g SlackGroups) GroupMembers(ctx context.Context, group string) ([]string, error) {
	m, err := g.API.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("usergroups.users.list %s: %w", group, err)
	}
	return m, nil
}

var _ io.Writer = (*capWriter)(nil)

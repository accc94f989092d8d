package slack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/ops"
)

// The outbox keeps the Slack calls that failed for a reason that passes
// (429 past the messenger's own retries, any 5xx, a network error or a
// timeout) and delivers them later, in order and once.
//
//   - What is queued: top-level posts (a slash command's or a monitor
//     incident's root message), thread replies (chat.postMessage with
//     thread_ts), ephemeral messages, edits (chat.update) and file uploads.
//   - Order: one FIFO queue per channel+thread. While a thread has queued
//     calls, every new call for it queues behind them, so a placeholder is
//     posted before its answer and edits come after the post they edit. A
//     queued top-level post heads the queue of its own thread (named by its
//     stand-in ts): replies, uploads and edits that name the stand-in as
//     thread_ts or ts wait behind it and are sent with its real ts once it
//     is posted. Top-level posts to one channel are not ordered among
//     themselves (each starts a thread of its own).
//   - Handles: a queued post returns a stand-in ts (bot.IsQueuedTS). An edit of
//     a post that is still queued and was never possibly posted replaces
//     the queued content (the edit becomes the post); any other edit is
//     sent after the post, to its real ts. The stand-in means something
//     only to the messenger that returned it (this process): code that
//     stores a ts learns the real one with Resolve or WhenDelivered and
//     replaces the stand-in.
//   - Once: every post carries message metadata with a delivery id
//     (event_type tunneldoc_delivery, or the delivery_id field of the
//     tunneldoc_incident payload). A 5xx or a timeout is ambiguous: Slack
//     may have posted anyway. Before such a post is sent again Slack is
//     read for it (with include_all_metadata: conversations.replies of the
//     thread for a reply, conversations.history of the channel since the
//     first attempt for a top-level post) and, when a message with that
//     delivery id is there, it is taken as delivered (when Slack refuses
//     the read itself for good, e.g. missing_scope, it is posted again and
//     the log says it may show twice). 429 is not ambiguous
//     (Slack did nothing). Edits are idempotent and simply sent again.
//     Ephemeral messages and uploads cannot be looked up: after an
//     ambiguous failure they are sent again, so they may show twice.
//   - Bounds: at most MaxQueued calls and MaxQueuedBytes of upload content
//     wait (a call past them fails as before, logged and counted as
//     dropped); a call still failing after MaxQueueAge is given up, logged
//     with how long it was tried (calls queued behind a top-level post that
//     was given up fail in turn: their thread does not exist). Retries back
//     off exponentially (1 s to 1 min) per thread, and a 429's Retry-After
//     is honoured. When a delivery succeeds, the other threads are tried at
//     once (Slack is back), not at the end of their backoff.
//
// The delivery loop runs while anything is queued, under the context given
// to Start (the bot's), and says what it leaves undelivered when that ends.

// Outbox defaults.
const (
	DefaultOutboxMax      = 5000
	DefaultOutboxMaxBytes = 32 << 20
	DefaultOutboxMaxAge   = time.Hour
	outboxRetryMin        = time.Second
	outboxRetryMax        = time.Minute
	deliveryEventType     = "tunneldoc_delivery"
)

// errRootNotDelivered: a call names as its thread a queued top-level post
// that was given up (or that this messenger never queued).
var errRootNotDelivered = errors.New("the thread's root message was never delivered")

type outKind int

const (
	outPost outKind = iota
	outEphemeral
	outUpdate
	outUpload
)

func (k outKind) method() string {
	switch k {
	case outPost:
		return "chat.postMessage"
	case outEphemeral:
		return "chat.postEphemeral"
	case outUpdate:
		return "chat.update"
	}
	return "files.uploadV2"
}

type uploadArgs struct{ filename, title, content string }

// outItem is one queued call.
type outItem struct {
	kind       outKind
	msg        bot.Message
	ts         string // update: the ts it edits (real or queued stand-in)
	deliveryID string // post: the id in its metadata; its stand-in ts is queuedTSPrefix+deliveryID
	root       bool   // a top-level post: it heads the queue of its own thread (its stand-in)
	upload     uploadArgs
	firstTry   time.Time // root: when it was first sent (how far back to look for it)
	sentTS     string    // post: the real ts, once delivered
	queuedAt   time.Time
	attempts   int
	ambiguous  bool      // a post attempt may have gone through: look before re-posting
	notBefore  time.Time // a 429's Retry-After: not sent again before this
	inFlight   bool
	// requestID and incidentID are the log ids of the call's caller (from
	// its context): the outbox's lines about the call carry them.
	requestID, incidentID string
}

// logContext is ctx carrying the ids of the request (and incident) that
// made the call.
func (it *outItem) logContext(ctx context.Context) context.Context {
	if it.requestID != "" {
		ctx = ops.WithRequestID(ctx, it.requestID)
	}
	if it.incidentID != "" {
		ctx = ops.WithIncidentID(ctx, it.incidentID)
	}
	return ctx
}

type outbox struct {
	mu       sync.Mutex
	queues   map[string][]*outItem // channel+thread -> FIFO
	due      map[string]time.Time  // next attempt per queue
	resolved map[string]string     // stand-in ts -> real ts ("" once given up), for calls that come later
	resOrder []string
	waiters  map[string][]func(ts string, ok bool) // stand-in ts -> WhenDelivered callbacks
	n        int
	bytes    int
	running  bool
	ctx      context.Context
	wake     chan struct{}
}

func newOutbox() *outbox {
	return &outbox{queues: map[string][]*outItem{}, due: map[string]time.Time{}, resolved: map[string]string{}, waiters: map[string][]func(string, bool){}, ctx: context.Background(), wake: make(chan struct{}, 1)}
}

func queueKey(channel, thread string) string { return channel + "\x00" + thread }

func (it *outItem) standIn() string { return bot.QueuedTS(it.deliveryID) }

// thread names the queue it waits in: its thread, or for a top-level
// post its own stand-in.
func (it *outItem) thread() string {
	if it.root {
		return it.standIn()
	}
	return it.msg.ThreadTS
}

// routeLocked is where a call for channel+thread goes: a stand-in thread
// whose root is still queued stays as it is (the call queues behind the
// root); one whose root was delivered becomes the real ts; one whose root
// was given up (or is unknown) is an error. The caller holds mu.
func (s *Messenger) routeLocked(channel, thread string) (string, error) {
	if !bot.IsQueuedTS(thread) || len(s.ob.queues[queueKey(channel, thread)]) > 0 {
		return thread, nil
	}
	if real := s.ob.resolved[thread]; real != "" {
		return real, nil
	}
	return "", fmt.Errorf("%w (%s)", errRootNotDelivered, thread)
}

// route is routeLocked, also saying whether the thread has calls waiting
// (a new call must queue behind them).
func (s *Messenger) route(channel, thread string) (real string, queued bool, err error) {
	s.ob.mu.Lock()
	defer s.ob.mu.Unlock()
	real, err = s.routeLocked(channel, thread)
	if err != nil {
		return "", false, err
	}
	return real, len(s.ob.queues[queueKey(channel, real)]) > 0, nil
}

func newDeliveryID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// transient classifies a Slack call's error: retry says it may pass;
// ambiguous says Slack may have done it anyway.
func transient(err error) (retry, ambiguous bool, retryAfter time.Duration) {
	if err == nil {
		return false, false, 0
	}
	if errors.Is(err, context.Canceled) {
		return false, false, 0
	}
	if rl, ok := errors.AsType[*slackgo.RateLimitedError](err); ok {
		return true, false, rl.RetryAfter
	}
	if sc, ok := errors.AsType[slackgo.StatusCodeError](err); ok {
		switch {
		case sc.Code == 429:
			return true, false, 0
		case sc.Code >= 500:
			return true, true, 0
		}
		return false, false, 0
	}
	if se, ok := errors.AsType[slackgo.SlackErrorResponse](err); ok {
		switch se.Err {
		case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return true, true, 0
		}
		return false, false, 0
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true, true, 0
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true, true, 0
	}
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true, true, 0
	}
	return false, false, 0
}

// markUnavailable marks a Slack failure that passes (the call was queued
// or would be, or the outbox is full) as bot.ErrUnavailable: posting an
// error message about it would fail too. The message stays the same.
func markUnavailable(err error) error {
	if err == nil || errors.Is(err, bot.ErrUnavailable) {
		return err
	}
	if retry, _, _ := transient(err); retry || errors.Is(err, errOutboxFull) {
		return unavailable{err}
	}
	return err
}

type unavailable struct{ error }

func (u unavailable) Is(target error) bool { return target == bot.ErrUnavailable }
func (u unavailable) Unwrap() error        { return u.error }

var errOutboxFull = errors.New("slack outbox full")

// Start binds the delivery loop to ctx (the bot's): when ctx ends, what is
// still queued is logged and given up.
func (s *Messenger) Start(ctx context.Context) {
	s.ob.mu.Lock()
	s.ob.ctx = ctx
	s.ob.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.kick()
	}()
}

// Queued is how many Slack calls wait in the outbox.
func (s *Messenger) Queued() int {
	s.ob.mu.Lock()
	defer s.ob.mu.Unlock()
	return s.ob.n
}

func (s *Messenger) count(event string) {
	if s.Metrics != nil {
		s.Metrics.Deferred("slack", event)
	}
}

func (s *Messenger) kick() {
	select {
	case s.ob.wake <- struct{}{}:
	default:
	}
}

func (s *Messenger) maxQueued() (int, int, time.Duration) {
	n, b, age := s.MaxQueued, s.MaxQueuedBytes, s.MaxQueueAge
	if n <= 0 {
		n = DefaultOutboxMax
	}
	if b <= 0 {
		b = DefaultOutboxMaxBytes
	}
	if age <= 0 {
		age = DefaultOutboxMaxAge
	}
	return n, b, age
}

// enqueue appends it to its thread's queue; the caller holds no lock. A
// call naming a stand-in thread is routed again here, under the lock, so
// it cannot fall between a root's delivery and the move of its queue. The
// log ids in ctx (the caller's) go with the call.
func (s *Messenger) enqueue(ctx context.Context, it *outItem, cause error) error {
	it.requestID, it.incidentID = ops.RequestID(ctx), ops.IncidentID(ctx)
	if it.incidentID == "" && it.msg.Incident != nil {
		it.incidentID = it.msg.Incident.ID
	}
	ctx = it.logContext(ctx)
	maxN, maxB, _ := s.maxQueued()
	s.ob.mu.Lock()
	if !it.root {
		thread, err := s.routeLocked(it.msg.Channel, it.msg.ThreadTS)
		if err != nil {
			s.ob.mu.Unlock()
			return fmt.Errorf("slack %s: %w", it.kind.method(), err)
		}
		it.msg.ThreadTS = thread
	}
	key := queueKey(it.msg.Channel, it.thread())
	if s.ob.n >= maxN || s.ob.bytes+len(it.upload.content) > maxB {
		n := s.ob.n
		s.ob.mu.Unlock()
		s.count("dropped")
		s.log.ErrorContext(ctx, "slack outbox full; call dropped", "method", it.kind.method(), "channel", it.msg.Channel, "queued", n, "limit", maxN, "cause", errString(cause))
		return markUnavailable(fmt.Errorf("%w (%d calls waiting): %w", errOutboxFull, n, cause))
	}
	it.queuedAt = s.clock.Now()
	if len(s.ob.queues[key]) == 0 {
		s.ob.due[key] = it.queuedAt
		if cause != nil {
			_, _, ra := transient(cause)
			s.ob.due[key] = it.queuedAt.Add(max(ra, outboxRetryMin))
		}
	}
	s.ob.queues[key] = append(s.ob.queues[key], it)
	s.ob.n++
	s.ob.bytes += len(it.upload.content)
	n := s.ob.n
	start := !s.ob.running
	s.ob.running = true
	s.ob.mu.Unlock()
	s.count("queued")
	s.log.WarnContext(ctx, "slack call queued for later delivery", "method", it.kind.method(), "channel", it.msg.Channel, "thread", it.msg.ThreadTS, "top_level", it.root, "queued", n, "cause", errString(cause))
	if start {
		go s.deliverLoop()
	} else {
		s.kick()
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return "earlier calls for this thread are queued"
	}
	return err.Error()
}

// foldEdit applies an edit to a post that is still queued; ok false when
// the post is not queued (delivered, given up, or never queued).
func (s *Messenger) foldEdit(ts string, m bot.Message) (ok bool) {
	s.ob.mu.Lock()
	defer s.ob.mu.Unlock()
	for _, q := range s.ob.queues {
		for _, it := range q {
			// Not while it is being sent, nor once an attempt may have
			// posted it (5xx, timeout): then the edit goes after it.
			if (it.kind == outPost || it.kind == outEphemeral) && it.standIn() == ts && !it.inFlight && !it.ambiguous {
				it.msg.Reply = m.Reply
				if m.Incident != nil {
					it.msg.Incident = m.Incident
				}
				return true
			}
		}
	}
	return false
}

func (s *Messenger) resolvedTS(ts string) (string, bool) {
	s.ob.mu.Lock()
	defer s.ob.mu.Unlock()
	real := s.ob.resolved[ts]
	return real, real != ""
}

// Resolve returns the real ts of a post this messenger queued (standIn,
// a ts bot.IsQueuedTS), once it is delivered; ok is false while it waits,
// after it was given up, and for a stand-in it does not know. A ts that is
// not a stand-in is returned as it is.
func (s *Messenger) Resolve(standIn string) (ts string, ok bool) {
	if !bot.IsQueuedTS(standIn) {
		return standIn, standIn != ""
	}
	return s.resolvedTS(standIn)
}

// WhenDelivered calls fn once, on a goroutine of its own, when the queued
// post standIn is delivered (fn gets its real ts and true) or given up
// (fn gets "" and false); at once when that is already known, or when
// standIn is not a post this messenger has queued. Code that stored the
// stand-in (an incident's thread) replaces it from fn.
func (s *Messenger) WhenDelivered(standIn string, fn func(ts string, ok bool)) {
	s.ob.mu.Lock()
	real, known := s.ob.resolved[standIn]
	if !known && !s.queuedLocked(standIn) {
		known = true
	}
	if !known {
		s.ob.waiters[standIn] = append(s.ob.waiters[standIn], fn)
	}
	s.ob.mu.Unlock()
	if known {
		go fn(real, real != "")
	}
}

// postedOrQueued returns the real ts of the post with that stand-in when
// it was delivered, or the stand-in while it waits; ok is false when it
// is unknown or was given up.
func (s *Messenger) postedOrQueued(standIn string) (string, bool) {
	s.ob.mu.Lock()
	defer s.ob.mu.Unlock()
	if real := s.ob.resolved[standIn]; real != "" {
		return real, true
	}
	if s.queuedLocked(standIn) {
		return standIn, true
	}
	return "", false
}

// queuedLocked: the post with that stand-in waits in a queue.
func (s *Messenger) queuedLocked(standIn string) bool {
	for _, q := range s.ob.queues {
		for _, it := range q {
			if (it.kind == outPost || it.kind == outEphemeral) && it.standIn() == standIn {
				return true
			}
		}
	}
	return false
}

// settledLocked records how a queued post ended (real ts, or "" when it
// was given up) and returns the callbacks to run once mu is released.
func (s *Messenger) settledLocked(standIn, ts string) []func() {
	if _, ok := s.ob.resolved[standIn]; !ok {
		s.ob.resolved[standIn] = ts
		s.ob.resOrder = append(s.ob.resOrder, standIn)
		if len(s.ob.resOrder) > 4*DefaultOutboxMax {
			delete(s.ob.resolved, s.ob.resOrder[0])
			s.ob.resOrder = s.ob.resOrder[1:]
		}
	}
	fns := s.ob.waiters[standIn]
	delete(s.ob.waiters, standIn)
	out := make([]func(), 0, len(fns))
	for _, fn := range fns {
		out = append(out, func() { fn(ts, ts != "") })
	}
	return out
}

func runAll(fns []func()) {
	for _, fn := range fns {
		go fn()
	}
}

// rootDeliveredLocked moves what waits behind a delivered top-level post
// (queued under its stand-in) to the queue of its real thread, naming the
// real ts, so later calls that name either ts queue behind them in order.
func (s *Messenger) rootDeliveredLocked(it *outItem, now time.Time) {
	standIn := it.standIn()
	from := queueKey(it.msg.Channel, standIn)
	rest := s.ob.queues[from]
	if len(rest) == 0 {
		return
	}
	for _, r := range rest {
		if r.msg.ThreadTS == standIn {
			r.msg.ThreadTS = it.sentTS
		}
		if r.ts == standIn {
			r.ts = it.sentTS
		}
	}
	to := queueKey(it.msg.Channel, it.sentTS)
	if len(s.ob.queues[to]) == 0 {
		s.ob.due[to] = now
	}
	s.ob.queues[to] = append(s.ob.queues[to], rest...)
	delete(s.ob.queues, from)
	delete(s.ob.due, from)
}

// deliverLoop sends queued calls, the earliest due thread first, until
// nothing is queued or the bound context ends.
func (s *Messenger) deliverLoop() {
	for {
		s.ob.mu.Lock()
		ctx := s.ob.ctx
		if ctx.Err() != nil {
			fns := s.abandonLocked("tunneldoc is stopping")
			s.ob.running = false
			s.ob.mu.Unlock()
			runAll(fns)
			return
		}
		if s.ob.n == 0 {
			s.ob.running = false
			s.ob.mu.Unlock()
			return
		}
		var key string
		var due time.Time
		for k, q := range s.ob.queues {
			if len(q) == 0 {
				continue
			}
			if d := s.ob.due[k]; key == "" || d.Before(due) {
				key, due = k, d
			}
		}
		if wait := due.Sub(s.clock.Now()); wait > 0 {
			s.ob.mu.Unlock()
			select {
			case <-s.clock.After(wait):
			case <-s.ob.wake:
			case <-ctx.Done():
			}
			continue
		}
		it := s.ob.queues[key][0]
		it.inFlight = true
		s.ob.mu.Unlock()

		ictx := it.logContext(ctx)
		err := s.deliver(ictx, it)
		retry, ambiguous, retryAfter := transient(err)

		s.ob.mu.Lock()
		it.inFlight = false
		it.attempts++
		now := s.clock.Now()
		_, _, maxAge := s.maxQueued()
		var fns []func()
		switch {
		case err == nil:
			s.popLocked(key)
			s.count("delivered_late")
			s.log.InfoContext(ictx, "queued slack call delivered", "method", it.kind.method(), "channel", it.msg.Channel, "thread", it.msg.ThreadTS, "top_level", it.root, "ts", it.sentTS, "waited", now.Sub(it.queuedAt).Round(time.Millisecond), "attempts", it.attempts)
			if len(s.ob.queues[key]) > 0 {
				s.ob.due[key] = now // the next one at once
			}
			if it.kind == outPost || it.kind == outEphemeral {
				if it.root {
					s.rootDeliveredLocked(it, now)
				}
				fns = s.settledLocked(it.standIn(), it.sentTS)
			}
			// Slack answers again: the threads backing off are tried now
			// rather than at the end of their backoff (one at a time, by
			// this loop, paced per channel: no burst).
			for k, d := range s.ob.due {
				at := now
				if nb := s.ob.queues[k][0].notBefore; nb.After(at) {
					at = nb
				}
				if d.After(at) {
					s.ob.due[k] = at
				}
			}
		case retry && ctx.Err() == nil && now.Sub(it.queuedAt) < maxAge:
			if ambiguous && it.kind == outPost {
				it.ambiguous = true
			}
			backoff := outboxRetryMin << min(it.attempts-1, 6)
			backoff = min(backoff, outboxRetryMax)
			s.ob.due[key] = now.Add(max(backoff, retryAfter))
			it.notBefore = now.Add(retryAfter)
			s.log.DebugContext(ictx, "queued slack call failed again", "method", it.kind.method(), "channel", it.msg.Channel, "attempts", it.attempts, "next_in", s.ob.due[key].Sub(now), "err", err)
		default:
			s.popLocked(key)
			s.count("given_up")
			why := "permanent error"
			switch {
			case ctx.Err() != nil:
				why = "tunneldoc is stopping"
			case retry:
				why = "still failing after " + now.Sub(it.queuedAt).Round(time.Second).String()
			}
			s.log.ErrorContext(ictx, "queued slack call given up: "+why, "method", it.kind.method(), "channel", it.msg.Channel, "thread", it.msg.ThreadTS, "top_level", it.root, "attempts", it.attempts, "err", err)
			if it.kind == outPost || it.kind == outEphemeral {
				fns = s.settledLocked(it.standIn(), "")
			}
		}
		s.ob.mu.Unlock()
		runAll(fns)
	}
}

func (s *Messenger) popLocked(key string) {
	it := s.ob.queues[key][0]
	s.ob.queues[key] = s.ob.queues[key][1:]
	if len(s.ob.queues[key]) == 0 {
		delete(s.ob.queues, key)
		delete(s.ob.due, key)
	}
	s.ob.n--
	s.ob.bytes -= len(it.upload.content)
}

// abandonLocked gives up everything queued (the bound context ended) and
// returns the WhenDelivered callbacks to run once mu is released.
func (s *Messenger) abandonLocked(why string) []func() {
	if s.ob.n == 0 {
		return nil
	}
	s.log.Error("slack calls not delivered: "+why, "queued", s.ob.n)
	for range s.ob.n {
		s.count("given_up")
	}
	var fns []func()
	for _, q := range s.ob.queues {
		for _, it := range q {
			if it.kind == outPost || it.kind == outEphemeral {
				fns = append(fns, s.settledLocked(it.standIn(), "")...)
			}
		}
	}
	clear(s.ob.queues)
	clear(s.ob.due)
	s.ob.n, s.ob.bytes = 0, 0
	return fns
}

// deliver makes one attempt at a queued call (no inline 429 retries: the
// loop does the waiting).
func (s *Messenger) deliver(ctx context.Context, it *outItem) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if it.kind != outUpdate && bot.IsQueuedTS(it.msg.ThreadTS) {
		// Queued behind a root that was given up (a delivered root's
		// followers were moved to its real thread).
		real, ok := s.resolvedTS(it.msg.ThreadTS)
		if !ok {
			return fmt.Errorf("%w (%s)", errRootNotDelivered, it.msg.ThreadTS)
		}
		it.msg.ThreadTS = real
	}
	switch it.kind {
	case outPost:
		if it.ambiguous {
			var ts string
			var found bool
			var err error
			if it.root {
				ts, found, err = s.findRootDelivery(ctx, it.msg.Channel, it.deliveryID, it.firstTry)
			} else {
				ts, found, err = s.findDelivery(ctx, it.msg.Channel, it.msg.ThreadTS, it.deliveryID)
			}
			if retry, _, _ := transient(err); err != nil && retry {
				return err
			}
			if err != nil {
				// Not a passing failure (a channel the token may not read,
				// say): better a post that may show twice than none.
				s.log.WarnContext(ctx, "cannot look for an earlier delivery of a queued slack post; posting it again (it may show twice)", "channel", it.msg.Channel, "thread", it.msg.ThreadTS, "top_level", it.root, "err", err)
			}
			if found {
				s.log.InfoContext(ctx, "queued slack post was delivered by an earlier attempt; not posting again", "channel", it.msg.Channel, "thread", it.msg.ThreadTS, "top_level", it.root, "ts", ts)
				it.sentTS = ts
				return nil
			}
		}
		ts, err := s.postOnce(ctx, it.msg, it.deliveryID, 0)
		if err == nil {
			it.sentTS = ts
		}
		return err
	case outEphemeral:
		ts, err := s.postOnce(ctx, it.msg, "", 0)
		if err == nil {
			it.sentTS = ts
		}
		return err
	case outUpdate:
		ts := it.ts
		if bot.IsQueuedTS(ts) {
			real, ok := s.resolvedTS(ts)
			if !ok {
				return fmt.Errorf("edit of a message that was never delivered (%s)", ts)
			}
			ts = real
		}
		return s.updateOnce(ctx, ts, it.msg, 0)
	}
	return s.uploadOnce(ctx, it.msg.Channel, it.msg.ThreadTS, it.upload, 0)
}

// findRootDelivery reads the channel's history since a little before
// since for a top-level message carrying deliveryID.
func (s *Messenger) findRootDelivery(ctx context.Context, channel, deliveryID string, since time.Time) (string, bool, error) {
	oldest := ""
	if !since.IsZero() {
		// Slack's clock and ours may differ a little.
		oldest = fmt.Sprintf("%d.000000", since.Add(-5*time.Minute).Unix())
	}
	cursor := ""
	for range 10 { // 10 pages of 200: a channel that got more than 2,000 messages since is not searched to the end
		var resp *slackgo.GetConversationHistoryResponse
		err := s.doN(ctx, channel, false, "conversations.history", 0, func() error {
			var err error
			resp, err = s.api.GetConversationHistoryContext(ctx, &slackgo.GetConversationHistoryParameters{
				ChannelID: channel, Oldest: oldest, Limit: 200, Cursor: cursor, IncludeAllMetadata: true,
			})
			return err
		})
		if err != nil {
			return "", false, err
		}
		for _, m := range resp.Messages {
			if str(m.Metadata.EventPayload["delivery_id"]) == deliveryID {
				return m.Timestamp, true, nil
			}
		}
		if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
			return "", false, nil
		}
		cursor = resp.ResponseMetaData.NextCursor
	}
	return "", false, nil
}

// findDelivery reads the thread for a message carrying deliveryID.
func (s *Messenger) findDelivery(ctx context.Context, channel, thread, deliveryID string) (string, bool, error) {
	cursor := ""
	for range 10 { // 10 pages of 200: a thread longer than 2,000 messages is not searched to its end
		var msgs []slackgo.Message
		var more bool
		var next string
		err := s.doN(ctx, channel, false, "conversations.replies", 0, func() error {
			var err error
			msgs, more, next, err = s.api.GetConversationRepliesContext(ctx, &slackgo.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: thread, Limit: 200, Cursor: cursor, IncludeAllMetadata: true,
			})
			return err
		})
		if err != nil {
			return "", false, err
		}
		for _, m := range msgs {
			if str(m.Metadata.EventPayload["delivery_id"]) == deliveryID {
				return m.Timestamp, true, nil
			}
		}
		if !more || next == "" {
			return "", false, nil
		}
		cursor = next
	}
	return "", false, nil
}

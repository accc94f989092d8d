package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// Backoff bounds, per Store: after Redis refused a write for want of
// memory, no write is sent for backoffMin, doubling with every refusal in
// a row up to backoffMax; the first write after the wait goes through and
// its answer decides.
const (
	backoffMin = 100 * time.Millisecond
	backoffMax = 10 * time.Second
)

// backoff is a go-redis hook that stops a Store from hammering a Redis at
// maxmemory with noeviction, which refuses every write with an OOM reply
// at once: while the store waits, writes fail without a round trip,
// saying "state store full" (store.ErrFull) like Redis's own refusal.
// Reads still go (a full Redis answers them) and so does PING (the
// readiness probe). Other error replies (NOSCRIPT, WRONGTYPE...) are
// answers, not a full store; an unreachable Redis is paced by go-redis's
// own dialing and not held back here, so the first request after it
// returns is served.
type backoff struct {
	clock clock.Clock

	mu    sync.Mutex
	wait  time.Duration // current window; 0 while writes succeed
	until time.Time     // no write before this
	last  error         // the refusal that opened the window
}

func newBackoff(c clock.Clock) *backoff { return &backoff{clock: c} }

// readOnly are the commands the Store reads with: a full Redis still
// answers them, and they say nothing about whether it has room.
var readOnly = map[string]bool{
	"ping": true, "get": true, "mget": true, "exists": true, "zrange": true, "zrevrange": true, "zrangebyscore": true,
	"zcard": true, "pttl": true, "ttl": true, "smembers": true, "scan": true, "watch": true, "unwatch": true,
}

// errFull wraps Redis's OOM reply so errors.Is(err, store.ErrFull) holds.
type errFull struct{ err error }

func (e errFull) Error() string {
	return "state store full (Redis maxmemory reached): " + e.err.Error()
}
func (e errFull) Unwrap() []error      { return []error{store.ErrFull, e.err} }
func (e errFull) Is(target error) bool { return target == store.ErrFull }

// isOOM: Redis refused the command for want of memory.
func isOOM(err error) bool {
	var re goredis.Error
	return errors.As(err, &re) && strings.HasPrefix(re.Error(), "OOM ")
}

// blocked is the error a write fails with while the store waits, or nil.
func (b *backoff) blocked(name string) error {
	if readOnly[name] {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if b.wait == 0 || !now.Before(b.until) {
		return nil
	}
	return errFull{fmt.Errorf("no write for %s after: %w", b.until.Sub(now).Round(time.Millisecond), b.last)}
}

// done records a command's outcome.
func (b *backoff) done(name string, err error) {
	if readOnly[name] {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case isOOM(err):
		b.wait = min(max(b.wait*2, backoffMin), backoffMax)
		b.until = b.clock.Now().Add(b.wait)
		b.last = err
	case err == nil || errors.Is(err, goredis.Nil):
		b.wait, b.last = 0, nil
	}
}

// wrap makes an OOM reply say "state store full".
func wrap(err error) error {
	if isOOM(err) {
		return errFull{err}
	}
	return err
}

func (b *backoff) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (b *backoff) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		if err := b.blocked(cmd.Name()); err != nil {
			cmd.SetErr(err)
			return err
		}
		err := next(ctx, cmd)
		b.done(cmd.Name(), err)
		if isOOM(err) {
			err = wrap(err)
			cmd.SetErr(err)
		}
		return err
	}
}

func (b *backoff) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		for _, c := range cmds {
			if err := b.blocked(c.Name()); err != nil {
				for _, c := range cmds {
					c.SetErr(err)
				}
				return err
			}
		}
		err := next(ctx, cmds)
		var refused error
		wrote := false
		for _, c := range cmds {
			if isOOM(c.Err()) {
				refused = c.Err()
				c.SetErr(wrap(c.Err()))
			}
			wrote = wrote || !readOnly[c.Name()]
		}
		switch {
		case refused != nil:
			b.done("pipeline", refused)
		case wrote && err == nil:
			b.done("pipeline", nil)
		}
		return wrap(err)
	}
}

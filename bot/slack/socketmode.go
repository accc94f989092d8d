package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/tunneldoc/tunneldoc/bot"
)

// RunSocketMode serves Slack over Socket Mode until ctx ends. Every
// envelope is acked first (Slack wants it within 3 s), then answered on
// its own goroutine. slack-go's client reconnects by itself after
// transient failures; conn (may be nil) follows the connection for
// readiness. An answer no retry fixes (invalid_auth, account_inactive,
// not_authed, token_revoked...) stops it: conn is left down with the
// reason and a *RefusedError is returned.
func RunSocketMode(ctx context.Context, b *bot.Bot, api *slackgo.Client, log *slog.Logger, conn *Connection) error {
	sm := socketmode.New(api)
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.Start(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	runErr := make(chan error, 1)
	go func() { runErr <- sm.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-runErr:
			if ctx.Err() != nil {
				return nil
			}
			if r := refused(err); r != nil {
				conn.Set(false, r.Error())
				log.Error("socket mode stopped: Slack refused the app token; no retry fixes this", "error_code", r.Code, "fix", "set SLACK_APP_TOKEN to an app-level token (xapp-) with connections:write and restart")
				return r
			}
			conn.Set(false, "socket mode stopped: "+err.Error())
			return fmt.Errorf("socket mode: %w", err)
		case evt := <-sm.Events:
			noteConnection(conn, evt)
			work := dispatchSocketEvent(ctx, b, sm, evt, log)
			if work != nil {
				wg.Add(1)
				go func() { defer wg.Done(); work(ctx) }()
			}
		}
	}
}

// envelopeID names a Socket Mode delivery ("" without one).
func envelopeID(evt socketmode.Event) string {
	if evt.Request == nil {
		return ""
	}
	return evt.Request.EnvelopeID
}

// noteConnection follows the client's connection events.
func noteConnection(conn *Connection, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		conn.Set(true, "")
	case socketmode.EventTypeConnecting:
		conn.Set(false, "socket mode connecting")
	case socketmode.EventTypeConnectionError:
		conn.Set(false, "socket mode cannot connect (retrying): "+fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		conn.Set(false, "socket mode: Slack refused the app token")
	}
}

// dispatchSocketEvent acks an envelope and returns the work it asks for.
func dispatchSocketEvent(ctx context.Context, b *bot.Bot, sm *socketmode.Client, evt socketmode.Event, log *slog.Logger) func(context.Context) {
	ack := func() {
		if evt.Request == nil {
			return
		}
		if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, nil); err != nil {
			log.Warn("socket mode ack failed", "envelope", evt.Request.EnvelopeID, "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		log.Info("socket mode connecting")
	case socketmode.EventTypeConnected:
		log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError:
		log.Warn("socket mode connection trouble (the client reconnects)", "data", fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		log.Error("socket mode: invalid app token (SLACK_APP_TOKEN needs connections:write)")
	case socketmode.EventTypeErrorBadMessage:
		// A frame slack-go cannot read (an event type it does not know,
		// damaged JSON). Acked when it names its envelope, so Slack does
		// not deliver it again; never answered.
		var env struct {
			EnvelopeID string `json:"envelope_id"`
		}
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			log.Warn("socket mode: unreadable envelope ignored", "err", bad.Cause)
			if json.Unmarshal(bad.Message, &env) == nil && env.EnvelopeID != "" {
				if err := sm.AckCtx(ctx, env.EnvelopeID, nil); err != nil {
					log.Warn("socket mode ack failed", "envelope", env.EnvelopeID, "err", err)
				}
			}
		}
	case socketmode.EventTypeDisconnect:
		log.Info("socket mode: Slack asked to reconnect")
	case socketmode.EventTypeEventsAPI:
		ack()
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return nil
		}
		if evt.Request != nil && evt.Request.RetryAttempt > 0 {
			log.Info("slack retry", "attempt", evt.Request.RetryAttempt, "reason", evt.Request.RetryReason)
		}
		req, ok := RequestFromEvent(ev, b.UserID())
		if !ok {
			return nil
		}
		return func(ctx context.Context) { b.Handle(ctx, req) }
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slackgo.SlashCommand)
		if !ok {
			ack()
			return nil
		}
		if text := SlashAck(sc); text != "" && evt.Request != nil {
			if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, map[string]string{"response_type": "ephemeral", "text": text}); err != nil {
				log.Warn("socket mode ack failed", "envelope", evt.Request.EnvelopeID, "err", err)
			}
		} else {
			ack()
		}
		return func(ctx context.Context) { handleSlash(ctx, b, sc, envelopeID(evt), log) }
	case socketmode.EventTypeInteractive:
		ack()
		cb, ok := evt.Data.(slackgo.InteractionCallback)
		if !ok {
			return nil
		}
		return func(ctx context.Context) { handleInteraction(ctx, b, cb, envelopeID(evt), log) }
	}
	return nil
}

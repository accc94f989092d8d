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
	privacy := newChannelPrivacy(api, log)
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
			work := dispatchSocketEvent(ctx, b, privacy, sm, evt, log)
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
// An envelope that brings a request (an event, a slash command, an
// interaction) gets its request_id here: its receipt, ack and retry lines
// carry it, and so does everything its work logs.
func dispatchSocketEvent(ctx context.Context, b *bot.Bot, p *channelPrivacy, sm *socketmode.Client, evt socketmode.Event, log *slog.Logger) func(context.Context) {
	rctx := newRequestContext(ctx) // used by the envelopes that bring a request
	ackWith := func(ctx context.Context, payload any) {
		if evt.Request == nil {
			return
		}
		if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil {
			log.WarnContext(ctx, "socket mode ack failed", "envelope", evt.Request.EnvelopeID, "err", err)
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
		ackWith(rctx, nil)
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return nil
		}
		if evt.Request != nil && evt.Request.RetryAttempt > 0 {
			log.InfoContext(rctx, "slack retry", "attempt", evt.Request.RetryAttempt, "reason", evt.Request.RetryReason)
		}
		req, ok := RequestFromEvent(ev, b.UserID())
		if !ok {
			return nil
		}
		logReceipt(rctx, log, "socket mode", "event", "event_id", req.EventID, "kind", req.Kind.String(), "channel", req.Channel, "user", req.User, "envelope", envelopeID(evt))
		return func(ctx context.Context) { handleEvent(sameRequest(ctx, rctx), b, p, ev, req) }
	case socketmode.EventTypeSlashCommand:
		sc, ok := evt.Data.(slackgo.SlashCommand)
		if !ok {
			ackWith(rctx, nil)
			return nil
		}
		if text := SlashAck(sc); text != "" {
			ackWith(rctx, map[string]string{"response_type": "ephemeral", "text": text})
		} else {
			ackWith(rctx, nil)
		}
		logReceipt(rctx, log, "socket mode", "slash command", "command", sc.Command, "channel", sc.ChannelID, "user", sc.UserID, "envelope", envelopeID(evt))
		return func(ctx context.Context) { handleSlash(sameRequest(ctx, rctx), b, p, sc, envelopeID(evt), log) }
	case socketmode.EventTypeInteractive:
		ackWith(rctx, nil)
		cb, ok := evt.Data.(slackgo.InteractionCallback)
		if !ok {
			return nil
		}
		logReceipt(rctx, log, "socket mode", "interaction", "type", string(cb.Type), "channel", cb.Channel.ID, "user", cb.User.ID, "envelope", envelopeID(evt))
		return func(ctx context.Context) { handleInteraction(sameRequest(ctx, rctx), b, p, cb, envelopeID(evt), log) }
	}
	return nil
}

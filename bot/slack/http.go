package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock"
)

// HTTP paths served in Events API mode.
const (
	PathEvents      = "/slack/events"
	PathInteractive = "/slack/interactive"
	PathCommands    = "/slack/commands"
	PathHealth      = "/healthz"
)

const (
	maxRequestBody   = 1 << 20
	signatureMaxSkew = 5 * time.Minute
)

// HTTPHandler serves the Events API, interactivity and slash commands.
// Every request's v0 signature is checked before anything is read from it;
// the answer is sent at once and the work runs afterwards.
type HTTPHandler struct {
	bot    *bot.Bot
	secret string
	clock  clock.Clock
	log    *slog.Logger
	base   context.Context
	wg     sync.WaitGroup
	mux    *http.ServeMux
	// privacy says which channels are private (app_mention events and
	// paste forms do not): api answers conversations.info.
	privacy *channelPrivacy
}

// NewHTTPHandler returns the handler; work started by requests runs under
// base (cancel it to stop) and Wait waits for it. It starts the bot's
// background work (bot.Bot.Start) under base. api (the bot token's Web
// API client) tells which channels are private; without it every channel
// whose event does not say is taken as private.
func NewHTTPHandler(base context.Context, b *bot.Bot, api *slackgo.Client, signingSecret string, clk clock.Clock, log *slog.Logger) *HTTPHandler {
	if clk == nil {
		clk = clock.Real
	}
	if log == nil {
		log = slog.Default()
	}
	h := &HTTPHandler{bot: b, secret: signingSecret, clock: clk, log: log, base: base, mux: http.NewServeMux(), privacy: newChannelPrivacy(api, log)}
	b.Start(base)
	h.mux.HandleFunc("POST "+PathEvents, h.events)
	h.mux.HandleFunc("POST "+PathInteractive, h.interactive)
	h.mux.HandleFunc("POST "+PathCommands, h.commands)
	h.mux.HandleFunc("GET "+PathHealth, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return h
}

func (h *HTTPHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Wait waits for the work requests started.
func (h *HTTPHandler) Wait() { h.wg.Wait() }

// later runs work under base, carrying the request_id of rctx.
func (h *HTTPHandler) later(rctx context.Context, work func(ctx context.Context)) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		work(sameRequest(h.base, rctx))
	}()
}

var errStale = errors.New("request timestamp outside the 5-minute window")

// verify reads the body and checks Slack's signature; it writes the
// refusal itself and returns ok=false when the request is not Slack's.
func (h *HTTPHandler) verify(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return nil, false
	}
	if len(body) > maxRequestBody {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return nil, false
	}
	if err := h.checkSignature(r.Header, body); err != nil {
		h.log.Warn("refused unsigned or stale request", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

func (h *HTTPHandler) checkSignature(header http.Header, body []byte) error {
	// Our own window check reads the injected clock; NewSecretsVerifier
	// repeats it against the wall clock and does the constant-time HMAC.
	ts, err := strconv.ParseInt(header.Get("X-Slack-Request-Timestamp"), 10, 64)
	if err != nil {
		return errors.New("missing or bad X-Slack-Request-Timestamp")
	}
	if d := h.clock.Now().Sub(time.Unix(ts, 0)); d > signatureMaxSkew || d < -signatureMaxSkew {
		return errStale
	}
	sv, err := slackgo.NewSecretsVerifier(header, h.secret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

func (h *HTTPHandler) events(w http.ResponseWriter, r *http.Request) {
	body, ok := h.verify(w, r)
	if !ok {
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// Signed, well-formed JSON the library cannot read (an inner event
		// type it does not know, a callback without its event) is Slack's
		// and is ignored with a 200: Slack retries anything else, and turns
		// the subscription off when most deliveries fail.
		var outer struct {
			Type    string `json:"type"`
			EventID string `json:"event_id"`
		}
		if json.Unmarshal(body, &outer) != nil || outer.Type == "" {
			h.log.Warn("unreadable event", "err", err)
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		h.log.Info("ignored an event the bot does not read", "type", outer.Type, "event_id", outer.EventID, "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	switch ev.Type {
	case slackevents.URLVerification:
		uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok {
			http.Error(w, "bad url_verification", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, uv.Challenge)
		return
	case slackevents.CallbackEvent:
		rctx := newRequestContext(r.Context())
		if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
			h.log.InfoContext(rctx, "slack retry", "attempt", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
		}
		w.WriteHeader(http.StatusOK)
		if req, ok := RequestFromEvent(ev, h.bot.UserID()); ok {
			logReceipt(rctx, h.log, "events api", "event", "event_id", req.EventID, "kind", req.Kind.String(), "channel", req.Channel, "user", req.User)
			h.later(rctx, func(ctx context.Context) { handleEvent(ctx, h.bot, h.privacy, ev, req) })
		}
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *HTTPHandler) commands(w http.ResponseWriter, r *http.Request) {
	body, ok := h.verify(w, r)
	if !ok {
		return
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sc, err := slackgo.SlashCommandParse(r2)
	if err != nil {
		http.Error(w, "bad slash command", http.StatusBadRequest)
		return
	}
	if text := SlashAck(sc); text != "" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": text})
	} else {
		w.WriteHeader(http.StatusOK)
	}
	delivery := deliveryHash(r.Header, body)
	rctx := newRequestContext(r.Context())
	logReceipt(rctx, h.log, "events api", "slash command", "command", sc.Command, "channel", sc.ChannelID, "user", sc.UserID)
	h.later(rctx, func(ctx context.Context) { handleSlash(ctx, h.bot, h.privacy, sc, delivery, h.log) })
}

func (h *HTTPHandler) interactive(w http.ResponseWriter, r *http.Request) {
	body, ok := h.verify(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	var cb slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	// An empty 200 acks a button and closes a submitted modal.
	w.WriteHeader(http.StatusOK)
	delivery := deliveryHash(r.Header, body)
	rctx := newRequestContext(r.Context())
	logReceipt(rctx, h.log, "events api", "interaction", "type", string(cb.Type), "channel", cb.Channel.ID, "user", cb.User.ID)
	h.later(rctx, func(ctx context.Context) { handleInteraction(ctx, h.bot, h.privacy, cb, delivery, h.log) })
}

// deliveryHash identifies one signed request: a replay of it (same
// signature, timestamp and body) has the same hash.
func deliveryHash(header http.Header, body []byte) string {
	m := sha256.New()
	for _, part := range [][]byte{[]byte(header.Get("X-Slack-Signature")), []byte(header.Get("X-Slack-Request-Timestamp")), body} {
		m.Write(part)
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

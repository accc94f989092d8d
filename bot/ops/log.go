package ops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Log formats.
const (
	LogJSON = "json"
	LogText = "text"
)

// NewLogger returns the process logger: JSON (one object per line, for a
// log shipper) or text, at level. Records logged with a context carry the
// request_id and incident_id that WithRequestID / WithIncidentID put
// there, and attributes whose key names a secret are printed as
// <redacted> (a safety net; device text is redacted at its source).
func NewLogger(w io.Writer, format string, level slog.Leveler) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: hideSecrets}
	var h slog.Handler
	switch format {
	case LogJSON, "":
		h = slog.NewJSONHandler(w, opts)
	case LogText:
		h = slog.NewTextHandler(w, opts)
	default:
		return nil, fmt.Errorf("log format %q: want json or text", format)
	}
	return slog.New(contextHandler{h}), nil
}

var secretWords = []string{"token", "secret", "password", "passwd", "passphrase", "psk"}

func hideSecrets(_ []string, a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	for _, w := range secretWords {
		if strings.Contains(k, w) && !strings.HasSuffix(k, "_env") {
			return slog.String(a.Key, "<redacted>")
		}
	}
	return a
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	incidentIDKey
)

// WithRequestID returns ctx carrying a request ID for the log.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// WithIncidentID returns ctx carrying an incident ID for the log.
func WithIncidentID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, incidentIDKey, id)
}

// RequestID returns the request ID in ctx, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey).(string)
	return s
}

// IncidentID returns the incident ID in ctx, or "".
func IncidentID(ctx context.Context) string {
	s, _ := ctx.Value(incidentIDKey).(string)
	return s
}

// NewRequestID returns a short random ID ("req-" + 12 hex digits), enough
// to find one request's lines among a day's logs.
func NewRequestID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "req-" + hex.EncodeToString(b[:])
}

// contextHandler adds the IDs carried by the record's context.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := RequestID(ctx); id != "" {
			r.AddAttrs(slog.String("request_id", id))
		}
		if id := IncidentID(ctx); id != "" {
			r.AddAttrs(slog.String("incident_id", id))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(as)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

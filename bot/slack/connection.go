package slack

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	slackgo "github.com/slack-go/slack"
)

// Connection is the state of the bot's link to Slack, as readiness
// reports it: up once the transport is connected (Socket Mode: the
// websocket said hello; HTTP: auth.test passed), down with a note while it
// connects, reconnects or has stopped. A nil *Connection records nothing.
type Connection struct {
	mu   sync.Mutex
	up   bool
	note string
}

// NewConnection returns a link that is down until it connects.
func NewConnection() *Connection { return &Connection{note: "not connected yet"} }

// Set records the state.
func (c *Connection) Set(up bool, note string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.up, c.note = up, note
	c.mu.Unlock()
}

// State says whether the link is up and, when it is not, why.
func (c *Connection) State() (up bool, note string) {
	if c == nil {
		return false, "no connection state"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.up {
		return true, "connected"
	}
	return false, c.note
}

// permanentCodes are the apps.connections.open answers no retry fixes:
// the app token is wrong, revoked or its workspace is gone.
var permanentCodes = map[string]bool{
	"invalid_auth": true, "account_inactive": true, "not_authed": true, "token_revoked": true,
	"token_expired": true, "not_allowed_token_type": true, "missing_scope": true,
}

// RefusedError is Slack refusing the Socket Mode connection for good.
type RefusedError struct {
	Code string // Slack's error code, or the HTTP status
	Err  error
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("socket mode stopped: Slack refused the app token (%s); set SLACK_APP_TOKEN to an app-level token (xapp-) with connections:write and restart", e.Code)
}

func (e *RefusedError) Unwrap() error { return e.Err }

// refused is err as a *RefusedError when it is permanent, else nil.
func refused(err error) *RefusedError {
	var se slackgo.SlackErrorResponse
	if errors.As(err, &se) && permanentCodes[se.Err] {
		return &RefusedError{Code: se.Err, Err: err}
	}
	var sc slackgo.StatusCodeError
	if errors.As(err, &sc) && (sc.Code == http.StatusNotFound || sc.Code == http.StatusUnauthorized || sc.Code == http.StatusForbidden) {
		return &RefusedError{Code: sc.Status, Err: err}
	}
	return nil
}

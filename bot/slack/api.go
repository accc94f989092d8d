package slack

import (
	"net/http"

	slackgo "github.com/slack-go/slack"
)

// APIOptions configure the Web API client.
type APIOptions struct {
	URL        string       // "" means Slack's (https://slack.com/api/)
	AppToken   string       // the app-level token (xapp-…), for Socket Mode
	HTTPClient *http.Client // nil means http.DefaultClient
}

// NewAPI is the Web API client for the bot token (xoxb-…) that the
// Messenger, Files, Groups and the transports share.
func NewAPI(botToken string, o APIOptions) *slackgo.Client {
	var opts []slackgo.Option
	if o.URL != "" {
		opts = append(opts, slackgo.OptionAPIURL(o.URL))
	}
	if o.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(o.AppToken))
	}
	if o.HTTPClient != nil {
		opts = append(opts, slackgo.OptionHTTPClient(o.HTTPClient))
	}
	return slackgo.New(botToken, opts...)
}

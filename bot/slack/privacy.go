package slack

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/tunneldoc/tunneldoc/bot"
)

// maxKnownChannels bounds the channels whose privacy is remembered; past
// it one is forgotten (and asked again when it speaks next).
const maxKnownChannels = 4096

// infoTimeout bounds one conversations.info call.
const infoTimeout = 10 * time.Second

// channelPrivacy says whether a conversation is private: a DM, a group DM
// or a private channel, where only its members see what is said. What
// an event or a slash command says of its channel is taken as it is;
// app_mention events and paste forms say nothing, so Slack is asked
// (conversations.info: is_im, is_mpim, is_private) once per channel and
// the answer kept (a channel's privacy rarely changes). When Slack cannot
// say, the channel is taken as private, the safe side: its incidents stay
// in it, and nothing about another channel's is posted there.
type channelPrivacy struct {
	api *slackgo.Client // nil: nothing can be asked
	log *slog.Logger

	mu    sync.Mutex
	known map[string]bool
}

func newChannelPrivacy(api *slackgo.Client, log *slog.Logger) *channelPrivacy {
	return &channelPrivacy{api: api, log: log, known: map[string]bool{}}
}

// note remembers what Slack said of channel.
func (p *channelPrivacy) note(channel string, private bool) {
	if channel == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.known[channel]; !ok && len(p.known) >= maxKnownChannels {
		for k := range p.known {
			delete(p.known, k) // any one: the map stays bounded
			break
		}
	}
	p.known[channel] = private
}

func (p *channelPrivacy) remembered(channel string) (private, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	private, ok = p.known[channel]
	return private, ok
}

// errNoAPI: the transport was built without a Web API client.
var errNoAPI = errors.New("no Slack Web API client")

// private reports whether channel is private, asking Slack when neither
// its id nor an earlier answer says.
func (p *channelPrivacy) private(ctx context.Context, channel string) bool {
	if isDM(channel) {
		return true
	}
	if private, ok := p.remembered(channel); ok {
		return private
	}
	ch, err := p.info(ctx, channel)
	if err != nil {
		p.log.WarnContext(ctx, "cannot tell whether the channel is private (conversations.info; the bot needs channels:read, groups:read, im:read and mpim:read); treating it as private", "channel", channel, "err", err)
		return true
	}
	private := ch.IsPrivate || ch.IsIM || ch.IsMpIM
	p.note(channel, private)
	return private
}

func (p *channelPrivacy) info(ctx context.Context, channel string) (*slackgo.Channel, error) {
	if p.api == nil {
		return nil, errNoAPI
	}
	ctx, cancel := context.WithTimeout(ctx, infoTimeout)
	defer cancel()
	return p.api.GetConversationInfoContext(ctx, &slackgo.GetConversationInfoInput{ChannelID: channel})
}

// settle sets req.Private: what the event said of its channel (known),
// else what Slack says.
func (p *channelPrivacy) settle(ctx context.Context, req *bot.Request, private, known bool) {
	if known {
		p.note(req.Channel, private)
		req.Private = private
		return
	}
	req.Private = p.private(ctx, req.Channel)
}

// eventChannelType is what a message event says of its channel:
// private for "im", "mpim" and "group" (a private channel), public for
// "channel"; known is false when it says nothing (app_mention events).
func eventChannelType(t string) (private, known bool) {
	switch t {
	case slackevents.ChannelTypeIM, slackevents.ChannelTypeMPIM, slackevents.ChannelTypeGroup:
		return true, true
	case slackevents.ChannelTypeChannel:
		return false, true
	}
	return false, false
}

// slashChannelType is what a slash command's channel_name says: Slack
// names a DM "directmessage", a private channel "privategroup" and a
// group DM "mpdm-…"; known is false for any other name (a public
// channel's name, or a private channel's on some workspaces).
func slashChannelType(sc slackgo.SlashCommand) (private, known bool) {
	switch {
	case sc.ChannelName == "directmessage", sc.ChannelName == "privategroup", strings.HasPrefix(sc.ChannelName, "mpdm-"), isDM(sc.ChannelID):
		return true, true
	}
	return false, false
}

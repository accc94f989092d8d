// Package slack is the bot's Slack transport and the only slack-go
// importer: Socket Mode (socketmode.go) and the Events API over HTTP
// (http.go, with v0 request signatures) turn Slack's events, slash
// commands and interactions into bot requests (events.go), each with its
// request_id from receipt on and with whether its conversation is private
// (privacy.go: conversations.info when the event does not say, remembered
// per channel); the Messenger
// (messenger.go) posts through the Web API, keeps each channel's order,
// waits out rate limits and queues what fails for a while in its outbox
// (outbox.go), delivered later in order and once, found again by delivery
// id (deliverylookup.go); blocks.go lays a bot.Reply out as Block Kit.
//
// It implements the abilities bot.Config names: bot.Messenger,
// bot.DeliveryWatcher, bot.DeliveryFinder, bot.ThreadRecoverer,
// bot.PasteFormOpener, bot.FileFetcher (Files), bot.GroupResolver
// (Groups); cmd wires them. It must not import go-redis or the devices
// package.
package slack

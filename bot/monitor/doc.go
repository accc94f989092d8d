// Package monitor watches the tunnels and follows each outage in one Slack
// thread: three detection sources (polling the devices' SA tables through
// the bot's TunnelChecker, a UDP/TCP syslog listener for IOS %CRYPTO- and
// ASA %ASA- messages, an HTTP webhook for Alertmanager and plain JSON) feed
// one incident model (Monitor.Handle). Down opens an incident: one root
// message in the tunnel's channel and the diagnosis as a reply in its
// thread; changes go into the same thread and the root is edited in place
// (debounced); flapping tunnels get one incident with a count; up posts
// "resolved after N min"; a new outage within the reopen window reopens
// the same thread; silenced peers post nothing.
//
// Several replicas share one store (store.MonitorState, Redis in
// production): a lease per device decides who polls it, a lease per
// tunnel serialises its record, and a once-only claim per transition
// decides who posts it, recorded as sent only after the Messenger said ok.
// Every post carries a delivery id each replica derives from the
// transition (bot.Message.DeliveryID); a replica retrying a post an
// earlier attempt may have made (one that died after Slack took it but
// before the store recorded it) looks the id up in Slack first
// (bot.DeliveryFinder) and adopts the message it finds.
//
// It posts only through bot.Messenger and keeps state only through
// store.MonitorState (and, optionally, the bot's incident store). It must
// not import go-redis, slack-go, devices or golang.org/x/crypto/ssh: device
// access arrives through bot.TunnelChecker, wired in cmd. Every device or
// log text it posts or logs goes through redact first.
package monitor

// Package store keeps tunneldoc's incident state: one incident per tunnel,
// the Slack thread that owns it, every diagnosis posted in it, and the
// event IDs already answered (so a Slack retry is never answered twice,
// also when two bot replicas share one Redis).
//
// This package holds the Store and MonitorState interfaces, the incident
// model and the in-memory implementations (the embedded default when no
// Redis is configured). The Redis implementation lives in bot/store/redis;
// both pass the one contract suite in bot/store/storetest. This package
// must not import go-redis, slack-go, the bot, or the diagnosis engine.
package store

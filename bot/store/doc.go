// Package store keeps tunneldoc's incident state: one incident per tunnel,
// the Slack thread that owns it, every diagnosis posted in it, and the
// event IDs already answered (so a Slack retry is never answered twice,
// also when two bot replicas share one Redis).
//
// Two implementations pass one contract test suite: Redis (on
// redis.UniversalClient, so standalone, Sentinel and Cluster all work) and
// an in-memory store, the embedded default when no Redis is configured.
// This is the only package that imports go-redis; it must not import
// slack-go, the bot, or the diagnosis engine.
//
// # Redis key schema
//
// Every key starts with the prefix (default "tunneldoc:") and every key has
// a TTL, so nothing grows forever. No command touches two keys at once, so
// the schema works unchanged on Redis Cluster (the only MULTI holds one key).
//
//	tunneldoc:event:<event_id>           "1"; SET NX EX EventTTL (>= 10 min): Slack retry dedup
//	tunneldoc:incident:<id>              JSON Incident; TTL OpenTTL while open/acknowledged,
//	                                     ResolvedTTL once resolved; refreshed on every write;
//	                                     updated with WATCH/MULTI (optimistic, replica-safe)
//	tunneldoc:tunnel:<tunnel>            id of the tunnel's open incident; SET NX (the atomic
//	                                     "one incident per tunnel" claim); deleted on resolve
//	tunneldoc:thread:<channel>:<ts>      id of the incident whose Slack thread this is
//	tunneldoc:open                       sorted set of open incident ids, score = last seen
//	                                     (unix seconds); members whose incident key expired
//	                                     are pruned when listed
//
// The monitor's keys (tunneldoc:mon:...: leases, transition claims, tunnel
// records, silences) are documented in monitor.go.
//
// <tunnel> is Tunnel(peer, device): "peer|device", or "peer" when the device
// is unknown. Creating an incident writes its body first and then claims the
// tunnel key with SET NX; the loser of a race deletes its body and returns
// the winner's incident, so a reader that sees the tunnel key always finds
// the body.
package store

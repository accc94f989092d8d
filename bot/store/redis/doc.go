// Package redis is the store.Store and store.MonitorState on Redis (a
// go-redis UniversalClient, so standalone, Sentinel and Cluster all work).
// It is the only package that imports go-redis, and the one place Redis
// failures are counted (Store.CountErrors). It must not import slack-go,
// the bot, or the diagnosis engine.
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
// <tunnel> is store.Tunnel(peer, device): "peer|device", or "peer" when the device
// is unknown. Creating an incident writes its body first and then claims the
// tunnel key with SET NX; the loser of a race deletes its body and returns
// the winner's incident, so a reader that sees the tunnel key always finds
// the body.
//
// # Monitor keys
//
// The monitor's state (all under the store prefix, all with a TTL):
//
//	tunneldoc:mon:lease:<name>     random owner token; SET NX PX ttl to take, renewed
//	                               and released by Lua compare-and-PEXPIRE /
//	                               compare-and-DEL, so only the owner extends or frees it.
//	                               <name> is "device:<device>" (polling) or
//	                               "tunnel:<tunnel>" (one writer per incident)
//	tunneldoc:mon:tx:<id>          "claimed" (SET NX PX claim ttl) while one replica posts a
//	                               transition, then "sent" (SET XX EX sent ttl) once the
//	                               Messenger said ok; deleted again when the post failed
//	tunneldoc:mon:tunnel:<tunnel>  the monitor's JSON record of the tunnel; EX record ttl
//	tunneldoc:mon:tunnels          sorted set of tunnels with a record, score = unix
//	                               seconds of the last write; its TTL is extended (never
//	                               shortened) to the longest record's on every write;
//	                               members whose record expired are dropped when listed
//	tunneldoc:mon:silence:<peer>   unix seconds the silence ends + "|" + who; EX = its length
//	tunneldoc:mon:silences         sorted set of silenced peers, score = end (unix
//	                               seconds); EXPIRE = the longest silence; pruned when listed
package redis

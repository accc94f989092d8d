// Command tunneldoc-load measures the bot end to end: it starts a local
// Slack Web API server, a redis-server on a free loopback port (or uses
// -redis), a lab of simulated SSH devices, and `tunneldoc serve` as a
// child process in HTTP Events API mode, then fires concurrent signed
// `check tunnel` mentions and reports the time from each event to its
// threaded diagnosis, whether every request was answered exactly once, and
// the CPU and memory of the bot process.
//
// Everything binds to 127.0.0.1 and every wait is bounded. It imports the
// device lab and the bot's public constants only; it must not import the
// bot's internals or be imported by anything.
package main

// Package devices talks to the devices that terminate tunnels: the
// inventory (which device terminates which peer, how to log in, by
// reference only), the per-platform driver table (how to get a clean CLI
// and which read-only commands prove a tunnel's state) and the Collector
// that runs those commands over SSH with global and per-device
// concurrency limits.
//
// The inventory format is shown, with comments, in
// testdata/inventory.example.yaml (kept valid by a test).
//
// Everything a Collection returns has passed through redact.Text.
//
// It must not import diagnose (the collect -> diagnose wiring lives in bot
// and cmd), bot, slack-go or go-redis, and it must not import
// golang.org/x/crypto/ssh directly: devices/sshx is the one SSH package.
// It never runs debug, clear or configuration commands.
package devices

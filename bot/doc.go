// Package bot is tunneldoc's chat front end: it takes mentions, DMs,
// pastes, attached files, slash commands and button clicks, runs the
// diagnosis engine on the (redacted) device text, and answers in a Slack
// thread with Block Kit, keeping one incident per tunnel in the store.
//
// Data flows one way: transport (socketmode.go, httpapi.go, console.go) ->
// Request -> command (command.go) -> collect (TunnelChecker) -> diagnose ->
// render (render.go) -> post (Messenger), with the incident store on the
// side (incident.go, store/). Nothing is lost when a backend fails for a
// while: incident writes Redis refused wait in memory and are written when
// it answers (pending.go), and Slack calls that failed are queued and
// delivered later, in order and once (outbox.go); Bot.Start runs both.
//
// It is the only slack-go importer. It must not import go-redis (only
// bot/store does), golang.org/x/crypto/ssh or the devices package: device
// collection arrives through the TunnelChecker interface, wired in cmd.
// Every pasted or collected text goes through redact.Text before it is
// stored, logged or posted.
package bot

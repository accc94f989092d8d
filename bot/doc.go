// Package bot is tunneldoc's chat workflow, whatever the transport: it
// takes requests (mentions, DMs, pastes, attached files, slash commands,
// button clicks), runs the diagnosis engine on the (redacted) device text,
// and answers in a thread, keeping one incident per tunnel in the store.
//
// Data flows one way: transport (bot/slack, console.go) -> Request ->
// command (Bot.Handle; one file per command: paste.go, check.go,
// compare.go, status.go, silence.go, help.go) -> collect (TunnelChecker)
// -> diagnose -> render (render.go: a neutral Reply, reply.go and text.go)
// -> post (Messenger), with the incident store on the side (incident.go,
// store/). Each transport lays a Reply out its own way: bot/slack as Block
// Kit, the console as plain text. What a transport may also do (open a
// paste form, say when a queued post is delivered, recover a thread's
// incident, fetch files) is a named Config field, never guessed from the
// Messenger's type. Incident writes the store refused wait in memory and
// are written when it answers (pending.go); Bot.Start runs that and the
// transport's outbox.
//
// An answer goes where it was asked: the request's thread (or a new root
// in its channel), never another channel. Only a diagnosis of trouble
// (down or degraded) opens an incident; when the tunnel's incident lives
// in another thread, the answer links to it and joins it. An incident
// opened in a private conversation (Request.Private: a DM, a group DM, a
// private channel; the transport tells) belongs to it: its store key
// names the conversation, and status lists it only there (incident.go,
// status.go).
//
// It must not import slack-go (only bot/slack does), go-redis (only
// bot/store/redis does), golang.org/x/crypto/ssh or the devices package:
// device collection arrives through the TunnelChecker interface, wired in
// cmd. Every pasted or collected text goes through redact.Text before it
// is stored, logged or posted.
package bot

// Package redact removes secrets from device text: pre-shared keys,
// passwords and their hashes, SNMP communities, routing and FHRP
// authentication keys, strongSwan/libreswan secrets, FortiGate ENC values,
// PAN-OS -AQ== values, Junos $9$ values, MikroTik secret=, cloud CLI
// shared keys, and session keys and decrypted payloads that verbose
// debugs print (rules.go lists every shape with where it comes from).
//
// It is the one redaction function every output path calls: the engine's
// evidence and summaries, the CLI, the Slack replies, the logs and the
// incident store all pass text through Line or Text before it leaves the
// process. Line looks at the line as given and at the line as a reader
// cleans it (ANSI colours, markdown escapes, no-break spaces, a prompt), so
// a secret is found however a paste dressed it. Pure: no I/O.
package redact

// Package redact removes secrets (pre-shared keys, passwords, SNMP
// communities, strongSwan secrets) from device text. It is the one
// redaction function every output path calls: the CLI, the Slack replies,
// the logs and the incident store all pass text through Line or Text
// before it leaves the process. Pure: no I/O.
package redact

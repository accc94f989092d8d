// Package sshx is tunneldoc's SSH client for network devices and the only
// package that imports golang.org/x/crypto/ssh (server side lives in
// devices/lab, which imports it for the simulated devices only).
//
// It owns: dialing (direct or through a jump host), known_hosts checking
// with opt-in trust on first use, algorithm selection (legacy key
// exchanges, ciphers and host-key types only when asked for), password,
// keyboard-interactive, public-key and ssh-agent authentication, exec
// sessions, interactive PTY shells with prompt detection, paging and
// enable mode, and the deadlines and output caps that keep a stuck or
// flooding device from holding a goroutine or memory.
//
// Every failure is an *Error carrying a Kind (errors.Is(err, sshx.Timeout))
// and a sentence a network engineer can act on.
//
// It must not import diagnose, bot, or anything that posts or stores text:
// callers redact what it returns.
package sshx

// Package lab runs simulated IOS, ASA and strongSwan devices as real SSH
// servers (golang.org/x/crypto/ssh, server side) on 127.0.0.1, for the
// demo (`tunneldoc lab`) and for tests. Each device serves one scenario
// from scenarios/<name>/: scenario.json (platform, hostname, peer,
// subnets), expect.json (the phase and cause the diagnosis must find) and
// one <key>.txt per command, so scenario outputs are data, not code.
//
// Devices behave like the real CLIs where tunneldoc depends on it:
// banners, prompts, enable on ASA, paging until it is turned off, "%
// Invalid input" for unknown commands, and exec channels for strongSwan.
// Faults (a command that hangs, floods or drops the connection half way
// through its answer, legacy-only algorithms) can be
// switched on per device for tests.
//
// It must only ever listen on loopback, and forwards (as a jump host) to
// loopback only. It imports devices (the platform command table) and
// golang.org/x/crypto/ssh for the server side, the one exception to sshx
// being the only SSH importer; nothing but tests and cmd/tunneldoc may
// import it (devices/imports_test.go checks both).
package lab

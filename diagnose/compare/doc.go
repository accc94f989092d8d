// Package compare reads the crypto configuration of both ends of an IPsec
// tunnel (Cisco IOS/IOS-XE, Cisco ASA, strongSwan swanctl.conf or the
// legacy ipsec.conf + ipsec.secrets) and names what differs between them,
// in the same diagnose.Report / diagnose.Finding shape the live diagnosis
// uses, so the CLI and the Slack bot render both alike.
//
// API:
//
//	r := compare.Configs(compare.Input{Label: "hub.cfg", Text: a}, compare.Input{Label: "spoke.cfg", Text: b},
//		compare.Options{HashKey: perProcessRandomKey})
//	compare.LooksLikeConfig(paste)   // does a paste hold a crypto config?
//	compare.SplitPair(paste)         // two configs in one chat message
//	compare.FormatText(r)            // terminal rendering
//
// It owns the config parsers (one table of commands, ciscoHandlers, for
// IOS and ASA; a section reader for swanctl.conf), the address-set
// arithmetic used to decide whether two crypto ACLs or traffic selectors
// are mirror images (ipset.go, rect.go), and the rules that turn
// differences into findings (checks.go). The two sides are matched by
// address: A's peer is B's outside address and vice versa.
//
// Reports are written from side A's point of view: one_way_inbound means A
// decrypts but does not encrypt (the fault is on A), one_way_outbound the
// reverse; Peer is B's address.
//
// Pure, like the rest of diagnose: it must not import os, net, os/exec,
// time, math/rand, crypto/rand, syscall, or the Slack, SSH and Redis
// clients, and starts no goroutines (TestPure checks the imports). The
// caller supplies the key for the keyed hash that proves two pre-shared
// keys differ (Options.HashKey); without one the comparison says only
// that they differ (never a key's length). Keys are held in the secret type, every quoted line passes
// through redact.Line, and a last pass scrubs every key read from any
// output field.
package compare

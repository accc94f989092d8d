// Package compare reads the crypto configuration of both ends of an IPsec
// tunnel (Cisco IOS/IOS-XE, Cisco ASA, strongSwan swanctl.conf) and names
// what differs between them, in the same diagnose.Report / diagnose.Finding
// shape the live diagnosis uses, so the CLI and the Slack bot render both
// alike.
//
// It owns the config parsers (one table per vendor), the address-set
// arithmetic used to decide whether two crypto ACLs or traffic selectors
// are mirror images, and the rules that turn differences into findings.
// Reports are written from side A's point of view: "outbound" and
// "inbound" mean A's encaps and decaps.
//
// Pure, like the rest of diagnose: no os, net, os/exec, time.Now,
// goroutines or randomness. The caller supplies the key for the keyed
// hash that proves two pre-shared keys differ (Options.HashKey); without
// one only the key lengths are compared in output. Keys are held in the
// secret type and every quoted line passes through redact.Line.
package compare

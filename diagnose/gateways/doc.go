// Package gateways reads the healthy shapes, and the few failure lines
// that are unmistakable, of VPN gateways tunneldoc does not diagnose in
// depth: Juniper Junos and ScreenOS SA tables, Yamaha RTX SA and tunnel
// status, Palo Alto PAN-OS SA tables, the Azure VPN gateway's
// Network Watcher logs and Alibaba Cloud's racoon-style VPN log line.
//
// It records observations only (an IKE SA row and its state, an IPsec SA
// with its SPIs, packet counters, an authentication failure or a phase-1
// timeout the device states); the rules in package diagnose decide what
// they mean. What it does not read is left to the "not read" answer: these
// are not full vendor readers.
package gateways

// Package gateways reads the healthy shapes, and the failure and success
// log lines that are unmistakable, of VPN gateways tunneldoc does not
// diagnose in depth: Juniper Junos and ScreenOS SA tables, Yamaha RTX SA
// and tunnel status, Palo Alto PAN-OS SA tables, the Azure VPN gateway's
// Network Watcher logs, Alibaba Cloud's racoon-style VPN log line, and the
// IKE log lines of Junos kmd, the PAN-OS system log, FortiOS, MikroTik
// RouterOS, Huawei VRP and ZyXEL (logs.go), each in the wording its
// vendor or a published capture shows.
//
// It records observations only (an IKE SA row and its state, an IPsec SA
// with its SPIs, packet counters, an authentication failure, a refused
// proposal or a phase-1 timeout the device states, an SA established);
// the rules in package diagnose decide what they mean. A line that does
// not say which phase it is in records the phase-less event and leaves
// the phase to the lines around it. What it does not read is left to the
// "not read" answer: these are not full vendor readers.
package gateways

// Package labfiles writes what a lab hands to tunneldoc: its inventory,
// a known_hosts file pinning the lab's host keys (nothing is trusted on
// first use) and the lab's one credential file. The simulated lab
// (devices/lab) and the live lab (devices/lab/real) both write theirs
// with it; it imports only devices/sshx.
package labfiles

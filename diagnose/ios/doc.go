// Package ios reads Cisco IOS / IOS-XE show-command output (crypto isakmp,
// ikev2, ipsec sa, crypto session, crypto map, policies, transform sets,
// access lists, routes, CEF, ping) into the vendor-neutral facts model.
//
// It owns the Parsers table for these commands. Debug and log line
// signatures live in their own files (debug.go, logs.go) written by the
// engine's owner. Like every diagnosis package it is pure: it must not
// import net, os, os/exec, slack-go, x/crypto/ssh or go-redis, and it does
// no I/O. Package asa reuses the IPsec SA and IKEv2 SA readers exported
// here, because ASA prints those blocks in the same shape.
package ios

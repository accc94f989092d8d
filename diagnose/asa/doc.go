// Package asa reads Cisco ASA show-command output (crypto isakmp / ikev1 /
// ikev2 sa, crypto ipsec sa, vpn-sessiondb detail l2l) into the
// vendor-neutral facts model, and owns the ASA Parsers table. The IPsec SA
// and IKEv2 SA blocks are read by package ios's exported readers, since
// both platforms print them alike. Debug and log signatures live in their
// own files, written by the engine's owner.
//
// Pure like every diagnosis package: it must not import net, os, os/exec,
// slack-go, x/crypto/ssh or go-redis, and does no I/O.
package asa

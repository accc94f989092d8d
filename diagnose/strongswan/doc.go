// Package strongswan reads strongSwan output into the vendor-neutral facts
// model: `swanctl --list-sas` (IKE SAs and their CHILD_SAs with counters
// and traffic selectors) through the Parsers table, and charon log lines
// (filelog "09[IKE] ...", syslog "charon: 09[IKE] ...", journald
// "charon-systemd[812]: ...", and the "[IKE] ..." lines swanctl --initiate
// prints) through the LineParsers table. Correlate adds the meanings that
// need two lines (a PFS-only proposal difference, a DPD give-up, an IKEv1
// request against IKEv2-only config).
//
// The signatures were written from real charon 5.9 logs captured by
// lab/gen.sh (testdata/lab/) and checked against charon's own format
// strings. Like every diagnosis package it is pure: it must not import
// net, os, os/exec, slack-go, x/crypto/ssh or go-redis, and it does no I/O.
package strongswan

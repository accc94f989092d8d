// Package libreswan reads libreswan's pluto: its log lines as journald,
// syslog and its own log file print them, what `ipsec auto --up` / `ipsec
// up` echo (with or without whack's numeric "002 " prefixes), and the
// status commands `ipsec status`, `ipsec whack --status`, `ipsec
// showstates` and `ipsec trafficstatus`.
//
// The log table records observations only (a message sent, received or
// retransmitted in which exchange, a notify received, a proposal chosen or
// not, a state reached); package diagnose's rules decide what they mean.
// Each entry names the pluto source file its wording comes from
// (libreswan 4.10, with the 3.x wordings that differ).
package libreswan

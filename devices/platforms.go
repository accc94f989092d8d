package devices

import (
	"net/netip"
	"strings"
)

// Command is one read-only command to collect for a peer.
type Command struct {
	// Key names the command independent of its arguments; the lab stores
	// a scenario's answer to it in <key>.txt.
	Key string
	// Template is the command; {peer} becomes the peer address and
	// {remote} the network address of one remote subnet.
	Template string
	// PerRemote repeats the command for every remote subnet of the tunnel
	// (and skips it when the inventory lists none).
	PerRemote bool
	// Counters: the command prints the peer's IPsec SA packet counters;
	// a check reads it a second time to see whether they move.
	Counters bool
}

// Platform is how to drive one kind of device.
type Platform struct {
	Name string
	// Shell: the CLI needs an interactive PTY shell (Cisco); otherwise each
	// command runs in its own exec channel (Linux).
	Shell bool
	// PagingOff runs once after login (and after enable).
	PagingOff []string
	// CanEnable: the device has an enable mode that the entry may ask for.
	CanEnable bool
	// Commands collect one peer's evidence, in this order. Never debugs.
	Commands []Command
}

// platforms is the one table of device drivers.
var platforms = []Platform{
	{
		Name:      "ios",
		Shell:     true,
		PagingOff: []string{"terminal length 0"},
		CanEnable: true,
		Commands: []Command{
			{Key: "show-crypto-isakmp-sa", Template: "show crypto isakmp sa"},
			{Key: "show-crypto-ipsec-sa-peer", Template: "show crypto ipsec sa peer {peer}", Counters: true},
			{Key: "show-crypto-session-remote-detail", Template: "show crypto session remote {peer} detail"},
			{Key: "show-running-config-section-crypto", Template: "show running-config | section crypto"},
			// The applied state of what the config asks for: decides between
			// a transform-set and a selector mismatch when phase 2 fails.
			{Key: "show-crypto-ipsec-transform-set", Template: "show crypto ipsec transform-set"},
			{Key: "show-crypto-map", Template: "show crypto map"},
			{Key: "show-ip-route", Template: "show ip route {remote}", PerRemote: true},
			{Key: "show-logging-include-peer", Template: "show logging | include {peer}"},
		},
	},
	{
		Name:      "asa",
		Shell:     true,
		PagingOff: []string{"terminal pager 0"},
		CanEnable: true,
		Commands: []Command{
			{Key: "show-crypto-isakmp-sa", Template: "show crypto isakmp sa"},
			{Key: "show-crypto-ipsec-sa-peer", Template: "show crypto ipsec sa peer {peer}", Counters: true},
			{Key: "show-vpn-sessiondb-detail-l2l", Template: "show vpn-sessiondb detail l2l filter ipaddress {peer}"},
			{Key: "show-running-config-crypto", Template: "show running-config crypto"},
			{Key: "show-running-config-tunnel-group", Template: "show running-config tunnel-group {peer}"},
			{Key: "show-route", Template: "show route {remote}", PerRemote: true},
			{Key: "show-logging-include-peer", Template: "show logging | include {peer}"},
		},
	},
	{
		Name:  "strongswan",
		Shell: false,
		Commands: []Command{
			{Key: "swanctl-list-sas", Template: "swanctl --list-sas", Counters: true},
			{Key: "swanctl-list-conns", Template: "swanctl --list-conns"},
			// The charon log file when charon writes one, else the journal.
			// Kept: the peer's lines (charonPeerFilter). (journalctl prints "-- No entries --" and exits 0
			// on a host without journal entries, so its exit status cannot
			// choose the source.) The peer is a validated address, so
			// quoting it is enough.
			{Key: "charon-log", Template: `{ if [ -s /var/log/charon.log ]; then tail -n 5000 /var/log/charon.log; else journalctl --no-pager --since=-2h -t charon -t charon-systemd 2>/dev/null | tail -n 5000; fi; } | ` + charonPeerFilter + ` | tail -n 200`},
		},
	},
	{
		Name:  "libreswan",
		Shell: false,
		Commands: []Command{
			// pluto's connections, states and, after them, the byte
			// counters of every established IPsec SA (programs/pluto
			// show.c show_status, state.c show_traffic_status; 5.x
			// whack_status.c, whack_trafficstatus.c), kept to the peer's
			// connections: on a gateway with many tunnels the whole status
			// runs to megabytes. Two whack calls: a 5.3 pluto answers
			// only --status when one call asks for both. One output, so
			// the status's rows and the exact counters of trafficstatus
			// fall on the same SA (by its state serial) and the
			// connection line names the peer of a trafficstatus row whose
			// id is a name.
			{Key: "ipsec-whack-status", Template: "ipsec whack --status | { cat; ipsec whack --trafficstatus; } | awk -v p='{peer}' " + plutoPeerFilter, Counters: true},
			// pluto's log file where ipsec.conf's commented example
			// `logfile=` puts it (configs/ipsec.conf.in), else the
			// journal: without logfile= pluto logs to syslog as "pluto",
			// facility authpriv (programs/pluto/log.c), else the syslog
			// files authpriv goes to (Debian auth.log, Red Hat secure). Kept like the status: the lines naming the peer and
			// every line of the connections and states those lines name,
			// with the status's connection lines telling which
			// connections are the peer's (pluto's retransmit and timeout
			// lines name the state, "conn" #N:, and its IKEv1 lines never
			// the peer).
			{Key: "pluto-log", Template: `{ ipsec whack --status 2>/dev/null | grep -F '...' | sed 's/^/=peer-conn= /'; if [ -s /var/log/pluto.log ]; then tail -n 5000 /var/log/pluto.log; else j=$(journalctl --no-pager --since=-2h -t pluto 2>/dev/null | grep -v '^-- ' | tail -n 5000); if [ -n "$j" ]; then printf '%s\n' "$j"; else cat /var/log/auth.log /var/log/secure 2>/dev/null | grep -F ' pluto[' | tail -n 5000; fi; fi; } | awk -v p='{peer}' ` + plutoPeerFilter + ` | tail -n 200`},
		},
	},
}

// plutoPeerFilter is an awk program (p: the peer address) that keeps, of
// pluto's output, the lines naming the peer, every line of a connection
// ("conn" or the instance "conn"[N]) or state (#N:) such a line names,
// and every "failed to add connection:" line (a connection pluto refused
// to load is in no status to link it to its peer). A line names the peer
// when the address stands alone (10.0.0.1 is not named by 10.0.0.10).
// Lines marked "=peer-conn= " only tell which connections name the peer
// and are not printed: pluto's IKEv1 log lines never name the peer's
// address, so the log is read with the status's connection lines before
// it. When a connection names the peer, the status's first line ("using
// kernel interface:") is kept: the command line is too long for the
// diagnosis to read it as a command echo, and that line is how it knows
// pluto's status. The status's global state counts are left out: they
// are not the peer's.
const plutoPeerFilter = `'function named(s, i, j) { j = 0; while ((i = index(substr(s, j + 1), p)) > 0) { j += i; if ((j == 1 || substr(s, j - 1, 1) !~ /[0-9A-Za-z]/) && substr(s, j + length(p), 1) !~ /[0-9A-Za-z]/) return 1 } return 0 } function conn(s) { return match(s, /"[^"]*"(\[[0-9]+\])*/) ? substr(s, RSTART, RLENGTH) : "" } function serial(s) { return match(s, /#[0-9]+:/) ? substr(s, RSTART, RLENGTH - 1) : "" } { x[NR] = sub(/^=peer-conn= /, ""); l[NR] = $0; if (named($0)) { c = conn($0); if (c != "") { t[c] = 1; k = 1 } n = serial($0); if (n != "") u[n] = 1 } } END { for (i = 1; i <= NR; i++) { s = l[i]; c = conn(s); n = serial(s); if (!x[i] && (named(s) || (c != "" && (c in t)) || (n != "" && (n in u)) || s ~ /: failed to add connection: / || k && s ~ /using kernel interface: /)) print s } }'`

// PlatformByName returns the driver for name ("ios", "asa", "strongswan",
// "libreswan").
func PlatformByName(name string) (Platform, bool) {
	for _, p := range platforms {
		if p.Name == name {
			return p, true
		}
	}
	return Platform{}, false
}

// PlatformNames lists the supported platforms.
func PlatformNames() []string {
	var out []string
	for _, p := range platforms {
		out = append(out, p.Name)
	}
	return out
}

// Planned is one command expanded for a peer.
type Planned struct {
	Key     string
	Command string
}

// Plan expands the platform's commands for one peer and its remote subnets.
func (p Platform) Plan(peer netip.Addr, remotes []netip.Prefix) []Planned {
	var out []Planned
	for _, c := range p.Commands {
		cmd := expand(c.Template, peer.String())
		if !c.PerRemote {
			out = append(out, Planned{Key: c.Key, Command: cmd})
			continue
		}
		for _, r := range remotes {
			out = append(out, Planned{Key: c.Key, Command: strings.ReplaceAll(cmd, "{remote}", r.Masked().Addr().String())})
		}
	}
	return out
}

// expand puts the peer address into a command template.
func expand(template, peer string) string {
	return strings.ReplaceAll(template, "{peer}", peer)
}

// charonPeerFilter keeps the lines of a charon log that belong to the
// peer {peer} (the check's charon-log command and the scoped debug's
// window): the lines naming the peer and every line of the IKE_SAs those
// lines are tagged with (<conn|N>, or <N> before a connection is chosen:
// both are IKE_SA N): charon's retransmit, give-up and "peer not
// responding" lines name the IKE_SA, not the peer. Where charon logs no
// IKE_SA names (ike_name = no, its default), a worker thread ("10[IKE]")
// that names the peer is followed until it starts another peer's job
// (received/sending packet, initiating), with the up to 3 lines of it
// just before (a "retransmit" precedes its "sending packet").
const charonPeerFilter = `awk -v p='{peer}' 'function sa(s) { if (!match(s, /<([^|>]*[|])?[0-9]+>/)) return ""; s = substr(s, RSTART + 1, RLENGTH - 2); sub(/.*[|]/, "", s); return s } function th(s) { if (!match(s, /(^|[ :])[0-9]+\[[A-Z]+\] /)) return ""; s = substr(s, RSTART, RLENGTH); gsub(/[^0-9[]/, "", s); sub(/\[.*/, "", s); return s } function job(s) { return s ~ /received packet: from |initiating IKE_SA|is initiating a|sending packet: / } { l[NR] = $0; k = sa($0); if (k != "" && index($0, p)) t[k] = 1 } END { for (i = 1; i <= NR; i++) { s = l[i]; k = sa(s); h = th(s); if (k != "") { if (index(s, p) || (k in t)) print s; continue } if (index(s, p)) { if (h in w) printf "%s", w[h]; delete w[h]; n[h] = 0; on[h] = 1; print s; continue } if (h == "") continue; if (job(s)) { on[h] = 0; delete w[h]; n[h] = 0; continue } if (on[h]) { print s; continue } if (n[h] < 3) { w[h] = w[h] s "\n"; n[h]++ } } }'`

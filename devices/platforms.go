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
			// Kept: the lines naming the peer and every line of the IKE_SAs
			// those lines are tagged with (<conn|N>): charon's retransmit,
			// give-up and "peer not responding" lines name the IKE_SA, not
			// the peer. (journalctl prints "-- No entries --" and exits 0
			// on a host without journal entries, so its exit status cannot
			// choose the source.) The peer is a validated address, so
			// quoting it is enough.
			{Key: "charon-log", Template: `{ if [ -s /var/log/charon.log ]; then tail -n 5000 /var/log/charon.log; else journalctl --no-pager --since=-2h -t charon -t charon-systemd 2>/dev/null | tail -n 5000; fi; } | awk -v p='{peer}' '{ l[NR] = $0; if (index($0, p) && match($0, /<[^|>]*[|][0-9]+>/)) t[substr($0, RSTART, RLENGTH)] = 1 } END { for (i = 1; i <= NR; i++) { s = l[i]; k = ""; if (match(s, /<[^|>]*[|][0-9]+>/)) k = substr(s, RSTART, RLENGTH); if (index(s, p) || (k != "" && (k in t))) print s } }' | tail -n 200`},
		},
	},
}

// PlatformByName returns the driver for name ("ios", "asa", "strongswan").
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

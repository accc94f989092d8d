package gateways

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Vendor values, as the contract's "vendor" field prints them.
const (
	VendorJunos    facts.Vendor = "junos"
	VendorScreenOS facts.Vendor = "screenos"
	VendorYamaha   facts.Vendor = "yamaha"
	VendorPANOS    facts.Vendor = "panos"
	VendorAzure    facts.Vendor = "azure"
	VendorRacoon   facts.Vendor = "racoon"
	VendorFortiOS  facts.Vendor = "fortios"
	VendorPing     facts.Vendor = "" // a Linux-style ping: any vendor's shell
)

// Parsers is the show-output table, one entry per command.
var Parsers = []facts.Parser{
	{Name: "junos/show security ike security-associations", Vendor: VendorJunos,
		Command: regexp.MustCompile(`^show security ike (security-associations|sa)\b`), Header: junosIKEHeader, Parse: parseJunosIKE},
	{Name: "junos/show security ike active-peer", Vendor: VendorJunos,
		Command: regexp.MustCompile(`^show security ike active-peer\b`), Header: junosActivePeerHeader, Parse: parseJunosActivePeer},
	{Name: "junos/show security ipsec security-associations", Vendor: VendorJunos,
		Command: regexp.MustCompile(`^show security ipsec (security-associations|sa)\b`), Header: junosIPsecHeader, Parse: parseSPITable(VendorJunos)},
	{Name: "junos/show interfaces st0", Vendor: VendorJunos,
		Command: regexp.MustCompile(`^show interfaces st0`), Header: junosSt0Header, Parse: parseJunosSt0},
	{Name: "screenos/get sa", Vendor: VendorScreenOS,
		Command: regexp.MustCompile(`^get sa\b`), Header: screenOSSAHeader, Parse: parseSPITable(VendorScreenOS)},
	{Name: "yamaha/show ipsec sa gateway", Vendor: VendorYamaha,
		Command: regexp.MustCompile(`^show ipsec sa gateway\b`), Header: yamahaSAHeader, Parse: parseYamahaSA},
	{Name: "yamaha/show status tunnel", Vendor: VendorYamaha,
		Command: regexp.MustCompile(`^show status tunnel\b`), Header: yamahaTunnelHeader, Parse: parseYamahaTunnel},
	{Name: "panos/show vpn ike-sa", Vendor: VendorPANOS,
		Command: regexp.MustCompile(`^show vpn ike-sa\b`), Header: panosIKEHeader, Parse: parsePANOSIKE},
	{Name: "panos/show vpn ipsec-sa", Vendor: VendorPANOS,
		Command: regexp.MustCompile(`^show vpn ipsec-sa\b`), Header: panosIPsecHeader, Parse: parsePANOSIPsec},
	{Name: "azure/ConnectionStats", Vendor: VendorAzure,
		Header: azureStatsHeader, Parse: parseAzureStats},
	{Name: "fortios/diagnose debug flow trace", Vendor: VendorFortiOS,
		Header: fortiTraceHeader, Parse: parseFortiTrace},
	{Name: "ping", Vendor: VendorPing,
		Header: headerOf("PING ", " bytes of data."), Parse: parseLinuxPing},
}

// LineParsers read log lines: the Azure gateway's IKE logs (IKEErrors.txt,
// IKElogs.txt, the scrubbed Windows WFP trace), racoon's phase-1 lines,
// and the IKE failure and success lines of Junos kmd, the PAN-OS system
// log, FortiOS, RouterOS, Huawei VRP, ZyXEL, H3C/HPE Comware and the AWS
// Site-to-Site VPN tunnel log (logs.go).
var LineParsers = []facts.LineParser{
	{Name: "azure/ike logs", Vendor: VendorAzure, Prefix: isAzureLine, Signatures: azureSignatures},
	{Name: "racoon/log", Vendor: VendorRacoon, Prefix: isRacoonLine, Signatures: racoonSignatures},
	{Name: "junos/kmd", Vendor: VendorJunos, Prefix: isJunosKmdLine, Signatures: junosKmdSignatures},
	{Name: "panos/system log", Vendor: VendorPANOS, Prefix: isPANOSLine, Signatures: panosSignatures},
	{Name: "fortios/ike log", Vendor: VendorFortiOS, Prefix: isFortiIKELine, Signatures: fortiIKESignatures},
	{Name: "mikrotik/log", Vendor: VendorMikroTik, Prefix: isMikroTikLine, Signatures: mikrotikSignatures},
	{Name: "huawei/IPSECNEGOFAIL", Vendor: VendorHuawei, Prefix: isHuaweiLine, Signatures: huaweiSignatures},
	{Name: "zyxel/ike log", Vendor: VendorZyXEL, Prefix: isZyXELLine, Signatures: zyxelSignatures},
	{Name: "comware/ike debugging", Vendor: VendorComware, Prefix: isComwareLine, Signatures: comwareSignatures},
	{Name: "aws/tunnel log", Vendor: VendorAWS, Prefix: isAWSLine, Signatures: awsSignatures},
}

const ip = `(?P<peer>[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:]+)`

func re(s string) *regexp.Regexp { return regexp.MustCompile(strings.ReplaceAll(s, "{ip}", ip)) }

// azureSignatures: the Network Watcher files quote Windows IKEEXT errors
// by number and name; the exchange line before a notify sets its phase.
var azureSignatures = []facts.Signature{
	{ID: "azure/auth-fail", Anchor: "ERROR_IPSEC_IKE_AUTH_FAIL", Event: facts.EvAuthFailed},
	{ID: "azure/wfp-credentials-unacceptable", Anchor: "IKE authentication credentials are unacceptable", Re: re(`\|{ip}\|`), Event: facts.EvAuthFailed},
	{ID: "azure/received-auth", Anchor: "Received IKE AUTH message", Event: facts.EvContextP2},
	{ID: "azure/received-sa-init", Anchor: "Received IKE SA_INIT message", Event: facts.EvContextP1},
	{ID: "azure/policy-mismatch-notify", Anchor: "Sending Notify Message - Policy Mismatch", Event: facts.EvNoProposalNotify},
	{ID: "azure/no-response", Anchor: "ERROR_IPSEC_IKE_TIMED_OUT", Event: facts.EvP1GiveUp},
}

func isAzureLine(line string) bool {
	s := strings.TrimLeft(line, " \t")
	return strings.HasPrefix(s, "Remote ") && strings.Contains(s, " Local ") || strings.HasPrefix(s, "Ike") ||
		strings.Contains(s, "Windows error") || strings.HasPrefix(s, "Error: ") || strings.Contains(s, "[ikeext]")
}

// racoonSignatures: "isakmp_ph1resend(): phase1 negotiation failed due to
// time up. [... {ph1: LOCAL[500] <=> REMOTE[500], ...}]" (Alibaba Cloud's
// DiagnoseVpnConnections returns its gateway's line as is).
var racoonSignatures = []facts.Signature{
	{ID: "racoon/ph1-time-up", Anchor: "phase1 negotiation failed due to time up", Re: re(`<=> {ip}\[`), Event: facts.EvP1GiveUp},
	{ID: "racoon/ph2-time-up", Anchor: "phase2 negotiation failed due to time up", Event: facts.EvP2Retransmit},
}

func isRacoonLine(line string) bool {
	return strings.Contains(line, "isakmp_") || strings.Contains(line, "[PROTO_ERR]")
}

// ---- shared helpers ----

// headerOf: a line that starts with prefix and holds every word.
func headerOf(prefix string, words ...string) func(string) bool {
	return func(l string) bool {
		l = trim(l)
		if !strings.HasPrefix(l, prefix) {
			return false
		}
		for _, w := range words {
			if !strings.Contains(l, w) {
				return false
			}
		}
		return true
	}
}

// addIKE records one IKE SA row as the device printed its state.
func addIKE(f *facts.Facts, v facts.Vendor, peer, state string, r facts.Ref) {
	f.IKESAs = append(f.IKESAs, facts.IKESA{Vendor: v, Peer: peer, State: state, Ref: r})
	f.Saw(v)
}

func ref(sec *facts.Section, ln facts.Line) facts.Ref {
	return facts.Ref{Section: sec.Index, Line: ln.N}
}

func trim(s string) string { return strings.TrimSpace(s) }

// looksPeer: an address, or one a document masked ("162.XXX.XX.164").
func looksPeer(s string) bool {
	if strings.Count(s, ".") == 3 {
		return true
	}
	return strings.Count(s, ":") >= 2
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// number reads the first integer in s (-1 when there is none).
func number(s string) int64 {
	for _, w := range strings.Fields(s) {
		if n, err := strconv.ParseInt(strings.Trim(w, ",:"), 10, 64); err == nil {
			return n
		}
	}
	return -1
}

// saCount reads Yamaha's "i:2" / "s:1" / "r:1" (-1 when not that form).
func saCount(w string) int64 {
	_, n, ok := strings.Cut(w, ":")
	if !ok {
		return -1
	}
	return number(n)
}

// ---- Junos ----

// junosIKEHeader: both column orders ("Index Remote Address State ..." and
// "Index State Initiator cookie Responder cookie Mode Remote Address").
func junosIKEHeader(l string) bool {
	l = trim(l)
	return strings.HasPrefix(l, "Index") && strings.Contains(l, "State") && strings.Contains(l, "Remote Address") && strings.Contains(l, "cookie")
}

func parseJunosIKE(sec *facts.Section, f *facts.Facts) {
	peerLast := true
	for _, ln := range sec.Lines {
		t := trim(ln.Text)
		if junosIKEHeader(t) {
			peerLast = !strings.HasPrefix(strings.Join(strings.Fields(t)[:2], " "), "Index Remote")
			continue
		}
		fs := strings.Fields(t)
		if len(fs) < 5 || number(fs[0]) < 0 {
			continue
		}
		peer, state := fs[1], fs[2]
		if peerLast {
			peer, state = fs[len(fs)-1], fs[1]
		}
		if !looksPeer(peer) {
			continue
		}
		addIKE(f, VendorJunos, peer, state, ref(sec, ln))
	}
}

var junosActivePeerHeader = headerOf("Remote Address", "Peer IKE-ID")

// parseJunosActivePeer: a peer listed as active has an IKE SA up.
func parseJunosActivePeer(sec *facts.Section, f *facts.Facts) {
	for _, ln := range sec.Lines {
		fs := strings.Fields(ln.Text)
		if len(fs) < 2 || !looksPeer(fs[0]) {
			continue
		}
		addIKE(f, VendorJunos, fs[0], "UP", ref(sec, ln))
	}
}

var junosIPsecHeader = headerOf("Total active tunnels:")

var junosSt0Header = headerOf("Logical interface st0.")

// counterShape is a tunnel interface's status with packet counters: what
// left through the tunnel was encrypted, what came in was decrypted.
type counterShape struct {
	vendor   facts.Vendor
	open     func(string) bool   // the line that starts one interface
	name     func(string) string // its name, from that line
	in, out  string              // the counter lines' prefixes
	valueAft string              // the count follows this on its line
}

// parseJunosSt0 reads `show interfaces st0.N`: Input/Output packets.
var parseJunosSt0 = parseCounters(counterShape{vendor: VendorJunos, open: junosSt0Header,
	name: func(t string) string { return strings.Fields(t)[2] }, in: "Input packets", out: "Output packets", valueAft: ":"})

// parseYamahaTunnel reads `show status tunnel N`: "Received: (IPv4) N
// packets" and "Transmitted: (IPv4) N packets".
var parseYamahaTunnel = parseCounters(counterShape{vendor: VendorYamaha, open: yamahaTunnelHeader,
	name: func(t string) string { return strings.TrimSuffix(t, ":") }, in: "Received:", out: "Transmitted:", valueAft: "(IPv4)"})

func parseCounters(c counterShape) func(sec *facts.Section, f *facts.Facts) {
	return func(sec *facts.Section, f *facts.Facts) {
		var sa *facts.IPsecSA
		for _, ln := range sec.Lines {
			t := trim(ln.Text)
			i := strings.Index(t, c.valueAft)
			switch {
			case c.open(t):
				f.IPsecSAs = append(f.IPsecSAs, facts.IPsecSA{Vendor: c.vendor, Interface: c.name(t), Counters: facts.NoCounters(), Lines: map[string]int{}, Ref: ref(sec, ln)})
				sa = &f.IPsecSAs[len(f.IPsecSAs)-1]
				f.Saw(c.vendor)
			case sa == nil || i < 0:
			case strings.HasPrefix(t, c.in):
				sa.Counters.Decaps, sa.Lines["decaps"] = number(t[i+len(c.valueAft):]), ln.N
			case strings.HasPrefix(t, c.out):
				sa.Counters.Encaps, sa.Lines["encaps"] = number(t[i+len(c.valueAft):]), ln.N
			}
		}
	}
}

// ---- Junos and ScreenOS SA tables: "<ID ... SPI" inbound, ">ID" outbound ----

func screenOSSAHeader(l string) bool {
	l = trim(l)
	return strings.HasPrefix(l, "total configured sa:") || strings.HasPrefix(l, "HEX ID") && strings.Contains(l, "Gateway") && strings.Contains(l, "SPI")
}

// parseSPITable reads one IPsec SA per tunnel ID: the rows of an ID carry
// its inbound ('<') and outbound ('>') SPI and the gateway address.
// ScreenOS prints the direction after the hex ID ("00000002<"), Junos
// before the ID ("<131073"); the gateway column moved between releases.
func parseSPITable(v facts.Vendor) func(sec *facts.Section, f *facts.Facts) {
	return func(sec *facts.Section, f *facts.Facts) {
		byID := map[string]int{}
		for _, ln := range sec.Lines {
			fs := strings.Fields(ln.Text)
			if len(fs) < 4 {
				continue
			}
			id, dir := fs[0], byte(0)
			switch {
			case id[0] == '<' || id[0] == '>':
				dir, id = id[0], id[1:]
			case id[len(id)-1] == '<' || id[len(id)-1] == '>':
				dir, id = id[len(id)-1], id[:len(id)-1]
			}
			if dir == 0 || !isHex(id) {
				continue
			}
			peer, spi := "", ""
			for _, w := range fs[1:] {
				switch {
				case peer == "" && looksPeer(w) && !strings.Contains(w, "/"):
					peer = w
				case spi == "" && len(w) == 8 && isHex(w):
					spi = w
				}
			}
			if spi == "" {
				continue
			}
			i, ok := byID[id]
			if !ok {
				i = len(f.IPsecSAs)
				byID[id] = i
				f.IPsecSAs = append(f.IPsecSAs, facts.IPsecSA{Vendor: v, Peer: peer, Counters: facts.NoCounters(), Lines: map[string]int{}, Ref: ref(sec, ln)})
				f.Saw(v)
			}
			sa := &f.IPsecSAs[i]
			if sa.Peer == "" {
				sa.Peer = peer
			}
			if dir == '<' {
				sa.InboundSPIs = append(sa.InboundSPIs, spi)
			} else {
				sa.OutboundSPIs = append(sa.OutboundSPIs, spi)
				sa.Lines["outbound_spi"] = ln.N
			}
		}
	}
}

// ---- Yamaha RTX ----

func yamahaSAHeader(l string) bool {
	l = trim(l)
	return strings.HasPrefix(l, "sgw") && strings.Contains(l, "remote-id") || strings.HasPrefix(l, "SA[") && strings.Contains(l, "Duration:")
}

// parseYamahaSA reads `show ipsec sa gateway N` ("1 U K local remote
// i:2 s:1 r:1": IKE SAs, send and receive SAs) and its detail form
// (SA[n] blocks with Protocol: IKE or ESP and Direction: send/receive).
func parseYamahaSA(sec *facts.Section, f *facts.Facts) {
	var remote, proto, dir, spi string
	var start facts.Ref
	flush := func() {
		if remote == "" {
			return
		}
		switch {
		case proto == "IKE":
			f.IKESAs = append(f.IKESAs, facts.IKESA{Vendor: VendorYamaha, Peer: remote, State: "UP", Ref: start})
		case strings.HasPrefix(proto, "ESP"):
			sa := facts.IPsecSA{Vendor: VendorYamaha, Peer: remote, Counters: facts.NoCounters(), Ref: start}
			if dir == "send" {
				sa.OutboundSPIs = []string{spi}
			} else {
				sa.InboundSPIs = []string{spi}
			}
			f.IPsecSAs = append(f.IPsecSAs, sa)
		}
		f.Saw(VendorYamaha)
		remote, proto, dir, spi = "", "", "", ""
	}
	for _, ln := range sec.Lines {
		t := trim(ln.Text)
		fs := strings.Fields(t)
		switch {
		case strings.HasPrefix(t, "SA["):
			flush()
			start = ref(sec, ln)
		case strings.HasPrefix(t, "Remote ID:"):
			remote = trim(t[len("Remote ID:"):])
		case strings.HasPrefix(t, "Protocol:"):
			proto = trim(t[len("Protocol:"):])
		case strings.HasPrefix(t, "Direction:"):
			dir = trim(t[len("Direction:"):])
		case strings.HasPrefix(t, "SPI:"):
			spi = strings.Join(strings.Fields(t[len("SPI:"):]), "")
		case len(fs) >= 5 && number(fs[0]) >= 0 && strings.HasPrefix(fs[len(fs)-3], "i:"):
			// summary row: the remote id is the field before the counts
			peer := fs[len(fs)-4]
			r := ref(sec, ln)
			if saCount(fs[len(fs)-3]) > 0 {
				f.IKESAs = append(f.IKESAs, facts.IKESA{Vendor: VendorYamaha, Peer: peer, State: "UP", Ref: r})
			}
			sa := facts.IPsecSA{Vendor: VendorYamaha, Peer: peer, Counters: facts.NoCounters(), Ref: r}
			// no SPIs in this form: the SA counts stand for them
			if saCount(fs[len(fs)-2]) > 0 {
				sa.OutboundSPIs = []string{fs[len(fs)-2]}
			}
			if saCount(fs[len(fs)-1]) > 0 {
				sa.InboundSPIs = []string{fs[len(fs)-1]}
			}
			f.IPsecSAs = append(f.IPsecSAs, sa)
			f.Saw(VendorYamaha)
		}
	}
	flush()
}

func yamahaTunnelHeader(l string) bool {
	l = trim(l)
	return strings.HasPrefix(l, "TUNNEL[") && strings.HasSuffix(l, "]:")
}

// ---- PAN-OS ----

func panosIKEHeader(l string) bool {
	l = trim(l)
	return l == "IKEv2 SAs" || strings.HasPrefix(l, "There is no IKEv1 phase-1 SA found") ||
		strings.HasPrefix(l, "Gateway ID") && strings.Contains(l, "Peer-Address")
}

// parsePANOSIKE reads the IKE SA rows of `show vpn ike-sa gateway X`; the
// last column is the state (Established, truncated to the column width).
func parsePANOSIKE(sec *facts.Section, f *facts.Facts) {
	for _, ln := range sec.Lines {
		fs := strings.Fields(ln.Text)
		if len(fs) < 6 || number(fs[0]) < 0 || !looksPeer(fs[1]) {
			continue
		}
		state := fs[len(fs)-1]
		if strings.HasPrefix(state, "Establish") {
			state = "ESTABLISHED"
		}
		addIKE(f, VendorPANOS, fs[1], state, ref(sec, ln))
	}
}

var panosIPsecHeader = headerOf("GwID/client IP", "SPI(in)")

// parsePANOSIPsec reads `show vpn ipsec-sa tunnel X` rows: gateway id,
// tunnel id, peer, names, algorithm, SPI in, SPI out, lifetime.
func parsePANOSIPsec(sec *facts.Section, f *facts.Facts) {
	for _, ln := range sec.Lines {
		fs := strings.Fields(ln.Text)
		if len(fs) < 7 || number(fs[0]) < 0 || !looksPeer(fs[2]) {
			continue
		}
		var spis []string
		for _, w := range fs[3:] {
			if len(w) == 8 && isHex(w) {
				spis = append(spis, w)
			}
		}
		if len(spis) < 2 {
			continue
		}
		f.IPsecSAs = append(f.IPsecSAs, facts.IPsecSA{Vendor: VendorPANOS, Peer: fs[2], InboundSPIs: spis[:1], OutboundSPIs: spis[1:2], Counters: facts.NoCounters(), Ref: ref(sec, ln)})
		f.Saw(VendorPANOS)
	}
}

// ---- Azure VPN gateway (Network Watcher ConnectionStats.txt) ----

var azureStatsHeader = headerOf("Connectivity State :")

// parseAzureStats: "Connectivity State : Connected" is the gateway's word
// that the connection (IKE and IPsec) is up.
func parseAzureStats(sec *facts.Section, f *facts.Facts) {
	for _, ln := range sec.Lines {
		t := trim(ln.Text)
		if !azureStatsHeader(t) {
			continue
		}
		state := strings.ToUpper(trim(t[strings.IndexByte(t, ':')+1:]))
		if state == "CONNECTED" {
			state = "UP"
		}
		f.IKESAs = append(f.IKESAs, facts.IKESA{Vendor: VendorAzure, State: state, Ref: ref(sec, ln)})
		f.Saw(VendorAzure)
	}
}

// ---- FortiOS ----

// fortiTraceHeader: a `diagnose debug flow trace` line ("... id=20085
// trace_id=12 func=print_pkt_detail line=5844 msg=\"...\"").
func fortiTraceHeader(l string) bool {
	return strings.Contains(l, " trace_id=") && strings.Contains(l, " func=") && strings.Contains(l, " msg=")
}

// parseFortiTrace counts, per IPsec tunnel interface, the traced packets
// that came in through it ("received a packet(...) tun_id=GW from TUN":
// decrypted) and went out into it ("output to IPSec tunnel TUN":
// encrypted). The tun_id is the remote gateway.
func parseFortiTrace(sec *facts.Section, f *facts.Facts) {
	byTun := map[string]int{}
	tunnel := func(name string, ln facts.Line) *facts.IPsecSA {
		i, ok := byTun[name]
		if !ok {
			i = len(f.IPsecSAs)
			byTun[name] = i
			c := facts.NoCounters()
			c.Encaps, c.Decaps = 0, 0
			f.IPsecSAs = append(f.IPsecSAs, facts.IPsecSA{Vendor: VendorFortiOS, Interface: name, Counters: c, Lines: map[string]int{}, Ref: ref(sec, ln)})
			f.Saw(VendorFortiOS)
		}
		return &f.IPsecSAs[i]
	}
	for _, ln := range sec.Lines {
		t := ln.Text
		switch {
		case strings.Contains(t, "received a packet") && strings.Contains(t, "tun_id="):
			gw := firstWord(t[strings.Index(t, "tun_id=")+len("tun_id="):])
			_, from, ok := strings.Cut(t, ") tun_id="+gw+" from ")
			if !ok || gw == "0.0.0.0" {
				continue
			}
			sa := tunnel(strings.TrimSuffix(firstWord(from), "."), ln)
			if sa.Peer == "" {
				sa.Peer = gw
			}
			sa.Counters.Decaps++
			if _, ok := sa.Lines["decaps"]; !ok {
				sa.Lines["decaps"] = ln.N
			}
		case strings.Contains(t, "output to IPSec tunnel "):
			name := strings.TrimRight(firstWord(t[strings.Index(t, "output to IPSec tunnel ")+len("output to IPSec tunnel "):]), `".`)
			sa := tunnel(name, ln)
			sa.Counters.Encaps++
			if _, ok := sa.Lines["encaps"]; !ok {
				sa.Lines["encaps"] = ln.N
			}
		}
	}
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// ---- Linux-style ping (PAN-OS, FortiOS and Linux shells print it) ----

// parseLinuxPing reads "PING B (B) from A : 56(84) bytes of data." and
// "4 packets transmitted, 4 received, 0% packet loss".
func parseLinuxPing(sec *facts.Section, f *facts.Facts) {
	target := ""
	for _, ln := range sec.Lines {
		t := trim(ln.Text)
		if strings.HasPrefix(t, "PING ") {
			target = firstWord(t[len("PING "):])
			continue
		}
		sent, rest, ok := strings.Cut(t, " packets transmitted, ")
		if !ok {
			continue
		}
		n, got := number(sent), number(rest)
		if n <= 0 || got < 0 {
			continue
		}
		f.Pings = append(f.Pings, facts.Ping{Target: target, Percent: int(got * 100 / n), Sent: int(n), Ref: ref(sec, ln)})
	}
}

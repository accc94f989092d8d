package strongswan

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// KindListSAs is the section kind (and Facts.Empty key) of `swanctl --list-sas`.
const KindListSAs = "strongswan/swanctl --list-sas"

// Parsers read strongSwan show commands: swanctl --list-sas (vici
// deployments) and ipsec statusall / ipsec status (stroke deployments).
var Parsers = []facts.Parser{listSAsParser, statusParser}

var listSAsParser = facts.Parser{
	Name:    KindListSAs,
	Vendor:  facts.VendorStrongSwan,
	Command: regexp.MustCompile(`^(?:sudo\s+)?swanctl\s+(?:--list-sas|-l)\b`),
	Header:  isIKESALine,
	Parse:   parseListSAs,
	// list_sas.c prints nothing when charon has no SA (and an error on
	// stderr, which a paste or a check shows, when it cannot ask charon)
	Silent: true,
}

// The shapes swanctl (5.x, list_sas.c) prints, one per line:
//
//	lab: #1, ESTABLISHED, IKEv2, d9442245ed294932_i* 673fc0ebc8059c58_r
//	  local  'a.tunneldoc.test' @ 10.99.0.1[4500]
//	  remote 'b.tunneldoc.test' @ 10.99.0.2[4500]
//	  AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
//	  established 2s ago, rekeying in 13756s
//	  net: #1, reqid 1, INSTALLED, TUNNEL-in-UDP, ESP:AES_CBC-256/HMAC_SHA2_256_128
//	    installed 2s ago, rekeying in 3242s, expires in 3958s
//	    in  39f545f3,    252 bytes,     3 packets,     0s ago
//	    out 1c8b3df9,    252 bytes,     3 packets,     0s ago
//	    local  10.99.1.0/24
//	    remote 10.99.2.0/24
var (
	ikeSARe = regexp.MustCompile(`^(\S+): #(\d+), ([A-Z_]+), IKEv([12]), ([0-9a-f]{16})_i(\*?) ([0-9a-f]{16})_r(\*?)`)
	// Without SPIs (a CONNECTING SA before the response) swanctl still
	// prints both, as zeros; this looser form covers hand-trimmed pastes.
	ikeSALooseRe = regexp.MustCompile(`^(\S+): #(\d+), ([A-Z_]+), IKEv([12])\b`)
	endpointRe   = regexp.MustCompile(`^(local|remote)\s+'([^']*)' @ (\S+?)\[(\d+)\]`)
	childSARe    = regexp.MustCompile(`^(\S+): #(\d+), reqid (\d+), ([A-Z_]+), (\S+?),\s*(\S+)?`)
	childNoSARe  = regexp.MustCompile(`^(\S+): #(\d+), reqid (\d+), ([A-Z_]+), (\S+?)$`)
	trafficRe    = regexp.MustCompile(`^(in|out)\s+([0-9a-f]{8})\S*(?:\s+\([^)]*\))?,\s+(\d+) bytes,\s+(\d+) packets`)
	tsRe         = regexp.MustCompile(`^(local|remote)\s+(\S.*)$`)
	establishRe  = regexp.MustCompile(`^established \d+s ago(?:, (?:rekeying|reauth) in (\d+s))?`)
	ikeAlgoRe    = regexp.MustCompile(`^[A-Z][A-Z0-9_]+(?:-\d+)?/[A-Z0-9_/\-]+$`)
	dhRe         = regexp.MustCompile(`^(?:MODP|ECP|CURVE|NTRU|NEWHOPE|KE\d?)_`)
)

// isIKESALine opens a --list-sas paste that has no command echo.
func isIKESALine(line string) bool {
	return strings.Contains(line, ", IKEv") && ikeSALooseRe.MatchString(strings.TrimSpace(line))
}

// listState follows the nesting of one --list-sas output.
type listState struct {
	sec   *facts.Section
	f     *facts.Facts
	ikeI  int // index into f.IKESAs of the open IKE SA block, -1 when none
	child int // index into f.IPsecSAs of the open CHILD_SA block, -1 when none
	// peerPort is the open IKE SA's remote port (IKESA has no port field).
	peerPort int
}

func parseListSAs(sec *facts.Section, f *facts.Facts) {
	st := listState{sec: sec, f: f, ikeI: -1, child: -1}
	rows := 0
	for _, l := range sec.Lines {
		t := strings.TrimSpace(l.Text)
		if t == "" || strings.HasPrefix(t, "$") || strings.HasPrefix(t, "#") && !strings.Contains(t, ": #") {
			continue
		}
		indent := len(l.Text) - len(strings.TrimLeft(l.Text, " "))
		if indent == 0 {
			if st.ikeHeader(t, l) {
				rows++
			} else {
				st.ikeI, st.child = -1, -1
			}
			continue
		}
		if st.ikeI < 0 {
			continue
		}
		st.body(t, indent, l)
	}
	if rows == 0 && sec.Command != "" && !swanctlFailed(sec) {
		ref := facts.Ref{Section: sec.Index, Line: sec.First()}
		if len(sec.Lines) == 0 {
			ref.Line = sec.Echo // no output at all: the echo proves it
			f.Saw(facts.VendorStrongSwan)
		}
		f.MarkEmpty(KindListSAs, ref)
	}
}

func (st *listState) ikeHeader(t string, l facts.Line) bool {
	if !strings.Contains(t, ", IKEv") {
		return false // both forms hold it: no regexp run on other lines
	}
	sa := facts.IKESA{Vendor: facts.VendorStrongSwan, Ref: facts.Ref{Section: st.sec.Index, Line: l.N}}
	if m := ikeSARe.FindStringSubmatch(t); m != nil {
		sa.State = m[3]
		sa.ConnID, _ = strconv.Atoi(m[2])
		sa.Version = int(m[4][0] - '0')
		switch {
		case m[6] == "*":
			sa.Role = "initiator"
		case m[8] == "*":
			sa.Role = "responder"
		}
	} else if m := ikeSALooseRe.FindStringSubmatch(t); m != nil {
		sa.State = m[3]
		sa.ConnID, _ = strconv.Atoi(m[2])
		sa.Version = int(m[4][0] - '0')
	} else {
		return false
	}
	sa.Status = sa.State
	sa.Deleted = sa.State == "DELETING" || sa.State == "DESTROYING"
	st.f.IKESAs = append(st.f.IKESAs, sa)
	st.f.Saw(facts.VendorStrongSwan)
	st.ikeI = len(st.f.IKESAs) - 1
	st.child = -1
	st.peerPort = 0
	return true
}

func (st *listState) body(t string, indent int, l facts.Line) {
	ike := &st.f.IKESAs[st.ikeI]
	// CHILD_SA lines are indented deeper than the IKE SA's own lines
	// (4 vs 2 spaces); a new child header closes the previous child.
	if st.child >= 0 && indent > 2 {
		st.childBody(t, l)
		return
	}
	// Each regexp runs only on lines holding its literal part.
	if strings.Contains(t, ", reqid ") {
		if m := childSARe.FindStringSubmatch(t); m != nil {
			st.childHeader(ike, m[1], m[4], m[5], m[6], l)
			return
		}
		if m := childNoSARe.FindStringSubmatch(t); m != nil {
			st.childHeader(ike, m[1], m[4], m[5], "", l)
			return
		}
	}
	if localOrRemote(t) {
		if m := endpointRe.FindStringSubmatch(t); m != nil {
			if m[1] == "local" {
				ike.Local = m[3]
			} else {
				ike.Peer = m[3]
				st.peerPort, _ = strconv.Atoi(m[4])
			}
			return
		}
	}
	if strings.HasPrefix(t, "established ") {
		if m := establishRe.FindStringSubmatch(t); m != nil {
			ike.Lifetime = m[1]
			return
		}
	}
	if ike.Encr == "" && t[0] >= 'A' && t[0] <= 'Z' && strings.IndexByte(t, '/') > 0 && ikeAlgoRe.MatchString(t) {
		setIKEAlgorithms(ike, t)
	}
}

// setIKEAlgorithms reads an IKE proposal as charon prints it
// (AES_CBC-256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048): the
// encryption first, then the PRF, the DH group and the integrity.
func setIKEAlgorithms(ike *facts.IKESA, proposal string) {
	for i, p := range strings.Split(proposal, "/") {
		switch {
		case i == 0:
			ike.Encr = p
		case strings.HasPrefix(p, "PRF_"):
			ike.Auth = p
		case dhRe.MatchString(p):
			ike.DH = p
		case ike.Hash == "":
			ike.Hash = p
		}
	}
}

func (st *listState) childHeader(ike *facts.IKESA, name, state, mode, algos string, l facts.Line) {
	sa := facts.IPsecSA{
		Vendor:      facts.VendorStrongSwan,
		CryptoMap:   name,
		LocalAddr:   ike.Local,
		Peer:        ike.Peer,
		Counters:    facts.NoCounters(),
		LocalEndpt:  ike.Local,
		RemoteEndpt: ike.Peer,
		Lines:       map[string]int{"state": l.N},
		Ref:         facts.Ref{Section: st.sec.Index, Line: l.N},
	}
	if algos != "" {
		sa.Transforms = []string{strings.TrimSuffix(algos, ",")}
		sa.PFS = "N"
		for _, p := range strings.Split(algos, "/") {
			if dhRe.MatchString(p) {
				sa.PFS, sa.DHGroup = "Y", p
			}
		}
	}
	// facts.IPsecSA has no state field: the CHILD_SA state (INSTALLED,
	// ROUTED, REKEYED...) stays evidence on the header line, and HasSAs
	// tells installed SAs (SPI lines follow) from trap policies (none).
	_ = state
	if strings.HasPrefix(mode, "TUNNEL") || strings.HasPrefix(mode, "TRANSPORT") || strings.HasPrefix(mode, "BEET") {
		sa.Transforms = append(sa.Transforms, strings.ToLower(mode))
	}
	sa.PeerPort = st.peerPort
	st.f.IPsecSAs = append(st.f.IPsecSAs, sa)
	st.f.Saw(facts.VendorStrongSwan)
	st.child = len(st.f.IPsecSAs) - 1
}

func (st *listState) childBody(t string, l facts.Line) {
	sa := &st.f.IPsecSAs[st.child]
	if (strings.HasPrefix(t, "in") || strings.HasPrefix(t, "out")) && st.traffic(sa, t, l) {
		return
	}
	if !localOrRemote(t) {
		return
	}
	if m := tsRe.FindStringSubmatch(t); m != nil {
		if m[1] == "local" {
			sa.LocalIdent = m[2]
			sa.Lines["local_ident"] = l.N
		} else {
			sa.RemoteIdent = m[2]
			sa.Lines["remote_ident"] = l.N
		}
	}
}

// localOrRemote is the literal start endpointRe and tsRe need.
func localOrRemote(t string) bool {
	return strings.HasPrefix(t, "local") || strings.HasPrefix(t, "remote")
}

// traffic reads an "in/out SPI, N bytes, M packets" line of a CHILD_SA.
func (st *listState) traffic(sa *facts.IPsecSA, t string, l facts.Line) bool {
	m := trafficRe.FindStringSubmatch(t)
	if m == nil {
		return false
	}
	packets, err := strconv.ParseInt(m[4], 10, 64)
	if err != nil {
		packets = -1
	}
	if m[1] == "in" {
		sa.InboundSPIs = append(sa.InboundSPIs, m[2])
		sa.Counters.Decaps = packets
		sa.Lines["decaps"] = l.N
	} else {
		sa.OutboundSPIs = append(sa.OutboundSPIs, m[2])
		sa.CurrentOutboundSPI = "0x" + m[2]
		sa.Counters.Encaps = packets
		sa.Lines["encaps"] = l.N
	}
	return true
}

// swanctlFailed: the output is swanctl's complaint that it could not ask
// charon ("connecting to 'unix:///var/run/charon.vici' failed: ..."),
// not an empty SA table.
func swanctlFailed(sec *facts.Section) bool {
	for _, l := range sec.Lines {
		t := strings.ToLower(l.Text)
		if strings.Contains(t, "connecting to") || strings.Contains(t, "failed") || strings.Contains(t, "denied") || strings.Contains(t, "not found") || strings.Contains(t, "error") {
			return true
		}
	}
	return false
}

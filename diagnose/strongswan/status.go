package strongswan

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// KindIPsecStatus is the section kind (and Facts.Empty key) of `ipsec
// statusall` and `ipsec status`, the stroke (ipsec.conf) deployments'
// view of the SAs.
const KindIPsecStatus = "strongswan/ipsec status"

// statusParser reads `ipsec statusall` / `ipsec status`. The shapes are
// stroke_list.c's (src/libcharon/plugins/stroke/stroke_list.c, 5.9):
//
//	Security Associations (1 up, 0 connecting):
//	         lab[1]: ESTABLISHED 2 seconds ago, 10.99.0.1[a.tunneldoc.test]...10.99.0.2[b.tunneldoc.test]
//	         lab[1]: IKEv2 SPIs: e155ccecb512725e_i* e2b130fe0758af07_r, rekeying in 3 hours
//	         lab[1]: IKE proposal: AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048
//	         net{1}:  INSTALLED, TUNNEL, reqid 1, ESP in UDP SPIs: 55ec4121_i bd3712e2_o
//	         net{1}:  AES_CBC_256/HMAC_SHA2_256_128, 252 bytes_i (3 pkts, 0s ago), 252 bytes_o (3 pkts, 0s ago), rekeying in 54 minutes
//	         net{1}:   10.99.1.0/24 === 10.99.2.0/24
//
// A CHILD_SA is listed right after the IKE SA it belongs to. With no SA
// the list is "Security Associations (0 up, 0 connecting):" and "none".
var statusParser = facts.Parser{
	Name:    KindIPsecStatus,
	Vendor:  facts.VendorStrongSwan,
	Command: regexp.MustCompile(`^(?:sudo\s+)?(?:ipsec|strongswan)\s+status(?:all)?\b`),
	Header: func(line string) bool {
		return strings.HasPrefix(line, "Security Associations (") || strings.HasPrefix(line, "Status of IKE charon daemon (")
	},
	Parse: parseStatus,
}

var (
	statusIKERe    = regexp.MustCompile(`^(\S+)\[(\d+)\]: ([A-Z_]+)(?: [^,]*)?, (\S*?)\.\.\.(\S+?)\[`)
	statusSPIsRe   = regexp.MustCompile(`^(\S+)\[(\d+)\]: IKEv([12]) SPIs: [0-9a-f]{16}_i(\*?) [0-9a-f]{16}_r(\*?)`)
	statusPropRe   = regexp.MustCompile(`^(\S+)\[(\d+)\]: IKE proposal: (\S+)`)
	statusChildRe  = regexp.MustCompile(`^(\S+)\{(\d+)\}:\s+([A-Z_]+), ([A-Z_]+), reqid \d+(?:, (?:ESP|AH)(?: in UDP)? SPIs: ([0-9a-f]{8})_i ([0-9a-f]{8})_o)?`)
	statusTrafRe   = regexp.MustCompile(`^(\S+)\{(\d+)\}:\s+(\S+), (\d+) bytes_i(?: \((\d+) pkts?,[^)]*\))?, (\d+) bytes_o(?: \((\d+) pkts?,[^)]*\))?`)
	statusTSRe     = regexp.MustCompile(`^(\S+)\{(\d+)\}:\s+(\S.*?) === (\S.*)$`)
	statusHeaderRe = regexp.MustCompile(`^Security Associations \((\d+) up, (\d+) connecting\):`)
)

// statusState follows one status output: the open IKE SA and CHILD_SA.
type statusState struct {
	sec      *facts.Section
	f        *facts.Facts
	ike      int // index into f.IKESAs, -1 when none
	child    int // index into f.IPsecSAs, -1 when none
	header   facts.Ref
	inSAs    bool // below "Security Associations"
	rows     int
	sawNone  bool
	sawTitle bool
}

func parseStatus(sec *facts.Section, f *facts.Facts) {
	st := statusState{sec: sec, f: f, ike: -1, child: -1}
	for _, l := range sec.Lines {
		t := strings.TrimSpace(l.Text)
		if t == "" {
			continue
		}
		ref := facts.Ref{Section: sec.Index, Line: l.N}
		if statusHeaderRe.MatchString(t) {
			st.inSAs, st.sawTitle, st.header = true, true, ref
			continue
		}
		if !st.inSAs {
			continue // the daemon status and the Connections part: configuration
		}
		if t == "none" {
			st.sawNone = true
			continue
		}
		switch {
		case strings.Contains(t, "]: "):
			st.ikeLine(t, ref)
		case strings.Contains(t, "}: "):
			st.childLine(t, ref)
		}
	}
	if st.sawTitle && st.rows == 0 {
		f.MarkEmpty(KindIPsecStatus, st.header)
	}
}

func (st *statusState) ikeLine(t string, ref facts.Ref) {
	if m := statusIKERe.FindStringSubmatch(t); m != nil && !strings.Contains(t, "]: IKE") {
		id, _ := strconv.Atoi(m[2])
		local := m[4] // "10.99.0.1[a.tunneldoc.test]": the address before the identity
		if i := strings.IndexByte(local, '['); i >= 0 {
			local = local[:i]
		}
		sa := facts.IKESA{Vendor: facts.VendorStrongSwan, State: m[3], Status: m[3], ConnID: id, Local: local, Peer: m[5], Ref: ref}
		sa.Deleted = sa.State == "DELETING" || sa.State == "DESTROYING"
		if sa.Peer == "%any" || sa.Peer == "%any6" {
			sa.Peer = ""
		}
		st.f.IKESAs = append(st.f.IKESAs, sa)
		st.f.Saw(facts.VendorStrongSwan)
		st.ike, st.child = len(st.f.IKESAs)-1, -1
		st.rows++
		return
	}
	if st.ike < 0 {
		return
	}
	ike := &st.f.IKESAs[st.ike]
	if m := statusSPIsRe.FindStringSubmatch(t); m != nil {
		ike.Version = int(m[3][0] - '0')
		switch {
		case m[4] == "*":
			ike.Role = "initiator"
		case m[5] == "*":
			ike.Role = "responder"
		}
		return
	}
	if m := statusPropRe.FindStringSubmatch(t); m != nil {
		setIKEAlgorithms(ike, m[3])
	}
}

func (st *statusState) childLine(t string, ref facts.Ref) {
	if m := statusChildRe.FindStringSubmatch(t); m != nil {
		sa := facts.IPsecSA{Vendor: facts.VendorStrongSwan, CryptoMap: m[1], Counters: facts.NoCounters(),
			Lines: map[string]int{"state": ref.Line}, Ref: ref}
		if st.ike >= 0 {
			ike := &st.f.IKESAs[st.ike]
			sa.LocalAddr, sa.Peer, sa.LocalEndpt, sa.RemoteEndpt = ike.Local, ike.Peer, ike.Local, ike.Peer
		}
		sa.Transforms = []string{strings.ToLower(m[4])}
		if m[5] != "" {
			sa.InboundSPIs = []string{m[5]}
			sa.OutboundSPIs = []string{m[6]}
			sa.CurrentOutboundSPI = "0x" + m[6]
			sa.Lines["outbound_spi"] = ref.Line
		}
		st.f.IPsecSAs = append(st.f.IPsecSAs, sa)
		st.f.Saw(facts.VendorStrongSwan)
		st.child = len(st.f.IPsecSAs) - 1
		return
	}
	if st.child < 0 {
		return
	}
	sa := &st.f.IPsecSAs[st.child]
	if m := statusTrafRe.FindStringSubmatch(t); m != nil {
		sa.Transforms = append([]string{m[3]}, sa.Transforms...)
		sa.PFS = "N"
		for _, p := range strings.Split(m[3], "/") {
			if dhRe.MatchString(p) {
				sa.PFS, sa.DHGroup = "Y", p
			}
		}
		sa.Counters.Decaps = packetsOf(m[4], m[5])
		sa.Counters.Encaps = packetsOf(m[6], m[7])
		sa.Lines["decaps"], sa.Lines["encaps"] = ref.Line, ref.Line
		return
	}
	if m := statusTSRe.FindStringSubmatch(t); m != nil {
		sa.LocalIdent, sa.RemoteIdent = m[3], m[4]
		sa.Lines["local_ident"], sa.Lines["remote_ident"] = ref.Line, ref.Line
	}
}

// packetsOf: stroke prints "(N pkts, ...)" only when the SA was used; 0
// bytes with no count is 0 packets.
func packetsOf(bytes, packets string) int64 {
	if packets != "" {
		n, err := strconv.ParseInt(packets, 10, 64)
		if err == nil {
			return n
		}
		return -1
	}
	if bytes == "0" {
		return 0
	}
	return -1
}

package ios

import (
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// ikeLine is one "IKE SA:" / "IKEv1 SA:" / "IKEv2 SA:" line of a session.
type ikeLine struct {
	state, caps string
}

// parseCryptoSession reads `show crypto session [detail] [remote X]
// [local X] [interface X]`. A session opens at "Interface:" (or at a
// second "Peer:" under the same interface); IKEState is "Active" when any
// IKE SA line says so, else the first line's state; IKECaps comes from the
// Capabilities line under the chosen IKE SA.
func parseCryptoSession(sec *facts.Section, f *facts.Facts) {
	var out []facts.Session
	var cur *facts.Session
	var ikes []ikeLine
	var flow *facts.Flow
	iface := ""
	sawHeading := false
	var headRef facts.Ref
	finish := func() {
		if cur == nil {
			return
		}
		if flow != nil {
			cur.Flows = append(cur.Flows, *flow)
			flow = nil
		}
		chosen := -1
		for i, k := range ikes {
			if strings.EqualFold(k.state, "active") {
				chosen = i
				break
			}
		}
		if chosen < 0 && len(ikes) > 0 {
			chosen = 0
		}
		if chosen >= 0 {
			cur.IKEState = ikes[chosen].state
			cur.IKECaps = ikes[chosen].caps
		}
		out = append(out, *cur)
		cur, ikes = nil, nil
	}
	open := func(n int) *facts.Session {
		if cur == nil {
			cur = &facts.Session{Vendor: facts.VendorIOS, Interface: iface, Ref: facts.Ref{Section: sec.Index, Line: n}}
		}
		return cur
	}
	for _, ln := range sec.Lines {
		t := trimHeading(ln.Text)
		if t == "" {
			continue
		}
		ref := facts.Ref{Section: sec.Index, Line: ln.N}
		switch {
		case hasPrefixFold(t, "crypto session current status"):
			sawHeading, headRef = true, ref
		case hasPrefixFold(t, "interface:"):
			finish()
			iface = strings.TrimSpace(t[len("interface:"):])
			open(ln.N)
		case hasPrefixFold(t, "session status:"):
			if cur != nil && cur.Peer != "" && cur.Status != "" {
				// a filtered output (`| include Peer|status`) has no
				// "Interface:" between sessions: a second status opens one
				finish()
			}
			s := open(ln.N)
			s.Status = strings.TrimSpace(t[len("session status:"):])
		case hasPrefixFold(t, "peer:"):
			if cur != nil && cur.Peer != "" {
				st := cur.Status
				finish()
				open(ln.N).Status = st
			}
			s := open(ln.N)
			fs := strings.Fields(t[len("peer:"):])
			if len(fs) > 0 {
				s.Peer = fs[0]
			}
			for j := 0; j+1 < len(fs); j++ {
				if strings.EqualFold(fs[j], "port") {
					s.Port, _ = atoi(fs[j+1])
				}
			}
			if s.Ref.Line == 0 || s.Interface == "" {
				s.Ref = ref
			}
		case hasPrefixFold(t, "ike sa:") || hasPrefixFold(t, "ikev1 sa:") || hasPrefixFold(t, "ikev2 sa:"):
			open(ln.N)
			fs := strings.Fields(t)
			state := ""
			if len(fs) > 0 {
				state = fs[len(fs)-1]
			}
			ikes = append(ikes, ikeLine{state: state})
		case hasPrefixFold(t, "remote ") && len(ikes) > 0 && looksAddr(ikes[len(ikes)-1].state):
			// IKE SA line wrapped before "remote A/port State".
			fs := strings.Fields(t)
			ikes[len(ikes)-1].state = fs[len(fs)-1]
		case hasPrefixFold(t, "capabilities:"):
			if len(ikes) > 0 {
				v := strings.TrimSpace(t[len("capabilities:"):])
				ikes[len(ikes)-1].caps = firstField(v)
			}
		case hasPrefixFold(t, "ipsec flow:"):
			s := open(ln.N)
			if flow != nil {
				s.Flows = append(s.Flows, *flow)
			}
			flow = &facts.Flow{
				Flow:          strings.TrimSpace(t[len("ipsec flow:"):]),
				PktsDecrypted: -1, PktsEncrypted: -1, InDrop: -1, OutDrop: -1,
				Ref: ref,
			}
		case hasPrefixFold(t, "active sas:"):
			if flow != nil {
				v := strings.TrimSpace(t[len("active sas:"):])
				flow.ActiveSAs, _ = atoi(strings.TrimRight(firstField(v), ","))
			}
		case hasPrefixFold(t, "inbound:"):
			if flow != nil {
				flow.PktsDecrypted, flow.InDrop = flowCounters(lowerASCII(t))
			}
		case hasPrefixFold(t, "outbound:"):
			if flow != nil {
				flow.PktsEncrypted, flow.OutDrop = flowCounters(lowerASCII(t))
			}
		}
	}
	finish()
	for i := range out {
		f.Sessions = append(f.Sessions, out[i])
		f.Saw(facts.VendorIOS)
	}
	if len(out) == 0 && sawHeading {
		f.MarkEmpty(NameCryptoSession, headRef)
	}
}

// flowCounters reads "#pkts dec'ed 9949 drop 60 life (KB/Sec) 4483560/1690".
func flowCounters(low string) (pkts, drop int64) {
	pkts, drop = -1, -1
	fs := strings.Fields(low)
	for i := 0; i+1 < len(fs); i++ {
		switch {
		case strings.HasSuffix(fs[i], "'ed") || fs[i] == "dec'ed" || fs[i] == "enc'ed":
			pkts = atoi64(fs[i+1])
		case fs[i] == "drop":
			drop = atoi64(fs[i+1])
		}
	}
	return pkts, drop
}

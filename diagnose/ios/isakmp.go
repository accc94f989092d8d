package ios

import (
	"slices"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// isakmpRow is one row of the plain table before Local/Peer are decided.
type isakmpRow struct {
	sa       facts.IKESA
	dst, src string
}

// rowEnds are the dst and src of a plain-table row ("" for detail rows),
// kept beside the row appended to Facts.IKESAs until Local/Peer are decided.
type rowEnds struct{ dst, src string }

// ParseIsakmpSA reads `show crypto isakmp sa [detail|active|standby]`.
//
// The plain table prints dst/src of the SA, not local/peer: dst is the
// responder. Which one is us is decided by, in order: an address this
// paste already showed as local (ipsec sa local addr / crypto endpt, ikev2
// Local, isakmp detail Local); an address that
// is on every row of a table with two or more different other ends (a hub);
// else dst is taken as the peer and src as local (we initiated).
// FixIKEDirection repeats the first test once every section is read.
//
// It is exported so that the ASA table entry for the same command can hand
// it IOS-shaped text.
func ParseIsakmpSA(sec *facts.Section, f *facts.Facts) {
	// Rows go straight to f.IKESAs (a long table was copied three times on
	// its way there); a parser bug on hostile input still drops them all.
	start := len(f.IKESAs)
	defer func() {
		if r := recover(); r != nil {
			f.IKESAs = f.IKESAs[:start]
			panic(r)
		}
	}()
	var local map[string]bool // addresses earlier sections showed as ours
	var ends []rowEnds
	add := func(r isakmpRow) {
		if local == nil {
			local = localAddrsSoFar(f) // before this section's rows are in f
		}
		if n := len(f.IKESAs) - start; n >= 256 && len(f.IKESAs) == cap(f.IKESAs) {
			// double this section's share: append grows a long slice by
			// a quarter at a time, copying a long table many times over
			f.IKESAs = slices.Grow(f.IKESAs, n)
		}
		f.IKESAs = append(f.IKESAs, r.sa)
		ends = append(ends, rowEnds{r.dst, r.src})
	}
	af := ""
	var fl []string // the line's fields, one buffer for the section
	sawTable := false
	var tableRef facts.Ref
	for _, ln := range sec.Lines {
		t := trimHeading(ln.Text)
		if t == "" {
			continue
		}
		ref := facts.Ref{Section: sec.Index, Line: ln.N}
		switch {
		case hasPrefixFold(t, "IPv4 Crypto ISAKMP SA"):
			af, sawTable = "IPv4", true
			if tableRef.Line == 0 {
				tableRef = ref
			}
			continue
		case hasPrefixFold(t, "IPv6 Crypto ISAKMP SA"):
			af, sawTable = "IPv6", true
			if tableRef.Line == 0 {
				tableRef = ref
			}
			continue
		case hasPrefixFold(t, "dst ") && indexFold(t, "state") > 0:
			sawTable = true
			if tableRef.Line == 0 {
				tableRef = ref
			}
			continue
		case hasPrefixFold(t, "C-id"):
			sawTable = true
			if tableRef.Line == 0 {
				tableRef = ref
			}
			continue
		case hasPrefixFold(t, "Engine-id"):
			continue
		}
		fl = appendFields(fl[:0], t)
		if len(fl) < 3 {
			continue
		}
		// Detail rows start with the conn id, plain rows with an address.
		if isDigits(fl[0]) && len(fl) >= 4 {
			if sa, ok := detailRow(fl, af); ok {
				sa.Ref = ref
				add(isakmpRow{sa: sa})
				continue
			}
		}
		if looksAddr(fl[0]) && looksAddr(fl[1]) && isStateToken(fl[2]) {
			r := plainRow(fl, af)
			r.sa.Ref = ref
			add(r)
		}
	}
	rows := f.IKESAs[start:]
	if len(rows) == 0 {
		if sawTable {
			f.MarkEmpty(NameIsakmpSA, tableRef)
		}
		return
	}
	hubs := map[string]string{}
	for i := range rows {
		if af := rows[i].AF; i == 0 || af != rows[i-1].AF {
			if _, done := hubs[af]; !done {
				hubs[af] = hubAddr(rows, ends, af)
			}
		}
	}
	for i := range rows {
		sa, e := &rows[i], ends[i]
		hub := hubs[sa.AF]
		if e.dst != "" || e.src != "" {
			switch {
			case local[e.dst]:
				sa.Local, sa.Peer = e.dst, e.src
			case local[e.src]:
				sa.Local, sa.Peer = e.src, e.dst
			case hub != "" && e.dst == hub:
				sa.Local, sa.Peer = e.dst, e.src
			case hub != "" && e.src == hub:
				sa.Local, sa.Peer = e.src, e.dst
			default:
				sa.Local, sa.Peer = e.src, e.dst
			}
		}
		f.Saw(facts.VendorIOS)
	}
}

// isStateToken reports an IKEv1 state name (MM_NO_STATE, QM_IDLE, AG_INIT_EXCH...).
func isStateToken(s string) bool {
	if len(s) < 4 || strings.IndexByte(s, '_') < 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// plainRow reads "dst src state [conn-id] [slot] [status...]".
func plainRow(fl []string, af string) isakmpRow {
	sa := facts.IKESA{Vendor: facts.VendorIOS, Version: 1, AF: af, State: fl[2]}
	rest := fl[3:]
	nums := 0
	for len(rest) > 0 && isDigits(rest[0]) && nums < 2 {
		if nums == 0 {
			sa.ConnID, _ = atoi(rest[0])
		}
		nums++
		rest = rest[1:]
	}
	status := strings.Join(rest, " ")
	sa.Status = status
	if containsFold(status, "deleted") {
		sa.Deleted = true
	}
	return isakmpRow{sa: sa, dst: fl[0], src: fl[1]}
}

// capLetters reports a Cap. column value such as D, DN, CX.
func capLetters(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("CDKNXFTRU", s[i]) < 0 {
			return false
		}
	}
	return true
}

// isStatusWord reports an SA status column value.
func isStatusWord(s string) bool {
	switch strings.ToUpper(s) {
	case "ACTIVE", "STDBY", "STANDBY", "INACTIVE", "DELETED", "(DELETED)", "ACTIVE(DELETED)":
		return true
	}
	return false
}

// detailRow reads a `show crypto isakmp sa detail` row. Columns are
// classified by shape, not position: I-VRF and Cap. may be blank, and
// older IOS (and chat pastes) move Lifetime next to Local.
func detailRow(fl []string, af string) (facts.IKESA, bool) {
	sa := facts.IKESA{Vendor: facts.VendorIOS, Version: 1, AF: af}
	id, ok := atoi(fl[0])
	if !ok {
		return sa, false
	}
	sa.ConnID = id
	var addrs []string
	statusAt := -1
	for i := 1; i < len(fl); i++ {
		tok := fl[i]
		switch {
		case isStatusWord(tok):
			statusAt = i
		case isTime(tok):
			sa.Lifetime = tok
			continue
		case looksAddr(tok) && len(addrs) < 2:
			addrs = append(addrs, tok)
			continue
		}
		if statusAt >= 0 {
			break
		}
	}
	if len(addrs) < 2 || statusAt < 0 {
		return sa, false
	}
	sa.Local, sa.Peer = addrs[0], addrs[1]
	sa.Status = fl[statusAt]
	var algs []string
	for _, tok := range fl[statusAt+1:] {
		switch {
		case strings.EqualFold(tok, "(deleted)"):
			sa.Deleted = true
			sa.Status += " (deleted)"
		case isTime(tok):
			sa.Lifetime = tok
		case len(algs) >= 4 && capLetters(tok):
			sa.DPD = strings.IndexByte(tok, 'D') >= 0
		default:
			algs = append(algs, tok)
		}
	}
	for i, v := range algs {
		switch i {
		case 0:
			sa.Encr = v
		case 1:
			sa.Hash = v
		case 2:
			sa.Auth = v
		case 3:
			sa.DH = v
		}
	}
	return sa, true
}

// hubAddr returns the address on every row of address family af when
// those rows have at least two different other ends: the local address of
// a hub with several peers.
func hubAddr(sas []facts.IKESA, ends []rowEnds, af string) string {
	count := make(map[string]int, len(ends)+1)
	n := 0
	for i, r := range ends {
		if r.dst == "" || sas[i].AF != af {
			continue
		}
		n++
		count[r.dst]++
		if r.src != r.dst {
			count[r.src]++
		}
	}
	if n < 2 {
		return ""
	}
	hub := ""
	for a, c := range count {
		if c == n {
			if hub != "" {
				return "" // both ends on every row: one pair, no hub
			}
			hub = a
		}
	}
	if hub == "" {
		return ""
	}
	others := make(map[string]bool, len(ends))
	for i, r := range ends {
		if sas[i].AF != af {
			continue
		}
		if r.dst == hub {
			others[r.src] = true
		} else if r.src == hub {
			others[r.dst] = true
		}
	}
	if len(others) < 2 {
		return ""
	}
	return hub
}

// localAddrs collects the addresses earlier sections showed as ours.
func localAddrs(f *facts.Facts) map[string]bool {
	var l localMemo
	l.update(f)
	return l.set
}

// localMemo is localAddrs kept up to date section after section: each
// call reads only the facts added since the last one (reading them all for
// every isakmp table made long pastes quadratic).
type localMemo struct {
	nIPsec, nIKE int
	set          map[string]bool
}

func (l *localMemo) update(f *facts.Facts) {
	if l.set == nil {
		l.set = map[string]bool{}
	}
	add := func(s string) {
		s, _ = splitHostPort(s)
		if s != "" {
			l.set[s] = true
		}
	}
	for i := l.nIPsec; i < len(f.IPsecSAs); i++ {
		add(f.IPsecSAs[i].LocalAddr)
		add(f.IPsecSAs[i].LocalEndpt)
	}
	for i := l.nIKE; i < len(f.IKESAs); i++ {
		sa := &f.IKESAs[i]
		if sa.Version == 2 || sa.Lifetime != "" || sa.Encr != "" {
			// ikev2 and isakmp detail tables print Local/Remote, not dst/src.
			add(sa.Local)
		}
	}
	l.nIPsec, l.nIKE = len(f.IPsecSAs), len(f.IKESAs)
}

// localAddrsSoFar is localAddrs while sections are still being parsed:
// facts are only appended then, so the memo in f stays true.
func localAddrsSoFar(f *facts.Facts) map[string]bool {
	l, _ := f.Memo["ios.localAddrs"].(*localMemo)
	if l == nil || l.nIPsec > len(f.IPsecSAs) || l.nIKE > len(f.IKESAs) {
		l = &localMemo{}
		if f.Memo == nil {
			f.Memo = map[string]any{}
		}
		f.Memo["ios.localAddrs"] = l
	}
	l.update(f)
	return l.set
}

// FixIKEDirection swaps Local and Peer of IOS IKEv1 SAs read from the plain
// dst/src table when the peer turns out to be an address that another
// section (read after it) showed as local. The engine calls it once after
// every section is parsed.
func FixIKEDirection(f *facts.Facts) {
	local := localAddrs(f)
	for i := range f.IKESAs {
		sa := &f.IKESAs[i]
		if sa.Vendor != facts.VendorIOS || sa.Version != 1 || sa.Encr != "" {
			continue
		}
		if local[sa.Peer] && !local[sa.Local] {
			sa.Local, sa.Peer = sa.Peer, sa.Local
		}
	}
}

package compare

import (
	"net/netip"
	"slices"

	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// secret holds a pre-shared key. It prints as the redaction mask so that
// no format verb, log call or JSON encoder can show it by accident.
type secret struct{ v string }

func (secret) String() string                 { return redact.Mask }
func (secret) GoString() string               { return redact.Mask }
func (secret) MarshalJSON() ([]byte, error)   { return []byte(`"` + redact.Mask + `"`), nil }
func (s secret) MarshalText() ([]byte, error) { return []byte(redact.Mask), nil }

// device is one side's crypto configuration, vendor-neutral.
type device struct {
	side   string // "A" or "B"
	label  string // file name or what the caller called it
	vendor string // "ios", "asa", "strongswan"
	// legacy: an ipsec.conf (strongSwan's starter or libreswan), not swanctl.conf
	legacy bool
	// daemon: "strongSwan" or "libreswan" for an ipsec.conf, whose defaults differ
	daemon   string
	hostname string
	lines    []string // as given, 1-based via line(n)

	// outside holds the addresses this side's IKE runs from, with the line
	// that says so.
	outside      []addrRef
	outsideGiven bool // the caller said which address it is
	// ifaceAddrs holds every interface address, for telling which of the
	// other side's peers points at this box.
	ifaceAddrs []addrRef
	// hasInterfaces: the text held interface definitions, so an absent
	// "crypto map" under an interface is a finding and not a partial paste.
	hasInterfaces bool

	ike  map[int][]proposal // global IKE proposals by version (IOS, ASA)
	keys []pskEntry

	tunnels []*tunnel
	nat     []natRule
	routes  []route

	// ikeEnable: version -> interface name -> line ("crypto ikev1 enable outside").
	ikeEnable map[int]map[string]int
	// ikeDisabled: line of "no crypto isakmp enable" (IOS), 0 when absent.
	ikeDisabled int

	// notes are things the comparison could not check, for the summary.
	notes []string
	// secrets lists every key read, to scrub any output that might hold one.
	secrets []string
}

type addrRef struct {
	addr netip.Addr
	line int
	name string // interface name, when known
}

// proposal is one IKE policy/proposal or one transform set / ESP proposal:
// the sets of algorithms it accepts. IKEv1 policies hold one of each.
type proposal struct {
	name    string
	version int
	encr    []string
	integ   []string
	groups  []string
	auth    string // "psk", "rsa-sig", "" when not part of the proposal
	life    int    // seconds; 0 = not set
	mode    string // ESP: "tunnel", "transport"
	line    int    // header line
	lines   []int  // every line that contributed
	lifeSet int    // line of an explicit lifetime
}

func (p proposal) compatible(q proposal) bool {
	if !intersects(p.encr, q.encr) {
		return false
	}
	if (len(p.integ) > 0 || len(q.integ) > 0) && !intersects(p.integ, q.integ) {
		// AEAD ciphers carry no integrity; a side listing integrity
		// algorithms next to an AEAD cipher still matches an AEAD-only peer.
		if !(allAEAD(common(p.encr, q.encr)) && (len(p.integ) == 0 || len(q.integ) == 0)) {
			return false
		}
	}
	if (len(p.groups) > 0 || len(q.groups) > 0) && !intersects(p.groups, q.groups) {
		return false
	}
	if p.auth != "" && q.auth != "" && p.auth != q.auth {
		return false
	}
	return true
}

func intersects(a, b []string) bool { return len(common(a, b)) > 0 }

func common(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func allAEAD(encr []string) bool {
	for _, e := range encr {
		if !isAEAD(e) {
			return false
		}
	}
	return len(encr) > 0
}

// pskEntry is one configured pre-shared key and the peers it is for.
type pskEntry struct {
	match    netip.Prefix // peer addresses this key is for
	ids      []string     // strongSwan: identities the secret belongs to
	local    secret       // what this side signs with
	remote   secret       // what this side expects from the peer
	hasLocal bool
	hasRem   bool
	// unreadable says why the key cannot be compared ("stored encrypted
	// (type 6)", "masked as *****"); "" when it can.
	unreadable string
	version    int    // 1, 2, or 0 for either
	scope      string // keyring / profile name; "" for global
	line       int
	line2      int // a second line holding the key (a wrapped keyring entry, the IKEv2 remote key)
	head       int // the stanza the key sits in (keyring, tunnel-group ipsec-attributes)
}

// tunnel is one configured IPsec peering: a crypto map entry, a protected
// tunnel interface or a strongSwan connection/child.
type tunnel struct {
	name    string
	mapName string // the crypto map the entry belongs to, "" for others
	dynamic bool   // a dynamic crypto map entry (the ACL is optional there)
	line    int
	peers   []addrRef
	// peerNets: peers given as a range (strongSwan remote_addrs = %any or a subnet).
	peerNets []netip.Prefix
	applied  bool
	// appliedLine is where the map meets an interface (or the interface's
	// tunnel protection line).
	appliedLine int
	iface       string // interface the map is applied to (name or nameif)
	versions    []int
	versionLine int

	// ike overrides device.ike (strongSwan carries proposals per connection).
	ike map[int][]proposal
	esp []proposal
	// espNames lists transform sets the entry refers to, for "not defined".
	espLine int

	pfs     []string // PFS DH groups; empty = no PFS
	pfsLine int
	// pfsOptional: some proposals carry a DH group and some do not, so
	// either choice of the peer works.
	pfsOptional bool

	p1Life, p1LifeLine int // strongSwan
	p2Life, p2LifeLine int // 0 when the vendor default applies
	p2LifeDefault      int

	sel      selectors
	selLines []int
	selName  string
	hasSel   bool
	selNote  string

	keyScopes []string // keyrings this entry may use; nil = every keyring
	auth      string   // "psk", "pubkey", "" unknown
	localIDs  []string // identities this side sends (strongSwan local.id, IOS identity local)
	remoteIDs []string // identities it accepts from the peer
	// lines of the identity settings, 0 when the default applies
	localIDLine, remoteIDLine int
	rri                       int // reverse-route line
}

// route is one static route: where packets to dst leave.
type route struct {
	dst   ipSet
	iface string // ASA: the interface name the route points out of
	line  int
}

// natRule is one address translation rule, in the order the box applies them.
type natRule struct {
	match  set2D // (source, destination) pairs the rule catches
	exempt bool  // identity / no-NAT: traffic passes untranslated
	line   int
	lines  []int // the lines defining what it matches
	ifOut  string
	// ASA rule sections: pre-8.3 "nat 0" first, then manual, object and
	// after-auto rules.
	legacy0, objectNAT, afterAuto bool
}

// selectors: what a tunnel protects, by protocol and ports.
type selKey struct{ proto, sport, dport string }

type selectors map[selKey]set2D

func (k selKey) mirror() selKey { return selKey{k.proto, k.dport, k.sport} }

func (k selKey) String() string {
	s := k.proto
	if k.sport != "" {
		s += " src " + k.sport
	}
	if k.dport != "" {
		s += " dst " + k.dport
	}
	return s
}

// all merges every protocol's pairs, for NAT checks.
func (s selectors) all() set2D {
	var out set2D
	for _, v := range s {
		out = out.union(v)
	}
	return out
}

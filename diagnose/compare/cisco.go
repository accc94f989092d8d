package compare

import (
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ciscoCfg reads an IOS/IOS-XE or ASA running configuration. The two share
// most command shapes; where they differ (ACL masks, PFS and lifetime
// defaults) asa says which applies.
type ciscoCfg struct {
	d   *device
	asa bool

	names   map[string]netip.Addr
	objects map[string]*stanza
	groups  map[string]*stanza
	acls    map[string]*aclDef
	rmaps   map[string][]rmapEntry
	ifaces  []*ifaceDef

	maps       map[string]*cryptoMap
	mapOrder   []string
	dynMaps    map[string]*cryptoMap
	localAddr  map[string]addrRef   // crypto map -> "local-address IF" (IOS)
	mapIfaces  map[string][]addrRef // map name -> interfaces (name in addrRef.name, line)
	transforms map[string]proposal
	ipsecProf  map[string]*ipsecProfile
	isaProf    map[string]*ikeProfile
	ikev2Prof  map[string]*ikeProfile
	ikev2Props map[string]proposal
	ikev2Pols  []ikev2Policy
	tgroups    map[string]*tunnelGroup
	p2Life     int
	p2LifeLine int
	// idHostname: line of "crypto isakmp identity hostname" (IOS, ASA);
	// domain: "ip domain-name" / "domain-name".
	idHostname int
	domain     string

	resolving map[string]bool
	deferred  []func()
	// maskRanges counts ranges produced by scattered wildcard masks.
	maskRanges int
	// objLines collects the object / object-group lines an ACL entry
	// used, so that evidence shows what the names stand for.
	objLines []int
}

type aclDef struct {
	name  string
	line  int
	aces  []cline
	std   bool
	v6    bool // "ipv6 access-list": any means every IPv6 address
	built *aclBuilt
}

type aclBuilt struct {
	sel   selectors
	lines []int
}

type rmapEntry struct {
	matchLines []int
	deny       bool
	acls       []string
	line       int
}

type ifaceDef struct {
	name      string
	nameif    string
	line      int
	addrs     []addrRef
	cryptoMap string
	mapLine   int
	tunSrc    string
	tunSrcLn  int
	tunDst    netip.Addr
	tunDstLn  int
	tunMode   string
	tunProf   string
	tunProfLn int
	shutdown  int
}

type cryptoMap struct {
	name    string
	entries []*mapEntry       // in config order
	bySeq   map[int]*mapEntry // the same entries
}

type mapEntry struct {
	seq        int
	line       int
	dynamic    bool
	dynName    string // the dynamic map an "ipsec-isakmp dynamic D" entry stands for
	peers      []addrRef
	peerNames  []string
	acl        string
	aclLine    int
	transforms []string
	tsLine     int
	v1, v2     bool
	verLine    int
	pfs        string
	pfsLine    int
	life       int
	lifeLine   int
	isaProf    string
	ikev2Prof  string
	profLine   int
	rri        int
}

type ipsecProfile struct {
	name       string
	line       int
	transforms []string
	tsLine     int
	pfs        string
	pfsLine    int
	life       int
	lifeLine   int
	isaProf    string
	ikev2Prof  string
	profLine   int
}

type ikeProfile struct {
	name     string
	line     int
	localID  string
	localLn  int
	remoteID []string
	remoteLn int
	keyrings []string
	match    []netip.Prefix
	authL    string
	authR    string
	life     int
	lifeLine int
}

type ikev2Policy struct {
	line      int
	proposals []string
}

type tunnelGroup struct {
	name     string
	typ      string
	typLine  int
	attrLine int
}

var (
	rePrompt = regexp.MustCompile(`^([A-Za-z0-9][\w.-]*)(?:\([^)]*\))?[#>]\s*(?:sh|show|more)\b`)
	// "SPOKE(config)#": a configuration session names its device
	reConfigPromptHost = regexp.MustCompile(`^\s*([A-Za-z0-9][\w.-]*)\((?:config|cfg)[^)]*\)#`)
	reMapEntry         = regexp.MustCompile(`^crypto map (\S+) (\d+) (.*)$`)
	reMapIface         = regexp.MustCompile(`^crypto map (\S+) interface (\S+)`)
	reIKEnable         = regexp.MustCompile(`^crypto (ikev1|ikev2|isakmp) enable (\S+)`)
)

// ciscoHandlers is the table of top-level commands the parser reads. A new
// command is one entry here plus a testdata pair.
var ciscoHandlers = []ciscoHandler{
	{regexp.MustCompile(`^hostname\s+(\S+)`), func(c *ciscoCfg, st *stanza, m []string) { c.d.hostname = m[1] }},
	{regexp.MustCompile(`^crypto (?:isakmp|ikev1) policy (\d+)`), (*ciscoCfg).ikev1Policy},
	{regexp.MustCompile(`^crypto isakmp identity (\S+)`), func(c *ciscoCfg, st *stanza, m []string) {
		if m[1] == "hostname" {
			c.idHostname = st.head.n
		}
	}},
	{regexp.MustCompile(`^ip domain[- ]name (\S+)`), func(c *ciscoCfg, st *stanza, m []string) { c.domain = m[1] }},
	{regexp.MustCompile(`^domain-name (\S+)`), func(c *ciscoCfg, st *stanza, m []string) { c.domain = m[1] }},
	{regexp.MustCompile(`^crypto ikev2 proposal (\S+)`), (*ciscoCfg).ikev2Proposal},
	{regexp.MustCompile(`^crypto ikev2 policy (\S+)`), (*ciscoCfg).ikev2Policy},
	{regexp.MustCompile(`^crypto isakmp key (.*)$`), (*ciscoCfg).isakmpKey},
	{regexp.MustCompile(`^crypto keyring (\S+)`), (*ciscoCfg).keyring},
	{regexp.MustCompile(`^crypto ikev2 keyring (\S+)`), (*ciscoCfg).ikev2Keyring},
	{regexp.MustCompile(`^crypto (isakmp|ikev2) profile (\S+)`), (*ciscoCfg).ikeProfile},
	{regexp.MustCompile(`^crypto ipsec (?:ikev1 )?transform-set (\S+)\s+(.*)$`), (*ciscoCfg).transformSet},
	{regexp.MustCompile(`^crypto ipsec ikev2 ipsec-proposal (\S+)`), (*ciscoCfg).ipsecProposal},
	{regexp.MustCompile(`^crypto ipsec profile (\S+)`), (*ciscoCfg).ipsecProfile},
	{regexp.MustCompile(`^crypto ipsec security-association lifetime seconds (\d+)`), func(c *ciscoCfg, st *stanza, m []string) {
		c.p2Life, _ = strconv.Atoi(m[1])
		c.p2LifeLine = st.head.n
	}},
	{regexp.MustCompile(`^crypto map (\S+) local-address (\S+)`), func(c *ciscoCfg, st *stanza, m []string) {
		c.localAddr[m[1]] = addrRef{name: m[2], line: st.head.n}
	}},
	{reMapIface, func(c *ciscoCfg, st *stanza, m []string) {
		c.mapIfaces[m[1]] = append(c.mapIfaces[m[1]], addrRef{name: m[2], line: st.head.n})
	}},
	{reMapEntry, (*ciscoCfg).mapEntry},
	{regexp.MustCompile(`^crypto dynamic-map (\S+) (\d+)\s*(.*)$`), (*ciscoCfg).dynMapEntry},
	{reIKEnable, func(c *ciscoCfg, st *stanza, m []string) {
		v := 1
		if m[1] == "ikev2" {
			v = 2
		}
		if c.d.ikeEnable[v] == nil {
			c.d.ikeEnable[v] = map[string]int{}
		}
		c.d.ikeEnable[v][m[2]] = st.head.n
	}},
	{regexp.MustCompile(`^no crypto isakmp(?: enable)?\s*$`), func(c *ciscoCfg, st *stanza, m []string) { c.d.ikeDisabled = st.head.n }},
	{regexp.MustCompile(`^tunnel-group (\S+) type (\S+)`), func(c *ciscoCfg, st *stanza, m []string) {
		tg := c.tgroup(m[1])
		tg.typ, tg.typLine = m[2], st.head.n
	}},
	{regexp.MustCompile(`^tunnel-group (\S+) ipsec-attributes`), (*ciscoCfg).tunnelGroupAttrs},
	{regexp.MustCompile(`^ip nat inside source (.*)$`), (*ciscoCfg).iosNAT},
	{regexp.MustCompile(`^ip route (\d+\.\d+\.\d+\.\d+) (\d+\.\d+\.\d+\.\d+) (\S+)`), func(c *ciscoCfg, st *stanza, m []string) {
		c.addRoute(m[1], m[2], "", st.head.n)
	}},
	{regexp.MustCompile(`^route (\S+) (\d+\.\d+\.\d+\.\d+) (\d+\.\d+\.\d+\.\d+) (\S+)`), func(c *ciscoCfg, st *stanza, m []string) {
		c.addRoute(m[2], m[3], m[1], st.head.n)
	}},
	{regexp.MustCompile(`^nat \(([^,)]+)(?:,([^)]+))?\) (.*)$`), (*ciscoCfg).asaNAT},
}

type ciscoHandler struct {
	re *regexp.Regexp
	fn func(c *ciscoCfg, st *stanza, m []string)
}

// handlersByWord indexes ciscoHandlers by the first word of the command
// they read, so each line meets only the regexps that could match it.
var handlersByWord = func() map[string][]ciscoHandler {
	out := map[string][]ciscoHandler{}
	for _, h := range ciscoHandlers {
		w := strings.TrimPrefix(h.re.String(), "^")
		if i := strings.IndexAny(w, ` \\(`); i > 0 {
			w = w[:i]
		}
		out[w] = append(out[w], h)
	}
	return out
}()

func parseCisco(d *device, asa bool) {
	c := &ciscoCfg{
		d: d, asa: asa,
		names: map[string]netip.Addr{}, objects: map[string]*stanza{}, groups: map[string]*stanza{},
		acls: map[string]*aclDef{}, rmaps: map[string][]rmapEntry{},
		maps: map[string]*cryptoMap{}, mapIfaces: map[string][]addrRef{}, dynMaps: map[string]*cryptoMap{}, localAddr: map[string]addrRef{},
		transforms: map[string]proposal{}, ipsecProf: map[string]*ipsecProfile{},
		isaProf: map[string]*ikeProfile{}, ikev2Prof: map[string]*ikeProfile{},
		ikev2Props: map[string]proposal{}, tgroups: map[string]*tunnelGroup{},
		resolving: map[string]bool{},
	}
	d.ikeEnable = map[int]map[string]int{}
	d.ike = map[int][]proposal{}
	for _, l := range d.lines {
		if m := rePrompt.FindStringSubmatch(strings.TrimSpace(l)); m != nil && d.hostname == "" {
			d.hostname = m[1]
		}
		if m := reConfigPromptHost.FindStringSubmatch(l); m != nil && d.hostname == "" {
			d.hostname = m[1]
		}
	}
	sts := stanzas(d.lines)
	// Pass 1: things referred to by name, which may be defined after use.
	for i := range sts {
		st := &sts[i]
		w := st.head.words
		switch {
		case len(w) >= 3 && w[0] == "name" && looksLikeAddr(w[1]):
			if a, ok := parseAddr(w[1]); ok {
				c.names[w[2]] = a
			}
		case len(w) >= 3 && w[0] == "object" && w[1] == "network":
			c.objects[w[2]] = st
			c.objectNAT(st)
		case len(w) >= 3 && w[0] == "object-group" && w[1] == "network":
			c.groups[w[2]] = st
		case len(w) >= 3 && (w[0] == "ip" || w[0] == "ipv6") && w[1] == "access-list":
			name, std := w[2], w[2] == "standard"
			if (w[2] == "extended" || w[2] == "standard") && len(w) >= 4 {
				name = w[3]
			}
			a := c.acl(name, st.head.n)
			a.std = a.std || std
			a.v6 = w[0] == "ipv6"
			a.aces = append(a.aces, st.kids...)
		case len(w) >= 5 && (w[0] == "Extended" || w[0] == "Standard") && w[1] == "IP" && w[2] == "access" && w[3] == "list":
			a := c.acl(w[4], st.head.n)
			a.std = a.std || w[0] == "Standard"
			a.aces = append(a.aces, st.kids...)
		case len(w) >= 3 && w[0] == "access-list":
			c.aclLine(st)
		case len(w) >= 2 && w[0] == "route-map":
			c.routeMap(st)
		case len(w) >= 2 && w[0] == "interface":
			c.iface(st)
		}
	}
	for i := range sts {
		st := &sts[i]
		for _, h := range handlersByWord[st.head.words[0]] {
			if m := h.re.FindStringSubmatch(st.head.text); m != nil {
				h.fn(c, st, m)
				break
			}
		}
	}
	c.finish()
}

func (c *ciscoCfg) addRoute(addr, mask, iface string, line int) {
	a, ok1 := parseAddr(addr)
	m, ok2 := parseAddr(mask)
	if !ok1 || !ok2 {
		return
	}
	s, _ := maskSet(a, m)
	c.d.routes = append(c.d.routes, route{dst: s, iface: iface, line: line})
}

func (c *ciscoCfg) acl(name string, line int) *aclDef {
	a := c.acls[name]
	if a == nil {
		a = &aclDef{name: name, line: line}
		c.acls[name] = a
	}
	return a
}

// aclLine reads a numbered IOS ACL line or any ASA access-list line.
func (c *ciscoCfg) aclLine(st *stanza) {
	w := st.head.words
	name := w[1]
	rest := w[2:]
	if len(rest) >= 2 && rest[0] == "line" {
		rest = rest[2:]
	}
	if len(rest) == 0 || rest[0] == "remark" || rest[0] == "webtype" || rest[0] == "ethertype" {
		return
	}
	a := c.acl(name, st.head.n)
	switch rest[0] {
	case "extended":
		rest = rest[1:]
	case "standard":
		a.std = true
		rest = rest[1:]
	default:
		if n, err := strconv.Atoi(name); err == nil && (n < 100 || (n >= 1300 && n < 2000)) {
			a.std = true
		}
	}
	a.aces = append(a.aces, cline{n: st.head.n, text: strings.Join(rest, " "), words: rest, cont: st.head.cont})
}

func (c *ciscoCfg) routeMap(st *stanza) {
	w := st.head.words
	e := rmapEntry{line: st.head.n, deny: len(w) >= 3 && w[2] == "deny"}
	for _, k := range st.kids {
		if len(k.words) >= 4 && k.words[0] == "match" && k.words[1] == "ip" && k.words[2] == "address" {
			e.matchLines = append(e.matchLines, k.n)
			for _, n := range k.words[3:] {
				if n != "prefix-list" {
					e.acls = append(e.acls, n)
				}
			}
		}
	}
	c.rmaps[w[1]] = append(c.rmaps[w[1]], e)
}

func (c *ciscoCfg) iface(st *stanza) {
	c.d.hasInterfaces = true
	f := &ifaceDef{name: st.head.words[1], line: st.head.n}
	for _, k := range st.kids {
		w := k.words
		switch {
		case len(w) >= 3 && w[0] == "ip" && w[1] == "address" && looksLikeAddr(w[2]):
			if a, ok := parseAddr(w[2]); ok {
				f.addrs = append(f.addrs, addrRef{addr: a, line: k.n, name: f.name})
			}
		case len(w) >= 3 && w[0] == "ipv6" && w[1] == "address":
			if p, err := netip.ParsePrefix(w[2]); err == nil {
				f.addrs = append(f.addrs, addrRef{addr: p.Addr(), line: k.n, name: f.name})
			}
		case len(w) >= 2 && w[0] == "nameif":
			f.nameif = w[1]
		case len(w) >= 3 && w[0] == "crypto" && w[1] == "map":
			f.cryptoMap, f.mapLine = w[2], k.n
		case len(w) >= 3 && w[0] == "tunnel" && w[1] == "source":
			f.tunSrc, f.tunSrcLn = w[2], k.n
		case len(w) >= 3 && w[0] == "tunnel" && w[1] == "destination":
			f.tunDst, _ = parseAddr(w[2])
			f.tunDstLn = k.n
		case len(w) >= 3 && w[0] == "tunnel" && w[1] == "mode":
			f.tunMode = strings.Join(w[2:], " ")
		case len(w) >= 5 && w[0] == "tunnel" && w[1] == "protection" && w[2] == "ipsec" && w[3] == "profile":
			f.tunProf, f.tunProfLn = w[4], k.n
		case len(w) == 1 && w[0] == "shutdown":
			f.shutdown = k.n
		}
	}
	c.ifaces = append(c.ifaces, f)
	c.d.ifaceAddrs = append(c.d.ifaceAddrs, f.addrs...)
}

func (c *ciscoCfg) tgroup(name string) *tunnelGroup {
	tg := c.tgroups[name]
	if tg == nil {
		tg = &tunnelGroup{name: name}
		c.tgroups[name] = tg
	}
	return tg
}

// ikev1Policy reads an IOS isakmp policy or an ASA ikev1 policy, filling
// what the stanza leaves out with the platform's defaults.
func (c *ciscoCfg) ikev1Policy(st *stanza, m []string) {
	p := proposal{name: "policy " + m[1], version: 1, line: st.head.n, lines: []int{st.head.n}, life: 86400}
	// IOS defaults: des, sha, rsa-sig, group 1; ASA: 3des, sha, pre-share, group 2.
	encr, integ, auth, group := "des", "sha1", "rsa-sig", "1"
	if c.asa {
		// the ASA's defaults differ: 3des, group 2, pre-shared keys
		encr, group, auth = "3des", "2", "psk"
	}
	for _, k := range st.kids {
		w := k.words
		if len(w) < 2 {
			continue
		}
		p.lines = append(p.lines, k.n)
		switch w[0] {
		case "encr", "encryption":
			size := ""
			if len(w) >= 3 {
				size = w[2]
			}
			encr = normEncr(w[1], size)
		case "hash":
			integ = normInteg(w[1])
		case "authentication":
			auth = normAuth(w[1])
		case "group":
			group = normGroup(w[1])
		case "lifetime":
			v := w[len(w)-1]
			if n, err := strconv.Atoi(v); err == nil {
				p.life, p.lifeSet = n, k.n
			}
		}
	}
	p.encr, p.integ, p.auth, p.groups = []string{encr}, []string{integ}, auth, []string{group}
	c.d.ike[1] = append(c.d.ike[1], p)
}

func normAuth(s string) string {
	switch strings.ToLower(s) {
	case "pre-share", "pre-shared-key", "psk":
		return "psk"
	case "rsa-sig", "certificate", "pubkey", "ecdsa-sig", "rsa-sig-ikev2":
		return "rsa-sig"
	}
	return strings.ToLower(s)
}

// ikev2Proposal reads an IOS "crypto ikev2 proposal".
func (c *ciscoCfg) ikev2Proposal(st *stanza, m []string) {
	p := proposal{name: "proposal " + m[1], version: 2, line: st.head.n, lines: []int{st.head.n}}
	c.ikev2Algos(&p, st.kids)
	c.ikev2Props[m[1]] = p
}

func (c *ciscoCfg) ikev2Algos(p *proposal, kids []cline) {
	for _, k := range kids {
		w := k.words
		if len(w) < 2 {
			continue
		}
		switch w[0] {
		case "encryption":
			p.lines = append(p.lines, k.n)
			for _, e := range w[1:] {
				p.encr = appendNew(p.encr, normEncr(e, ""))
			}
		case "integrity":
			p.lines = append(p.lines, k.n)
			for _, e := range w[1:] {
				p.integ = appendNew(p.integ, normInteg(e))
			}
		case "group":
			p.lines = append(p.lines, k.n)
			for _, e := range w[1:] {
				if g := normGroup(e); g != "" {
					p.groups = appendNew(p.groups, g)
				}
			}
		case "lifetime":
			if n, err := strconv.Atoi(w[len(w)-1]); err == nil {
				p.life, p.lifeSet = n, k.n
				p.lines = append(p.lines, k.n)
			}
		}
	}
}

// ikev2Policy: on IOS it names proposals; on ASA it holds the algorithms.
func (c *ciscoCfg) ikev2Policy(st *stanza, m []string) {
	pol := ikev2Policy{line: st.head.n}
	for _, k := range st.kids {
		if len(k.words) >= 2 && k.words[0] == "proposal" {
			pol.proposals = append(pol.proposals, k.words[1:]...)
		}
	}
	if len(pol.proposals) > 0 || !c.asa {
		c.ikev2Pols = append(c.ikev2Pols, pol)
		return
	}
	p := proposal{name: "policy " + m[1], version: 2, line: st.head.n, lines: []int{st.head.n}, life: 86400}
	c.ikev2Algos(&p, st.kids)
	c.d.ike[2] = append(c.d.ike[2], p)
}

// readKey takes "[0|6|7|8] KEY" and says whether the key is readable.
func readKey(w []string) (key, unreadable string, ok bool) {
	if len(w) == 0 {
		return "", "", false
	}
	if len(w) >= 2 && len(w[0]) == 1 && w[0][0] >= '0' && w[0][0] <= '9' {
		if w[0] != "0" {
			return w[1], "stored encrypted (type " + w[0] + ")", true
		}
		w = w[1:]
	}
	if strings.Trim(w[0], "*") == "" {
		return w[0], "masked as " + w[0] + " by show running-config (use more system:running-config)", true
	}
	if w[0] == redact.Mask {
		return w[0], "redacted when the configuration was collected", true
	}
	return w[0], "", true
}

func (c *ciscoCfg) addKey(e pskEntry, key string) {
	e.local, e.remote = secret{key}, secret{key}
	if !e.hasLocal && !e.hasRem {
		e.hasLocal, e.hasRem = true, true
	}
	c.d.keys = append(c.d.keys, e)
	if strings.Trim(key, "*") != "" {
		c.d.secrets = append(c.d.secrets, key)
	}
}

// addrMask reads "A [M]" at w, "A/len" too; a missing mask is a host.
func addrMask(w []string) (netip.Prefix, int, bool) {
	if len(w) == 0 {
		return netip.Prefix{}, 0, false
	}
	if p, err := netip.ParsePrefix(w[0]); err == nil {
		return p.Masked(), 1, true
	}
	a, ok := parseAddr(w[0])
	if !ok {
		return netip.Prefix{}, 0, false
	}
	if len(w) >= 2 && looksLikeAddr(w[1]) {
		if m, ok := parseAddr(w[1]); ok {
			if p, ok := maskPrefix(a, m); ok {
				return p, 2, true
			}
		}
	}
	return netip.PrefixFrom(a, a.BitLen()), 1, true
}

// isakmpKey: crypto isakmp key [0|6|7] KEY address A [M] [no-xauth]
func (c *ciscoCfg) isakmpKey(st *stanza, m []string) {
	w := strings.Fields(m[1])
	key, unr, ok := readKey(w)
	if !ok {
		return
	}
	i := slices.Index(w, "address")
	if i < 0 {
		return // hostname keys cannot be matched by address
	}
	p, _, ok := addrMask(w[i+1:])
	if !ok {
		return
	}
	c.addKey(pskEntry{match: p, unreadable: unr, version: 1, line: st.head.n}, key)
}

// keyring: pre-shared-key address A [M] key [t] KEY; the key may sit on
// the next line when the paste wrapped it.
func (c *ciscoCfg) keyring(st *stanza, m []string) {
	var pend *pskEntry
	for _, k := range st.kids {
		w := k.words
		switch {
		case len(w) >= 3 && w[0] == "pre-shared-key" && w[1] == "address":
			p, used, ok := addrMask(w[2:])
			if !ok {
				continue
			}
			e := pskEntry{match: p, version: 1, scope: m[1], line: k.n, head: st.head.n}
			rest := w[2+used:]
			if len(rest) >= 2 && rest[0] == "key" {
				key, unr, ok := readKey(rest[1:])
				if ok {
					e.unreadable = unr
					c.addKey(e, key)
				}
				pend = nil
				continue
			}
			pend = &e
		case len(w) >= 2 && w[0] == "key" && pend != nil:
			key, unr, ok := readKey(w[1:])
			if ok {
				e := *pend
				e.unreadable = unr
				e.line2 = k.n
				c.addKey(e, key)
			}
			pend = nil
		}
	}
}

// ikev2Keyring: peer NAME / address A [M] / pre-shared-key [local|remote] [t] KEY.
func (c *ciscoCfg) ikev2Keyring(st *stanza, m []string) {
	type peer struct {
		match      netip.Prefix
		hasMatch   bool
		local, rem string
		unrL, unrR string
		hasL, hasR bool
		line       int
		lineL      int
		lineR      int
	}
	var peers []*peer
	var cur *peer
	flush := func() {
		for _, p := range peers {
			if !p.hasMatch || (!p.hasL && !p.hasR) {
				continue
			}
			e := pskEntry{match: p.match, version: 2, scope: m[1], line: p.lineL, line2: p.lineR, head: p.line,
				local: secret{p.local}, remote: secret{p.rem}, hasLocal: p.hasL, hasRem: p.hasR}
			e.unreadable = p.unrL
			if e.unreadable == "" {
				e.unreadable = p.unrR
			}
			c.d.keys = append(c.d.keys, e)
			c.d.secrets = append(c.d.secrets, p.local, p.rem)
		}
	}
	for _, k := range st.kids {
		w := k.words
		switch {
		case len(w) >= 2 && w[0] == "peer":
			cur = &peer{line: k.n}
			peers = append(peers, cur)
		case cur != nil && len(w) >= 2 && w[0] == "address":
			if p, _, ok := addrMask(w[1:]); ok {
				cur.match, cur.hasMatch = p, true
			}
		case cur != nil && len(w) >= 2 && w[0] == "pre-shared-key":
			rest := w[1:]
			which := "both"
			if rest[0] == "local" || rest[0] == "remote" {
				which, rest = rest[0], rest[1:]
			}
			key, unr, ok := readKey(rest)
			if !ok {
				continue
			}
			if which != "remote" {
				cur.local, cur.unrL, cur.hasL, cur.lineL = key, unr, true, k.n
			}
			if which != "local" {
				cur.rem, cur.unrR, cur.hasR, cur.lineR = key, unr, true, k.n
			}
		}
	}
	flush()
}

func (c *ciscoCfg) ikeProfile(st *stanza, m []string) {
	p := &ikeProfile{name: m[2], line: st.head.n}
	for _, k := range st.kids {
		w := k.words
		switch {
		case len(w) >= 2 && w[0] == "keyring":
			p.keyrings = append(p.keyrings, w[len(w)-1])
		case len(w) >= 4 && w[0] == "match" && w[1] == "identity":
			i := slices.Index(w, "address")
			if i > 0 {
				if pf, _, ok := addrMask(w[i+1:]); ok {
					p.match = append(p.match, pf)
					if w[1] == "identity" && slices.Contains(w, "remote") {
						// IKEv2: the peer's identity must be an address in pf
						// ("address 0.0.0.0" takes any address, never an FQDN)
						p.remoteID = append(p.remoteID, pf.String())
						p.remoteLn = k.n
					}
				}
			}
			if j := slices.Index(w, "fqdn"); j > 0 && j+1 < len(w) {
				id := w[j+1]
				if id == "domain" && j+2 < len(w) {
					id = "domain " + w[j+2]
				}
				if id != "domain" {
					p.remoteID = append(p.remoteID, id)
					p.remoteLn = k.n
				}
			}
		case len(w) >= 4 && w[0] == "identity" && w[1] == "local" && (w[2] == "fqdn" || w[2] == "address" || w[2] == "email"):
			p.localID, p.localLn = w[3], k.n
		case len(w) >= 3 && w[0] == "authentication":
			if w[1] == "local" {
				p.authL = normAuth(w[2])
			} else if w[1] == "remote" {
				p.authR = normAuth(w[2])
			}
		case len(w) >= 2 && w[0] == "lifetime":
			if n, err := strconv.Atoi(w[len(w)-1]); err == nil {
				p.life, p.lifeLine = n, k.n
			}
		}
	}
	if m[1] == "isakmp" {
		c.isaProf[m[2]] = p
	} else {
		c.ikev2Prof[m[2]] = p
	}
}

// transformSet: IOS "crypto ipsec transform-set TS esp-aes 256 esp-sha-hmac"
// (mode under it) and ASA "crypto ipsec ikev1 transform-set TS esp-aes esp-sha-hmac".
func (c *ciscoCfg) transformSet(st *stanza, m []string) {
	p := proposal{name: m[1], line: st.head.n, lines: []int{st.head.n}, mode: "tunnel"}
	w := strings.Fields(m[2])
	for i := 0; i < len(w); i++ {
		t := strings.ToLower(w[i])
		switch {
		case t == "mode" && i+1 < len(w):
			p.mode = w[i+1]
			i++
		case strings.HasSuffix(t, "-hmac") || strings.HasSuffix(t, "-mac") || t == "esp-none":
			if t != "esp-none" {
				p.integ = appendNew(p.integ, normInteg(t))
			}
		case strings.HasPrefix(t, "esp-") || strings.HasPrefix(t, "ah-"):
			size := ""
			if i+1 < len(w) && (w[i+1] == "128" || w[i+1] == "192" || w[i+1] == "256") {
				size = w[i+1]
				i++
			}
			if strings.HasPrefix(t, "ah-") {
				p.integ = appendNew(p.integ, normInteg(strings.TrimPrefix(t, "ah-")))
				continue
			}
			p.encr = appendNew(p.encr, normEncr(t, size))
		}
	}
	for _, k := range st.kids {
		if len(k.words) >= 2 && k.words[0] == "mode" {
			p.mode = k.words[1]
			p.lines = append(p.lines, k.n)
		}
	}
	c.transforms[m[1]] = p
}

// ipsecProposal: ASA "crypto ipsec ikev2 ipsec-proposal P" with
// "protocol esp encryption ..." and "protocol esp integrity ...".
func (c *ciscoCfg) ipsecProposal(st *stanza, m []string) {
	p := proposal{name: m[1], version: 2, line: st.head.n, lines: []int{st.head.n}, mode: "tunnel"}
	for _, k := range st.kids {
		w := k.words
		if len(w) < 4 || w[0] != "protocol" || w[1] != "esp" {
			continue
		}
		p.lines = append(p.lines, k.n)
		for _, a := range w[3:] {
			if w[2] == "encryption" {
				p.encr = appendNew(p.encr, normEncr(a, ""))
			} else if w[2] == "integrity" && a != "null" {
				p.integ = appendNew(p.integ, normInteg(a))
			}
		}
	}
	c.transforms["ikev2:"+m[1]] = p
}

func (c *ciscoCfg) ipsecProfile(st *stanza, m []string) {
	p := &ipsecProfile{name: m[1], line: st.head.n}
	for _, k := range st.kids {
		w := k.words
		if len(w) < 2 || w[0] != "set" {
			continue
		}
		switch w[1] {
		case "transform-set":
			p.transforms, p.tsLine = w[2:], k.n
		case "pfs":
			p.pfs, p.pfsLine = c.pfsGroup(w[2:]), k.n
		case "security-association":
			if n, ok := lifeSeconds(w); ok {
				p.life, p.lifeLine = n, k.n
			}
		case "isakmp-profile":
			if len(w) >= 3 {
				p.isaProf, p.profLine = w[2], k.n
			}
		case "ikev2-profile":
			if len(w) >= 3 {
				p.ikev2Prof, p.profLine = w[2], k.n
			}
		}
	}
	c.ipsecProf[m[1]] = p
}

// pfsGroup: "set pfs" alone means group 1 on IOS and group 2 on ASA.
func (c *ciscoCfg) pfsGroup(w []string) string {
	if len(w) > 0 {
		if g := normGroup(w[0]); g != "" {
			return g
		}
	}
	if c.asa {
		return "2"
	}
	return "1"
}

func lifeSeconds(w []string) (int, bool) {
	i := slices.Index(w, "seconds")
	if i < 0 || i+1 >= len(w) {
		return 0, false
	}
	n, err := strconv.Atoi(w[i+1])
	return n, err == nil
}

// mapEntry reads one crypto map line; IOS sub-commands arrive as if they
// were ASA one-liners ("crypto map CMAP 10 set peer ...").
func (c *ciscoCfg) mapEntry(st *stanza, m []string) {
	name := m[1]
	cm := c.maps[name]
	if cm == nil {
		cm = &cryptoMap{name: name}
		c.maps[name] = cm
		c.mapOrder = append(c.mapOrder, name)
	}
	c.readMapEntry(cm, st, m)
}

// dynMapEntry: "crypto dynamic-map DYN 10" entries, which a static map
// pulls in with "crypto map CMAP 65535 ipsec-isakmp dynamic DYN".
func (c *ciscoCfg) dynMapEntry(st *stanza, m []string) {
	cm := c.dynMaps[m[1]]
	if cm == nil {
		cm = &cryptoMap{name: m[1]}
		c.dynMaps[m[1]] = cm
	}
	c.readMapEntry(cm, st, m)
}

func (c *ciscoCfg) readMapEntry(cm *cryptoMap, st *stanza, m []string) {
	seq, _ := strconv.Atoi(m[2])
	e := cm.bySeq[seq]
	if e == nil {
		e = &mapEntry{seq: seq, line: st.head.n}
		cm.entries = append(cm.entries, e)
		if cm.bySeq == nil {
			cm.bySeq = map[int]*mapEntry{}
		}
		cm.bySeq[seq] = e
	}
	c.mapCmd(e, strings.Fields(m[3]), st.head.n)
	for _, k := range st.kids {
		c.mapCmd(e, k.words, k.n)
	}
}

func (c *ciscoCfg) mapCmd(e *mapEntry, w []string, n int) {
	if len(w) == 0 {
		return
	}
	switch {
	case w[0] == "ipsec-isakmp" && slices.Contains(w, "dynamic"):
		e.dynamic = true
		if i := slices.Index(w, "dynamic"); i+1 < len(w) {
			e.dynName = w[i+1]
		}
	case w[0] == "match" && len(w) >= 3 && w[1] == "address":
		e.acl, e.aclLine = w[2], n
	case w[0] == "reverse-route" || (w[0] == "set" && len(w) >= 2 && w[1] == "reverse-route"):
		e.rri = n
	case w[0] != "set" || len(w) < 2:
	case w[1] == "peer":
		for _, p := range w[2:] {
			if p == "default" || p == "dynamic" {
				continue
			}
			if a, ok := parseAddr(p); ok {
				e.peers = append(e.peers, addrRef{addr: a, line: n})
			} else {
				e.peerNames = append(e.peerNames, p)
				if a, ok := c.names[p]; ok {
					e.peers = append(e.peers, addrRef{addr: a, line: n})
				}
			}
		}
	case w[1] == "transform-set":
		e.transforms, e.tsLine, e.v1 = append(e.transforms, w[2:]...), n, true
		if e.verLine == 0 {
			e.verLine = n
		}
	case w[1] == "ikev1" && len(w) >= 4 && w[2] == "transform-set":
		e.transforms, e.tsLine, e.v1, e.verLine = append(e.transforms, w[3:]...), n, true, n
	case w[1] == "ikev2" && len(w) >= 4 && w[2] == "ipsec-proposal":
		for _, p := range w[3:] {
			e.transforms = append(e.transforms, "ikev2:"+p)
		}
		e.tsLine, e.v2 = n, true
		if e.verLine == 0 {
			e.verLine = n
		}
	case w[1] == "pfs":
		e.pfs, e.pfsLine = c.pfsGroup(w[2:]), n
	case w[1] == "security-association":
		if s, ok := lifeSeconds(w); ok {
			e.life, e.lifeLine = s, n
		}
	case w[1] == "isakmp-profile" && len(w) >= 3:
		e.isaProf, e.profLine = w[2], n
	case w[1] == "ikev2-profile" && len(w) >= 3:
		e.ikev2Prof, e.profLine, e.v2, e.verLine = w[2], n, true, n
	}
}

// tunnelGroupAttrs: ASA pre-shared keys, by peer address.
func (c *ciscoCfg) tunnelGroupAttrs(st *stanza, m []string) {
	tg := c.tgroup(m[1])
	tg.attrLine = st.head.n
	var match netip.Prefix
	if a, ok := parseAddr(m[1]); ok {
		match = netip.PrefixFrom(a, a.BitLen())
	} else if a, ok := c.names[m[1]]; ok {
		match = netip.PrefixFrom(a, a.BitLen())
	} else if m[1] == "DefaultL2LGroup" {
		match = netip.MustParsePrefix("0.0.0.0/0")
	} else {
		return // a named group is not chosen by address for L2L
	}
	var v2 *pskEntry
	for _, k := range st.kids {
		w := k.words
		switch {
		case len(w) >= 3 && w[0] == "ikev1" && w[1] == "pre-shared-key":
			key, unr, ok := readKey(w[2:])
			if ok {
				c.addKey(pskEntry{match: match, version: 1, line: k.n, head: st.head.n, unreadable: unr}, key)
			}
		case len(w) >= 2 && w[0] == "pre-shared-key": // ASA 7.x/8.0
			key, unr, ok := readKey(w[1:])
			if ok {
				c.addKey(pskEntry{match: match, version: 1, line: k.n, head: st.head.n, unreadable: unr}, key)
			}
		case len(w) >= 4 && w[0] == "ikev2" && w[2] == "pre-shared-key":
			key, unr, ok := readKey(w[3:])
			if !ok {
				continue
			}
			if v2 == nil {
				v2 = &pskEntry{match: match, version: 2, head: st.head.n}
			}
			if unr != "" {
				v2.unreadable = unr
			}
			if w[1] == "local-authentication" {
				v2.local, v2.hasLocal, v2.line = secret{key}, true, k.n
			} else {
				v2.remote, v2.hasRem, v2.line2 = secret{key}, true, k.n
			}
			c.d.secrets = append(c.d.secrets, key)
		}
	}
	if v2 != nil {
		c.d.keys = append(c.d.keys, *v2)
	}
}

// --- addresses, objects, ACLs ---

// addrSpec reads one ACL address operand at w[i]: any, host A, A W,
// object O, object-group G, interface IF, A/len, or a name. wildcard says
// whether "A M" is an IOS wildcard (true) or an ASA netmask.
func (c *ciscoCfg) addrSpec(w []string, i int, wildcard bool) (ipSet, int, bool) {
	if i >= len(w) {
		return nil, i, false
	}
	switch t := w[i]; {
	case t == "any" || t == "any4":
		return ipSet{v4Any}, i + 1, true
	case t == "any6":
		return v6Any, i + 1, true
	case t == "host" && i+1 < len(w):
		a, ok := parseAddr(w[i+1])
		if !ok {
			a, ok = c.names[w[i+1]]
		}
		if !ok {
			return nil, i + 2, false
		}
		return ipSet{hostIval(a)}, i + 2, true
	case (t == "object" || t == "object-group" || t == "addrgroup") && i+1 < len(w):
		s, lines := c.resolveObject(w[i+1])
		c.objLines = append(c.objLines, lines...)
		return s, i + 2, true
	case t == "interface" && i+1 < len(w):
		for _, f := range c.ifaces {
			if f.nameif == w[i+1] || f.name == w[i+1] {
				var s ipSet
				for _, a := range f.addrs {
					s = s.union(ipSet{hostIval(a.addr)})
				}
				return s, i + 2, true
			}
		}
		return nil, i + 2, true
	case strings.Contains(t, "/") || strings.Contains(t, ":"):
		s, ok := parseRange(t)
		return s, i + 1, ok
	case looksLikeAddr(t):
		a, ok := parseAddr(t)
		if !ok {
			return nil, i + 1, false // "10.400.5.0": not an address
		}
		if i+1 < len(w) && looksLikeAddr(w[i+1]) {
			m, ok := parseAddr(w[i+1])
			if !ok || !a.Is4() || !m.Is4() {
				return nil, i + 2, false // a mask is IPv4 and so is what it masks
			}
			var s ipSet
			var approx bool
			// a config full of scattered masks: past the budget each
			// mask is read as the range it spans, keeping the cost bounded
			limit := min(maxWildcardRanges, max(1, maxMaskRanges-c.maskRanges))
			if wildcard {
				s, approx = wildcardSetMax(a, m, limit)
			} else {
				s, approx = maskSetMax(a, m, limit)
			}
			c.maskRanges += len(s)
			if approx {
				c.d.notes = append(c.d.notes, "a scattered wildcard mask ("+w[i+1]+") was read as the range it spans")
			}
			return s, i + 2, true
		}
		return ipSet{hostIval(a)}, i + 1, true
	default:
		if a, ok := c.names[t]; ok {
			if i+1 < len(w) && looksLikeAddr(w[i+1]) {
				m, _ := parseAddr(w[i+1])
				s, _ := maskSet(a, m)
				return s, i + 2, true
			}
			return ipSet{hostIval(a)}, i + 1, true
		}
	}
	return nil, i, false
}

// resolveObject gives the addresses of an ASA object / object-group or an
// IOS object-group, following nested groups once each.
func (c *ciscoCfg) resolveObject(name string) (ipSet, []int) {
	if c.resolving[name] {
		return nil, nil
	}
	c.resolving[name] = true
	defer delete(c.resolving, name)
	var out ipSet
	var lines []int
	if st, ok := c.objects[name]; ok {
		lines = append(lines, st.head.n)
		for _, k := range st.kids {
			w := k.words
			switch {
			case len(w) >= 2 && w[0] == "host":
				s, _, ok := c.addrSpec(w, 0, false)
				if ok {
					out = out.union(s)
				}
			case len(w) >= 2 && w[0] == "subnet":
				s, _, ok := c.addrSpec(w, 1, false)
				if ok {
					out = out.union(s)
				}
			case len(w) >= 3 && w[0] == "range":
				a, ok1 := parseAddr(w[1])
				b, ok2 := parseAddr(w[2])
				if ok1 && ok2 && !b.Less(a) {
					out = out.union(ipSet{ival{toU128(a), toU128(b)}})
				}
			case len(w) >= 2 && w[0] == "fqdn":
				c.d.notes = append(c.d.notes, "object "+name+" is an FQDN and was not resolved")
			default:
				continue
			}
			lines = append(lines, k.n)
		}
		return out, lines
	}
	if st, ok := c.groups[name]; ok {
		lines = append(lines, st.head.n)
		for _, k := range st.kids {
			w := k.words
			i := 0
			if len(w) > 0 && w[0] == "network-object" {
				i = 1
			}
			if len(w) >= 2 && w[0] == "group-object" {
				s, l := c.resolveObject(w[1])
				out = out.union(s)
				lines = append(lines, k.n)
				lines = append(lines, l...)
				continue
			}
			if i < len(w) && w[i] == "range" && i+2 < len(w) {
				a, ok1 := parseAddr(w[i+1])
				b, ok2 := parseAddr(w[i+2])
				if ok1 && ok2 && !b.Less(a) {
					out = out.union(ipSet{ival{toU128(a), toU128(b)}})
					lines = append(lines, k.n)
				}
				continue
			}
			if s, _, ok := c.addrSpec(w, i, false); ok {
				out = out.union(s)
				lines = append(lines, k.n)
			}
		}
		return out, lines
	}
	if a, ok := c.names[name]; ok {
		return ipSet{hostIval(a)}, nil
	}
	c.d.notes = append(c.d.notes, "object "+name+" is referred to but not defined")
	return nil, nil
}

// maxMaskRanges bounds, per config, the ranges scattered wildcard masks
// may expand to; past it each mask is read as the range it spans.
const maxMaskRanges = 10_000

var portOps = map[string]int{"eq": 1, "neq": 1, "lt": 1, "gt": 1, "range": 2}

// ace reads one ACL entry: "[seq] permit|deny PROTO SRC [ports] DST [ports] ...".
func (c *ciscoCfg) ace(w []string, std bool) (key selKey, r rect, ok bool) {
	i := 0
	if i < len(w) {
		if _, err := strconv.Atoi(w[i]); err == nil {
			i++
		}
	}
	if i >= len(w) || (w[i] != "permit" && w[i] != "deny") {
		return key, r, false
	}
	r.deny = w[i] == "deny"
	i++
	wild := !c.asa
	if std {
		s, _, ok := c.addrSpec(w, i, wild)
		if !ok {
			return key, r, false
		}
		return selKey{proto: "ip"}, rect{src: s, dst: ipSet{v4Any}, deny: r.deny}, true
	}
	if i >= len(w) {
		return key, r, false
	}
	key.proto = w[i]
	if (w[i] == "object-group" || w[i] == "object") && i+1 < len(w) {
		key.proto = w[i] + " " + w[i+1]
		i++
	}
	i++
	var okS, okD bool
	r.src, i, okS = c.addrSpec(w, i, wild)
	if !okS {
		return key, r, false
	}
	key.sport, i = c.portsAt(w, i)
	r.dst, i, okD = c.addrSpec(w, i, wild)
	if !okD {
		return key, r, false
	}
	key.dport, _ = c.portsAt(w, i)
	if key.proto == "ip" || key.proto == "ipv6" || key.proto == "any" {
		key.proto = "ip"
	}
	return key, r, true
}

func (c *ciscoCfg) portsAt(w []string, i int) (string, int) {
	if i < len(w) {
		if n, ok := portOps[w[i]]; ok && i+n < len(w) {
			return strings.Join(w[i:i+n+1], " "), i + n + 1
		}
		if (w[i] == "object-group" || w[i] == "object") && i+1 < len(w) {
			if _, net := c.groups[w[i+1]]; !net {
				if _, net := c.objects[w[i+1]]; !net {
					return w[i] + " " + w[i+1], i + 2
				}
			}
		}
	}
	return "", i
}

// anyToV6: in an IPv6 ACL "any" stands for all IPv6 addresses.
func anyToV6(r rect) rect {
	if r.src.equal(ipSet{v4Any}) {
		r.src = v6Any
	}
	if r.dst.equal(ipSet{v4Any}) {
		r.dst = v6Any
	}
	return r
}

// aclSelectors computes what an ACL permits, by protocol, first match
// wins. A deny of all IP traffic shadows every protocol below it.
func (c *ciscoCfg) aclSelectors(name string) (*aclBuilt, bool) {
	a, ok := c.acls[name]
	if !ok {
		return nil, false
	}
	if a.built != nil {
		return a.built, true
	}
	type entry struct {
		key selKey
		r   rect
	}
	var es []entry
	keys := map[selKey]bool{}
	b := &aclBuilt{sel: selectors{}}
	for _, l := range a.aces {
		c.objLines = c.objLines[:0]
		k, r, ok := c.ace(l.words, a.std)
		if ok && a.v6 {
			r = anyToV6(r)
		}
		if !ok {
			continue
		}
		b.lines = append(b.lines, l.n)
		b.lines = append(b.lines, l.cont...)
		b.lines = append(b.lines, c.objLines...)
		es = append(es, entry{k, r})
		if !r.deny {
			keys[k] = true
		}
	}
	for k := range keys {
		var rs []rect
		for _, e := range es {
			if e.key == k || (e.r.deny && e.key.proto == "ip" && e.key.sport == "" && e.key.dport == "") {
				rs = append(rs, e.r)
			}
		}
		if s := build2D(rs); len(s) > 0 {
			b.sel[k] = s
		}
	}
	a.built = b
	return b, true
}

// --- NAT ---

// iosNAT: ip nat inside source {list ACL | route-map RM | static ...} ...
func (c *ciscoCfg) iosNAT(st *stanza, m []string) {
	w := strings.Fields(m[1])
	if len(w) < 2 {
		return
	}
	r := natRule{line: st.head.n, lines: []int{st.head.n}}
	switch w[0] {
	case "list":
		b, ok := c.aclSelectors(w[1])
		if !ok {
			return
		}
		r.match = b.sel.all()
		r.lines = append(r.lines, b.lines...)
	case "route-map":
		r.match, r.lines = c.routeMapMatch(w[1], r.lines)
	case "static":
		rest := w[1:]
		if len(rest) > 0 && (rest[0] == "tcp" || rest[0] == "udp") {
			rest = rest[1:]
		}
		if len(rest) > 0 && rest[0] == "network" {
			rest = rest[1:]
		}
		if len(rest) < 2 {
			return
		}
		var src ipSet
		if len(rest) >= 3 && looksLikeAddr(rest[2]) || (len(rest) >= 3 && strings.HasPrefix(rest[2], "/")) {
			a, _ := parseAddr(rest[0])
			if m, ok := parseAddr(rest[2]); ok {
				src, _ = maskSet(a, m)
			} else if n, err := strconv.Atoi(strings.TrimPrefix(rest[2], "/")); err == nil {
				src = prefixSet(netip.PrefixFrom(a, n))
			}
		} else if a, ok := parseAddr(rest[0]); ok {
			src = ipSet{hostIval(a)}
		}
		if len(src) == 0 {
			return
		}
		if rest[0] == rest[1] { // identity static: no translation
			r.exempt = true
		}
		r.match = build2D([]rect{{src: src, dst: ipSet{v4Any}}})
		if i := slices.Index(w, "route-map"); i > 0 && i+1 < len(w) {
			rm, lines := c.routeMapMatch(w[i+1], nil)
			r.match = r.match.intersect(rm)
			r.lines = append(r.lines, lines...)
		}
	default:
		return
	}
	c.d.nat = append(c.d.nat, r)
}

// routeMapMatch: the pairs a route-map's "match ip address" clauses
// select, sequences in order, deny sequences taking theirs out.
func (c *ciscoCfg) routeMapMatch(name string, lines []int) (set2D, []int) {
	var rs []rect
	for _, e := range c.rmaps[name] {
		lines = append(lines, e.line)
		lines = append(lines, e.matchLines...)
		for _, acl := range e.acls {
			if b, ok := c.aclSelectors(acl); ok {
				rs = append(rs, b.sel.all().rects(e.deny)...)
				lines = append(lines, b.lines...)
			}
		}
	}
	return build2D(rs), lines
}

// objectNAT: "object network O" / " nat (inside,outside) dynamic interface".
func (c *ciscoCfg) objectNAT(st *stanza) {
	for _, k := range st.kids {
		w := k.words
		if len(w) < 3 || w[0] != "nat" {
			continue
		}
		ifOut := ""
		if _, out, ok := strings.Cut(strings.Trim(w[1], "()"), ","); ok {
			ifOut = out
		}
		name := st.head.words[2]
		// resolved later: objects may use names defined further down
		c.deferred = append(c.deferred, func() {
			src, lines := c.resolveObject(name)
			r := natRule{line: k.n, lines: append([]int{k.n}, lines...), ifOut: ifOut, objectNAT: true}
			r.exempt = len(w) >= 4 && w[2] == "static" && (w[3] == name)
			r.match = build2D([]rect{{src: src, dst: ipSet{v4Any}}})
			c.d.nat = append(c.d.nat, r)
		})
	}
}

// asaNAT: twice NAT "nat (in,out) [after-auto] [N] source static|dynamic
// REAL MAPPED [destination static MAPPED_D REAL_D] ...", and the pre-8.3
// "nat (inside) 0 access-list ACL" exemption / "nat (inside) 1 A M".
func (c *ciscoCfg) asaNAT(st *stanza, m []string) {
	w := strings.Fields(m[3])
	r := natRule{line: st.head.n, lines: []int{st.head.n}, ifOut: m[2]}
	if len(w) > 0 && w[0] == "after-auto" {
		r.afterAuto = true
		w = w[1:]
	}
	if len(w) > 0 {
		if _, err := strconv.Atoi(w[0]); err == nil && (len(w) < 2 || w[1] != "access-list") && m[2] != "" {
			w = w[1:] // rule position
		}
	}
	if len(w) >= 3 && w[0] == "0" && w[1] == "access-list" {
		b, ok := c.aclSelectors(w[2])
		if !ok {
			return
		}
		r.exempt, r.match, r.legacy0 = true, b.sel.all(), true
		r.lines = append(r.lines, b.lines...)
		c.d.nat = append(c.d.nat, r)
		return
	}
	if len(w) >= 2 && m[2] == "" { // "nat (inside) 1 10.0.0.0 255.0.0.0"
		s, _, ok := c.addrSpec(w, 1, false)
		if !ok {
			return
		}
		r.match = build2D([]rect{{src: s, dst: ipSet{v4Any}}})
		c.d.nat = append(c.d.nat, r)
		return
	}
	i := slices.Index(w, "source")
	if i < 0 || i+3 >= len(w) {
		return
	}
	kind, real, mapped := w[i+1], w[i+2], w[i+3]
	src, sl := c.natOperand(real)
	dst := ipSet{v4Any}
	identity := kind == "static" && real == mapped
	if j := slices.Index(w, "destination"); j > 0 && j+3 < len(w) {
		var dl []int
		dst, dl = c.natOperand(w[j+3])
		sl = append(sl, dl...)
		identity = identity && w[j+2] == w[j+3]
	}
	r.exempt = identity
	r.lines = append(r.lines, sl...)
	r.match = build2D([]rect{{src: src, dst: dst}})
	c.d.nat = append(c.d.nat, r)
}

func (c *ciscoCfg) natOperand(name string) (ipSet, []int) {
	if name == "any" {
		return ipSet{v4Any}, nil
	}
	return c.resolveObject(name)
}

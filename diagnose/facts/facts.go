package facts

// Vendor names a device family. The strings are the contract's vendor values.
type Vendor string

const (
	VendorUnknown    Vendor = ""
	VendorIOS        Vendor = "ios"
	VendorASA        Vendor = "asa"
	VendorStrongSwan Vendor = "strongswan"
	VendorLibreswan  Vendor = "libreswan"
)

// Line is one logical line of input. A debug line that the terminal or a
// chat client wrapped onto several physical lines is one logical line.
type Line struct {
	// N is the 1-based number of the first physical line in the input.
	N int
	// Last is the number of the last physical line joined into this one.
	Last int
	// Text is the cleaned text used for matching: markdown debris and
	// timestamps removed, tabs turned to spaces, wrapped parts joined with
	// one space. Leading indentation is kept (show outputs nest by it).
	Text string
}

// Section is one command's output (or one run of log lines).
type Section struct {
	Index int
	// Host is the prompt's host name when the section began with a prompt.
	Host string
	// Command is the command echo, expanded to full keywords
	// ("sh cry isa sa" -> "show crypto isakmp sa"); empty when the section
	// was found by its content.
	Command string
	// Echo is the line of the command echo (0 when found by content).
	Echo int
	// Kind is the name of the parser that read it ("" when none did).
	Kind   string
	Vendor Vendor
	Lines  []Line
	// Piece is shared, in order, by the parts of an output parsed in parts
	// (Parser.Cut), nil otherwise: what a parser decided from an earlier
	// part that the later ones keep (e.g. the vendor of the wording).
	Piece map[string]string
}

// First and LastLine give the physical line span of the section.
func (s *Section) First() int {
	if len(s.Lines) == 0 {
		return 0
	}
	return s.Lines[0].N
}

// LastLine is the last physical line number in the section.
func (s *Section) LastLine() int {
	if len(s.Lines) == 0 {
		return 0
	}
	return s.Lines[len(s.Lines)-1].Last
}

// Ref points at the line a fact came from.
type Ref struct {
	Section int // index into the splitter's sections
	Line    int // 1-based physical line number
}

// IKESA is one row of an IKE / ISAKMP SA table (IOS `show crypto isakmp
// sa`, `show crypto ikev2 sa`, ASA `show crypto isakmp sa`, strongSwan
// `swanctl --list-sas`).
type IKESA struct {
	Vendor               Vendor
	Version              int    // 1 or 2; 0 when the table does not say
	AF                   string // "IPv4" or "IPv6" when the table says
	Local                string // local address ("src" on IOS ikev2, "dst" on IOS isakmp)
	Peer                 string // the remote peer address (or name when no address is shown)
	State                string // as printed: QM_IDLE, MM_WAIT_MSG2, READY, ESTABLISHED...
	Status               string // ACTIVE, ACTIVE (deleted)...
	Role                 string // initiator / responder when shown
	ConnID               int
	Deleted              bool
	DPD                  bool // Cap. shows D, or detail shows DPD
	Lifetime             string
	Encr, Hash, Auth, DH string // from detail tables
	Ref                  Ref
}

// Counters of one IPsec SA / flow. A field is -1 when the output does not
// show it.
type Counters struct {
	Encaps, Encrypt, Digest    int64
	Decaps, Decrypt, Verify    int64
	SendErrors, RecvErrors     int64
	ReplayFailed               int64
	VerifyFailed               int64
	NoSASend, InvalidSARecv    int64
	EncapsFailed, DecapsFailed int64
	PreFragFailures            int64
	PMTUsSent, PMTUsRcvd       int64
	FragmentsNeeded            int64 // "#decapsulated frgs needing reassembly"
}

// NoCounters returns Counters with every field unknown.
func NoCounters() Counters {
	return Counters{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
}

// IPsecSA is one ident (proxy / flow) block of `show crypto ipsec sa`.
type IPsecSA struct {
	Vendor             Vendor
	Interface          string
	CryptoMap          string
	LocalAddr          string
	Peer               string // current_peer
	PeerPort           int
	LocalIdent         string // "addr/mask/prot/port" as printed
	RemoteIdent        string
	Counters           Counters
	LocalEndpt         string
	RemoteEndpt        string
	PathMTU            int
	CurrentOutboundSPI string // as printed, "0x0" when none
	InboundSPIs        []string
	OutboundSPIs       []string
	Transforms         []string
	PFS                string // "Y"/"N" when shown
	DHGroup            string
	// Lines of interest, for evidence: counter name -> physical line.
	Lines map[string]int
	Ref   Ref
}

// HasSAs reports whether the block shows any inbound or outbound SA.
func (s *IPsecSA) HasSAs() bool {
	if len(s.InboundSPIs) > 0 || len(s.OutboundSPIs) > 0 {
		return true
	}
	spi := s.CurrentOutboundSPI
	return spi != "" && spi != "0" && spi != "0x0" && spi != "0x0(0)" && spi != "00000000"
}

// Session is one peer of `show crypto session [detail]` or an ASA
// `show vpn-sessiondb detail l2l` connection.
type Session struct {
	Vendor    Vendor
	Interface string
	Peer      string
	Port      int
	Status    string // UP-ACTIVE, UP-IDLE, UP-NO-IKE, DOWN, DOWN-NEGOTIATING
	IKEState  string // Active, Inactive, Negotiating...
	IKECaps   string // capability letters, D = DPD
	Flows     []Flow
	Ref       Ref
}

// Flow is one IPSEC FLOW line with its counters.
type Flow struct {
	Flow                         string
	ActiveSAs                    int
	PktsDecrypted, PktsEncrypted int64 // -1 when not shown
	InDrop, OutDrop              int64
	Ref                          Ref
}

// EventKind is what a debug or log line means in protocol terms. Vendor
// parsers map their wording to these; rules reason over them.
type EventKind string

const (
	EvP1Sent           EventKind = "ike_sent"         // we sent the first IKE packet (MM1 / IKE_SA_INIT)
	EvP1Received       EventKind = "ike_received"     // a packet from the peer arrived during phase 1
	EvP1Retransmit     EventKind = "p1_retransmit"    // phase-1 packet retransmitted (State says where)
	EvP1GiveUp         EventKind = "p1_give_up"       // retransmissions exhausted / peer not responding in phase 1
	EvStateChange      EventKind = "state_change"     // Old State = X New State = Y (State holds Y)
	EvP1ProposalOK     EventKind = "p1_proposal_ok"   // a phase-1 proposal was accepted
	EvP1ProposalBad    EventKind = "p1_proposal_bad"  // one phase-1 proposal rejected (others may follow)
	EvP1NoProposal     EventKind = "p1_no_proposal"   // no phase-1 proposal acceptable at all
	EvP1AttrMismatch   EventKind = "p1_attr_mismatch" // "Hash algorithm offered does not match policy!" (Detail names it)
	EvPSKFound         EventKind = "psk_found"        // a pre-shared key for the peer exists
	EvNoPSK            EventKind = "no_psk"           // no key / tunnel-group / connection for the peer
	EvAuthFailed       EventKind = "auth_failed"      // hash/PSK verification failed, malformed ID payload after keying
	EvAuthOK           EventKind = "auth_ok"          // peer authenticated
	EvIDMismatch       EventKind = "id_mismatch"      // identity not what the config expects
	EvCertInvalid      EventKind = "cert_invalid"     // certificate expired / untrusted / revoked
	EvVersionMismatch  EventKind = "version_mismatch" // IKE major version not supported
	EvNATTProblem      EventKind = "natt_problem"     // NAT detected where not allowed, UDP/4500 problem
	EvNATDetected      EventKind = "nat_detected"     // NAT-D says a NAT is in the path (informational)
	EvP1Complete       EventKind = "p1_complete"      // IKE SA established
	EvXauthRetransmit  EventKind = "xauth_retransmit" // retransmitting CONF_XAUTH: no or bad user answer
	EvXauthFailed      EventKind = "xauth_failed"     // extended authentication failed
	EvXauthOK          EventKind = "xauth_ok"
	EvModeCfgFailed    EventKind = "modecfg_failed" // address / policy assignment failed
	EvP2Start          EventKind = "p2_start"       // quick mode / CREATE_CHILD_SA begun
	EvP2ProposalOK     EventKind = "p2_proposal_ok"
	EvP2ProposalBad    EventKind = "p2_proposal_bad"   // transform / ESP proposal not acceptable
	EvP2NoProposal     EventKind = "p2_no_proposal"    // PROPOSAL_NOT_CHOSEN / no IPsec proposal acceptable
	EvP2ProxyMismatch  EventKind = "p2_proxy_mismatch" // proxy identities / traffic selectors not acceptable
	EvP2PFSMismatch    EventKind = "p2_pfs_mismatch"
	EvP2PolicyRejected EventKind = "p2_policy_rejected" // phase 2 SA policy not acceptable (cause not named)
	EvP2Failed         EventKind = "p2_failed"          // quick mode failed (IKMP_MODE_FAILURE)
	EvP2Complete       EventKind = "p2_complete"        // IPsec / CHILD SA installed
	EvDPDMiss          EventKind = "dpd_miss"           // DPD / keepalive unanswered (counter)
	EvDPDDead          EventKind = "dpd_dead"           // peer declared dead, SA deleted
	EvReplay           EventKind = "replay"             // anti-replay check failed
	EvNoRoute          EventKind = "no_route"           // routing has no entry for the destination
	EvFragNeeded       EventKind = "frag_needed"        // packet too big / fragmentation needed / PMTU
	EvNoCryptoMap      EventKind = "no_crypto_map"      // crypto map / profile not applied, IKE not enabled
	EvTunnelDown       EventKind = "tunnel_down"        // tunnel / SA torn down (log)
	EvLifetimeExpired  EventKind = "lifetime_expired"   // SA expired / rekey failure
	EvSADeleted        EventKind = "sa_deleted"         // an SA was deleted (Detail has the reason)
	EvPingFailed       EventKind = "ping_failed"        // ping result with 0 percent
	EvPingOK           EventKind = "ping_ok"
	EvModeMismatch     EventKind = "mode_mismatch"  // main vs aggressive mode
	EvP2Retransmit     EventKind = "p2_retransmit"  // quick mode / CREATE_CHILD_SA request retransmitted
	EvP2PFSOffered     EventKind = "p2_pfs_offered" // a phase-2 proposal carries a PFS DH group (Detail: the group)

	// Phase-less meanings the engine resolves from context: which proposal
	// check the debug is in (EvContextP1 / EvContextP2), and whether the IKE
	// SA was already up when a NO_PROPOSAL_CHOSEN notify came.
	EvContextP1        EventKind = "context_p1"         // "Checking ISAKMP transform ... against policy"
	EvContextP2        EventKind = "context_p2"         // "Checking IPSec proposal"
	EvProposalOK       EventKind = "proposal_ok"        // "atts are acceptable"
	EvProposalBad      EventKind = "proposal_bad"       // "atts are not acceptable"
	EvNoProposalNotify EventKind = "no_proposal_notify" // NO_PROPOSAL_CHOSEN notify received or sent

	// Observations that decide nothing alone: what was sent, received and
	// offered. Vendor correlators and rules read them as the context that
	// gives a failure line its phase and its detail.
	EvMsgIn        EventKind = "msg_in"        // an IKE message from the peer was parsed (State: exchange; Detail: "request 0 [ SA KE No ]")
	EvMsgOut       EventKind = "msg_out"       // an IKE message to the peer was built (State and Detail as EvMsgIn)
	EvMsgFailed    EventKind = "msg_failed"    // a message from the peer could not be processed (State: exchange; Detail: what failed)
	EvNotifyIn     EventKind = "notify_in"     // an error notify arrived (State: its type), before its exchange says what it means
	EvProposalList EventKind = "proposal_list" // a proposal list printed (State: "received" or "configured"; Detail: the list)
	EvAuthSelf     EventKind = "auth_self"     // this side authenticated itself to the peer (Detail: the method)
	EvConfig       EventKind = "config"        // a configuration value the device printed (State: the key, Detail: the value)
	// EvSAInstallFailed: the kernel refused to install a negotiated IPsec
	// SA (Detail: its error). No contract cause names it; it only says the
	// tunnel is not up.
	EvSAInstallFailed EventKind = "sa_install_failed"
)

// Event is one recognised debug or log line.
type Event struct {
	Kind   EventKind
	Vendor Vendor
	Peer   string // the peer the line names, when it names one
	State  string // the IKE state the line names (e.g. MM_KEY_EXCH), when it does
	Detail string // a short extra: the attribute that mismatched, the delete reason
	Ref    Ref
}

// Route is the result of `show ip route X` / `show ip cef X`.
type Route struct {
	Dest    string
	Found   bool // false for "% Network not in table" or a default-only CEF answer
	Default bool // only the default route covers it
	NextHop string
	Ref     Ref
}

// Ping is one ping result.
type Ping struct {
	Target  string
	Percent int // success rate
	Sent    int
	Ref     Ref
}

// IKEPolicy is one phase-1 policy (`show crypto isakmp policy`, config).
type IKEPolicy struct {
	Vendor                  Vendor
	Priority                int
	Encr, Hash, Auth, Group string
	Lifetime                int // seconds, 0 when unknown
	Default                 bool
	Ref                     Ref
}

// TransformSet is one phase-2 proposal (`show crypto ipsec transform-set`).
type TransformSet struct {
	Vendor     Vendor
	Name       string
	Transforms []string // esp-aes, esp-sha-hmac ...
	Mode       string   // Tunnel / Transport
	Ref        Ref
}

// CryptoMapEntry is one entry of `show crypto map` (or its config).
type CryptoMapEntry struct {
	Vendor          Vendor
	Name            string
	Seq             int
	Peers           []string
	ACL             string
	ACLLines        []string
	TransformSets   []string
	PFS             string // "Y", "N", or a group
	PFSGroup        string
	Lifetime        string
	RRI             bool
	Interfaces      []string // interfaces using the map; empty = not applied
	InterfacesShown bool     // the output had the "Interfaces using crypto map" part
	Ref             Ref
}

// ACLEntry is one access-list line (`show access-lists`, config).
type ACLEntry struct {
	List string
	Seq  int
	Text string // the rule as printed, after the sequence number
	Hits int64  // -1 when not shown
	Ref  Ref
}

// Facts is everything read from one paste.
type Facts struct {
	IKESAs        []IKESA
	IPsecSAs      []IPsecSA
	Sessions      []Session
	Events        []Event
	Routes        []Route
	Pings         []Ping
	Policies      []IKEPolicy
	TransformSets []TransformSet
	CryptoMaps    []CryptoMapEntry
	ACLs          []ACLEntry
	// Empty records commands whose output said there was nothing (e.g.
	// "There are no IKEv2 SAs", an IKE SA table with no rows): command
	// kind -> the line that proves it.
	Empty map[string]Ref
	// Vendors seen, by how many facts each produced.
	Vendors map[Vendor]int
	// Memo keeps what a parser package derives from earlier facts of the
	// same diagnosis, so that a long paste is not re-read for every
	// section (keyed by package, e.g. "ios.localAddrs"). Only the package
	// that set an entry reads it.
	Memo map[string]any `json:"-"`
}

// MarkEmpty records that a table was shown and had no rows.
func (f *Facts) MarkEmpty(kind string, ref Ref) {
	if f.Empty == nil {
		f.Empty = map[string]Ref{}
	}
	if _, ok := f.Empty[kind]; !ok {
		f.Empty[kind] = ref
	}
}

// Saw counts one fact for a vendor.
func (f *Facts) Saw(v Vendor) {
	if v == VendorUnknown {
		return
	}
	if f.Vendors == nil {
		f.Vendors = map[Vendor]int{}
	}
	f.Vendors[v]++
}

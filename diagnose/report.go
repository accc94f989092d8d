package diagnose

// Phase names from the contract.
const (
	PhaseIKE     = "phase1"
	PhaseIPsec   = "phase2"
	PhaseData    = "data"
	PhaseNone    = "none"
	PhaseUnknown = "unknown"
)

// Verdicts from the contract.
const (
	VerdictDown     = "down"
	VerdictDegraded = "degraded"
	VerdictUp       = "up"
	VerdictUnknown  = "unknown"
)

// Cause codes from the contract. Stable: add, never rename or repurpose.
const (
	CauseHealthy                 = "healthy"
	CauseNoInterestingTraffic    = "no_interesting_traffic"
	CausePeerUnreachable         = "peer_unreachable"
	CauseIKEProposalMismatch     = "ike_proposal_mismatch"
	CausePSKMismatch             = "psk_mismatch"
	CauseMissingPeerConfig       = "missing_peer_config"
	CauseIDMismatch              = "id_mismatch"
	CauseCertInvalid             = "cert_invalid"
	CauseIKEVersionMismatch      = "ike_version_mismatch"
	CauseNATTIssue               = "nat_t_issue"
	CauseXauthFailure            = "xauth_failure"
	CauseModeConfigFailure       = "mode_config_failure"
	CauseESPProposalMismatch     = "esp_proposal_mismatch"
	CauseTrafficSelectorMismatch = "traffic_selector_mismatch"
	CausePFSMismatch             = "pfs_mismatch"
	CauseOneWayOutbound          = "one_way_outbound"
	CauseOneWayInbound           = "one_way_inbound"
	CauseAntiReplayDrops         = "anti_replay_drops"
	CauseDPDPeerDead             = "dpd_peer_dead"
	CauseLifetimeMismatch        = "lifetime_mismatch"
	CauseMTUFragmentation        = "mtu_fragmentation"
	CauseUnknown                 = "unknown"
)

// CausePhase maps every cause code to the phase the contract gives it.
var CausePhase = map[string]string{
	CauseHealthy:                 PhaseNone,
	CauseNoInterestingTraffic:    PhaseIKE,
	CausePeerUnreachable:         PhaseIKE,
	CauseIKEProposalMismatch:     PhaseIKE,
	CausePSKMismatch:             PhaseIKE,
	CauseMissingPeerConfig:       PhaseIKE,
	CauseIDMismatch:              PhaseIKE,
	CauseCertInvalid:             PhaseIKE,
	CauseIKEVersionMismatch:      PhaseIKE,
	CauseNATTIssue:               PhaseIKE,
	CauseXauthFailure:            PhaseIKE,
	CauseModeConfigFailure:       PhaseIKE,
	CauseESPProposalMismatch:     PhaseIPsec,
	CauseTrafficSelectorMismatch: PhaseIPsec,
	CausePFSMismatch:             PhaseIPsec,
	CauseOneWayOutbound:          PhaseData,
	CauseOneWayInbound:           PhaseData,
	CauseAntiReplayDrops:         PhaseData,
	CauseDPDPeerDead:             PhaseData,
	CauseLifetimeMismatch:        PhaseData,
	CauseMTUFragmentation:        PhaseData,
	CauseUnknown:                 PhaseUnknown,
}

// Evidence is one device line that supports a finding, quoted as given
// (secrets redacted) with its 1-based line number in the input.
type Evidence struct {
	Section string `json:"section"`
	Line    int    `json:"line"`
	Text    string `json:"text"`
}

// Finding is one diagnosis: a phase, a cause, the lines that prove it and
// the fix. Every finding carries at least one evidence line.
type Finding struct {
	Phase      string     `json:"phase"`
	Cause      string     `json:"cause"`
	Confidence float64    `json:"confidence"`
	Peer       string     `json:"peer,omitempty"`
	State      string     `json:"state,omitempty"`
	Summary    string     `json:"summary"`
	Evidence   []Evidence `json:"evidence"`
	Fix        []string   `json:"fix"`
}

// Report is the contract's output object: the primary finding at the top
// level, every finding (best first) in Findings.
type Report struct {
	Phase      string     `json:"phase"`
	Cause      string     `json:"cause"`
	Verdict    string     `json:"verdict"`
	Confidence float64    `json:"confidence"`
	Vendor     string     `json:"vendor"`
	Peer       string     `json:"peer"`
	State      string     `json:"state"`
	Summary    string     `json:"summary"`
	Evidence   []Evidence `json:"evidence"`
	Fix        []string   `json:"fix"`
	Findings   []Finding  `json:"findings"`

	// Readable reports whether the input held anything the engine could
	// read; the CLI exits 1 when it did not.
	Readable bool `json:"-"`
	// Sections lists what the engine recognised, for "what was read".
	Sections []SectionInfo `json:"-"`
}

// SectionInfo names one recognised section of the input.
type SectionInfo struct {
	Command   string // the command echo or the recognised output kind
	Vendor    string
	FirstLine int
	LastLine  int
}

// VerdictFor gives the verdict for a finding's phase and cause.
func VerdictFor(phase, cause string) string {
	switch {
	case cause == CauseHealthy:
		return VerdictUp
	case phase == PhaseIKE || phase == PhaseIPsec:
		return VerdictDown
	case cause == CauseOneWayInbound || cause == CauseOneWayOutbound || cause == CauseDPDPeerDead:
		return VerdictDown
	case phase == PhaseData:
		return VerdictDegraded
	}
	return VerdictUnknown
}

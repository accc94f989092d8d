package devices

import "github.com/tunneldoc/tunneldoc/devices/sshx"

// Kind and Error are shared with sshx so that one errors.Is works on any
// failure from this package or below. The set of kinds is append-only.
type (
	Kind  = sshx.Kind
	Error = sshx.Error
)

// Transport kinds, re-exported from sshx.
const (
	Unreachable        = sshx.Unreachable
	Timeout            = sshx.Timeout
	AuthFailed         = sshx.AuthFailed
	HostKeyUnknown     = sshx.HostKeyUnknown
	HostKeyChanged     = sshx.HostKeyChanged
	OutputCut          = sshx.OutputCut
	NoCommonAlgorithm  = sshx.NoCommonAlgorithm
	CredentialsMissing = sshx.CredentialsMissing
	SessionFailed      = sshx.SessionFailed
	BadConfig          = sshx.BadConfig
	Canceled           = sshx.Canceled
	ConnectionLost     = sshx.ConnectionLost
)

// Inventory kinds.
const (
	UnknownPeer   Kind = "unknown peer"   // no device terminates the peer
	UnknownDevice Kind = "unknown device" // "on <device>" names no inventory device
	AmbiguousPeer Kind = "ambiguous peer" // several devices terminate the peer; name one
	BadInventory  Kind = "bad inventory"  // the inventory file does not validate
)

// KindOf returns the kind of err, or "" when it carries none.
func KindOf(err error) Kind { return sshx.KindOf(err) }

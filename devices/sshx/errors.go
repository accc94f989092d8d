package sshx

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"golang.org/x/crypto/ssh"
)

// Kind classifies a failure so that callers can pick a reaction without
// reading message text. The set is append-only: add kinds, never rename or
// repurpose one. A Kind is itself an error so that errors.Is(err, Timeout)
// works on any *Error.
type Kind string

func (k Kind) Error() string { return string(k) }

// Transport kinds. Package devices adds inventory kinds of the same type.
const (
	Unreachable        Kind = "unreachable"         // refused, no route, name not found, closed during handshake
	Timeout            Kind = "timeout"             // connect, handshake or command did not finish in time
	AuthFailed         Kind = "auth failed"         // login or enable refused
	HostKeyUnknown     Kind = "host key unknown"    // not in known_hosts and trust on first use is off
	HostKeyChanged     Kind = "host key changed"    // known_hosts holds another key for this host
	OutputCut          Kind = "output cut"          // a command printed more than the cap
	NoCommonAlgorithm  Kind = "no common algorithm" // kex/cipher/MAC/host-key negotiation failed
	CredentialsMissing Kind = "credentials missing" // the referenced secret could not be read
	SessionFailed      Kind = "session failed"      // channel, PTY or shell could not be opened
	BadConfig          Kind = "bad configuration"   // a target that cannot be dialed as given
	Canceled           Kind = "canceled"            // the caller's context ended
	ConnectionLost     Kind = "connection lost"     // the device closed the connection mid-output
)

// Error is one failure: its kind, where it happened and an actionable
// sentence. Err keeps the underlying cause for logs and errors.As.
type Error struct {
	Kind   Kind
	Device string // inventory name
	Addr   string // host:port dialed
	Msg    string // the sentence for the engineer
	Err    error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap exposes the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, sshx.Timeout) true for an *Error of that kind.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// KindOf returns the kind of err, or "" when err carries none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	var k Kind
	if errors.As(err, &k) {
		return k
	}
	return ""
}

func (t *Target) where() string {
	return fmt.Sprintf("%s (%s)", t.Name, t.Addr)
}

// classifyDial turns a TCP dial error into an *Error.
func classifyDial(t *Target, err error, timeout bool) error {
	switch {
	case timeout || os.IsTimeout(err) || errors.Is(err, os.ErrDeadlineExceeded):
		return &Error{Kind: Timeout, Device: t.Name, Addr: t.Addr, Err: err,
			Msg: fmt.Sprintf("no TCP answer from %s within %s: the device is down, the address or port is wrong, or a firewall drops SSH from this host", t.where(), t.connectTimeout())}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Kind: Unreachable, Device: t.Name, Addr: t.Addr, Err: err,
			Msg: fmt.Sprintf("connection refused by %s: nothing accepts SSH on that port; check the port in the inventory, that SSH is enabled on the device (IOS `ip ssh version 2` + `transport input ssh`, ASA `ssh <net> <mask> <iface>`) and that no ACL rejects this host", t.where())}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &Error{Kind: Unreachable, Device: t.Name, Addr: t.Addr, Err: err,
			Msg: fmt.Sprintf("cannot resolve the address of %s: %v; put an IP address or a resolvable name in the inventory", t.where(), dnsErr)}
	}
	return &Error{Kind: Unreachable, Device: t.Name, Addr: t.Addr, Err: err,
		Msg: fmt.Sprintf("cannot reach %s: %v; check the route from this host to the device's management address", t.where(), err)}
}

// classifyHandshake turns an ssh.NewClientConn error into an *Error.
// hostKeyErr is what our host key callback refused, if anything.
func classifyHandshake(t *Target, err error, hostKeyErr error, timedOut bool, methods []string) error {
	if hostKeyErr != nil {
		return hostKeyErr
	}
	if timedOut {
		return &Error{Kind: Timeout, Device: t.Name, Addr: t.Addr, Err: err,
			Msg: fmt.Sprintf("SSH handshake with %s did not finish within %s: the device accepted TCP but stalled during key exchange or login (overloaded, vty lines all busy, or an AAA server that does not answer)", t.where(), t.handshakeTimeout())}
	}
	var neg *ssh.AlgorithmNegotiationError
	if errors.As(err, &neg) {
		return &Error{Kind: NoCommonAlgorithm, Device: t.Name, Addr: t.Addr, Err: err, Msg: negotiationMessage(t, neg)}
	}
	msg := err.Error()
	if strings.Contains(msg, "unable to authenticate") {
		return &Error{Kind: AuthFailed, Device: t.Name, Addr: t.Addr, Err: err,
			Msg: fmt.Sprintf("%s refused the login for user %q (tried %s): check the username and the credentials the inventory points to, and that the account may log in over SSH (AAA, `login local`)", t.where(), t.User, strings.Join(methods, ", "))}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		return &Error{Kind: Unreachable, Device: t.Name, Addr: t.Addr, Err: err,
			Msg: fmt.Sprintf("%s closed the connection during the SSH handshake: an ACL on the vty lines, too many sessions, or SSH not fully set up on the device (no host key generated)", t.where())}
	}
	return &Error{Kind: Unreachable, Device: t.Name, Addr: t.Addr, Err: err,
		Msg: fmt.Sprintf("SSH handshake with %s failed: %v", t.where(), err)}
}

func negotiationMessage(t *Target, neg *ssh.AlgorithmNegotiationError) string {
	insecure := ssh.InsecureAlgorithms()
	key, legacy := "", []string(nil)
	var known []string
	switch {
	case strings.Contains(neg.What, "key exchange"):
		key, known = "key_exchanges", insecure.KeyExchanges
	case strings.Contains(neg.What, "host key"):
		key, known = "host_keys", insecure.HostKeys
	case strings.Contains(neg.What, "cipher"):
		key, known = "ciphers", insecure.Ciphers
	case strings.Contains(neg.What, "MAC"):
		key, known = "macs", insecure.MACs
	}
	var offered []string
	for _, a := range neg.RequestedAlgorithms {
		// Protocol extension markers are not algorithms a person can pick.
		if strings.HasPrefix(a, "kex-strict-") || strings.HasPrefix(a, "ext-info-") {
			continue
		}
		offered = append(offered, a)
		for _, k := range known {
			if a == k {
				legacy = append(legacy, a)
			}
		}
	}
	if len(legacy) > 0 {
		return fmt.Sprintf("%s offers only legacy algorithms for %s (%s), which tunneldoc uses only when the device entry turns them on: add `algorithms: {%s: [%s]}` to this device in the inventory, or better, upgrade the device's SSH settings",
			t.where(), neg.What, strings.Join(offered, ", "), key, legacy[0])
	}
	return fmt.Sprintf("%s and tunneldoc have no %s algorithm in common: the device offers %s", t.where(), neg.What, strings.Join(offered, ", "))
}

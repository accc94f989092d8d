package sshx

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// knownHostsMu serialises trust-on-first-use appends within this process.
var knownHostsMu sync.Mutex

type hostKeyChecker struct {
	t       *Target
	check   ssh.HostKeyCallback
	refused error // what callback refused, kept so the handshake error can report it
}

func newHostKeyChecker(t *Target) (*hostKeyChecker, error) {
	if t.KnownHostsFile == "" {
		return nil, &Error{Kind: BadConfig, Device: t.Name, Addr: t.Addr,
			Msg: fmt.Sprintf("no known_hosts file configured for %s: set known_hosts in the inventory (tunneldoc never skips host key checks)", t.Name)}
	}
	knownHostsMu.Lock()
	defer knownHostsMu.Unlock()
	files := []string{t.KnownHostsFile}
	if _, err := os.Stat(t.KnownHostsFile); errors.Is(err, os.ErrNotExist) {
		// A missing file is an empty one: every key is unknown. Create it
		// only when keys may be added to it.
		files = nil
		if t.TrustOnFirstUse {
			if err := os.MkdirAll(filepath.Dir(t.KnownHostsFile), 0o700); err != nil {
				return nil, &Error{Kind: BadConfig, Device: t.Name, Addr: t.Addr, Err: err, Msg: fmt.Sprintf("cannot create the known_hosts directory for %s: %v", t.Name, err)}
			}
		}
	}
	cb, err := knownhosts.New(files...)
	if err != nil {
		return nil, &Error{Kind: BadConfig, Device: t.Name, Addr: t.Addr, Err: err, Msg: fmt.Sprintf("cannot read known_hosts file %s: %v", t.KnownHostsFile, err)}
	}
	return &hostKeyChecker{t: t, check: cb}, nil
}

// probeKey is a key no host has; asking known_hosts about it returns the
// keys that are known for the host.
var probeKey = sync.OnceValue(func() ssh.PublicKey {
	pub, _, _ := ed25519.GenerateKey(nil)
	k, _ := ssh.NewPublicKey(pub)
	return k
})

// knownKeys lists the known_hosts entries for the target.
func (h *hostKeyChecker) knownKeys() []knownhosts.KnownKey {
	err := h.check(knownhosts.Normalize(h.t.Addr), fakeAddr(h.t.Addr), probeKey())
	var ke *knownhosts.KeyError
	if errors.As(err, &ke) {
		return ke.Want
	}
	return nil
}

// algorithms narrows the host key algorithms to the types already known
// for this host, so a device with both an RSA and an ECDSA key is not
// reported as "changed" because it offered the other one.
func (h *hostKeyChecker) algorithms(offer []string) []string {
	known := h.knownKeys()
	if len(known) == 0 {
		return offer
	}
	var out []string
	for _, a := range offer {
		for _, k := range known {
			if algoForKeyType(a) == k.Key.Type() && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		return offer
	}
	return out
}

func algoForKeyType(algo string) string {
	switch algo {
	case ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSA:
		return ssh.KeyAlgoRSA
	}
	return algo
}

func (h *hostKeyChecker) callback(hostname string, remote net.Addr, key ssh.PublicKey) error {
	err := h.check(hostname, remote, key)
	if err == nil {
		return nil
	}
	t := h.t
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		h.refused = &Error{Kind: HostKeyUnknown, Device: t.Name, Addr: t.Addr, Err: err, Msg: fmt.Sprintf("host key check for %s failed: %v", t.where(), err)}
		return h.refused
	}
	fp := key.Type() + " " + ssh.FingerprintSHA256(key)
	if len(ke.Want) == 0 {
		if t.TrustOnFirstUse {
			if err := appendKnownHost(t.KnownHostsFile, hostname, key); err != nil {
				h.refused = &Error{Kind: HostKeyUnknown, Device: t.Name, Addr: t.Addr, Err: err, Msg: fmt.Sprintf("host key for %s (%s) could not be saved to %s: %v", t.where(), fp, t.KnownHostsFile, err)}
				return h.refused
			}
			return nil
		}
		host, port, _ := net.SplitHostPort(t.Addr)
		h.refused = &Error{Kind: HostKeyUnknown, Device: t.Name, Addr: t.Addr, Err: err,
			Msg: fmt.Sprintf("host key for %s is not in known_hosts (%s): the device offers %s. Compare it with the device's own fingerprint, then add it with `ssh-keyscan -p %s %s >> %s`, or set trust_on_first_use: true for this device in the inventory",
				t.where(), t.KnownHostsFile, fp, port, host, t.KnownHostsFile)}
		return h.refused
	}
	var had []string
	for _, w := range ke.Want {
		had = append(had, fmt.Sprintf("%s %s (%s:%d)", w.Key.Type(), ssh.FingerprintSHA256(w.Key), w.Filename, w.Line))
	}
	h.refused = &Error{Kind: HostKeyChanged, Device: t.Name, Addr: t.Addr, Err: err,
		Msg: fmt.Sprintf("host key for %s CHANGED: known_hosts has %s but the device now offers %s. Refusing to log in: this is what a man-in-the-middle looks like. If the device was replaced or its keys regenerated, remove the old entry with `ssh-keygen -R '%s' -f %s` and add the new key",
			t.where(), strings.Join(had, ", "), fp, knownhosts.Normalize(t.Addr), t.KnownHostsFile)}
	return h.refused
}

func appendKnownHost(file, hostname string, key ssh.PublicKey) error {
	knownHostsMu.Lock()
	defer knownHostsMu.Unlock()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key) + "\n"
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fakeAddr gives knownhosts a net.Addr for the probe; it only reads the
// IP when the hostname is not already an address.
func fakeAddr(hostport string) net.Addr {
	host, _, _ := net.SplitHostPort(hostport)
	ip := net.ParseIP(host)
	if ip == nil {
		ip = net.IPv4zero // no DNS lookup for a probe
	}
	return &net.TCPAddr{IP: ip, Port: 22}
}

// KnownHostsLine renders a known_hosts line for addr and an authorized-key
// formatted public key; the lab uses it to write its known_hosts.
func KnownHostsLine(addr string, authorizedKey []byte) (string, error) {
	k, _, _, _, err := ssh.ParseAuthorizedKey(authorizedKey)
	if err != nil {
		return "", err
	}
	return knownhosts.Line([]string{knownhosts.Normalize(addr)}, k), nil
}

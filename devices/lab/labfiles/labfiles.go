package labfiles

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/tunneldoc/tunneldoc/devices/sshx"
)

// Host is one host key the known_hosts file pins.
type Host struct {
	Addr string // host:port
	Key  []byte // public key, authorized_keys format
}

// Credential is the lab's credential file (a password or a private key),
// written with mode 0600 and named by the inventory.
type Credential struct {
	Name    string // file name inside the folder
	Content []byte
}

// Write writes known_hosts (every host's key), the credential file and
// inventory.yaml (the given text, its paths relative to it) into dir,
// making dir (mode 0700) when needed, and returns the inventory's path.
func Write(dir string, hosts []Host, cred Credential, inventory string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	var kh strings.Builder
	for _, h := range hosts {
		line, err := sshx.KnownHostsLine(h.Addr, h.Key)
		if err != nil {
			return "", err
		}
		kh.WriteString(line + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "known_hosts"), []byte(kh.String()), 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, cred.Name), cred.Content, 0o600); err != nil {
		return "", err
	}
	inv := filepath.Join(dir, "inventory.yaml")
	if err := os.WriteFile(inv, []byte(inventory), 0o600); err != nil {
		return "", err
	}
	return inv, nil
}

package sshx_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/devices/sshx"
)

func startLab(t *testing.T, opts lab.Options) (*lab.Lab, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l, err := lab.Start(ctx, opts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); l.Close() })
	dir := t.TempDir()
	if _, err := l.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	return l, filepath.Join(dir, "known_hosts")
}

func newKey(t *testing.T) (ssh.Signer, []byte, ed25519.PrivateKey) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return s, pem.EncodeToMemory(blk), priv
}

func exec(t *testing.T, target sshx.Target) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := sshx.Dial(ctx, target)
	if err != nil {
		return err
	}
	defer c.Close()
	out, err := c.Exec(ctx, "swanctl --list-sas", sshx.Limits{})
	if err != nil {
		return err
	}
	if !strings.Contains(out, "ESTABLISHED") {
		t.Errorf("unexpected output %q", out)
	}
	return nil
}

func TestAuthMethods(t *testing.T) {
	signer, keyPEM, priv := newKey(t)
	for _, only := range []string{"password", "keyboard-interactive", "publickey"} {
		t.Run(only, func(t *testing.T) {
			l, kh := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "swan-healthy"}}, OnlyAuth: only, AuthorizedKey: signer.PublicKey()})
			d := l.Devices[0]
			target := sshx.Target{Name: d.Name, Addr: d.Addr, User: l.Username, KnownHostsFile: kh}
			switch only {
			case "publickey":
				target.Credentials.PrivateKeyPEM = keyPEM
				if err := exec(t, target); err != nil {
					t.Fatalf("key file: %v", err)
				}
				// The same key through ssh-agent (SSH_AUTH_SOCK).
				sock := filepath.Join(t.TempDir(), "agent.sock")
				ln, err := net.Listen("unix", sock)
				if err != nil {
					t.Fatal(err)
				}
				defer ln.Close()
				keyring := agent.NewKeyring()
				if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
					t.Fatal(err)
				}
				go func() {
					for {
						c, err := ln.Accept()
						if err != nil {
							return
						}
						go func() { defer c.Close(); _ = agent.ServeAgent(keyring, c) }()
					}
				}()
				if err := exec(t, sshx.Target{Name: d.Name, Addr: d.Addr, User: l.Username, KnownHostsFile: kh, Credentials: sshx.Credentials{AgentSocket: sock}}); err != nil {
					t.Fatalf("ssh-agent: %v", err)
				}
				// A password alone is refused, and said so.
				err = exec(t, sshx.Target{Name: d.Name, Addr: d.Addr, User: l.Username, KnownHostsFile: kh, Credentials: sshx.Credentials{Password: l.Password}})
				if !errors.Is(err, sshx.AuthFailed) {
					t.Fatalf("password on a key-only device: %v", err)
				}
			default:
				target.Credentials.Password = l.Password
				if err := exec(t, target); err != nil {
					t.Fatalf("%s: %v", only, err)
				}
			}
		})
	}
}

func TestEncryptedKeyNeedsPassphrase(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	blk, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("s3cret-phrase"))
	if err != nil {
		t.Fatal(err)
	}
	l, kh := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "swan-healthy"}}})
	d := l.Devices[0]
	err = exec(t, sshx.Target{Name: d.Name, Addr: d.Addr, User: l.Username, KnownHostsFile: kh, Credentials: sshx.Credentials{PrivateKeyPEM: pem.EncodeToMemory(blk)}})
	if !errors.Is(err, sshx.CredentialsMissing) || !strings.Contains(err.Error(), "passphrase") {
		t.Fatalf("encrypted key without passphrase: %v", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Fatal("passphrase leaked into the message")
	}
}

func TestNoKnownHostsFileIsAnError(t *testing.T) {
	l, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "swan-healthy"}}})
	d := l.Devices[0]
	err := exec(t, sshx.Target{Name: d.Name, Addr: d.Addr, User: l.Username, Credentials: sshx.Credentials{Password: l.Password}})
	if !errors.Is(err, sshx.BadConfig) || !strings.Contains(err.Error(), "never skips host key checks") {
		t.Fatalf("dial without known_hosts: %v", err)
	}
}

// A missing known_hosts file refuses every key without creating the
// file; with trust on first use the file is created and the key saved.
func TestMissingKnownHostsFile(t *testing.T) {
	l, _ := startLab(t, lab.Options{Devices: []lab.DeviceConfig{{Scenario: "swan-healthy"}}})
	d := l.Devices[0]
	kh := filepath.Join(t.TempDir(), "sub", "known_hosts")
	target := sshx.Target{Name: d.Name, Addr: d.Addr, User: l.Username, KnownHostsFile: kh, Credentials: sshx.Credentials{Password: l.Password}}
	if err := exec(t, target); !errors.Is(err, sshx.HostKeyUnknown) {
		t.Fatalf("want HostKeyUnknown, got %v", err)
	}
	if _, err := os.Stat(kh); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("known_hosts created without trust on first use: %v", err)
	}
	target.TrustOnFirstUse = true
	if err := exec(t, target); err != nil {
		t.Fatal(err)
	}
	target.TrustOnFirstUse = false
	if err := exec(t, target); err != nil {
		t.Fatalf("the saved key is not trusted afterwards: %v", err)
	}
}

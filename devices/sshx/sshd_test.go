package sshx

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// deviceScript answers like a router: one command per exec channel
// ($SSH_ORIGINAL_COMMAND), or a prompt loop on an interactive shell.
const deviceScript = `#!/bin/sh
answer() {
  case "$1" in
    "show crypto isakmp sa")
      printf 'IPv4 Crypto ISAKMP SA\n'
      printf 'dst             src             state          conn-id status\n'
      printf '40.10.1.1       30.3.1.1        QM_IDLE           1019 ACTIVE\n' ;;
    "terminal length 0") ;;
    "hang") sleep 20 ;;
    *) printf "%% Invalid input detected at '^' marker.\n" ;;
  esac
}
if [ -n "$SSH_ORIGINAL_COMMAND" ]; then
  answer "$SSH_ORIGINAL_COMMAND"
  exit 0
fi
printf '\nR1#'
while IFS= read -r line; do
  line=$(printf '%s' "$line" | tr -d '\r')
  [ "$line" = exit ] && exit 0
  answer "$line"
  printf 'R1#'
done
`

type sshd struct {
	addr       string
	knownHosts string
	hostFP     string
	clientKey  []byte
	dir        string
}

// needSSHD skips when sshd is missing outside CI, and fails in CI, where
// .ci/run installs openssh-server.
func needSSHD(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/sshd", "/usr/bin/sshd"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("sshd not found: CI must install openssh-server")
	}
	t.Skip("sshd not found (apt-get install openssh-server); skipping the real-sshd interop tests")
	return ""
}

func startSSHD(t *testing.T) *sshd {
	bin := needSSHD(t)
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("the sshd interop test runs sshd as root; CI runs as root")
		}
		t.Skip("sshd interop needs root (sshd checks file ownership and switches users)")
	}
	// Not t.TempDir: its parent is 0700, and the forced command must be
	// reachable by the throwaway account too.
	dir, err := os.MkdirTemp("", "tunneldoc-sshd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	hostPEM, err := ssh.MarshalPrivateKey(hostPriv, "")
	if err != nil {
		t.Fatal(err)
	}
	hostKey := write("host_ed25519", pem.EncodeToMemory(hostPEM), 0o600)
	hostSigner, _ := ssh.NewSignerFromKey(hostPriv)

	_, clientPriv, _ := ed25519.GenerateKey(rand.Reader)
	clientPEM, _ := ssh.MarshalPrivateKey(clientPriv, "")
	clientSigner, _ := ssh.NewSignerFromKey(clientPriv)
	authKeys := write("authorized_keys", ssh.MarshalAuthorizedKey(clientSigner.PublicKey()), 0o644)
	script := write("device.sh", []byte(deviceScript), 0o755)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cfg := write("sshd_config", []byte(fmt.Sprintf(`Port %s
ListenAddress 127.0.0.1
HostKey %s
PidFile %s
AuthorizedKeysFile %s
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin yes
StrictModes no
MaxStartups 20
LogLevel INFO
ForceCommand %s
`, port, hostKey, filepath.Join(dir, "sshd.pid"), authKeys, script)), 0o600)
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatalf("privilege separation directory: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-D", "-e", "-f", cfg)
	// sshd says "Server listening on ..." (LogLevel INFO) once its socket
	// is bound: wait for that line, for sshd's exit or for the deadline.
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start sshd: %v", err)
	}
	var logMu sync.Mutex
	var log strings.Builder
	listening, exited := make(chan struct{}), make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		said := false
		for sc.Scan() { // drained to the end, so sshd never blocks on its log
			logMu.Lock()
			log.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			if !said && strings.Contains(sc.Text(), "Server listening on") {
				said = true
				close(listening)
			}
		}
		_ = cmd.Wait() // after the last read, as os/exec asks
		close(exited)
	}()
	t.Cleanup(func() {
		cancel() // kills the sshd this test started, by its own process
		<-exited
	})
	sshdLog := func() string {
		logMu.Lock()
		defer logMu.Unlock()
		return log.String()
	}
	select {
	case <-listening:
	case <-exited:
		t.Fatalf("sshd exited before it listened on %s: %s", addr, sshdLog())
	case <-time.After(10 * time.Second):
		t.Fatalf("sshd did not listen on %s within 10s: %s", addr, sshdLog())
	}
	khLine, _ := KnownHostsLine(addr, ssh.MarshalAuthorizedKey(hostSigner.PublicKey()))
	kh := write("known_hosts", []byte(khLine+"\n"), 0o600)
	return &sshd{addr: addr, knownHosts: kh, hostFP: ssh.FingerprintSHA256(hostSigner.PublicKey()), clientKey: pem.EncodeToMemory(clientPEM), dir: dir}
}

func currentUser(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}

func TestRealSSHD(t *testing.T) {
	d := startSSHD(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	target := func() Target {
		return Target{Name: "r1", Addr: d.addr, User: currentUser(t), KnownHostsFile: d.knownHosts,
			Credentials: Credentials{PrivateKeyPEM: d.clientKey}, HandshakeTimeout: 10 * time.Second}
	}

	t.Run("key auth and exec", func(t *testing.T) {
		c, err := Dial(ctx, target())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		out, err := c.Exec(ctx, "show crypto isakmp sa", Limits{Timeout: 20 * time.Second})
		if err != nil || !strings.Contains(out, "QM_IDLE") {
			t.Fatalf("exec: %q %v", out, err)
		}
	})

	t.Run("interactive shell with a real PTY", func(t *testing.T) {
		c, err := Dial(ctx, target())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sh, err := c.Shell(ctx, ShellConfig{Setup: []string{"terminal length 0"}, Limits: Limits{Timeout: 20 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		defer sh.Close()
		if sh.Hostname() != "R1" {
			t.Errorf("hostname %q", sh.Hostname())
		}
		out, err := sh.Run(ctx, "show crypto isakmp sa", Limits{Timeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		want := "IPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n40.10.1.1       30.3.1.1        QM_IDLE           1019 ACTIVE\n"
		if out != want {
			t.Errorf("shell output (echo and prompt must be gone, CRs too):\n got %q\nwant %q", out, want)
		}
	})

	t.Run("unknown host key refused", func(t *testing.T) {
		tg := target()
		tg.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
		_, err := Dial(ctx, tg)
		if !errors.Is(err, HostKeyUnknown) || !strings.Contains(err.Error(), d.hostFP) {
			t.Fatalf("want HostKeyUnknown naming %s, got %v", d.hostFP, err)
		}
	})

	t.Run("wrong password is an auth failure", func(t *testing.T) {
		tg := target()
		tg.Credentials = Credentials{Password: "certainly-not-the-password"}
		_, err := Dial(ctx, tg)
		if !errors.Is(err, AuthFailed) || !strings.Contains(err.Error(), "refused the login for user") {
			t.Fatalf("want AuthFailed, got %v", err)
		}
	})

	t.Run("hanging command times out", func(t *testing.T) {
		c, err := Dial(ctx, target())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		out, err := c.Exec(ctx, "hang", Limits{Timeout: 500 * time.Millisecond})
		if !errors.Is(err, Timeout) || !strings.Contains(err.Error(), "did not finish within 500ms") {
			t.Fatalf("want Timeout, got %q %v", out, err)
		}
	})

	t.Run("password auth", func(t *testing.T) {
		const name = "tunneldoc-test"
		if os.Getenv("CI") != "true" {
			t.Skip("password auth needs a throwaway account with a password; created only in CI (CI=true)")
		}
		pw := "pw-" + rand.Text()[:16]
		if _, err := user.Lookup(name); err != nil {
			if out, err := exec.Command("useradd", "-M", "-d", "/", "-s", "/bin/sh", name).CombinedOutput(); err != nil {
				t.Fatalf("useradd: %v %s", err, out)
			}
		}
		chpasswd := exec.Command("chpasswd")
		chpasswd.Stdin = strings.NewReader(name + ":" + pw + "\n")
		if out, err := chpasswd.CombinedOutput(); err != nil {
			t.Fatalf("chpasswd: %v %s", err, out)
		}
		tg := target()
		tg.User, tg.Credentials = name, Credentials{Password: pw}
		c, err := Dial(ctx, tg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		out, err := c.Exec(ctx, "show crypto isakmp sa", Limits{Timeout: 20 * time.Second})
		if err != nil || !strings.Contains(out, "QM_IDLE") {
			t.Fatalf("exec as %s: %q %v", name, out, err)
		}
		tg.Credentials.Password = "wrong"
		if _, err := Dial(ctx, tg); !errors.Is(err, AuthFailed) {
			t.Fatalf("wrong password for a real account: %v", err)
		}
	})
}

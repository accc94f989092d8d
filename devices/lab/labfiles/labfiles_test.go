package labfiles_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/tunneldoc/tunneldoc/devices/lab/labfiles"
)

// TestWrite: the folder is made private, every file is 0600, the
// known_hosts file pins each host's key at its address (and no other
// key), and the inventory and credential are written as given.
func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lab")
	var hosts []labfiles.Host
	var keys []ssh.PublicKey
	for _, addr := range []string{"127.0.0.1:2201", "198.18.73.5:22"} {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
		hosts = append(hosts, labfiles.Host{Addr: addr, Key: ssh.MarshalAuthorizedKey(k)})
	}
	inv, err := labfiles.Write(dir, hosts, labfiles.Credential{Name: "lab-password", Content: []byte("pw\n")}, "devices: []\n")
	if err != nil {
		t.Fatal(err)
	}
	if inv != filepath.Join(dir, "inventory.yaml") {
		t.Errorf("inventory at %s", inv)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("folder: %v, %v", fi.Mode(), err)
	}
	for name, want := range map[string]string{"inventory.yaml": "devices: []\n", "lab-password": "pw\n"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(b) != want {
			t.Errorf("%s: %q, %v; want %q", name, b, err, want)
		}
	}
	for _, name := range []string{"inventory.yaml", "lab-password", "known_hosts"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode: %v, %v", name, fi.Mode(), err)
		}
	}
	check, err := knownhosts.New(filepath.Join(dir, "known_hosts"))
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hosts {
		addr, _ := net.ResolveTCPAddr("tcp", h.Addr)
		if err := check(h.Addr, addr, keys[i]); err != nil {
			t.Errorf("%s with its own key: %v", h.Addr, err)
		}
		if err := check(h.Addr, addr, keys[1-i]); err == nil {
			t.Errorf("%s accepted the other host's key", h.Addr)
		}
	}
	if _, err := labfiles.Write(dir, []labfiles.Host{{Addr: "127.0.0.1:22", Key: []byte("not a key")}}, labfiles.Credential{Name: "x"}, ""); err == nil {
		t.Error("a host key that does not parse was written")
	}
}

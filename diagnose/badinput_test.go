package diagnose

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestBadInput(t *testing.T) {
	junk := make([]byte, 64<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(r.UintN(256))
	}
	cases := []struct {
		name     string
		in       string
		readable bool
	}{
		{"empty", "", false},
		{"blank lines", "\n\n   \n\t\n", false},
		{"binary junk", string(junk), false},
		{"prose", "hello team, the tunnel to the branch is down again since this morning, any idea?\n", false},
		{"only a prompt", "HUB#\n", false},
		{"truncated debug", "*Feb  1 21:44:23.315: ISAKMP:(0): sending packet to 1.1.1.102 my_port 500 peer_port 500 (I) MM_NO_STATE\n*Feb  1 21:44:2", true},
		{"unknown vendor table", "Peer            Local           State\n10.0.0.1        10.0.0.2        DOWN\n", false},
		{"one huge line", strings.Repeat("A", 3<<20), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Diagnose(c.in, Options{})
			if rep.Readable != c.readable {
				t.Errorf("readable = %v, want %v (%s)", rep.Readable, c.readable, rep.Summary)
			}
			if !c.readable {
				if rep.Cause != CauseUnknown || rep.Phase != PhaseUnknown {
					t.Errorf("got %s/%s, want unknown", rep.Phase, rep.Cause)
				}
				if !strings.Contains(rep.Summary, "show crypto isakmp sa") {
					t.Errorf("summary does not say what was expected: %q", rep.Summary)
				}
				if len(rep.Fix) == 0 {
					t.Errorf("no next step offered")
				}
			}
		})
	}
}

// TestLargePasteStreams reads a 50 MB paste through a reader (never held
// whole) and still finds the failure buried in it.
func TestLargePasteStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("large paste skipped in -short mode")
	}
	noise := "*Feb  1 21:44:23.315: ISAKMP:(1002):Input = IKE_MESG_INTERNAL, IKE_PROCESS_COMPLETE\n" +
		"*Feb  1 21:44:23.315: ISAKMP:(1002): processing vendor id payload\n"
	fail := "*Feb  1 21:44:24.001: ISAKMP:(0):no offers accepted!\n" +
		"*Feb  1 21:44:24.001: ISAKMP:(0): phase 1 SA policy not acceptable! (local 192.1.1.40 remote 192.1.1.42)\n"
	const size = 50 << 20
	rd := &repeatReader{chunk: []byte(noise), total: size, tail: []byte(fail)}
	rep, err := DiagnoseReader(rd, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cause != CauseIKEProposalMismatch || rep.Peer != "192.1.1.42" {
		t.Fatalf("got %s for %s: %s", rep.Cause, rep.Peer, rep.Summary)
	}
}

// repeatReader yields chunk until total bytes, then tail.
type repeatReader struct {
	chunk []byte
	total int
	sent  int
	tail  []byte
	done  bool
	buf   bytes.Buffer
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.buf.Len() == 0 {
		switch {
		case r.sent < r.total:
			for r.buf.Len() < 64<<10 && r.sent < r.total {
				r.buf.Write(r.chunk)
				r.sent += len(r.chunk)
			}
		case !r.done:
			r.buf.Write(r.tail)
			r.done = true
		default:
			return 0, io.EOF
		}
	}
	return r.buf.Read(p)
}

// TestSecretsNeverInOutput: keys in a pasted config never reach any field.
func TestSecretsNeverInOutput(t *testing.T) {
	in := "HUB#show running-config | section crypto\n" +
		"crypto isakmp key 6 Sup3rS3cretK3y address 40.10.1.1\n" +
		"crypto keyring SPOKES\n pre-shared-key address 40.10.1.1 key An0therS3cret\n" +
		"username admin privilege 15 password 0 AdminPassw0rd\n" +
		"snmp-server community C0mmunityStr RO\n" +
		"HUB#debug crypto isakmp\n" +
		"ISAKMP:(1017): sending packet to 40.10.1.1 my_port 500 peer_port 500 (R) MM_KEY_EXCH\n" +
		"ISAKMP: reserved not zero on ID payload! crypto isakmp key 0 Sup3rS3cretK3y address 40.10.1.1\n" +
		"%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 40.10.1.1 failed its sanity check or is malformed\n"
	rep := Diagnose(in, Options{})
	out := rep.Text()
	js := mustJSON(t, rep)
	for _, secret := range []string{"Sup3rS3cretK3y", "An0therS3cret", "AdminPassw0rd", "C0mmunityStr"} {
		if strings.Contains(out, secret) || strings.Contains(js, secret) {
			t.Errorf("secret %q leaked", secret)
		}
	}
	if rep.Cause != CausePSKMismatch {
		t.Errorf("got %s", rep.Cause)
	}
}

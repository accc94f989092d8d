package diagnose

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// hostileShape builds a paste of about size bytes made to be slow: one
// pattern repeated until the size is reached.
type hostileShape struct {
	name string
	gen  func(size int) string
	// perPeer: the report holds one finding per distinct peer, up to
	// MaxFindings (it followed the input before the caps: 23 to 25 bytes
	// of JSON per byte of a many-peers table, measured 2026-11-23).
	perPeer bool
}

// repeatTo writes next(i) for i = 0, 1, ... until sb holds size bytes.
func repeatTo(size int, head string, next func(i int) string) string {
	var sb strings.Builder
	sb.Grow(size + 256)
	sb.WriteString(head)
	for i := 0; sb.Len() < size; i++ {
		sb.WriteString(next(i))
	}
	return sb.String()
}

func peerAddr(i int) string {
	return fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255)
}

var hostileShapes = []hostileShape{
	// one line of size bytes: debug text with no newline at all
	{"one-long-line", func(size int) string {
		return repeatTo(size, "", func(int) string {
			return "ISAKMP:(0): sending packet to 192.1.1.42 my_port 500 peer_port 500 (I) MM_NO_STATE "
		})
	}, false},
	// the same failing debug line over and over
	{"same-debug-line", func(size int) string {
		return repeatTo(size, "", func(int) string {
			return "*Feb  1 21:44:24.001: ISAKMP:(0): phase 1 SA policy not acceptable! (local 192.1.1.40 remote 192.1.1.42)\n"
		})
	}, false},
	// markdown fences of every kind opened inside each other, with a
	// debug line between them
	{"nested-fences", func(size int) string {
		return repeatTo(size, "", func(i int) string {
			return strings.Repeat("`", 3+i%4) + "\n> ```text\n>> ~~~\nISAKMP:(0):no offers accepted!\n"
		})
	}, false},
	// a prompt on every line: each line starts a new section
	{"prompt-every-line", func(size int) string {
		return repeatTo(size, "", func(i int) string {
			switch i % 3 {
			case 0:
				return "HUB#show crypto isakmp sa\n"
			case 1:
				return "HUB# sh cry ipsec sa peer " + peerAddr(i) + "\n"
			}
			return "HUB#debug crypto isakmp\n"
		})
	}, false},
	// `show crypto isakmp sa` with one row per peer, every peer distinct
	{"many-peers-table", func(size int) string {
		return repeatTo(size, "HUB#show crypto isakmp sa\nIPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n", func(i int) string {
			return fmt.Sprintf("%-15s 30.3.1.1        MM_NO_STATE    %d ACTIVE\n", peerAddr(i), 1000+i)
		})
	}, true},
	// debug lines that each name another peer
	{"many-peers-debug", func(size int) string {
		return repeatTo(size, "HUB#debug crypto isakmp\n", func(i int) string {
			return fmt.Sprintf("*Feb  1 21:44:23.315: ISAKMP:(0): retransmitting phase 1 MM_NO_STATE... (peer %s)\n", peerAddr(i))
		})
	}, true},
	// debug lines that each name another state: a new event key per line
	{"new-state-every-line", func(size int) string {
		return repeatTo(size, "HUB#debug crypto isakmp\n", func(i int) string {
			return fmt.Sprintf("*Feb  1 21:44:23.315: ISAKMP:(0): retransmitting phase 1 MM_X%d... (peer 10.0.0.1)\n", i)
		})
	}, false},
	// one-byte lines: 1 MB is half a million lines
	{"tiny-lines", func(size int) string {
		return repeatTo(size, "", func(int) string { return "a\n" })
	}, false},
	// nothing but separators and white space
	{"separators", func(size int) string {
		return repeatTo(size, "", func(i int) string {
			return [...]string{"----------------------------------------\n", "   \t  \n", "\n", "!\n", "========\n", "\r\n", "| | | |\n"}[i%7]
		})
	}, false},
}

var hostileSizes = []int{1 << 20, 4 << 20, 16 << 20}

// BenchmarkHostile runs every slow-paste shape at 1, 4 and 16 MB. Linear
// time shows as the same MB/s (ns per byte) at every size; B/op is what
// was allocated in all, not what was held at once (see TestHostile).
func BenchmarkHostile(b *testing.B) {
	for _, sh := range hostileShapes {
		for _, size := range hostileSizes {
			b.Run(fmt.Sprintf("%s/%dMB", sh.name, size>>20), func(b *testing.B) {
				in := sh.gen(size)
				b.SetBytes(int64(len(in)))
				b.ReportAllocs()
				for b.Loop() {
					DiagnoseReader(strings.NewReader(in), Options{})
				}
			})
		}
	}
}

// TestHostile: every slow-paste shape at 1 and 4 MB gets a complete report
// whose JSON stays under 256 KB. The many-peer shapes get one finding per
// peer up to MaxFindings (500) and are held to 1 MB whatever the input size
// (before the caps: 17,625 findings, 26 MB of JSON from a 1 MB table at
// 6621ef8); their summary says what was left out.
func TestHostile(t *testing.T) {
	sizes := []int{1 << 20, 4 << 20}
	if testing.Short() {
		sizes = sizes[:1]
	}
	for _, sh := range hostileShapes {
		for _, size := range sizes {
			rep, err := DiagnoseReader(strings.NewReader(sh.gen(size)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Cause == "" || rep.Phase == "" || rep.Verdict == "" || rep.Summary == "" {
				t.Errorf("%s %d MB: incomplete report %+v", sh.name, size>>20, rep)
			}
			js, _ := json.Marshal(rep)
			limit := 256 << 10
			if sh.perPeer {
				limit = 1 << 20
				if len(rep.Findings) > MaxFindings {
					t.Errorf("%s %d MB: %d findings, more than MaxFindings", sh.name, size>>20, len(rep.Findings))
				}
				if !strings.Contains(rep.Summary, "not listed") && !strings.Contains(rep.Summary, "further peers were not read") {
					t.Errorf("%s %d MB: the summary does not say what was left out: %q", sh.name, size>>20, rep.Summary)
				}
			}
			if len(js) > limit {
				t.Errorf("%s %d MB: report of %d bytes", sh.name, size>>20, len(js))
			}
		}
	}
}

// TestWriteHostilePastes writes every shape at $TUNNELDOC_HOSTILE_MB MB
// (default 16), the mixed paste at 40 MB and a hub's ipsec sa output of
// 60,000 peers (93 MB) to $TUNNELDOC_HOSTILE_DIR, so that `tunneldoc
// diagnose` can be measured on them (time, peak RSS); skipped when the
// directory is not set.
func TestWriteHostilePastes(t *testing.T) {
	dir := os.Getenv("TUNNELDOC_HOSTILE_DIR")
	if dir == "" {
		t.Skip("TUNNELDOC_HOSTILE_DIR not set")
	}
	mb := 16
	if s := os.Getenv("TUNNELDOC_HOSTILE_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("TUNNELDOC_HOSTILE_MB=%q: want a number of megabytes", s)
		}
		mb = n
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, sh := range hostileShapes {
		write(fmt.Sprintf("%s-%dMB.txt", sh.name, mb), sh.gen(mb<<20))
	}
	write("mixed-40MB.txt", mixedDebugPaste(t, 40<<20))
	write("hub-ipsec-sa-60k-peers.txt", hubIPsecSA(60000))
}

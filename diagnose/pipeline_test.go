package diagnose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The reader and the worker goroutine hand items over in batches. With a
// batch of one item every line crosses between the goroutines on its own,
// the most interleaved schedule there is; every case must still give
// exactly its golden report, and a long mixed paste the same report as
// with the default batches.
func TestWorkerOneItemBatches(t *testing.T) {
	saved, savedMax := batchSize, maxBatchSize
	t.Cleanup(func() { batchSize, maxBatchSize = saved, savedMax })
	maxBatchSize = 1

	batchSize = 1
	eachCaseAgainstGolden(t, func(string, Options) {})

	paste := mixedDebugPaste(t, 300<<10)
	batchSize, maxBatchSize = saved, savedMax
	big := Diagnose(paste, Options{})
	batchSize, maxBatchSize = 1, 1
	small := Diagnose(paste, Options{})
	if a, b := reportJSON(t, big), reportJSON(t, small); a != b {
		t.Errorf("a 300 KB mixed paste reads differently with one-item batches:\n%s\nvs\n%s", a, b)
	}
}

// eachCaseAgainstGolden diagnoses every case as the engine is set up now
// and compares it with its golden report; then calls also with the case.
func eachCaseAgainstGolden(t *testing.T, also func(text string, opts Options)) {
	t.Helper()
	files, err := filepath.Glob("testdata/cases/*/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(file, ".txt")
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var w want
		readWant(t, name+".want.json", &w)
		opts := Options{Peer: w.FocusPeer}
		rep := Diagnose(string(raw), opts)
		t.Run(strings.TrimPrefix(name, "testdata/cases/"), func(t *testing.T) {
			golden(t, name+".golden.json", rep)
		})
		also(string(raw), opts)
	}
}

func readWant(t *testing.T, path string, w *want) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func reportJSON(t *testing.T, rep Report) string {
	t.Helper()
	b, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestShowPiecesReadAsWhole: a long show output the parser lets cut
// (facts.Parser.Cut) is parsed in pieces while the rest is read; cutting
// at every block must give the same report as reading it whole, for every
// case, the 200-peer hub and a mixed paste.
func TestShowPiecesReadAsWhole(t *testing.T) {
	saved := pieceLines
	t.Cleanup(func() { pieceLines = saved })

	pieceLines = 1
	cut := 0
	eachCaseAgainstGolden(t, func(text string, opts Options) {
		e := newEngine(opts)
		e.readString(text)
		cut += e.pieces
	})
	// every parser test file and public corpus output, whole and in pieces
	var outputs []string
	for _, pat := range []string{"*/testdata/*/*.txt", "*/testdata/*.txt", "../../shared/corpus/public/*/*", "../../shared/corpus/public/*/*/*"} {
		more, _ := filepath.Glob(pat)
		outputs = append(outputs, more...)
	}
	for _, file := range outputs {
		raw, err := os.ReadFile(file)
		if err != nil || strings.HasSuffix(file, ".json") || strings.HasSuffix(file, ".md") {
			continue
		}
		pieceLines = 1 << 30
		whole := reportJSON(t, Diagnose(string(raw), Options{}))
		pieceLines = 1
		if pieces := reportJSON(t, Diagnose(string(raw), Options{})); pieces != whole {
			t.Errorf("%s reads differently in pieces:\n%s\nvs whole\n%s", file, pieces, whole)
		}
		e := newEngine(Options{})
		e.readString(string(raw))
		cut += e.pieces
	}
	t.Logf("cases, parser test files and corpus (%d files): %d pieces cut", len(outputs), cut)
	if cut == 0 {
		t.Error("nothing was cut into pieces: the files do not test cutting")
	}
	for _, c := range []struct {
		name, text string
	}{
		{"ipsec-sa-200-peers", ipsecSA200()},
		{"ipsec-sa-200-peers-one-interface", ipsecSA200OneInterface()},
		{"ipsec-sa-vendor-wording-in-first-block-only", ipsecSAWordingFirstBlockOnly()},
		{"mixed-300KB", mixedDebugPaste(t, 300<<10)},
	} {
		pieceLines = 1 << 30
		whole := reportJSON(t, Diagnose(c.text, Options{}))
		pieceLines = 7
		e := newEngine(Options{})
		e.readString(c.text)
		if e.pieces < 20 && c.name != "mixed-300KB" {
			t.Errorf("%s: %d pieces cut at 7 lines; the test would not test cutting", c.name, e.pieces)
		}
		for _, n := range []int{1, 7, 100} {
			pieceLines = n
			if pieces := reportJSON(t, Diagnose(c.text, Options{})); pieces != whole {
				t.Errorf("%s reads differently in pieces of %d lines:\n%s\nvs whole\n%s", c.name, n, pieces, whole)
			}
		}
	}
}

// ipsecSA200OneInterface is ipsecSA200 as a hub prints it: one interface
// and crypto map heading, then every peer's SA block under it.
func ipsecSA200OneInterface() string {
	var sb strings.Builder
	for i, block := range strings.Split(ipsecSA200(), "interface: GigabitEthernet0/1\n    Crypto map tag: CMAP, local addr 30.3.1.1\n") {
		if i == 1 {
			sb.WriteString("interface: GigabitEthernet0/1\n    Crypto map tag: CMAP, local addr 30.3.1.1\n")
		}
		sb.WriteString(block)
	}
	return sb.String()
}

// TestReportTwoGoroutines: the findings of many peers worked out on two
// goroutines are those worked out on one.
func TestReportTwoGoroutines(t *testing.T) {
	saved := parallelViews
	t.Cleanup(func() { parallelViews = saved })
	for _, c := range []struct{ name, text string }{
		{"ipsec-sa-200-peers", ipsecSA200()},
		{"mixed-300KB", mixedDebugPaste(t, 300<<10)},
	} {
		parallelViews = 1 << 30
		one := reportJSON(t, Diagnose(c.text, Options{}))
		parallelViews = 2
		if two := reportJSON(t, Diagnose(c.text, Options{})); two != one {
			t.Errorf("%s: the report differs when two goroutines work it out:\n%s\nvs\n%s", c.name, two, one)
		}
	}
}

// TestReaderPathsAgree: a paste read from an io.Reader (the CLI) and the
// same paste in memory (the bot) give the same report, chat debris, CRLF
// line ends and control bytes included.
func TestReaderPathsAgree(t *testing.T) {
	files, _ := filepath.Glob("testdata/cases/*/*.txt")
	var texts []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	mixed := mixedDebugPaste(t, 200<<10)
	debris := strings.NewReplacer("\n", "\r\n", "    ", "\t", "MM_", "MM\\_", "#pkts", "**#pkts**", "ISAKMP", "`ISAKMP`", "Feb", "\x00Feb").Replace(mixed)
	texts = append(texts, mixed, debris)
	for i, text := range texts {
		want := reportJSON(t, Diagnose(text, Options{}))
		rep, err := DiagnoseReader(strings.NewReader(text), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := reportJSON(t, rep); got != want {
			t.Errorf("text %d: read from an io.Reader:\n%s\nin memory:\n%s", i, got, want)
		}
	}
}

// ipsecSAWordingFirstBlockOnly is the hub's output with the IOS-only
// wording (which tells IOS from ASA) left in the first SA block only: a
// piece must keep the vendor the first piece read, as the whole output
// does.
func ipsecSAWordingFirstBlockOnly() string {
	var sb strings.Builder
	blocks := 0
	for _, l := range strings.SplitAfter(ipsecSA200OneInterface(), "\n") {
		if strings.Contains(l, "local  ident") {
			blocks++
		}
		if blocks > 1 && (strings.Contains(l, "PERMIT, flags=") || strings.Contains(l, "plaintext mtu") ||
			strings.Contains(l, "compr. failed") || strings.Contains(l, "protected vrf")) {
			continue
		}
		sb.WriteString(l)
	}
	return sb.String()
}

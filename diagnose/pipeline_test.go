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
	saved := batchSize
	t.Cleanup(func() { batchSize = saved })

	files, err := filepath.Glob("testdata/cases/*/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	batchSize = 1
	for _, file := range files {
		name := strings.TrimSuffix(file, ".txt")
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var w want
		readWant(t, name+".want.json", &w)
		rep := Diagnose(string(raw), Options{Peer: w.FocusPeer})
		t.Run(strings.TrimPrefix(name, "testdata/cases/"), func(t *testing.T) {
			golden(t, name+".golden.json", rep)
		})
	}

	paste := mixedDebugPaste(t, 300<<10)
	batchSize = saved
	big := Diagnose(paste, Options{})
	batchSize = 1
	small := Diagnose(paste, Options{})
	if a, b := reportJSON(t, big), reportJSON(t, small); a != b {
		t.Errorf("a 300 KB mixed paste reads differently with one-item batches:\n%s\nvs\n%s", a, b)
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

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestDiagnoseExitCodes(t *testing.T) {
	seed := filepath.Join("..", "..", "diagnose", "testdata", "cases", "psk_mismatch", "seed001-ios-19-4-reserved-not-zero.txt")
	pluto := filepath.Join("..", "..", "diagnose", "libreswan", "testdata", "lab", "psk-v2", "b-pluto.log")
	cases := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"file", "", []string{"diagnose", seed}, 0, "psk_mismatch"},
		{"stdin json", mustRead(t, seed), []string{"diagnose", "--json"}, 0, `"cause": "psk_mismatch"`},
		{"flags after file", "", []string{"diagnose", seed, "--json", "--peer", "192.1.1.42"}, 0, `"peer": "192.1.1.42"`},
		{"nothing readable", "just some words\n", []string{"diagnose"}, 1, "No diagnosis"},
		{"nothing readable json", "", []string{"diagnose", "--json"}, 1, `"cause": "unknown"`},
		{"libreswan", "", []string{"diagnose", "--vendor", "libreswan", "--json", pluto}, 0, `"vendor": "libreswan"`},
		{"libreswan detected", "", []string{"diagnose", "--json", pluto}, 0, `"vendor": "libreswan"`},
		{"bad vendor", "", []string{"diagnose", "--vendor", "juniper"}, 2, ""},
		{"bad flag", "", []string{"diagnose", "--nope"}, 2, ""},
		{"missing file", "", []string{"diagnose", "/nonexistent/paste.txt"}, 2, ""},
		{"unknown command", "", []string{"frobnicate"}, 2, ""},
		{"help", "", []string{"help"}, 0, "Usage"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCmd(t, c.stdin, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out, errOut)
			}
			if c.want != "" && !strings.Contains(out, c.want) {
				t.Fatalf("output lacks %q:\n%s", c.want, out)
			}
			if code == 2 && errOut == "" {
				t.Fatalf("usage error without a message")
			}
		})
	}
}

// TestDiagnoseJSONContract: the JSON has exactly the contract's fields.
func TestDiagnoseJSONContract(t *testing.T) {
	seed := filepath.Join("..", "..", "diagnose", "testdata", "cases", "one_way_inbound", "seed004-ios-missing-reverse-route.txt")
	code, out, _ := runCmd(t, "", "diagnose", "--json", seed)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"phase", "cause", "verdict", "confidence", "vendor", "peer", "state", "summary", "evidence", "fix", "findings"} {
		if _, ok := m[k]; !ok {
			t.Errorf("field %q missing", k)
		}
	}
	if len(m) != 11 {
		t.Errorf("got %d top-level fields, want the contract's 11", len(m))
	}
	var rep struct {
		Phase, Cause, Verdict string
		Evidence              []struct {
			Section string
			Line    int
			Text    string
		}
		Findings []struct{ Evidence []any }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Phase != "data" || rep.Cause != "one_way_inbound" || rep.Verdict != "down" {
		t.Errorf("got %s/%s/%s", rep.Phase, rep.Cause, rep.Verdict)
	}
	if len(rep.Evidence) == 0 || len(rep.Findings) == 0 || len(rep.Findings[0].Evidence) == 0 {
		t.Errorf("evidence missing")
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

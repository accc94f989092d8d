package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// TestCheckComparesBothEnds: when the inventory holds both ends of a
// tunnel (same tunnel name on two devices), `check tunnel` also reads the
// far end's configuration and posts the comparison in the thread.
func TestCheckComparesBothEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{
		{Name: "hub", Scenario: "ios-healthy"},
		{Name: "spoke", Scenario: "ios-transform-mismatch"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	inv, err := l.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	// name both tunnels alike: they are the two ends of one tunnel
	b, err := os.ReadFile(inv)
	if err != nil {
		t.Fatal(err)
	}
	text := tunnelName.ReplaceAllString(string(b), "${1}name: hq-spoke")
	if err := os.WriteFile(filepath.Join(dir, "inventory.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	hub := l.Devices[0]
	in := "check tunnel " + hub.Scenario.Peer + " on " + hub.Name + "\nquit\n"
	env := map[string]string{"TUNNELDOC_INVENTORY": inv}
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"console"}, func(k string) string { return env[k] }, strings.NewReader(in), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	got := out.String()
	if testing.Verbose() {
		t.Log(got)
	}
	if !strings.Contains(got, "· healthy") {
		t.Errorf("live diagnosis missing:\n%s", got)
	}
	if !strings.Contains(got, "Both ends' crypto configurations compared (hub and spoke)") {
		t.Fatalf("no comparison posted:\n%s", got)
	}
}

// tunnelName is a tunnel's name line in the lab inventory (under "- peer:").
var tunnelName = regexp.MustCompile(`(?m)^(\s+)name: (?:branch|hub|spoke|site)\S*$`)

package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// TestConsoleCheckTunnelAgainstLab is the README's demo as a test: start
// the lab, point the console at its inventory, `check tunnel <peer>` for
// every scenario, and read the phase and cause off the console's answer.
func TestConsoleCheckTunnelAgainstLab(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	inv, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	for _, d := range l.Devices {
		fmt.Fprintf(&in, "check tunnel %s on %s\n", d.Scenario.Peer, d.Name)
	}
	in.WriteString("quit\n")
	env := map[string]string{"TUNNELDOC_INVENTORY": inv, "TUNNELDOC_SNAPSHOT_INTERVAL": "off"}
	var out, errb bytes.Buffer
	code := run(ctx, []string{"console"}, func(k string) string { return env[k] }, strings.NewReader(in.String()), &out, &errb)
	if code != 0 {
		t.Fatalf("console exit %d: %s", code, errb.String())
	}
	// answers come in order, one per check, each after its "checking" line
	answers := strings.Split(out.String(), "checking ")[1:]
	if len(answers) != len(l.Devices) {
		t.Fatalf("%d answers for %d checks:\n%s", len(answers), len(l.Devices), out.String())
	}
	for i, d := range l.Devices {
		want := fmt.Sprintf("· %s ", d.Scenario.Expect.Cause)
		if !strings.HasPrefix(answers[i], d.Scenario.Peer) || !strings.Contains(answers[i], want) {
			t.Errorf("%s (%s): want cause %s in:\n%s", d.Name, d.Scenario.Peer, d.Scenario.Expect.Cause, answers[i])
		}
	}
}

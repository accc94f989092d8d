package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// TestCheckComparesBothEnds: when the inventory holds both ends of a
// tunnel (the same tunnel name on two devices, or a far_end entry),
// `check tunnel` also reads the far end and posts, in the same thread, the
// comparison of the two configurations and the far end's own diagnosis.
func TestCheckComparesBothEnds(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(t *testing.T, text string) string
	}{
		{"same tunnel name", func(t *testing.T, text string) string {
			return tunnelName.ReplaceAllString(text, "${1}name: hq-spoke")
		}},
		{"far_end", withFarEnd},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			l, inv, text := bothEndsLab(t, ctx)
			if err := os.WriteFile(inv, []byte(c.edit(t, text)), 0o600); err != nil {
				t.Fatal(err)
			}
			hub := l.Devices[0]
			got := runConsole(t, ctx, inv, "check tunnel "+hub.Scenario.Peer+" on "+hub.Name+"\nquit\n")
			if !strings.Contains(got, "· healthy") {
				t.Errorf("live diagnosis missing:\n%s", got)
			}
			if !strings.Contains(got, "Both ends' crypto configurations compared (hub and spoke)") {
				t.Fatalf("no comparison posted:\n%s", got)
			}
			// the far end's own reading of the tunnel, in the same thread
			if !strings.Contains(got, "The far end (spoke) sees:") || !strings.Contains(got, "esp_proposal_mismatch") {
				t.Errorf("the far end's diagnosis is missing:\n%s", got)
			}
		})
	}
}

// tunnelName is a tunnel's name line in the lab inventory (under "- peer:").
var tunnelName = regexp.MustCompile(`(?m)^(\s+)name: (?:branch|hub|spoke|site)\S*$`)

// bothEndsLab starts a lab with hub and spoke and returns it, its
// inventory file and the file's text.
func bothEndsLab(t *testing.T, ctx context.Context) (*lab.Lab, string, string) {
	t.Helper()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{
		{Name: "hub", Scenario: "ios-healthy"},
		{Name: "spoke", Scenario: "ios-transform-mismatch"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	dir := t.TempDir()
	inv, err := l.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(inv)
	if err != nil {
		t.Fatal(err)
	}
	return l, inv, string(b)
}

// withFarEnd: hub's tunnel (the first in the file) names spoke as its far end.
func withFarEnd(t *testing.T, text string) string {
	t.Helper()
	loc := hubTunnel.FindStringIndex(text)
	if loc == nil {
		t.Fatalf("no tunnel in the lab inventory:\n%s", text)
	}
	return text[:loc[1]] + "\n        far_end: spoke" + text[loc[1]:]
}

var hubTunnel = regexp.MustCompile(`(?m)^(      - peer: \S+)$`)

func runConsole(t *testing.T, ctx context.Context, inv, in string) string {
	t.Helper()
	env := map[string]string{"TUNNELDOC_INVENTORY": inv, "TUNNELDOC_SNAPSHOT_INTERVAL": "off"}
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"console"}, func(k string) string { return env[k] }, strings.NewReader(in), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if testing.Verbose() {
		t.Log(out.String())
	}
	return out.String()
}

// TestCheckFarEndUnreachable: a far end that accepts the TCP connection
// and never speaks SSH neither holds up nor spoils the near end's answer.
func TestCheckFarEndUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	old := farEndGrace
	farEndGrace = 300 * time.Millisecond
	defer func() { farEndGrace = old }()

	// a silent SSH server: accepts, reads nothing, answers nothing
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	defer func() {
		for {
			select {
			case c := <-accepted:
				c.Close()
			default:
				return
			}
		}
	}()

	l, inv, text := bothEndsLab(t, ctx)
	text = withFarEnd(t, text)
	_, silentPort, _ := net.SplitHostPort(ln.Addr().String())
	if err := os.WriteFile(inv, []byte(withPort(t, text, "spoke", silentPort)), 0o600); err != nil {
		t.Fatal(err)
	}
	hub := l.Devices[0]
	got := runConsole(t, ctx, inv, "check tunnel "+hub.Scenario.Peer+" on "+hub.Name+"\nquit\n")
	if !strings.Contains(got, "· healthy") {
		t.Errorf("the near end's diagnosis is missing:\n%s", got)
	}
	if strings.Contains(got, "Both ends'") || strings.Contains(got, "The far end") {
		t.Errorf("a comparison was posted without the far end:\n%s", got)
	}
	select {
	case c := <-accepted:
		accepted <- c // closed by the deferred drain
	default:
		t.Errorf("the far end was never tried")
	}
	if ctx.Err() != nil {
		t.Errorf("the answer waited for the whole check timeout")
	}
}

// TestCheckNearEndUnreachable: when the device asked about refuses the
// SSH connection, the far end's own reading of the tunnel still answers
// in the thread.
func TestCheckNearEndUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// a port nothing listens on: connections to it are refused
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closedPort, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()

	l, inv, text := bothEndsLab(t, ctx)
	text = withFarEnd(t, text)
	if err := os.WriteFile(inv, []byte(withPort(t, text, "hub", closedPort)), 0o600); err != nil {
		t.Fatal(err)
	}
	hub := l.Devices[0]
	got := runConsole(t, ctx, inv, "check tunnel "+hub.Scenario.Peer+" on "+hub.Name+"\nquit\n")
	if !strings.Contains(got, "I could not check") {
		t.Errorf("the near end's failure is not said:\n%s", got)
	}
	if !strings.Contains(got, "The far end (spoke) sees:") || !strings.Contains(got, "esp_proposal_mismatch") {
		t.Errorf("the far end's diagnosis is missing:\n%s", got)
	}
}

// withPort points the inventory entry called name at another port.
func withPort(t *testing.T, text, name, port string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^(  - name: ` + name + `\b[^\n]*\n(?:    [^\n]*\n)*?    port: )\d+$`)
	moved := re.ReplaceAllString(text, "${1}"+port)
	if moved == text {
		t.Fatalf("%s's port not found in:\n%s", name, text)
	}
	return moved
}

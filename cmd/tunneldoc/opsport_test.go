package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
)

// TestConsoleWorksWhenOpsPortIsTaken: the console needs no health endpoint,
// and its default ops address :9090 is also Prometheus's. With the address
// taken, the console still diagnoses (it used to exit 1, and the console
// tests failed whenever another test or program held :9090). Serve modes
// still refuse to start: see TestServeRefusesTakenOpsPort.
func TestConsoleWorksWhenOpsPortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := map[string]string{"TUNNELDOC_OPS_LISTEN": ln.Addr().String()}
	getenv := func(k string) string { return env[k] }
	in := "diagnose\nHUB#show crypto isakmp sa\nIPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n40.10.1.1       30.3.1.1        MM_NO_STATE          0 ACTIVE\n.\nquit\n"
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"console"}, getenv, strings.NewReader(in), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d with the ops address taken: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "40.10.1.1") {
		t.Fatalf("no diagnosis in the console output:\n%s", out.String())
	}
	if !strings.Contains(errb.String()+out.String(), "ops listener not started") {
		t.Errorf("the console did not say the ops listener was not started:\n%s", errb.String())
	}
}

// TestServeRefusesTakenOpsPort: outside the console a missing health
// endpoint would leave probes failing with no cause, so serve stops.
func TestServeRefusesTakenOpsPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	env := map[string]string{
		"TUNNELDOC_OPS_LISTEN": ln.Addr().String(),
		"SLACK_BOT_TOKEN":      "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret", "TUNNELDOC_TRANSPORT": "http",
		"TUNNELDOC_SLACK_LISTEN": "127.0.0.1:0",
	}
	getenv := func(k string) string { return env[k] }
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"serve"}, getenv, strings.NewReader(""), &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "ops listener") {
		t.Fatalf("serve with the ops address taken: exit %d, stderr %q", code, errb.String())
	}
}

package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/devices"
)

// `tunneldoc lab` prints one ready line once every device listens; by
// then each device in the inventory it wrote accepts a connection.
func TestLabPrintsReadyLine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"lab", "--dir", t.TempDir(), "--scenarios", "ios-healthy,asa-healthy,swan-healthy"}, envOf(nil), strings.NewReader(""), pw, io.Discard)
		pw.Close()
		done <- code
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var ready string
	deadline := time.After(30 * time.Second)
	for ready == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("lab ended without a ready line (exit %d)", <-done)
			}
			if strings.HasPrefix(line, "tunneldoc lab: ready: ") {
				ready = line
			}
		case <-deadline:
			t.Fatal("no ready line within 30s")
		}
	}
	go func() {
		for range lines { // keep the pipe drained until the lab stops
		}
	}()
	// "tunneldoc lab: ready: 3 devices listening, inventory PATH"
	f := strings.Fields(ready)
	if len(f) != 8 || f[3] != "3" || f[6] != "inventory" {
		t.Fatalf("ready line %q", ready)
	}
	inv, err := devices.LoadInventory(f[7])
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Devices) != 3 {
		t.Fatalf("inventory holds %d devices, the ready line says 3", len(inv.Devices))
	}
	for _, d := range inv.Devices {
		c, err := net.DialTimeout("tcp", net.JoinHostPort(d.Address, strconv.Itoa(d.Port)), 2*time.Second)
		if err != nil {
			t.Errorf("%s is not listening after the ready line: %v", d.Name, err)
			continue
		}
		c.Close()
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("lab exit %d after Ctrl-C", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lab did not stop within 10s of its context ending")
	}
}

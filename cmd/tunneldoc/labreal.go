package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/tunneldoc/tunneldoc/devices/lab/real"
)

// runRealLab runs the live lab (real strongSwan gateways behind real sshd
// in network namespaces), writes its inventory, and switches scenarios on
// the names typed on stdin until ctx ends (the lab is removed on return).
func runRealLab(ctx context.Context, dir, scenario string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGHUP)
	defer stop()
	if err := real.Missing(); err != nil {
		fmt.Fprintf(stderr, "tunneldoc lab --real: %v\n", err)
		return 1
	}
	if !slices.Contains(real.Scenarios, scenario) {
		fmt.Fprintf(stderr, "tunneldoc lab --real: unknown scenario %q (known: %s)\n", scenario, strings.Join(real.Scenarios, ", "))
		return 2
	}
	l, err := real.Start(ctx, real.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc lab --real: %v\n", err)
		return 1
	}
	defer func() {
		if err := l.Close(); err != nil {
			fmt.Fprintf(stderr, "tunneldoc lab --real: cleanup: %v\n", err)
		}
	}()
	if scenario != "healthy" {
		if err := l.SetScenario(ctx, scenario); err != nil {
			fmt.Fprintf(stderr, "tunneldoc lab --real: %v\n", err)
			return 1
		}
	}
	inv, err := l.WriteFiles(dir)
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc lab --real: write files: %v\n", err)
		return 1
	}
	abs, _ := filepath.Abs(inv)
	kh := filepath.Join(filepath.Dir(abs), "known_hosts")
	key := filepath.Join(filepath.Dir(abs), "lab-client-key")
	fmt.Fprintf(stdout, "tunneldoc lab --real: strongSwan gateways in network namespaces, scenario %s\n\n", l.Scenario)
	for _, g := range l.Gateways {
		logs := "charon log /var/log/charon.log"
		if g.Journal {
			logs = "charon logs to its journal; scoped debug allowed"
		}
		fmt.Fprintf(stdout, "  %-11s sshd %s:22  tunnel %s to %s (%s behind it); %s\n", g.Name, g.Address, g.Tunnel, g.Peer, g.RemoteSubnet, logs)
	}
	fmt.Fprintf(stdout, `
Inventory:   %s
known_hosts: %s (the gateways' host keys)
Login:       root with %s

Point tunneldoc at the inventory (TUNNELDOC_INVENTORY=%s), then in the console:
  check tunnel %s
Or log in yourself:  ssh -i %s -o UserKnownHostsFile=%s root@%s swanctl --list-sas

Type a scenario name and Enter to switch (%s); Ctrl-C stops the lab.
`, abs, kh, key, abs, l.Gateways[1].Address, key, kh, l.Gateways[0].Address, strings.Join(real.Scenarios, ", "))
	// real.Start returned once every sshd accepted a connection and the
	// files are written: a script or test waiting for the lab reads this.
	fmt.Fprintf(stdout, "tunneldoc lab --real: ready: %d sshd listening, inventory %s\n", len(l.Gateways), abs)

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- strings.TrimSpace(sc.Text()):
			case <-ctx.Done():
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(stdout, "tunneldoc lab --real: stopped")
			return 0
		case name := <-lines:
			if name == "" {
				continue
			}
			if err := l.SetScenario(ctx, name); err != nil {
				fmt.Fprintf(stderr, "tunneldoc lab --real: %v\n", err)
				continue
			}
			fmt.Fprintf(stdout, "tunneldoc lab --real: scenario %s\n", name)
		}
	}
}

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

// realLabOptions are `tunneldoc lab --real`'s flags.
type realLabOptions struct {
	dir, scenario string
	libreswan     bool // west runs libreswan
}

// runRealLab runs the live lab (real strongSwan, or libreswan and
// strongSwan, gateways behind real sshd in network namespaces), writes its
// inventory, and switches scenarios on the names typed on stdin until ctx
// ends (the lab is removed on return).
func runRealLab(ctx context.Context, o realLabOptions, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGHUP)
	defer stop()
	missing, known := real.Missing, real.Scenarios
	if o.libreswan {
		missing, known = real.MissingLibreswan, real.LibreswanScenarios
	}
	if err := missing(); err != nil {
		fmt.Fprintf(stderr, "tunneldoc lab --real: %v\n", err)
		return 1
	}
	scenario := o.scenario
	if !slices.Contains(known, scenario) {
		fmt.Fprintf(stderr, "tunneldoc lab --real: unknown scenario %q (known: %s)\n", scenario, strings.Join(known, ", "))
		return 2
	}
	l, err := real.Start(ctx, real.Options{Libreswan: o.libreswan})
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
	inv, err := l.WriteFiles(o.dir)
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc lab --real: write files: %v\n", err)
		return 1
	}
	abs, _ := filepath.Abs(inv)
	kh := filepath.Join(filepath.Dir(abs), "known_hosts")
	key := filepath.Join(filepath.Dir(abs), "lab-client-key")
	fmt.Fprintf(stdout, "tunneldoc lab --real: IKE gateways in network namespaces, scenario %s\n\n", l.Scenario)
	for _, g := range l.Gateways {
		logs := "strongSwan, charon log /var/log/charon.log"
		switch {
		case g.Platform == "libreswan":
			logs = "libreswan, pluto log /var/log/pluto.log (its IPsec SAs need the kernel's XFRM ESP)"
		case g.Journal:
			logs = "strongSwan, charon logs to its journal; scoped debug allowed"
		}
		fmt.Fprintf(stdout, "  %-11s sshd %s:22  tunnel %s to %s (%s behind it); %s\n", g.Name, g.Address, g.Tunnel, g.Peer, g.RemoteSubnet, logs)
	}
	fmt.Fprintf(stdout, `
Inventory:   %s
known_hosts: %s (the gateways' host keys)
Login:       root with %s

Point tunneldoc at the inventory (TUNNELDOC_INVENTORY=%s), then in the console:
  check tunnel %s
Or log in yourself:  ssh -i %s -o UserKnownHostsFile=%s root@%s %s

Type a scenario name and Enter to switch (%s); Ctrl-C stops the lab.
`, abs, kh, key, abs, l.Gateways[1].Address, key, kh, l.Gateways[0].Address, statusCommand(l.Gateways[0].Platform), strings.Join(l.Scenarios, ", "))
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

// statusCommand is what an engineer types first on a gateway of platform.
func statusCommand(platform string) string {
	if platform == "libreswan" {
		return "ipsec status"
	}
	return "swanctl --list-sas"
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/devices/lab/real"
)

// runLab starts the simulated devices, writes their inventory and
// known_hosts, prints how to use them and serves until ctx ends.
func runLab(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "tunneldoc-lab", "directory for inventory.yaml, known_hosts and the lab password file")
	only := fs.String("scenarios", "", "comma-separated scenario names (default: all)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	realLab := fs.Bool("real", false, "run real strongSwan gateways with real sshd in network namespaces (Linux, root)")
	scenario := fs.String("scenario", "healthy", "with --real: the scenario to start in ("+strings.Join(real.Scenarios, ", ")+"; with --libreswan "+strings.Join(real.LibreswanScenarios, ", ")+")")
	libreswan := fs.Bool("libreswan", false, "with --real: the west gateway runs libreswan instead of strongSwan (only the scenarios that fail before an IPsec SA is installed)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *realLab {
		return runRealLab(ctx, realLabOptions{dir: *dir, scenario: *scenario, libreswan: *libreswan}, os.Stdin, stdout, stderr)
	}
	scenarios, err := lab.Scenarios()
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc lab: %v\n", err)
		return 1
	}
	if *list {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SCENARIO\tPLATFORM\tPEER\tEXPECT\tWHAT")
		for _, s := range scenarios {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s/%s\t%s\n", s.Name, s.Platform, s.Peer, s.Expect.Phase, s.Expect.Cause, s.Description)
		}
		tw.Flush()
		return 0
	}
	var opts lab.Options
	if *only != "" {
		for _, name := range strings.Split(*only, ",") {
			name = strings.TrimSpace(name)
			if _, err := lab.ScenarioByName(name); err != nil {
				fmt.Fprintf(stderr, "tunneldoc lab: unknown scenario %q (see `tunneldoc lab --list`)\n", name)
				return 2
			}
			opts.Devices = append(opts.Devices, lab.DeviceConfig{Name: name, Scenario: name})
		}
	}
	l, err := lab.Start(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc lab: %v\n", err)
		return 1
	}
	defer l.Close()
	inv, err := l.WriteFiles(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "tunneldoc lab: write files: %v\n", err)
		return 1
	}
	abs, _ := filepath.Abs(inv)
	fmt.Fprintf(stdout, "tunneldoc lab: %d simulated devices on 127.0.0.1\n\n", len(l.Devices))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tPLATFORM\tADDRESS\tPEER\tEXPECT")
	for _, d := range l.Devices {
		s := d.Scenario
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s/%s\n", d.Name, s.Platform, d.Addr, s.Peer, s.Expect.Phase, s.Expect.Cause)
	}
	tw.Flush()
	fmt.Fprintf(stdout, `
Inventory:   %s
known_hosts: %s (the lab's host keys; nothing is trusted on first use)
Login:       user %s, password in %s

Point tunneldoc at the inventory (TUNNELDOC_INVENTORY=%s), then in the console:
  check tunnel %s
Or log in yourself:  ssh -o UserKnownHostsFile=%s -p <port> %s@127.0.0.1

Press Ctrl-C to stop the lab.
`, abs, filepath.Join(filepath.Dir(abs), "known_hosts"), l.Username, filepath.Join(filepath.Dir(abs), "lab-password"),
		abs, firstPeer(l), filepath.Join(filepath.Dir(abs), "known_hosts"), l.Username)
	// lab.Start returned with every device's listener open and the files
	// are written: a script or test waiting for the lab reads this line.
	fmt.Fprintf(stdout, "tunneldoc lab: ready: %d devices listening, inventory %s\n", len(l.Devices), abs)
	<-ctx.Done()
	fmt.Fprintln(stdout, "tunneldoc lab: stopped")
	return 0
}

func firstPeer(l *lab.Lab) string {
	for _, d := range l.Devices {
		if d.Scenario.Name == "asa-healthy" {
			return d.Scenario.Peer
		}
	}
	if len(l.Devices) > 0 {
		return l.Devices[0].Scenario.Peer
	}
	return "<peer>"
}

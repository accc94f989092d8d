// Command tunneldoc diagnoses IPsec VPN tunnels from device output, in a
// terminal or as a Slack bot. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `tunneldoc — find why an IPsec tunnel is down

Usage:
  tunneldoc                         run the bot (Slack when tokens are set, else a console on this terminal)
  tunneldoc diagnose [--json] [--vendor auto|ios|asa|strongswan] [--peer X] [FILE...]
                                    diagnose pasted device output (standard input when no FILE)
  tunneldoc compare A.cfg B.cfg [--json]
                                    find the mismatch between two peers' crypto configs
  tunneldoc lab [--dir DIR]         start simulated devices on 127.0.0.1 for the demo and tests
  tunneldoc help                    this text
`

// run is main without the process: everything it needs is passed in.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runDefault(ctx, args, getenv, stdin, stdout, stderr)
	}
	switch args[0] {
	case "diagnose":
		return runDiagnose(ctx, args[1:], stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	if code, ok := runSubcommand(ctx, args, getenv, stdin, stdout, stderr); ok {
		return code
	}
	fmt.Fprintf(stderr, "tunneldoc: unknown command %q\n\n%s", args[0], usage)
	return 2
}

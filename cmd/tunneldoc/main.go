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
  tunneldoc                         run the bot (the same as tunneldoc serve)
  tunneldoc serve [--config FILE] [--listen ADDR] [--console]
                                    run the bot: Slack when tokens are set, else a console on this terminal
  tunneldoc console [--config FILE] run the bot on this terminal, whatever tokens are set
  tunneldoc status [--json] [--config FILE]
                                    list the open incidents in the configured store (Redis)
  tunneldoc diagnose [--json] [--vendor V] [--peer X] [FILE...]
                                    diagnose pasted device output (standard input when no FILE;
                                    --vendor auto by default, diagnose --help lists the others)
  tunneldoc compare A.cfg B.cfg [--json]
                                    find the mismatch between two peers' crypto configs
  tunneldoc config check [--config FILE] [--show]
                                    check the configuration, the environment it names and the inventory
  tunneldoc lab [--dir DIR] [--scenarios A,B] [--list]
                                    start simulated devices on 127.0.0.1 for the demo and tests
  tunneldoc help                    this text

The configuration file is --config FILE or $TUNNELDOC_CONFIG; without one,
defaults and the environment (README, "Configuration").
`

// run is main without the process: everything it needs is passed in.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runServe(ctx, args, getenv, stdin, stdout, stderr)
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(ctx, args, getenv, stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "tunneldoc: unknown command %q\n\n%s", args[0], usage)
	return 2
}

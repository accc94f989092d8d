package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

// commandFunc runs one command; args[0] is the command's own name.
type commandFunc func(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int

// commands is every command run knows: a new command is one line here and
// one in usage (a test holds the two together).
var commands = map[string]commandFunc{
	"serve":   runServe,
	"console": runServe,
	"status": func(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) int {
		return runStatus(ctx, args[1:], getenv, stdout, stderr)
	},
	"diagnose": func(ctx context.Context, args []string, _ func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
		return runDiagnose(ctx, args[1:], stdin, stdout, stderr)
	},
	"compare": func(ctx context.Context, args []string, _ func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
		return runCompare(ctx, args[1:], stdin, stdout, stderr)
	},
	"config": func(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) int {
		return runConfig(ctx, args[1:], getenv, stdout, stderr)
	},
	"lab": func(ctx context.Context, args []string, _ func(string) string, _ io.Reader, stdout, stderr io.Writer) int {
		return runLab(ctx, args[1:], stdout, stderr)
	},
	"help":   printUsage,
	"-h":     printUsage,
	"--help": printUsage,
}

func printUsage(_ context.Context, _ []string, _ func(string) string, _ io.Reader, stdout, _ io.Writer) int {
	fmt.Fprint(stdout, usage)
	return 0
}

// parseFlagsOnly parses args with fs for a command that takes flags and
// no other arguments; false (exit 2) when they do not parse or something
// else follows them, said on stderr.
func parseFlagsOnly(fs *flag.FlagSet, args []string, stderr io.Writer) bool {
	if err := fs.Parse(args); err != nil {
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tunneldoc %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return false
	}
	return true
}

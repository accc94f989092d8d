package main

import (
	"context"
	"io"
)

// runDefault runs the bot: Slack when tokens are set, else the console.
func runDefault(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runServe(ctx, args, getenv, stdin, stdout, stderr)
}

// runSubcommand dispatches the commands the other files of this package
// provide. One table: a new command is one line here.
func runSubcommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (int, bool) {
	switch args[0] {
	case "serve", "console":
		return runServe(ctx, args, getenv, stdin, stdout, stderr), true
	case "compare":
		return runCompare(ctx, args[1:], stdin, stdout, stderr), true
	case "lab":
		return runLab(ctx, args[1:], stdout, stderr), true
	case "config":
		return runConfig(ctx, args[1:], getenv, stdout, stderr), true
	}
	return 0, false
}

package main

import (
	"context"
	"io"
)

// runDefault runs the bot; until the bot is wired in it reads a paste
// from standard input and diagnoses it.
func runDefault(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runDiagnose(ctx, args, stdin, stdout, stderr)
}

// runSubcommand dispatches the commands other files provide.
func runSubcommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (int, bool) {
	return 0, false
}

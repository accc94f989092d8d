package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// diagnoseMemoryLimit is the soft heap limit of `tunneldoc diagnose`.
const diagnoseMemoryLimit = 80 << 20

// runDiagnose is `tunneldoc diagnose`: exit 0 when a diagnosis was made,
// 1 when the input held nothing readable, 2 for usage errors.
func runDiagnose(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diagnose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the contract JSON object")
	vendors := "auto, " + strings.Join(diagnose.Vendors(), ", ")
	vendor := fs.String("vendor", "auto", vendors)
	peer := fs.String("peer", "", "focus on this peer address")
	if err := fs.Parse(reorder(args)); err != nil {
		return 2
	}
	if *vendor != "auto" && !slices.Contains(diagnose.Vendors(), *vendor) {
		fmt.Fprintf(stderr, "tunneldoc diagnose: unknown vendor %q (want one of: %s)\n", *vendor, vendors)
		return 2
	}
	var readers []io.Reader
	var closers []io.Closer
	for _, name := range fs.Args() {
		if name == "-" {
			readers = append(readers, stdin)
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(stderr, "tunneldoc diagnose: %v\n", err)
			return 2
		}
		closers = append(closers, f)
		// a file ends its last section: keep files apart with a newline
		readers = append(readers, f, strings.NewReader("\n"))
	}
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	if len(readers) == 0 {
		readers = append(readers, stdin)
	}
	// The engine's own memory is bounded (diagnose.MaxFacts and the other
	// limits: about 65 MB live at most); a soft limit keeps the garbage
	// collector from letting the heap grow to twice that before it runs.
	debug.SetMemoryLimit(diagnoseMemoryLimit)
	rep, err := diagnose.DiagnoseReader(ctxReader{ctx, io.MultiReader(readers...)}, diagnose.Options{Vendor: *vendor, Peer: *peer})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "tunneldoc diagnose: interrupted; the report covers what was read so far")
		} else {
			fmt.Fprintf(stderr, "tunneldoc diagnose: reading input: %v; the report covers what was read before the error\n", err)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "tunneldoc diagnose: %v\n", err)
			return 2
		}
	} else {
		fmt.Fprint(stdout, rep.Text())
	}
	if !rep.Readable {
		return 1
	}
	return 0
}

// reorder lets flags follow file names (`diagnose case.txt --json`).
func reorder(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			if (a == "--vendor" || a == "-vendor" || a == "--peer" || a == "-peer") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return append(flags, rest...)
}

// ctxReader stops reading when the context is done (SIGINT on a huge paste).
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

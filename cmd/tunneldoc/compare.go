package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/compare"
)

// maxConfigBytes bounds what compare reads per side: a running config is
// well under this, and a wrong file (a core dump, a log) fails clearly.
const maxConfigBytes = 32 << 20

// runCompare is `tunneldoc compare A.cfg B.cfg [--json]`: exit 0 when the
// two configs were compared (healthy included), 1 when a file held no
// crypto configuration it could read, 2 for usage errors.
func runCompare(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: tunneldoc compare A.cfg B.cfg [--json] [--a-addr IP] [--b-addr IP] [--a-vendor V] [--b-vendor V]\n"+
			"  compares the crypto configuration of both ends of a tunnel (IOS/IOS-XE, ASA, strongSwan swanctl.conf);\n"+
			"  \"-\" reads one side from standard input.\n")
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print the contract JSON object")
	aAddr := fs.String("a-addr", "", "A's outside address, when its config does not say")
	bAddr := fs.String("b-addr", "", "B's outside address, when its config does not say")
	aVendor := fs.String("a-vendor", "auto", "A's platform: auto, ios, asa or strongswan")
	bVendor := fs.String("b-vendor", "auto", "B's platform: auto, ios, asa or strongswan")
	// flags may follow the file names: parse them wherever they are
	var files []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 2 {
		fmt.Fprintf(stderr, "tunneldoc compare: want two config files, got %d\n", len(files))
		fs.Usage()
		return 2
	}
	if files[0] == "-" && files[1] == "-" {
		fmt.Fprintln(stderr, "tunneldoc compare: only one side can come from standard input")
		return 2
	}
	for _, v := range []struct{ flag, val string }{{"a-vendor", *aVendor}, {"b-vendor", *bVendor}} {
		switch v.val {
		case "auto", "ios", "asa", "strongswan":
		default:
			fmt.Fprintf(stderr, "tunneldoc compare: --%s %q: want auto, ios, asa or strongswan\n", v.flag, v.val)
			return 2
		}
	}
	for _, a := range []struct{ flag, val string }{{"a-addr", *aAddr}, {"b-addr", *bAddr}} {
		if a.val == "" {
			continue
		}
		if _, err := netip.ParseAddr(a.val); err != nil {
			fmt.Fprintf(stderr, "tunneldoc compare: --%s %q is not an IP address\n", a.flag, a.val)
			return 2
		}
	}
	var inputs [2]compare.Input
	for i, name := range files {
		if err := ctx.Err(); err != nil {
			fmt.Fprintf(stderr, "tunneldoc compare: %v\n", err)
			return 2
		}
		text, err := readConfig(name, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "tunneldoc compare: %v\n", err)
			return 2
		}
		inputs[i] = compare.Input{Label: name, Text: text}
	}
	inputs[0].OutsideAddr, inputs[0].Vendor = *aAddr, *aVendor
	inputs[1].OutsideAddr, inputs[1].Vendor = *bAddr, *bVendor
	// A fresh key per run: the keyed hashes in the report show that two
	// pre-shared keys differ and are worthless for guessing either.
	hashKey := make([]byte, 32)
	if _, err := rand.Read(hashKey); err != nil {
		hashKey = nil // the report says only that the keys differ
	}
	rep := compare.Configs(inputs[0], inputs[1], compare.Options{HashKey: hashKey})
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "<redacted>" reads better than "\u003credacted\u003e"
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "tunneldoc compare: %v\n", err)
			return 2
		}
	} else {
		fmt.Fprint(stdout, compare.FormatText(rep))
	}
	if !rep.Readable {
		return 1
	}
	return 0
}

func readConfig(name string, stdin io.Reader) (string, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", fmt.Errorf("reading config: %w", err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	if len(b) > maxConfigBytes {
		return "", fmt.Errorf("%s is larger than %d MiB: not a device configuration", name, maxConfigBytes>>20)
	}
	if strings.IndexByte(string(b[:min(len(b), 8192)]), 0) >= 0 {
		return "", fmt.Errorf("%s is a binary file, not a device configuration", name)
	}
	return string(b), nil
}

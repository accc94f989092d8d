package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// cutShortLab starts one device that hangs, one that floods and one that
// drops the connection, each on its first crypto command, with a 2 s
// command timeout and a 64 KiB output cap, and returns the inventory.
func cutShortLab(t *testing.T, ctx context.Context) (*lab.Lab, string) {
	t.Helper()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{
		{Name: "hangs", Scenario: "ios-healthy", Fault: lab.Fault{HangOn: "show crypto isakmp sa"}},
		{Name: "floods", Scenario: "asa-healthy", Fault: lab.Fault{FloodOn: "show crypto isakmp sa"}},
		{Name: "drops", Scenario: "swan-healthy", Fault: lab.Fault{DropOn: "swanctl --list-sas"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	inv, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(inv)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "  command_timeout: 20s\n", "  command_timeout: 2s\n  max_output_bytes: 65536\n", 1)
	if err := os.WriteFile(inv, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return l, inv
}

// cutShortWant is what the reply must say for each device: the command,
// what happened, and what to do.
var cutShortWant = map[string][]string{
	"hangs":  {"`show crypto isakmp sa` on hangs: the device stopped sending after 2s", "its prompt never came back", "vty lines and CPU"},
	"floods": {"`show crypto isakmp sa` on floods: output cut at 64 KB, the output cap", "raise `max_output_bytes`"},
	"drops":  {"`swanctl --list-sas` on drops: connection closed by the device after ", "before its prompt came back", "paste its output after `diagnose`"},
}

// TestCheckCutShortSaysSo: a check of a device that hangs, floods or drops
// the connection still gets a diagnosis, and the reply (Slack blocks, the
// notification text and the console's text) names the command, what
// happened, that the diagnosis stands on partial output, and what to do.
// The flood is held to the output cap.
func TestCheckCutShortSaysSo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, invPath := cutShortLab(t, ctx)
	inv, err := devices.LoadInventory(invPath)
	if err != nil {
		t.Fatal(err)
	}
	cc := collectorChecker{devices.NewCollector(inv, devices.CollectorOptions{})}
	for _, d := range l.Devices {
		t.Run(d.Name, func(t *testing.T) {
			res, err := cc.CheckTunnel(ctx, d.Scenario.Peer, d.Name)
			if err != nil {
				t.Fatalf("a cut-short command must not fail the check: %v", err)
			}
			if len(res.Notes) == 0 {
				t.Fatalf("no collection notes for %s", d.Name)
			}
			for _, n := range res.Notes {
				if n.Problem == bot.CutFlooded && (n.Limit != 65536 || n.Bytes > n.Limit) {
					t.Errorf("flood note %+v: want the 65536 cap held", n)
				}
			}
			// the cap holds: the whole transcript stays near one capped
			// answer plus the device's ordinary ones
			if len(res.Transcript) > 65536+64<<10 {
				t.Errorf("transcript is %d bytes with a 64 KiB cap", len(res.Transcript))
			}
			rep := diagnose.Diagnose(res.Transcript, diagnose.Options{Peer: d.Scenario.Peer})
			res.Transcript = ""
			out := bot.Render(rep, bot.ReplyContext{Source: "check", Check: &res})
			blocks, err := json.Marshal(out.Reply.Blocks)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range append([]string{"This diagnosis is based on partial output"}, cutShortWant[d.Name]...) {
				// JSON escapes < > & and backticks stay as they are
				if !strings.Contains(string(blocks), w) {
					t.Errorf("blocks lack %q:\n%s", w, blocks)
				}
				if !strings.Contains(out.Reply.Full, w) {
					t.Errorf("plain text lacks %q:\n%s", w, out.Reply.Full)
				}
			}
			if !strings.Contains(out.Reply.Summary, "partial output: ") || !strings.Contains(out.Reply.Summary, " on "+d.Name) {
				t.Errorf("notification text does not say the output was partial: %q", out.Reply.Summary)
			}
		})
	}
}

// TestConsoleCheckCutShort: the same three devices through the whole bot
// (console messenger): every answer carries the warning.
func TestConsoleCheckCutShort(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, inv := cutShortLab(t, ctx)
	var in strings.Builder
	for _, d := range l.Devices {
		in.WriteString("check tunnel " + d.Scenario.Peer + " on " + d.Name + "\n")
	}
	in.WriteString("quit\n")
	env := map[string]string{"TUNNELDOC_INVENTORY": inv}
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"console"}, func(k string) string { return env[k] }, strings.NewReader(in.String()), &out, &errb); code != 0 {
		t.Fatalf("console exit %d: %s", code, errb.String())
	}
	answers := strings.Split(out.String(), "checking ")[1:]
	if len(answers) != len(l.Devices) {
		t.Fatalf("%d answers for %d checks:\n%s", len(answers), len(l.Devices), out.String())
	}
	for i, d := range l.Devices {
		// A connection dropped in the first table leaves nothing to
		// diagnose: no diagnosis stands on part of a table.
		first := "warning: This diagnosis is based on partial output"
		if d.Name == "drops" {
			first = "the device returned no usable output"
		}
		for _, w := range append([]string{first}, cutShortWant[d.Name]...) {
			if !strings.Contains(answers[i], w) {
				t.Errorf("%s: console answer lacks %q:\n%s", d.Name, w, answers[i])
			}
		}
	}
}

package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// lockedBuffer is a bytes.Buffer the bot's goroutines may log to at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestConsole feeds commands on stdin, as a person at a terminal with no
// Slack and no Redis would type them, and reads the answers.
func TestConsole(t *testing.T) {
	seed, rerr := os.ReadFile("testdata/seed004_scenario1a.txt")
	if rerr != nil {
		t.Fatal(rerr)
	}
	var out bytes.Buffer
	var logs lockedBuffer
	b, err := bot.New(bot.Config{
		Store:     store.NewMemory(store.Options{}),
		Messenger: bot.NewConsoleMessenger(&out),
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	in := strings.Join([]string{
		"help",
		"status",
		"diagnose",
		string(seed),
		"crypto isakmp key 0 ConsoleSecret address 40.10.1.1",
		".",
		"status",
		"check tunnel 90.1.1.1 on fw-hq",
		"ISAKMP:(0):no offers accepted!ISAKMP:(0): phase 1 SA policy not acceptable! (local 30.3.1.1 remote 40.10.1.1)",
		".",
		"quit",
		"help", // after quit: never read
	}, "\n")
	if err := bot.RunConsole(context.Background(), b, strings.NewReader(in), &out, ""); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"tunneldoc console",
		"check tunnel 90.1.1.1",                    // help
		"No open incidents.",                       // first status
		"Phase 1 (IKE SA) · ike_proposal_mismatch", // the paste
		"Encryption algorithm offered does not match policy!",
		"1 open incident(s)", // second status
		"No device inventory is configured, so I cannot log in to check 90.1.1.1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("console output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "ike_proposal_mismatch") < 3 { // paste header, status line, implicit paste
		t.Errorf("the implicit paste (a line that is no command) was not diagnosed:\n%s", got)
	}
	if strings.Count(got, "tunneldoc finds why") != 1 {
		t.Errorf("input after quit was read")
	}
	// A terminal gets plain text: no Slack emoji codes, bold marks or
	// entities.
	for _, slackism := range []string{"*tunneldoc*", ":red_circle:", ":warning:", ":x:", "&lt;", "&gt;", "&amp;", "<@"} {
		if strings.Contains(got, slackism) {
			t.Errorf("console output holds Slack markup %q:\n%s", slackism, got)
		}
	}
	if strings.Contains(got+logs.String(), "ConsoleSecret") {
		t.Error("secret printed")
	}
}

package slack_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// hubPaste is a `show crypto ipsec sa` of a hub with n peers (81.2.x.y),
// every one encrypting and decrypting nothing back.
func hubPaste(t *testing.T, n int) (string, []string) {
	t.Helper()
	b, err := os.ReadFile("../../diagnose/testdata/cases/one_way_outbound/seed003-ios-encrypt-only.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\ninterface:")
	if i < 0 {
		t.Fatal("no interface block in the case")
	}
	var out strings.Builder
	out.WriteString(s[:i+1])
	var peers []string
	for p := 1; p <= n; p++ {
		peer := fmt.Sprintf("81.2.%d.%d", p/100, p%100)
		peers = append(peers, peer)
		out.WriteString(strings.ReplaceAll(s[i+1:], "81.2.2.2", peer))
	}
	return out.String(), peers
}

// TestManyPeersInOnePaste: a hub's 120 one-way peers are answered with
// their count, listed in address order (81.2.0.2 before 81.2.0.10), the
// full table attached as a file; the console prints every peer.
func TestManyPeersInOnePaste(t *testing.T) {
	paste, peers := hubPaste(t, 120)
	e := newEnv(t)
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvH1", TS: "1700006000.000100", Text: "<@UBOT> " + paste})
	cs := e.slack.snapshot()
	posts := only(cs, "chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("replies:%s", describe(cs))
	}
	if !strings.Contains(posts[0].Blocks, "120 peers affected") || !strings.Contains(posts[0].Text, "120 peers") {
		t.Fatalf("the reply does not count the peers: %q\n%s", posts[0].Text, posts[0].Blocks)
	}
	if !strings.Contains(posts[0].Blocks, "81.2.0.1, 81.2.0.2, 81.2.0.3, 81.2.0.4, 81.2.0.5, 81.2.0.6, 81.2.0.7, 81.2.0.8, 81.2.0.9, 81.2.0.10, 81.2.0.11") {
		t.Errorf("peers not listed in address order:\n%s", posts[0].Blocks)
	}
	done := only(cs, "files.completeUploadExternal")
	if len(done) != 1 || done[0].ThreadTS != "1700006000.000100" {
		t.Fatalf("no file with the full table:%s", describe(cs))
	}
	last := -1
	for _, p := range peers {
		i := strings.Index(done[0].Text, "  "+p+" ")
		if i < 0 {
			t.Fatalf("the attached table lacks %s", p)
		}
		if i < last {
			t.Fatalf("the attached table is not in address order at %s", p)
		}
		last = i
	}

	var out bytes.Buffer
	b, err := bot.New(bot.Config{Store: store.NewMemory(store.Options{}), Messenger: bot.NewConsoleMessenger(&out)})
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.RunConsole(context.Background(), b, strings.NewReader("diagnose\n"+paste+"\n.\nquit\n"), &out, ""); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "120 peers affected") {
		t.Errorf("the console does not count the peers:\n%.2000s", out.String())
	}
	for _, p := range peers {
		if !strings.Contains(out.String(), "  "+p+" ") {
			t.Fatalf("the console does not list %s", p)
		}
	}
}

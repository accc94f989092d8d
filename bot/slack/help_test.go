package slack_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// TestHelpListsEveryCommand: help, in Slack and on the console, names
// every command (compare, silence and /tunnel too); the console prints it
// as plain words, with no Slack emoji codes or *bold*. `/tunnel compare`
// alone opens the paste window; a refused paste is told to the asker alone.
func TestHelpListsEveryCommand(t *testing.T) {
	words := []string{"check tunnel", "diagnose", "compare", "status", "silence", "unsilence", "/tunnel", "help"}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Access.PasteChannels = []string{"COPS"} })
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvH1", TS: "1700008000.000100", Text: "<@UBOT> help"})
	posts := only(e.slack.snapshot(), "chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("help:%s", describe(e.slack.snapshot()))
	}
	for _, w := range words {
		if !strings.Contains(posts[0].Text+posts[0].Blocks, w) {
			t.Errorf("Slack help lacks %q: %s", w, posts[0].Text)
		}
	}

	var out bytes.Buffer
	b, err := bot.New(bot.Config{Store: store.NewMemory(store.Options{}), Messenger: bot.NewConsoleMessenger(&out)})
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.RunConsole(context.Background(), b, strings.NewReader("help\nstatus\nquit\n"), &out, ""); err != nil {
		t.Fatal(err)
	}
	for _, w := range words {
		if !strings.Contains(out.String(), w) {
			t.Errorf("console help lacks %q", w)
		}
	}
	if m := regexp.MustCompile(`:[a-z_]+:|\*[A-Za-z][^*\n]*\*`).FindString(out.String()); m != "" {
		t.Errorf("the console prints Slack markup %q:\n%s", m, out.String())
	}

	before := len(e.slack.snapshot())
	e.bot.HandleSlash(context.Background(), bot.Request{Kind: bot.KindSlash, Channel: "CNET", User: "UALICE", Text: "compare", Trigger: "trig-c"})
	if cs := e.slack.snapshot()[before:]; len(only(cs, "views.open")) != 1 {
		t.Errorf("/tunnel compare opened no paste window:%s", describe(cs))
	}

	before = len(e.slack.snapshot())
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvH2", User: "UBOB", TS: "1700008100.000100", Text: "<@UBOT> " + seed(t, "seed004_scenario1a.txt")})
	cs := e.slack.snapshot()[before:]
	if len(cs) != 1 || cs[0].Method != "chat.postEphemeral" || cs[0].User != "UBOB" || !strings.Contains(cs[0].Text, "TUNNELDOC_PASTE_CHANNELS") {
		t.Errorf("a refused paste is not told to the asker alone:%s", describe(cs))
	}
}

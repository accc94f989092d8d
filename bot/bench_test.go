package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// BenchmarkHandlePaste: one pasted seed scenario, end to end through the
// bot core (parse, redact, diagnose, render, store) with the in-memory
// store and a console messenger writing nowhere.
func BenchmarkHandlePaste(b *testing.B) {
	raw, err := os.ReadFile("testdata/seed004_scenario1a.txt")
	text := string(raw)
	if err != nil {
		b.Fatal(err)
	}
	bt, err := bot.New(bot.Config{
		Store: store.NewMemory(store.Options{}), Messenger: bot.NewConsoleMessenger(io.Discard),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		bt.Handle(ctx, bot.Request{Kind: bot.KindMention, EventID: fmt.Sprint("Ev", i), Channel: "C", User: "U", TS: fmt.Sprintf("1.%06d", i), Text: "<@UBOT> diagnose\n" + text})
	}
}

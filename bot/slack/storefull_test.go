package slack_test

import (
	"context"
	"strings"
	"testing"

	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// With Redis at maxmemory (noeviction) a paste is still answered, and the
// answer says the state store is full, not unreachable.
func TestPasteOnFullRedisSaysFull(t *testing.T) {
	e := newEnv(t)
	if _, err := e.redis.Do("CONFIG", "SET", "maxmemory-policy", "noeviction"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.redis.Do("CONFIG", "SET", "maxmemory", "1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = botslack.RunSocketMode(ctx, e.bot, e.api, e.config.Logger, nil) }()
	text := "diagnose\n```\n" + seed(t, "seed004_scenario1a.txt") + "\n```"
	e.slack.envelopes <- envelope("env-full", mention("EvFull1", "1700000900.000100", "", text), 0)
	cs := e.slack.waitFor("an answer saying the store is full", func(cs []call) bool {
		for _, c := range cs {
			if strings.Contains(c.Text+c.Blocks, "state store full") {
				return true
			}
		}
		return false
	})
	for _, c := range cs {
		if strings.Contains(c.Text+c.Blocks, "state store unreachable") {
			t.Errorf("%s says unreachable on a full Redis: %s", c.Method, c.Text)
		}
	}
}

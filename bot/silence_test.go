package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/clock"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

type fakeSilencer struct {
	peer string
	d    time.Duration
	off  string
}

func (f *fakeSilencer) Silence(_ context.Context, peer string, d time.Duration, by string) (time.Time, error) {
	f.peer, f.d = peer, d
	return time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC), nil
}
func (f *fakeSilencer) Unsilence(_ context.Context, peer string) error { f.off = peer; return nil }
func (f *fakeSilencer) Silences(context.Context) ([]store.SilenceEntry, error) {
	if f.peer == "" || f.off != "" {
		return nil, nil
	}
	return []store.SilenceEntry{{Peer: f.peer, By: "U1", Until: time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)}}, nil
}

func TestSilenceCommand(t *testing.T) {
	cases := []struct {
		text, peer string
		d          time.Duration
		errPart    string
	}{
		{"silence 90.1.1.1 2h", "90.1.1.1", 2 * time.Hour, ""},
		{"mute 90.1.1.1 30m", "90.1.1.1", 30 * time.Minute, ""},
		{"silence 90.1.1.1", "90.1.1.1", 0, "How long"},
		{"silence 90.1.1.1 forever", "90.1.1.1", 0, "not a duration"},
		{"silence 90.1.1.1 999h", "90.1.1.1", 0, "at most 7 days"},
		{"silence", "", 0, "Say `silence"},
	}
	for _, c := range cases {
		cmd := ParseCommand(c.text)
		if cmd.Kind != CmdSilence || cmd.Peer != c.peer || cmd.For != c.d || (c.errPart != "" && !strings.Contains(cmd.Err, c.errPart)) || (c.errPart == "" && cmd.Err != "") {
			t.Errorf("%q -> %+v", c.text, cmd)
		}
	}

	sil := &fakeSilencer{}
	msgr := &recordingMessenger{}
	b, err := New(Config{Store: store.NewMemory(store.Options{}), Messenger: msgr, Clock: clock.Real, Silencer: sil})
	if err != nil {
		t.Fatal(err)
	}
	b.Handle(context.Background(), Request{Kind: KindMention, Channel: "C1", User: "U1", TS: "1.1", Text: "silence 90.1.1.1 2h"})
	b.Handle(context.Background(), Request{Kind: KindMention, Channel: "C1", User: "U1", TS: "1.3", Text: "status"})
	b.Handle(context.Background(), Request{Kind: KindMention, Channel: "C1", User: "U1", TS: "1.2", Text: "unsilence 90.1.1.1"})
	if sil.peer != "90.1.1.1" || sil.d != 2*time.Hour || sil.off != "90.1.1.1" {
		t.Fatalf("silencer got %+v", sil)
	}
	if len(msgr.msgs) != 3 || !strings.Contains(msgr.msgs[0], "silenced until 2026-11-23 23:00") ||
		!strings.Contains(msgr.msgs[1], "90.1.1.1 silenced until") || !strings.Contains(msgr.msgs[2], "back on") {
		t.Fatalf("replies %q", msgr.msgs)
	}
}

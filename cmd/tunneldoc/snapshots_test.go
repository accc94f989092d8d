package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// threadMessenger keeps every post and edit as plain text, in order.
type threadMessenger struct {
	mu   sync.Mutex
	msgs []string
}

func (m *threadMessenger) Post(_ context.Context, msg bot.Message) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg.Reply.Plain())
	return fmt.Sprintf("1700000000.%06d", len(m.msgs)), nil
}

func (m *threadMessenger) Update(_ context.Context, _ string, msg bot.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg.Reply.Plain())
	return nil
}

func (m *threadMessenger) Upload(context.Context, string, string, string, string, string) error {
	return nil
}

func (m *threadMessenger) Permalink(context.Context, string, string) (string, error) {
	return "", nil
}

func (m *threadMessenger) all() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.msgs, "\n---\n")
}

// TestCheckReadsCountersTwice: `check tunnel` against the lab reads the
// IPsec SA counters a second time, devices.snapshot_interval later (on
// the fake clock), and posts the verdict on the deltas with both reads'
// counter lines: a device whose counters grow both ways is live, one way
// is one-way (which way), and one whose counters stand still is idle and
// gets the ping to try.
func TestCheckReadsCountersTwice(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{
		{Name: "hub-j", Scenario: "ios-traffic-moving"},
		{Name: "fw-a", Scenario: "asa-healthy"},
		{Name: "gw-a", Scenario: "swan-healthy"},
		{Name: "fw-d", Scenario: "asa-one-way-outbound"},
		{Name: "hub-d", Scenario: "ios-one-way-inbound"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	inv, err := l.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "tunneldoc.yaml")
	if err := os.WriteFile(path, []byte("devices:\n  inventory: "+inv+"\n  snapshot_interval: 2s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.Devices.SnapshotInterval != 2*time.Second {
		t.Fatalf("snapshot interval %s, want 2s from the file", c.Devices.SnapshotInterval)
	}
	col := devices.NewCollector(c.Devices.Loaded, devices.CollectorOptions{Getenv: c.Devices.Lookup})
	clk := clocktest.New(time.Time{}).Jump()

	cases := []struct {
		device, peer string
		want         []string
	}{
		{"hub-j", "40.10.10.1", []string{
			"Reading the counters of 40.10.10.1 again in 2 s",
			"Traffic to peer 40.10.10.1 flows both ways now: 25 packets encrypted and 24 decrypted in the 2 s between the two reads.",
			"Counters, first read", "#pkts encaps: 1843, #pkts encrypt: 1843", "#pkts decaps: 2618",
			"Counters, 2 s later", "#pkts encaps: 1868, #pkts encrypt: 1868", "#pkts decaps: 2642",
		}},
		{"fw-a", "90.1.1.1", []string{
			"Reading the counters of 90.1.1.1 again in 2 s",
			"No packet crossed the tunnel to peer 90.1.1.1 in the 2 s between the two reads",
			"ping inside 192.168.10.1",
			"#pkts encaps: 294486",
		}},
		{"fw-d", "90.1.1.4", []string{
			"Traffic to peer 90.1.1.4 flows one way only: this side encrypted 30 packets in the 2 s between the two reads and decrypted none back.",
			"#pkts encaps: 48241", "#pkts decaps: 0",
		}},
		{"hub-d", "40.10.4.1", []string{
			"Traffic from peer 40.10.4.1 flows one way only: this side decrypted 12 packets in the 2 s between the two reads and encrypted none back.",
			"#pkts decaps: 9961",
		}},
		{"gw-a", "203.0.113.10", []string{
			"No packet crossed the tunnel to peer 203.0.113.10 in the 2 s",
			"ping -I <this device's address in 10.10.0.0/16> 10.20.0.1",
			"out c5d6e7f8,  12902210 bytes,    40177 packets",
		}},
	}
	for i, tc := range cases {
		t.Run(tc.device, func(t *testing.T) {
			msgr := &threadMessenger{}
			b, err := bot.New(bot.Config{Store: store.NewMemory(store.Options{}), Messenger: msgr, Clock: clk,
				Checker: collectorChecker{col}, Peers: collectorChecker{col},
				Counters: counterReader(col), SnapshotInterval: c.Devices.SnapshotInterval})
			if err != nil {
				t.Fatal(err)
			}
			b.Handle(ctx, bot.Request{Kind: bot.KindMention, Channel: "C1", User: "U1", TS: fmt.Sprintf("1700000100.%06d", i),
				Text: "check tunnel " + tc.peer + " on " + tc.device})
			got := msgr.all()
			if testing.Verbose() {
				t.Log(got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("thread lacks %q:\n%s", w, got)
				}
			}
		})
	}
	if w := clk.Waits(); !slices.Contains(w, 2*time.Second) {
		t.Errorf("the clock was asked for %v, want a 2s wait between the reads", w)
	}
}

// TestSnapshotIntervalConfig: 5 s unless told; 0 and off turn the second
// read off; a negative or unreadable interval is refused.
func TestSnapshotIntervalConfig(t *testing.T) {
	dir := t.TempDir()
	load := func(v string) (Config, error) {
		path := filepath.Join(dir, "tunneldoc.yaml")
		text := ""
		if v != "" {
			text = "devices:\n  snapshot_interval: " + v + "\n"
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return loadConfig(path, func(string) string { return "" })
	}
	for v, want := range map[string]time.Duration{"": bot.DefaultSnapshotInterval, "0": 0, "off": 0, "10s": 10 * time.Second} {
		c, err := load(v)
		if err != nil || c.Devices.SnapshotInterval != want {
			t.Errorf("snapshot_interval %q: %s, %v; want %s", v, c.Devices.SnapshotInterval, err, want)
		}
	}
	for _, v := range []string{"-5s", "soon"} {
		if _, err := load(v); err == nil || !strings.Contains(err.Error(), "devices.snapshot_interval") {
			t.Errorf("snapshot_interval %q: error %v, want one naming the key", v, err)
		}
	}
}

// TestCheckSecondReadFails: the device goes away while the bot waits to
// read the counters again; the thread says what could not be judged.
func TestCheckSecondReadFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{{Name: "hub-j", Scenario: "ios-traffic-moving"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	inv, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := devices.LoadInventory(inv)
	if err != nil {
		t.Fatal(err)
	}
	col := devices.NewCollector(loaded, devices.CollectorOptions{})
	clk := clocktest.New(time.Time{})
	waits := clk.Hold()
	msgr := &threadMessenger{}
	b, err := bot.New(bot.Config{Store: store.NewMemory(store.Options{}), Messenger: msgr, Clock: clk,
		Checker: collectorChecker{col}, Counters: counterReader(col), SnapshotInterval: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Handle(ctx, bot.Request{Kind: bot.KindMention, Channel: "C1", User: "U1", TS: "1700000200.000001", Text: "check tunnel 40.10.10.1"})
	}()
	select {
	case w := <-waits:
		if w != 3*time.Second {
			t.Errorf("waited %s, want 3s", w)
		}
	case <-ctx.Done():
		t.Fatal("the check never waited to read the counters again")
	}
	l.Close() // the device is gone before the second read
	clk.Release()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("the check did not finish")
	}
	got := msgr.all()
	if testing.Verbose() {
		t.Log(got)
	}
	for _, w := range []string{"Reading the counters of 40.10.10.1 again in 3 s", "could not be judged: the second read failed", "Counters, first read", "#pkts encaps: 1843"} {
		if !strings.Contains(got, w) {
			t.Errorf("thread lacks %q:\n%s", w, got)
		}
	}
}

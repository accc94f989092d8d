package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// TestUserFlow is tunneldoc used as a team would: `tunneldoc serve` in
// Events API mode with its own redis-server, a loopback Slack and lab
// devices; two users, a DM and two channels; a failing and a healthy
// device, an unknown peer, a hub's paste, a PSK in a paste, a replayed
// event and a badly signed one. Every answer is posted in the asker's
// channel and thread, each request is answered once, only trouble opens
// an incident, the DM's incident stays in the DM, and no secret reaches a
// Slack call, a Redis value or a log line.
func TestUserFlow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const labPassword = "LabLoginPw-7741"
	l, err := lab.Start(ctx, lab.Options{Password: labPassword, Devices: []lab.DeviceConfig{
		{Name: "fw-bad", Scenario: "ios-psk-mismatch"},
		{Name: "fw-ok", Scenario: "ios-healthy"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	inv, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	bad, ok := deviceNamed(t, l, "fw-bad").Scenario.Peer, deviceNamed(t, l, "fw-ok").Scenario.Peer
	hub, err := os.ReadFile(filepath.Join("..", "..", "diagnose", "testdata", "cases", "psk_mismatch", "ios-multi-peer-hub.txt"))
	if err != nil {
		t.Fatal(err)
	}

	rs := redistest.Start(t)
	slk := newRecordingSlack(t)
	const signing = "SlackSigning-4471"
	listen := freeAddr(t, "tcp")
	env := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-BotToken-4472", "SLACK_SIGNING_SECRET": signing, "SLACK_API_URL": slk.srv.URL + "/",
		"TUNNELDOC_LISTEN": listen, "REDIS_URL": rs.URL(), "TUNNELDOC_INVENTORY": inv,
		"TUNNELDOC_LOG_LEVEL": "debug", "TUNNELDOC_LOG_FORMAT": "json", "TUNNELDOC_OPS_LISTEN": "off",
	}
	logs, stdout, done := startServe(ctx, t, env, listen)

	channelOf := map[string]string{} // request ts -> its channel
	post := func(eventID, secret string, ev map[string]any) int {
		t.Helper()
		return sendEvent(ctx, t, listen, secret, eventID, ev)
	}
	ask := func(eventID, user, channel, ts, text string) {
		t.Helper()
		ev := map[string]any{"type": "app_mention", "user": user, "channel": channel, "ts": ts, "event_ts": ts, "text": "<@UBOT> " + text}
		if strings.HasPrefix(channel, "D") {
			ev = map[string]any{"type": "message", "channel_type": "im", "user": user, "channel": channel, "ts": ts, "text": text}
		}
		channelOf[ts] = channel
		if code := post(eventID, signing, ev); code != 200 {
			t.Fatalf("%s: status %d", eventID, code)
		}
	}

	// Alice pastes a failing debug with keys in her DM; Bob checks the
	// failing device in #net; Alice checks it in #ops; Bob checks the
	// healthy one, and a peer no device has; Alice pastes a hub's output.
	ask("EvU1", "UALICE", "D0ALICE", "1700000101.000100", "```\n"+secretsPaste(t)+"\n```")
	waitThread(t, slk, "1700000101.000100", "psk_mismatch")
	ask("EvU2", "UBOB", "CNET", "1700000102.000100", "check tunnel "+bad+" on fw-bad")
	waitThread(t, slk, "1700000102.000100", "psk_mismatch")
	ask("EvU3", "UALICE", "COPS", "1700000103.000100", "check tunnel "+bad+" on fw-bad")
	waitThread(t, slk, "1700000103.000100", "already open")
	ask("EvU4", "UBOB", "CNET", "1700000104.000100", "check tunnel "+ok+" on fw-ok")
	waitThread(t, slk, "1700000104.000100", "healthy")
	ask("EvU5", "UBOB", "COPS", "1700000105.000100", "check tunnel 90.1.1.9")
	waitThread(t, slk, "1700000105.000100", "90.1.1.9")
	ask("EvU6", "UALICE", "CNET", "1700000106.000100", "diagnose\n```\n"+string(hub)+"```")
	waitThread(t, slk, "1700000106.000100", "peers affected")
	ask("EvU7", "UBOB", "COPS", "1700000107.000100", "status")
	ask("EvU8", "UALICE", "D0ALICE", "1700000108.000100", "status")
	waitThread(t, slk, "1700000108.000100", "open incident")
	waitThread(t, slk, "1700000107.000100", "open incident")

	// A replayed event and a badly signed one are not answered again.
	before := len(slk.snapshot())
	if code := post("EvU2", signing, map[string]any{"type": "app_mention", "user": "UBOB", "channel": "CNET", "ts": "1700000102.000100", "event_ts": "1700000102.000100", "text": "<@UBOT> check tunnel " + bad + " on fw-bad"}); code != 200 {
		t.Fatalf("replay: status %d", code)
	}
	if code := post("EvU9", "not-the-secret", map[string]any{"type": "app_mention", "user": "UMALLORY", "channel": "CNET", "ts": "1700000109.000100", "event_ts": "1700000109.000100", "text": "<@UBOT> status"}); code != 401 {
		t.Errorf("badly signed event: status %d, want 401", code)
	}
	time.Sleep(500 * time.Millisecond) // a wrong answer would come within this; there is no event to wait for
	for _, c := range slk.snapshot()[before:] {
		t.Errorf("answered a replayed or badly signed event: %s %s", c.Method, c.Form.Encode())
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}

	// Every post is in the asker's channel: threads are the requests' own
	// (or roots the bot posted in that channel).
	roots := map[string]string{}
	for _, c := range slk.snapshot() {
		ch, thread := c.Form.Get("channel"), c.Form.Get("thread_ts")
		switch c.Method {
		case "chat.postMessage", "chat.postEphemeral":
			if thread == "" {
				roots[c.TS] = ch
				continue
			}
			want, known := channelOf[thread]
			if !known {
				want, known = roots[thread]
			}
			if !known || want != ch {
				t.Errorf("%s in %s thread %s: not where it was asked (%q)", c.Method, ch, thread, c.Form.Get("text"))
			}
		}
		if ch != "D0ALICE" && (strings.Contains(c.Form.Get("text")+c.Form.Get("blocks"), "D0ALICE")) {
			t.Errorf("the DM is named outside it: %s %s", c.Method, ch)
		}
	}
	// One answer per check: one placeholder, edited once.
	for _, ts := range []string{"1700000102.000100", "1700000103.000100", "1700000104.000100"} {
		if n := strings.Count(slk.thread(ts), "checking "); n != 1 {
			t.Errorf("request %s got %d placeholders", ts, n)
		}
	}
	answers := 0
	for _, c := range slk.snapshot() {
		if c.Form.Get("thread_ts") == "1700000105.000100" {
			answers++
			if c.Method != "chat.postEphemeral" || c.Form.Get("user") != "UBOB" {
				t.Errorf("the unknown peer's answer is not Bob's alone: %s %s", c.Method, c.Form.Encode())
			}
		}
	}
	if answers != 1 {
		t.Errorf("the unknown peer got %d answers", answers)
	}
	// Only trouble opened incidents: the healthy device's tunnel and the
	// unknown peer have none; the DM's is its own.
	dump := redisDump(t, rs.Addr())
	if strings.Contains(dump, "tunnel:"+ok+"|fw-ok") || strings.Contains(dump, "90.1.1.9") {
		t.Errorf("a false incident is in Redis:\n%.3000s", dump)
	}
	if !strings.Contains(dump, "tunnel:"+bad+"|fw-bad") || !strings.Contains(dump, "tunnel:dm:D0ALICE|") {
		t.Errorf("the failing tunnel's or the DM's incident is missing:\n%.3000s", dump)
	}
	if status := slk.thread("1700000107.000100"); strings.Contains(status, "D0ALICE") || !strings.Contains(status, "fw-bad") {
		t.Errorf("status in #ops: %.600s", status)
	}
	secrets := append([]string{signing, "BotToken-4472", labPassword}, secretValues...)
	for where, text := range map[string]string{"Slack": slk.text(), "logs": logs.String() + stdout.String(), "Redis": dump} {
		for _, l := range leaks(text, secrets) {
			t.Errorf("secret in %s: %s", where, l)
		}
	}
	// JSON log lines of requests carry their request id.
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"audit":true`) && !strings.Contains(line, `"request_id":"req-`) {
			t.Errorf("audit line without request_id: %s", line)
		}
	}
}

// waitThread waits until the thread under ts (posts and their edits)
// says want.
func waitThread(t *testing.T, s *recordingSlack, ts, want string) {
	t.Helper()
	if !eventually(60*time.Second, 50*time.Millisecond, func() bool { return strings.Contains(s.thread(ts), want) }) {
		t.Fatalf("the thread %s never said %q:\n%.4000s\nSlack saw:\n%.6000s", ts, want, s.thread(ts), s.text())
	}
}

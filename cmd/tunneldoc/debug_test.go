package main

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/clock/clocktest"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store"
	redisstore "github.com/tunneldoc/tunneldoc/bot/store/redis"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/devices"
	"github.com/tunneldoc/tunneldoc/devices/lab"
)

// debugEnv is a bot wired as serve wires it (Slack messenger on a
// loopback Slack, Redis store, the devices collector) with a lab device
// that allows debugs, on a fake clock.
type debugEnv struct {
	t     *testing.T
	lab   *lab.Lab
	dev   *lab.Device
	peer  string
	slack *recordingSlack
	store *redisstore.Store
	clock *clocktest.Fake
	logs  *lockedBuffer
	coll  *devices.Collector
}

const debugger = "UOPS" // the one user allowed to run debugs

func newDebugEnv(t *testing.T) *debugEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	l, err := lab.Start(ctx, lab.Options{Devices: []lab.DeviceConfig{{Name: "fw-dbg", Scenario: "asa-mm-wait-msg2", DebugAllowed: true}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	path, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inv, err := devices.LoadInventory(path)
	if err != nil {
		t.Fatal(err)
	}
	rs := redistest.Start(t)
	st, err := redisstore.OpenURL(rs.URL(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &debugEnv{t: t, lab: l, dev: l.Devices[0], peer: l.Devices[0].Scenario.Peer, slack: newRecordingSlack(t), store: st, clock: clocktest.New(time.Time{}), logs: &lockedBuffer{}}
	e.coll = devices.NewCollector(inv, devices.CollectorOptions{})
	return e
}

// newBot is one tunneldoc process: a new bot on the same store, devices
// and Slack.
func (e *debugEnv) newBot() *bot.Bot {
	e.t.Helper()
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api := slack.New("xoxb-test", slack.OptionAPIURL(e.slack.srv.URL+"/"))
	m := botslack.NewMessenger(api, e.clock, log)
	m.MinInterval = 0
	b, err := bot.New(bot.Config{
		Store: e.store, Messenger: m, Checker: collectorChecker{e.coll}, Peers: collectorChecker{e.coll},
		Debugger: collectorDebugger{e.coll}, Debugs: e.store, Clock: e.clock, Logger: log, BotUserID: "UBOT",
		Access: bot.Access{DebugUsers: []string{debugger}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// check asks for a check of the lab device's tunnel and returns the
// incident it opened and the thread.
func (e *debugEnv) check(ctx context.Context, b *bot.Bot) (store.Incident, string) {
	e.t.Helper()
	ts := "1700000001.000100"
	b.Handle(ctx, bot.Request{Kind: bot.KindMention, Channel: "CNET", User: "UBOB", TS: ts, Text: "check tunnel " + e.peer + " on fw-dbg"})
	inc, ok, err := e.store.ByTunnel(ctx, store.Tunnel(e.peer, "fw-dbg"))
	if err != nil || !ok {
		e.t.Fatalf("the check opened no incident (%v):\n%s", err, e.slack.text())
	}
	return inc, ts
}

func (e *debugEnv) press(ctx context.Context, b *bot.Bot, user, action string, inc store.Incident, thread string) {
	b.HandleAction(ctx, bot.Action{ActionID: action, IncidentID: inc.ID, User: user, Channel: "CNET", MessageTS: "1700009999.000001", ThreadTS: thread})
}

// ephemeralTo is what was shown to user alone.
func (e *debugEnv) ephemeralTo(user string) string {
	var b strings.Builder
	for _, c := range e.slack.snapshot() {
		if c.Method == "chat.postEphemeral" && c.Form.Get("user") == user {
			b.WriteString(c.Form.Get("text") + "\n" + c.Form.Get("blocks") + "\n")
		}
	}
	return b.String()
}

func (e *debugEnv) audit() []string {
	var out []string
	for _, l := range strings.Split(e.logs.String(), "\n") {
		if strings.Contains(l, `"audit":true`) && strings.Contains(l, "debug") {
			out = append(out, l)
		}
	}
	return out
}

// checkedDebugEnv is a debugEnv whose bot has checked the lab device's
// tunnel: its incident and thread.
func checkedDebugEnv(t *testing.T) (*debugEnv, context.Context, *bot.Bot, store.Incident, string) {
	t.Helper()
	e := newDebugEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	b := e.newBot()
	inc, thread := e.check(ctx, b)
	return e, ctx, b, inc, thread
}

func TestDebugFromTheCheckReply(t *testing.T) {
	e, ctx, b, inc, thread := checkedDebugEnv(t)
	label := "Run a 60 s debug for " + e.peer + " on fw-dbg"
	if !strings.Contains(e.slack.thread(thread), label) || !strings.Contains(e.slack.thread(thread), bot.ActionDebug) {
		t.Fatalf("the check's reply offers no %q button:\n%s", label, e.slack.thread(thread))
	}

	// Bob may check but not debug: refused, to him alone; nothing sent.
	e.press(ctx, b, "UBOB", bot.ActionDebug, inc, thread)
	e.press(ctx, b, "UBOB", bot.ActionDebugRun, inc, thread)
	if got := e.ephemeralTo("UBOB"); strings.Count(got, "only the users and groups configured") < 2 {
		t.Errorf("Bob was not told privately he may not run debugs:\n%s", got)
	}
	if got := e.dev.DebugCommands(); len(got) != 0 {
		t.Fatalf("a refused user's press sent %q", got)
	}

	// The allowed user's first press only asks for confirmation.
	e.press(ctx, b, debugger, bot.ActionDebug, inc, thread)
	confirm := e.ephemeralTo(debugger)
	if !strings.Contains(confirm, bot.ActionDebugRun) || !strings.Contains(confirm, "debug crypto condition peer "+e.peer) || !strings.Contains(confirm, "undebug all") {
		t.Fatalf("no confirmation quoting the commands:\n%s", confirm)
	}
	if got := e.dev.DebugCommands(); len(got) != 0 {
		t.Fatalf("sent %q before confirmation", got)
	}

	// Confirmed: the debug runs for the window on the fake clock, is
	// turned off, and its diagnosis goes into the thread.
	e.press(ctx, b, debugger, bot.ActionDebugRun, inc, thread)
	want := []string{"debug crypto condition peer " + e.peer, "debug crypto ikev1 127", "debug crypto ikev2 protocol 127", "undebug all", "no debug crypto condition peer " + e.peer}
	if got := e.dev.DebugCommands(); !slices.Equal(got, want) {
		t.Errorf("the device received\n%q\nwant\n%q", got, want)
	}
	if e.dev.DebugOn() || e.dev.Triggered() != 0 {
		t.Errorf("after the window: debug on %v, negotiations started %d", e.dev.DebugOn(), e.dev.Triggered())
	}
	if !slices.Contains(e.clock.Waits(), 60*time.Second) {
		t.Errorf("the window was not waited on the clock: %v", e.clock.Waits())
	}
	tr := e.slack.thread(thread)
	if !strings.Contains(tr, "started a 60 s debug") || !strings.Contains(tr, "What the 60 s debug for "+e.peer+" on fw-dbg showed (the debug is off)") || !strings.Contains(tr, "IKE_DECODE SENDING") {
		t.Errorf("the thread lacks the debug's diagnosis:\n%s", tr)
	}
	if on, err := e.store.DebugsOn(ctx); err != nil || len(on) != 0 {
		t.Errorf("debug records left: %v %v", on, err)
	}
	audit := strings.Join(e.audit(), "\n")
	for _, s := range []string{`"user":"UBOB"`, `refused: not allowed`, `"user":"UOPS"`, `"device":"fw-dbg"`, `undebug all`, `debug off`} {
		if !strings.Contains(audit, s) {
			t.Errorf("audit log lacks %s:\n%s", s, audit)
		}
	}

	// A negotiation needs a second confirmation.
	e.press(ctx, b, debugger, bot.ActionDebugAskTrigger, inc, thread)
	if !strings.Contains(e.ephemeralTo(debugger), "clear crypto ipsec sa peer "+e.peer) || e.dev.Triggered() != 0 {
		t.Fatalf("no second confirmation before a negotiation (triggered %d)", e.dev.Triggered())
	}
	e.press(ctx, b, debugger, bot.ActionDebugRunTrigger, inc, thread)
	if e.dev.Triggered() != 1 || e.dev.DebugOn() {
		t.Errorf("after the confirmed negotiation: triggered %d, debug on %v", e.dev.Triggered(), e.dev.DebugOn())
	}
}

// runHeld presses Run with the window's wait held, does mid(), then lets
// the window end, and waits for the run to finish.
func (e *debugEnv) runHeld(ctx context.Context, b *bot.Bot, inc store.Incident, thread string, mid func()) {
	e.t.Helper()
	held := e.clock.Hold()
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.press(ctx, b, debugger, bot.ActionDebugRun, inc, thread)
	}()
	select {
	case d := <-held:
		if d != 60*time.Second {
			e.t.Errorf("waited %s, want the 60 s window", d)
		}
		if !e.dev.DebugOn() {
			e.t.Error("debug not on during the window")
		}
	case <-time.After(30 * time.Second):
		e.t.Fatal("the debug window never started")
	}
	mid()
	e.clock.Release()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		e.t.Fatal("the debug did not end")
	}
}

func TestDebugTurnedOffWhenTheSessionDrops(t *testing.T) {
	e, ctx, b, inc, thread := checkedDebugEnv(t)
	e.runHeld(ctx, b, inc, thread, func() { e.lab.DropConnections(e.dev) })
	if e.dev.DebugOn() {
		t.Fatal("the debug stayed on after its session dropped")
	}
	if got := e.dev.DebugCommands(); got[len(got)-2] != "undebug all" {
		t.Errorf("the device received %q", got)
	}
	if tr := e.slack.thread(thread); !strings.Contains(tr, "The debug on fw-dbg failed") {
		t.Errorf("the thread does not say the window failed:\n%s", tr)
	}
	if on, _ := e.store.DebugsOn(ctx); len(on) != 0 {
		t.Errorf("records left for a debug turned off: %v", on)
	}
}

func TestDebugTurnedOffWhenTunneldocStops(t *testing.T) {
	e, ctx, b, inc, thread := checkedDebugEnv(t)

	// Stopped mid-window (SIGTERM): the debug is turned off on the way out.
	runCtx, stop := context.WithCancel(ctx)
	e.runHeld(runCtx, b, inc, thread, stop)
	if e.dev.DebugOn() {
		t.Fatal("the debug stayed on after tunneldoc stopped mid-window")
	}

	// Killed mid-window: the record written before the debug started is
	// all that is left; the next start turns the debug off.
	e.dev.SetDebugOn()
	if err := e.store.DebugStarted(ctx, store.DebugRecord{Peer: e.peer, Device: "fw-dbg", By: debugger, Started: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	next := e.newBot()
	startCtx, stopNext := context.WithCancel(ctx)
	defer stopNext()
	next.Start(startCtx)
	if !eventually(30*time.Second, 20*time.Millisecond, func() bool { return !e.dev.DebugOn() }) {
		t.Fatal("the startup sweep did not turn off the debug left on")
	}
	eventually(30*time.Second, 20*time.Millisecond, func() bool {
		on, _ := e.store.DebugsOn(ctx)
		return len(on) == 0
	})
	if on, _ := e.store.DebugsOn(ctx); len(on) != 0 {
		t.Errorf("the sweep left records: %v", on)
	}
	if audit := strings.Join(e.audit(), "\n"); !strings.Contains(audit, "debug sweep") {
		t.Errorf("the sweep is not audited:\n%s", audit)
	}
}

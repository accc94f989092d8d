package slack_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/bot/store"
)

// callsIn are the calls that wrote into channel (posts, ephemerals,
// edits, uploads).
func callsIn(cs []call, channel string) []call {
	var out []call
	for _, c := range cs {
		switch c.Method {
		case "chat.postMessage", "chat.postEphemeral", "chat.update":
			if c.Channel == channel {
				out = append(out, c)
			}
		case "files.completeUploadExternal":
			if strings.Contains(c.Form.Encode(), channel) {
				out = append(out, c)
			}
		}
	}
	return out
}

// TestAnswersStayWhereAsked: user A pastes about a peer in a DM; user B
// checks the same peer in a channel. B's answer, and everything about
// it, stays in B's channel; the DM's incident is never named, linked or
// listed outside the DM. A third user checking in a second channel is
// answered there, with a link to the first channel's incident thread.
// The audit log names the channel and thread actually posted in.
func TestAnswersStayWhereAsked(t *testing.T) {
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	ctx := context.Background()
	const peer = "40.10.1.1"

	e.handle(bot.Request{Kind: bot.KindDM, Private: true, Channel: "DALICE", User: "UALICE", EventID: "EvP1", TS: "1700003000.000100", Text: seed(t, "seed004_scenario1a.txt")})
	dm, ok, err := e.store.ByThread(ctx, "DALICE", "1700003000.000100")
	if err != nil || !ok || dm.Peer != peer || !dm.Private {
		t.Fatalf("the DM paste opened no private incident: %+v %v %v", dm, ok, err)
	}
	inDM := len(callsIn(e.slack.snapshot(), "DALICE"))

	e.handle(bot.Request{Kind: bot.KindMention, Channel: "CNET", User: "UBOB", EventID: "EvP2", TS: "1700003100.000100", Text: "<@UBOT> check tunnel " + peer})
	cs := e.slack.snapshot()
	if n := len(callsIn(cs, "DALICE")); n != inDM {
		t.Fatalf("B's channel check wrote into A's DM:%s", describe(callsIn(cs, "DALICE")[inDM:]))
	}
	for _, c := range callsIn(cs, "CNET") {
		if strings.Contains(c.Text+c.Blocks, dm.ID) || strings.Contains(c.Text+c.Blocks, "DALICE") {
			t.Errorf("the channel was told of the DM's incident: %s %q", c.Method, c.Text)
		}
		if c.Method != "chat.update" && c.ThreadTS != "1700003100.000100" {
			t.Errorf("answer outside the asker's thread: %s thread=%q", c.Method, c.ThreadTS)
		}
	}
	ch, ok, err := e.store.ByThread(ctx, "CNET", "1700003100.000100")
	if err != nil || !ok || ch.ID == dm.ID || ch.Private {
		t.Fatalf("B's check opened no channel incident of its own: %+v %v %v", ch, ok, err)
	}
	if got, _ := e.store.Get(ctx, dm.ID); len(got.Diagnoses) != 1 || len(got.Users) != 1 {
		t.Errorf("B's check joined the DM's incident: %+v", got)
	}
	if !strings.Contains(e.logs.String(), `channel=CNET thread=1700003100.000100 via=mention command=check`) {
		t.Errorf("the audit log does not name where the check was answered:\n%s", e.logs.String())
	}

	// A third user, in a second channel: answered there, linked to CNET's thread.
	e.handle(bot.Request{Kind: bot.KindMention, Channel: "COPS", User: "UCAROL", EventID: "EvP3", TS: "1700003200.000100", Text: "<@UBOT> check tunnel " + peer})
	cs = e.slack.snapshot()
	ops := callsIn(cs, "COPS")
	linked := false
	for _, c := range ops {
		if c.Method != "chat.update" && c.ThreadTS != "1700003200.000100" {
			t.Errorf("answer outside the asker's thread: %s thread=%q", c.Method, c.ThreadTS)
		}
		if strings.Contains(c.Text, ch.ID) && strings.Contains(c.Text, "/archives/CNET/p1700003100000100") {
			linked = true
		}
	}
	if !linked {
		t.Errorf("no link to the channel incident's thread:%s", describe(ops))
	}
	if n := len(callsIn(cs, "CNET")); n != 2 {
		t.Errorf("the third check wrote into CNET:%s", describe(callsIn(cs, "CNET")))
	}
	if got, _ := e.store.Get(ctx, ch.ID); len(got.Diagnoses) != 2 || !strings.Contains(strings.Join(got.Users, ","), "UCAROL") {
		t.Errorf("the third check is not in the channel incident: %+v", got)
	}

	// status: the DM's incident only in the DM, channel incidents in channels.
	e.handle(bot.Request{Kind: bot.KindMention, Channel: "COPS", User: "UCAROL", EventID: "EvP4", TS: "1700003300.000100", Text: "<@UBOT> status"})
	e.handle(bot.Request{Kind: bot.KindDM, Private: true, Channel: "DALICE", User: "UALICE", EventID: "EvP5", TS: "1700003400.000100", Text: "status"})
	cs = e.slack.snapshot()
	chStatus, dmStatus := cs[len(cs)-2], cs[len(cs)-1]
	if chStatus.Channel != "COPS" || !strings.Contains(chStatus.Text, ch.ID) || strings.Contains(chStatus.Text, dm.ID) || strings.Contains(chStatus.Text, "DALICE") {
		t.Errorf("status in a channel = %q", chStatus.Text)
	}
	if dmStatus.Channel != "DALICE" || !strings.Contains(dmStatus.Text, dm.ID) || strings.Contains(dmStatus.Text, ch.ID) {
		t.Errorf("status in the DM = %q", dmStatus.Text)
	}

	// A button on the channel answer, clicked in COPS, answers in COPS.
	last := only(callsIn(cs, "COPS"), "chat.update")
	before := len(cs)
	e.bot.HandleAction(ctx, bot.Action{ActionID: bot.ActionAcknowledge, IncidentID: ch.ID, User: "UCAROL", Channel: "COPS", MessageTS: last[len(last)-1].TS, ThreadTS: "1700003200.000100"})
	for _, c := range e.slack.snapshot()[before:] {
		if c.Channel != "COPS" || (c.Method == "chat.postMessage" && c.ThreadTS != "1700003200.000100") {
			t.Errorf("the button's answer went to %s/%s", c.Channel, c.ThreadTS)
		}
	}
	// A button naming the DM's incident, clicked in a channel, does nothing there.
	before = len(e.slack.snapshot())
	e.bot.HandleAction(ctx, bot.Action{ActionID: bot.ActionResolve, IncidentID: dm.ID, User: "UBOB", Channel: "CNET", MessageTS: "1700003100.000100"})
	if got, _ := e.store.Get(ctx, dm.ID); got.Status != store.StatusOpen {
		t.Errorf("the DM's incident was resolved from a channel: %s", got.Status)
	}
	for _, c := range e.slack.snapshot()[before:] {
		if strings.Contains(c.Text, dm.ID) || c.Channel == "DALICE" {
			t.Errorf("the DM's incident named or written from a channel: %s %s %q", c.Method, c.Channel, c.Text)
		}
	}
}

// fakePeers is an inventory that knows some peers.
type fakePeers struct{ known []string }

func (p fakePeers) ResolvePeer(peer, _ string) error {
	for _, k := range p.known {
		if k == peer {
			return nil
		}
	}
	return errors.New("no device in the inventory terminates " + peer + "; the nearest are " + strings.Join(p.known, ", "))
}

// stateKeys lists the keys in Redis other than event dedup's.
func (e *testEnv) stateKeys() []string {
	var keys []string
	for _, k := range e.redisKeys() {
		if !strings.HasPrefix(k, "tunneldoc:event:") {
			keys = append(keys, k)
		}
	}
	return keys
}

// TestNoFalseIncidents: only trouble opens an incident. A healthy check
// opens none; a healthy paste in an open incident's thread says the
// tunnel looks healthy now and offers Resolve (not Acknowledge). An
// unknown peer is answered to the asker alone, with the nearest known
// peers, and writes nothing to Redis. A device that answered nothing, or
// dropped the connection in its first table, is "no usable output", not
// a diagnosis; tunneldoc's own notes in the transcript are not evidence.
func TestNoFalseIncidents(t *testing.T) {
	healthy, err := os.ReadFile("../../diagnose/testdata/cases/healthy/ios-isakmp-and-ipsec-sa-include-peer.txt")
	if err != nil {
		t.Fatal(err)
	}
	checker := &fakeChecker{transcript: string(healthy)}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) {
		c.Checker = checker
		c.Peers = fakePeers{known: []string{"192.0.2.66", "40.10.1.1", "90.1.1.1"}}
	})
	ctx := context.Background()

	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvF1", TS: "1700004000.000100", Text: "<@UBOT> check tunnel 192.0.2.66"})
	ups := only(e.slack.snapshot(), "chat.update")
	if len(ups) != 1 || !strings.Contains(ups[0].header(), "healthy") {
		t.Fatalf("healthy check:%s", describe(e.slack.snapshot()))
	}
	if keys := e.stateKeys(); len(keys) != 0 {
		t.Fatalf("a healthy check wrote %v", keys)
	}
	if strings.Contains(ups[0].Blocks, bot.ActionAcknowledge) || strings.Contains(ups[0].Blocks, bot.ActionResolve) {
		t.Errorf("a healthy answer outside an incident offers incident buttons: %s", ups[0].Blocks)
	}

	// Unknown peer: ephemeral, the nearest known peers, nothing in Redis.
	before := len(e.slack.snapshot())
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvF2", User: "UBOB", TS: "1700004100.000100", Text: "<@UBOT> check tunnel 90.1.1.9"})
	cs := e.slack.snapshot()[before:]
	if len(cs) != 1 || cs[0].Method != "chat.postEphemeral" || cs[0].User != "UBOB" || !strings.Contains(cs[0].Text, "90.1.1.1") || cs[0].ThreadTS != "1700004100.000100" {
		t.Fatalf("unknown peer:%s", describe(cs))
	}
	if keys := e.stateKeys(); len(keys) != 0 {
		t.Fatalf("an unknown peer wrote %v", keys)
	}

	// Nothing from the device, or a connection dropped in the first table.
	for i, tr := range []string{
		"fw-hq# show crypto isakmp sa\nfw-hq# show crypto ipsec sa peer 40.10.1.1\n",
		"fw-hq# show crypto isakmp sa\nIPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n[tunneldoc: incomplete output: fw-hq closed the connection]\n",
	} {
		checker.transcript = tr
		if i == 1 {
			checker.notes = []bot.CollectionNote{{Device: "fw-hq", Command: "show crypto isakmp sa", Problem: bot.CutDropped, Bytes: 80}, {Device: "fw-hq", Command: "show crypto ipsec sa peer 40.10.1.1", Problem: bot.CutNotRun}}
		}
		before = len(e.slack.snapshot())
		e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvF3" + string(rune('a'+i)), TS: "1700004200.00010" + string(rune('0'+i)), Text: "<@UBOT> check tunnel 40.10.1.1"})
		ups := only(e.slack.snapshot()[before:], "chat.update")
		if len(ups) != 1 || !strings.Contains(ups[0].Text, "the device returned no usable output") || ups[0].header() != "" {
			t.Fatalf("empty device output %d:%s", i, describe(e.slack.snapshot()[before:]))
		}
		if keys := e.stateKeys(); len(keys) != 0 {
			t.Fatalf("empty device output %d wrote %v", i, keys)
		}
	}
	checker.notes = nil

	// Trouble opens an incident; a healthy paste in its thread offers Resolve.
	checker.transcript = seed(t, "seed004_scenario1a.txt")
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvF4", TS: "1700004300.000100", Text: "<@UBOT> check tunnel 40.10.1.1"})
	inc, ok, err := e.store.ByThread(ctx, "CNET", "1700004300.000100")
	if err != nil || !ok {
		t.Fatalf("trouble opened no incident: %v %v", ok, err)
	}
	before = len(e.slack.snapshot())
	up := strings.ReplaceAll(string(healthy), "192.0.2.66", "40.10.1.1")
	e.handle(bot.Request{Kind: bot.KindThreadMessage, EventID: "EvF5", TS: "1700004301.000100", ThreadTS: "1700004300.000100", Text: up})
	posts := only(e.slack.snapshot()[before:], "chat.postMessage")
	if len(posts) != 1 || posts[0].ThreadTS != inc.ThreadTS || !strings.Contains(posts[0].Blocks, "looks healthy now") || !strings.Contains(posts[0].Blocks, inc.ID) {
		t.Fatalf("healthy paste in the incident's thread:%s", describe(e.slack.snapshot()[before:]))
	}
	if !strings.Contains(posts[0].Blocks, bot.ActionResolve) || strings.Contains(posts[0].Blocks, bot.ActionAcknowledge) {
		t.Errorf("healthy in an incident should offer Resolve, not Acknowledge: %s", posts[0].Blocks)
	}
	if open, _ := e.store.ListOpen(ctx); len(open) != 1 {
		t.Errorf("%d open incidents; want the one with trouble", len(open))
	}
}

// TestIncidentDiagnosesBounded: an incident's stored diagnosis list stays
// bounded however many pastes its thread gets; it keeps the one that
// opened it and the newest.
func TestIncidentDiagnosesBounded(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	text := seed(t, "seed004_scenario1a.txt")
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvD0", TS: "1700009000.000100", Text: "<@UBOT> " + text})
	for i := range store.MaxDiagnoses + 10 {
		e.handle(bot.Request{Kind: bot.KindThreadMessage, EventID: fmt.Sprint("EvD", i+1), User: fmt.Sprintf("U%03d", i), TS: fmt.Sprintf("1700009001.%06d", i), ThreadTS: "1700009000.000100", Text: text})
	}
	inc, ok, err := e.store.ByThread(ctx, "CNET", "1700009000.000100")
	if err != nil || !ok {
		t.Fatalf("no incident: %v %v", ok, err)
	}
	if len(inc.Diagnoses) != store.MaxDiagnoses {
		t.Fatalf("%d diagnoses stored; want at most %d", len(inc.Diagnoses), store.MaxDiagnoses)
	}
	if inc.Diagnoses[0].User != "UALICE" || inc.Diagnoses[len(inc.Diagnoses)-1].User != fmt.Sprintf("U%03d", store.MaxDiagnoses+9) {
		t.Errorf("kept the wrong diagnoses: first by %s, last by %s", inc.Diagnoses[0].User, inc.Diagnoses[len(inc.Diagnoses)-1].User)
	}
}

// TestResolvedDiagnosisLosesItsButtons: after Resolved is clicked, the
// diagnosis message no longer calls the incident open and offers no
// buttons.
func TestResolvedDiagnosisLosesItsButtons(t *testing.T) {
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	ctx := context.Background()
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvR1", TS: "1700009500.000100", Text: "<@UBOT> check tunnel 40.10.1.1"})
	inc, ok, err := e.store.ByThread(ctx, "CNET", "1700009500.000100")
	if err != nil || !ok {
		t.Fatalf("no incident: %v %v", ok, err)
	}
	ups := only(e.slack.snapshot(), "chat.update")
	diag := ups[len(ups)-1]
	if !strings.Contains(diag.Blocks, "("+store.StatusOpen+")") || !strings.Contains(diag.Blocks, bot.ActionResolve) {
		t.Fatalf("the diagnosis does not say open with buttons: %s", diag.Blocks)
	}
	e.bot.HandleAction(ctx, bot.Action{ActionID: bot.ActionResolve, IncidentID: inc.ID, User: "UBOB", Channel: "CNET", MessageTS: diag.TS, ThreadTS: "1700009500.000100"})
	ups = only(e.slack.snapshot(), "chat.update")
	last := ups[len(ups)-1]
	if last.TS != diag.TS {
		t.Fatalf("the diagnosis was not edited:%s", describe(e.slack.snapshot()))
	}
	if strings.Contains(last.Blocks, "(open") || strings.Contains(last.Blocks, `"actions"`) || !strings.Contains(last.Blocks, inc.ID+" (resolved)") {
		t.Errorf("the resolved diagnosis still says open or offers buttons: %s", last.Blocks)
	}
	if !strings.Contains(last.Blocks, "ike_proposal_mismatch") {
		t.Errorf("the edit lost the diagnosis: %s", last.Blocks)
	}
}

// TestDMIncidentRebuiltPrivate: when Redis lost a DM's incident, the
// follow-up in its thread rebuilds it as that DM's own again.
func TestDMIncidentRebuiltPrivate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	text := seed(t, "seed004_scenario1a.txt")
	e.handle(bot.Request{Kind: bot.KindDM, Private: true, Channel: "DALICE", EventID: "EvQ1", TS: "1700011000.000100", Text: text})
	first, ok, err := e.store.ByThread(ctx, "DALICE", "1700011000.000100")
	if err != nil || !ok {
		t.Fatalf("no DM incident: %v %v", ok, err)
	}
	e.redis.FlushAll()
	e.handle(bot.Request{Kind: bot.KindDM, Private: true, Channel: "DALICE", EventID: "EvQ2", TS: "1700011001.000100", ThreadTS: "1700011000.000100", Text: text})
	got, ok, err := e.store.ByThread(ctx, "DALICE", "1700011000.000100")
	if err != nil || !ok || got.ID != first.ID || !got.Private || got.Tunnel != first.Tunnel {
		t.Fatalf("rebuilt incident = %+v (was %+v)", got, first)
	}
}

// TestEveryAnswerInAnIncidentNamesIt: a check that fails inside an
// incident's thread still names the incident.
func TestEveryAnswerInAnIncidentNamesIt(t *testing.T) {
	checker := &fakeChecker{transcript: seed(t, "seed004_scenario1a.txt")}
	e := newEnv(t, func(_ *testEnv, c *bot.Config) { c.Checker = checker })
	e.handle(bot.Request{Kind: bot.KindMention, EventID: "EvI1", TS: "1700012000.000100", Text: "<@UBOT> check tunnel 40.10.1.1"})
	inc, ok, err := e.store.ByThread(context.Background(), "CNET", "1700012000.000100")
	if err != nil || !ok {
		t.Fatalf("no incident: %v %v", ok, err)
	}
	checker.err = errors.New("dial tcp 10.0.0.1:22: connection refused")
	for i, text := range []string{"check tunnel 40.10.1.1", "recheck 40.10.1.1"} {
		e.handle(bot.Request{Kind: bot.KindMention, EventID: fmt.Sprint("EvI2", i), TS: fmt.Sprintf("1700012001.00010%d", i), ThreadTS: "1700012000.000100", Text: "<@UBOT> " + text})
		ups := only(e.slack.snapshot(), "chat.update")
		if last := ups[len(ups)-1]; !strings.Contains(last.Text+last.Blocks, "could not check") || !strings.Contains(last.Blocks, inc.ID) {
			t.Errorf("a failed check in the incident's thread does not name it: %q %s", last.Text, last.Blocks)
		}
	}
}

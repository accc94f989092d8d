package slack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
)

// TestFindDelivery: a post carries the caller's delivery id in its
// metadata (the plain delivery event, or the incident payload for a reply
// that names its incident), and FindDelivery finds it again, a root in
// the channel's history and a reply in its thread, with
// include_all_metadata; an id never posted is not found.
func TestFindDelivery(t *testing.T) {
	f := newFakeSlack(t)
	api := slack.New("xoxb-test-token", slack.OptionAPIURL(f.apiURL()))
	m := botslack.NewMessenger(api, newJumpClock(), nil)
	m.MinInterval = 0
	ctx := context.Background()
	root, err := m.Post(ctx, bot.Message{Channel: "C1", Reply: bot.Text("Tunnel 10.0.0.1 down"), DeliveryID: "tun:0:1:root"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := m.Post(ctx, bot.Message{Channel: "C1", ThreadTS: root, Reply: bot.Text("diagnosis"), DeliveryID: "tun:1:diagnosis",
		Incident: &bot.IncidentRef{ID: "inc-1", Peer: "10.0.0.1", Device: "hub"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Post(ctx, bot.Message{Channel: "C1", Reply: bot.Text("another root")})
	if err != nil {
		t.Fatal(err)
	}
	posts := only(f.snapshot(), "chat.postMessage")
	if len(posts) != 3 || !strings.Contains(posts[0].Metadata, `"tun:0:1:root"`) || !strings.Contains(posts[1].Metadata, `"tun:1:diagnosis"`) ||
		!strings.Contains(posts[1].Metadata, `"inc-1"`) || !strings.Contains(posts[2].Metadata, "delivery_id") || strings.Contains(posts[2].Metadata, "tun:") {
		t.Fatalf("metadata does not carry the delivery ids: %+v", posts)
	}
	since := time.Now().Add(-time.Hour)
	for _, c := range []struct {
		name, thread, id, want string
	}{
		{"root", "", "tun:0:1:root", root},
		{"reply", root, "tun:1:diagnosis", reply},
		{"root never posted", "", "tun:0:2:root", ""},
		{"reply never posted", root, "tun:2:resolve", ""},
	} {
		ts, found, err := m.FindDelivery(ctx, "C1", c.thread, c.id, since)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if found != (c.want != "") || ts != c.want {
			t.Errorf("%s: FindDelivery = %q, %v; want %q", c.name, ts, found, c.want)
		}
	}
	cs := f.snapshot()
	for _, h := range append(only(cs, "conversations.history"), only(cs, "conversations.replies")...) {
		if h.Form.Get("include_all_metadata") != "1" {
			t.Errorf("%s without include_all_metadata: %v", h.Method, h.Form)
		}
	}
}

package slack

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
)

// TestChannelPrivacyIsBounded: the remembered channels stay within
// maxKnownChannels however many speak, the latest is kept, and without
// a Web API client an unknown channel is taken as private.
func TestChannelPrivacyIsBounded(t *testing.T) {
	p := newChannelPrivacy(nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i := range maxKnownChannels + 100 {
		p.note(fmt.Sprintf("C%06d", i), i%2 == 0)
	}
	if n := len(p.known); n > maxKnownChannels {
		t.Fatalf("%d channels remembered; at most %d", n, maxKnownChannels)
	}
	last := fmt.Sprintf("C%06d", maxKnownChannels+99)
	if private, ok := p.remembered(last); !ok || private {
		t.Errorf("the latest channel: remembered %v, private %v", ok, private)
	}
	if !p.private(context.Background(), "CUNKNOWN") {
		t.Error("a channel nobody could ask about is taken as public")
	}
	if _, ok := p.remembered("CUNKNOWN"); ok {
		t.Error("a failed look-up was remembered (it is asked again next time)")
	}
}

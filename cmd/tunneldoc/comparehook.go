package main

import (
	"crypto/rand"

	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/compare"
)

// compareKey keys the HMAC that shows two pre-shared keys differ without
// printing them; a fresh one per process, so no digest outlives it.
var compareKey = func() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}()

// comparePaste is the bot's Compare hook: a paste holding both ends'
// crypto configs (two code blocks, or two configs back to back) is
// compared instead of diagnosed.
func comparePaste(text string) (diagnose.Report, bool) {
	a, b, ok := compare.SplitPair(text)
	if !ok || !compare.LooksLikeConfig(a) || !compare.LooksLikeConfig(b) {
		return diagnose.Report{}, false
	}
	r := compare.Configs(compare.Input{Label: "A", Text: a}, compare.Input{Label: "B", Text: b}, compare.Options{HashKey: compareKey})
	if !r.Readable {
		return diagnose.Report{}, false
	}
	return r, true
}

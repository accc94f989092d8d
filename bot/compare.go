package bot

import "github.com/tunneldoc/tunneldoc/diagnose"

// comparison is the comparison of the two peers' crypto configurations a
// paste holds, or nil when it is not a config pair (or Config.Compare is
// not set). It reads the text before redaction, to tell keys apart;
// Compare never returns a key.
func (b *Bot) comparison(text string) *diagnose.Report {
	if b.cfg.Compare == nil || len(text) > DefaultMaxPaste {
		return nil
	}
	if r, ok := b.cfg.Compare(text); ok {
		return &r
	}
	return nil
}

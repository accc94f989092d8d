package monitor

import (
	"fmt"
	"strings"
	"time"

	"github.com/tunneldoc/tunneldoc/bot"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

var phaseWords = map[string]string{
	diagnose.PhaseIKE:   "phase 1",
	diagnose.PhaseIPsec: "phase 2",
	diagnose.PhaseData:  "data plane",
}

// tunnelTitle: "Tunnel 90.1.1.1 (HQ–Branch7)".
func (m *Monitor) tunnelTitle(r *record) string {
	s := "Tunnel " + r.Peer
	if r.Name != "" {
		s += " (" + r.Name + ")"
	}
	return s
}

// causeText: "phase 1, peer unreachable", or the source's reason.
func (m *Monitor) causeText(r *record) string {
	if r.Cause != "" && r.Cause != diagnose.CauseUnknown {
		c := strings.ReplaceAll(r.Cause, "_", " ")
		if p, ok := phaseWords[r.Phase]; ok {
			return p + ", " + c
		}
		return c
	}
	if r.Summary != "" {
		return bot.Literal(r.Summary)
	}
	return "cause not known yet"
}

// rootText is what the root message says now, and its icon.
func (m *Monitor) rootText(r *record) (bot.Icon, string) {
	now := m.clock.Now()
	on := ""
	if r.Device != "" {
		on = " on " + r.Device
	}
	title := m.tunnelTitle(r)
	switch {
	case !r.Open:
		return bot.IconUp, fmt.Sprintf("%s%s — resolved after %s (down since %s; last cause: %s).",
			title, on, humanDuration(r.ResolvedAt.Sub(r.Since)), hhmm(r.Since), m.causeText(r))
	case r.Flapping:
		return bot.IconWarning, fmt.Sprintf("%s flapping%s — %d state changes since %s, now %s — %s.",
			title, on, r.FlapTotal, hhmm(r.Since), upDown(r.Down), m.causeText(r))
	case !r.Down:
		return bot.IconWatching, fmt.Sprintf("%s up again%s, watching — %s.", title, on, m.causeText(r))
	}
	s := fmt.Sprintf("%s down%s — %s · down for %s (since %s)", title, on, m.causeText(r), humanDuration(now.Sub(r.DownAt)), hhmm(r.DownAt))
	if r.Outages > 1 {
		s += fmt.Sprintf(" · outage %d in this thread", r.Outages)
	}
	return bot.IconDown, s + "."
}

func hhmm(t time.Time) string { return t.UTC().Format("15:04 MST") }

func upDown(down bool) string {
	if down {
		return "down"
	}
	return "up"
}

// humanDuration: "14 min", "2 h 5 min", "40 s".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
	}
	h := int(d / time.Hour)
	mins := int((d % time.Hour).Round(time.Minute) / time.Minute)
	if mins == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, mins)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

package bot

import (
	"fmt"
	"strings"
	"time"
)

// What cut a command's output short (CollectionNote.Problem).
const (
	CutStalled  = "stalled"  // the device stopped sending; the command timeout ended the wait
	CutFlooded  = "flooded"  // the output reached the cap and the rest was not read
	CutDropped  = "dropped"  // the device closed the connection before its prompt came back
	CutCanceled = "canceled" // the check's own time ran out (or tunneldoc was stopping)
	CutNotRun   = "not run"  // the command never ran (the session had failed)
)

// CollectionNote says that one command's answer is incomplete, so the
// diagnosis stands on partial output. The checker fills it in; the reply
// renders one line per note, with what to do.
type CollectionNote struct {
	Device  string
	Command string
	Problem string        // one of the Cut* constants
	Bytes   int           // bytes of output read before it stopped
	Waited  time.Duration // how long tunneldoc waited: the command timeout for CutStalled
	Limit   int           // the output cap, for CutFlooded
}

// Sentence says what happened, e.g. "`show crypto isakmp sa` on fw-1: the
// device stopped sending after 20s (47 B read, no prompt came back)".
func (n CollectionNote) Sentence() string {
	where := "`" + n.Command + "`"
	if n.Device != "" {
		where += " on " + n.Device
	}
	switch n.Problem {
	case CutStalled:
		return fmt.Sprintf("%s: the device stopped sending after %s (%s read, its prompt never came back)", where, roundWait(n.Waited), humanBytes(n.Bytes))
	case CutFlooded:
		return fmt.Sprintf("%s: output cut at %s, the output cap; the device was still sending", where, humanBytes(n.Limit))
	case CutDropped:
		return fmt.Sprintf("%s: connection closed by the device after %s, before its prompt came back", where, humanBytes(n.Bytes))
	case CutCanceled:
		return fmt.Sprintf("%s: stopped after %s when the check ran out of time (%s read)", where, roundWait(n.Waited), humanBytes(n.Bytes))
	case CutNotRun:
		return where + ": not run, the session to the device had already ended"
	}
	return fmt.Sprintf("%s: incomplete (%s read)", where, humanBytes(n.Bytes))
}

// Advice is what to do about it.
func (n CollectionNote) Advice() string {
	switch n.Problem {
	case CutStalled:
		return "rerun the check; if it stalls again, look at the device's vty lines and CPU (`show users`, `show processes cpu sorted`), or run the command by hand and paste its output after `diagnose`"
	case CutFlooded:
		return "raise `max_output_bytes` for this device in the inventory, or run the command by hand and paste its output after `diagnose`"
	case CutDropped:
		return "rerun the check; if the device drops it again, check its vty and session limits and its log (`show logging`), or run the command by hand and paste its output after `diagnose`"
	case CutCanceled:
		return "rerun the check when the device answers faster, or run the command by hand and paste its output after `diagnose`"
	}
	return "rerun the check, or run the command by hand and paste its output after `diagnose`"
}

// splitNotRun separates the commands cut short from those never run.
func splitNotRun(notes []CollectionNote) (cut, notRun []CollectionNote) {
	for _, n := range notes {
		if n.Problem == CutNotRun {
			notRun = append(notRun, n)
		} else {
			cut = append(cut, n)
		}
	}
	return cut, notRun
}

// collectionHeadline is the warning's first sentence: "... 1 of 7
// command(s) cut short, 6 not run."
func collectionHeadline(notes []CollectionNote, commands int) string {
	return "This diagnosis is based on partial output: " + collectionFacts(notes, commands) + "."
}

// collectionFacts counts what was cut short: "1 of 7 command(s) cut
// short, 6 not run".
func collectionFacts(notes []CollectionNote, commands int) string {
	cut, notRun := splitNotRun(notes)
	var parts []string
	if len(cut) > 0 {
		if commands >= len(notes) {
			parts = append(parts, fmt.Sprintf("%d of %d command(s) cut short", len(cut), commands))
		} else {
			parts = append(parts, fmt.Sprintf("%d command(s) cut short", len(cut)))
		}
	}
	if len(notRun) > 0 {
		if len(cut) == 0 && commands >= len(notes) {
			parts = append(parts, fmt.Sprintf("%d of %d command(s) not run", len(notRun), commands))
		} else {
			parts = append(parts, fmt.Sprintf("%d not run", len(notRun)))
		}
	}
	return strings.Join(parts, ", ")
}

// collectionShort is the one-line form for Slack's notification text.
func collectionShort(notes []CollectionNote) string {
	cut, notRun := splitNotRun(notes)
	if len(cut) == 0 {
		return fmt.Sprintf("partial output: %d command(s) not run", len(notRun))
	}
	s := "partial output: " + cut[0].Sentence()
	if more := len(cut) - 1; more > 0 {
		s += fmt.Sprintf("; %d more cut short", more)
	}
	if len(notRun) > 0 {
		s += fmt.Sprintf("; %d not run", len(notRun))
	}
	return s
}

// notRunLine names the commands that never ran, per device, in one line.
func notRunLine(notRun []CollectionNote) string {
	var b strings.Builder
	for i, n := range notRun {
		if i > 0 && n.Device == notRun[i-1].Device {
			b.WriteString(", ")
		} else if i > 0 {
			fmt.Fprintf(&b, " on %s; ", notRun[i-1].Device)
		}
		b.WriteString("`" + n.Command + "`")
	}
	if last := notRun[len(notRun)-1].Device; last != "" {
		b.WriteString(" on " + last)
	}
	return b.String() + ": not run, the session to the device had already ended"
}

func roundWait(d time.Duration) string {
	if d >= time.Second {
		return d.Round(time.Second).String()
	}
	return d.Round(time.Millisecond).String()
}

// humanBytes is "312 B", "12 KB", "8 MiB".
func humanBytes(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 10<<10:
		return fmt.Sprintf("%d KB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// collectionNotes are the notes a reply shows: the context's own (the
// monitor's), else the check's.
func (rc ReplyContext) collectionNotes() (notes []CollectionNote, commands int) {
	if len(rc.Collection) > 0 {
		return rc.Collection, rc.CollectionCommands
	}
	if rc.Check != nil {
		return rc.Check.Notes, len(rc.Check.Commands)
	}
	return nil, 0
}

// maxNoteLines bounds the notes listed inline; the rest are counted.
const maxNoteLines = 6

// collectionBlock is the warning paragraph: the headline as its title,
// one line per note with its advice.
func collectionBlock(notes []CollectionNote, commands int) Block {
	var lines []string
	cut, notRun := splitNotRun(notes)
	for i, n := range cut {
		if i == maxNoteLines {
			lines = append(lines, fmt.Sprintf("…and %d more cut short (the bot log has each one).", len(cut)-i))
			break
		}
		lines = append(lines, "• "+Literal(n.Sentence())+". "+Em("What to do:")+" "+Literal(n.Advice())+".")
	}
	if len(notRun) > 0 {
		lines = append(lines, "• "+Literal(notRunLine(notRun))+". "+Em("What to do:")+" "+Literal(notRun[0].Advice())+".")
	}
	return Block{Kind: Paragraph, Icon: IconWarning, Title: collectionHeadline(notes, commands), Text: strings.Join(lines, "\n")}
}

// collectionText is the warning as plain text: the headline, then every
// note with its advice.
func collectionText(notes []CollectionNote, commands int) string {
	var b strings.Builder
	b.WriteString("warning: " + collectionHeadline(notes, commands))
	cut, notRun := splitNotRun(notes)
	for _, n := range cut {
		fmt.Fprintf(&b, "\n  - %s.\n    what to do: %s.", n.Sentence(), n.Advice())
	}
	if len(notRun) > 0 {
		fmt.Fprintf(&b, "\n  - %s.\n    what to do: %s.", notRunLine(notRun), notRun[0].Advice())
	}
	return b.String()
}

package slack

import (
	"strings"

	slackgo "github.com/slack-go/slack"

	"github.com/tunneldoc/tunneldoc/bot"
)

// Slack's limits, with headroom: a section's text is capped at 3000
// characters, a header at 150, a context element at 2000; the bot keeps
// a reply's size within a message's own limits (bot.Render's budgets).
const (
	maxSectionChars  = 2900
	maxHeaderChars   = 150
	maxContextChars  = 1900
	actionsBlockID   = "tunneldoc_actions"
	maxFallbackChars = 3000
)

// icons are the emoji a reply's icons are shown as.
var icons = map[bot.Icon]string{
	bot.IconDown:     ":red_circle:",
	bot.IconDegraded: ":large_orange_circle:",
	bot.IconUp:       ":large_green_circle:",
	bot.IconUnknown:  ":grey_question:",
	bot.IconWatching: ":large_yellow_circle:",
	bot.IconWarning:  ":warning:",
	bot.IconError:    ":x:",
	bot.IconWorking:  ":hourglass_flowing_sand:",
}

// Layout turns a reply into what chat.postMessage takes: the message text
// (mrkdwn) and, unless the reply is only paragraphs, its Block Kit blocks
// (then the text is the notification fallback).
func Layout(r bot.Reply) (text string, blocks []slackgo.Block) {
	if r.OnlyParagraphs() {
		parts := make([]string, len(r.Blocks))
		for i, b := range r.Blocks {
			parts[i] = paragraph(b)
		}
		return strings.Join(parts, "\n"), nil
	}
	for _, b := range r.Blocks {
		switch b.Kind {
		case bot.Heading:
			t := truncate(strings.TrimSpace(withIcon(b.Icon, bot.PlainText(b.Text))), maxHeaderChars)
			blocks = append(blocks, slackgo.NewHeaderBlock(slackgo.NewTextBlockObject(slackgo.PlainTextType, t, true, false)))
		case bot.Note:
			blocks = append(blocks, slackgo.NewContextBlock("", mrkdwn(truncate(withIcon(b.Icon, inline(b.Text)), maxContextChars))))
		case bot.Code:
			blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(codeSection(b)), nil, nil))
		default:
			blocks = append(blocks, slackgo.NewSectionBlock(mrkdwn(truncate(paragraph(b), maxSectionChars)), nil, nil))
		}
	}
	if len(r.Buttons) > 0 {
		blocks = append(blocks, actions(r.Buttons))
	}
	return truncate(inline(r.SummaryText()), maxFallbackChars), blocks
}

// paragraph is a block as mrkdwn: icon, *title*, text, _more_.
func paragraph(b bot.Block) string {
	var s strings.Builder
	if b.Title != "" {
		s.WriteString("*" + inline(b.Title) + "*")
		if b.Text != "" {
			s.WriteString("\n")
		}
	}
	s.WriteString(inline(b.Text))
	if b.More != "" {
		s.WriteString("\n_" + inline(b.More) + "_")
	}
	return withIcon(b.Icon, s.String())
}

// codeSection is a Code block: its title, its lines in a ``` block that
// no line can close, and its closing remark.
func codeSection(b bot.Block) string {
	var s strings.Builder
	if b.Title != "" {
		s.WriteString("*" + inline(b.Title) + "*\n")
	}
	lines := make([]string, len(b.Lines))
	for i, l := range b.Lines {
		lines[i] = escape(breakFences(l))
	}
	s.WriteString("```\n" + strings.Join(lines, "\n") + "\n```")
	if b.More != "" {
		s.WriteString("\n_" + inline(b.More) + "_")
	}
	return s.String()
}

func withIcon(i bot.Icon, s string) string {
	if e := icons[i]; e != "" {
		return e + " " + s
	}
	return s
}

func actions(buttons []bot.Button) slackgo.Block {
	els := make([]slackgo.BlockElement, len(buttons))
	for i, b := range buttons {
		e := slackgo.NewButtonBlockElement(b.Action, b.Value, slackgo.NewTextBlockObject(slackgo.PlainTextType, b.Label, false, false))
		if b.Primary {
			e.Style = slackgo.StylePrimary
		}
		els[i] = e
	}
	return slackgo.NewActionBlock(actionsBlockID, els...)
}

func mrkdwn(s string) *slackgo.TextBlockObject {
	return slackgo.NewTextBlockObject(slackgo.MarkdownType, s, false, false)
}

// inline is reply text as mrkdwn: every piece escaped, so text from users
// and devices never becomes a mention or a link, and marked pieces laid
// out as Slack writes them.
func inline(s string) string {
	var b strings.Builder
	for _, sp := range bot.Spans(s) {
		t := escape(breakFences(sp.Text))
		switch sp.Kind {
		case bot.SpanMention:
			b.WriteString("<@" + t + ">")
		case bot.SpanLink:
			b.WriteString("<" + escape(sp.URL) + "|" + t + ">")
		case bot.SpanStrong:
			b.WriteString("*" + t + "*")
		case bot.SpanEm:
			b.WriteString("_" + t + "_")
		default:
			b.WriteString(t)
		}
	}
	return b.String()
}

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape applies the three escapes Slack requires in text.
func escape(s string) string { return escaper.Replace(s) }

// breakFences keeps text from opening or closing a ``` block: a zero-width
// space goes between backticks that follow each other.
func breakFences(s string) string {
	if !strings.Contains(s, "``") {
		return s
	}
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if r == '`' && prev == '`' {
			b.WriteRune('\u200b')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

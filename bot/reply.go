package bot

import "strings"

// Reply is an answer in a form no transport owns: bot/slack lays it out
// as Block Kit (or plain message text, when it is only paragraphs), the
// console as plain text. Its texts are reply text (text.go).
type Reply struct {
	Blocks []Block
	// Buttons offered under the reply (the console has none).
	Buttons []Button
	// Summary is the one-line notification text; "" means the blocks' text.
	Summary string
	// Full, when set, is the whole answer as plain text: what the console
	// prints instead of the blocks (it has room for all of it).
	Full string
}

// BlockKind is how a block is laid out.
type BlockKind int

const (
	// Paragraph is text with an optional strong title and a closing
	// remark (More) in small print.
	Paragraph BlockKind = iota
	// Heading is one short line that heads the reply.
	Heading
	// Code is verbatim lines (device output) under an optional title.
	Code
	// Note is small print: context, a warning.
	Note
)

// Icon is a mark before a block's text (Slack shows an emoji; the plain
// text rendering leaves it out: the words say it).
type Icon int

const (
	NoIcon       Icon = iota
	IconDown          // a tunnel is down
	IconDegraded      // partly working
	IconUp            // working, or resolved
	IconUnknown       // state not known
	IconWatching      // up again, being watched
	IconWarning       // read this
	IconError         // it did not work
	IconWorking       // work under way
)

// Block is one part of a reply.
type Block struct {
	Kind  BlockKind
	Icon  Icon
	Title string   // Paragraph, Code: a strong title on its own line
	Text  string   // reply text
	Lines []string // Code: the verbatim lines
	More  string   // Paragraph, Code: a closing remark in small print
}

// Button is an action offered on a reply: Action is one of the Action*
// IDs, Value the incident it acts on.
type Button struct {
	Action  string
	Value   string
	Label   string
	Primary bool
}

// Text is a reply of one paragraph.
func Text(s string) Reply { return Reply{Blocks: []Block{{Text: s}}} }

// Say is a reply of one paragraph behind an icon.
func Say(icon Icon, s string) Reply { return Reply{Blocks: []Block{{Icon: icon, Text: s}}} }

// Paragraphs is a reply of several paragraphs (each may have a title).
func Paragraphs(blocks ...Block) Reply { return Reply{Blocks: blocks} }

// OnlyParagraphs reports whether the reply is paragraphs and nothing else
// (no heading, code, notes or buttons): a transport may send it as one
// message text.
func (r Reply) OnlyParagraphs() bool {
	if len(r.Buttons) > 0 {
		return false
	}
	for _, b := range r.Blocks {
		if b.Kind != Paragraph {
			return false
		}
	}
	return true
}

// Plain is the reply as plain text: Full when set, else every block in
// turn, with no marks, icons or escapes.
func (r Reply) Plain() string {
	if r.Full != "" {
		return r.Full
	}
	var parts []string
	for _, b := range r.Blocks {
		var s []string
		if b.Title != "" {
			s = append(s, PlainText(b.Title))
		}
		if b.Text != "" {
			s = append(s, PlainText(b.Text))
		}
		for _, l := range b.Lines {
			s = append(s, "  "+l)
		}
		if b.More != "" {
			s = append(s, PlainText(b.More))
		}
		parts = append(parts, strings.Join(s, "\n"))
	}
	return strings.Join(parts, "\n")
}

// SummaryText is the one-line notification text: Summary, else the first
// block's title or text.
func (r Reply) SummaryText() string {
	if r.Summary != "" {
		return r.Summary
	}
	for _, b := range r.Blocks {
		if b.Text != "" {
			return b.Text
		}
		if b.Title != "" {
			return b.Title
		}
	}
	return ""
}

package bot

import (
	"strings"
)

// Reply text is plain text (never escaped for any transport) in which a
// few pieces are marked: a user mention, a link, strong and emphasised
// words. Each transport lays the marks out its own way (bot/slack as
// mrkdwn, the console as plain words) and escapes the rest.
//
// A mark is markOpen, a kind byte, the payload and markClose. Text that
// comes from users or devices goes through Literal, which drops the mark
// runes, so it can never forge a mention or a link.
const (
	markOpen  = '\uE000'
	markClose = '\uE001'
	markSep   = '\uE002' // between a link's URL and its label
)

// SpanKind says what a piece of reply text is.
type SpanKind byte

const (
	SpanText    SpanKind = 0   // plain words
	SpanMention SpanKind = '@' // a user, by ID
	SpanLink    SpanKind = '>' // a link with a label
	SpanStrong  SpanKind = '*' // words to stand out
	SpanEm      SpanKind = '_' // words set apart, less than strong
)

// Span is one piece of reply text.
type Span struct {
	Kind SpanKind
	Text string // the words (the label of a link, the user ID of a mention)
	URL  string // SpanLink only
}

// Literal is text from a user or a device, made safe to put in a reply:
// the runes that mark mentions and links are dropped.
func Literal(s string) string {
	if !strings.ContainsAny(s, string([]rune{markOpen, markClose, markSep})) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == markOpen || r == markClose || r == markSep {
			return -1
		}
		return r
	}, s)
}

func mark(kind SpanKind, payload string) string {
	return string(markOpen) + string(rune(kind)) + payload + string(markClose)
}

// Mention names a user so the chat notifies them.
func Mention(user string) string {
	if user == "" {
		return ""
	}
	return mark(SpanMention, Literal(user))
}

// Link is label linking to url; an empty url leaves the label alone.
func Link(url, label string) string {
	if url == "" {
		return Literal(label)
	}
	return mark(SpanLink, Literal(url)+string(markSep)+Literal(label))
}

// Strong sets words apart strongly (Slack: bold).
func Strong(s string) string { return mark(SpanStrong, Literal(s)) }

// Em sets words apart (Slack: italics).
func Em(s string) string { return mark(SpanEm, Literal(s)) }

// Spans splits reply text into its pieces. A mark left open is read as
// plain text.
func Spans(s string) []Span {
	var out []Span
	for s != "" {
		i := strings.IndexRune(s, markOpen)
		if i < 0 {
			out = append(out, Span{Kind: SpanText, Text: s})
			break
		}
		j := strings.IndexRune(s[i:], markClose)
		if j < 0 || j < len(string(markOpen))+1 {
			out = append(out, Span{Kind: SpanText, Text: Literal(s)})
			break
		}
		if i > 0 {
			out = append(out, Span{Kind: SpanText, Text: s[:i]})
		}
		body := s[i+len(string(markOpen)) : i+j]
		s = s[i+j+len(string(markClose)):]
		kind, payload := SpanKind(body[0]), body[1:]
		switch kind {
		case SpanMention, SpanStrong, SpanEm:
			out = append(out, Span{Kind: kind, Text: payload})
		case SpanLink:
			url, label, _ := strings.Cut(payload, string(markSep))
			out = append(out, Span{Kind: SpanLink, Text: label, URL: url})
		default:
			out = append(out, Span{Kind: SpanText, Text: payload})
		}
	}
	return out
}

// PlainText is reply text as plain words: mentions as @user, links as
// their label, strong and emphasised words as they are.
func PlainText(s string) string {
	if !strings.ContainsRune(s, markOpen) {
		return s
	}
	var b strings.Builder
	for _, sp := range Spans(s) {
		if sp.Kind == SpanMention {
			b.WriteString("@")
		}
		b.WriteString(sp.Text)
	}
	return b.String()
}

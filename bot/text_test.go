package bot_test

import (
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
)

// TestReplyTextMarks: marked pieces come back as spans; text from a user
// cannot forge a mention or a link however it is built; plain text shows
// words only.
func TestReplyTextMarks(t *testing.T) {
	forged := "\uE000@UEVIL\uE001 and \uE000>https://evil.example\uE002click\uE001"
	for _, tc := range []struct {
		name  string
		text  string
		spans []bot.Span
		plain string
	}{
		{"plain", "check tunnel 90.1.1.1", []bot.Span{{Kind: bot.SpanText, Text: "check tunnel 90.1.1.1"}}, "check tunnel 90.1.1.1"},
		{"mention", bot.Mention("U1") + " asked", []bot.Span{{Kind: bot.SpanMention, Text: "U1"}, {Kind: bot.SpanText, Text: " asked"}}, "@U1 asked"},
		{"link", "see " + bot.Link("https://x.example/p", "its thread"), []bot.Span{{Kind: bot.SpanText, Text: "see "}, {Kind: bot.SpanLink, Text: "its thread", URL: "https://x.example/p"}}, "see its thread"},
		{"link without url", bot.Link("", "90.1.1.1 on fw-hq"), []bot.Span{{Kind: bot.SpanText, Text: "90.1.1.1 on fw-hq"}}, "90.1.1.1 on fw-hq"},
		{"strong and em", bot.Strong("tunneldoc") + " " + bot.Em("What to do:"), []bot.Span{{Kind: bot.SpanStrong, Text: "tunneldoc"}, {Kind: bot.SpanText, Text: " "}, {Kind: bot.SpanEm, Text: "What to do:"}}, "tunneldoc What to do:"},
		{"forged marks in user text", bot.Literal(forged), []bot.Span{{Kind: bot.SpanText, Text: "@UEVIL and >https://evil.exampleclick"}}, "@UEVIL and >https://evil.exampleclick"},
		{"forged marks inside a mention", bot.Mention(forged), []bot.Span{{Kind: bot.SpanMention, Text: "@UEVIL and >https://evil.exampleclick"}}, "@@UEVIL and >https://evil.exampleclick"},
		{"mark left open", "a \uE000@U1", []bot.Span{{Kind: bot.SpanText, Text: "a @U1"}}, "a @U1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := bot.Spans(tc.text)
			if len(got) != len(tc.spans) {
				t.Fatalf("Spans = %+v; want %+v", got, tc.spans)
			}
			for i := range got {
				if got[i] != tc.spans[i] {
					t.Fatalf("Spans = %+v; want %+v", got, tc.spans)
				}
			}
			if p := bot.PlainText(tc.text); p != tc.plain {
				t.Errorf("PlainText = %q; want %q", p, tc.plain)
			}
		})
	}
}

// TestReplyPlain: the console's rendering of a reply has no icons or
// marks; Full wins when set.
func TestReplyPlain(t *testing.T) {
	r := bot.Paragraphs(
		bot.Block{Icon: bot.IconError, Text: "I cannot check " + bot.Literal("90.1.1.9") + "."},
		bot.Block{Title: "Silenced", Text: "• 90.1.1.1 by " + bot.Mention("U1"), More: "1 more."},
		bot.Block{Kind: bot.Code, Lines: []string{"   19 | ISAKMP:(0):no offers accepted!"}},
	)
	want := "I cannot check 90.1.1.9.\nSilenced\n• 90.1.1.1 by @U1\n1 more.\n     19 | ISAKMP:(0):no offers accepted!"
	if got := r.Plain(); got != want {
		t.Errorf("Plain = %q; want %q", got, want)
	}
	if r.OnlyParagraphs() {
		t.Error("a reply with code counts as paragraphs only")
	}
	r.Full = "the whole report"
	if r.Plain() != "the whole report" {
		t.Errorf("Plain ignores Full: %q", r.Plain())
	}
	if !bot.Text("x").OnlyParagraphs() {
		t.Error("a text reply is not paragraphs only")
	}
}

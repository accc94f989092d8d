package bot

import (
	"net/netip"
	"regexp"
	"strings"
	"time"
)

// RequestKind says how a request reached the bot.
type RequestKind int

const (
	KindMention       RequestKind = iota // @tunneldoc in a channel
	KindDM                               // a direct message
	KindThreadMessage                    // an unmentioned message in a thread
	KindSlash                            // /tunnel ...
	KindModal                            // the /tunnel diagnose modal
	KindConsole                          // a line typed on the console
)

func (k RequestKind) String() string {
	return [...]string{"mention", "dm", "thread", "slash", "modal", "console"}[k]
}

// FileRef is a file or snippet attached to a message.
type FileRef struct {
	ID       string
	Name     string
	URL      string // url_private_download (or url_private)
	Size     int64
	Mimetype string
	Filetype string
}

// Request is one user request, whatever transport brought it.
type Request struct {
	EventID  string // Slack's outer event_id: the dedup key ("" when none)
	Kind     RequestKind
	Channel  string
	User     string
	TS       string // the user's message ts ("" for slash commands and modals)
	ThreadTS string // the thread it was posted in ("" when top level)
	Text     string
	Files    []FileRef
	FromBot  bool // posted by a bot (this one or another)
	// Private: asked in a conversation only its members see (a DM, a
	// group DM or a private channel, also for a slash command typed
	// there); its incidents stay there.
	Private bool
	// Trigger, on a slash command, lets the answer open a form (Slack's
	// trigger_id); "" when the transport has none.
	Trigger string
}

// CommandKind is what the user asked for.
type CommandKind int

const (
	CmdEmpty    CommandKind = iota // nothing but the mention
	CmdHelp                        // help
	CmdStatus                      // status: open incidents
	CmdCheck                       // check tunnel PEER [on DEVICE]
	CmdDiagnose                    // diagnose [PEER] + pasted output
	CmdPaste                       // output pasted without a command word
	CmdUnknown                     // words the bot does not know
	CmdSilence                     // silence PEER DURATION / unsilence PEER: tunnel-down notifications
)

// Command is a parsed request.
type Command struct {
	Kind   CommandKind
	Peer   string // check: required; diagnose: optional focus
	Device string // check: optional "on DEVICE"
	Text   string // diagnose/paste: the pasted output, fences removed
	Err    string // why a check line could not be read
	// For silences: how long (0 with Kind CmdSilence means lift it).
	For time.Duration
}

var (
	mentionRE = regexp.MustCompile(`<@[A-Z0-9]+(?:\|[^>]*)?>`)
	// Slack wraps things that look like links: <http://x|x>, <mailto:a@b|a@b>, <http://x>.
	linkLabelRE = regexp.MustCompile(`<(?:https?|mailto|tel):[^|>]*\|([^>]*)>`)
	linkRE      = regexp.MustCompile(`<((?:https?|mailto|tel):[^>]*)>`)
	hostnameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$`)
	fenceLineRE = regexp.MustCompile("^\\s*```[A-Za-z0-9_+-]*\\s*$")
)

var slackUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// normalize undoes Slack's message formatting: mentions, links and the
// &amp; &lt; &gt; escapes, so device text reads as the device printed it.
func normalize(text string) string {
	text = mentionRE.ReplaceAllString(text, "")
	text = linkLabelRE.ReplaceAllString(text, "$1")
	text = linkRE.ReplaceAllString(text, "$1")
	text = slackUnescaper.Replace(text)
	return text
}

// stripFences removes ``` code fences, on their own lines or glued to
// text. A fence line inside the text becomes a blank line, not nothing:
// the lines keep their numbers, so evidence quotes the same line numbers
// as the CLI reading the same text. Only the fences around it (and blank
// lines before and after) go.
func stripFences(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if fenceLineRE.MatchString(l) {
			lines[i] = ""
		} else {
			lines[i] = strings.ReplaceAll(l, "```", "")
		}
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

// ParseCommand reads a message's text (mentions included) as a command.
func ParseCommand(text string) Command {
	text = strings.TrimSpace(normalize(text))
	if text == "" {
		return Command{Kind: CmdEmpty}
	}
	first, rest, _ := strings.Cut(text, "\n")
	words := strings.Fields(strings.ReplaceAll(first, "```", " "))
	if len(words) == 0 {
		return pasteCommand(text)
	}
	verb := strings.ToLower(strings.TrimSuffix(words[0], ":"))
	switch verb {
	case "help", "?", "hi", "hello":
		if len(words) <= 2 && strings.TrimSpace(rest) == "" {
			return Command{Kind: CmdHelp}
		}
	case "status", "incidents":
		if len(words) == 1 && strings.TrimSpace(rest) == "" {
			return Command{Kind: CmdStatus}
		}
	case "silence", "mute", "unsilence", "unmute":
		if strings.TrimSpace(rest) == "" {
			return parseSilence(verb, words[1:])
		}
	case "check", "recheck":
		return parseCheck(words[1:])
	case "diagnose", "diag", "compare":
		c := Command{Kind: CmdDiagnose}
		after := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.ReplaceAll(first, "```", "\n```\n")), words[0]))
		// "diagnose 90.1.1.1" focuses on a peer; anything else on the
		// first line is already output.
		if len(words) >= 2 && isPeer(words[1]) && len(words) == 2 {
			c.Peer = words[1]
			after = ""
		} else if len(words) >= 3 && strings.EqualFold(words[1], "peer") && isPeer(words[2]) {
			c.Peer = words[2]
			after = strings.TrimSpace(strings.Join(words[3:], " "))
		}
		c.Text = stripFences(strings.TrimSpace(after + "\n" + rest))
		return c
	}
	if looksLikeOutput(text) || strings.Contains(text, "```") || strings.Count(text, "\n") >= 2 {
		return pasteCommand(text)
	}
	return Command{Kind: CmdUnknown, Text: firstWords(text, 8)}
}

func pasteCommand(text string) Command {
	return Command{Kind: CmdPaste, Text: stripFences(text)}
}

func parseCheck(words []string) Command {
	if len(words) > 0 && (strings.EqualFold(words[0], "tunnel") || strings.EqualFold(words[0], "peer")) {
		words = words[1:]
	}
	if len(words) > 0 && strings.EqualFold(words[0], "peer") {
		words = words[1:]
	}
	c := Command{Kind: CmdCheck}
	if len(words) == 0 {
		c.Err = "which peer? Try `check tunnel 90.1.1.1` or `check tunnel 90.1.1.1 on fw-hq`."
		return c
	}
	if !isPeer(words[0]) {
		c.Err = "`" + truncate(words[0], 60) + "` is not a peer address or host name."
		return c
	}
	c.Peer = words[0]
	words = words[1:]
	if len(words) >= 2 && (strings.EqualFold(words[0], "on") || strings.EqualFold(words[0], "from") || strings.EqualFold(words[0], "device")) {
		if !hostnameRE.MatchString(words[1]) {
			c.Err = "`" + truncate(words[1], 60) + "` is not a device name."
			return c
		}
		c.Device = words[1]
		words = words[2:]
	}
	if len(words) > 0 {
		c.Err = "I did not understand `" + truncate(strings.Join(words, " "), 80) + "` after the peer. Try `check tunnel 90.1.1.1 on fw-hq`."
	}
	return c
}

// isPeer accepts an IP address or a host name.
func isPeer(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	return hostnameRE.MatchString(s) && strings.ContainsAny(s, ".-") && !strings.HasSuffix(s, ".")
}

// outputWords are words that device output about IKE/IPsec nearly always
// holds; an unmentioned thread message needs one to be taken as a paste.
var outputWords = []string{
	"isakmp", "ikev1", "ikev2", "ike_", "ike sa", "ipsec", "crypto", "mm_", "qm_", "#pkts", "spi",
	"charon", "tunnel-group", "vpn-sessiondb", "%asa-", "%crypto", "phase 1", "phase 2", "child_sa", "ike_sa",
}

func looksLikeOutput(text string) bool {
	l := strings.ToLower(text)
	for _, w := range outputWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	if len(w) > n {
		w = append(w[:n], "…")
	}
	return strings.Join(w, " ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// parseSilence reads `silence 90.1.1.1 2h` and `unsilence 90.1.1.1`.
func parseSilence(verb string, args []string) Command {
	c := Command{Kind: CmdSilence}
	lift := verb == "unsilence" || verb == "unmute"
	if len(args) == 0 || !isPeer(args[0]) {
		c.Err = "Say `silence <peer> <duration>` (e.g. `silence 90.1.1.1 2h`) or `unsilence <peer>`."
		return c
	}
	c.Peer = args[0]
	if lift {
		return c
	}
	if len(args) < 2 {
		c.Err = "How long? Say e.g. `silence " + c.Peer + " 2h` (at most 7 days)."
		return c
	}
	d, err := time.ParseDuration(strings.ToLower(args[1]))
	if err != nil || d <= 0 || d > 7*24*time.Hour {
		c.Err = "`" + args[1] + "` is not a duration I can use: write it like 30m, 2h or 24h (at most 7 days)."
		return c
	}
	c.For = d
	return c
}

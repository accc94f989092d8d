package bot

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
)

// ConsoleMessenger prints replies on a terminal: the same answers the
// Slack transports post, as text.
type ConsoleMessenger struct {
	mu  sync.Mutex
	w   io.Writer
	seq int
}

// NewConsoleMessenger prints to w.
func NewConsoleMessenger(w io.Writer) *ConsoleMessenger { return &ConsoleMessenger{w: w} }

func (c *ConsoleMessenger) nextTS() string {
	c.seq++
	return fmt.Sprintf("%d.%06d", 1, c.seq)
}

func (c *ConsoleMessenger) print(m Message) {
	fmt.Fprintln(c.w, strings.TrimRight(m.Reply.Plain(), "\n"))
	fmt.Fprintln(c.w)
}

// Post implements Messenger.
func (c *ConsoleMessenger) Post(_ context.Context, m Message) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.print(m)
	return c.nextTS(), nil
}

// Update implements Messenger: the console cannot edit, it prints again.
func (c *ConsoleMessenger) Update(_ context.Context, _ string, m Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.print(m)
	return nil
}

// Upload implements Messenger; the console already printed everything.
func (c *ConsoleMessenger) Upload(_ context.Context, _, _, filename, _, content string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.w, "(in Slack the full evidence would be attached as %s, %d bytes)\n\n", filename, len(content))
	return nil
}

// Permalink implements Messenger.
func (c *ConsoleMessenger) Permalink(context.Context, string, string) (string, error) { return "", nil }

const consoleBanner = "tunneldoc console: type `help`, `status`, `check tunnel 90.1.1.1 [on fw-hq]`, `silence 90.1.1.1 2h`, " +
	"or `diagnose [PEER]` then paste device output (or `compare` then both peers' configs) and end it with a line holding only `.`; `quit` leaves."

// RunConsole reads commands from in and answers on the bot's messenger
// (a ConsoleMessenger on out), until EOF, `quit` or ctx ends. A line that
// is not a command starts a paste, as does `diagnose`; a paste ends with a
// line holding only "." (or EOF).
func RunConsole(ctx context.Context, b *Bot, in io.Reader, out io.Writer, prompt string) error {
	b.Start(ctx)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	fmt.Fprintln(out, consoleBanner)
	seq := 0
	send := func(text string) {
		seq++
		b.Handle(ctx, Request{Kind: KindConsole, Channel: "console", User: "console", TS: fmt.Sprintf("%d.%06d", 0, seq), Text: text})
	}
	readPaste := func(first string) string {
		lines := []string{first}
		size := len(first)
		for sc.Scan() {
			l := sc.Text()
			if strings.TrimSpace(l) == "." {
				break
			}
			if size += len(l) + 1; size > DefaultMaxPaste {
				continue // keep reading to the end marker; the rest is dropped
			}
			lines = append(lines, l)
		}
		return strings.Join(lines, "\n")
	}
	for {
		if ctx.Err() != nil {
			return nil
		}
		if prompt != "" {
			fmt.Fprint(out, prompt)
		}
		if !sc.Scan() {
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		lower := strings.ToLower(line)
		switch {
		case lower == "quit" || lower == "exit":
			return nil
		case lower == "diagnose" || strings.HasPrefix(lower, "diagnose ") || lower == "compare":
			if prompt != "" {
				fmt.Fprintln(out, "(paste the output, then a line holding only `.`)")
			}
			send(readPaste(line))
			continue
		}
		switch ParseCommand(line).Kind {
		case CmdHelp, CmdStatus, CmdCheck, CmdSilence:
			send(line)
		default:
			send(readPaste(line))
		}
	}
}

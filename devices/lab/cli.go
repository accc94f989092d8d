package lab

import (
	"bufio"

	"io"
	"strings"

	"golang.org/x/crypto/ssh"
)

// lineReader reads terminal input one line at a time, accepting CR, LF or
// CRLF as the end of a line.
type lineReader struct {
	r      *bufio.Reader
	lastCR bool
}

func newLineReader(r io.Reader) *lineReader { return &lineReader{r: bufio.NewReader(r)} }

// readLine returns the next line; with echo, it writes what was typed
// back, as a terminal in cooked mode would.
func (lr *lineReader) readLine(w io.Writer, echo bool) (string, error) {
	var b strings.Builder
	for {
		c, err := lr.r.ReadByte()
		if err != nil {
			return b.String(), err
		}
		if c == '\n' && lr.lastCR {
			lr.lastCR = false
			continue
		}
		lr.lastCR = c == '\r'
		if c == '\r' || c == '\n' {
			if echo {
				_, _ = w.Write([]byte("\r\n"))
			}
			return b.String(), nil
		}
		if b.Len() > 4096 {
			continue // a terminal line has a limit too
		}
		b.WriteByte(c)
		if echo {
			_, _ = w.Write([]byte{c})
		}
	}
}

// readKey returns one key press (for the pager).
func (lr *lineReader) readKey() (byte, error) {
	c, err := lr.r.ReadByte()
	if err == nil && (c == '\r' || c == '\n') {
		lr.lastCR = c == '\r'
	}
	return c, err
}

// cli simulates the IOS / ASA command line on one PTY shell.
type cli struct {
	l      *Lab
	d      *Device
	ch     ssh.Channel
	in     *lineReader
	priv   bool
	paging bool
	drop   func() // ends the SSH connection (Fault.DropOn)
}

func newCLI(l *Lab, d *Device, ch ssh.Channel) *cli {
	return &cli{l: l, d: d, ch: ch, in: newLineReader(ch), priv: d.Scenario.Platform == "ios" && !d.fault.UserMode, paging: true, drop: func() {}}
}

func (c *cli) asa() bool { return c.d.Scenario.Platform == "asa" }

func (c *cli) prompt() string {
	if c.priv {
		return c.d.Scenario.Hostname + "#"
	}
	return c.d.Scenario.Hostname + ">"
}

func (c *cli) write(s string) bool {
	_, err := c.ch.Write([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
	return err == nil
}

func (c *cli) invalid() string {
	if c.asa() {
		return "ERROR: % Invalid input detected at '^' marker.\n"
	}
	return "% Invalid input detected at '^' marker.\n\n"
}

func (c *cli) run() {
	motd := "\n" + c.d.Scenario.Hostname + " - lab device (" + c.d.Scenario.Name + ")\nUnauthorized access is prohibited.\n\n"
	if c.asa() {
		motd = "\nType help or '?' for a list of available commands.\n"
	}
	if !c.write(motd + c.prompt()) {
		return
	}
	for {
		line, err := c.in.readLine(c.ch, true)
		if err != nil {
			return
		}
		cmd := strings.Join(strings.Fields(line), " ")
		switch {
		case cmd == "":
		case cmd == "exit" || cmd == "quit" || cmd == "logout":
			c.write("\nLogoff\n\n")
			return
		case cmd == "enable" || cmd == "en":
			c.enable()
		case cmd == "disable":
			c.priv = false
		case cmd == "terminal length 0" && !c.asa(), cmd == "terminal pager 0" && c.asa():
			c.paging = false
		case strings.HasPrefix(cmd, "terminal "):
		case c.priv && c.d.debugAllowed && cmd != c.d.fault.DropOn && c.debugCommand(cmd):
			// a scoped debug the inventory allows (lab/debug.go)
		case strings.HasPrefix(cmd, "debug ") || strings.HasPrefix(cmd, "clear ") || strings.HasPrefix(cmd, "conf"):
			// tunneldoc must never send these; say so loudly if it does.
			c.write("% lab: refusing '" + cmd + "': tunneldoc must only run show commands\n")
		case !c.priv && (c.asa() || strings.HasPrefix(cmd, "show run") || strings.HasPrefix(cmd, "show logging")):
			c.write(c.invalid())
		default:
			if c.l.fault(c.d, c.ch, cmd, true, c.drop) {
				if cmd == c.d.fault.HangOn || cmd == c.d.fault.DropOn {
					return
				}
				break
			}
			out, ok := c.d.answer(cmd)
			if !ok {
				out = c.invalid()
			}
			if !c.page(out) {
				return
			}
		}
		if !c.write(c.prompt()) {
			return
		}
	}
}

func (c *cli) enable() {
	if c.priv {
		return
	}
	c.write("Password: ")
	pw, err := c.in.readLine(c.ch, false)
	if err != nil {
		return
	}
	c.write("\n")
	if pw == c.l.opts.EnablePassword {
		c.priv = true
		return
	}
	if c.asa() {
		c.write("Invalid password\n")
	} else {
		c.write("% Access denied\n\n")
	}
}

// page writes out, stopping every PageLength lines at the platform's
// pager prompt until paging is turned off. It reports false when the
// session is gone.
func (c *cli) page(out string) bool {
	lines := strings.SplitAfter(out, "\n")
	if !c.paging || len(lines) <= c.l.opts.PageLength {
		return c.write(out)
	}
	more, erase := " --More-- ", "\b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b"
	if c.asa() {
		more, erase = "<--- More --->", "\r              \r"
	}
	shown := 0
	for shown < len(lines) {
		n := c.l.opts.PageLength
		if shown+n > len(lines) {
			n = len(lines) - shown
		}
		if !c.write(strings.Join(lines[shown:shown+n], "")) {
			return false
		}
		shown += n
		if shown >= len(lines) {
			return true
		}
		if _, err := c.ch.Write([]byte(more)); err != nil {
			return false
		}
		key, err := c.in.readKey()
		if err != nil {
			return false
		}
		if _, err := c.ch.Write([]byte(erase)); err != nil {
			return false
		}
		switch key {
		case 'q', 'Q':
			return true
		case ' ':
		default:
			// Enter shows one more line.
			if !c.write(lines[shown]) {
				return false
			}
			shown++
		}
	}
	return true
}

// debugCommand answers a debug command the device plays; false: not one.
func (c *cli) debugCommand(cmd string) bool {
	out, ok := c.d.debugCommand(cmd)
	if ok {
		c.write(out)
	}
	return ok
}

package sshx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Defaults used when Limits leave a field at zero.
const (
	DefaultCommandTimeout = 30 * time.Second
	DefaultMaxBytes       = 1 << 20
)

// Limits bound one command: the whole answer must arrive within Timeout
// and may not exceed MaxBytes. What arrived before either limit is kept.
type Limits struct {
	Timeout  time.Duration
	MaxBytes int
}

func (l Limits) timeout() time.Duration {
	if l.Timeout > 0 {
		return l.Timeout
	}
	return DefaultCommandTimeout
}

func (l Limits) maxBytes() int {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return DefaultMaxBytes
}

var errFull = errors.New("output cap reached")

// capBuf keeps at most max bytes and reports when more was offered.
type capBuf struct {
	mu   sync.Mutex
	b    []byte
	max  int
	full chan struct{}
	once sync.Once
}

func (w *capBuf) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	room := w.max - len(w.b)
	if len(p) > room {
		w.b = append(w.b, p[:max(room, 0)]...)
		w.once.Do(func() { close(w.full) })
		return max(room, 0), errFull
	}
	w.b = append(w.b, p...)
	return len(p), nil
}

func (w *capBuf) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.b)
}

// Exec runs cmd in its own exec channel (no PTY) and returns stdout and
// stderr together. A non-zero exit status is not an error: the output
// says what went wrong. On timeout or when the output cap is reached the
// channel is closed and the output read so far is returned with the error.
func (c *Client) Exec(ctx context.Context, cmd string, lim Limits) (string, error) {
	sess, err := c.client.NewSession()
	if err != nil {
		return "", c.sessionErr("open an exec channel", err)
	}
	defer sess.Close()
	out := &capBuf{max: lim.maxBytes(), full: make(chan struct{})}
	sess.Stdout, sess.Stderr = out, out
	if err := sess.Start(cmd); err != nil {
		return "", c.sessionErr(fmt.Sprintf("start `%s`", cmd), err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	timer := time.NewTimer(lim.timeout())
	defer timer.Stop()
	select {
	case err := <-done:
		var exit *ssh.ExitError
		var missing *ssh.ExitMissingError
		if errors.Is(err, errFull) {
			return out.String(), c.cutErr(cmd, lim)
		}
		if err == nil || errors.As(err, &exit) {
			return out.String(), nil
		}
		// No exit status: some devices never send one, but a connection
		// that dropped mid-output ends the same way. Ask the connection.
		if c.connectionLost(ctx) {
			return out.String(), c.lostErr(cmd, len(out.String()))
		}
		if errors.As(err, &missing) {
			return out.String(), nil
		}
		return out.String(), c.sessionErr(fmt.Sprintf("run `%s`", cmd), err)
	case <-out.full:
		sess.Close()
		return out.String(), c.cutErr(cmd, lim)
	case <-timer.C:
		sess.Close()
		return out.String(), c.timeoutErr(cmd, lim, len(out.String()))
	case <-ctx.Done():
		sess.Close()
		return out.String(), canceled(&c.target, ctx.Err())
	}
}

// connectionLost reports whether the SSH connection under c is gone: a
// global request that a live server answers (even with a refusal) fails at
// once on a closed connection. A server that does not answer within
// probeTimeout is taken as alive.
func (c *Client) connectionLost(ctx context.Context) bool {
	res := make(chan error, 1)
	go func() {
		_, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil)
		res <- err
	}()
	t := time.NewTimer(probeTimeout)
	defer t.Stop()
	select {
	case err := <-res:
		return err != nil
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// probeTimeout bounds connectionLost's wait for a live device's answer.
const probeTimeout = 5 * time.Second

func (c *Client) lostErr(what string, got int) error {
	t := &c.target
	return &Error{Kind: ConnectionLost, Device: t.Name, Addr: t.Addr,
		Msg: fmt.Sprintf("%s closed the connection while tunneldoc waited for %s, after %d bytes; what was read is still diagnosed (the device may have rebooted, hit a vty or session limit, or an idle timeout)", t.where(), what, got)}
}

func (c *Client) sessionErr(what string, err error) error {
	t := &c.target
	return &Error{Kind: SessionFailed, Device: t.Name, Addr: t.Addr, Err: err,
		Msg: fmt.Sprintf("%s: could not %s: %v", t.where(), what, err)}
}

func (c *Client) cutErr(cmd string, lim Limits) error {
	t := &c.target
	return &Error{Kind: OutputCut, Device: t.Name, Addr: t.Addr,
		Msg: fmt.Sprintf("%s: `%s` printed more than %d bytes; cut off there, and the first %d bytes are still diagnosed (narrow the command or raise max_output_bytes)", t.where(), cmd, lim.maxBytes(), lim.maxBytes())}
}

func (c *Client) timeoutErr(cmd string, lim Limits, got int) error {
	t := &c.target
	return &Error{Kind: Timeout, Device: t.Name, Addr: t.Addr,
		Msg: fmt.Sprintf("%s: `%s` did not finish within %s; cut off there, and the %d bytes read so far are still diagnosed (the device may be busy, or its prompt was not recognised)", t.where(), cmd, lim.timeout(), got)}
}

// ShellConfig says how to prepare an interactive shell.
type ShellConfig struct {
	// Setup commands run once after login, before any Run (paging off).
	Setup []string
	// Enable sends `enable` and EnablePassword when the prompt ends in '>'.
	Enable         bool
	EnablePassword string
	// Limits bound the login banner, enable and each setup command.
	Limits Limits
}

// Shell is an interactive PTY session with a device CLI. It is not safe
// for concurrent use. After a timeout or a cut the shell is unusable
// (the device may still be printing): open a new one.
type Shell struct {
	c       *Client
	sess    *ssh.Session
	in      io.WriteCloser
	chunks  chan []byte
	done    chan struct{}
	pending []byte
	host    string
	prompt  *regexp.Regexp
	broken  error
	once    sync.Once
}

var (
	anyPromptRE  = regexp.MustCompile(`^([A-Za-z0-9][\w.\-/:@]*)(\([\w.\-/]+\))?[#>]\s?$`)
	pagerRE      = regexp.MustCompile(`(?i)(--+\s*more\s*--+>?|<-+\s*more\s*-+>)\s*$`)
	passwordRE   = regexp.MustCompile(`(?i)password:\s*$`)
	ansiRE       = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)
	backspaceRE  = regexp.MustCompile(`\x08+ *\x08*`)
	crEraseRE    = regexp.MustCompile(`\r +\r`)
	enableFailRE = regexp.MustCompile(`(?i)(access denied|bad password|invalid password|% ?bad secrets)`)
)

// Shell opens a PTY shell, waits for the first prompt (learning the
// hostname from it), enters enable mode when asked and runs the setup
// commands.
func (c *Client) Shell(ctx context.Context, cfg ShellConfig) (*Shell, error) {
	sess, err := c.client.NewSession()
	if err != nil {
		return nil, c.sessionErr("open a shell channel", err)
	}
	// A wide terminal keeps devices from wrapping long lines; echo stays on
	// because that is what the prompt/echo splitter downstream expects.
	modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 38400, ssh.TTY_OP_OSPEED: 38400}
	if err := sess.RequestPty("vt100", 0, 511, modes); err != nil {
		sess.Close()
		return nil, c.sessionErr("get a PTY", err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		sess.Close()
		return nil, c.sessionErr("open stdin", err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		sess.Close()
		return nil, c.sessionErr("open stdout", err)
	}
	if err := sess.Shell(); err != nil {
		sess.Close()
		return nil, c.sessionErr("start a shell", err)
	}
	s := &Shell{c: c, sess: sess, in: in, chunks: make(chan []byte, 16), done: make(chan struct{})}
	go s.pump(out)

	raw, err := s.readUntil(ctx, cfg.Limits, "the login prompt", func(tail string) bool { return anyPromptRE.MatchString(tail) })
	if err != nil {
		s.Close()
		return nil, err
	}
	m := anyPromptRE.FindStringSubmatch(lastLine(raw))
	s.host = m[1]
	s.prompt = regexp.MustCompile(`^` + regexp.QuoteMeta(s.host) + `(\([\w.\-/]+\))?([#>])\s?$`)

	if cfg.Enable && strings.HasSuffix(strings.TrimSpace(lastLine(raw)), ">") {
		if err := s.enable(ctx, cfg); err != nil {
			s.Close()
			return nil, err
		}
	}
	for _, cmd := range cfg.Setup {
		if _, err := s.Run(ctx, cmd, cfg.Limits); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Shell) enable(ctx context.Context, cfg ShellConfig) error {
	t := &s.c.target
	if err := s.send("enable"); err != nil {
		return err
	}
	raw, err := s.readUntil(ctx, cfg.Limits, "the enable password prompt", func(tail string) bool {
		return passwordRE.MatchString(tail) || s.prompt.MatchString(tail)
	})
	if err != nil {
		return err
	}
	if passwordRE.MatchString(lastLine(raw)) {
		if err := s.send(cfg.EnablePassword); err != nil {
			return err
		}
		raw, err = s.readUntil(ctx, cfg.Limits, "the prompt after enable", func(tail string) bool {
			return passwordRE.MatchString(tail) || s.prompt.MatchString(tail)
		})
		if err != nil {
			return err
		}
	}
	last := strings.TrimSpace(lastLine(raw))
	if !strings.HasSuffix(last, "#") || enableFailRE.MatchString(raw) {
		// Leave the password prompt cleanly before giving up.
		if passwordRE.MatchString(last) {
			_ = s.send("")
		}
		return &Error{Kind: AuthFailed, Device: t.Name, Addr: t.Addr,
			Msg: fmt.Sprintf("%s refused the enable password: check the enable_password reference in the inventory (show commands for crypto need privileged mode on ASA)", t.where())}
	}
	return nil
}

// Hostname is the name the device's prompt showed.
func (s *Shell) Hostname() string { return s.host }

// Broken reports why the shell can no longer be used, or nil.
func (s *Shell) Broken() error { return s.broken }

// Run sends one command and returns its output without the command echo
// and the trailing prompt. Paging prompts are answered with a space.
func (s *Shell) Run(ctx context.Context, cmd string, lim Limits) (string, error) {
	if s.broken != nil {
		return "", s.broken
	}
	if err := s.send(cmd); err != nil {
		return "", err
	}
	raw, err := s.readUntil(ctx, lim, cmd, func(tail string) bool { return s.prompt.MatchString(tail) })
	out := clean(raw)
	if err == nil {
		out = dropLastLine(out) // the prompt
	}
	return dropEcho(out, cmd), err
}

func (s *Shell) send(line string) error {
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		s.broken = s.c.sessionErr("send to the shell", err)
		return s.broken
	}
	return nil
}

// pump copies device output to chunks until the session ends or the
// shell is closed; it is the one goroutine a shell owns.
func (s *Shell) pump(out io.Reader) {
	defer close(s.chunks)
	buf := make([]byte, 32<<10)
	for {
		n, err := out.Read(buf)
		if n > 0 {
			b := make([]byte, n)
			copy(b, buf[:n])
			select {
			case s.chunks <- b:
			case <-s.done:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// readUntil reads until done(tail) is true for the last, unterminated
// line. It answers pagers, and enforces the time and size limits.
func (s *Shell) readUntil(ctx context.Context, lim Limits, what string, done func(tail string) bool) (string, error) {
	timer := time.NewTimer(lim.timeout())
	defer timer.Stop()
	for {
		tail := strings.TrimRight(lastLine(string(s.pending)), "\r")
		tail = ansiRE.ReplaceAllString(tail, "")
		if pagerRE.MatchString(tail) {
			if i := strings.LastIndexByte(string(s.pending), '\n'); i >= 0 {
				s.pending = s.pending[:i+1]
			} else {
				s.pending = s.pending[:0]
			}
			if _, err := io.WriteString(s.in, " "); err != nil {
				s.broken = s.c.sessionErr("answer the pager", err)
				return s.take(), s.broken
			}
			continue
		}
		if len(s.pending) > 0 && done(tail) {
			return s.take(), nil
		}
		if len(s.pending) > lim.maxBytes() {
			s.pending = s.pending[:lim.maxBytes()]
			s.broken = s.c.cutErr(what, lim)
			return s.take(), s.broken
		}
		select {
		case b, ok := <-s.chunks:
			if !ok {
				s.broken = s.c.lostErr(what, len(s.pending))
				return s.take(), s.broken
			}
			s.pending = append(s.pending, b...)
		case <-timer.C:
			s.broken = s.c.timeoutErr(what, lim, len(s.pending))
			return s.take(), s.broken
		case <-ctx.Done():
			s.broken = canceled(&s.c.target, ctx.Err())
			return s.take(), s.broken
		}
	}
}

func (s *Shell) take() string {
	out := string(s.pending)
	s.pending = s.pending[:0]
	return out
}

// Close ends the shell session.
func (s *Shell) Close() error {
	s.once.Do(func() { close(s.done) })
	return s.sess.Close()
}

func lastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func dropLastLine(s string) string {
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[:i+1]
	}
	return ""
}

// dropEcho removes the device's echo of cmd from the first line.
func dropEcho(out, cmd string) string {
	first, rest, found := strings.Cut(out, "\n")
	if strings.TrimSpace(first) == strings.TrimSpace(cmd) || (cmd != "" && strings.HasSuffix(strings.TrimSpace(first), strings.TrimSpace(cmd))) {
		if !found {
			return ""
		}
		return rest
	}
	return out
}

// clean turns raw terminal output into plain lines: no ANSI sequences,
// no pager erase sequences, no carriage returns.
func clean(raw string) string {
	s := ansiRE.ReplaceAllString(raw, "")
	s = backspaceRE.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = crEraseRE.ReplaceAllString(s, "")
	return strings.ReplaceAll(s, "\r", "")
}

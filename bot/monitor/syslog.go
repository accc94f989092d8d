package monitor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tunneldoc/tunneldoc/diagnose/redact"
)

// SyslogMessage is one parsed syslog message.
type SyslogMessage struct {
	Host string // HOSTNAME field (RFC 3164 / 5424), or "" when absent
	Text string // the MSG part
}

var (
	rfc5424 = regexp.MustCompile(`^<\d{1,3}>\d{1,2} (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+) ?(.*)$`)
	// RFC 3164: "<PRI>Mmm dd hh:mm:ss HOST MSG"; Cisco devices often send
	// "<PRI>seq: *Mmm dd hh:mm:ss.mmm: %..." without a host.
	rfc3164 = regexp.MustCompile(`^<\d{1,3}>([A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d) (\S+) (.*)$`)
	priOnly = regexp.MustCompile(`^<\d{1,3}>(.*)$`)
)

// ParseSyslog reads one RFC 5424 or RFC 3164 message (or a bare Cisco
// one). It never fails: what it cannot split is all Text.
func ParseSyslog(line string) SyslogMessage {
	line = strings.TrimRight(line, "\r\n\x00")
	line = strings.TrimPrefix(line, "\ufeff")
	if m := rfc5424.FindStringSubmatch(line); m != nil {
		host := m[2]
		if host == "-" {
			host = ""
		}
		return SyslogMessage{Host: host, Text: strings.TrimPrefix(m[7], "\ufeff")}
	}
	if m := rfc3164.FindStringSubmatch(line); m != nil {
		host, msg := m[2], m[3]
		if strings.HasPrefix(host, "%") || strings.HasSuffix(host, ":") {
			// No host field: the "host" is the message's first word.
			return SyslogMessage{Text: host + " " + msg}
		}
		return SyslogMessage{Host: host, Text: msg}
	}
	if m := priOnly.FindStringSubmatch(line); m != nil {
		return SyslogMessage{Text: m[1]}
	}
	return SyslogMessage{Text: line}
}

// syslogRule turns one IOS or ASA message into a tunnel state.
type syslogRule struct {
	re   *regexp.Regexp // group "peer" names the peer
	down bool
	what string
}

const ipv4 = `(?P<peer>\d{1,3}(?:\.\d{1,3}){3})`

// syslogRules: the %CRYPTO- and %ASA- messages that say a tunnel went down
// or came up. Rekeys and single SA deletes are left out on purpose: they
// happen on healthy tunnels.
var syslogRules = []syslogRule{
	{regexp.MustCompile(`%CRYPTO-\d-(?:IKEV2_)?SESSION_STATUS: Crypto tunnel (?:v2 )?is DOWN\b.*?Peer ` + ipv4), true, "tunnel down"},
	{regexp.MustCompile(`%CRYPTO-\d-(?:IKEV2_)?SESSION_STATUS: Crypto tunnel (?:v2 )?is UP\b.*?Peer ` + ipv4), false, "tunnel up"},
	{regexp.MustCompile(`%CRYPTO-\d-IKMP_MODE_FAILURE: .*?(?:peer at|from) ` + ipv4), true, "IKE negotiation failed"},
	{regexp.MustCompile(`%CRYPTO-\d-IKMP_BAD_MESSAGE: .*?from ` + ipv4), true, "IKE message failed its sanity check (pre-shared key mismatch?)"},
	{regexp.MustCompile(`%CRYPTO-\d-IKMP_NO_SA: .*?` + ipv4), true, "no IKE SA"},
	{regexp.MustCompile(`%CRYPTO-\d-(?:IKE_DPD|DPD)\w*: .*?` + ipv4), true, "dead peer detection"},
	{regexp.MustCompile(`%CRYPTO-\d-IKMP_INVAL_CERT: .*?` + ipv4), true, "certificate rejected"},
	{regexp.MustCompile(`%CRYPTO-\d-IPSEC_POLICY_INVALID: .*?` + ipv4), true, "IPsec policy invalid"},
	{regexp.MustCompile(`%CRYPTO-\d-IKMP_NO_PROPOSAL\w*: .*?` + ipv4), true, "no acceptable IKE proposal"},
	{regexp.MustCompile(`%ASA-\d-113019: Group = [^,]*, Username = [^,]*, IP = ` + ipv4 + `, Session disconnected`), true, "session disconnected"},
	{regexp.MustCompile(`%ASA-\d-713123: .*?IP = ` + ipv4 + `.*?lost contact`), true, "dead peer detection: peer lost"},
	{regexp.MustCompile(`%ASA-\d-713123: .*?` + ipv4), true, "dead peer detection: peer lost"},
	{regexp.MustCompile(`%ASA-\d-713257: .*?` + ipv4), true, "phase 1 proposal mismatch"},
	{regexp.MustCompile(`%ASA-\d-713902: .*?IP = ` + ipv4 + `.*?(?:Removing peer|QM FSM error|failed)`), true, "IKE negotiation failed"},
	{regexp.MustCompile(`%ASA-\d-713(?:905|122|049)?\d*: .*?IP = ` + ipv4 + `.*?(?:Pre-shared key|pre-shared key|Received encrypted packet with no matching SA|message decryption failed)`), true, "IKE authentication failed (pre-shared key mismatch?)"},
	{regexp.MustCompile(`%ASA-\d-750003: .*?Remote:` + ipv4), true, "IKEv2 negotiation aborted"},
	{regexp.MustCompile(`%ASA-\d-713120: .*?IP = ` + ipv4 + `.*?PHASE 2 COMPLETED`), false, "phase 2 completed"},
	{regexp.MustCompile(`%ASA-\d-750006: .*?Remote:` + ipv4 + `.*?SA UP`), false, "IKEv2 SA up"},
}

// Recognise reads a syslog message's text: the peer it names and whether
// it means the tunnel went down (or up). ok is false for messages that say
// nothing about a tunnel's state.
func Recognise(text string) (peer string, down bool, what string, ok bool) {
	if !strings.Contains(text, "%CRYPTO-") && !strings.Contains(text, "%ASA-") {
		return "", false, "", false
	}
	for _, r := range syslogRules {
		m := r.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		return m[r.re.SubexpIndex("peer")], r.down, r.what, true
	}
	return "", false, "", false
}

// SyslogEvent turns one syslog line into an event, when it is about a
// tunnel.
func SyslogEvent(line string) (Event, bool) {
	msg := ParseSyslog(line)
	peer, down, what, ok := Recognise(msg.Text)
	if !ok {
		return Event{}, false
	}
	text := redact.Line(msg.Text)
	return Event{Peer: peer, Device: msg.Host, Down: down, Source: SourceSyslog, Detail: what, Text: text}, true
}

// Syslog limits.
const (
	maxSyslogMessage = 8 << 10
	maxSyslogConns   = 64
	syslogIdle       = 5 * time.Minute
	syslogWorkers    = 4   // events handled at once (each may run a check)
	syslogQueue      = 256 // events waiting per worker before new ones are dropped
)

// SyslogServer receives syslog over UDP and TCP and feeds the monitor.
type SyslogServer struct {
	m      *Monitor
	udp    net.PacketConn
	tcp    net.Listener
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed chan struct{}
	once   sync.Once
	shards []chan Event
}

// ListenSyslog starts the listeners: udpAddr and tcpAddr may each be ""
// (that transport is off). Close stops them.
func (m *Monitor) ListenSyslog(ctx context.Context, udpAddr, tcpAddr string) (*SyslogServer, error) {
	s := &SyslogServer{m: m, conns: map[net.Conn]struct{}{}, closed: make(chan struct{})}
	var err error
	if udpAddr != "" {
		if s.udp, err = net.ListenPacket("udp", udpAddr); err != nil {
			return nil, fmt.Errorf("syslog udp %s: %w", udpAddr, err)
		}
	}
	if tcpAddr != "" {
		if s.tcp, err = net.Listen("tcp", tcpAddr); err != nil {
			if s.udp != nil {
				s.udp.Close()
			}
			return nil, fmt.Errorf("syslog tcp %s: %w", tcpAddr, err)
		}
	}
	s.shards = make([]chan Event, syslogWorkers)
	for i := range s.shards {
		s.shards[i] = make(chan Event, syslogQueue)
		s.wg.Add(1)
		go s.work(ctx, s.shards[i])
	}
	if s.udp != nil {
		s.wg.Add(1)
		go s.serveUDP(ctx)
	}
	if s.tcp != nil {
		s.wg.Add(1)
		go s.serveTCP(ctx)
	}
	context.AfterFunc(ctx, func() { s.Close() })
	return s, nil
}

// UDPAddr is the UDP listener's address ("" when off).
func (s *SyslogServer) UDPAddr() string {
	if s.udp == nil {
		return ""
	}
	return s.udp.LocalAddr().String()
}

// TCPAddr is the TCP listener's address ("" when off).
func (s *SyslogServer) TCPAddr() string {
	if s.tcp == nil {
		return ""
	}
	return s.tcp.Addr().String()
}

// Close stops the listeners and open connections and waits for them.
func (s *SyslogServer) Close() error {
	s.once.Do(func() {
		close(s.closed)
		if s.udp != nil {
			s.udp.Close()
		}
		if s.tcp != nil {
			s.tcp.Close()
		}
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
	})
	s.wg.Wait()
	return nil
}

// handle queues a recognised message for its peer's worker. Handling may
// run a device check, so it never happens on the reading goroutine; one
// worker per shard keeps each peer's events in order.
func (s *SyslogServer) handle(_ context.Context, line string) {
	ev, ok := SyslogEvent(line)
	if !ok {
		return
	}
	h := fnv.New32a()
	h.Write([]byte(ev.Peer))
	select {
	case s.shards[h.Sum32()%uint32(len(s.shards))] <- ev:
	default:
		s.m.log.Warn("syslog queue full: event dropped", "peer", ev.Peer, "device", ev.Device, "down", ev.Down)
	}
}

func (s *SyslogServer) work(ctx context.Context, q <-chan Event) {
	defer s.wg.Done()
	for {
		select {
		case <-s.closed:
			return
		case ev := <-q:
			if err := s.m.Handle(ctx, ev); err != nil && ctx.Err() == nil {
				s.m.log.Warn("syslog event not applied", "peer", ev.Peer, "device", ev.Device, "err", err)
			}
		}
	}
}

func (s *SyslogServer) serveUDP(ctx context.Context) {
	defer s.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		n, from, err := s.udp.ReadFrom(buf)
		if err != nil {
			return
		}
		if !s.m.syslogAllowed(from) {
			continue
		}
		// One datagram is one message (RFC 5426); some senders batch lines.
		for _, line := range strings.Split(string(buf[:n]), "\n") {
			if strings.TrimSpace(line) != "" {
				s.handle(ctx, truncate(line))
			}
		}
	}
}

// syslogAllowed: syslog is unauthenticated, so who may send it is the
// one defence against a forged "tunnel down".
func (m *Monitor) syslogAllowed(a net.Addr) bool {
	if len(m.cfg.SyslogAllow) == 0 {
		return true
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range m.cfg.SyslogAllow {
		if p.Contains(ip) {
			return true
		}
	}
	m.log.Warn("syslog from a sender not in TUNNELDOC_MONITOR_SYSLOG_ALLOW dropped", "from", ip.String())
	return false
}

func truncate(s string) string {
	if len(s) > maxSyslogMessage {
		return s[:maxSyslogMessage]
	}
	return s
}

func (s *SyslogServer) serveTCP(ctx context.Context) {
	defer s.wg.Done()
	for {
		c, err := s.tcp.Accept()
		if err != nil {
			return
		}
		if !s.m.syslogAllowed(c.RemoteAddr()) {
			c.Close()
			continue
		}
		s.mu.Lock()
		if len(s.conns) >= maxSyslogConns {
			s.mu.Unlock()
			c.Close()
			continue
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.readStream(ctx, c)
		}()
	}
}

// readStream reads RFC 6587 framing: octet counting ("LEN SP MSG") or
// newline-terminated messages, decided per message.
func (s *SyslogServer) readStream(ctx context.Context, c net.Conn) {
	br := bufio.NewReaderSize(c, 16<<10)
	for {
		_ = c.SetReadDeadline(time.Now().Add(syslogIdle))
		first, err := br.Peek(1)
		if err != nil {
			return
		}
		if first[0] >= '1' && first[0] <= '9' {
			lenStr, err := br.ReadString(' ')
			if err != nil || len(lenStr) > 7 {
				return
			}
			n, err := strconv.Atoi(strings.TrimSpace(lenStr))
			if err != nil || n <= 0 || n > maxSyslogMessage {
				return
			}
			msg := make([]byte, n)
			if _, err := io.ReadFull(br, msg); err != nil {
				return
			}
			s.handle(ctx, string(msg))
			continue
		}
		line, err := readLine(br)
		if line != "" {
			s.handle(ctx, line)
		}
		if err != nil {
			return
		}
	}
}

// readLine reads up to '\n', keeping at most maxSyslogMessage bytes.
func readLine(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		chunk, err := br.ReadSlice('\n')
		if b.Len() < maxSyslogMessage {
			b.Write(chunk[:min(len(chunk), maxSyslogMessage-b.Len())])
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return strings.TrimRight(b.String(), "\r\n"), err
	}
}

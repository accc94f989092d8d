package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tunneldoc/tunneldoc/bot"
	botslack "github.com/tunneldoc/tunneldoc/bot/slack"
	"github.com/tunneldoc/tunneldoc/bot/store/redis/redistest"
	"github.com/tunneldoc/tunneldoc/devices/lab"
	"github.com/tunneldoc/tunneldoc/diagnose"
	"github.com/tunneldoc/tunneldoc/diagnose/redact"
	"github.com/tunneldoc/tunneldoc/diagnose/redact/redacttest"
)

// Every secret shape a pasted configuration can hold, each with a value
// that appears nowhere else. The all-paths test greps every output for
// the values.
var (
	iosSecrets = map[string]string{
		"isakmp key":          "crypto isakmp key 0 PskIsakmp-4417 address 40.10.7.1",
		"keyring key":         "crypto keyring SPOKES\n pre-shared-key address 40.10.7.1 key PskKeyring-5518",
		"ikev2 keyring local": "crypto ikev2 keyring KR2\n peer SPOKE\n  address 40.10.7.1\n  pre-shared-key local PskIkev2Local-6619",
		"ikev2 keyring peer":  "  pre-shared-key remote PskIkev2Remote-7720",
		"username secret":     "username admin privilege 15 secret 5 $1$UsrSec$Xy8821qq",
		"username password":   "username ops password 0 UserPass-9922",
		"enable secret":       "enable secret 5 $1$EnSec$Zz1023ww",
		"enable password":     "enable password EnablePass-1124",
		"snmp community":      "snmp-server community SnmpComm-2225 RO",
		"snmp host":           "snmp-server host 10.9.9.9 version 2c SnmpHostComm-2326",
		"key 7":               "key chain KC\n key 1\n  key-string 7 1511021F07257A767B",
		"line password 7":     "line vty 0 4\n password 7 060506324F41584B56",
		"tacacs key":          "tacacs-server key TacacsKey-3326",
	}
	asaSecrets = map[string]string{
		"asa ikev1 psk":  "tunnel-group 40.10.7.1 type ipsec-l2l\ntunnel-group 40.10.7.1 ipsec-attributes\n ikev1 pre-shared-key AsaIkev1Psk-4427",
		"asa ikev2 psks": " ikev2 local-authentication pre-shared-key AsaIkev2Local-5528\n ikev2 remote-authentication pre-shared-key AsaIkev2Remote-6629",
		"asa passwd":     "passwd 2KFQnbNIdI.2KYOU encrypted",
	}
	swanSecrets = map[string]string{
		"swanctl secret": "secrets {\n  ike-hq {\n    id = 40.10.7.1\n    secret = SwanSecret-7730\n  }\n}",
		"ipsec.secrets":  `40.10.7.1 30.3.1.1 : PSK "SwanPsk-8831"`,
	}
	// secretValues are the values above that must never come out.
	secretValues = []string{
		"PskIsakmp-4417", "PskKeyring-5518", "PskIkev2Local-6619", "PskIkev2Remote-7720", "$1$UsrSec$Xy8821qq",
		"UserPass-9922", "$1$EnSec$Zz1023ww", "EnablePass-1124", "SnmpComm-2225", "SnmpHostComm-2326",
		"1511021F07257A767B", "060506324F41584B56", "TacacsKey-3326", "AsaIkev1Psk-4427", "AsaIkev2Local-5528",
		"AsaIkev2Remote-6629", "2KFQnbNIdI.2KYOU", "SwanSecret-7730", "SwanPsk-8831",
	}
)

// secretsConfig is an IOS running config holding every IOS secret shape
// around a complete crypto map to peer, keyed with key.
func secretsConfig(self, peer, key string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname R-%s\n!\n", strings.ReplaceAll(self, ".", "-"))
	names := make([]string, 0, len(iosSecrets))
	for n := range iosSecrets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(iosSecrets[n] + "\n!\n")
	}
	fmt.Fprintf(&b, "crypto isakmp policy 10\n encr aes\n authentication pre-share\n group 14\n!\n")
	fmt.Fprintf(&b, "crypto keyring PEER\n pre-shared-key address %s key %s\n!\n", peer, key)
	fmt.Fprintf(&b, "crypto ipsec transform-set TS esp-aes esp-sha-hmac\n!\ncrypto map CMAP 10 ipsec-isakmp\n set peer %s\n set transform-set TS\n match address VPN\n!\n", peer)
	fmt.Fprintf(&b, "interface GigabitEthernet0/1\n ip address %s 255.255.255.0\n crypto map CMAP\n!\n", self)
	lan, plan := "3.1.1.0", "4.1.1.0"
	if self > peer {
		lan, plan = plan, lan
	}
	fmt.Fprintf(&b, "ip access-list extended VPN\n permit ip %s 0.0.0.255 %s 0.0.0.255\n!\nend\n", lan, plan)
	return b.String()
}

// secretsPaste is a paste as an engineer sends it: the running config with
// every secret shape, the ASA and strongSwan secrets, and a debug that
// shows a pre-shared key mismatch.
func secretsPaste(t *testing.T) string {
	t.Helper()
	debug, err := os.ReadFile(filepath.Join("..", "..", "diagnose", "testdata", "cases", "psk_mismatch", "seed001-ios-19-4-reserved-not-zero.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("HUB#show running-config\n" + secretsConfig("30.3.1.1", "40.10.7.1", "PskKeyring-5518") + "\n")
	b.WriteString("ASA# show running-config tunnel-group\n" + asaSecrets["asa ikev1 psk"] + "\n" + asaSecrets["asa ikev2 psks"] + "\n" + asaSecrets["asa passwd"] + "\n")
	b.WriteString("root@gw:~# cat /etc/swanctl/swanctl.conf\n" + swanSecrets["swanctl secret"] + "\nroot@gw:~# cat /etc/ipsec.secrets\n" + swanSecrets["ipsec.secrets"] + "\n")
	b.WriteString("HUB#debug crypto isakmp\n")
	b.Write(debug)
	return b.String()
}

// leaks lists the secrets found in s, with a little context each.
func leaks(s string, secrets []string) []string {
	var out []string
	for _, k := range secrets {
		if i := strings.Index(s, k); i >= 0 {
			lo, hi := max(0, i-60), min(len(s), i+len(k)+20)
			out = append(out, fmt.Sprintf("%s in …%q…", k, s[lo:hi]))
		}
	}
	return out
}

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// recordingSlack is a loopback Slack Web API that keeps every field of
// every call (but the token) and every uploaded file's bytes.
type recordingSlack struct {
	mu    sync.Mutex
	n     int
	calls []recordedCall
	srv   *httptest.Server
}

type recordedCall struct {
	Method string
	TS     string // the ts a post was given
	Form   url.Values
	Body   string // uploads and JSON bodies
}

func newRecordingSlack(t *testing.T) *recordingSlack {
	s := &recordingSlack{}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *recordingSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	method := strings.TrimPrefix(r.URL.Path, "/")
	form, _ := url.ParseQuery(string(raw))
	form.Del("token")
	c := recordedCall{Method: method, Form: form}
	if !strings.Contains(r.Header.Get("Content-Type"), "x-www-form-urlencoded") {
		c.Body = string(raw)
	}
	s.mu.Lock()
	s.n++
	n := s.n
	ts := fmt.Sprintf("1700009000.%06d", n)
	if strings.HasPrefix(method, "chat.post") {
		c.TS = ts
	}
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case method == "auth.test":
		fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","team":"T","user":"tunneldoc","bot_id":"BBOT"}`)
	case method == "chat.postMessage" || method == "chat.postEphemeral":
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q,"message_ts":%q}`, form.Get("channel"), ts, ts)
	case method == "chat.update":
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, form.Get("channel"), form.Get("ts"))
	case method == "chat.getPermalink":
		fmt.Fprint(w, `{"ok":true,"permalink":"https://example.slack.com/archives/C/p1"}`)
	case method == "files.getUploadURLExternal":
		fmt.Fprintf(w, `{"ok":true,"upload_url":"%s/upload/F%d","file_id":"F%d"}`, s.srv.URL, n, n)
	case strings.HasPrefix(method, "upload/"):
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "OK")
	case method == "files.completeUploadExternal":
		fmt.Fprint(w, `{"ok":true,"files":[{"id":"F1","title":"x"}]}`)
	case method == "conversations.replies":
		fmt.Fprint(w, `{"ok":true,"messages":[],"has_more":false}`)
	default:
		fmt.Fprint(w, `{"ok":true}`)
	}
}

func (s *recordingSlack) snapshot() []recordedCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recordedCall(nil), s.calls...)
}

// text is everything the bot sent, call by call.
func (s *recordingSlack) text() string {
	var b strings.Builder
	for _, c := range s.snapshot() {
		fmt.Fprintf(&b, "%s %s %s\n", c.Method, c.Form.Encode(), c.Body)
		for k, vs := range c.Form { // decoded too: Encode escapes
			fmt.Fprintf(&b, "  %s=%s\n", k, strings.Join(vs, "\x00"))
		}
	}
	return b.String()
}

// thread is the text of every post in the thread under ts and of every
// update of those posts.
func (s *recordingSlack) thread(ts string) string {
	var b strings.Builder
	posted := map[string]bool{ts: true}
	for _, c := range s.snapshot() {
		if c.Form.Get("thread_ts") == ts && c.TS != "" {
			posted[c.TS] = true
		}
	}
	for _, c := range s.snapshot() {
		if c.Form.Get("thread_ts") == ts || (c.Method == "chat.update" && posted[c.Form.Get("ts")]) {
			b.WriteString(c.Form.Get("text") + "\n" + c.Form.Get("blocks") + "\n")
		}
	}
	return b.String()
}

// redisDump returns every key and value of the Redis at addr as text.
func redisDump(t *testing.T, addr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	var b strings.Builder
	iter := rdb.Scan(ctx, 0, "*", 500).Iterator()
	n := 0
	for ; iter.Next(ctx) && n < 100000; n++ {
		k := iter.Val()
		typ, err := rdb.Type(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		var v any
		switch typ {
		case "string":
			v, err = rdb.Get(ctx, k).Result()
		case "hash":
			v, err = rdb.HGetAll(ctx, k).Result()
		case "list":
			v, err = rdb.LRange(ctx, k, 0, -1).Result()
		case "set":
			v, err = rdb.SMembers(ctx, k).Result()
		case "zset":
			v, err = rdb.ZRangeWithScores(ctx, k, 0, -1).Result()
		case "stream":
			v, err = rdb.XRange(ctx, k, "-", "+").Result()
		default:
			t.Fatalf("key %s of type %s not read", k, typ)
		}
		if err != nil && err != redis.Nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s (%s) = %v\n", k, typ, v)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("Redis holds no keys: the bot did not use it")
	}
	return b.String()
}

// TestSecretsAllPaths runs every path a secret can travel: CLI diagnose
// (text and JSON), CLI compare, and `tunneldoc serve` in Events API mode
// with its own redis-server and the device lab: a pasted config in a
// mention, a compare of two pasted configs, a DM paste, `check tunnel`
// against lab devices whose running configs hold keys (logging in with a
// known password), and the monitor's diagnosis replies. Then it greps
// every Slack call (every field, uploaded files too), every log line at
// debug level, and every Redis key and value for every secret.
func TestSecretsAllPaths(t *testing.T) {
	paste := secretsPaste(t)
	for _, s := range secretValues {
		if !strings.Contains(paste, s) {
			t.Fatalf("secret %s is not in the paste", s)
		}
	}

	t.Run("cli", func(t *testing.T) {
		dir := t.TempDir()
		a := filepath.Join(dir, "a.cfg")
		b := filepath.Join(dir, "b.cfg")
		if err := os.WriteFile(a, []byte(secretsConfig("30.3.1.1", "40.10.7.1", "CmpKeyA-1357")), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(b, []byte(secretsConfig("40.10.7.1", "30.3.1.1", "CmpKeyB-2468")), 0o600); err != nil {
			t.Fatal(err)
		}
		all := append([]string{"CmpKeyA-1357", "CmpKeyB-2468"}, secretValues...)
		for _, args := range [][]string{{"diagnose"}, {"diagnose", "--json"}, {"compare", a, b}, {"compare", a, b, "--json"}, {"compare", "-", b}} {
			stdin := paste
			if args[0] == "compare" {
				stdin = secretsConfig("30.3.1.1", "40.10.7.1", "CmpKeyA-1357")
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
			if out.Len() == 0 {
				t.Errorf("%v: no output (exit %d): %s", args, code, errb.String())
			}
			if args[0] == "compare" && !strings.Contains(out.String(), "psk_mismatch") {
				t.Errorf("%v: the differing keys were not found:\n%s", args, out.String())
			}
			for _, l := range leaks(out.String()+errb.String(), all) {
				t.Errorf("%v leaked %s", args, l)
			}
		}
	})

	t.Run("shapes", func(t *testing.T) { secretShapesThroughCLIAndRenderers(t) })

	t.Run("serve", func(t *testing.T) { secretsThroughServe(t, paste, shapesPaste(t)) })
}

// shapePaste is one diagnosed paste holding one shape of
// redacttest.Shapes, placed one way.
type shapePaste struct {
	name    string
	text    string
	secrets []string
	// quoted: the shape sits where the engine must quote it (the wrapped
	// continuation of an evidence line)
	quoted bool
}

// pskDebug is a real failing debug (a pre-shared key mismatch) and the
// 1-based line of its first evidence line.
func pskDebug(t *testing.T) ([]string, int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "diagnose", "testdata", "cases", "psk_mismatch", "seed001-ios-19-4-reserved-not-zero.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.TrimRight(string(b), "\n")
	rep := diagnose.Diagnose(text, diagnose.Options{})
	if rep.Cause != diagnose.CausePSKMismatch || len(rep.Evidence) == 0 {
		t.Fatalf("the debug no longer diagnoses as a failure with evidence: %s", rep.Cause)
	}
	return strings.Split(text, "\n"), rep.Evidence[0].Line
}

// shapePastes places every shape three ways into the failing debug: as a
// line of its own (a config line pasted above the debug, and a line among
// the debug's, before its evidence line), as the wrapped continuation of
// the debug's evidence line, and dressed as chat clients,
// terminals and web pages hand it over (markdown escapes, bold, ANSI
// colours, a no-break space: each both ways), and inside a code fence.
func shapePastes(t *testing.T) []shapePaste {
	debug, ev := pskDebug(t)
	own := func(line string) string {
		return "HUB#show running-config\n" + line + "\n!\nHUB#debug crypto isakmp\n" + strings.Join(debug, "\n") + "\n"
	}
	inDebug := func(line string) string {
		lines := append(append(append([]string{"HUB#debug crypto isakmp"}, debug[:ev-1]...), strings.TrimLeft(line, " \t")), debug[ev-1:]...)
		return strings.Join(lines, "\n") + "\n"
	}
	wrapped := func(line string) string {
		lines := append(append(append([]string{"HUB#debug crypto isakmp"}, debug[:ev]...), "  "+strings.TrimLeft(line, " \t")), debug[ev:]...)
		return strings.Join(lines, "\n") + "\n"
	}
	var out []shapePaste
	for _, sh := range redacttest.Shapes {
		name := sh.Vendor + "/" + sh.Name
		for _, d := range redacttest.Dress(sh) {
			out = append(out,
				shapePaste{name + " (" + d.Name + ", own line)", own(d.Line), sh.Secrets, false},
				shapePaste{name + " (" + d.Name + ", inside the debug)", inDebug(d.Line), sh.Secrets, false},
				shapePaste{name + " (" + d.Name + ", wrapped)", wrapped(d.Line), sh.Secrets, !sh.Log})
		}
		out = append(out, shapePaste{name + " (code fence)", "```\n" + own(sh.Line) + "```\n", sh.Secrets, false})
	}
	return out
}

// shapesPaste is every shape, each as a line of its own and as a wrapped
// continuation of an evidence line, in one paste.
func shapesPaste(t *testing.T) string {
	debug, ev := pskDebug(t)
	var b strings.Builder
	b.WriteString("HUB#show running-config\n")
	for _, sh := range redacttest.Shapes {
		for _, d := range redacttest.Dress(sh) {
			b.WriteString(d.Line + "\n")
		}
	}
	b.WriteString("!\nHUB#debug crypto isakmp\n")
	for i, l := range debug {
		b.WriteString(l + "\n")
		if i+1 == ev {
			for _, sh := range redacttest.Shapes {
				b.WriteString("  " + strings.TrimLeft(sh.Line, " \t") + "\n")
			}
		}
	}
	return b.String()
}

// shapeSecrets is every secret of redacttest.Shapes.
func shapeSecrets() []string {
	var out []string
	for _, sh := range redacttest.Shapes {
		out = append(out, sh.Secrets...)
	}
	return out
}

// secretShapesThroughCLIAndRenderers diagnoses every shape paste through
// the CLI (text and JSON) and renders its report for Slack (blocks,
// fallback, attached evidence file) and for the console: no secret in any.
func secretShapesThroughCLIAndRenderers(t *testing.T) {
	pastes := shapePastes(t)
	if len(pastes) < 3*120 {
		t.Fatalf("only %d pastes", len(pastes))
	}
	quoted, wrapped := 0, 0
	for _, p := range pastes {
		var outputs []string
		for _, args := range [][]string{{"diagnose"}, {"diagnose", "--json"}} {
			var out, errb bytes.Buffer
			code := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(p.text), &out, &errb)
			if out.Len() == 0 {
				t.Errorf("%s %v: no output (exit %d): %s", p.name, args, code, errb.String())
			}
			outputs = append(outputs, out.String()+errb.String())
		}
		rep := diagnose.Diagnose(p.text, diagnose.Options{})
		if rep.Verdict != diagnose.VerdictDown {
			t.Errorf("%s: the paste is no longer a failing one: %s %s", p.name, rep.Verdict, rep.Cause)
		}
		for _, rc := range []bot.ReplyContext{{Source: "paste"}, {Source: "paste", Peer: rep.Peer, Device: "fw-hq"}} {
			r := bot.Render(rep, rc)
			fallback, bs := botslack.Layout(r.Reply)
			blocks, err := json.Marshal(bs)
			if err != nil {
				t.Fatal(err)
			}
			outputs = append(outputs, fallback, r.Reply.Full, r.Reply.Plain(), string(blocks), bot.PlainReport(rep, rc))
			if r.File != nil {
				outputs = append(outputs, r.File.Name, r.File.Title, r.File.Content)
			}
		}
		all := strings.Join(outputs, "\n")
		for _, l := range leaks(all, p.secrets) {
			t.Errorf("%s leaked %s", p.name, l)
		}
		if p.quoted {
			wrapped++
			if strings.Contains(outputs[0], redact.Mask) {
				quoted++
			}
		}
	}
	// the wrapped placements are quoted as evidence: their redaction was
	// exercised, not only their absence from a report that left them out
	if quoted < wrapped {
		t.Errorf("only %d of %d wrapped shapes were quoted (and masked) in the report", quoted, wrapped)
	}
}

func secretsThroughServe(t *testing.T, paste, shapes string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const labPassword = "LabLoginPw-5521"
	l, err := lab.Start(ctx, lab.Options{Password: labPassword, Devices: []lab.DeviceConfig{
		{Name: "fw-ios", Scenario: "ios-psk-mismatch"},
		{Name: "fw-asa", Scenario: "asa-psk-mismatch"},
		{Name: "fw-swan", Scenario: "swan-ike-proposal-mismatch"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sw, err := l.AddSwitch("fw-mon", "ios-healthy")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := l.WriteFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// The keys the lab's running configs hold.
	labKeys := []string{"FLgBaJHXdYY_AcHZZMgQ[eJPUHdGPBQAB", labPassword}

	rs := redistest.Start(t)
	slk := newRecordingSlack(t)
	const signing = "SlackSigning-9934"
	listen := freeAddr(t, "tcp")
	env := map[string]string{
		"SLACK_BOT_TOKEN":                 "xoxb-BotToken-1035",
		"SLACK_SIGNING_SECRET":            signing,
		"SLACK_API_URL":                   slk.srv.URL + "/",
		"TUNNELDOC_LISTEN":                listen,
		"REDIS_URL":                       rs.URL(),
		"TUNNELDOC_INVENTORY":             inv,
		"TUNNELDOC_LOG_LEVEL":             "debug",
		"TUNNELDOC_OPS_LISTEN":            "off", // not :9090, which other tests or programs may hold
		"TUNNELDOC_MONITOR":               "on",
		"TUNNELDOC_MONITOR_CHANNEL":       "C0MON",
		"TUNNELDOC_MONITOR_INTERVAL":      "200ms",
		"TUNNELDOC_MONITOR_CHECK_TIMEOUT": "30s",
	}
	logs, stdout, done := startServe(ctx, t, env, listen)

	seq := 0
	send := func(ev map[string]any) {
		t.Helper()
		seq++
		if code := sendEvent(ctx, t, listen, signing, fmt.Sprint("EvSecret", seq), ev); code != 200 {
			t.Fatalf("event %d: status %d", seq, code)
		}
	}
	mention := func(ts, text string) {
		send(map[string]any{"type": "app_mention", "user": "UALICE", "channel": "CNET", "ts": ts, "event_ts": ts, "text": "<@UBOT> " + text})
	}
	cmpA := secretsConfig("30.3.1.1", "40.10.7.1", "ChatKeyA-1357")
	cmpB := secretsConfig("40.10.7.1", "30.3.1.1", "ChatKeyB-2468")
	waits := map[string]string{ // thread ts -> what its answer must say
		"1700000001.000100": "psk_mismatch",
		"1700000002.000100": "psk_mismatch",
		"1700000004.000100": "psk_mismatch",
		"1700000005.000100": "psk_mismatch",
		"1700000006.000100": "ike_proposal_mismatch",
	}
	mention("1700000001.000100", "diagnose\n```\n"+paste+"\n```")
	mention("1700000002.000100", "compare\n```\n"+cmpA+"```\n```\n"+cmpB+"```")
	send(map[string]any{"type": "message", "channel_type": "im", "user": "UALICE", "channel": "D0ALICE", "ts": "1700000003.000100", "text": "```\n" + paste + "\n```"})
	mention("1700000004.000100", "check tunnel 40.10.7.1 on fw-ios")
	mention("1700000005.000100", fmt.Sprintf("check tunnel %s on fw-asa", deviceNamed(t, l, "fw-asa").Scenario.Peer))
	mention("1700000006.000100", fmt.Sprintf("check tunnel %s on fw-swan", deviceNamed(t, l, "fw-swan").Scenario.Peer))
	// every secret shape, dressed every way, as lines of their own and as
	// continuations of an evidence line
	waits["1700000007.000100"] = diagnose.Diagnose(shapes, diagnose.Options{}).Cause
	mention("1700000007.000100", "diagnose\n```\n"+shapes+"\n```")

	// The monitor: fw-mon's tunnel goes down and gets a diagnosis reply.
	if err := sw.Set("ios-psk-mismatch"); err != nil {
		t.Fatal(err)
	}
	answered := func() (string, bool) {
		for ts, want := range waits {
			// A check of a tunnel the monitor already opened an incident
			// for answers with a pointer to that incident's thread.
			if th := slk.thread(ts); !strings.Contains(th, want) && !strings.Contains(th, "already open") {
				return ts + " (" + want + ")", false
			}
		}
		if dmReplies(slk) == "" {
			return "the DM", false
		}
		if !monitorDiagnosed(slk, "fw-mon") {
			return "the monitor's diagnosis of fw-mon", false
		}
		return "", true
	}
	var missing string
	if !eventually(90*time.Second, 100*time.Millisecond, func() bool { var ok bool; missing, ok = answered(); return ok }) {
		t.Fatalf("no answer for %s; its thread: %q\nSlack saw:\n%.20000s\nlogs:\n%.20000s", missing, slk.thread(strings.Fields(missing)[0]), slk.text(), logs.String())
	}
	cancel()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}

	secrets := append(append([]string{"ChatKeyA-1357", "ChatKeyB-2468", signing, "BotToken-1035"}, labKeys...), secretValues...)
	secrets = append(secrets, shapeSecrets()...)
	for where, text := range map[string]string{
		"Slack": slk.text(),
		"logs":  logs.String() + stdout.String(),
		"Redis": redisDump(t, rs.Addr()),
	} {
		for _, l := range leaks(text, secrets) {
			t.Errorf("secret in %s: %s", where, l)
		}
	}
	if !strings.Contains(logs.String(), "level=DEBUG") && !strings.Contains(logs.String(), `"level":"DEBUG"`) {
		t.Errorf("no debug log lines were captured:\n%.2000s", logs.String())
	}
}

// startServe runs `tunneldoc serve` with env until ctx ends (done says
// its exit code) and waits until it listens on listen.
func startServe(ctx context.Context, t *testing.T, env map[string]string, listen string) (logs, stdout *lockedBuffer, done chan int) {
	t.Helper()
	logs, stdout, done = &lockedBuffer{}, &lockedBuffer{}, make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), stdout, logs)
	}()
	if !eventually(20*time.Second, 20*time.Millisecond, func() bool {
		resp, err := http.Get("http://" + listen + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}) {
		t.Fatalf("serve did not listen:\n%s", logs.String())
	}
	return logs, stdout, done
}

// sendEvent posts an Events API callback holding ev to serve at listen,
// signed with secret, and returns the HTTP status.
func sendEvent(ctx context.Context, t *testing.T, listen, secret, eventID string, ev map[string]any) int {
	t.Helper()
	body := fmt.Appendf(nil, `{"token":"x","team_id":"T1","api_app_id":"A1","type":"event_callback","event_id":%q,"event_time":1700000000,"event":%s}`, eventID, mustJSONString(ev))
	ts := time.Now().Unix()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+listen+"/slack/events", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", slackSign(secret, ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func deviceNamed(t *testing.T, l *lab.Lab, name string) *lab.Device {
	t.Helper()
	for _, d := range l.Devices {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no lab device %s", name)
	return nil
}

// dmReplies is the text of every message posted in the DM channel.
func dmReplies(s *recordingSlack) string {
	var b strings.Builder
	for _, c := range s.snapshot() {
		if c.Form.Get("channel") == "D0ALICE" {
			b.WriteString(c.Form.Get("text") + "\n" + c.Form.Get("blocks") + "\n")
		}
	}
	return b.String()
}

// monitorDiagnosed: the monitor posted a root for device in its channel
// and a diagnosis reply under it.
func monitorDiagnosed(s *recordingSlack, device string) bool {
	for _, c := range s.snapshot() {
		if c.Method == "chat.postMessage" && c.Form.Get("channel") == "C0MON" && c.Form.Get("thread_ts") == "" &&
			strings.Contains(c.Form.Get("text"), " on "+device+" ") && strings.Contains(s.thread(c.TS), "Phase") {
			return true
		}
	}
	return false
}

func mustJSONString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// slackSign is Slack's v0 request signature.
func slackSign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

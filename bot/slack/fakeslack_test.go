package slack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack/slacktest"
)

// call is one Web API call the fake Slack received.
type call struct {
	Method   string
	Channel  string
	TS       string // the ts it returned (post) or was given (update)
	ThreadTS string
	Text     string
	Blocks   string
	Metadata string
	User     string // ephemeral target
	Form     url.Values
}

// header returns the text of the first header block, "" when none.
func (c call) header() string {
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	_ = json.Unmarshal([]byte(c.Blocks), &blocks)
	for _, b := range blocks {
		if b.Type == "header" {
			return b.Text.Text
		}
	}
	return ""
}

// fakeSlack is slacktest's server plus the handlers slacktest lacks:
// chat.update, chat.getPermalink, views.open, the files upload flow, file
// downloads, unique message timestamps, scripted 429s and a Socket Mode
// websocket. Custom handlers are registered first, so they win.
type fakeSlack struct {
	t   *testing.T
	srv *slacktest.Server

	mu         sync.Mutex
	seq        int
	calls      []call
	limits     map[string]int // method -> 429 answers still to give
	script     []int          // statuses for the next failing calls (see failNext)
	postAnyway bool           // a scripted 5xx on chat.postMessage still posts
	historyErr string         // conversations.history answers ok:false with this error
	uploads    map[string]string
	files      map[string]string // download path -> content
	authSeen   []string          // Authorization headers on file downloads
	changed    chan struct{}
	envelopes  chan any
	acks       []string
	wsConns    int
	// conversations.info: the private channels, the channels it answers
	// ok:false for (with that error), and the channels asked, in order
	// (kept out of calls: the other tests count those).
	privateChannels map[string]bool
	infoErr         map[string]string
	infoAsked       []string
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{
		t: t, limits: map[string]int{}, uploads: map[string]string{}, files: map[string]string{}, privateChannels: map[string]bool{}, infoErr: map[string]string{},
		changed: make(chan struct{}, 1000), envelopes: make(chan any, 100),
	}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", f.limited("chat.postMessage", f.postMessage))
		c.Handle("/chat.postEphemeral", f.limited("chat.postEphemeral", f.postEphemeral))
		c.Handle("/chat.update", f.limited("chat.update", f.update))
		c.Handle("/chat.getPermalink", f.permalink)
		c.Handle("/views.open", f.record("views.open", `{"ok":true,"view":{"id":"V1"}}`))
		c.Handle("/files.getUploadURLExternal", f.limited("files.getUploadURLExternal", f.uploadURL))
		c.Handle("/upload/", f.upload)
		c.Handle("/files.completeUploadExternal", f.completeUpload)
		c.Handle("/files-pri/", f.download)
		c.Handle("/usergroups.users.list", f.record("usergroups.users.list", `{"ok":true,"users":["UGROUPMEMBER"]}`))
		c.Handle("/conversations.replies", f.limited("conversations.replies", f.replies))
		c.Handle("/conversations.history", f.limited("conversations.history", f.history))
		c.Handle("/conversations.info", f.conversationInfo)
		c.Handle("/apps.connections.open", f.connectionsOpen)
		c.Handle("/smws", f.socket)
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) apiURL() string { return f.srv.GetAPIURL() }

func (f *fakeSlack) nextTS() string {
	f.seq++
	return fmt.Sprintf("1700000%03d.%06d", f.seq/1000, f.seq)
}

func (f *fakeSlack) add(c call) {
	f.calls = append(f.calls, c)
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func form(r *http.Request) url.Values {
	_ = r.ParseForm()
	return r.Form
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// scripted are the methods failNext fails.
var scripted = map[string]bool{"chat.postMessage": true, "chat.update": true, "chat.postEphemeral": true, "files.getUploadURLExternal": true}

// failNext makes the next calls of the scripted methods answer the given
// statuses, one per call, in order (429 comes with Retry-After: 1). With
// postAnyway a chat.postMessage answered 5xx is posted all the same, as
// when Slack did the work but the answer was lost.
func (f *fakeSlack) failNext(postAnyway bool, statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, statuses...)
	f.postAnyway = postAnyway
}

// scriptLeft is how many scripted failures are still to be answered.
func (f *fakeSlack) scriptLeft() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.script)
}

// limited answers 429 while a limit is scripted for the method, and the
// statuses failNext scripted.
func (f *fakeSlack) limited(method string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		if len(f.script) > 0 && scripted[method] {
			status := f.script[0]
			f.script = f.script[1:]
			anyway := f.postAnyway && method == "chat.postMessage" && status >= 500
			fv := form(r)
			f.add(call{Method: method + ":" + strconv.Itoa(status), Channel: fv.Get("channel"), ThreadTS: fv.Get("thread_ts"), TS: fv.Get("ts"), Text: fv.Get("text"), Form: fv})
			f.mu.Unlock()
			if anyway {
				next(httptest.NewRecorder(), r)
			}
			if status == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			w.WriteHeader(status)
			return
		}
		n := f.limits[method]
		if n > 0 {
			f.limits[method] = n - 1
			fv := form(r)
			f.add(call{Method: method + ":429", Channel: fv.Get("channel"), Text: fv.Get("text"), Form: fv})
			f.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		f.mu.Unlock()
		next(w, r)
	}
}

func (f *fakeSlack) rateLimit(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limits[method] = n
}

func (f *fakeSlack) record(method, answer string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var fv url.Values
		var body string
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			b, _ := io.ReadAll(r.Body)
			body = string(b)
		} else {
			fv = form(r)
		}
		f.mu.Lock()
		f.add(call{Method: method, Form: fv, Text: body})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	fv := form(r)
	f.mu.Lock()
	ts := f.nextTS()
	f.add(call{Method: "chat.postMessage", Channel: fv.Get("channel"), TS: ts, ThreadTS: fv.Get("thread_ts"), Text: fv.Get("text"), Blocks: fv.Get("blocks"), Metadata: fv.Get("metadata"), Form: fv})
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "channel": fv.Get("channel"), "ts": ts, "message": map[string]any{"text": fv.Get("text"), "ts": ts}})
}

func (f *fakeSlack) postEphemeral(w http.ResponseWriter, r *http.Request) {
	fv := form(r)
	f.mu.Lock()
	ts := f.nextTS()
	f.add(call{Method: "chat.postEphemeral", Channel: fv.Get("channel"), TS: ts, ThreadTS: fv.Get("thread_ts"), Text: fv.Get("text"), Blocks: fv.Get("blocks"), User: fv.Get("user"), Form: fv})
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "message_ts": ts})
}

func (f *fakeSlack) update(w http.ResponseWriter, r *http.Request) {
	fv := form(r)
	f.mu.Lock()
	f.add(call{Method: "chat.update", Channel: fv.Get("channel"), TS: fv.Get("ts"), Text: fv.Get("text"), Blocks: fv.Get("blocks"), Metadata: fv.Get("metadata"), Form: fv})
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "channel": fv.Get("channel"), "ts": fv.Get("ts"), "text": fv.Get("text")})
}

func (f *fakeSlack) permalink(w http.ResponseWriter, r *http.Request) {
	fv := form(r)
	writeJSON(w, map[string]any{"ok": true, "channel": fv.Get("channel"),
		"permalink": "https://example.slack.com/archives/" + fv.Get("channel") + "/p" + strings.ReplaceAll(fv.Get("message_ts"), ".", "")})
}

func (f *fakeSlack) uploadURL(w http.ResponseWriter, r *http.Request) {
	fv := form(r)
	f.mu.Lock()
	f.seq++
	id := fmt.Sprintf("F%04d", f.seq)
	f.add(call{Method: "files.getUploadURLExternal", Text: fv.Get("filename"), Form: fv})
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "upload_url": f.apiURL() + "upload/" + id, "file_id": id})
}

func (f *fakeSlack) upload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var content string
	if err == nil {
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			if p.FormName() == "file" {
				content = string(b)
			}
		}
	}
	f.mu.Lock()
	f.uploads[id] = content
	f.mu.Unlock()
	_, _ = io.WriteString(w, "OK - "+fmt.Sprint(len(content)))
}

func (f *fakeSlack) completeUpload(w http.ResponseWriter, r *http.Request) {
	fv := form(r)
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	_ = json.Unmarshal([]byte(fv.Get("files")), &files)
	f.mu.Lock()
	var content string
	if len(files) > 0 {
		content = f.uploads[files[0].ID]
	}
	f.add(call{Method: "files.completeUploadExternal", Channel: fv.Get("channel_id"), ThreadTS: fv.Get("thread_ts"), Text: content, Form: fv})
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "files": files})
}

func (f *fakeSlack) download(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	content, ok := f.files[r.URL.Path]
	f.authSeen = append(f.authSeen, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	_, _ = io.WriteString(w, content)
}

// addFile serves content for download and returns its url_private_download.
func (f *fakeSlack) addFile(name, content string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := "/files-pri/T1-F1/" + name
	f.files[p] = content
	return strings.TrimSuffix(f.apiURL(), "/") + p
}

// replies returns the thread's messages (the posts it recorded), with
// their metadata, as conversations.replies does with include_all_metadata.
func (f *fakeSlack) replies(w http.ResponseWriter, r *http.Request) {
	fv := form(r)
	f.mu.Lock()
	f.add(call{Method: "conversations.replies", Channel: fv.Get("channel"), ThreadTS: fv.Get("ts"), Form: fv})
	var msgs []map[string]any
	for _, c := range f.calls {
		if c.Method != "chat.postMessage" || c.Channel != fv.Get("channel") || (c.ThreadTS != fv.Get("ts") && c.TS != fv.Get("ts")) {
			continue
		}
		m := map[string]any{"type": "message", "ts": c.TS, "thread_ts": c.ThreadTS, "text": c.Text, "bot_id": "BBOT", "user": botUser}
		if blocks := f.latestBlocks(c); blocks != "" {
			m["blocks"] = json.RawMessage(blocks)
		}
		if c.Metadata != "" && fv.Get("include_all_metadata") == "1" {
			var md any
			_ = json.Unmarshal([]byte(c.Metadata), &md)
			m["metadata"] = md
		}
		msgs = append(msgs, m)
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

// latestBlocks are a post's blocks as its last chat.update left them
// (f.mu held).
func (f *fakeSlack) latestBlocks(post call) string {
	blocks := post.Blocks
	for _, c := range f.calls {
		if c.Method == "chat.update" && c.Channel == post.Channel && c.TS == post.TS {
			blocks = c.Blocks
		}
	}
	return blocks
}

// history returns the channel's top-level messages (the posts it
// recorded without thread_ts), newest first, with their metadata, as
// conversations.history does with include_all_metadata. It ignores
// oldest: the fake's ts are from 2023, the tests' clocks read today.
func (f *fakeSlack) history(w http.ResponseWriter, r *http.Request) {
	fv := form(r)
	f.mu.Lock()
	f.add(call{Method: "conversations.history", Channel: fv.Get("channel"), Form: fv})
	if f.historyErr != "" {
		f.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": f.historyErr})
		return
	}
	var msgs []map[string]any
	for i := len(f.calls) - 1; i >= 0; i-- {
		c := f.calls[i]
		if c.Method != "chat.postMessage" || c.Channel != fv.Get("channel") || c.ThreadTS != "" {
			continue
		}
		m := map[string]any{"type": "message", "ts": c.TS, "text": c.Text, "bot_id": "BBOT", "user": botUser}
		if c.Metadata != "" && fv.Get("include_all_metadata") == "1" {
			var md any
			_ = json.Unmarshal([]byte(c.Metadata), &md)
			m["metadata"] = md
		}
		msgs = append(msgs, m)
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

// conversationInfo answers conversations.info: a channel named private
// (setPrivate) is a private channel (is_private, is_group), a D channel a
// DM, any other a public channel; one named in infoErr is refused.
func (f *fakeSlack) conversationInfo(w http.ResponseWriter, r *http.Request) {
	id := form(r).Get("channel")
	f.mu.Lock()
	f.infoAsked = append(f.infoAsked, id)
	private, refused := f.privateChannels[id], f.infoErr[id]
	f.mu.Unlock()
	if refused != "" {
		writeJSON(w, map[string]any{"ok": false, "error": refused})
		return
	}
	im := strings.HasPrefix(id, "D")
	writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{
		"id": id, "name": strings.ToLower(id), "is_channel": !private && !im, "is_group": private, "is_im": im, "is_private": private || im,
	}})
}

// setPrivate makes the channels private ones for conversations.info.
func (f *fakeSlack) setPrivate(channels ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range channels {
		f.privateChannels[c] = true
	}
}

// asked is the channels conversations.info was asked about.
func (f *fakeSlack) asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.infoAsked...)
}

func (f *fakeSlack) connectionsOpen(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{"ok": true, "url": "ws://" + f.srv.ServerAddr + "/smws"})
}

// socket is a Socket Mode endpoint: hello, then the queued envelopes;
// acks are recorded.
func (f *fakeSlack) socket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer c.Close()
	f.mu.Lock()
	f.wsConns++
	f.mu.Unlock()
	if err := c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			var ack struct {
				EnvelopeID string          `json:"envelope_id"`
				Payload    json.RawMessage `json:"payload"`
			}
			if err := c.ReadJSON(&ack); err != nil {
				return
			}
			f.mu.Lock()
			f.acks = append(f.acks, ack.EnvelopeID)
			f.add(call{Method: "ack", Text: ack.EnvelopeID, Blocks: string(ack.Payload)})
			f.mu.Unlock()
		}
	}()
	for {
		select {
		case env := <-f.envelopes:
			if err := c.WriteJSON(env); err != nil {
				return
			}
			if m, ok := env.(map[string]any); ok && m["type"] == "disconnect" {
				// This connection takes no more envelopes: the next ones
				// go to the socket the client opens next. Like Slack, the
				// server keeps the socket a moment before closing it (a
				// slow server, not a wait for the test).
				time.Sleep(100 * time.Millisecond)
				return
			}
		case <-done:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// snapshot returns the calls so far.
func (f *fakeSlack) snapshot() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// waitFor waits (at most 10 s) until pred holds on the calls.
func (f *fakeSlack) waitFor(what string, pred func([]call) bool) []call {
	f.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		cs := f.snapshot()
		if pred(cs) {
			return cs
		}
		select {
		case <-f.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			f.t.Fatalf("timed out waiting for %s; calls: %s", what, describe(cs))
		}
	}
}

func describe(cs []call) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "\n  %s ch=%s ts=%s thread=%s text=%.80q header=%q", c.Method, c.Channel, c.TS, c.ThreadTS, c.Text, c.header())
	}
	return b.String()
}

func only(cs []call, method string) []call {
	var out []call
	for _, c := range cs {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

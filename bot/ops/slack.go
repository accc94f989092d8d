package ops

import (
	"bytes"
	"io"
	"net/http"
	"strings"
)

// slackPeek is how much of a Web API answer is read to find "ok":false.
// Slack's JSON puts "ok" first; answers are small except history pages.
const slackPeek = 512

// SlackTransport counts Slack Web API calls and their failures by method,
// for slack.OptionHTTPClient(&http.Client{Transport: ops.SlackTransport(m, nil)}).
// The method is the last part of the /api/ path; a call fails when the
// transport fails, the status is not 2xx (429 included), or the answer
// starts with "ok":false. next nil means http.DefaultTransport.
func SlackTransport(m *Metrics, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &slackTransport{m: m, next: next}
}

type slackTransport struct {
	m    *Metrics
	next http.RoundTripper
}

func (t *slackTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	method := slackMethod(r.URL.Path)
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		t.m.SlackCall(method, true)
		return resp, err
	}
	failed := resp.StatusCode < 200 || resp.StatusCode > 299
	if !failed && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		head := make([]byte, slackPeek)
		n, _ := io.ReadFull(resp.Body, head)
		head = head[:n]
		failed = bytes.Contains(head, []byte(`"ok":false`)) || bytes.Contains(head, []byte(`"ok": false`))
		// Give the caller the whole body back, peeked bytes first.
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	}
	t.m.SlackCall(method, failed)
	return resp, nil
}

// slackMethod turns /api/chat.postMessage into chat.postMessage; anything
// else (the external file upload URL) is "upload".
func slackMethod(path string) string {
	i := strings.LastIndex(path, "/api/")
	if i < 0 {
		return "upload"
	}
	m := path[i+len("/api/"):]
	if m == "" || strings.ContainsAny(m, "/") {
		return "other"
	}
	return m
}

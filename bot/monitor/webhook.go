package monitor

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxWebhookBody bounds one request (Alertmanager groups stay far below).
const maxWebhookBody = 1 << 20

// alertmanagerPayload is Alertmanager's webhook JSON (version 4), and the
// plain {peer, device, status} form in the same struct.
type alertmanagerPayload struct {
	Version string  `json:"version"`
	Status  string  `json:"status"`
	Alerts  []alert `json:"alerts"`

	Peer    string `json:"peer"`
	Device  string `json:"device"`
	Summary string `json:"summary"`
}

type alert struct {
	Status      string            `json:"status"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
}

// Label names that carry the peer and the device, in order of preference.
var (
	peerLabels   = []string{"peer", "tunnel_peer", "peer_address", "remote_address", "remote_ip", "vpn_peer"}
	deviceLabels = []string{"device", "hostname", "host", "instance"}
)

func pick(m map[string]string, keys []string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(m[k]); v != "" {
			return v
		}
	}
	return ""
}

// statusDown maps a status word; ok is false for words it does not know.
func statusDown(s string) (down, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "down", "firing", "critical", "open", "problem":
		return true, true
	case "up", "resolved", "ok", "closed", "recovered":
		return false, true
	}
	return false, false
}

// WebhookEvents reads a webhook body: Alertmanager's JSON or a plain
// {peer, device, status}. Every event names a peer, or it is an error.
func WebhookEvents(body []byte) ([]Event, error) {
	var p alertmanagerPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if p.Alerts == nil {
		down, ok := statusDown(p.Status)
		if !ok {
			return nil, fmt.Errorf("status %q is neither down/firing nor up/resolved", p.Status)
		}
		if strings.TrimSpace(p.Peer) == "" {
			return nil, errors.New("no peer: send {\"peer\": \"90.1.1.1\", \"device\": \"fw-hq\", \"status\": \"down\"}")
		}
		return []Event{{Peer: strings.TrimSpace(p.Peer), Device: strings.TrimSpace(p.Device), Down: down, Source: SourceWebhook, Detail: p.Summary}}, nil
	}
	var out []Event
	for i, a := range p.Alerts {
		status := a.Status
		if status == "" {
			status = p.Status
		}
		down, ok := statusDown(status)
		if !ok {
			return nil, fmt.Errorf("alert %d: status %q is neither firing nor resolved", i, status)
		}
		peer := pick(a.Labels, peerLabels)
		if peer == "" {
			return nil, fmt.Errorf("alert %d (%s) has none of the labels %s naming the tunnel's peer", i, a.Labels["alertname"], strings.Join(peerLabels, ", "))
		}
		device := pick(a.Labels, deviceLabels)
		if h, _, ok := strings.Cut(device, ":"); ok && a.Labels["device"] == "" {
			device = h // instance="fw-hq:9100"
		}
		detail := pick(a.Annotations, []string{"summary", "description"})
		if detail == "" {
			detail = a.Labels["alertname"]
		}
		out = append(out, Event{Peer: peer, Device: device, Down: down, Source: SourceWebhook, Detail: detail})
	}
	return out, nil
}

// WebhookHandler accepts POSTed alerts. token, when set, must come as
// "Authorization: Bearer <token>". A failure to apply answers 503 so
// Alertmanager retries.
func (m *Monitor) WebhookHandler(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST alerts here", http.StatusMethodNotAllowed)
			return
		}
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		if err != nil {
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		evs, err := WebhookEvents(body)
		if err != nil {
			http.Error(w, "bad alert: "+err.Error(), http.StatusBadRequest)
			return
		}
		var errs []error
		for _, ev := range evs {
			if err := m.Handle(r.Context(), ev); err != nil {
				errs = append(errs, err)
			}
		}
		if err := errors.Join(errs...); err != nil {
			m.log.Warn("webhook events not applied", "err", err)
			http.Error(w, "not applied, retry", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"ok\":true,\"events\":%d}\n", len(evs))
	})
}

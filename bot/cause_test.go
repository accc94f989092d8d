package bot

import (
	"testing"

	"github.com/tunneldoc/tunneldoc/bot/store"
	"github.com/tunneldoc/tunneldoc/diagnose"
)

// TestStrongestDiagnosis: an incident's cause is its strongest diagnosis
// by the cause order, the later of equals; healthy and unknown readings
// name none.
func TestStrongestDiagnosis(t *testing.T) {
	d := func(cause, source string) store.Diagnosis { return store.Diagnosis{Cause: cause, Source: source} }
	cases := []struct {
		name   string
		ds     []store.Diagnosis
		want   string
		source string
	}{
		{"none", nil, "", ""},
		{"not decisive", []store.Diagnosis{d(diagnose.CauseUnknown, "monitor"), d(diagnose.CauseHealthy, "check")}, "", ""},
		{"stronger later", []store.Diagnosis{d(diagnose.CausePeerUnreachable, "monitor"), d(diagnose.CauseOneWayOutbound, "check")}, diagnose.CauseOneWayOutbound, "check"},
		{"weaker later", []store.Diagnosis{d(diagnose.CausePSKMismatch, "monitor"), d(diagnose.CausePeerUnreachable, "check"), d(diagnose.CauseUnknown, "paste")}, diagnose.CausePSKMismatch, "monitor"},
		{"equal rank: the later", []store.Diagnosis{d(diagnose.CauseDPDPeerDead, "monitor"), d(diagnose.CauseOneWayInbound, "check")}, diagnose.CauseOneWayInbound, "check"},
	}
	for _, c := range cases {
		got, ok := StrongestDiagnosis(c.ds)
		if ok != (c.want != "") || got.Cause != c.want || got.Source != c.source {
			t.Errorf("%s: %+v %v, want %q from %q", c.name, got, ok, c.want, c.source)
		}
	}
}

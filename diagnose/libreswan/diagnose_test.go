package libreswan_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose"
)

// labDiagnosis is what the engine must answer for one side's output of a
// lab scenario. Where one side cannot see the scenario's cause, want is
// what its own lines prove, and why says so.
type labDiagnosis struct {
	scenario, file string
	phase, cause   string
	why            string
}

var labDiagnoses = []labDiagnosis{
	// no IPsec SA can be installed on this kernel: no contract cause names
	// a kernel that refuses the SA, nor an unanswered Quick Mode
	{"healthy-v2", "a-syslog.log", "phase2", "traffic_selector_mismatch", "the responder, unable to install the SA, answered TS_UNACCEPTABLE"},
	{"healthy-v2", "b-pluto.log", "unknown", "unknown", "the kernel refused the SA"},
	{"healthy-v1", "a-up.txt", "unknown", "unknown", "the responder never answered Quick Mode"},
	{"healthy-v1", "b-pluto.log", "unknown", "unknown", "the kernel refused the SA"},

	{"unreachable-v2", "a-up.txt", "phase1", "peer_unreachable", ""},
	{"unreachable-v2", "a-syslog.log", "phase1", "peer_unreachable", ""},
	{"unreachable-v1", "a-up.txt", "phase1", "peer_unreachable", ""},
	{"unreachable-v1", "a-syslog.log", "phase1", "peer_unreachable", ""},
	{"ike-proposal-v2", "a-up.txt", "phase1", "ike_proposal_mismatch", ""},
	{"ike-proposal-v2", "b-pluto.log", "phase1", "ike_proposal_mismatch", ""},
	{"ike-proposal-v1", "a-syslog.log", "phase1", "ike_proposal_mismatch", ""},
	{"ike-proposal-v1", "b-pluto.log", "phase1", "ike_proposal_mismatch", ""},
	{"psk-v2", "a-up.txt", "phase1", "psk_mismatch", ""},
	{"psk-v2", "b-pluto.log", "phase1", "psk_mismatch", ""},
	{"psk-v2-debug", "a-syslog.log", "phase1", "psk_mismatch", ""},
	{"psk-v2-debug", "b-pluto.log", "phase1", "psk_mismatch", ""},
	{"psk-v1", "a-syslog.log", "phase1", "psk_mismatch", ""},
	{"psk-v1", "b-pluto.log", "phase1", "psk_mismatch", ""},
	{"esp-proposal-v2", "a-syslog.log", "phase2", "esp_proposal_mismatch", ""},
	{"esp-proposal-v2", "b-pluto.log", "phase2", "esp_proposal_mismatch", ""},
	{"esp-proposal-v1", "a-up.txt", "unknown", "unknown", "whack's output lacks the peer's NO_PROPOSAL_CHOSEN: only Quick Mode unanswered"},
	{"esp-proposal-v1", "a-syslog.log", "phase2", "esp_proposal_mismatch", ""},
	{"esp-proposal-v1", "b-pluto.log", "phase2", "esp_proposal_mismatch", ""},
	{"esp-proposal-v1-debug", "a-syslog.log", "phase2", "esp_proposal_mismatch", ""},
	{"esp-proposal-v1-debug", "b-pluto.log", "phase2", "esp_proposal_mismatch", ""},
	{"pfs-v1", "b-pluto.log", "phase2", "pfs_mismatch", ""},
	{"pfs-v1", "a-syslog.log", "phase2", "esp_proposal_mismatch", "the initiator only gets NO_PROPOSAL_CHOSEN for its Quick Mode"},
	{"ts-v2", "a-syslog.log", "phase2", "traffic_selector_mismatch", ""},
	{"ts-v2", "b-pluto.log", "phase2", "traffic_selector_mismatch", ""},
	{"ts-v1", "a-syslog.log", "phase2", "traffic_selector_mismatch", ""},
	{"ts-v1", "b-pluto.log", "phase2", "traffic_selector_mismatch", ""},
	{"ts-v1", "a-up.txt", "unknown", "unknown", "whack's output lacks the INVALID_ID_INFORMATION notify: only Quick Mode unanswered"},
	{"id-v2", "b-pluto.log", "phase1", "id_mismatch", ""},
	{"id-v2", "a-syslog.log", "phase1", "psk_mismatch", "AUTHENTICATION_FAILED is all the initiator is told"},
	{"missing-peer-v2", "b-pluto.log", "phase1", "missing_peer_config", ""},
	{"missing-peer-v2", "a-syslog.log", "phase1", "ike_proposal_mismatch", "the responder answers NO_PROPOSAL_CHOSEN"},
	{"missing-peer-v1", "b-pluto.log", "phase1", "missing_peer_config", ""},
	{"missing-peer-v1", "a-syslog.log", "phase1", "peer_unreachable", "the responder stays silent"},
	{"ike-version", "b-pluto.log", "phase1", "ike_version_mismatch", ""},
	{"ike-version", "a-syslog.log", "phase1", "ike_proposal_mismatch", "the responder answers NO_PROPOSAL_CHOSEN"},
}

// TestLabDiagnoses: each side's real output through the whole engine.
func TestLabDiagnoses(t *testing.T) {
	for _, c := range labDiagnoses {
		t.Run(c.scenario+"/"+c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "lab", c.scenario, c.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, vendor := range []string{"auto", "libreswan"} {
				rep := diagnose.Diagnose(string(raw), diagnose.Options{Vendor: vendor})
				if rep.Phase != c.phase || rep.Cause != c.cause {
					t.Errorf("--vendor %s: %s %s (%.2f), want %s %s: %s", vendor, rep.Phase, rep.Cause, rep.Confidence, c.phase, c.cause, rep.Summary)
				}
				if rep.Vendor != "libreswan" {
					t.Errorf("--vendor %s: vendor %q", vendor, rep.Vendor)
				}
			}
		})
	}
}

// TestLabStatusDiagnoses: status outputs alone are read, and say no more
// than they show: an IKE SA up with no IPsec SA is no phase-1 failure; a
// state that sent the first message and got nothing is a thin
// peer_unreachable.
func TestLabStatusDiagnoses(t *testing.T) {
	cases := []struct {
		scenario, file, notPhase, cause string
	}{
		{"esp-proposal-v2", "a-status.txt", "phase1", ""},
		{"esp-proposal-v1", "a-showstates.txt", "phase1", ""},
		{"unreachable-v2", "a-showstates.txt", "", "peer_unreachable"},
		{"unreachable-v1", "a-whack-status.txt", "", "peer_unreachable"},
	}
	for _, c := range cases {
		raw, err := os.ReadFile(filepath.Join("testdata", "lab", c.scenario, c.file))
		if err != nil {
			t.Fatal(err)
		}
		rep := diagnose.Diagnose("# ipsec status\n"+string(raw), diagnose.Options{})
		if !rep.Readable || rep.Vendor != "libreswan" {
			t.Errorf("%s/%s: readable %v vendor %q", c.scenario, c.file, rep.Readable, rep.Vendor)
		}
		if c.notPhase != "" && rep.Phase == c.notPhase || c.cause != "" && (rep.Cause != c.cause || rep.Confidence > 0.6) {
			t.Errorf("%s/%s: %s %s %.2f %s", c.scenario, c.file, rep.Phase, rep.Cause, rep.Confidence, rep.Summary)
		}
	}
}

// TestStatusThenJournal: one paste of `ipsec status` and then pluto's
// journal, each after a Red Hat shell prompt ("[root@host ~]# cmd"), or
// with no prompt between them: the journal's lines are read as pluto's,
// not as more status output.
func TestStatusThenJournal(t *testing.T) {
	status, err := os.ReadFile(filepath.Join("testdata", "lab", "esp-proposal-v2", "b-status.txt"))
	if err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(filepath.Join("testdata", "lab", "esp-proposal-v2", "b-pluto.log"))
	if err != nil {
		t.Fatal(err)
	}
	for name, paste := range map[string]string{
		"prompts":   "[root@vpn-east ~]# ipsec status\n" + string(status) + "[root@vpn-east ~]# journalctl -u ipsec --no-pager\n" + string(log),
		"no prompt": string(status) + string(log),
	} {
		rep := diagnose.Diagnose(paste, diagnose.Options{})
		if rep.Cause != "esp_proposal_mismatch" {
			t.Errorf("%s: %s %s %.2f: %s", name, rep.Phase, rep.Cause, rep.Confidence, rep.Summary)
		}
		if name == "prompts" && (len(rep.Evidence) == 0 || rep.Evidence[0].Section != "journalctl -u ipsec --no-pager") {
			t.Errorf("the prompt's command does not name the evidence's section: %+v", rep.Evidence)
		}
	}
}

package libreswan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
	"github.com/tunneldoc/tunneldoc/diagnose/golden"
)

// TestIsPlutoLine: the forms pluto's lines are pasted in are claimed;
// status rows and other daemons' lines are not.
func TestIsPlutoLine(t *testing.T) {
	yes := []string{
		`lab-a pluto[2592]: "lab" #1: sent Main Mode request`,                                               // syslog, time stripped
		`Dec 06 21:15:02 lab-a pluto[2592]: "lab" #1: sent Main Mode request`,                               // journalctl
		`pluto[2592]: "lab" #1: sent Main Mode request`,                                                     // journalctl -o cat with identifier
		`lab-a pluto: "lab" #1: sent Main Mode request`,                                                     // syslog without pid
		`002 "lab" #1: initiating IKEv1 Main Mode connection`,                                               // ipsec auto --up
		`"lab" #1: initiating IKEv1 Main Mode connection`,                                                   // log file, ipsec up (5.x)
		`"rw"[3] 192.0.2.7 #4: responding to Main Mode from unknown peer 192.0.2.7`,                         // template instance
		`ERROR: "lab" #2: netlink response for Add SA esp.1@198.18.44.1: Protocol not supported (errno 93)`, // log file
		`packet from 198.18.44.1:500: initial Main Mode message received but no connection has been authorized`,
		`"lab": added IKEv1 connection`,
		`|    Notify Message Type: v1N_NO_PROPOSAL_CHOSEN (0xe)`, // plutodebug, claimed and read as nothing
		`lab-a pluto[5575]: |    Notify Message Type: v2N_NO_PROPOSAL_CHOSEN (0xe)`,
	}
	no := []string{
		`000 "lab": 10.61.7.0/24===198.18.44.1...198.18.44.2===10.62.7.0/24; unrouted; eroute owner: #0`,
		`000 #1: "lab":500 STATE_MAIN_I4 (IKE SA established); REPLACE_IF_USED in 27901s; newest; idle;`,
		`006 #2: "lab", type=ESP, add_time=1701890000, inBytes=84, outBytes=84, id='198.18.44.2'`,
		`"lab":   newest ISAKMP SA: #1; newest IPsec SA: #0; conn serial: $2;`,
		`09[IKE] <lab|1> initiating IKE_SA lab[1] to 10.99.0.2`,
		`host charon: 09[IKE] received NO_PROPOSAL_CHOSEN notify error`,
		`packet from somewhere: nothing`,
		`|   5e 1f 3d 2c  1b 0a 99 88  77 66 55 44  33 22 11 00   ^.=,....wfUD3".`, // a dump row: the wrapped continuation of whatever is above
		`west pluto[2034]: |   5e 1f 3d 2c  1b 0a 99 88  77 66 55 44`,
		`| SK_d = 0x9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d`,
		`| peer | state |`, // a markdown table row
	}
	for _, l := range yes {
		if !IsPlutoLine(stripPlutoTime(l)) {
			t.Errorf("not claimed: %s", l)
		}
	}
	for _, l := range no {
		if IsPlutoLine(l) {
			t.Errorf("claimed: %s", l)
		}
	}
}

// labCase says what one side's real output of a lab scenario must and
// must not yield (testdata/lab/<scenario>/<file>, written by lab/gen.sh).
type labCase struct {
	scenario, file string
	want, not      []facts.EventKind
}

var (
	noFailure = []facts.EventKind{facts.EvP1NoProposal, facts.EvP2NoProposal, facts.EvAuthFailed, facts.EvP1GiveUp, facts.EvNoPSK, facts.EvIDMismatch, facts.EvP2ProxyMismatch}
	labCases  = []labCase{
		// the kernel cannot install an IPsec SA here: the IKE part is healthy
		{"healthy-v2", "a-up.txt", []facts.EventKind{facts.EvP1Sent, facts.EvP1ProposalOK, facts.EvP1Complete, facts.EvP2ProxyMismatch}, []facts.EventKind{facts.EvAuthFailed, facts.EvP1GiveUp, facts.EvP1NoProposal}},
		{"healthy-v2", "b-pluto.log", []facts.EventKind{facts.EvP1ProposalOK, facts.EvP1Received, facts.EvP1Complete, facts.EvSAInstallFailed}, append(noFailure, facts.EvP2Failed)},
		{"healthy-v1", "a-syslog.log", []facts.EventKind{facts.EvP1Sent, facts.EvP1Received, facts.EvP1Complete, facts.EvP2Start, facts.EvP2PFSOffered, facts.EvP2Retransmit}, append(noFailure, facts.EvP2Failed)},
		{"healthy-v1", "b-pluto.log", []facts.EventKind{facts.EvP1Received, facts.EvP1Complete, facts.EvP2Start, facts.EvSAInstallFailed}, append(noFailure, facts.EvP2Failed)},
		{"unreachable-v2", "a-up.txt", []facts.EventKind{facts.EvP1Sent, facts.EvP1Retransmit, facts.EvP1GiveUp}, []facts.EventKind{facts.EvP1Received, facts.EvP1NoProposal, facts.EvP1Complete}},
		{"unreachable-v1", "a-syslog.log", []facts.EventKind{facts.EvP1Sent, facts.EvP1Retransmit, facts.EvP1GiveUp}, []facts.EventKind{facts.EvP1Received, facts.EvP1NoProposal, facts.EvP1Complete}},
		{"ike-proposal-v2", "a-syslog.log", []facts.EventKind{facts.EvP1Sent, facts.EvP1NoProposal}, []facts.EventKind{facts.EvP1Complete, facts.EvP2NoProposal}},
		{"ike-proposal-v2", "b-pluto.log", []facts.EventKind{facts.EvP1NoProposal}, []facts.EventKind{facts.EvP1Complete, facts.EvP2NoProposal, facts.EvNoPSK}},
		{"ike-proposal-v1", "a-up.txt", []facts.EventKind{facts.EvP1Sent, facts.EvNoProposalNotify}, []facts.EventKind{facts.EvP1Complete, facts.EvP1Received}},
		{"ike-proposal-v1", "b-pluto.log", []facts.EventKind{facts.EvP1NoProposal}, []facts.EventKind{facts.EvP1Complete, facts.EvP2NoProposal}},
		{"psk-v2", "a-syslog.log", []facts.EventKind{facts.EvP1Sent, facts.EvP1ProposalOK, facts.EvAuthFailed}, []facts.EventKind{facts.EvP1Complete, facts.EvNoPSK}},
		{"psk-v2", "b-pluto.log", []facts.EventKind{facts.EvP1ProposalOK, facts.EvAuthFailed}, []facts.EventKind{facts.EvP1Complete, facts.EvNoPSK, facts.EvIDMismatch}},
		{"psk-v1", "a-syslog.log", []facts.EventKind{facts.EvP1Received, facts.EvP1Retransmit, facts.EvP1GiveUp}, []facts.EventKind{facts.EvP1Complete, facts.EvP1NoProposal}},
		{"psk-v1", "b-pluto.log", []facts.EventKind{facts.EvP1Received, facts.EvAuthFailed}, []facts.EventKind{facts.EvP1Complete, facts.EvP1NoProposal}},
		{"esp-proposal-v2", "a-syslog.log", []facts.EventKind{facts.EvP1Complete, facts.EvP2NoProposal}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed, facts.EvP2ProxyMismatch}},
		{"esp-proposal-v2", "b-pluto.log", []facts.EventKind{facts.EvP1Complete, facts.EvP2NoProposal}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed}},
		{"esp-proposal-v1", "a-syslog.log", []facts.EventKind{facts.EvP1Complete, facts.EvP2Start, facts.EvP2Retransmit}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed}},
		{"esp-proposal-v1", "b-pluto.log", []facts.EventKind{facts.EvP1Complete, facts.EvP2NoProposal}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed}},
		{"ts-v2", "b-pluto.log", []facts.EventKind{facts.EvP1Complete, facts.EvP2ProxyMismatch}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed, facts.EvP2NoProposal}},
		{"ts-v2", "a-syslog.log", []facts.EventKind{facts.EvP1Complete, facts.EvP2ProxyMismatch}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed, facts.EvP2NoProposal}},
		{"missing-peer-v2", "b-pluto.log", []facts.EventKind{facts.EvNoPSK}, []facts.EventKind{facts.EvP1Complete, facts.EvP1NoProposal}},
		{"missing-peer-v1", "b-pluto.log", []facts.EventKind{facts.EvNoPSK}, []facts.EventKind{facts.EvP1Complete, facts.EvP1NoProposal}},
		{"ts-v1", "b-pluto.log", []facts.EventKind{facts.EvP1Complete, facts.EvP2ProxyMismatch}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed, facts.EvP2NoProposal}},
		{"ts-v1", "a-syslog.log", []facts.EventKind{facts.EvP1Complete, facts.EvIDMismatch, facts.EvP2Retransmit}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed}},
		{"pfs-v1", "b-pluto.log", []facts.EventKind{facts.EvP1Complete, facts.EvP2PFSMismatch}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed, facts.EvP2ProxyMismatch}},
		{"id-v2", "b-pluto.log", []facts.EventKind{facts.EvP1ProposalOK, facts.EvIDMismatch}, []facts.EventKind{facts.EvP1Complete, facts.EvAuthFailed, facts.EvP1NoProposal}},
		{"id-v2", "a-syslog.log", []facts.EventKind{facts.EvP1ProposalOK, facts.EvAuthFailed}, []facts.EventKind{facts.EvP1Complete, facts.EvNoPSK}},
		{"ike-version", "b-pluto.log", []facts.EventKind{facts.EvNoPSK, facts.EvConfig}, []facts.EventKind{facts.EvP1Complete, facts.EvP1NoProposal}},
		{"psk-v2-debug", "a-syslog.log", []facts.EventKind{facts.EvP1Sent, facts.EvP1ProposalOK, facts.EvAuthFailed}, []facts.EventKind{facts.EvP1Complete, facts.EvNoPSK, facts.EvP1NoProposal, facts.EvP2ProxyMismatch}},
		{"psk-v2-debug", "b-pluto.log", []facts.EventKind{facts.EvP1ProposalOK, facts.EvAuthFailed}, []facts.EventKind{facts.EvP1Complete, facts.EvNoPSK, facts.EvP1NoProposal, facts.EvP2ProxyMismatch}},
		{"esp-proposal-v1-debug", "b-pluto.log", []facts.EventKind{facts.EvP1Complete, facts.EvP2NoProposal}, []facts.EventKind{facts.EvP1NoProposal, facts.EvAuthFailed}},
		{"missing-peer-v1", "a-syslog.log", []facts.EventKind{facts.EvP1Sent, facts.EvP1GiveUp}, []facts.EventKind{facts.EvP1Received, facts.EvP1Complete}},
	}
)

func TestLabLogs(t *testing.T) {
	for _, c := range labCases {
		t.Run(c.scenario+"/"+c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "lab", c.scenario, c.file))
			if err != nil {
				t.Fatal(err)
			}
			k := kinds(readLog(string(raw)))
			for _, w := range c.want {
				if k[w] == 0 {
					t.Errorf("no %s event", w)
				}
			}
			for _, n := range c.not {
				if k[n] > 0 {
					t.Errorf("%d %s events", k[n], n)
				}
			}
		})
	}
}

// TestLabLogGoldens: every captured log's signature hits, as a golden.
func TestLabLogGoldens(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "lab", "*", "*"))
	n := 0
	for _, f := range files {
		base := filepath.Base(f)
		if !strings.HasSuffix(base, "-up.txt") && !strings.HasSuffix(base, ".log") {
			continue
		}
		n++
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		scenario := filepath.Base(filepath.Dir(f))
		golden.JSON(t, filepath.Join("testdata", "golden", "lab", scenario+"--"+base+".golden.json"), readLog(string(raw)))
	}
	if n == 0 {
		t.Fatal("no lab logs under testdata/lab")
	}
}

// TestDebugLinesAreNoObservation: plutodebug lines dump payload and
// notify names; none of them is read as an observation.
func TestDebugLinesAreNoObservation(t *testing.T) {
	for _, l := range []string{
		`lab-a pluto[5575]: | IKE_SA_INIT response containing NO_PROPOSAL_CHOSEN notification`,
		`| responding to IKE_AUTH message with encrypted notification TS_UNACCEPTABLE`,
		`lab-a pluto[5575]: | authentication failed: computed hash does not match hash received from peer`,
	} {
		if hs := readLog(l); len(hs) > 0 {
			t.Errorf("%s: read as %v", l, hs)
		}
	}
}

// TestCorrelateInvalidID: INVALID_ID_INFORMATION after the IKE SA is up
// answers Quick Mode (the refused networks); before it, the identity.
func TestCorrelateInvalidID(t *testing.T) {
	events := func(text string) *facts.Facts {
		f := &facts.Facts{}
		for _, h := range readLog(text) {
			f.Events = append(f.Events, facts.Event{Kind: facts.EventKind(h.Kind), Vendor: facts.VendorLibreswan, Peer: h.Peer, State: h.State, Ref: facts.Ref{Line: h.Line}})
		}
		Correlate(f)
		return f
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "lab", "ts-v1", "a-syslog.log"))
	if err != nil {
		t.Fatal(err)
	}
	k := map[facts.EventKind]int{}
	for _, e := range events(string(raw)).Events {
		k[e.Kind]++
	}
	if k[facts.EvP2ProxyMismatch] == 0 || k[facts.EvIDMismatch] > 0 {
		t.Errorf("after the IKE SA: %v", k)
	}
	f := events(`lab-a pluto[1]: "lab" #1: sent Main Mode I3
lab-a pluto[1]: "lab" #1: ignoring informational payload INVALID_ID_INFORMATION, msgid=00000000, length=12`)
	if n := len(f.Events); n != 2 || f.Events[1].Kind != facts.EvIDMismatch {
		t.Errorf("before the IKE SA: %+v", f.Events)
	}
}

// TestOlderWordings: libreswan 3.x lines (from the 3.x source's format
// strings) are read as the 4.x ones are.
func TestOlderWordings(t *testing.T) {
	cases := []struct {
		line  string
		kinds []facts.EventKind
		state string
	}{
		{`pluto[812]: "vpn" #1: max number of retransmissions (2) reached STATE_MAIN_I1.  No response (or no acceptable response) to our first IKEv1 message`, []facts.EventKind{facts.EvP1GiveUp}, "STATE_MAIN_I1"},
		{`pluto[812]: "vpn" #3: max number of retransmissions (8) reached STATE_QUICK_I1.  No acceptable response to our first Quick Mode message: perhaps peer likes no proposal`, []facts.EventKind{facts.EvP2Retransmit}, "STATE_QUICK_I1"},
		{`pluto[812]: "vpn" #1: STATE_MAIN_I3: 60 second timeout exceeded after 7 retransmits.  Possible authentication failure: no acceptable response to our first encrypted message`, []facts.EventKind{facts.EvP1GiveUp}, "STATE_MAIN_I3"},
		{`pluto[812]: "vpn" #1: STATE_PARENT_I1: received unauthenticated v2N_NO_PROPOSAL_CHOSEN - ignored`, []facts.EventKind{facts.EvP1NoProposal}, "STATE_PARENT_I1"},
		{`pluto[812]: "vpn" #1: IKE SA authentication request rejected by peer: v2N_AUTHENTICATION_FAILED`, []facts.EventKind{facts.EvAuthFailed}, "IKE_AUTH"},
		{`pluto[812]: "vpn" #1: IKE SA authentication request rejected by peer: v2N_NO_PROPOSAL_CHOSEN`, []facts.EventKind{facts.EvP2NoProposal}, "IKE_AUTH"},
		{`pluto[812]: "vpn" #1: STATE_MAIN_I4: ISAKMP SA established {auth=PRESHARED_KEY cipher=aes_256 integ=sha2_256 group=MODP2048}`, []facts.EventKind{facts.EvP1Complete}, ""},
		{`pluto[812]: "vpn" #2: STATE_QUICK_I2: sent QI2, IPsec SA established tunnel mode {ESP=>0x1c8b3df9 <0x39f545f3 xfrm=AES_CBC_256-HMAC_SHA2_256_128 NATOA=none NATD=none DPD=passive}`, []facts.EventKind{facts.EvP2Complete}, ""},
		{`pluto[812]: "vpn" #2: STATE_PARENT_I3: PARENT SA established tunnel mode {ESP=>0x1c8b3df9 <0x39f545f3 xfrm=AES_GCM_C_256-NONE NATOA=none NATD=none DPD=passive}`, []facts.EventKind{facts.EvP1Complete, facts.EvP2Complete}, ""},
		{`pluto[812]: "vpn" #1: STATE_MAIN_I2: sent MI2, expecting MR2`, []facts.EventKind{facts.EvP1Received}, "STATE_MAIN_I2"},
		{`pluto[812]: "vpn" #2: liveness_check - peer 192.0.2.7 has not responded in 121 seconds, with a timeout of 120, taking action clear`, []facts.EventKind{facts.EvDPDDead}, ""},
		{`pluto[812]: "vpn" #2: DPD: No response from peer - declaring peer dead`, []facts.EventKind{facts.EvDPDDead}, ""},
		{`pluto[812]: packet from 192.0.2.7:500: initial parent SA message received on 198.51.100.1:500 but no connection has been authorized with policy=PSK+IKEV2_ALLOW`, []facts.EventKind{facts.EvNoPSK}, ""},
	}
	for _, c := range cases {
		hs := readLog(c.line)
		got := kinds(hs)
		if len(got) != len(c.kinds) {
			t.Errorf("%s: read as %v", c.line, hs)
			continue
		}
		for _, k := range c.kinds {
			if got[k] != 1 {
				t.Errorf("%s: no %s in %v", c.line, k, hs)
			}
		}
		if c.state != "" && hs[0].State != c.state {
			t.Errorf("%s: state %q", c.line, hs[0].State)
		}
	}
}

// TestCertificateLines: pluto's certificate refusals (lines from the
// shared lab's captures, diagnose/testdata/lab) and what Correlate makes
// of a connection that did not load for its own certificate.
func TestCertificateLines(t *testing.T) {
	for _, l := range []string{
		`"kestrel-osprey" #1: NSS: ERROR: IPsec certificate CN=osprey.vpn.example,O=Osprey Kestrel Lab,C=XX invalid: SEC_ERROR_EXPIRED_CERTIFICATE: Peer's Certificate has expired.`,
		`"kestrel-osprey" #1: NSS: end certificate invalid`,
		`"kestrel-osprey" #1: X509: certificate rejected for this connection`,
		`"kestrel-osprey" #3: X509: certificate payload rejected for this connection`,
		`"osprey-kestrel": failed to add connection: left certificate 'east' is expired or not yet valid`,
	} {
		if k := kinds(readLog(l)); len(k) != 1 || k[facts.EvCertInvalid] != 1 {
			t.Errorf("%s: %v", l, k)
		}
	}
	f := &facts.Facts{}
	for _, h := range readLog(`"osprey-kestrel": failed to add connection: left certificate 'east' is expired or not yet valid
packet from 198.18.73.5:500: initial Main Mode message received but no connection has been authorized with authby=RSASIG and xauth=no`) {
		f.Events = append(f.Events, facts.Event{Kind: facts.EventKind(h.Kind), Vendor: facts.VendorLibreswan, State: h.State, Peer: h.Peer})
	}
	Correlate(f)
	if len(f.Events) != 2 || f.Events[1].Kind != facts.EvCertInvalid {
		t.Errorf("no connection for a refused certificate: %+v", f.Events)
	}
}

// TestNATLines: NAT detection is only in plutodebug lines; an IKEv2
// IKE_AUTH left unanswered after IKE_SA_INIT was answered is a NAT-T
// problem, not a key mismatch (a responder refuses a bad key out loud).
func TestNATLines(t *testing.T) {
	if k := kinds(readLog(`| NAT_TRAVERSAL this end is behind NAT`)); k[facts.EvNATDetected] != 1 {
		t.Errorf("behind NAT: %v", k)
	}
	f := &facts.Facts{}
	for _, h := range readLog(`"lab" #1: sent IKE_SA_INIT request to 198.18.44.2:500
"lab" #1: sent IKE_AUTH request {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 group=MODP2048}
"lab" #1: STATE_V2_PARENT_I2: retransmission; will wait 0.5 seconds for response
"lab" #1: STATE_V2_PARENT_I2: retransmission; will wait 1 seconds for response`) {
		f.Events = append(f.Events, facts.Event{Kind: facts.EventKind(h.Kind), Vendor: facts.VendorLibreswan, State: h.State, Ref: facts.Ref{Line: h.Line}})
	}
	Correlate(f)
	if k := kindsOf(f); k[facts.EvNATTProblem] != 1 {
		t.Errorf("IKE_AUTH unanswered: %v", k)
	}
}

func kindsOf(f *facts.Facts) map[facts.EventKind]int {
	k := map[facts.EventKind]int{}
	for _, e := range f.Events {
		k[e.Kind]++
	}
	return k
}

// TestProposalComparisons: lines from the shared lab's libreswan
// responders (diagnose/testdata/lab/sw-lw): a CHILD SA refused because
// PFS is on one side only, and a Quick Mode whose networks are not the
// connection's.
func TestProposalComparisons(t *testing.T) {
	correlated := func(text string) map[facts.EventKind]int {
		f := &facts.Facts{}
		for _, h := range readLog(text) {
			f.Events = append(f.Events, facts.Event{Kind: facts.EventKind(h.Kind), Vendor: facts.VendorLibreswan, State: h.State, Detail: h.Detail, Ref: facts.Ref{Line: h.Line}})
		}
		Correlate(f)
		return kindsOf(f)
	}
	pfs := correlated(`"osprey-kestrel" #2: Child SA proposals (new child):
"osprey-kestrel" #2:   1:ESP=AES_CBC_256-HMAC_SHA2_256_128-ENABLED+DISABLED
"osprey-kestrel" #2: no local proposal matches remote proposals 1:ESP:ENCR=AES_CBC_256;INTEG=HMAC_SHA2_256_128;DH=MODP2048;ESN=DISABLED`)
	if pfs[facts.EvP2PFSMismatch] != 1 {
		t.Errorf("PFS on one side: %v", pfs)
	}
	esp := correlated(`"osprey-kestrel" #2:   1:ESP=AES_CBC_128-HMAC_SHA1_96-ENABLED+DISABLED
"osprey-kestrel" #2: no local proposal matches remote proposals 1:ESP:ENCR=AES_CBC_256;INTEG=HMAC_SHA2_256_128;ESN=DISABLED`)
	if esp[facts.EvP2PFSMismatch] != 0 || esp[facts.EvP2NoProposal] != 1 {
		t.Errorf("ESP only: %v", esp)
	}
	ts := correlated(`"osprey-kestrel" #1: the peer proposed: 172.29.203.0/24 -<all>-> 100.71.8.0/24
"osprey-kestrel" #2: responding to Quick Mode proposal {msgid:7747e585}
"osprey-kestrel" #2:     us: 172.29.203.0/24===198.19.214.9[@osprey.vpn.example]  them: 198.18.73.5[@kestrel.vpn.example]===100.71.9.0/24`)
	if ts[facts.EvP2ProxyMismatch] != 1 {
		t.Errorf("other networks: %v", ts)
	}
	same := correlated(`"lab" #1: the peer proposed: 10.62.7.0/24 -<all>-> 10.61.7.0/24
"lab" #2:     us: 10.62.7.0/24===198.18.44.2  them: 198.18.44.1===10.61.7.0/24`)
	if same[facts.EvP2ProxyMismatch] != 0 {
		t.Errorf("the same networks: %v", same)
	}
}

// TestNewerWordings: libreswan 5 lines, as its source (5.4) formats them:
// the exchange retransmitted is named, IKE_SA_INIT's answer is
// "processed", and the IKE_AUTH initiator state is STATE_V2_IKE_AUTH_I.
func TestNewerWordings(t *testing.T) {
	cases := []struct {
		line  string
		kind  facts.EventKind
		state string
	}{
		{`"lab" #1: retransmitting IKE_SA_INIT request; will wait 500ms for response`, facts.EvP1Retransmit, "IKE_SA_INIT"},
		{`"lab" #1: retransmitting IKE_AUTH request; will wait 1s for response`, facts.EvP1Retransmit, "IKE_AUTH"},
		{`"lab" #3: retransmitting CREATE_CHILD_SA request; will wait 2s for response`, facts.EvP2Retransmit, "CREATE_CHILD_SA"},
		{`"lab" #1: STATE_V2_IKE_SA_INIT_I: 10 second timeout exceeded after 5 retransmits.  No response (or no acceptable response) to our first IKEv2 message`, facts.EvP1GiveUp, "STATE_V2_IKE_SA_INIT_I"},
		{`"lab" #1: processed IKE_SA_INIT response from 198.18.44.2:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 group=DH19}, initiating IKE_AUTH`, facts.EvP1ProposalOK, "IKE_SA_INIT"},
		{`"lab" #1: sent IKE_SA_INIT response to 198.18.44.1:UDP/500 {cipher=AES_GCM_16_256 integ=n/a prf=HMAC_SHA2_512 group=DH19}, expecting IKE_AUTH request`, facts.EvP1ProposalOK, "IKE_SA_INIT"},
	}
	for _, c := range cases {
		hs := readLog(c.line)
		if len(hs) != 1 || hs[0].Kind != string(c.kind) || hs[0].State != c.state {
			t.Errorf("%s: read as %+v", c.line, hs)
		}
	}
}

package gateways

import (
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Vendors read by their logs only.
const (
	VendorMikroTik facts.Vendor = "mikrotik"
	VendorHuawei   facts.Vendor = "huawei"
	VendorZyXEL    facts.Vendor = "zyxel"
	VendorComware  facts.Vendor = "comware"
	VendorAWS      facts.Vendor = "aws"
)

// optPeer matches any line and names the peer when the line has the
// address after prefix (a regexp), so that a line cut short by a log
// collector still gives its event.
func optPeer(prefix string) string { return `^.*?(?:` + prefix + `{ip}|$)` }

// ---- Junos kmd syslog ----

// junosKmdSignatures: the key management process's syslog lines. The
// "IKE negotiation ..." and "IPSec negotiation ..." forms name the error,
// the IKE version, the VPN and "Remote: ADDR/PORT"; "IKE" is the IKE SA,
// "IPSec" the IPsec SA. Wording as in the SRX system logs of
// https://github.com/elastic/integrations/blob/main/packages/juniper_srx/data_stream/log/_dev/test/pipeline/test-system.log
// (KMD_PM_SA_ESTABLISHED, "IKE negotiation failed with error: Timed out.",
// "IKE negotiation successfully completed.", "IPSec negotiation failed
// with error: Peer proposed traffic-selectors are not in configured
// range."); "Authentication failed" as the log-match example of
// https://github.com/tmunzer/mist_ws_remote_logs quotes the message;
// "No proposal chosen" is the message naming RFC 2408's NO-PROPOSAL-CHOSEN
// (no public capture of it was found to quote); the VPN up/down alarms as
// the Junos kmd patterns of https://github.com/cfiske/logparse match them
// ("KMD_VPN_DOWN_ALARM_USER: VPN X from ADDR is down.").
var junosKmdSignatures = []facts.Signature{
	{ID: "junos/ike-no-proposal", Anchor: "IKE negotiation failed with error: No proposal chosen", Re: re(optPeer(`Remote: `)), Event: facts.EvP1NoProposal},
	{ID: "junos/ike-auth-failed", Anchor: "IKE negotiation failed with error: Authentication failed", Re: re(optPeer(`Remote: `)), Event: facts.EvAuthFailed},
	{ID: "junos/ike-timed-out", Anchor: "IKE negotiation failed with error: Timed out", Re: re(optPeer(`Remote: `)), Event: facts.EvP1GiveUp},
	{ID: "junos/ike-completed", Anchor: "IKE negotiation successfully completed", Re: re(optPeer(`Remote: `)), Event: facts.EvP1Complete},
	{ID: "junos/ipsec-ts-not-in-range", Anchor: "IPSec negotiation failed with error: Peer proposed traffic-selectors are not in configured range", Re: re(optPeer(`Remote: `)), Event: facts.EvP2ProxyMismatch},
	{ID: "junos/sa-established", Anchor: "KMD_PM_SA_ESTABLISHED", Re: re(optPeer(`(?:Remote gateway: |remote-address=")`)), Event: facts.EvP2Complete},
	{ID: "junos/vpn-up", Anchor: "KMD_VPN_UP_ALARM_USER", Re: re(optPeer(`from `)), Event: facts.EvP2Complete},
	{ID: "junos/vpn-down", Anchor: "KMD_VPN_DOWN_ALARM_USER", Re: re(optPeer(`from `)), Event: facts.EvTunnelDown},
}

func isJunosKmdLine(line string) bool {
	return strings.Contains(line, "kmd") || strings.Contains(line, "KMD_") ||
		strings.Contains(line, "IKE negotiation ") || strings.Contains(line, "IPSec negotiation ")
}

// ---- PAN-OS system log ----

// panosSignatures: the system log's IKE lines, in the wording of the
// PAN-OS "Interpret VPN Error Messages" table as
// https://www.paloaltofirewalls.com/topics/troubleshooting/ipsec/TestVPNConnectivity-1.html
// reproduces it ("IKE phase-1 negotiation is failed as initiator, main
// mode. Failed SA: x.x.x.x[500]-y.y.y.y[500] cookie:...:0000000000000000
// due to timeout." and "IKE phase 1 negotiation is failed. Couldn't find
// configuration for IKE phase-1 request for peer IP x.x.x.x[1929]").
var panosSignatures = []facts.Signature{
	{ID: "panos/p1-timeout", Anchor: "negotiation is failed as initiator", Re: re(`(?i)IKE phase-1 negotiation is failed as initiator.*Failed SA: \S+?\[\d+\]-{ip}\[\d+\].*due to timeout`), Event: facts.EvP1GiveUp},
	{ID: "panos/p1-no-config", Anchor: "find configuration for IKE phase-1 request for peer IP", Re: re(`peer IP {ip}`), Event: facts.EvNoPSK},
}

func isPANOSLine(line string) bool {
	return strings.Contains(line, "IKE phase-1 negotiation") || strings.Contains(line, "IKE phase 1 negotiation")
}

// ---- FortiOS event log and `diagnose debug application ike -1` ----

// fortiIKESignatures: the pre-shared key message is in the event log
// ('msg="Negotiate SA Error: probable pre-shared secret mismatch"', with
// rem_ip= or remip=) and in the IKE debug, as
// https://community.fortinet.com/t5/FortiGate/Technical-Note-Configuring-more-than-one-Main-Mode-Pre-Shared/ta-p/194213
// shows it. The proposal lines are the IKE debug's ("no SA proposal
// chosen": https://techmatrix.ai/troubleshoot/fortigate-ipsec-vpn-tunnel-down;
// "ike 0:TUN:1234: no suitable proposal found":
// https://infrarunbook.com/article/fortigate-ipsec-vpn-tunnel-down); they
// do not say which phase, so the context decides it.
var fortiIKESignatures = []facts.Signature{
	{ID: "fortios/psk-mismatch", Anchor: "probable pre-shared secret mismatch", Re: re(optPeer(`rem_?ip="?`)), Event: facts.EvAuthFailed},
	{ID: "fortios/no-sa-proposal", Anchor: "no SA proposal chosen", Event: facts.EvNoProposalNotify},
	{ID: "fortios/no-suitable-proposal", Anchor: "no suitable proposal found", Event: facts.EvNoProposalNotify},
	// 37138 MESGID_CONN_UPDOWN, "IPsec connection status changed"
	// (https://docs.fortinet.com/document/fortiproxy/7.0.12/log-message-reference/37138),
	// with action="tunnel-up" / "tunnel-down" as FortiOS event logs print
	// the VPN tunnel's state.
	{ID: "fortios/ipsec-tunnel-up", Anchor: `action="tunnel-up"`, Re: re(`logid="?0101037138"?.*action="tunnel-up".*?(?:remip={ip}|$)`), Event: facts.EvP2Complete},
	{ID: "fortios/ipsec-tunnel-down", Anchor: `action="tunnel-down"`, Re: re(`logid="?0101037138"?.*action="tunnel-down".*?(?:remip={ip}|$)`), Event: facts.EvTunnelDown},
}

// isFortiIKELine: an IKE debug line ("ike 0:..."), or an event log line
// of the VPN or IPsec subtype.
func isFortiIKELine(line string) bool {
	// the IKE debug: "ike 0:vpn1:22: ...", "ike 0: comes ..." (a VDOM
	// number after "ike "; "ike esp from ..." is OpenBSD configuration)
	s := strings.TrimLeft(line, " \t")
	if len(s) > 4 && strings.HasPrefix(s, "ike ") && s[4] >= '0' && s[4] <= '9' {
		return true
	}
	return (strings.Contains(line, "log_id=") || strings.Contains(line, "logid=")) &&
		(strings.Contains(line, "subtype=vpn") || strings.Contains(line, `subtype="vpn"`) || strings.Contains(line, "subtype=ipsec") || strings.Contains(line, `subtype="ipsec"`))
}

// ---- MikroTik RouterOS log (topics ipsec, ipsec,info, ipsec,error) ----

// mikrotikSignatures: RouterOS's IKEv1 daemon lines as RouterOS logs
// print them. "ADDR parsing packet failed, possible cause: wrong password",
// "phase1 negotiation failed due to time up LOCAL[500]<=>REMOTE[500]" and
// "no suitable proposal found" as a RouterOS administrator recorded them
// (https://github.com/Onoro/Mikrotik, README "Scripts for L2TP
// protection"); "initiate new phase 1 (Identity Protection):
// LOCAL[500]<=>REMOTE[500]" from a RouterOS log (https://pastebin.com/6TRwKsNG).
// "no suitable proposal found" does not say the phase; the negotiation
// it belongs to does: "initiate new phase 1", or racoon's "initiate new
// phase 2 negotiation" / "respond new phase 2 negotiation: A[500]<=>B[500]"
// (racoon logs: https://pastebin.com/3xTPYbEp, https://pastebin.com/D2ziMtXE),
// which the IKEv1 daemon of RouterOS, of racoon's lineage, is taken to
// share.
var mikrotikSignatures = []facts.Signature{
	{ID: "mikrotik/ph1-time-up", Anchor: "phase1 negotiation failed due to time up", Re: re(optPeer(`<=>\s*`)), Event: facts.EvP1GiveUp},
	{ID: "mikrotik/wrong-password", Anchor: "parsing packet failed, possible cause: wrong password", Re: re(`^.*?(?:{ip}\s+parsing packet failed|$)`), Event: facts.EvAuthFailed},
	{ID: "mikrotik/no-suitable-proposal", Anchor: "no suitable proposal found", Event: facts.EvNoProposalNotify},
	{ID: "mikrotik/new-phase1", Anchor: "initiate new phase 1", Event: facts.EvContextP1},
	{ID: "mikrotik/new-phase2", Anchor: "new phase 2 negotiation", Event: facts.EvContextP2},
}

// isMikroTikLine: a line of the ipsec topics ("ipsec,error ...", or
// "ipsec ..." alone or after the time `/log print` prints), or one of the
// daemon's own failure wordings.
func isMikroTikLine(line string) bool {
	// "13:42:46 ipsec initiate new phase 1 ...": the topic after the
	// log's time ("ipsec ike pre-shared-key" alone is Yamaha configuration)
	s := strings.TrimLeft(line, " \t")
	timed := len(s) > 9 && s[2] == ':' && s[5] == ':' && s[8] == ' '
	return timed && strings.HasPrefix(s[9:], "ipsec ") || strings.Contains(line, "ipsec,") ||
		strings.Contains(line, "parsing packet failed, possible cause") || strings.Contains(line, "phase1 negotiation failed due to time up")
}

// ---- Huawei VRP IPSEC/4/IPSECNEGOFAIL ----

// huaweiSignatures: "IPSEC/4/IPSECNEGOFAIL: OID [OID] IPSec tunnel
// negotiation fails. (Ifindex=..., SeqNum=..., Reason=..., ReasonCode=...,
// PeerAddress=..., PeerPort=..., ...)", with the reasons Huawei lists in
// https://support.huaweicloud.com/intl/en-us/moredocuments-qiankuncs/alarm_detail_278561516_303046756.html
// and, per attribute, in
// https://support.huaweicloud.com/intl/en-us/moredocuments-qiankuncs/alarm_detail_100000_15795028.html
// ("phase1 proposal dh mismatch" ...).
var huaweiSignatures = []facts.Signature{
	{ID: "huawei/phase1-proposal", Anchor: "Reason=phase1 proposal", Re: re(`Reason=phase1 proposal[^,]*mismatch` + optPeerAfter), Event: facts.EvP1NoProposal},
	{ID: "huawei/phase2-proposal", Anchor: "Reason=phase2 proposal or pfs mismatch", Re: re(optPeerAfter), Event: facts.EvP2NoProposal},
	{ID: "huawei/flow-mismatch", Anchor: "Reason=flow or peer mismatch", Re: re(optPeerAfter), Event: facts.EvP2ProxyMismatch},
	{ID: "huawei/auth-fail", Anchor: "Reason=authentication fail", Re: re(optPeerAfter), Event: facts.EvAuthFailed},
	{ID: "huawei/version-mismatch", Anchor: "Reason=version mismatch", Re: re(optPeerAfter), Event: facts.EvVersionMismatch},
	// "IPSEC-VPN/4/IPSECTUNNELSTART: OID [oid] The IPSec tunnel is
	// established. (Ifindex=..., SeqNum=..., TunnelIndex=..., RuleNum=...,
	// DstIP=..., ...)": https://support.huawei.com/enterprise/en/doc/EDOC1100127008/8be225cc/ipsec
	{ID: "huawei/tunnel-start", Anchor: "The IPSec tunnel is established", Re: re(`(?:.*?DstIP={ip})?`), Event: facts.EvP2Complete},
}

// optPeerAfter names the alarm's PeerAddress when the line has it.
const optPeerAfter = `(?:.*?PeerAddress={ip})?`

func isHuaweiLine(line string) bool {
	return strings.Contains(line, "IPSECNEGOFAIL") || strings.Contains(line, "IPSec tunnel negotiation fails") ||
		strings.Contains(line, "IPSECTUNNELSTART") || strings.Contains(line, "The IPSec tunnel is established")
}

// ---- ZyXEL ZyNOS IPSec log ----

// zyxelSignatures: the IKE key exchange log of the ZyXEL Prestige user's
// guides (http://office.manualsonline.com/manuals/mfg/zyxel_communications/prestige_650_series.html?p=200,
// "Sample IKE Key Exchange Logs"): "!! No proposal chosen" for phase 1 or
// phase 2 (the negotiation it is in decides which), "!! Verifying Remote
// ID failed" / "!! Verifying Local ID failed" in phase 2 when the local
// and remote address ranges differ, "Phase 1 IKE SA process done",
// "Start Phase 2: Quick Mode" and "Send/Recv Main Mode request to/from
// <IP>", which also names the peer of the lines after it.
var zyxelSignatures = []facts.Signature{
	{ID: "zyxel/mode-request", Anchor: "Mode request ", Event: facts.EvContextP1},
	{ID: "zyxel/p1-done", Anchor: "Phase 1 IKE SA process done", Event: facts.EvP1Complete},
	{ID: "zyxel/start-p2", Anchor: "Start Phase 2: Quick Mode", Event: facts.EvContextP2},
	{ID: "zyxel/no-proposal", Anchor: "No proposal chosen", Event: facts.EvNoProposalNotify},
	{ID: "zyxel/remote-id", Anchor: "Verifying Remote ID failed", Event: facts.EvP2ProxyMismatch},
	{ID: "zyxel/local-id", Anchor: "Verifying Local ID failed", Event: facts.EvP2ProxyMismatch},
}

func isZyXELLine(line string) bool {
	s := strings.TrimLeft(line, " \t")
	return strings.HasPrefix(s, "!! ") || strings.Contains(line, "Phase 1 IKE SA process done") || strings.Contains(line, "Start Phase 2: Quick Mode") ||
		strings.Contains(line, " Mode request to ") || strings.Contains(line, " Mode request from ") ||
		strings.Contains(line, "Verifying Remote ID failed") || strings.Contains(line, "Verifying Local ID failed")
}

// ---- H3C / HPE Comware IKE debugging ----

// comwareSignatures: the IKE debugging lines Comware's troubleshooting
// sections quote. Comware 5 ("got NOTIFY of type NO_PROPOSAL_CHOSEN" or
// "drop message from A.B.C.D due to notification type
// NO_PROPOSAL_CHOSEN", the same two for INVALID_ID_INFORMATION, where the
// IPsec policies' ACLs are not mirror images):
// https://www.manualshelf.com/manual/hp/hp-hsr68xx-configure-to-order-router-solution/r3303-hp-hsr6800-routers-security-configuration-guide/page-317.html
// and https://azmanual.top/manuals/795507/h3c-technologies-h3c-secpath-f1000-e.html?page=181;
// Comware 7 ("Notification INVALID_ID_INFORMATION is received." or
// "Construct notification packet: INVALID_ID_INFORMATION." once the IKE
// SA is up and the IPsec SA is not):
// https://support.hpe.com/techhub/eginfolib/networking/docs/switches/5950/5200-4026_security_cg/content/499796251.htm.
// A NO_PROPOSAL_CHOSEN does not say its phase; the exchange does.
var comwareSignatures = []facts.Signature{
	{ID: "comware/got-notify-no-proposal", Anchor: "got NOTIFY of type NO_PROPOSAL_CHOSEN", Event: facts.EvNoProposalNotify},
	{ID: "comware/drop-no-proposal", Anchor: "due to notification type NO_PROPOSAL_CHOSEN", Re: re(optPeer(`drop message from `)), Event: facts.EvNoProposalNotify},
	{ID: "comware/got-notify-invalid-id", Anchor: "got NOTIFY of type INVALID_ID_INFORMATION", Event: facts.EvP2ProxyMismatch},
	{ID: "comware/drop-invalid-id", Anchor: "due to notification type INVALID_ID_INFORM", Re: re(optPeer(`drop message from `)), Event: facts.EvP2ProxyMismatch},
	{ID: "comware/invalid-id-received", Anchor: "Notification INVALID_ID_INFORMATION is received", Event: facts.EvP2ProxyMismatch},
	{ID: "comware/invalid-id-sent", Anchor: "Construct notification packet: INVALID_ID_INFORMATION", Event: facts.EvP2ProxyMismatch},
}

func isComwareLine(line string) bool {
	return strings.Contains(line, "got NOTIFY of type ") || strings.Contains(line, "due to notification type ") ||
		strings.Contains(line, "Notification INVALID_ID_INFORMATION") || strings.Contains(line, "Construct notification packet: ")
}

// ---- AWS Site-to-Site VPN tunnel activity log ----

// awsSignatures: the IKEv1 error messages of the tunnel activity log's
// VpnLogDetail, as https://docs.aws.amazon.com/vpn/latest/s2svpn/log-contents.html
// lists them and what they mean (a proposal AWS does not support is phase
// 1; "Notifying with "No proposal chosen"" is phase 2).
var awsSignatures = []facts.Signature{
	{ID: "aws/dpd-dead", Anchor: "Peer is not responsive - Declaring peer dead", Event: facts.EvDPDDead},
	{ID: "aws/psk", Anchor: "payload decryption was unsuccessful due to invalid Pre-shared Key", Event: facts.EvAuthFailed},
	{ID: "aws/p1-no-proposal", Anchor: "No Proposal Match Found by AWS", Event: facts.EvP1NoProposal},
	{ID: "aws/p2-no-proposal", Anchor: "No Proposal Match Found. Notifying with", Event: facts.EvP2NoProposal},
}

func isAWSLine(line string) bool {
	return strings.Contains(line, "VpnLogDetail") || strings.Contains(line, "AWS tunnel") || strings.Contains(line, "No Proposal Match Found") ||
		strings.Contains(line, "Declaring peer dead")
}

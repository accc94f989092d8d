// Package corpuscheck compares the facts a vendor parser produced with the
// parsed expectations shipped beside the public corpus fixtures
// (shared/corpus/public/<vendor>/<command>/<source>_<n>.expected.json). It
// is test support for packages ios and asa: pure (no file access; the
// tests read the files), and not imported by the engine.
//
// Fields compared, per expectation kind (every other field of the
// expectation is one the facts model has no place for):
//
//   - isakmp_sa: af, dst+src (as the {Local, Peer} pair: the plain table
//     does not say which end is local), state, conn_id, status (without
//     "(deleted)"), deleted. Left out: slot.
//   - isakmp_sa_detail: af, conn_id, local, remote, status, encr, hash,
//     auth, dh_group, lifetime, capabilities (as DPD = has "D"). Left out:
//     ivrf, engine_id, engine_conn_id.
//   - ikev2_sa (matched by tunnel_id): af, local, remote (address without
//     port), status, role, initiator (as Role), encryption, hash, dh_group,
//     auth_sign/auth_verify, life_time/active_time. Left out: fvrf, ivrf,
//     keysize, prf, session_id, local_spi, remote_spi, local_id, remote_id,
//     status_description, nat_t, pqc, session_status, ike_count,
//     child_sa_count, child_sas.
//   - ipsec_sa: interface, crypto_map_tag, local_addr, peer, port,
//     local_ident, remote_ident, pkts_encaps/encrypt/digest/decaps/decrypt/
//     verify, send_errors, recv_errors, replay_failed, verify_failed,
//     no_sa_send, invalid_sa_recv, encaps_failed, decaps_failed,
//     local_endpoint, remote_endpoint, pfs, dh_group, path_mtu,
//     current_outbound_spi, inbound_spi, outbound_spi,
//     inbound_transform/outbound_transform (against Transforms). Left out:
//     plaintext_mtu, inbound/outbound_sa_status, internal_err_send/recv,
//     invalid_identity_recv, invalid_prot_recv, dynamic_peer, seq,
//     current_inbound_spi.
//   - crypto_session: interface, session_status, peer, port,
//     ike_sas[].status (as IKEState), ike_sas[].capabilities (as IKECaps),
//     ipsec_flows count, flow text (or permit/src_host/dst_host within
//     it), active_sas, pkts_decrypted, pkts_encrypted, in_drop, out_drop.
//     Left out: profile, uptime, fvrf, ivrf, desc, phase1_id, session_id,
//     user_name, group, assigned_address, ike_sas local/remote/ports/
//     conn_id/lifetime/version, in/out life KB and seconds.
//   - crypto_map: tag, seq, peers, acl, pfs, lifetime_kb, lifetime_sec,
//     transform_sets (names), interfaces (and InterfacesShown). Left out:
//     af, type, current_peer, ikev2_profile, responder_only, dualstack,
//     other.*, the transforms inside each set.
//   - isakmp_sa_asa: seq (as ConnID), peer, role, state, encryption, hash,
//     auth, lifetime. Left out: type, rekey.
//   - records of `show vpn-sessiondb detail l2l`: per connection, the peer
//     (connection, or ip_address when connection is empty or not an
//     address), IKE record present (as IKEState Active), udp_dst_port (as
//     Port), the IPsec records in order as Flows: local/remote
//     network+mask within the flow text, packets_received (as
//     PktsDecrypted), packets_transmitted (as PktsEncrypted). Left out:
//     every login/duration/rekey/idle/encryption/hashing/bytes/NAC field.
//   - records of ASA `show running-config [all] crypto map` (matched by
//     map and seq): peer (as Peers), matched_address (as ACL), transform /
//     ikev1_transform_set (as TransformSets), pfs (as PFSGroup), sa /
//     sa_sec / sa_kb (within Lifetime), interface (within Interfaces).
//     Left out: ike, connection_type, ikev1_phase1_mode, ikev2_mode,
//     tfc_packets; records of a dynamic-map reference (isakmp_dynamic)
//     are skipped: the model has no field for it and no entry is made.
//   - records of ASA `show running-config crypto ikev1` (by policy_id):
//     auth_method, encryption, auth_algorithm (as Hash), dh_group (as
//     Group, "group 5" = "5"), lifetime. Left out: ike_version.
//   - records of ASA `show running-config ipsec` (by name): encryption
//     and auth lists together against Transforms (as sets). Left out:
//     ike_version.
package corpuscheck

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tunneldoc/tunneldoc/diagnose/facts"
)

// Entry is one decoded expectation entry.
type Entry = map[string]any

// Result is the outcome of one comparison.
type Result struct {
	Fields   int      // fields compared
	Mismatch []string // human-readable differences
}

func (r *Result) eq(what string, want, got any) {
	r.Fields++
	ws, gs := fmt.Sprint(want), fmt.Sprint(got)
	if ws != gs {
		r.Mismatch = append(r.Mismatch, fmt.Sprintf("%s: want %q, got %q", what, ws, gs))
	}
}

func (r *Result) fail(format string, a ...any) {
	r.Mismatch = append(r.Mismatch, fmt.Sprintf(format, a...))
}

// Kinds lists the expectation kinds Compare understands.
var Kinds = map[string]bool{
	"isakmp_sa": true, "isakmp_sa_detail": true, "ikev2_sa": true, "ipsec_sa": true,
	"crypto_session": true, "crypto_map": true, "isakmp_sa_asa": true, "records": true,
}

// RecordsMapped reports whether Compare maps ntc-templates records of this
// command onto facts.
func RecordsMapped(command string) bool {
	return strings.Contains(command, "vpn-sessiondb") && strings.Contains(command, "l2l") ||
		strings.Contains(command, "crypto map") ||
		strings.HasPrefix(command, "show running-config crypto ikev1") ||
		strings.HasPrefix(command, "show running-config ipsec")
}

// Compare checks f against the entries of one expectation file.
func Compare(kind, command string, entries []Entry, f *facts.Facts) Result {
	var r Result
	switch kind {
	case "isakmp_sa":
		isakmp(&r, entries, f.IKESAs)
	case "isakmp_sa_detail":
		isakmpDetail(&r, entries, f.IKESAs)
	case "ikev2_sa":
		ikev2(&r, entries, f.IKESAs)
	case "ipsec_sa":
		ipsec(&r, entries, f.IPsecSAs)
	case "crypto_session":
		session(&r, entries, f.Sessions)
	case "crypto_map":
		cryptoMap(&r, entries, f.CryptoMaps)
	case "isakmp_sa_asa":
		isakmpASA(&r, entries, f.IKESAs)
	case "records":
		switch {
		case strings.Contains(command, "vpn-sessiondb") && strings.Contains(command, "l2l"):
			vpnSessionDB(&r, entries, f.Sessions)
		case strings.Contains(command, "crypto map"):
			cryptoMapRecords(&r, entries, f.CryptoMaps)
		case strings.HasPrefix(command, "show running-config crypto ikev1"):
			policyRecords(&r, entries, f.Policies)
		case strings.HasPrefix(command, "show running-config ipsec"):
			transformRecords(&r, entries, f.TransformSets)
		default:
			r.fail("records of %q are not mapped", command)
		}
	default:
		r.fail("kind %q not handled", kind)
	}
	return r
}

func str(e Entry, k string) (string, bool) {
	v, ok := e[k]
	if !ok || v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return fmt.Sprint(v), true
}

func num(e Entry, k string) (int64, bool) {
	s, ok := str(e, k)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func list(e Entry, k string) ([]string, bool) {
	v, ok := e[k].([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(v))
	for _, x := range v {
		out = append(out, fmt.Sprint(x))
	}
	return out, true
}

func host(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '/'); i > 0 {
		if _, err := strconv.Atoi(s[i+1:]); err == nil {
			return s[:i]
		}
	}
	return s
}

func isakmp(r *Result, entries []Entry, got []facts.IKESA) {
	if len(got) != len(entries) {
		r.fail("isakmp_sa: want %d SAs, got %d", len(entries), len(got))
		return
	}
	for i, e := range entries {
		g := got[i]
		p := fmt.Sprintf("[%d].", i)
		if v, ok := str(e, "af"); ok {
			r.eq(p+"af", v, g.AF)
		}
		dst, _ := str(e, "dst")
		src, _ := str(e, "src")
		r.Fields++
		if !(g.Peer == dst && g.Local == src || g.Peer == src && g.Local == dst) {
			r.fail(p+"dst/src: want {%s,%s}, got local %q peer %q", dst, src, g.Local, g.Peer)
		}
		if v, ok := str(e, "state"); ok {
			r.eq(p+"state", v, g.State)
		}
		if v, ok := num(e, "conn_id"); ok {
			r.eq(p+"conn_id", v, g.ConnID)
		}
		if v, ok := str(e, "status"); ok {
			r.eq(p+"status", v, strings.TrimSpace(strings.Replace(g.Status, "(deleted)", "", 1)))
		}
		del, _ := e["deleted"].(bool)
		r.eq(p+"deleted", del, g.Deleted)
	}
}

func isakmpDetail(r *Result, entries []Entry, got []facts.IKESA) {
	if len(got) != len(entries) {
		r.fail("isakmp_sa_detail: want %d SAs, got %d", len(entries), len(got))
		return
	}
	for i, e := range entries {
		g := got[i]
		p := fmt.Sprintf("[%d].", i)
		for _, c := range []struct {
			k string
			v any
		}{{"af", g.AF}, {"conn_id", g.ConnID}, {"local", g.Local}, {"remote", g.Peer}, {"status", g.Status},
			{"encr", g.Encr}, {"hash", g.Hash}, {"auth", g.Auth}, {"dh_group", g.DH}, {"lifetime", g.Lifetime}} {
			if v, ok := str(e, c.k); ok {
				r.eq(p+c.k, v, c.v)
			}
		}
		if v, ok := str(e, "capabilities"); ok {
			r.eq(p+"capabilities(D)", strings.Contains(v, "D"), g.DPD)
		}
	}
}

func ikev2(r *Result, entries []Entry, got []facts.IKESA) {
	if len(got) != len(entries) {
		r.fail("ikev2_sa: want %d SAs, got %d", len(entries), len(got))
		return
	}
	byID := map[int]facts.IKESA{}
	for _, g := range got {
		byID[g.ConnID] = g
	}
	for i, e := range entries {
		id, _ := num(e, "tunnel_id")
		g, ok := byID[int(id)]
		p := fmt.Sprintf("[tunnel %d].", id)
		r.Fields++
		if !ok {
			r.fail("entry %d: no SA with tunnel id %d", i, id)
			continue
		}
		if v, ok := str(e, "af"); ok {
			r.eq(p+"af", v, g.AF)
		}
		if v, ok := str(e, "local"); ok {
			r.eq(p+"local", host(v), g.Local)
		}
		if v, ok := str(e, "remote"); ok {
			r.eq(p+"remote", host(v), g.Peer)
		}
		if v, ok := str(e, "status"); ok {
			r.eq(p+"status", v, g.State)
		}
		if v, ok := str(e, "role"); ok {
			r.eq(p+"role", strings.ToLower(v), g.Role)
		}
		if v, ok := str(e, "initiator"); ok {
			want := "responder"
			if strings.EqualFold(v, "yes") {
				want = "initiator"
			}
			r.eq(p+"initiator", want, g.Role)
		}
		if v, ok := str(e, "encryption"); ok {
			r.eq(p+"encryption", v, g.Encr)
		}
		if v, ok := str(e, "hash"); ok {
			r.eq(p+"hash", strings.ToLower(v), strings.ToLower(g.Hash))
		}
		if v, ok := str(e, "dh_group"); ok {
			r.eq(p+"dh_group", v, g.DH)
		}
		if v, ok := str(e, "auth_sign"); ok {
			want := v
			if av, ok := str(e, "auth_verify"); ok && !strings.EqualFold(av, v) {
				want += "/" + av
			}
			r.eq(p+"auth", want, g.Auth)
		}
		lt, ok1 := str(e, "life_time")
		at, ok2 := str(e, "active_time")
		if ok1 && ok2 {
			r.eq(p+"life/active", lt+"/"+at, strings.TrimSuffix(strings.TrimSpace(g.Lifetime), " sec"))
		}
	}
}

func counterOf(c facts.Counters, k string) (int64, bool) {
	switch k {
	case "pkts_encaps":
		return c.Encaps, true
	case "pkts_encrypt":
		return c.Encrypt, true
	case "pkts_digest":
		return c.Digest, true
	case "pkts_decaps":
		return c.Decaps, true
	case "pkts_decrypt":
		return c.Decrypt, true
	case "pkts_verify":
		return c.Verify, true
	case "send_errors":
		return c.SendErrors, true
	case "recv_errors":
		return c.RecvErrors, true
	case "replay_failed":
		return c.ReplayFailed, true
	case "verify_failed":
		return c.VerifyFailed, true
	case "no_sa_send":
		return c.NoSASend, true
	case "invalid_sa_recv":
		return c.InvalidSARecv, true
	case "encaps_failed":
		return c.EncapsFailed, true
	case "decaps_failed":
		return c.DecapsFailed, true
	}
	return 0, false
}

var counterKeys = []string{"pkts_encaps", "pkts_encrypt", "pkts_digest", "pkts_decaps", "pkts_decrypt", "pkts_verify",
	"send_errors", "recv_errors", "replay_failed", "verify_failed", "no_sa_send", "invalid_sa_recv",
	"encaps_failed", "decaps_failed"}

func ipsec(r *Result, entries []Entry, got []facts.IPsecSA) {
	if len(got) != len(entries) {
		r.fail("ipsec_sa: want %d ident blocks, got %d", len(entries), len(got))
		return
	}
	for i, e := range entries {
		g := got[i]
		p := fmt.Sprintf("[%d].", i)
		for _, c := range []struct {
			k string
			v any
		}{{"interface", g.Interface}, {"crypto_map_tag", g.CryptoMap}, {"local_addr", g.LocalAddr}, {"peer", g.Peer},
			{"port", g.PeerPort}, {"local_ident", g.LocalIdent}, {"remote_ident", g.RemoteIdent},
			{"local_endpoint", g.LocalEndpt}, {"remote_endpoint", g.RemoteEndpt}, {"pfs", g.PFS},
			{"path_mtu", g.PathMTU}, {"current_outbound_spi", g.CurrentOutboundSPI}} {
			if v, ok := str(e, c.k); ok {
				r.eq(p+c.k, v, c.v)
			}
		}
		// One genieparser schema stores the post-quantum AKE group
		// ("AKE1: MLKEM512") in dh_group; the model has no AKE field, so
		// only DH group values (none, groupN) are compared.
		if v, ok := str(e, "dh_group"); ok && (v == "none" || strings.HasPrefix(v, "group")) {
			r.eq(p+"dh_group", v, g.DHGroup)
		}
		for _, k := range counterKeys {
			if v, ok := num(e, k); ok {
				gv, _ := counterOf(g.Counters, k)
				r.eq(p+k, v, gv)
			}
		}
		if v, ok := list(e, "inbound_spi"); ok {
			r.eq(p+"inbound_spi", strings.Join(v, ","), strings.Join(g.InboundSPIs, ","))
		} else {
			r.eq(p+"inbound_spi(none)", 0, len(g.InboundSPIs))
		}
		if v, ok := list(e, "outbound_spi"); ok {
			r.eq(p+"outbound_spi", strings.Join(v, ","), strings.Join(g.OutboundSPIs, ","))
		} else {
			r.eq(p+"outbound_spi(none)", 0, len(g.OutboundSPIs))
		}
		want := map[string]bool{}
		for _, k := range []string{"inbound_transform", "outbound_transform"} {
			v, _ := list(e, k)
			for _, t := range v {
				want[strings.Join(strings.Fields(strings.TrimRight(strings.TrimSpace(t), ",")), " ")] = true
			}
		}
		if len(want) > 0 || len(g.Transforms) > 0 {
			gotSet := map[string]bool{}
			for _, t := range g.Transforms {
				gotSet[t] = true
			}
			// Some genieparser schemas keep only the first word of each
			// transform ("esp-gcm" for "esp-gcm 256"): an expected value
			// that is a word prefix of one of ours counts as equal.
			for w := range want {
				for g := range gotSet {
					if g != w && strings.HasPrefix(g, w+" ") {
						want[g] = true
						delete(want, w)
					}
				}
			}
			r.eq(p+"transforms", keys(want), keys(gotSet))
		}
	}
}

func keys(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	// small sets: insertion sort for a stable string
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return strings.Join(out, "|")
}

func session(r *Result, entries []Entry, got []facts.Session) {
	if len(got) != len(entries) {
		r.fail("crypto_session: want %d sessions, got %d", len(entries), len(got))
		return
	}
	for i, e := range entries {
		g := got[i]
		p := fmt.Sprintf("[%d].", i)
		for _, c := range []struct {
			k string
			v any
		}{{"interface", g.Interface}, {"session_status", g.Status}, {"peer", g.Peer}, {"port", g.Port}} {
			if v, ok := str(e, c.k); ok {
				r.eq(p+c.k, v, c.v)
			}
		}
		if ikes, ok := e["ike_sas"].([]any); ok && len(ikes) > 0 {
			wantState, wantCaps := "", ""
			for j, x := range ikes {
				m, _ := x.(map[string]any)
				st, _ := str(m, "status")
				cp, _ := str(m, "capabilities")
				if j == 0 || strings.EqualFold(st, "active") && !strings.EqualFold(wantState, "active") {
					wantState, wantCaps = st, cp
				}
			}
			if wantState != "" {
				r.eq(p+"ike_sas.status", wantState, g.IKEState)
			}
			if wantCaps != "" {
				// genieparser prints "(none)" as "none"
				r.eq(p+"ike_sas.capabilities", strings.Trim(wantCaps, "()"), strings.Trim(g.IKECaps, "()"))
			}
		}
		flows, _ := e["ipsec_flows"].([]any)
		r.eq(p+"ipsec_flows(count)", len(flows), len(g.Flows))
		if len(flows) != len(g.Flows) {
			continue
		}
		for j, x := range flows {
			m, _ := x.(map[string]any)
			gf := g.Flows[j]
			q := fmt.Sprintf("%sflow[%d].", p, j)
			if v, ok := str(m, "flow"); ok {
				r.eq(q+"flow", strings.Join(strings.Fields(v), " "), strings.Join(strings.Fields(gf.Flow), " "))
			}
			for _, k := range []string{"permit", "src_host", "dst_host"} {
				if v, ok := str(m, k); ok {
					r.Fields++
					if !strings.Contains(gf.Flow, v) {
						r.fail("%s%s: %q not in flow %q", q, k, v, gf.Flow)
					}
				}
			}
			for _, c := range []struct {
				k string
				v any
			}{{"active_sas", gf.ActiveSAs}, {"pkts_decrypted", gf.PktsDecrypted}, {"pkts_encrypted", gf.PktsEncrypted},
				{"in_drop", gf.InDrop}, {"out_drop", gf.OutDrop}} {
				if v, ok := str(m, c.k); ok {
					r.eq(q+c.k, v, c.v)
				}
			}
		}
	}
}

func cryptoMap(r *Result, entries []Entry, got []facts.CryptoMapEntry) {
	if len(got) != len(entries) {
		r.fail("crypto_map: want %d entries, got %d", len(entries), len(got))
		return
	}
	for i, e := range entries {
		g := got[i]
		p := fmt.Sprintf("[%d].", i)
		if v, ok := str(e, "tag"); ok {
			r.eq(p+"tag", v, g.Name)
		}
		if v, ok := num(e, "seq"); ok {
			r.eq(p+"seq", v, g.Seq)
		}
		if v, ok := list(e, "peers"); ok {
			r.eq(p+"peers", strings.Join(v, ","), strings.Join(g.Peers, ","))
		}
		if v, ok := str(e, "acl"); ok {
			r.eq(p+"acl", v, g.ACL)
		}
		if v, ok := e["pfs"].(bool); ok {
			want := "N"
			if v {
				want = "Y"
			}
			r.eq(p+"pfs", want, g.PFS)
		}
		if v, ok := str(e, "lifetime_kb"); ok {
			r.Fields++
			if !strings.Contains(g.Lifetime, v+" kilobytes") {
				r.fail("%slifetime_kb: %s not in %q", p, v, g.Lifetime)
			}
		}
		if v, ok := str(e, "lifetime_sec"); ok {
			r.Fields++
			if !strings.Contains(g.Lifetime, v+" seconds") {
				r.fail("%slifetime_sec: %s not in %q", p, v, g.Lifetime)
			}
		}
		if ts, ok := e["transform_sets"].(map[string]any); ok {
			want := map[string]bool{}
			for k := range ts {
				want[k] = true
			}
			gotSet := map[string]bool{}
			for _, t := range g.TransformSets {
				gotSet[t] = true
			}
			r.eq(p+"transform_sets", keys(want), keys(gotSet))
		}
		ifs, _ := list(e, "interfaces")
		r.eq(p+"interfaces", strings.Join(ifs, ","), strings.Join(g.Interfaces, ","))
	}
}

func isakmpASA(r *Result, entries []Entry, got []facts.IKESA) {
	if len(got) != len(entries) {
		r.fail("isakmp_sa_asa: want %d SAs, got %d", len(entries), len(got))
		return
	}
	for i, e := range entries {
		g := got[i]
		p := fmt.Sprintf("[%d].", i)
		if v, ok := num(e, "seq"); ok {
			r.eq(p+"seq", v, g.ConnID)
		}
		if v, ok := str(e, "peer"); ok {
			r.eq(p+"peer", v, g.Peer)
		}
		if v, ok := str(e, "role"); ok {
			want := strings.ToLower(v)
			switch want {
			case "resp":
				want = "responder"
			case "init":
				want = "initiator"
			}
			r.eq(p+"role", want, g.Role)
		}
		for _, c := range []struct {
			k string
			v any
		}{{"state", g.State}, {"encryption", g.Encr}, {"hash", g.Hash}, {"auth", g.Auth}, {"lifetime", g.Lifetime}} {
			if v, ok := str(e, c.k); ok {
				r.eq(p+c.k, v, c.v)
			}
		}
	}
}

// isAddr reports a dotted-quad IPv4 or a colon-separated IPv6 address.
func isAddr(s string) bool {
	if strings.Count(s, ":") >= 2 {
		return true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 255 {
			return false
		}
	}
	return true
}

func vpnSessionDB(r *Result, entries []Entry, got []facts.Session) {
	type conn struct {
		peer   string
		ike    bool
		port   string
		ipsecs []Entry
	}
	// Records come in text order: a connection block gives an IKE record
	// then its IPsec records, or one bare record when it has neither.
	var conns []*conn
	prevKey := ""
	for _, e := range entries {
		c, _ := str(e, "connection")
		ip, _ := str(e, "ip_address")
		idx, _ := str(e, "index")
		peer := c
		if peer == "" || !isAddr(peer) && isAddr(ip) {
			peer = ip
		}
		key := peer + "#" + idx
		t, _ := str(e, "connection_type")
		t = strings.ToLower(t)
		if len(conns) == 0 || key != prevKey || t == "" || strings.HasPrefix(t, "ike") {
			conns = append(conns, &conn{peer: peer})
		}
		prevKey = key
		cc := conns[len(conns)-1]
		switch {
		case strings.HasPrefix(t, "ike"):
			cc.ike = true
			cc.port, _ = str(e, "udp_dst_port")
		case strings.HasPrefix(t, "ipsec"):
			cc.ipsecs = append(cc.ipsecs, e)
		}
	}
	if len(got) != len(conns) {
		r.fail("vpn-sessiondb: want %d connections, got %d", len(conns), len(got))
		return
	}
	for i, c := range conns {
		g := got[i]
		p := fmt.Sprintf("[%d].", i)
		r.eq(p+"peer", c.peer, g.Peer)
		r.eq(p+"ike", c.ike, strings.EqualFold(g.IKEState, "active"))
		if c.port != "" {
			r.eq(p+"udp_dst_port", c.port, g.Port)
		}
		r.eq(p+"ipsec(count)", len(c.ipsecs), len(g.Flows))
		if len(c.ipsecs) != len(g.Flows) {
			continue
		}
		for j, e := range c.ipsecs {
			gf := g.Flows[j]
			q := fmt.Sprintf("%sipsec[%d].", p, j)
			for _, k := range []string{"local_address_network", "local_address_mask", "remote_address_network", "remote_address_mask"} {
				if v, ok := str(e, k); ok {
					r.Fields++
					if !strings.Contains(gf.Flow, v) {
						r.fail("%s%s: %q not in flow %q", q, k, v, gf.Flow)
					}
				}
			}
			if v, ok := num(e, "packets_received"); ok {
				r.eq(q+"packets_received", v, gf.PktsDecrypted)
			}
			if v, ok := num(e, "packets_transmitted"); ok {
				r.eq(q+"packets_transmitted", v, gf.PktsEncrypted)
			}
		}
	}
}

func cryptoMapRecords(r *Result, entries []Entry, got []facts.CryptoMapEntry) {
	byKey := map[string]facts.CryptoMapEntry{}
	for _, g := range got {
		byKey[fmt.Sprintf("%s#%d", g.Name, g.Seq)] = g
	}
	want := 0
	for _, e := range entries {
		if _, dyn := e["isakmp_dynamic"]; dyn {
			continue
		}
		want++
		m, _ := str(e, "map")
		seq, _ := num(e, "seq")
		p := fmt.Sprintf("[%s %d].", m, seq)
		g, ok := byKey[fmt.Sprintf("%s#%d", m, seq)]
		r.Fields++
		if !ok {
			r.fail("%s missing", p)
			continue
		}
		if v, ok := str(e, "peer"); ok {
			r.eq(p+"peer", strings.Join(strings.Fields(v), " "), strings.Join(g.Peers, " "))
		}
		if v, ok := str(e, "matched_address"); ok {
			r.eq(p+"matched_address", v, g.ACL)
		}
		for _, k := range []string{"transform", "ikev1_transform_set"} {
			if v, ok := str(e, k); ok {
				r.eq(p+k, strings.Join(strings.Fields(v), " "), strings.Join(g.TransformSets, " "))
			}
		}
		if v, ok := str(e, "pfs"); ok {
			r.eq(p+"pfs", v, g.PFSGroup)
		}
		for _, c := range []struct{ k, unit string }{{"sa", " seconds"}, {"sa_sec", " seconds"}, {"sa_kb", " kilobytes"}} {
			if v, ok := str(e, c.k); ok {
				r.Fields++
				if !strings.Contains(g.Lifetime, v+c.unit) {
					r.fail("%s%s: %q not in lifetime %q", p, c.k, v+c.unit, g.Lifetime)
				}
			}
		}
		if v, ok := str(e, "interface"); ok {
			r.Fields++
			found := false
			for _, i := range g.Interfaces {
				found = found || i == v
			}
			if !found || !g.InterfacesShown {
				r.fail("%sinterface: %q not in %v (shown %v)", p, v, g.Interfaces, g.InterfacesShown)
			}
		}
	}
	r.eq("entries(count)", want, len(got))
}

func policyRecords(r *Result, entries []Entry, got []facts.IKEPolicy) {
	by := map[int]facts.IKEPolicy{}
	for _, g := range got {
		by[g.Priority] = g
	}
	r.eq("policies(count)", len(entries), len(got))
	for _, e := range entries {
		id, _ := num(e, "policy_id")
		g, ok := by[int(id)]
		p := fmt.Sprintf("[policy %d].", id)
		r.Fields++
		if !ok {
			r.fail("%s missing", p)
			continue
		}
		for _, c := range []struct {
			k string
			v any
		}{{"auth_method", g.Auth}, {"encryption", g.Encr}, {"auth_algorithm", g.Hash}, {"lifetime", g.Lifetime}} {
			if v, ok := str(e, c.k); ok {
				r.eq(p+c.k, v, c.v)
			}
		}
		if v, ok := str(e, "dh_group"); ok {
			r.eq(p+"dh_group", strings.TrimSpace(strings.TrimPrefix(v, "group")), g.Group)
		}
	}
}

func transformRecords(r *Result, entries []Entry, got []facts.TransformSet) {
	by := map[string]facts.TransformSet{}
	for _, g := range got {
		by[g.Name] = g
	}
	r.eq("transform sets(count)", len(entries), len(got))
	for _, e := range entries {
		name, _ := str(e, "name")
		g, ok := by[name]
		p := fmt.Sprintf("[%s].", name)
		r.Fields++
		if !ok {
			r.fail("%s missing", p)
			continue
		}
		want := map[string]bool{}
		for _, k := range []string{"encryption", "auth"} {
			v, _ := list(e, k)
			for _, x := range v {
				want[x] = true
			}
		}
		have := map[string]bool{}
		for _, x := range g.Transforms {
			have[x] = true
		}
		r.eq(p+"transforms", keys(want), keys(have))
	}
}

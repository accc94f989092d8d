package lab

import "strings"

// plutoDebug plays pluto's per-connection debug (`ipsec whack --name
// CONN --debug base` and `--debug none`), a negotiation started with
// `ipsec whack --name CONN --initiate --asynchronous`, and the read of
// the window's log (the journal from the window's start). Like pluto,
// only the scenario's own connection (its tunnel) answers: another name
// is "no connection named". It returns the answer and whether cmd was
// one of those.
func (d *Device) plutoDebug(cmd string) (string, bool) {
	ds := &d.debug
	ds.mu.Lock()
	defer ds.mu.Unlock()
	cmd = strings.TrimSpace(cmd)
	if strings.HasPrefix(cmd, "{ ipsec whack --status 2>/dev/null") && strings.Contains(cmd, "journalctl --no-pager --since=@") {
		if !strings.Contains(cmd, "'"+d.Scenario.Peer+"'") {
			return "", false
		}
		ds.sent = append(ds.sent, cmd)
		if out, ok := d.Scenario.files["debug"]; ok && len(ds.flags) > 0 {
			return out, true // the connection's debug lines, only while it is on
		}
		return d.Scenario.files["pluto-log"], true
	}
	rest, ok := strings.CutPrefix(cmd, "ipsec whack --name ")
	if !ok {
		return "", false
	}
	name, verb, ok := strings.Cut(rest, " ")
	if !ok || !strings.HasPrefix(name, "'") || !strings.HasSuffix(name, "'") || len(name) < 2 {
		return "", false
	}
	var known bool
	switch verb {
	case "--debug base", "--debug none", "--initiate --asynchronous":
		known = true
	}
	if !known {
		return "", false
	}
	ds.sent = append(ds.sent, cmd)
	if name[1:len(name)-1] != d.Scenario.Tunnel {
		return "021 no connection named \"" + name[1:len(name)-1] + "\"\n", true
	}
	switch verb {
	case "--debug base":
		if ds.flags == nil {
			ds.flags = map[string]bool{}
		}
		ds.flags["base"] = true
	case "--debug none":
		ds.flags = nil
	case "--initiate --asynchronous":
		ds.triggered++
	}
	return "", true
}

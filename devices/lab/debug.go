package lab

import (
	"net"
	"strings"
	"sync"
)

// debugState is what a simulated device remembers of its debugs: like a
// real one, across sessions (a debug stays on when the session that
// turned it on drops).
type debugState struct {
	mu        sync.Mutex
	condition string          // the peer the debug is limited to ("" none)
	flags     map[string]bool // the debug commands in force
	triggered int             // negotiations started by a clear command
	sent      []string        // every debug, undebug and clear command, in order
}

// DebugOn reports whether any debug (or a debug condition) is still in
// force on the device.
func (d *Device) DebugOn() bool {
	d.debug.mu.Lock()
	defer d.debug.mu.Unlock()
	return d.debug.condition != "" || len(d.debug.flags) > 0
}

// DebugCommands lists the debug, undebug and clear commands the device
// received, in order.
func (d *Device) DebugCommands() []string {
	d.debug.mu.Lock()
	defer d.debug.mu.Unlock()
	return append([]string(nil), d.debug.sent...)
}

// Triggered is how many negotiations a clear command started.
func (d *Device) Triggered() int {
	d.debug.mu.Lock()
	defer d.debug.mu.Unlock()
	return d.debug.triggered
}

// SetDebugOn puts the device in the state a debug left on leaves it in
// (for tests of the cleanup that follows a crash).
func (d *Device) SetDebugOn() {
	d.debug.mu.Lock()
	defer d.debug.mu.Unlock()
	if d.Scenario.Platform == "libreswan" {
		d.debug.flags = map[string]bool{"base": true} // the connection's own debugging
		return
	}
	d.debug.condition = d.Scenario.Peer
	d.debug.flags = map[string]bool{"debug crypto isakmp": true}
}

// DropConnections closes every SSH connection to the device, as a
// device reload or a flapping path does; new logins still work.
func (l *Lab) DropConnections(d *Device) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		if la, ok := c.LocalAddr().(*net.TCPAddr); ok && la.String() == d.Addr {
			c.Close()
		}
	}
}

// debugCommand plays a Cisco debug, undebug or clear command, or `show
// logging` while a debug writes to the buffer. It returns the answer and
// whether cmd was one of those.
func (d *Device) debugCommand(cmd string) (string, bool) {
	ds := &d.debug
	ds.mu.Lock()
	defer ds.mu.Unlock()
	peer := d.Scenario.Peer
	asa := d.Scenario.Platform == "asa"
	cond := "debug crypto condition peer ipv4 " + peer
	flags := []string{"debug crypto isakmp", "debug crypto ikev2"}
	clear := "clear crypto sa peer " + peer
	if asa {
		cond = "debug crypto condition peer " + peer
		flags = []string{"debug crypto ikev1 127", "debug crypto ikev2 protocol 127"}
		clear = "clear crypto ipsec sa peer " + peer
	}
	record := func() { ds.sent = append(ds.sent, cmd) }
	switch {
	case cmd == cond:
		record()
		ds.condition = peer
		return "", true
	case cmd == flags[0] || cmd == flags[1]:
		record()
		if ds.flags == nil {
			ds.flags = map[string]bool{}
		}
		ds.flags[cmd] = true
		if asa {
			return "", true
		}
		return "Crypto ISAKMP debugging is on\n", true
	case cmd == "undebug all" || cmd == "no debug all":
		record()
		ds.flags = nil
		if asa {
			return "", true
		}
		return "All possible debugging has been turned off\n", true
	case cmd == "no "+cond || cmd == "no debug crypto condition":
		record()
		ds.condition = ""
		return "", true
	case cmd == clear:
		record()
		ds.triggered++
		return "", true
	case cmd == "show logging" && len(ds.flags) > 0:
		// The buffer holds the debug's lines only when the debug is
		// limited to this scenario's peer (the condition filters the rest).
		out := "Syslog logging: enabled\n\nLog Buffer (1000000 bytes):\n\n"
		if ds.condition == peer {
			out += d.Scenario.files["debug"]
		}
		return out, true
	}
	return "", false
}

// debugJournal answers the journalctl read of a strongSwan debug window
// (the scenario's charon lines for the window) and a libreswan device's
// debug commands.
func (d *Device) debugJournal(cmd string) (string, bool) {
	if d.Scenario.Platform == "libreswan" {
		return d.plutoDebug(cmd)
	}
	// the window: charon's log file, else the journal from the window's
	// start, kept to the peer (devices: debugSteps)
	if d.Scenario.Platform != "strongswan" || !strings.HasPrefix(cmd, "{ if [ -s /var/log/charon.log ]") || !strings.Contains(cmd, "journalctl --no-pager --since=@") || !strings.Contains(cmd, "'"+d.Scenario.Peer+"'") {
		return "", false
	}
	d.debug.mu.Lock()
	d.debug.sent = append(d.debug.sent, cmd)
	d.debug.mu.Unlock()
	if out, ok := d.Scenario.files["debug"]; ok {
		return out, true
	}
	return d.Scenario.files["charon-log"], true
}

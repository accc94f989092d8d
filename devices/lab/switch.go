package lab

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/ssh"
)

// Switch is a lab device whose tunnel state a test can change while it
// runs: it answers from one scenario at a time, rewritten to the base
// scenario's peer, hostname and remote subnets, so the same tunnel looks
// healthy, then down, then healthy again. Each SSH connection keeps the
// state it started with (Set never changes a session mid-output), which
// also keeps the switch free of data races: every state is its own
// immutable Device, swapped atomically.
type Switch struct {
	Name string
	Addr string
	base *Scenario
	lab  *Lab
	cur  atomic.Pointer[Device]
	sets atomic.Int64
}

// AddSwitch starts a switchable device named name on 127.0.0.1, serving
// the base scenario until Set says otherwise. It is listed in l.Devices
// (so InventoryYAML and WriteFiles include it, with the base scenario's
// peer and tunnel) and stops with the lab.
func (l *Lab) AddSwitch(name, base string) (*Switch, error) {
	sc, err := ScenarioByName(base)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = sc.Name
	}
	signer, err := newHostKey()
	if err != nil {
		return nil, err
	}
	ln, err := listenLoopback("switch", name)
	if err != nil {
		return nil, err
	}
	d := &Device{Name: name, Scenario: sc, Addr: ln.Addr().String(), HostKey: signer.PublicKey(), ln: ln}
	cfg := l.serverConfig(d)
	cfg.AddHostKey(signer)
	s := &Switch{Name: name, Addr: d.Addr, base: sc, lab: l}
	s.cur.Store(d)
	select {
	case <-l.closed:
		ln.Close()
		return nil, fmt.Errorf("lab switch %s: the lab is closed", name)
	default:
	}
	l.Devices = append(l.Devices, d)
	l.wg.Add(1)
	go s.accept(cfg, ln)
	return s, nil
}

func (s *Switch) accept(cfg *ssh.ServerConfig, ln net.Listener) {
	l := s.lab
	defer l.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		d := s.cur.Load()
		l.track(c, true)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer l.track(c, false)
			defer c.Close()
			l.serveConn(d, cfg, c)
		}()
	}
}

// Set makes the device answer from scenario from the next SSH connection
// on. The scenario must be of the base's platform; its peer, hostname and
// remote subnets are rewritten to the base's.
func (s *Switch) Set(scenario string) error {
	sc, err := ScenarioByName(scenario)
	if err != nil {
		return err
	}
	if sc.Platform != s.base.Platform {
		return fmt.Errorf("lab switch %s: scenario %s is %s, the device is %s", s.Name, scenario, sc.Platform, s.base.Platform)
	}
	prev := s.cur.Load()
	d := &Device{Name: s.Name, Scenario: s.rewrite(sc), Addr: prev.Addr, HostKey: prev.HostKey}
	s.cur.Store(d)
	s.sets.Add(1)
	return nil
}

// Current names the scenario the device answers from now.
func (s *Switch) Current() string { return s.cur.Load().Scenario.Name }

// Peer is the tunnel's peer address (the base scenario's).
func (s *Switch) Peer() string { return s.base.Peer }

// rewrite copies sc with the base's peer, hostname and remote subnets.
func (s *Switch) rewrite(sc *Scenario) *Scenario {
	if sc.Name == s.base.Name {
		return s.base
	}
	pairs := []string{sc.Peer, s.base.Peer}
	for i, r := range sc.RemoteSubnets {
		if i >= len(s.base.RemoteSubnets) {
			break
		}
		from, err1 := netip.ParsePrefix(r)
		to, err2 := netip.ParsePrefix(s.base.RemoteSubnets[i])
		if err1 == nil && err2 == nil {
			pairs = append(pairs, from.Masked().Addr().String(), to.Masked().Addr().String())
		}
	}
	if sc.Hostname != "" && s.base.Hostname != "" {
		pairs = append(pairs, sc.Hostname, s.base.Hostname)
	}
	rep := strings.NewReplacer(pairs...)
	out := &Scenario{
		Name: sc.Name, Platform: sc.Platform, Hostname: s.base.Hostname, Peer: s.base.Peer,
		Tunnel: s.base.Tunnel, RemoteSubnets: s.base.RemoteSubnets, Description: sc.Description,
		Expect: sc.Expect, files: make(map[string]string, len(sc.files)),
	}
	for k, v := range sc.files {
		out.files[k] = rep.Replace(v)
	}
	return out
}

package lab

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/ssh"

	"github.com/tunneldoc/tunneldoc/devices"
)

// Hub is an IOS lab device that terminates many tunnels, each of which a
// test (or the load tool) can take down and bring up while it runs. Its
// answers are built from two scenarios: ios-healthy for a tunnel that is
// up and ios-peer-unreachable (ISAKMP stuck in MM_NO_STATE, no IPsec SA)
// for one that is down, rewritten to each peer; `show crypto isakmp sa`
// lists every peer. Like Switch, each SSH connection keeps the state it
// started with: every state is its own immutable Device, swapped
// atomically.
//
// Hub devices are listed in l.Devices, but InventoryYAML names only their
// first tunnel; write the inventory's tunnels from Peers.
type Hub struct {
	Name string
	Addr string
	lab  *Lab

	mu    sync.Mutex // serialises Set, which rebuilds the answers
	peers []string
	down  map[string]bool
	up    *Scenario
	dead  *Scenario
	cur   atomic.Pointer[Device]
	// logins counts accepted TCP connections (one per SSH login).
	logins atomic.Int64
}

// hubSubnet is the remote subnet every hub tunnel protects (the healthy
// scenario's); give it to the inventory's tunnels.
const hubSubnet = "4.1.1.0/24"

// HubRemoteSubnet is the remote subnet of every Hub tunnel.
func HubRemoteSubnet() string { return hubSubnet }

// AddHub starts a hub named name on 127.0.0.1 with one tunnel per peer
// (IPv4 addresses, at least one), all up.
func (l *Lab) AddHub(name string, peers []string) (*Hub, error) {
	if name == "" || len(peers) == 0 {
		return nil, errors.New("lab hub: a name and at least one peer are needed")
	}
	seen := map[string]bool{}
	for _, p := range peers {
		a, err := netip.ParseAddr(p)
		if err != nil || !a.Is4() {
			return nil, fmt.Errorf("lab hub %s: bad peer %q", name, p)
		}
		if seen[p] {
			return nil, fmt.Errorf("lab hub %s: peer %s twice", name, p)
		}
		seen[p] = true
	}
	up, err := ScenarioByName("ios-healthy")
	if err != nil {
		return nil, err
	}
	dead, err := ScenarioByName("ios-peer-unreachable")
	if err != nil {
		return nil, err
	}
	signer, err := newHostKey()
	if err != nil {
		return nil, err
	}
	ln, err := listenLoopback("hub", name)
	if err != nil {
		return nil, err
	}
	h := &Hub{Name: name, Addr: ln.Addr().String(), lab: l, peers: append([]string(nil), peers...), down: map[string]bool{}, up: up, dead: dead}
	d := &Device{Name: name, Addr: h.Addr, HostKey: signer.PublicKey(), ln: ln}
	d.Scenario = h.build()
	h.cur.Store(d)
	cfg := l.serverConfig(d)
	cfg.AddHostKey(signer)
	select {
	case <-l.closed:
		ln.Close()
		return nil, fmt.Errorf("lab hub %s: the lab is closed", name)
	default:
	}
	l.Devices = append(l.Devices, d)
	l.wg.Add(1)
	go h.accept(cfg, ln)
	return h, nil
}

// Peers lists the hub's tunnels' peers, in the order given.
func (h *Hub) Peers() []string { return append([]string(nil), h.peers...) }

// Set takes the tunnel to peer down (or up) from the next SSH connection on.
func (h *Hub) Set(peer string, down bool) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	known := false
	for _, p := range h.peers {
		known = known || p == peer
	}
	if !known {
		return fmt.Errorf("lab hub %s: no tunnel to %s", h.Name, peer)
	}
	if h.down[peer] == down {
		return nil
	}
	h.down[peer] = down
	prev := h.cur.Load()
	h.cur.Store(&Device{Name: h.Name, Addr: prev.Addr, HostKey: prev.HostKey, Scenario: h.build()})
	return nil
}

// Logins counts the connections the hub accepted so far (one per SSH
// login).
func (h *Hub) Logins() int64 { return h.logins.Load() }

// Down reports whether the tunnel to peer is down now.
func (h *Hub) Down(peer string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down[peer]
}

func (h *Hub) accept(cfg *ssh.ServerConfig, ln net.Listener) {
	l := h.lab
	defer l.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		h.logins.Add(1)
		d := h.cur.Load()
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

// build renders the answers for the current states; the caller holds mu
// (or owns h alone). The scenario's own peer is the first one, so
// Answer finds the other peers' commands by their slugs.
func (h *Hub) build() *Scenario {
	first := h.peers[0]
	sc := &Scenario{
		Name: "hub", Platform: "ios", Hostname: h.up.Hostname, Peer: first, Tunnel: h.Name + "-t0",
		RemoteSubnets: []string{hubSubnet}, Description: fmt.Sprintf("IOS hub with %d tunnels", len(h.peers)),
		Expect: h.up.Expect, files: map[string]string{},
	}
	plat, _ := devices.PlatformByName("ios")
	remotes := sc.Remotes()
	var table strings.Builder
	table.WriteString("IPv4 Crypto ISAKMP SA\ndst             src             state          conn-id status\n")
	for i, p := range h.peers {
		src, rep := h.up, strings.NewReplacer(h.up.Peer, p)
		state := fmt.Sprintf("%-14s %7d ACTIVE", "QM_IDLE", 1000+i)
		if h.down[p] {
			src = h.dead
			rep = strings.NewReplacer(h.dead.Peer, p, h.dead.Hostname, h.up.Hostname, "4.1.2.0", "4.1.1.0", "3.1.2.0", "3.1.1.0")
			state = fmt.Sprintf("%-14s %7d ACTIVE", "MM_NO_STATE", 0)
		}
		fmt.Fprintf(&table, "%-15s %-15s %s\n", p, "30.3.1.1", state)
		addr, _ := netip.ParseAddr(p)
		for _, c := range plat.Plan(addr, remotes) {
			key := c.Key
			if p != first {
				key = sc.Slug(c.Command)
			}
			if _, taken := sc.files[key]; taken {
				continue
			}
			sc.files[key] = rep.Replace(src.files[c.Key])
		}
	}
	table.WriteString("\nIPv6 Crypto ISAKMP SA\n\n")
	sc.files["show-crypto-isakmp-sa"] = table.String()
	return sc
}

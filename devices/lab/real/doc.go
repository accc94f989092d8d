// Package real runs the live IKE lab: two strongSwan gateways in network
// namespaces (built by devices/lab/ikelab's real.sh on lib.sh's building
// blocks), each reachable over a real OpenSSH sshd on its outside address,
// hosts behind them pinging through the tunnel, and scenarios switched by
// changing the real configuration or dropping packets with nftables.
// It writes an inventory (platform strongswan, host keys pinned in a
// known_hosts file, a client key) that `check tunnel` and the monitor use.
//
// Linux and root only; Missing says what is absent elsewhere.
package real

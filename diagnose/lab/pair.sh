# shellcheck shell=bash
# pair.sh — what the two capture generators diagnose/strongswan/lab/gen.sh
# and diagnose/libreswan/lab/gen.sh share: two network namespaces joined by
# one veth pair, each gateway with its inner address on lo. Logging, bounded
# waits and stopping a process by its pid file come from the IKE lab's
# building blocks (devices/lab/ikelab/lib.sh), sourced here; that lab's own
# topology (a router between the gateways) is not the one these captures
# were made on, so the pair is drawn here. No side effects when sourced.

# shellcheck source=../../devices/lab/ikelab/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../../devices/lab/ikelab/lib.sh"

# pair_up nsa nsb ifa ifb addr_a addr_b inner_a inner_b: namespaces nsa and
# nsb, joined by the veth pair ifa (in nsa, addr_a) and ifb (in nsb,
# addr_b); inner_a and inner_b are the hosts behind each, on lo (the
# kernel may lack the dummy link type). Addresses carry their prefix.
pair_up() {
	local nsa=$1 nsb=$2 ifa=$3 ifb=$4 ns
	ip netns add "$nsa"
	ip netns add "$nsb"
	ip -n "$nsa" link add "$ifa" type veth peer name "$ifb" netns "$nsb"
	ip -n "$nsa" addr add "$5" dev "$ifa"
	ip -n "$nsb" addr add "$6" dev "$ifb"
	ip -n "$nsa" addr add "$7" dev lo
	ip -n "$nsb" addr add "$8" dev lo
	for ns in "$nsa" "$nsb"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$nsa" link set "$ifa" up
	ip -n "$nsb" link set "$ifb" up
}

# pair_down ns...: deletes the namespaces (stop what runs in them first).
pair_down() {
	local ns
	for ns in "$@"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

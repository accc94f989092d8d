#!/usr/bin/env bash
# real.sh — a live lab on lib.sh's building blocks: two strongSwan gateways
# (west, east; swanctl; kernel-libipsec, so their tunnel carries traffic on
# a kernel without XFRM ESP; west logs to /var/log/charon.log, east to a
# systemd-journald of its own), each with a real OpenSSH sshd listening on its
# outside address inside its own namespaces, the hosts behind them pinging
# each other through the tunnel, and scenarios switched by changing the
# real configuration or dropping packets on the router.
#
#   real.sh up                 build everything, bring the tunnel up
#                              (IKELAB_REAL_PAIR=lw-sw: west is libreswan)
#   real.sh scenario NAME      healthy | proposal-mismatch | psk-mismatch |
#                              unreachable | ts-mismatch | one-way | dpd
#   real.sh down               remove namespaces and processes
#
# Environment: IKELAB_PREFIX (namespace names), IKELAB_WORK (work folder;
# `up` makes ssh/west_host_key, ssh/east_host_key and ssh/client there with
# ssh-keygen, and authorizes the client for root). The host reaches the
# gateways through a veth pair into the router: host 198.18.72.1/30,
# router 198.18.72.2/30, routes to the gateways' outside nets.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

REAL_HOST_ADDR=198.18.72.1
REAL_RTR_ADDR=198.18.72.2
REAL_HOST_LINK=$IKELAB_PREFIX-host

REAL_SCENARIOS='healthy proposal-mismatch psk-mismatch unreachable ts-mismatch one-way dpd'
# a libreswan west: only what fails before an IPsec SA is installed (pluto
# has only the kernel's ESP, and a kernel without XFRM ESP refuses its SAs)
REAL_LW_SCENARIOS='healthy proposal-mismatch psk-mismatch unreachable'
# the unpacked libreswan package, kept across labs
IKELAB_LW_CACHE=${IKELAB_LW_CACHE:-/var/cache/tunneldoc-reallab}

# real_pair: sw-sw (both strongSwan) or lw-sw (west libreswan), chosen at up.
real_pair() {
	if [[ -f $IKELAB_WORK/pair ]]; then cat "$IKELAB_WORK/pair"; else echo sw-sw; fi
}

# real_config: both sides' settings for the scenario in <work>/scenario;
# only what differs from a healthy pair is set here.
real_config() {
	local name=healthy
	[[ -f $IKELAB_WORK/scenario ]] && name=$(cat "$IKELAB_WORK/scenario")
	ikelab_reset
	IKL_WEST_VENDOR=sw IKL_EAST_VENDOR=sw
	if [[ $(real_pair) == lw-sw ]]; then
		IKL_WEST_VENDOR=lw
		ikelab_libreswan_prepare
	fi
	IKL_WEST_DPD=10 IKL_EAST_DPD=10
	# west logs to a file, east to a journal of its own
	IKL_EAST_JOURNAL=yes
	case $name in
	proposal-mismatch) IKL_EAST_IKE=aes128-sha1-ecp256 ;;
	psk-mismatch) IKL_EAST_PSK=Kx7-lab-other-Z9 ;;
	# east expects a neighbouring net behind west: no CHILD_SA
	ts-mismatch) IKL_EAST_PEERNET=100.71.9.0/24 ;;
	# west probes every 2 s: three unanswered retransmits (~7 s) later
	# it declares east dead
	dpd) IKL_WEST_DPD=2 ;;
	esac
	ikelab_defaults west
	ikelab_defaults east
}

real_host_link_up() {
	local r
	r=$(ikelab_ns rtr)
	ip link del "$REAL_HOST_LINK" 2>/dev/null || true
	ip link add "$REAL_HOST_LINK" type veth peer name to-host netns "$r"
	ip addr add "$REAL_HOST_ADDR/30" dev "$REAL_HOST_LINK"
	ip link set "$REAL_HOST_LINK" up
	ip -n "$r" addr add "$REAL_RTR_ADDR/30" dev to-host
	ip -n "$r" link set to-host up
	ip route replace "${IKELAB_WEST_WAN%.*}.0/24" via "$REAL_RTR_ADDR" dev "$REAL_HOST_LINK"
	ip route replace "${IKELAB_EAST_WAN%.*}.0/24" via "$REAL_RTR_ADDR" dev "$REAL_HOST_LINK"
}

# real_sshd side: sshd in the gateway's network and mount namespaces (so
# swanctl and journalctl reach that gateway's charon and journal), root by
# key only.
real_sshd() {
	local s=$1 d addr
	d=$(ikelab_dir "$s")
	[[ $s == west ]] && addr=$IKELAB_WEST_WAN || addr=$IKELAB_EAST_WAN
	mkdir -p "$d/varlog"
	if [[ $(ikelab_vendor "$s") == lw ]]; then
		ln -sf "$d/$s.log" "$d/varlog/pluto.log"
	elif [[ $(ikelab_get "$s" JOURNAL) != yes ]]; then
		ln -sf "$d/$s.log" "$d/varlog/charon.log"
	fi
	cat >"$d/sshd_config" <<CFG
ListenAddress $addr:22
HostKey $IKELAB_WORK/ssh/${s}_host_key
AuthorizedKeysFile $IKELAB_WORK/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
LogLevel ERROR
CFG
	ikelab_in "$s" mkdir -p /run/sshd
	ikelab_in "$s" mount --bind "$d/varlog" /var/log
	# a gateway without a journal: charon logs to /var/log/charon.log, and
	# journalctl (which would answer "-- No entries --") is absent
	if [[ $(ikelab_get "$s" JOURNAL) != yes && -e /usr/bin/journalctl ]]; then
		ikelab_in "$s" mount --bind /bin/false /usr/bin/journalctl
	fi
	(exec nsenter -t "$(cat "$d/holder.pid")" -m -n -- /usr/sbin/sshd -D -e -f "$d/sshd_config" >"$d/sshd.out" 2>&1) &
	echo $! >"$d/sshd.pid"
}

# real_ping side: the host behind side pings the host behind the other,
# once a second, for at most a day (the lab's cleanup ends it sooner).
real_ping() {
	local s=$1 d src dst
	d=$(ikelab_dir "$s")
	[[ $s == west ]] && src=$IKELAB_WEST_HOST dst=$IKELAB_EAST_HOST || src=$IKELAB_EAST_HOST dst=$IKELAB_WEST_HOST
	(exec ip netns exec "$(ikelab_ns "$s")" ping -q -i 1 -c 86400 -W 1 -I "$src" "$dst" >"$d/ping.out" 2>&1) &
	echo $! >"$d/ping.pid"
}

real_initiate() {
	if [[ $(ikelab_vendor west) == lw ]]; then
		ikelab_in west timeout 20 ipsec auto --up "$(ikelab_get west CONN)" \
			>"$(ikelab_dir west)/initiate.txt" 2>&1 || true
		return
	fi
	ikelab_in west timeout 20 swanctl --initiate --child "$(ikelab_get west CHILD)" --timeout 15 \
		>"$(ikelab_dir west)/initiate.txt" 2>&1 || true
}

# real_terminate side: that side forgets its SAs with the peer.
real_terminate() {
	if [[ $(ikelab_vendor "$1") == lw ]]; then
		ikelab_in "$1" timeout 20 ipsec auto --down "$(ikelab_get "$1" CONN)" >/dev/null 2>&1 || true
		return
	fi
	ikelab_in "$1" timeout 20 swanctl --terminate --ike "$(ikelab_get "$1" CONN)" --force --timeout 5 >/dev/null 2>&1 || true
}

real_keys() {
	local dir=$IKELAB_WORK/ssh k
	mkdir -p "$dir"
	for k in west_host_key east_host_key client; do
		rm -f "$dir/$k" "$dir/$k.pub"
		ssh-keygen -q -t ed25519 -N '' -C "tunneldoc-lab-$k" -f "$dir/$k"
	done
	cp "$dir/client.pub" "$dir/authorized_keys"
}

real_up() {
	mkdir -p "$IKELAB_WORK"
	case ${IKELAB_REAL_PAIR:-sw-sw} in
	sw-sw | lw-sw) echo "${IKELAB_REAL_PAIR:-sw-sw}" >"$IKELAB_WORK/pair" ;;
	*) ikelab_die "unknown pair ${IKELAB_REAL_PAIR} (sw-sw, lw-sw)" ;;
	esac
	real_keys
	echo healthy >"$IKELAB_WORK/scenario"
	real_config
	ikelab_net_up
	real_host_link_up
	ikelab_start west
	ikelab_start east
	real_sshd west
	real_sshd east
	real_initiate
	real_ping west
	real_ping east
}

# real_established: west's IKE_SA and CHILD_SA are up.
real_established() {
	ikelab_in west swanctl --list-sas --ike "$(ikelab_get west CONN)" 2>/dev/null |
		grep -q "$(ikelab_get west CHILD):.*INSTALLED"
}

# real_east_route: east has the route to west's net its charon installed.
real_east_route() {
	ip -n "$(ikelab_ns east)" route show table 220 | grep -q "^${IKELAB_WEST_NET} "
}

# real_scenario name: the running lab becomes that scenario:
#   healthy            the tunnel up, the hosts pinging through it
#   proposal-mismatch  east allows only IKE aes128-sha1-ecp256 (west offers
#                      aes256-sha256-modp2048): no IKE SA
#   psk-mismatch       east's pre-shared key differs: no IKE SA
#   unreachable        the router drops IKE (UDP/500, 4500) and ESP: west's
#                      IKE_SA_INIT goes unanswered
#   ts-mismatch        east expects 100.71.9.0/24 behind west: the IKE SA
#                      comes up, the CHILD_SA is refused (TS_UNACCEPTABLE)
#   one-way            the tunnel comes up, then east loses the route to
#                      west's net its charon installed: east decrypts
#                      west's pings and sends the replies elsewhere,
#                      unencrypted; west encrypts and decrypts nothing
#   dpd                west runs DPD every 2 s; the tunnel comes up, then
#                      the router drops IKE and ESP: west declares east dead
real_scenario() {
	local name=$1 known=$REAL_SCENARIOS
	[[ $(real_pair) == lw-sw ]] && known=$REAL_LW_SCENARIOS
	[[ " $known " == *" $name "* ]] ||
		ikelab_die "unknown scenario $name (${known// /, })"
	echo "$name" >"$IKELAB_WORK/scenario"
	real_config
	ip netns exec "$(ikelab_ns rtr)" nft delete table inet ikelab_dropall 2>/dev/null || true
	# the scenario's configuration is written and reloaded on the
	# strongSwan sides (a libreswan west's never changes)
	local s
	for s in west east; do
		[[ $(ikelab_vendor "$s") == sw ]] || continue
		sw_swanctl_conf "$s"
		ikelab_in "$s" timeout 20 swanctl --load-all >/dev/null 2>&1 || true
	done
	if [[ $name == unreachable ]]; then
		ikelab_drop_ike_all
	fi
	# both sides forget the old IKE SA; west negotiates again
	for s in west east; do
		real_terminate "$s"
	done
	real_initiate
	case $name in
	one-way)
		ikelab_wait 10 real_east_route || ikelab_die "one-way: east installed no route to $IKELAB_WEST_NET"
		ikelab_drop_return_route east
		;;
	dpd)
		ikelab_wait 10 real_established || ikelab_die "dpd: the tunnel did not come up"
		ikelab_drop_ike_all
		;;
	esac
}

real_down() {
	local s
	for s in west east; do
		ikelab_kill "$(ikelab_dir "$s")/ping.pid"
		ikelab_kill "$(ikelab_dir "$s")/sshd.pid"
	done
	IKL_WEST_VENDOR=sw IKL_EAST_VENDOR=sw
	[[ $(real_pair) == lw-sw ]] && IKL_WEST_VENDOR=lw
	ikelab_net_down
	ip link del "$REAL_HOST_LINK" 2>/dev/null || true
	ip route del "${IKELAB_WEST_WAN%.*}.0/24" via "$REAL_RTR_ADDR" 2>/dev/null || true
	ip route del "${IKELAB_EAST_WAN%.*}.0/24" via "$REAL_RTR_ADDR" 2>/dev/null || true
}

case ${1:-} in
up) real_up ;;
scenario) real_scenario "${2:?scenario name}" ;;
down) real_down ;;
*) ikelab_die "usage: real.sh up | scenario NAME | down" ;;
esac

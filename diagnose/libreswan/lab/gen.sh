#!/usr/bin/env bash
# gen.sh — capture REAL libreswan (pluto) output for tunneldoc's libreswan
# readers.
#
# Two IKE peers in network namespaces this script creates: lsw-a
# (198.18.44.1, protects 10.61.7.0/24) and lsw-b (198.18.44.2, protects
# 10.62.7.0/24) on one veth pair. Each runs its own pluto in a private
# mount namespace where the Debian libreswan 4.10 files are bind-mounted
# over /usr/libexec/ipsec, /usr/sbin/ipsec and /etc/ipsec.* (so the commands
# are the real `ipsec auto --up`, `ipsec status`, ... and they can sit next
# to an installed strongSwan), with its own /run/pluto and its own NSS db,
# and /dev/log a socket of its own so that pluto's syslog(3) datagrams are
# captured too.
#
# For each scenario it writes both ipsec.conf files, starts both plutos,
# runs `ipsec auto --up` on the initiator (bounded by timeouts) and stores
# under OUT/<scenario>/:
#   a-syslog.log               A's pluto logs to syslog: its datagrams as a
#                              syslog daemon writes them ("<PRI>" replaced
#                              by the host name, nothing else changed)
#   b-pluto.log                B's pluto logs to a file (--logfile:
#                              timestamped plain lines); pluto writes one
#                              or the other, never both
#   a-up.txt (or b-up.txt)     what `ipsec auto --up` printed
#   a-status.txt, b-status.txt `ipsec status`
#   a-trafficstatus.txt, a-showstates.txt, a-whack-status.txt
# A is the side an engineer would paste from; B is the remote peer.
# Responder-side scenarios let B initiate.
#
# This kernel has no XFRM ESP: installing the IPsec SA fails ("Protocol not
# supported"), so no scenario carries real ESP traffic; IKE is unchanged by
# that and what pluto says about the failed install is kept as it is. For
# the same reason there is no DPD scenario: with the peer silenced under an
# established IKE SA and no IPsec SA, pluto sent no DPD / liveness probe
# in 40 s (dpddelay=3s), IKEv1 or IKEv2.
#
# Usage (root; needs the libreswan .deb extracted with dpkg -x into
# LSW_ROOT, its library dependencies installed, iproute2, nftables,
# util-linux, python3, certutil):
#   LSW_ROOT=/tmp/lsw/root diagnose/libreswan/lab/gen.sh [scenario ...]
# Every scenario takes 10-60 s (all of them about 10 minutes). It removes
# its namespaces, processes and OUT/<scenario> before each run and cleans
# up on exit. CI does not run it; the captured files are test data.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../testdata/lab}
WORK=${WORK:-/tmp/tunneldoc-lswlab}
LSW_ROOT=${LSW_ROOT:-/tmp/lsw/root}
NSA=lsw-a
NSB=lsw-b
ADDR_A=198.18.44.1
ADDR_B=198.18.44.2
NET_A=10.61.7.0/24
NET_B=10.62.7.0/24
PSK='lab-only-not-a-secret-7f3a'
ALL=(healthy-v2 healthy-v1 unreachable-v2 unreachable-v1 ike-proposal-v2 ike-proposal-v1
	psk-v2 psk-v1 esp-proposal-v2 esp-proposal-v1 pfs-v1 ts-v2 ts-v1 id-v2
	missing-peer-v2 missing-peer-v1 ike-version psk-v2-debug esp-proposal-v1-debug)

# shellcheck source=../../lab/pair.sh
. "$HERE/../../lab/pair.sh"

[[ $(id -u) -eq 0 ]] || { echo "gen.sh: needs root" >&2; exit 1; }
[[ -x $LSW_ROOT/usr/libexec/ipsec/pluto ]] || { echo "gen.sh: no pluto under $LSW_ROOT" >&2; exit 1; }

pids=()
stop_all() {
	local p
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	pids=()
}
teardown() {
	stop_all
	pair_down "$NSA" "$NSB"
}
trap teardown EXIT

setup_net() {
	teardown
	pair_up "$NSA" "$NSB" lswa0 lswb0 "$ADDR_A/24" "$ADDR_B/24" 10.61.7.1/24 10.62.7.1/24
}

# conf side me peer mynet peernet key=value...: an ipsec.conf with one conn
# "lab"; a key=value given replaces the default of that key
conf() {
	local side=$1 me=$2 peer=$3 mynet=$4 peernet=$5 debug=none
	shift 5
	mkdir -p "$WORK/$side/etc/ipsec.d" "$WORK/$side/run"
	local -A kv=([left]=$me [right]=$peer [leftsubnet]=$mynet [rightsubnet]=$peernet
		[authby]=secret [auto]=add [retransmit-timeout]=12s [rekey]=no)
	local -a order=(left right leftsubnet rightsubnet authby auto retransmit-timeout rekey)
	local a
	for a in "$@"; do
		if [[ ${a%%=*} == plutodebug ]]; then debug=${a#*=}; continue; fi
		[[ -v kv[${a%%=*}] ]] || order+=("${a%%=*}")
		kv[${a%%=*}]=${a#*=}
	done
	{
		echo "config setup"
		echo "	plutodebug=$debug"
		echo "	ikev1-policy=accept"
		echo "conn lab"
		for a in "${order[@]}"; do echo "	$a=${kv[$a]}"; done
	} >"$WORK/$side/etc/ipsec.conf"
}
secret() { # side psk: one key for whatever the peer's identity
	printf ': PSK "%s"\n' "$2" >"$WORK/$1/etc/ipsec.secrets"
	chmod 600 "$WORK/$1/etc/ipsec.secrets"
}

# start side ns host: pluto in its own mount namespace
start() {
	local side=$1 ns=$2 host=$3 d=$WORK/$1 logarg=
	# pluto logs to a file or to syslog, never both: A to syslog, B to a file
	[[ $side == b ]] && logarg="--logfile $d/pluto.log"
	mkdir -p "$d/olddev" "$d/nss"
	certutil -N -d "sql:$d/nss" --empty-password >/dev/null
	: >"$d/pluto.log"
	: >"$d/syslog.raw"
	cat >"$d/inner.sh" <<INNER
set -e
mount --make-rprivate /
mount --bind /dev "$d/olddev"
mount -t tmpfs none /dev
for n in null zero random urandom; do touch /dev/\$n; mount --bind "$d/olddev/\$n" /dev/\$n; done
mkdir -p /run/pluto
mount -t tmpfs none /run/pluto
mount --bind "$LSW_ROOT/usr/libexec/ipsec" /usr/libexec/ipsec 2>/dev/null || { mkdir -p /usr/libexec/ipsec; mount --bind "$LSW_ROOT/usr/libexec/ipsec" /usr/libexec/ipsec; }
mount --bind "$LSW_ROOT/usr/sbin/ipsec" /usr/sbin/ipsec
[ -e /etc/ipsec.conf ] || touch /etc/ipsec.conf
[ -e /etc/ipsec.secrets ] || touch /etc/ipsec.secrets
mkdir -p /etc/ipsec.d
mount --bind "$d/etc/ipsec.conf" /etc/ipsec.conf
mount --bind "$d/etc/ipsec.secrets" /etc/ipsec.secrets
mount --bind "$d/nss" /etc/ipsec.d
hostname "$host" 2>/dev/null || true
# one datagram is one line, as a syslog daemon writes it
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
out = open(sys.argv[1], "ab", buffering=0)
while True:
    out.write(s.recv(65536).rstrip(b"\n") + b"\n")
' "$d/syslog.raw" &
sleep 0.3
exec /usr/libexec/ipsec/pluto --nofork --config /etc/ipsec.conf --nssdir /etc/ipsec.d $logarg
INNER
	ip netns exec "$ns" unshare -m --uts bash "$d/inner.sh" >"$d/pluto.stderr" 2>&1 &
	pids+=($!)
	echo $! >"$d/unshare.pid"
	ikelab_wait 10 pluto_listening "$side" && return 0
	echo "gen.sh: pluto $side did not start" >&2
	cat "$d/pluto.stderr" >&2
	return 1
}

# pluto_pid side: the pluto process (ip, unshare and bash exec into it)
pluto_pid() { local p; p=$(cat "$WORK/$1/unshare.pid"); [[ $(cat /proc/$p/comm 2>/dev/null) == pluto ]] && echo "$p"; }
pluto_root() { local p; p=$(pluto_pid "$1") && echo "/proc/$p/root"; }
pluto_listening() { local r; r=$(pluto_root "$1") && [[ -S $r/run/pluto/pluto.ctl ]]; }

# in side cmd...: run a command in the side's namespaces, bounded
in_side() {
	local side=$1
	shift
	timeout 60 nsenter -t "$(pluto_pid "$side")" -m -n -u -- "$@"
}

load() { in_side "$1" ipsec auto --add lab >/dev/null 2>&1 || true; in_side "$1" ipsec auto --rereadsecrets >/dev/null 2>&1 || true; }

collect() { # scenario
	local o=$OUT/$1 side
	for side in a b; do
		in_side $side ipsec status >"$o/$side-status.txt" 2>&1 || true
		in_side $side ipsec trafficstatus >"$o/$side-trafficstatus.txt" 2>&1 || true
		in_side $side ipsec showstates >"$o/$side-showstates.txt" 2>&1 || true
	done
	in_side a ipsec whack --status >"$o/a-whack-status.txt" 2>&1 || true
	stop_all
	cp "$WORK/b/pluto.log" "$o/b-pluto.log"
	# "<PRI>Mmm dd hh:mm:ss tag[pid]: msg" -> "Mmm dd hh:mm:ss host tag[pid]: msg"
	sed -E "s/^<[0-9]+>(.{15}) /\1 lab-a /" "$WORK/a/syslog.raw" | tr -d '\000' >"$o/a-syslog.log"
	# the lab PSK is not quoted anywhere, but make sure
	if grep -rqF "$PSK" "$o"; then echo "gen.sh: PSK leaked into $o" >&2; exit 1; fi
}

# run scenario initiator "A-conf-extra" "B-conf-extra" [A-psk] [B-psk]
run() {
	local name=$1 init=$2 aextra=$3 bextra=$4 apsk=${5:-$PSK} bpsk=${6:-$PSK}
	ikelab_log "$name"
	setup_net
	rm -rf "$WORK" "${OUT:?}/$name"
	mkdir -p "$OUT/$name"
	local -a ax bx
	read -r -a ax <<<"$aextra"
	read -r -a bx <<<"$bextra"
	conf a $ADDR_A $ADDR_B $NET_A $NET_B "${ax[@]}"
	conf b $ADDR_B $ADDR_A $NET_B $NET_A "${bx[@]}"
	secret a "$apsk"
	secret b "$bpsk"
	if [[ $name == missing-peer-* ]]; then
		# B knows no connection for A
		sed -i -e "s/right=$ADDR_A/right=198.18.44.9/" "$WORK/b/etc/ipsec.conf"
	fi
	start a $NSA lab-a
	start b $NSB lab-b
	if [[ $name == unreachable-* ]]; then
		ip netns exec "$NSB" nft -f - <<NFT
table inet lswlab {
	chain in {
		type filter hook input priority 0;
		udp dport { 500, 4500 } drop
	}
}
NFT
	fi
	load a
	load b
	in_side "$init" timeout 50 ipsec auto --up lab >"$OUT/$name/$init-up.txt" 2>&1 || true
	sleep 2
	collect "$name"
}

scenario() {
	local v1="ikev2=no" v2="ikev2=insist"
	case $1 in
	healthy-v2) run "$1" a "$v2" "$v2" ;;
	healthy-v1) run "$1" a "$v1" "$v1" ;;
	unreachable-v2) run "$1" a "$v2" "$v2" ;;
	unreachable-v1) run "$1" a "$v1" "$v1" ;;
	ike-proposal-v2) run "$1" a "$v2 ike=aes256-sha2_256-modp2048" "$v2 ike=aes128-sha1-modp1536" ;;
	ike-proposal-v1) run "$1" a "$v1 ike=aes256-sha2_256-modp2048" "$v1 ike=aes128-sha1-modp1536" ;;
	psk-v2) run "$1" a "$v2" "$v2" "$PSK" "$PSK-other" ;;
	psk-v1) run "$1" a "$v1" "$v1" "$PSK" "$PSK-other" ;;
	esp-proposal-v2) run "$1" a "$v2 esp=aes256-sha2_512" "$v2 esp=aes128-sha1" ;;
	esp-proposal-v1) run "$1" a "$v1 esp=aes256-sha2_512" "$v1 esp=aes128-sha1" ;;
	pfs-v1) run "$1" a "$v1 pfs=no" "$v1 pfs=yes" ;;
	ts-v2) run "$1" a "$v2" "$v2 rightsubnet=10.61.99.0/24" ;;
	ts-v1) run "$1" a "$v1" "$v1 rightsubnet=10.61.99.0/24" ;;
	id-v2) run "$1" a "$v2 leftid=@lab-a.example" "$v2 rightid=@someone-else.example" ;;
	missing-peer-v2) run "$1" a "$v2" "$v2" ;;
	missing-peer-v1) run "$1" a "$v1" "$v1" ;;
	ike-version) run "$1" a "$v2" "$v1" ;;
	psk-v2-debug) run "$1" a "$v2 plutodebug=all" "$v2 plutodebug=all" "$PSK" "$PSK-other" ;;
	esp-proposal-v1-debug) run "$1" a "$v1 esp=aes256-sha2_512 plutodebug=all" "$v1 esp=aes128-sha1 plutodebug=all" ;;
	*) echo "gen.sh: unknown scenario $1" >&2; exit 2 ;;
	esac
}

if [[ $# -eq 0 ]]; then set -- "${ALL[@]}"; fi
for s in "$@"; do scenario "$s"; done

#!/usr/bin/env bash
# gen.sh — real IKE negotiations between strongSwan and libreswan, captured
# as the diagnosis engine's testdata (diagnose/testdata/lab/).
#
# Every case is a real negotiation: two gateways in network namespaces
# (lib.sh draws the topology), real daemons, a scenario made by changing
# one side's real configuration or dropping packets on the router with
# nftables. For each case it stores, under
#   OUT/<pair>/<version>-<scenario>/<level>/
#     west.log, east.log                 each daemon's own log file
#     <side>-swanctl-initiate.txt, <side>-ipsec-up.txt, <side>-ipsec-auto-up.txt
#                                        what the initiating command printed
#     <side>-swanctl-list-sas.txt, <side>-swanctl-list-conns.txt   (strongSwan, swanctl)
#     <side>-ipsec-statusall.txt, <side>-ipsec-status.txt          (strongSwan, ipsec.conf)
#     <side>-ipsec-status.txt, <side>-ipsec-trafficstatus.txt      (libreswan)
#     west-ping.txt                      healthy only: ping through the tunnel
# and OUT/<pair>/<version>-<scenario>/setup.txt saying what was set up. The
# expected diagnosis per side and level (expect.txt beside setup.txt) is
# written by hand from reading the logs; gen.sh never touches it.
#
# Pairs are <west>-<east>: sw = strongSwan 5.9.8 (west runs swanctl/vici,
# east runs ipsec.conf/starter, so both deployments are covered), lw =
# libreswan 4.10. west always initiates; east is the responder. Versions:
# ikev2, ikev1. Levels: default (charon filelog default 1; pluto without
# plutodebug) and verbose (charon ike/cfg/knl/net/chd 2; plutodebug=all).
# Every level is its own negotiation.
#
# What this machine cannot produce, and what the data shows instead: see
# README.md beside this script (libreswan needs XFRM ESP in the kernel
# to install an IPsec SA; strongSwan here runs ESP in userspace).
#
# Needs: root, Linux network namespaces, nftables, iproute2, ping, openssl,
# certutil and pk12util (libnss3-tools), strongSwan (Debian 12: strongswan-
# charon strongswan-swanctl strongswan-starter strongswan-pki
# libstrongswan-standard-plugins libcharon-extra-plugins) and libreswan.
# libreswan's Debian package conflicts with strongSwan's; when pluto is not
# installed, gen.sh fetches the package with `apt-get download libreswan`
# and unpacks it (dpkg -x, not installed) into its work folder.
#
# Usage:
#   sudo devices/lab/ikelab/gen.sh [-p sw-sw,lw-lw,sw-lw,lw-sw] [-v ikev2,ikev1]
#                                  [-l default,verbose] [scenario ...]
# With no arguments every case runs: 4 pairs x 2 versions x 18 scenarios x
# 2 levels, about 50 minutes on two cores shared with other work (measured:
# sw-sw 6 min, lw-lw 18, sw-lw and lw-sw 25 together; 3-45 s a case, the
# libreswan ones waiting out its 10 s retransmit timeout). Two runs can go
# side by side with different IKELAB_PREFIX and IKELAB_WORK (-p sw-sw,lw-lw
# beside -p sw-lw,lw-sw: 26 minutes for everything). It is idempotent:
# each case removes its namespaces, processes and output folder first, and
# a trap removes namespaces and processes on every exit. Work files live in
# IKELAB_WORK (/tmp/tunneldoc-ikelab); output goes only to OUT. CI does not
# run it: the captured files are committed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
OUT=${OUT:-$(cd "$HERE/../../.." && pwd)/diagnose/testdata/lab}

ALL_PAIRS=(sw-sw lw-lw sw-lw lw-sw)
ALL_VERSIONS=(ikev2 ikev1)
ALL_LEVELS=(default verbose)
ALL_SCENARIOS=(healthy ike-proposal-mismatch psk-mismatch id-mismatch missing-peer-config
	cert-expired cert-untrusted peer-unreachable peer-down nat-t-blocked
	esp-proposal-mismatch pfs-mismatch ts-mismatch dpd-dead ike-version-mismatch
	one-way-no-return-route mode-config-failure xauth-failure)

declare -A DESC=(
	[healthy]='healthy pair; west pings the host behind east through the tunnel'
	[ike-proposal-mismatch]='east allows only IKE aes128-sha1-ecp256; west offers aes256-sha256-modp2048'
	[psk-mismatch]='east has a different pre-shared key'
	[id-mismatch]='east presents the identity osprey-gw.vpn.example; west expects osprey.vpn.example'
	[missing-peer-config]='east has no connection for west: its only connection is for another peer (198.19.214.77, heron.vpn.example)'
	[cert-expired]='certificate authentication; east certificate expired yesterday'
	[cert-untrusted]='certificate authentication; east certificate is issued by a CA west does not trust'
	[peer-unreachable]='the router drops UDP/500 both ways'
	[peer-down]='no IKE daemon runs on east'
	[nat-t-blocked]='the router masquerades west (east sees it as 198.19.214.1) and drops UDP/4500'
	[esp-proposal-mismatch]='east allows only ESP aes128-sha1; west offers aes256-sha256'
	[pfs-mismatch]='west wants PFS (modp2048) for the IPsec/CHILD SA, east has PFS off (IKEv2 with a strongSwan initiator: childless IKE SA, so the CHILD SA comes in CREATE_CHILD_SA)'
	[ts-mismatch]='east expects 100.71.9.0/24 behind west instead of 100.71.8.0/24'
	[dpd-dead]='tunnel comes up, then the router drops all IKE and ESP; west runs DPD every 2 s'
	[ike-version-mismatch]='east speaks the other IKE version'
	[mode-config-failure]='west asks for a virtual IP (remote access client); east has no address pool'
	[xauth-failure]='IKEv1 remote access: west authenticates with the PSK and then XAuth as user kestrel-ops; east holds another XAuth password for that user'
	[one-way-no-return-route]='tunnel comes up, then east loses its route to 100.71.8.0/24 (the one its IKE daemon installed); west pings: east decrypts the pings and sends the replies elsewhere, unencrypted'
)

usage() {
	sed -n '/^# Usage:/,/^# With no/p' "$0" >&2
	exit 2
}

pairs=("${ALL_PAIRS[@]}") versions=("${ALL_VERSIONS[@]}") levels=("${ALL_LEVELS[@]}")
while getopts 'p:v:l:h' opt; do
	case $opt in
	p) IFS=, read -ra pairs <<<"$OPTARG" ;;
	v) IFS=, read -ra versions <<<"$OPTARG" ;;
	l) IFS=, read -ra levels <<<"$OPTARG" ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=("${ALL_SCENARIOS[@]}")
for s in "${scenarios[@]}"; do
	[[ -n ${DESC[$s]:-} ]] || { echo "gen.sh: unknown scenario $s" >&2; usage; }
done

[[ $(id -u) -eq 0 ]] || ikelab_die "needs root (network namespaces, nftables)"
for b in "$IKELAB_CHARON" swanctl ipsec pki nft ip ping timeout nsenter unshare openssl certutil pk12util dpkg; do
	command -v "$b" >/dev/null 2>&1 || [[ -x $b ]] || ikelab_die "missing $b"
done

trap ikelab_net_down EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
# Scenario helpers.

start_side() {
	ikelab_defaults "$1"
	ikelab_start "$1"
}

start_both() {
	start_side west
	start_side east
}

initiate_west() {
	ikelab_up west
	ikelab_fg sleep 1 # let the responder's last lines reach its log
}

other_version() { [[ $1 == 1 ]] && echo 2 || echo 1; }

# skip_reason pair version scenario: why a case cannot be produced, or "".
skip_reason() {
	local pair=$1 ver=$2 scen=$3
	if [[ $scen == xauth-failure && $ver == ikev2 ]]; then
		echo 'XAuth is an IKEv1 exchange; IKEv2 has no XAuth'
	elif [[ $scen == mode-config-failure && $pair == *lw* ]]; then
		echo 'this lab sets up remote access address assignment between strongSwan gateways only'
	elif [[ $scen == one-way-no-return-route && $pair == *lw* ]]; then
		echo 'needs an IPsec SA carrying traffic, and libreswan cannot install one on this kernel (no XFRM ESP)'
	elif [[ $scen == pfs-mismatch && $ver == ikev2 && $pair == lw-* ]]; then
		echo 'an IKEv2 libreswan initiator always creates the first CHILD SA inside IKE_AUTH, where no PFS group is negotiated (RFC 7296 1.2); the mismatch would only show at the first CHILD SA rekey, and libreswan cannot install a CHILD SA on this kernel (no XFRM ESP), so there is none to rekey'
	fi
}

run_scenario() {
	local scen=$1
	case $scen in
	healthy)
		start_both
		initiate_west
		ikelab_fg ikelab_ping west >"$(ikelab_dir west)/out-ping.txt" 2>&1 || true
		;;
	ike-proposal-mismatch)
		IKL_EAST_IKE=aes128-sha1-ecp256
		start_both
		initiate_west
		;;
	psk-mismatch)
		IKL_EAST_PSK=Kx7-lab-shared-R9
		start_both
		initiate_west
		;;
	id-mismatch)
		IKL_EAST_ID=osprey-gw.vpn.example
		start_both
		initiate_west
		;;
	missing-peer-config)
		IKL_EAST_PEER=198.19.214.77 IKL_EAST_PEERID=heron.vpn.example IKL_EAST_PEERNET=100.71.44.0/24
		start_both
		initiate_west
		;;
	cert-expired | cert-untrusted)
		ikelab_make_pki
		IKL_WEST_AUTH=cert IKL_EAST_AUTH=cert IKL_EAST_CERT=east-${scen#cert-}
		start_both
		initiate_west
		;;
	peer-unreachable)
		start_both
		ikelab_drop_udp500
		initiate_west
		;;
	peer-down)
		ikelab_defaults east
		start_side west
		initiate_west
		;;
	nat-t-blocked)
		IKL_EAST_PEER=$IKELAB_RTR_EAST
		ikelab_nat_west block4500
		start_both
		initiate_west
		;;
	esp-proposal-mismatch)
		IKL_EAST_ESP=aes128-sha1
		start_both
		initiate_west
		;;
	pfs-mismatch)
		IKL_EAST_PFS=''
		if [[ $IKL_WEST_VENDOR == sw && $IKL_WEST_VERSION == 2 ]]; then
			IKL_WEST_EXTRA='childless = force'
		fi
		start_both
		initiate_west
		;;
	ts-mismatch)
		IKL_EAST_PEERNET=100.71.9.0/24
		start_both
		initiate_west
		;;
	dpd-dead)
		IKL_WEST_DPD=2
		start_both
		initiate_west
		ikelab_fg sleep 3
		ikelab_drop_ike_all
		ikelab_fg sleep 24
		;;
	ike-version-mismatch)
		IKL_EAST_VERSION=$(other_version "$IKL_WEST_VERSION")
		start_both
		initiate_west
		;;
	mode-config-failure)
		IKL_WEST_EXTRA='vips = 0.0.0.0'
		start_both
		initiate_west
		;;
	xauth-failure)
		if [[ $IKL_WEST_VENDOR == lw ]]; then
			IKL_WEST_EXTRA='leftxauthclient=yes
	leftusername=kestrel-ops
	rightxauthserver=yes'
			IKL_WEST_XSECRETS='@kestrel-ops : XAUTH "Ops-lab-pass-7"'
		else
			IKL_WEST_EXTRA='local-xauth {
			auth = xauth
			xauth_id = kestrel-ops
		}'
			IKL_WEST_XSECRETS='xauth-ops {
		id = kestrel-ops
		secret = "Ops-lab-pass-7"
	}'
		fi
		if [[ $IKL_EAST_VENDOR == lw ]]; then
			IKL_EAST_EXTRA='leftxauthserver=yes
	rightxauthclient=yes
	xauthby=file'
			IKL_EAST_XPASSWD="kestrel-ops:$(openssl passwd -6 Ops-lab-pass-8):$IKELAB_EAST_CONN"
		else
			IKL_EAST_EXTRA='rightauth2=xauth'
			IKL_EAST_XSECRETS='kestrel-ops : XAUTH "Ops-lab-pass-8"'
		fi
		start_both
		initiate_west
		;;
	one-way-no-return-route)
		start_both
		initiate_west
		ikelab_drop_return_route east
		ikelab_fg ikelab_ping west >"$(ikelab_dir west)/out-ping.txt" 2>&1 || true
		;;
	esac
}

# collect dir: status of every running daemon, then the logs as they are
# (before the daemons stop: a log ends where an engineer would copy it,
# not with the shutdown), then stop.
collect() {
	local dir=$1 side d f base
	for side in west east; do
		d=$(ikelab_dir "$side")
		[[ -f $d/daemon.pid ]] && ikelab_status "$side"
	done
	rm -rf "$dir"
	mkdir -p "$dir"
	for side in west east; do
		d=$(ikelab_dir "$side")
		[[ -s $d/$side.log ]] && cp "$d/$side.log" "$dir/$side.log"
		for f in "$d"/out-*.txt; do
			[[ -e $f ]] || continue
			base=$(basename "$f")
			cp "$f" "$dir/$side-${base#out-}"
		done
	done
	for side in west east; do
		ikelab_stop "$side"
	done
	return 0
}

vendor_name() { [[ $1 == sw ]] && echo 'strongSwan 5.9.8' || echo 'libreswan 4.10'; }

write_setup() { # file pair version scenario
	local f=$1 pair=$2 ver=$3 scen=$4 w=${2%-*} e=${2#*-} wd ed
	wd="west: $(vendor_name "$w")"
	ed="east: $(vendor_name "$e")"
	[[ $w == sw ]] && wd+=' (swanctl.conf, vici)'
	[[ $e == sw ]] && ed+=' (ipsec.conf, starter/stroke)'
	{
		echo "scenario: $scen, ${ver^^}"
		echo "$wd, $IKELAB_WEST_WAN, id $IKELAB_WEST_ID, net $IKELAB_WEST_NET, connection $IKELAB_WEST_CONN"
		echo "$ed, $IKELAB_EAST_WAN, id $IKELAB_EAST_ID, net $IKELAB_EAST_NET, connection $IKELAB_EAST_CONN"
		echo "west initiates; east responds"
		echo "change from a healthy pair: ${DESC[$scen]}"
	} >"$f"
}

run_case() { # pair version scenario level
	local pair=$1 ver=$2 scen=$3 level=$4 sdir reason
	sdir=$OUT/$pair/$ver-$scen
	reason=$(skip_reason "$pair" "$ver" "$scen")
	mkdir -p "$sdir"
	if [[ -n $reason ]]; then
		ikelab_log "$pair $ver $scen: not produced"
		rm -rf "${sdir:?}/$level"
		echo "not produced: $reason" >"$sdir/NOT-PRODUCED.txt"
		return 0
	fi
	ikelab_log "$pair $ver $scen $level"
	rm -f "$sdir/NOT-PRODUCED.txt"
	ikelab_reset
	IKL_WEST_VENDOR=${pair%-*} IKL_EAST_VENDOR=${pair#*-}
	IKL_WEST_FLAVOR=swanctl IKL_EAST_FLAVOR=stroke
	IKL_WEST_VERSION=${ver#ikev} IKL_EAST_VERSION=${ver#ikev}
	IKL_WEST_LEVEL=$level IKL_EAST_LEVEL=$level
	rm -rf "$(ikelab_dir west)" "$(ikelab_dir east)"
	ikelab_net_up
	run_scenario "$scen"
	collect "$sdir/$level"
	ikelab_net_down
	write_setup "$sdir/setup.txt" "$pair" "$ver" "$scen"
}

mkdir -p "$OUT" "$IKELAB_WORK"
for pair in "${pairs[@]}"; do
	[[ $pair == *lw* ]] && ikelab_libreswan_prepare
	for ver in "${versions[@]}"; do
		for scen in "${scenarios[@]}"; do
			for level in "${levels[@]}"; do
				run_case "$pair" "$ver" "$scen" "$level"
			done
		done
	done
done
ikelab_log "done: $OUT"

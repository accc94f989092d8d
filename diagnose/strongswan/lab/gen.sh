#!/usr/bin/env bash
# gen.sh — capture REAL strongSwan (charon + swanctl) logs for tunneldoc's
# strongswan parsers and rule cases.
#
# The lab that runs strongSwan and libreswan against each other, IKEv1 and
# IKEv2, at two log levels, is devices/lab/ikelab (its captures are under
# diagnose/testdata/lab). This script stays for the captures under
# diagnose/strongswan/testdata/lab that the strongswan package's tests and
# some engine cases read.
#
# What it does: builds two IKE peers in network namespaces it creates itself
# (tdsw-a = 10.99.0.1, tdsw-b = 10.99.0.2 on one veth pair; inner test nets
# 10.99.1.0/24 behind A and 10.99.2.0/24 behind B, one host each on lo). These
# addresses exist ONLY inside the two namespaces; nothing is sent anywhere
# else. Each peer runs its own charon with its own strongswan.conf
# (STRONGSWAN_CONF), its own vici socket and its own filelog, in a private
# mount namespace with a tmpfs on /run (charon's pid file path is fixed).
# ESP runs in userspace (kernel-libipsec over a TUN device) because the
# kernels this was written on lack XFRM ESP ("Protocol not supported"); the
# IKE side, which is what the logs are about, is unchanged by that.
# For every scenario it writes fresh swanctl.conf files, starts both
# charons, drives `swanctl --load-all` / `--initiate` (all bounded by
# timeouts), and stores under OUT/<scenario>/:
#   a-charon.log, b-charon.log          the two charon filelogs
#   a-initiate.txt                      what `swanctl --initiate` printed (when A initiated)
#   a-list-sas.txt, b-list-sas.txt      `swanctl --list-sas` at the end
#   a-list-conns.txt                    `swanctl --list-conns` on A
#   a-ping.txt                          ping through the CHILD_SA (healthy only)
#
# A is always the side whose logs an engineer would paste; B is always the
# remote peer 10.99.0.2. Responder-side failures (missing peer config, id
# mismatch) are produced by letting B initiate towards A.
#
# Log formats: A's filelog has a timestamp and the IKE_SA name
# ("Nov 23 20:01:02 09[IKE] <lab|1> ..."); B's has neither ("09[IKE] ...").
#
# Usage (root; needs packages strongswan-charon strongswan-swanctl
# strongswan-pki libstrongswan-standard-plugins nftables iproute2
# iputils-ping):
#   sudo diagnose/strongswan/lab/gen.sh [scenario ...]
# With no arguments every scenario runs (about 3 minutes). It is idempotent:
# it removes its namespaces, processes and OUT/<scenario> before each run
# and cleans up on exit. CI does not run it; the captured files are
# committed as test data.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../testdata/lab}
WORK=${WORK:-/tmp/tunneldoc-swlab}
NSA=tdsw-a
NSB=tdsw-b
CHARON=${CHARON:-/usr/lib/ipsec/charon}
ALL_SCENARIOS=(healthy peer-unreachable ike-proposal-mismatch psk-mismatch
	missing-peer-config id-mismatch ts-mismatch esp-proposal-mismatch
	pfs-mismatch ike-version-mismatch ike-version-mismatch-v1 dpd-dead cert-expired)

# shellcheck source=../../lab/pair.sh
. "$HERE/../../lab/pair.sh"

[[ $(id -u) -eq 0 ]] || { echo "gen.sh: needs root (network namespaces, xfrm)" >&2; exit 1; }
for b in "$CHARON" swanctl pki nft ip ping timeout; do
	command -v "$b" >/dev/null 2>&1 || [[ -x $b ]] || { echo "gen.sh: missing $b" >&2; exit 1; }
done

stop_charon() { ikelab_kill "$WORK/$1/charon.pid"; } # side

teardown() {
	stop_charon a
	stop_charon b
	pair_down "$NSA" "$NSB"
}
trap teardown EXIT

setup_net() {
	teardown
	pair_up "$NSA" "$NSB" va vb 10.99.0.1/24 10.99.0.2/24 10.99.1.1/32 10.99.2.1/32
}

ns_of() { [[ $1 == a ]] && echo "$NSA" || echo "$NSB"; }

# write_strongswan_conf side: charon with a small plugin set, fast
# retransmits (3 tries, ~7 s) so that give-ups happen within the run.
write_strongswan_conf() {
	local side=$1 d=$WORK/$1 tf ikename
	if [[ $side == a ]]; then
		tf='time_format = %b %e %T'
		ikename='ike_name = yes'
	else
		tf=''
		ikename='ike_name = no'
	fi
	mkdir -p "$d/swanctl"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12,conf.d}
	cat >"$d/strongswan.conf" <<EOF
charon {
	load_modular = no
	load = random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey aes sha1 sha2 hmac kdf gmp kernel-libipsec kernel-netlink socket-default updown vici
	install_routes = yes
	retransmit_tries = 3
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	plugins {
		vici {
			socket = unix://$d/charon.vici
		}
	}
	filelog {
		lab {
			path = $d/charon.log
			$tf
			$ikename
			append = no
			flush_line = yes
			default = 1
		}
	}
	syslog {
	}
}
swanctl {
	load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey
}
pki {
	load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey
}
EOF
}

start_charon() { # side
	local side=$1 d=$WORK/$1 ns
	ns=$(ns_of "$side")
	rm -f "$d/charon.vici" "$d/charon.log"
	ip netns exec "$ns" env STRONGSWAN_CONF="$d/strongswan.conf" \
		sh -c 'mount -t tmpfs tdsw-run /run && exec "$0"' "$CHARON" \
		>"$d/charon.stdout" 2>&1 &
	echo $! >"$d/charon.pid"
	ikelab_wait 10 test -S "$d/charon.vici" && return 0
	echo "gen.sh: charon $side did not open its vici socket" >&2
	cat "$d/charon.stdout" >&2
	return 1
}

sw() { # side args... : swanctl against that side's charon, bounded
	local side=$1 d=$WORK/$1
	shift
	STRONGSWAN_CONF="$d/strongswan.conf" SWANCTL_DIR="$d/swanctl" \
		timeout 40 swanctl "$@" --uri "unix://$d/charon.vici"
}

# conn side: writes that side's swanctl.conf from the variables below.
# Each scenario sets only what differs from a healthy pair.
conn() {
	local side=$1 d=$WORK/$1 me peer me_id peer_id lts rts
	if [[ $side == a ]]; then
		me=10.99.0.1 peer=${A_REMOTE:-10.99.0.2} me_id=a.tunneldoc.test peer_id=${A_REMOTE_ID:-b.tunneldoc.test}
		lts=${A_LTS:-10.99.1.0/24} rts=${A_RTS:-10.99.2.0/24}
	else
		me=10.99.0.2 peer=10.99.0.1 me_id=b.tunneldoc.test peer_id=a.tunneldoc.test
		lts=${B_LTS:-10.99.2.0/24} rts=${B_RTS:-10.99.1.0/24}
	fi
	local v=${side^^}
	local ver_var=${v}_VERSION ike_var=${v}_IKE esp_var=${v}_ESP psk_var=${v}_PSK dpd_var=${v}_DPD extra_var=${v}_EXTRA auth_var=${v}_AUTH
	local auth=${!auth_var:-psk}
	local local_auth remote_auth
	if [[ $auth == cert ]]; then
		local_auth="auth = pubkey
			certs = $side.pem"
		remote_auth="auth = pubkey"
	else
		local_auth="auth = psk"
		remote_auth="auth = psk"
	fi
	cat >"$d/swanctl/swanctl.conf" <<EOF
connections {
	lab {
		version = ${!ver_var:-2}
		local_addrs = $me
		remote_addrs = $peer
		proposals = ${!ike_var:-aes256-sha256-modp2048}
		dpd_delay = ${!dpd_var:-0}s
		${!extra_var:-}
		local {
			$local_auth
			id = $me_id
		}
		remote {
			$remote_auth
			id = $peer_id
		}
		children {
			net {
				local_ts = $lts
				remote_ts = $rts
				esp_proposals = ${!esp_var:-aes256-sha256}
				dpd_action = clear
				start_action = none
			}
		}
	}
}
secrets {
	ike-lab {
		id-a = a.tunneldoc.test
		id-b = b.tunneldoc.test
		secret = "${!psk_var:-tunneldoc-lab-psk-1}"
	}
}
EOF
}

both_up() {
	write_strongswan_conf a
	write_strongswan_conf b
	start_both
}

# start_both: both sides' swanctl.conf, their charons, --load-all.
start_both() {
	conn a
	conn b
	start_charon a
	start_charon b
	sw a --load-all >"$WORK/a/load.txt" 2>&1 || true
	sw b --load-all >"$WORK/b/load.txt" 2>&1 || true
}

initiate() { # side [extra args]; output kept for the initiating side
	local side=$1
	shift
	sw "$side" --initiate --child net --timeout 25 "$@" >"$WORK/$side/initiate.txt" 2>&1 || true
}

block_ike() { # side: that side neither receives nor sends IKE/ESP (a firewall, a dead box)
	ip netns exec "$(ns_of "$1")" nft -f - <<'EOF'
table inet tdsw {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport { 500, 4500 } drop
		meta l4proto esp drop
	}
	chain output {
		type filter hook output priority 0; policy accept;
		udp sport { 500, 4500 } drop
		meta l4proto esp drop
	}
}
EOF
}

collect() { # scenario
	local s=$1 o=$OUT/$1
	sw a --list-sas >"$WORK/a/list-sas.txt" 2>&1 || true
	sw b --list-sas >"$WORK/b/list-sas.txt" 2>&1 || true
	sw a --list-conns >"$WORK/a/list-conns.txt" 2>&1 || true
	stop_charon a
	stop_charon b
	rm -rf "$o"
	mkdir -p "$o"
	cp "$WORK/a/charon.log" "$o/a-charon.log"
	cp "$WORK/b/charon.log" "$o/b-charon.log"
	cp "$WORK/a/list-sas.txt" "$o/a-list-sas.txt"
	cp "$WORK/b/list-sas.txt" "$o/b-list-sas.txt"
	cp "$WORK/a/list-conns.txt" "$o/a-list-conns.txt"
	[[ -s $WORK/a/initiate.txt ]] && cp "$WORK/a/initiate.txt" "$o/a-initiate.txt"
	[[ -s $WORK/b/initiate.txt ]] && cp "$WORK/b/initiate.txt" "$o/b-initiate.txt"
	[[ -s $WORK/a/ping.txt ]] && cp "$WORK/a/ping.txt" "$o/a-ping.txt"
	return 0
}

make_certs() { # expired: "yes" gives B a certificate that expired yesterday
	local expired=$1 d=$WORK/pki
	rm -rf "$d"
	mkdir -p "$d"
	export STRONGSWAN_CONF=$WORK/a/strongswan.conf
	pki --gen --type ecdsa --size 256 --outform pem >"$d/ca.key"
	pki --self --ca --lifetime 30 --in "$d/ca.key" --type ecdsa \
		--dn "C=XX, O=tunneldoc lab, CN=tunneldoc lab CA" --outform pem >"$d/ca.pem"
	local side
	for side in a b; do
		pki --gen --type ecdsa --size 256 --outform pem >"$d/$side.key"
		local validity=(--lifetime 30)
		if [[ $side == b && $expired == yes ]]; then
			validity=(--not-before "$(date -u -d '-20 days' '+%d.%m.%y %T')"
				--not-after "$(date -u -d '-1 day' '+%d.%m.%y %T')")
		fi
		pki --pub --in "$d/$side.key" --type ecdsa |
			pki --issue --cacert "$d/ca.pem" --cakey "$d/ca.key" "${validity[@]}" \
				--dn "C=XX, O=tunneldoc lab, CN=$side.tunneldoc.test" \
				--san "$side.tunneldoc.test" --outform pem >"$d/$side.pem"
		cp "$d/$side.key" "$WORK/$side/swanctl/private/$side.key"
		cp "$d/$side.pem" "$WORK/$side/swanctl/x509/$side.pem"
		cp "$d/ca.pem" "$WORK/$side/swanctl/x509ca/ca.pem"
	done
	unset STRONGSWAN_CONF
}

reset_vars() {
	unset A_REMOTE A_REMOTE_ID A_LTS A_RTS B_LTS B_RTS A_VERSION B_VERSION A_IKE B_IKE \
		A_ESP B_ESP A_PSK B_PSK A_DPD B_DPD A_EXTRA B_EXTRA A_AUTH B_AUTH
	rm -rf "$WORK/a" "$WORK/b"
	mkdir -p "$WORK/a" "$WORK/b"
}

run_scenario() {
	local s=$1
	ikelab_log "scenario $s"
	reset_vars
	setup_net
	case $s in
	healthy)
		both_up
		initiate a
		ip netns exec "$NSA" timeout 10 ping -c 3 -W 1 -I 10.99.1.1 10.99.2.1 >"$WORK/a/ping.txt" 2>&1 || true
		;;
	peer-unreachable) # B's charon runs, but a firewall in B drops IKE
		both_up
		block_ike b
		initiate a
		;;
	ike-proposal-mismatch)
		B_IKE=aes128-sha1-ecp256
		both_up
		initiate a
		;;
	psk-mismatch)
		B_PSK=tunneldoc-lab-psk-2
		both_up
		initiate a
		;;
	missing-peer-config) # A only knows a peer 10.99.0.3; B (10.99.0.2) initiates
		A_REMOTE=10.99.0.3
		both_up
		initiate b
		;;
	id-mismatch) # A expects the old id of B; B initiates with its real id
		A_REMOTE_ID=b-old.tunneldoc.test
		both_up
		initiate b
		;;
	ts-mismatch) # B protects 10.99.3.0/24 instead of A's 10.99.1.0/24
		B_RTS=10.99.3.0/24
		both_up
		initiate a
		;;
	esp-proposal-mismatch)
		B_ESP=aes128-sha1
		both_up
		initiate a
		;;
	pfs-mismatch) # PFS group on A only; childless IKE_SA so the first CHILD_SA uses CREATE_CHILD_SA with KE
		A_ESP=aes256-sha256-modp2048
		B_ESP=aes256-sha256
		A_EXTRA='childless = force'
		both_up
		initiate a
		;;
	ike-version-mismatch) # A speaks IKEv2, B's connection is IKEv1
		B_VERSION=1
		both_up
		initiate a
		;;
	ike-version-mismatch-v1) # A speaks IKEv1, B's connection is IKEv2
		A_VERSION=1
		both_up
		initiate a
		;;
	dpd-dead) # tunnel up, then B stops answering; A runs DPD every 2 s
		A_DPD=2
		both_up
		initiate a
		sleep 4 # let the MOBIKE address update finish first
		block_ike b
		sleep 25
		;;
	cert-expired) # certificate auth; B's certificate expired yesterday
		A_AUTH=cert
		B_AUTH=cert
		write_strongswan_conf a
		write_strongswan_conf b
		make_certs yes
		start_both
		initiate a
		;;
	# The *-responder variants let B initiate, so A's log is the
	# responder's view of the same failure.
	ike-proposal-mismatch-responder)
		B_IKE=aes128-sha1-ecp256
		both_up
		initiate b
		;;
	psk-mismatch-responder)
		B_PSK=tunneldoc-lab-psk-2
		both_up
		initiate b
		;;
	ts-mismatch-responder) # B asks for 10.99.3.0/24 behind A
		B_RTS=10.99.3.0/24
		both_up
		initiate b
		;;
	esp-proposal-mismatch-responder)
		B_ESP=aes128-sha1
		both_up
		initiate b
		;;
	pfs-mismatch-responder) # B wants PFS (modp2048), A has none
		B_ESP=aes256-sha256-modp2048
		A_ESP=aes256-sha256
		B_EXTRA='childless = force'
		both_up
		initiate b
		;;
	ike-version-mismatch-responder) # B initiates IKEv1 Main Mode, A is IKEv2 only
		B_VERSION=1
		both_up
		initiate b
		;;
	pfs-invalid-ke) # both want PFS but A's first group is not B's: INVALID_KE_PAYLOAD, then a retry that works
		A_ESP=aes256-sha256-modp2048-ecp256
		B_ESP=aes256-sha256-ecp256
		A_EXTRA='childless = force'
		both_up
		initiate a
		;;
	*)
		echo "gen.sh: unknown scenario $s" >&2
		return 1
		;;
	esac
	collect "$s"
	teardown
}

mkdir -p "$OUT" "$WORK"
scenarios=("$@")
[[ ${#scenarios[@]} -gt 0 ]] || scenarios=("${ALL_SCENARIOS[@]}")
for s in "${scenarios[@]}"; do
	run_scenario "$s"
done
ikelab_log "done: $OUT"

# shellcheck shell=bash
# lib.sh — the IKE lab's building blocks: network namespaces, one private
# mount namespace per gateway, strongSwan (charon, swanctl or ipsec.conf)
# and libreswan (pluto) daemons, their configuration, packet drops with
# nftables, and status collection. Sourced by gen.sh (the engine's
# real-negotiation testdata) and meant to be sourced by anything else that
# needs real IKE daemons (a live lab for `check tunnel`); it has no side
# effects when sourced.
#
# Topology (every address exists only inside the namespaces made here):
#
#   [west gw] wan0 198.18.73.5/24 --- 198.18.73.1 [router] 198.19.214.1 --- 198.19.214.9/24 wan0 [east gw]
#   inner net 100.71.8.0/24                                                  inner net 172.29.203.0/24
#   (100.71.8.1 on west's lo)                                                (172.29.203.1 on east's lo)
#
# The router forwards between the two gateways; it is where the lab drops
# packets (nftables) and, for the NAT scenarios, masquerades west.
#
# Each gateway gets a "holder" process living in the gateway's network
# namespace and in a mount namespace of its own, where /run is a tmpfs and
# the vendor's configuration files are bind-mounted over /etc/... (and, when
# libreswan is not installed as a package, its files over /usr/sbin/ipsec).
# Daemons and commands run inside it with ikelab_in, so `swanctl
# --list-sas`, `ipsec statusall` or `ipsec status` are exactly the commands
# an engineer types.

IKELAB_PREFIX=${IKELAB_PREFIX:-ikl}
IKELAB_WORK=${IKELAB_WORK:-/tmp/tunneldoc-ikelab}

# Addressing.
IKELAB_WEST_WAN=198.18.73.5
IKELAB_RTR_WEST=198.18.73.1
IKELAB_EAST_WAN=198.19.214.9
IKELAB_RTR_EAST=198.19.214.1
IKELAB_WEST_NET=100.71.8.0/24
IKELAB_WEST_HOST=100.71.8.1
IKELAB_EAST_NET=172.29.203.0/24
IKELAB_EAST_HOST=172.29.203.1
# Identities and connection names.
IKELAB_WEST_ID=kestrel.vpn.example
IKELAB_EAST_ID=osprey.vpn.example
IKELAB_WEST_CONN=kestrel-osprey
IKELAB_EAST_CONN=osprey-kestrel

IKELAB_CHARON=${IKELAB_CHARON:-/usr/lib/ipsec/charon}

ikelab_log() { printf '== %s\n' "$*" >&2; }
ikelab_die() {
	printf 'ikelab: %s\n' "$*" >&2
	exit 1
}

ikelab_ns() { echo "$IKELAB_PREFIX-$1"; } # side (west|east|rtr) -> namespace name
ikelab_dir() { echo "$IKELAB_WORK/$1"; }  # side -> its work folder
ikelab_other() { [[ $1 == west ]] && echo east || echo west; }

# ikelab_fg command...: runs command in the background and waits for it,
# so that a signal to the script is handled at once (bash runs traps only
# between foreground commands) instead of after a long sleep or initiate.
ikelab_fg() {
	"$@" &
	wait $!
}

# ikelab_wait seconds command...: runs command every 0.1 s until it succeeds
# or the time is up (then returns 1).
ikelab_wait() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------------------
# Network.

ikelab_net_up() {
	ikelab_net_down
	local w e r
	w=$(ikelab_ns west) e=$(ikelab_ns east) r=$(ikelab_ns rtr)
	ip netns add "$w"
	ip netns add "$e"
	ip netns add "$r"
	ip -n "$w" link add wan0 type veth peer name to-west netns "$r"
	ip -n "$e" link add wan0 type veth peer name to-east netns "$r"
	ip -n "$w" addr add "$IKELAB_WEST_WAN/24" dev wan0
	ip -n "$e" addr add "$IKELAB_EAST_WAN/24" dev wan0
	ip -n "$r" addr add "$IKELAB_RTR_WEST/24" dev to-west
	ip -n "$r" addr add "$IKELAB_RTR_EAST/24" dev to-east
	ip -n "$w" addr add "$IKELAB_WEST_HOST/32" dev lo
	ip -n "$e" addr add "$IKELAB_EAST_HOST/32" dev lo
	local ns
	for ns in "$w" "$e" "$r"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$w" link set wan0 up
	ip -n "$e" link set wan0 up
	ip -n "$r" link set to-west up
	ip -n "$r" link set to-east up
	ip -n "$w" route add default via "$IKELAB_RTR_WEST"
	ip -n "$e" route add default via "$IKELAB_RTR_EAST"
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
}

ikelab_net_down() {
	local side
	for side in west east; do
		ikelab_stop "$side"
	done
	local ns pid
	for side in west east rtr; do
		ns=$(ikelab_ns "$side")
		# anything still running in a lab namespace was started by the lab
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
}

# ikelab_nft side ruleset: loads an nftables ruleset into that namespace.
ikelab_nft() {
	ip netns exec "$(ikelab_ns "$1")" nft -f - <<<"$2"
}

# ikelab_drop_udp500: the router drops IKE on UDP/500 both ways.
ikelab_drop_udp500() {
	ikelab_nft rtr 'table inet ikelab_drop {
	chain forward {
		type filter hook forward priority 0; policy accept;
		udp dport 500 drop
		udp sport 500 drop
	}
}'
}

# ikelab_drop_ike_all: the router drops IKE (500, 4500) and ESP both ways.
ikelab_drop_ike_all() {
	ikelab_nft rtr 'table inet ikelab_dropall {
	chain forward {
		type filter hook forward priority 0; policy accept;
		udp dport { 500, 4500 } drop
		udp sport { 500, 4500 } drop
		meta l4proto esp drop
	}
}'
}

# ikelab_nat_west [block4500]: the router masquerades west behind its east
# address (198.19.214.1), so the peers see a NAT; with block4500 it also
# drops UDP/4500, the port IKE moves to once NAT is detected.
ikelab_nat_west() {
	local block=''
	[[ ${1:-} == block4500 ]] && block='udp dport 4500 drop
		udp sport 4500 drop'
	ikelab_nft rtr "table ip ikelab_nat {
	chain post {
		type nat hook postrouting priority 100; policy accept;
		ip saddr $IKELAB_WEST_WAN oifname \"to-east\" masquerade
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
		$block
	}
}"
}

# ikelab_drop_return_route side: that gateway loses its route to the net
# behind its peer (the route the IKE daemon installed: strongSwan's
# kernel-libipsec puts it in table 220), so it still decrypts what comes
# through the tunnel but sends its answers elsewhere, unencrypted.
ikelab_drop_return_route() {
	local ns net
	ns=$(ikelab_ns "$1")
	[[ $1 == west ]] && net=$IKELAB_EAST_NET || net=$IKELAB_WEST_NET
	ip -n "$ns" route del "$net" table 220 2>/dev/null || ip -n "$ns" route del "$net"
}

# ---------------------------------------------------------------------------
# Holder: one private mount namespace per gateway.

# ikelab_holder_start side bind...: each bind is "source:target"; /run is
# a fresh tmpfs. The holder's pid is in <dir>/holder.pid.
ikelab_holder_start() {
	local side=$1 d
	shift
	d=$(ikelab_dir "$side")
	mkdir -p "$d"
	rm -f "$d/holder.ready"
	local script='mount -t tmpfs ikelab-run /run && mkdir -p /run/pluto'
	local b
	for b in "$@"; do
		if [[ $b == libexec-ipsec:* ]]; then
			# /usr/libexec/ipsec (a path pluto has compiled in) made to
			# point at SRC: a tmpfs over /usr/libexec holding links to
			# the machine's own entries plus ipsec -> SRC.
			script+=" && mkdir /run/host-libexec && mount --bind /usr/libexec /run/host-libexec"
			script+=" && mount -t tmpfs ikelab-libexec /usr/libexec"
			script+=" && for e in /run/host-libexec/*; do ln -s \"\$e\" /usr/libexec/; done"
			script+=" && rm -f /usr/libexec/ipsec && ln -s '${b#*:}' /usr/libexec/ipsec"
			continue
		fi
		[[ -e ${b#*:} ]] || ikelab_die "bind target ${b#*:} does not exist on this machine"
		script+=" && mount --bind '${b%%:*}' '${b#*:}'"
	done
	script+=" && touch '$d/holder.ready' && exec sleep 86400"
	ip netns exec "$(ikelab_ns "$side")" unshare --mount --propagation private \
		sh -c "$script" >"$d/holder.out" 2>&1 &
	echo $! >"$d/holder.pid"
	ikelab_wait 10 test -e "$d/holder.ready" || {
		cat "$d/holder.out" >&2
		ikelab_die "holder for $side did not start"
	}
}

# ikelab_in side command...: runs command inside that gateway's network
# and mount namespaces.
ikelab_in() {
	local side=$1 d
	shift
	d=$(ikelab_dir "$side")
	nsenter -t "$(cat "$d/holder.pid")" -m -n -- env IPSEC_EXECDIR="$IKELAB_LW_EXECDIR" "$@"
}

# ikelab_spawn side out command...: starts command in the background
# inside that gateway's namespaces, its output in out; the process's own
# pid (nsenter and env exec it) goes to <dir>/daemon.pid.
ikelab_spawn() {
	local side=$1 out=$2 d
	shift 2
	d=$(ikelab_dir "$side")
	(exec nsenter -t "$(cat "$d/holder.pid")" -m -n -- env IPSEC_EXECDIR="$IKELAB_LW_EXECDIR" "$@" >"$out" 2>&1) &
	echo $! >"$d/daemon.pid"
}

# ikelab_gone pid: the process has ended (a zombie waiting for its
# parent, or for an init that reaps slowly, has ended too).
ikelab_gone() {
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	st=${st##*) } # the state follows the command name, which may hold spaces
	[[ -z $st || ${st%% *} == Z ]]
}

# ikelab_kill pidfile: TERM, a bounded wait, then KILL.
ikelab_kill() {
	local pidf=$1 pid
	[[ -f $pidf ]] || return 0
	pid=$(cat "$pidf")
	rm -f "$pidf"
	kill -TERM "$pid" 2>/dev/null || return 0
	ikelab_wait 5 ikelab_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
}

ikelab_stop_side() {
	local d
	d=$(ikelab_dir "$1")
	ikelab_kill "$d/daemon.pid"
	ikelab_kill "$d/journald.pid"
	ikelab_kill "$d/holder.pid"
}

# ikelab_journald_start side: a systemd-journald of that gateway's own,
# its sockets and volatile journal on the gateway's private /run; its
# pid goes to <dir>/journald.pid.
ikelab_journald_start() {
	local side=$1 d
	d=$(ikelab_dir "$side")
	# journald needs a cgroup hierarchy; the namespace's own /sys has none
	ikelab_in "$side" sh -c 'mountpoint -q /sys/fs/cgroup || mount -t cgroup2 ikelab-cgroup /sys/fs/cgroup' ||
		ikelab_die "systemd-journald on $side: no cgroup file system to mount"
	(exec nsenter -t "$(cat "$d/holder.pid")" -m -n -- /lib/systemd/systemd-journald >"$d/journald.out" 2>&1) &
	echo $! >"$d/journald.pid"
	ikelab_wait 10 ikelab_in "$side" test -S /run/systemd/journal/stdout || {
		cat "$d/journald.out" >&2
		ikelab_die "systemd-journald on $side did not start"
	}
}

# ---------------------------------------------------------------------------
# libreswan: a Debian package that conflicts with strongSwan's. When pluto
# is not installed, the package is unpacked (dpkg -x, not installed) into
# the work folder and its `ipsec` command bound over /usr/sbin/ipsec in the
# gateway's mount namespace only.

IKELAB_LW_EXECDIR=/usr/libexec/ipsec
IKELAB_LW_ROOT=''

ikelab_libreswan_prepare() {
	if [[ -x /usr/libexec/ipsec/pluto ]]; then
		IKELAB_LW_ROOT=''
		IKELAB_LW_EXECDIR=/usr/libexec/ipsec
		return 0
	fi
	# IKELAB_LW_CACHE: a folder kept across labs for the unpacked package
	local root=${IKELAB_LW_CACHE:-$IKELAB_WORK}/libreswan-root
	if [[ ! -x $root/usr/libexec/ipsec/pluto ]]; then
		local deb=${IKELAB_LW_CACHE:-$IKELAB_WORK}/debs
		rm -rf "$deb" "$root"
		mkdir -p "$deb"
		(cd "$deb" && timeout 120 apt-get download libreswan >/dev/null 2>&1) ||
			ikelab_die "libreswan: neither installed nor downloadable with apt-get download"
		dpkg -x "$deb"/libreswan_*.deb "$root"
	fi
	IKELAB_LW_ROOT=$root
	IKELAB_LW_EXECDIR=/usr/libexec/ipsec
}

# ---------------------------------------------------------------------------
# Per-side settings. A scenario sets only what differs from a healthy pair;
# ikelab_defaults side fills in the rest. Variables are named
# IKL_<SIDE>_<KEY> (SIDE is WEST or EAST):
#   VENDOR   sw (strongSwan) or lw (libreswan)
#   FLAVOR   strongSwan only: swanctl (vici) or stroke (ipsec.conf + starter)
#   VERSION  1 or 2 (IKE version)
#   IKE      IKE proposal, strongSwan spelling (aes256-sha256-modp2048)
#   ESP      ESP proposal without a group (aes256-sha256)
#   PFS      PFS group for the CHILD/IPsec SA ("" for none)
#   PSK      pre-shared key
#   AUTH     psk or cert
#   CERT     with AUTH=cert: which certificate of ikelab_make_pki (west, east,
#            east-expired, east-untrusted)
#   ADDR     own outside address;  PEER   the peer's address it talks to
#   ID       own identity;         PEERID the identity it expects
#   NET      protected net behind it; PEERNET the net it expects behind the peer
#   DPD      dead peer detection interval in seconds (0: off)
#   LEVEL    log level: default or verbose
#   EXTRA    vendor lines added to the connection, verbatim
#   XSECRETS vendor lines added to the secrets (swanctl secrets block, ipsec.secrets)
#   XPASSWD  libreswan only: lines of /etc/ipsec.d/passwd (its XAuth server's users)
#   CONN     connection name;      CHILD  swanctl child name
#   JOURNAL  strongSwan swanctl only: yes to run a systemd-journald of the
#            gateway's own (in its mount namespace) and send charon's log
#            there too (identifier charon), as on a systemd host

IKELAB_KEYS=(VENDOR FLAVOR VERSION IKE ESP PFS PSK AUTH CERT ADDR PEER ID PEERID NET PEERNET DPD LEVEL EXTRA XSECRETS XPASSWD CONN CHILD JOURNAL)

ikelab_get() { local v="IKL_${1^^}_$2"; echo "${!v:-}"; }
ikelab_set() { printf -v "IKL_${1^^}_$2" '%s' "$3"; }
# ikv key: a key of the side named by the caller's local _s.
ikv() { ikelab_get "$_s" "$1"; }

ikelab_reset() {
	local side k
	for side in WEST EAST; do
		for k in "${IKELAB_KEYS[@]}"; do
			unset "IKL_${side}_$k"
		done
	done
}

# ikelab_defaults side: fills every unset key of that side with the
# healthy value.
ikelab_defaults() {
	local s=$1 k v
	local -A def=(
		[FLAVOR]=swanctl [VERSION]=2 [IKE]=aes256-sha256-modp2048 [ESP]=aes256-sha256
		[PFS]=modp2048 [PSK]=Kx7-lab-shared-Q2 [AUTH]=psk [CERT]=$s [DPD]=0 [LEVEL]=default [EXTRA]='' [XSECRETS]='' [XPASSWD]=''
		[JOURNAL]=no
	)
	if [[ $s == west ]]; then
		def+=([ADDR]=$IKELAB_WEST_WAN [PEER]=$IKELAB_EAST_WAN [ID]=$IKELAB_WEST_ID
			[PEERID]=$IKELAB_EAST_ID [NET]=$IKELAB_WEST_NET [PEERNET]=$IKELAB_EAST_NET
			[CONN]=$IKELAB_WEST_CONN [CHILD]=kestrel-lan)
	else
		def+=([ADDR]=$IKELAB_EAST_WAN [PEER]=$IKELAB_WEST_WAN [ID]=$IKELAB_EAST_ID
			[PEERID]=$IKELAB_WEST_ID [NET]=$IKELAB_EAST_NET [PEERNET]=$IKELAB_WEST_NET
			[CONN]=$IKELAB_EAST_CONN [CHILD]=osprey-lan)
	fi
	for k in "${!def[@]}"; do
		v="IKL_${s^^}_$k"
		declare -p "$v" &>/dev/null || printf -v "$v" "%s" "${def[$k]}"
	done
}

# ---------------------------------------------------------------------------
# strongSwan.

# sw_strongswan_conf side: charon with a small plugin set, kernel-libipsec
# (ESP in userspace over a TUN device: the lab's kernels may lack XFRM ESP),
# fast retransmits (3 tries, ~7 s) so that give-ups happen within a run,
# and a filelog at the side's level. west's log carries a timestamp and the
# IKE_SA name, east's neither (both are charon filelog formats).
sw_strongswan_conf() {
	local s=$1 d levels tf='' ikename='ike_name = no'
	d=$(ikelab_dir "$s")
	if [[ $(ikelab_get "$s" LEVEL) == verbose ]]; then
		levels='default = 1
			ike = 2
			cfg = 2
			knl = 2
			net = 2
			chd = 2'
	else
		levels='default = 1'
	fi
	if [[ $s == west ]]; then
		tf='time_format = %b %e %T'
		ikename='ike_name = yes'
	fi
	local journal=''
	# charon's standard error (unbuffered: each line goes at once) is the
	# journal's (sw_start); the journal adds the time, charon the IKE_SA
	# name, as charon-systemd logs
	if [[ $(ikelab_get "$s" JOURNAL) == yes ]]; then
		journal="journal {
			path = stderr
			ike_name = yes
			$levels
		}"
	fi
	cat >"$d/etc/strongswan.conf" <<EOF
charon {
	load_modular = no
	load = random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey aes sha1 sha2 hmac kdf gmp kernel-libipsec kernel-netlink socket-default updown vici stroke xauth-generic
	install_routes = yes
	retransmit_tries = 3
	retransmit_timeout = 1.0
	retransmit_base = 1.4
	filelog {
		lab {
			path = $d/$s.log
			$tf
			$ikename
			append = no
			flush_line = yes
			$levels
		}
		$journal
	}
	syslog {
	}
}
swanctl {
	load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey
}
starter {
	load_warning = no
}
EOF
}

sw_proposals() { # side: ESP proposal with the PFS group, if any
	local esp pfs
	esp=$(ikelab_get "$1" ESP) pfs=$(ikelab_get "$1" PFS)
	[[ -n $pfs ]] && esp+="-$pfs"
	echo "$esp"
}

sw_swanctl_conf() {
	local _s=$1 d
	d=$(ikelab_dir "$_s")
	local local_auth remote_auth
	if [[ $(ikv AUTH) == cert ]]; then
		local_auth="auth = pubkey
			certs = $_s.pem"
		cp "$IKELAB_WORK/pki/$(ikv CERT).pem" "$d/etc/swanctl/x509/$_s.pem"
		cp "$IKELAB_WORK/pki/$(ikv CERT).key" "$d/etc/swanctl/private/$_s.key"
		cp "$IKELAB_WORK/pki/ca.pem" "$d/etc/swanctl/x509ca/ca.pem"
		remote_auth='auth = pubkey'
	else
		local_auth='auth = psk'
		remote_auth='auth = psk'
	fi
	local dpd='' send_cert=''
	[[ $(ikv DPD) != 0 ]] && dpd="dpd_delay = $(ikv DPD)s"
	# always send the certificate: a peer that sends no certificate
	# request (libreswan, IKEv1) would otherwise get none
	[[ $(ikv AUTH) == cert ]] && send_cert='send_cert = always'

	cat >"$d/etc/swanctl/swanctl.conf" <<EOF
connections {
	$(ikv CONN) {
		version = $(ikv VERSION)
		local_addrs = $(ikv ADDR)
		remote_addrs = $(ikv PEER)
		proposals = $(ikv IKE)
		$dpd
		$send_cert
		local {
			$local_auth
			id = $(ikv ID)
		}
		remote {
			$remote_auth
			id = $(ikv PEERID)
		}
		$(ikv EXTRA)
		children {
			$(ikv CHILD) {
				local_ts = $(ikv NET)
				remote_ts = $(ikv PEERNET)
				esp_proposals = $(sw_proposals "$_s")
				dpd_action = clear
				start_action = none
			}
		}
	}
}
secrets {
	ike-lab {
		secret = "$(ikv PSK)"
	}
	$(ikv XSECRETS)
}
EOF
}

# ipsec_conf_ends: the left/right lines of an ipsec.conf conn (strongSwan's
# and libreswan's spell them alike) for the side in the caller's _s.
ipsec_conf_ends() {
	printf '\tleft=%s\n\tleftid=@%s\n\tleftsubnet=%s\n' "$(ikv ADDR)" "$(ikv ID)" "$(ikv NET)"
	printf '\tright=%s\n\trightid=@%s\n\trightsubnet=%s' "$(ikv PEER)" "$(ikv PEERID)" "$(ikv PEERNET)"
}

sw_stroke_conf() {
	local _s=$1 d
	d=$(ikelab_dir "$_s")
	local auth debug='' ke
	[[ $(ikv LEVEL) == verbose ]] && debug='ike 2, cfg 2, knl 2, net 2, chd 2'
	[[ $(ikv VERSION) == 1 ]] && ke=ikev1 || ke=ikev2
	if [[ $(ikv AUTH) == cert ]]; then
		auth="leftauth=pubkey
	leftcert=$_s.pem
	leftsendcert=always
	rightauth=pubkey"
	else
		auth='authby=secret'
	fi
	local dpd=''
	[[ $(ikv DPD) != 0 ]] && dpd="dpddelay=$(ikv DPD)s
	dpdaction=clear"
	cat >"$d/etc/ipsec.conf" <<EOF
config setup
	charondebug="$debug"

conn $(ikv CONN)
	keyexchange=$ke
$(ipsec_conf_ends)
	$auth
	ike=$(ikv IKE)!
	esp=$(sw_proposals "$_s")!
	$dpd
	$(ikv EXTRA)
	auto=add
EOF
	if [[ $(ikv AUTH) == cert ]]; then
		cp "$IKELAB_WORK/pki/$(ikv CERT).pem" "$d/etc/ipsec.d/certs/$_s.pem"
		cp "$IKELAB_WORK/pki/$(ikv CERT).key" "$d/etc/ipsec.d/private/$_s.key"
		cp "$IKELAB_WORK/pki/ca.pem" "$d/etc/ipsec.d/cacerts/ca.pem"
		echo ": RSA $_s.key" >"$d/etc/ipsec.secrets"
	else
		printf ': PSK "%s"\n' "$(ikv PSK)" >"$d/etc/ipsec.secrets"
	fi
	[[ -z $(ikv XSECRETS) ]] || echo "$(ikv XSECRETS)" >>"$d/etc/ipsec.secrets"
}

# sw_start side: writes the side's configuration and starts charon (swanctl
# flavor) or starter+charon (stroke flavor) in the side's namespaces.
sw_start() {
	local s=$1 d flavor
	d=$(ikelab_dir "$s")
	flavor=$(ikelab_get "$s" FLAVOR)
	mkdir -p "$d/etc/swanctl"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12,conf.d} \
		"$d/etc/ipsec.d"/{cacerts,certs,private,crls,aacerts,ocspcerts,acerts}
	rm -f "$d/$s.log"
	sw_strongswan_conf "$s"
	if [[ $flavor == stroke ]]; then
		sw_stroke_conf "$s"
		ikelab_holder_start "$s" "$d/etc/strongswan.conf:/etc/strongswan.conf" \
			"$d/etc/ipsec.conf:/etc/ipsec.conf" "$d/etc/ipsec.secrets:/etc/ipsec.secrets" \
			"$d/etc/ipsec.d:/etc/ipsec.d"
		ikelab_spawn "$s" "$d/daemon.out" ipsec start --nofork
		ikelab_wait 15 ikelab_in "$s" test -S /run/charon.ctl || {
			cat "$d/daemon.out" >&2
			ikelab_die "strongSwan starter on $s did not start"
		}
		# starter loads the connections once charon is up
		ikelab_wait 10 grep -q "added configuration '$(ikelab_get "$s" CONN)'" "$d/$s.log" || true
	else
		sw_swanctl_conf "$s"
		local binds=("$d/etc/strongswan.conf:/etc/strongswan.conf" "$d/etc/swanctl:/etc/swanctl") charon=("$IKELAB_CHARON")
		if [[ $(ikelab_get "$s" JOURNAL) == yes ]]; then
			printf '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToWall=no\nForwardToConsole=no\n' >"$d/journald.conf"
			binds+=("$d/journald.conf:/etc/systemd/journald.conf")
			charon=(systemd-cat -t charon "$IKELAB_CHARON")
		fi
		ikelab_holder_start "$s" "${binds[@]}"
		if [[ $(ikelab_get "$s" JOURNAL) == yes ]]; then
			ikelab_journald_start "$s"
		fi
		ikelab_spawn "$s" "$d/daemon.out" "${charon[@]}"
		ikelab_wait 15 ikelab_in "$s" test -S /run/charon.vici || {
			cat "$d/daemon.out" >&2
			ikelab_die "charon on $s did not start"
		}
		ikelab_in "$s" timeout 30 swanctl --load-all >"$d/load.txt" 2>&1 || true
	fi
}

# sw_up side: the side initiates; what the command printed is kept.
sw_up() {
	local s=$1 d
	d=$(ikelab_dir "$s")
	if [[ $(ikelab_get "$s" FLAVOR) == stroke ]]; then
		ikelab_fg ikelab_in "$s" timeout 40 ipsec up "$(ikelab_get "$s" CONN)" >"$d/out-ipsec-up.txt" 2>&1 || true
	else
		ikelab_fg ikelab_in "$s" timeout 40 swanctl --initiate --child "$(ikelab_get "$s" CHILD)" --timeout 30 \
			>"$d/out-swanctl-initiate.txt" 2>&1 || true
	fi
}

sw_status() {
	local s=$1 d
	d=$(ikelab_dir "$s")
	if [[ $(ikelab_get "$s" FLAVOR) == stroke ]]; then
		ikelab_in "$s" timeout 20 ipsec statusall >"$d/out-ipsec-statusall.txt" 2>&1 || true
		ikelab_in "$s" timeout 20 ipsec status >"$d/out-ipsec-status.txt" 2>&1 || true
	else
		ikelab_in "$s" timeout 20 swanctl --list-sas >"$d/out-swanctl-list-sas.txt" 2>&1 || true
		ikelab_in "$s" timeout 20 swanctl --list-conns >"$d/out-swanctl-list-conns.txt" 2>&1 || true
	fi
}

sw_stop() {
	local s=$1 d
	d=$(ikelab_dir "$s")
	if [[ $(ikelab_get "$s" FLAVOR) == stroke && -f $d/holder.pid ]]; then
		ikelab_in "$s" timeout 15 ipsec stop >/dev/null 2>&1 || true
	fi
	ikelab_kill "$d/daemon.pid"
}

# ---------------------------------------------------------------------------
# libreswan.

lw_alg() { # strongSwan algorithm spelling -> libreswan's
	sed -e 's/sha256/sha2_256/g; s/sha384/sha2_384/g; s/sha512/sha2_512/g' \
		-e 's/ecp256/dh19/g; s/ecp384/dh20/g; s/ecp521/dh21/g' <<<"$1"
}

lw_conf() {
	local _s=$1 d
	d=$(ikelab_dir "$_s")
	local debug=none auth v2 pfs esp
	[[ $(ikv LEVEL) == verbose ]] && debug=all
	[[ $(ikv VERSION) == 1 ]] && v2=no || v2=yes
	esp=$(lw_alg "$(ikv ESP)")
	if [[ -n $(ikv PFS) ]]; then
		pfs=yes
		esp+="-$(lw_alg "$(ikv PFS)")"
	else
		pfs=no
	fi
	if [[ $(ikv AUTH) == cert ]]; then
		auth="authby=rsasig
	leftcert=$_s
	leftsendcert=always"
	else
		auth='authby=secret'
	fi
	local dpd=''
	[[ $(ikv DPD) != 0 ]] && dpd="dpddelay=$(ikv DPD)
	dpdtimeout=$(($(ikv DPD) * 4))
	dpdaction=clear"
	cat >"$d/etc/ipsec.conf" <<EOF
config setup
	logfile=$d/$_s.log
	logappend=no
	logtime=yes
	plutodebug=$debug
	nssdir=$d/nss
	ikev1-policy=accept
	dumpdir=/run/pluto

conn $(ikv CONN)
	ikev2=$v2
$(ipsec_conf_ends)
	$auth
	ike=$(lw_alg "$(ikv IKE)")
	esp=$esp
	pfs=$pfs
	retransmit-timeout=10s
	$dpd
	$(ikv EXTRA)
	auto=add
EOF
	if [[ $(ikv AUTH) == cert ]]; then
		: >"$d/etc/ipsec.secrets"
	else
		printf ': PSK "%s"\n' "$(ikv PSK)" >"$d/etc/ipsec.secrets"
	fi
	[[ -z $(ikv XSECRETS) ]] || echo "$(ikv XSECRETS)" >>"$d/etc/ipsec.secrets"
}

lw_start() {
	local s=$1 d
	d=$(ikelab_dir "$s")
	mkdir -p "$d/etc" "$d/nss"
	rm -f "$d/$s.log"
	lw_conf "$s"
	rm -rf "$d/nss"
	mkdir -p "$d/nss"
	certutil -N -d "sql:$d/nss" --empty-password
	if [[ $(ikelab_get "$s" AUTH) == cert ]]; then
		local p=$IKELAB_WORK/pki
		certutil -A -d "sql:$d/nss" -n lab-ca -t 'CT,,' -a -i "$p/ca.pem"
		openssl pkcs12 -export -in "$p/$(ikelab_get "$s" CERT).pem" -inkey "$p/$(ikelab_get "$s" CERT).key" \
			-name "$s" -passout pass: -out "$d/$s.p12"
		pk12util -i "$d/$s.p12" -d "sql:$d/nss" -W '' >/dev/null
	fi
	mkdir -p "$d/etc/ipsec.d"
	printf '%s\n' "$(ikelab_get "$s" XPASSWD)" >"$d/etc/ipsec.d/passwd"
	local binds=("$d/etc/ipsec.conf:/etc/ipsec.conf" "$d/etc/ipsec.secrets:/etc/ipsec.secrets"
		"$d/etc/ipsec.d:/etc/ipsec.d")
	[[ -n $IKELAB_LW_ROOT ]] && binds+=("$IKELAB_LW_ROOT/usr/sbin/ipsec:/usr/sbin/ipsec"
		"libexec-ipsec:$IKELAB_LW_ROOT/usr/libexec/ipsec")
	ikelab_holder_start "$s" "${binds[@]}"
	ikelab_spawn "$s" "$d/daemon.out" /usr/libexec/ipsec/pluto --config /etc/ipsec.conf --nofork
	ikelab_wait 15 ikelab_in "$s" test -S /run/pluto/pluto.ctl || {
		cat "$d/daemon.out" >&2
		ikelab_die "pluto on $s did not start"
	}
	ikelab_in "$s" timeout 20 ipsec auto --add "$(ikelab_get "$s" CONN)" >"$d/load.txt" 2>&1 || true
}

lw_up() {
	local s=$1 d
	d=$(ikelab_dir "$s")
	ikelab_fg ikelab_in "$s" timeout 40 ipsec auto --up "$(ikelab_get "$s" CONN)" >"$d/out-ipsec-auto-up.txt" 2>&1 || true
}

lw_status() {
	local s=$1 d
	d=$(ikelab_dir "$s")
	ikelab_in "$s" timeout 20 ipsec status >"$d/out-ipsec-status.txt" 2>&1 || true
	ikelab_in "$s" timeout 20 ipsec trafficstatus >"$d/out-ipsec-trafficstatus.txt" 2>&1 || true
}

lw_stop() {
	local s=$1 d
	d=$(ikelab_dir "$s")
	if [[ -f $d/holder.pid ]]; then
		ikelab_in "$s" timeout 15 ipsec whack --shutdown >/dev/null 2>&1 || true
	fi
	ikelab_kill "$d/daemon.pid"
}

# ---------------------------------------------------------------------------
# Vendor-neutral entry points.

ikelab_vendor() { ikelab_get "$1" VENDOR; }
ikelab_start() { "$(ikelab_vendor "$1")_start" "$1"; }
ikelab_up() { "$(ikelab_vendor "$1")_up" "$1"; }
ikelab_status() { "$(ikelab_vendor "$1")_status" "$1"; }
ikelab_stop() {
	local v
	v=$(ikelab_vendor "$1")
	[[ -n $v ]] && "${v}_stop" "$1"
	ikelab_stop_side "$1"
}

# ikelab_ping from to: pings the host behind `to` from the host behind
# `from`, through the tunnel.
ikelab_ping() {
	local src dst
	[[ $1 == west ]] && src=$IKELAB_WEST_HOST dst=$IKELAB_EAST_HOST || src=$IKELAB_EAST_HOST dst=$IKELAB_WEST_HOST
	ip netns exec "$(ikelab_ns "$1")" timeout 15 ping -c 3 -W 2 -I "$src" "$dst"
}

# ikelab_make_pki: a lab CA and RSA certificates under <work>/pki: west,
# east (valid 30 days), east-expired (expired yesterday) and
# east-untrusted (issued by a CA nobody trusts). Kept across runs.
ikelab_make_pki() {
	local p=$IKELAB_WORK/pki
	[[ -s $p/east-untrusted.pem ]] && return 0
	rm -rf "$p"
	mkdir -p "$p"
	printf 'pki {\n\tload = random nonce openssl pem pkcs1 pkcs8 x509 pubkey gmp\n}\n' >"$p/strongswan.conf"
	local -x STRONGSWAN_CONF=$p/strongswan.conf
	pki --gen --type rsa --size 2048 --outform pem >"$p/ca.key"
	pki --self --ca --lifetime 60 --in "$p/ca.key" --type rsa \
		--dn "C=XX, O=Osprey Kestrel Lab, CN=Lab Root CA" --outform pem >"$p/ca.pem"
	pki --gen --type rsa --size 2048 --outform pem >"$p/rogue-ca.key"
	pki --self --ca --lifetime 60 --in "$p/rogue-ca.key" --type rsa \
		--dn "C=XX, O=Elsewhere, CN=Other Root CA" --outform pem >"$p/rogue-ca.pem"
	local name side ca validity
	for name in west east east-expired east-untrusted; do
		side=${name%%-*}
		ca=ca
		validity=(--lifetime 30)
		[[ $name == east-expired ]] && validity=(--not-before "$(date -u -d '-20 days' '+%d.%m.%y %T')"
			--not-after "$(date -u -d '-1 day' '+%d.%m.%y %T')")
		[[ $name == east-untrusted ]] && ca=rogue-ca
		local id
		[[ $side == west ]] && id=$IKELAB_WEST_ID || id=$IKELAB_EAST_ID
		pki --gen --type rsa --size 2048 --outform pem >"$p/$name.key"
		pki --pub --in "$p/$name.key" --type rsa |
			pki --issue --cacert "$p/$ca.pem" --cakey "$p/$ca.key" "${validity[@]}" \
				--dn "C=XX, O=Osprey Kestrel Lab, CN=$id" --san "$id" --outform pem >"$p/$name.pem"
	done
}

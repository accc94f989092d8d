// Package redacttest holds the secret-bearing line shapes every leak test
// places into pastes, and the ways a paste dresses a line (markdown, ANSI
// colours, no-break spaces). Test support only: no product code imports it.
package redacttest

import "strings"

// Shape is one line that holds secrets as a device, a daemon or a person
// prints it. Every string of Secrets appears in Line and must reach no
// output; Keep, when set, must still be readable after redaction.
type Shape struct {
	Vendor  string
	Name    string
	Line    string
	Secrets []string
	Keep    string
	// Log: the line is a log line of its own, with its logger's prefix;
	// an engine reads it as a new message, never as the wrapped rest of
	// the line before.
	Log bool
}

// s builds a Shape whose one secret is sec.
func s(vendor, name, line, sec, keep string) Shape {
	return Shape{Vendor: vendor, Name: name, Line: line, Secrets: []string{sec}, Keep: keep}
}

// Shapes: every known shape. Secret values are unique across the table
// (tests grep outputs for them).
var Shapes = []Shape{
	// ---- Cisco IOS / IOS-XE
	s("ios", "isakmp key", "crypto isakmp key Qk01Isakmp address 40.10.1.1", "Qk01Isakmp", "crypto isakmp key"),
	s("ios", "isakmp key type 6", "crypto isakmp key 6 Qk02FLgBaJHXdYY_AcHZZMgQ address 10.0.0.1", "Qk02FLgBaJHXdYY_AcHZZMgQ", "address 10.0.0.1"),
	s("ios", "isakmp key type 0 hostname", " crypto isakmp key 0 Qk03Host hostname peer.example", "Qk03Host", "hostname peer.example"),
	s("ios", "isakmp key ipv6", "crypto isakmp key Qk04V6 address ipv6 2001:db8::1/128", "Qk04V6", "address ipv6"),
	s("ios", "isakmp key no-xauth", "crypto isakmp key Qk05NoX address 0.0.0.0 0.0.0.0 no-xauth", "Qk05NoX", "no-xauth"),
	s("ios", "keyring address", " pre-shared-key address 40.10.1.1 key Qk06Ring", "Qk06Ring", "pre-shared-key address 40.10.1.1 key"),
	s("ios", "keyring address mask type 6", " pre-shared-key address 40.10.0.0 255.255.0.0 key 6 Qk07Abc$def", "Qk07Abc$def", "255.255.0.0"),
	s("ios", "keyring hostname", " pre-shared-key hostname spoke1.example key Qk08Hostkey", "Qk08Hostkey", "spoke1.example"),
	s("ios", "ikev2 keyring local", "  pre-shared-key local Qk09Local", "Qk09Local", "pre-shared-key local"),
	s("ios", "ikev2 keyring remote type 6", "  pre-shared-key remote 6 Qk10Remote", "Qk10Remote", "pre-shared-key remote"),
	s("ios", "ikev2 keyring both", "  pre-shared-key Qk11Both", "Qk11Both", "pre-shared-key"),
	s("ios", "ikev2 profile local psk", " authentication local pre-share key Qk12ProfLocal", "Qk12ProfLocal", "authentication local pre-share key"),
	s("ios", "ikev2 profile remote psk type 6", " authentication remote pre-share key 6 Qk13ProfRemote", "Qk13ProfRemote", "authentication remote pre-share"),
	s("ios", "ppk manual", " ppk manual id PPKID1 key Qk14Ppk required", "Qk14Ppk", "ppk manual id PPKID1"),
	s("ios", "ppk manual type 6", " ppk manual id PPKID2 key 6 Qk15Ppk6", "Qk15Ppk6", "ppk manual"),
	s("ios", "isakmp client group key", " key Qk16Group", "Qk16Group", "key"),
	s("ios", "key chain key-string", "  key-string Qk17Chain", "Qk17Chain", "key-string"),
	s("ios", "key chain key-string type 7", "  key-string 7 1511021F07257A767B", "1511021F07257A767B", "key-string 7"),
	s("ios", "key 7", " key 7 0822455D0A16", "0822455D0A16", "key 7"),
	s("ios", "tacacs-server key", "tacacs-server key Qk18Tacacs", "Qk18Tacacs", "tacacs-server key"),
	s("ios", "tacacs-server host key", "tacacs-server host 10.1.1.5 key 7 Qk19TacHost", "Qk19TacHost", "10.1.1.5"),
	s("ios", "radius-server host key", "radius-server host 10.1.1.1 auth-port 1812 acct-port 1813 key Qk20Radius", "Qk20Radius", "auth-port 1812"),
	s("ios", "radius server block key", " key 7 Qk21RadBlock", "Qk21RadBlock", "key 7"),
	s("ios", "ospf authentication-key", " ip ospf authentication-key 7 Qk22Ospf", "Qk22Ospf", "ip ospf authentication-key"),
	s("ios", "ospf message-digest-key", " ip ospf message-digest-key 1 md5 Qk23Md5", "Qk23Md5", "message-digest-key 1 md5"),
	s("ios", "ospf message-digest-key type 7", " ip ospf message-digest-key 10 md5 7 Qk24Md57", "Qk24Md57", "md5 7"),
	s("ios", "ospfv3 ipsec", " ospfv3 authentication ipsec spi 256 sha1 7 Qk25Ospfv3ABCDEF", "Qk25Ospfv3ABCDEF", "spi 256 sha1"),
	s("ios", "ipv6 ospf ipsec", " ipv6 ospf authentication ipsec spi 500 md5 Qk26V6Ospf0123456789", "Qk26V6Ospf0123456789", "spi 500"),
	s("ios", "hsrp md5 key-string", " standby 1 authentication md5 key-string Qk27Hsrp", "Qk27Hsrp", "standby 1 authentication md5 key-string"),
	s("ios", "hsrp md5 key-string timeout", " standby 1 authentication md5 key-string 7 Qk28HsrpT timeout 30", "Qk28HsrpT", "timeout 30"),
	s("ios", "hsrp text", " standby 2 authentication Qk29HsrpText", "Qk29HsrpText", "standby 2 authentication"),
	s("ios", "vrrp text", " vrrp 5 authentication text Qk30Vrrp", "Qk30Vrrp", "vrrp 5 authentication text"),
	s("ios", "glbp md5 key-string", " glbp 10 authentication md5 key-string Qk31Glbp", "Qk31Glbp", "glbp 10"),
	s("ios", "nhrp authentication", " ip nhrp authentication Qk32Nhrp", "Qk32Nhrp", "ip nhrp authentication"),
	s("ios", "ntp authentication-key", "ntp authentication-key 1 md5 Qk33Ntp 7", "Qk33Ntp", "ntp authentication-key 1 md5"),
	s("ios", "ntp authentication-key sha2", "ntp authentication-key 2 hmac-sha2-256 Qk34NtpSha", "Qk34NtpSha", "hmac-sha2-256"),
	s("ios", "bgp neighbor password", " neighbor 10.0.0.2 password 7 Qk35Bgp", "Qk35Bgp", "neighbor 10.0.0.2 password"),
	s("ios", "bgp neighbor password plain", " neighbor PEERS password Qk36BgpPlain", "Qk36BgpPlain", "neighbor PEERS"),
	s("ios", "username password", "username admin privilege 15 password 0 Qk37UserPw", "Qk37UserPw", "username admin privilege 15 password"),
	s("ios", "username secret type 9", "username bob secret 9 $9$Qk38nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM", "$9$Qk38nhEmQVczB7dqsO$X.HsgL6x1il0RxkOSSvyQYwucySCt7qFm4v7pqCxkKM", "username bob secret 9"),
	s("ios", "username algorithm-type scrypt", "username ops privilege 15 algorithm-type scrypt secret Qk39Scrypt", "Qk39Scrypt", "algorithm-type scrypt"),
	s("ios", "username secret type 5", "username admin privilege 15 secret 5 $1$Qk40$Xy8821qqAbCd", "$1$Qk40$Xy8821qqAbCd", "secret 5"),
	s("ios", "enable secret", "enable secret 5 $1$Qk41$efghijklmnop", "$1$Qk41$efghijklmnop", "enable secret 5"),
	s("ios", "enable secret type 8", "enable secret 8 $8$Qk42dK3jRxZ4lQ$1wyfhTJQbyY8HqBk3zbHpE2s8QdHh6RYqvLbqY2Ua7k", "$8$Qk42dK3jRxZ4lQ$1wyfhTJQbyY8HqBk3zbHpE2s8QdHh6RYqvLbqY2Ua7k", "enable secret 8"),
	s("ios", "enable password", "enable password Qk43Enable", "Qk43Enable", "enable password"),
	s("ios", "enable secret level", "enable secret level 15 5 $1$Qk44$levelpass", "$1$Qk44$levelpass", "level 15"),
	s("ios", "line password 7", " password 7 060506324F41584B56", "060506324F41584B56", "password 7"),
	s("ios", "line password plain", " password Qk45Line", "Qk45Line", "password"),
	s("ios", "ip ftp password", "ip ftp password Qk46Ftp", "Qk46Ftp", "ip ftp password"),
	s("ios", "ppp chap password", " ppp chap password 7 Qk47Chap", "Qk47Chap", "ppp chap password"),
	s("ios", "ppp pap sent-username", " ppp pap sent-username router1 password 0 Qk48Pap", "Qk48Pap", "sent-username router1"),
	s("ios", "isis area-password", " area-password Qk49Area", "Qk49Area", "area-password"),
	s("ios", "isis domain-password", " domain-password Qk50Domain", "Qk50Domain", "domain-password"),
	s("ios", "snmp community", "snmp-server community Qk51Comm RO", "Qk51Comm", "snmp-server community"),
	s("ios", "snmp community acl", "snmp-server community Qk52CommRW RW 10", "Qk52CommRW", "RW 10"),
	s("ios", "snmp host v2c", "snmp-server host 10.1.1.9 version 2c Qk53Host", "Qk53Host", "version 2c"),
	s("ios", "snmp host traps", "snmp-server host 10.1.1.10 traps Qk54Traps", "Qk54Traps", "traps"),
	s("ios", "snmp host informs v3", "snmp-server host 10.1.1.11 informs version 3 priv Qk55V3user", "Qk55V3user", "informs version 3 priv"),
	{Vendor: "ios", Name: "snmp user auth priv", Line: "snmp-server user NMS GRP v3 auth sha Qk56AuthPw priv aes 128 Qk56PrivPw", Secrets: []string{"Qk56AuthPw", "Qk56PrivPw"}, Keep: "priv aes 128"},
	{Vendor: "ios", Name: "snmp user md5 des", Line: "snmp-server user ops OPS v3 auth md5 Qk57Md5Pw priv des Qk57DesPw", Secrets: []string{"Qk57Md5Pw", "Qk57DesPw"}, Keep: "auth md5"},
	s("ios", "key config-key", "key config-key password-encrypt Qk58Master", "Qk58Master", "key config-key password-encrypt"),
	s("ios", "wlan wpa psk", " wpa-psk ascii 0 Qk59Wpa", "Qk59Wpa", "wpa-psk ascii 0"),
	s("ios", "isakmp key double spaces", "crypto isakmp  key  Qk184Wide  address 40.10.1.1", "Qk184Wide", "address 40.10.1.1"),
	s("ios", "enable secret double spaces", "enable  secret  Qk185Wide", "Qk185Wide", "enable"),
	s("ios", "isakmp key in inline code", "crypto isakmp key `Qk173Code` address 40.10.1.1", "Qk173Code", "address 40.10.1.1"),
	s("ios", "prompt config echo keyring", "HUB(config-keyring)#pre-shared-key address 40.10.1.1 key Qk60Echo", "Qk60Echo", "HUB(config-keyring)#"),
	s("ios", "prompt config echo ikev2 keyring", "HUB(config-ikev2-keyring-peer)#pre-shared-key Qk61Echo", "Qk61Echo", "pre-shared-key"),
	s("ios", "prompt config echo key line", "R1(config-server-tacacs)# key Qk62EchoKey", "Qk62EchoKey", "key"),

	// ---- Cisco ASA / PIX
	s("asa", "ikev1 psk", " ikev1 pre-shared-key Qk63Asa1", "Qk63Asa1", "ikev1 pre-shared-key"),
	s("asa", "ikev1 psk type 8", " ikev1 pre-shared-key 8 Qk64Asa8", "Qk64Asa8", "pre-shared-key 8"),
	s("asa", "ikev1 psk hex", " ikev1 pre-shared-key hex 0a1b2c3d4e5fQk65", "0a1b2c3d4e5fQk65", "pre-shared-key hex"),
	s("asa", "ikev2 local psk", " ikev2 local-authentication pre-shared-key Qk66Loc", "Qk66Loc", "local-authentication"),
	s("asa", "ikev2 remote psk type 0", " ikev2 remote-authentication pre-shared-key 0 Qk67Rem", "Qk67Rem", "remote-authentication"),
	s("asa", "ikev2 local psk hex", " ikev2 local-authentication pre-shared-key hex 6d7950736bQk68", "6d7950736bQk68", "pre-shared-key hex"),
	s("asa", "asa 8.2 pre-shared-key", " pre-shared-key Qk69Old", "Qk69Old", "pre-shared-key"),
	s("asa", "pre-shared-key hex", " pre-shared-key hex Qk70Hex", "Qk70Hex", "pre-shared-key hex"),
	s("asa", "pix isakmp key", "isakmp key Qk71Pix address 192.0.2.7 netmask 255.255.255.255 no-xauth no-config-mode", "Qk71Pix", "netmask 255.255.255.255"),
	s("asa", "passwd", "passwd Qk72Passwd encrypted", "Qk72Passwd", "encrypted"),
	s("asa", "enable password encrypted", "enable password Qk73Enable encrypted", "Qk73Enable", "encrypted"),
	s("asa", "enable password pbkdf2", "enable password $sha512$5000$Qk74abcdEFGH$ijklMNOP pbkdf2", "$sha512$5000$Qk74abcdEFGH$ijklMNOP", "pbkdf2"),
	s("asa", "username password encrypted", "username admin password Qk75User encrypted privilege 15", "Qk75User", "privilege 15"),
	s("asa", "username password pbkdf2", "username ops password $sha512$5000$Qk76xyz$abc pbkdf2 privilege 15", "$sha512$5000$Qk76xyz$abc", "pbkdf2"),
	s("asa", "aaa-server host key one line", "aaa-server RAD (inside) host 10.1.1.20 key Qk77Aaa", "Qk77Aaa", "aaa-server RAD (inside) host 10.1.1.20"),
	s("asa", "aaa-server host block key", " key Qk78AaaBlock", "Qk78AaaBlock", "key"),
	s("asa", "radius-common-pw", " radius-common-pw Qk79Common", "Qk79Common", "radius-common-pw"),
	s("asa", "ldap-login-password", " ldap-login-password Qk80Ldap", "Qk80Ldap", "ldap-login-password"),
	s("asa", "snmp host community", "snmp-server host inside 10.1.1.30 community Qk81Comm version 2c", "Qk81Comm", "version 2c"),
	s("asa", "snmp community", "snmp-server community Qk82Comm", "Qk82Comm", "snmp-server community"),
	{Vendor: "asa", Name: "snmp user encrypted", Line: "snmp-server user NMS GRP v3 encrypted auth sha Qk83Auth priv aes 256 Qk83Priv", Secrets: []string{"Qk83Auth", "Qk83Priv"}, Keep: "v3 encrypted"},
	s("asa", "failover key", "failover key Qk84Failover", "Qk84Failover", "failover key"),
	s("asa", "failover key hex", "failover key hex 0123456789abcdefQk85", "0123456789abcdefQk85", "failover key hex"),
	s("asa", "eigrp authentication key", " authentication key eigrp 100 Qk86Eigrp key-id 1", "Qk86Eigrp", "key-id 1"),
	s("asa", "ospf message-digest-key", " ospf message-digest-key 1 md5 Qk87Ospf", "Qk87Ospf", "ospf message-digest-key 1 md5"),
	s("asa", "ntp authentication-key", "ntp authentication-key 1 md5 Qk88Ntp", "Qk88Ntp", "ntp authentication-key 1"),
	s("asa", "key config-key password-encryption", "key config-key password-encryption Qk89New", "Qk89New", "key config-key"),
	s("asa", "prompt config echo", "ASA(config-tunnel-ipsec)# ikev1 pre-shared-key Qk90Echo", "Qk90Echo", "ikev1 pre-shared-key"),

	// ---- strongSwan
	s("strongswan", "ipsec.secrets psk", `10.1.1.1 10.2.2.2 : PSK "Qk91Psk shared"`, "Qk91Psk shared", "10.1.1.1 10.2.2.2 : PSK"),
	s("strongswan", "ipsec.secrets psk bare", `: PSK Qk92Bare`, "Qk92Bare", ": PSK"),
	s("strongswan", "ipsec.secrets psk base64", `@moon.example : PSK 0sQk93FpZAZqEN6Ti9sqt4ZP5EWcqx`, "0sQk93FpZAZqEN6Ti9sqt4ZP5EWcqx", "@moon.example : PSK"),
	s("strongswan", "ipsec.secrets psk hex", `%any : PSK 0x51b6b93f6b3aQk94`, "0x51b6b93f6b3aQk94", "%any : PSK"),
	s("strongswan", "ipsec.secrets xauth", `: XAUTH "Qk95Xauth"`, "Qk95Xauth", ": XAUTH"),
	s("strongswan", "ipsec.secrets user xauth", `carol : XAUTH "Qk96XauthUser"`, "Qk96XauthUser", "carol : XAUTH"),
	s("strongswan", "ipsec.secrets eap", `dave@example.org : EAP "Qk97Eap"`, "Qk97Eap", "dave@example.org : EAP"),
	s("strongswan", "ipsec.secrets ntlm", `eve : NTLM "Qk98Ntlm"`, "Qk98Ntlm", "eve : NTLM"),
	s("strongswan", "ipsec.secrets rsa passphrase", `: RSA moonKey.pem "Qk99RsaPass"`, "Qk99RsaPass", ": RSA moonKey.pem"),
	s("strongswan", "ipsec.secrets ecdsa passphrase", `: ECDSA moonKey.der Qk100EcPass`, "Qk100EcPass", ": ECDSA moonKey.der"),
	s("strongswan", "ipsec.secrets p12", `: P12 moon.p12 "Qk101P12"`, "Qk101P12", ": P12 moon.p12"),
	s("strongswan", "ipsec.secrets pin", `: PIN %smartcard:1@opensc:45 Qk102Pin`, "Qk102Pin", ": PIN"),
	s("strongswan", "swanctl ike secret", "    secret = Qk103Swan", "Qk103Swan", "secret ="),
	s("strongswan", "swanctl quoted secret", `      secret = "Qk104Quoted phrase"`, "Qk104Quoted phrase", "secret ="),
	s("strongswan", "swanctl eap secret base64", "        secret = 0sQk105Yjhk", "0sQk105Yjhk", "secret ="),
	s("strongswan", "swanctl token pin", "        pin = Qk106Pin", "Qk106Pin", "pin ="),
	s("strongswan", "swanctl secret no spaces", "secret=Qk107Tight", "Qk107Tight", "secret="),
	s("strongswan", "strongswan.conf eap-radius secret", "            secret = Qk108Radius", "Qk108Radius", "secret"),
	s("strongswan", "strongswan.conf sql database", "    database = mysql://charon:Qk109Db@127.0.0.1/ipsec", "Qk109Db", "mysql://charon:"),
	s("strongswan", "swanctl secrets on one line", "secrets { ike-hq { id = hq.example  secret = Qk174OneLine } }", "Qk174OneLine", "id = hq.example"),
	s("strongswan", "strongswan.conf flat", "charon.plugins.eap-radius.secret = Qk175Flat", "Qk175Flat", "eap-radius.secret"),
	s("libreswan", "NetworkManager pskvalue", "pskvalue=Qk176Nm", "Qk176Nm", "pskvalue="),
	s("libreswan", "NetworkManager xauthpassword", "xauthpassword=Qk177NmX", "Qk177NmX", "xauthpassword="),
	s("strongswan", "ipsec.secrets psk via prompt echo", `root@gw:~# echo ': PSK "Qk110Echo"' >> /etc/ipsec.secrets`, "Qk110Echo", "root@gw:~# echo"),

	// ---- libreswan
	s("libreswan", "ipsec.secrets psk", `@west @east : PSK "Qk111Lsw"`, "Qk111Lsw", "@west @east : PSK"),
	s("libreswan", "ipsec.secrets any", `%any %any : PSK "Qk112Any"`, "Qk112Any", "%any %any : PSK"),
	s("libreswan", "ipsec.secrets xauth", `@xuser : XAUTH "Qk113Lxauth"`, "Qk113Lxauth", "@xuser : XAUTH"),
	s("libreswan", "ipsec.secrets ip pair", `192.0.2.1 198.51.100.1: PSK "Qk114Pair"`, "Qk114Pair", "PSK"),
	s("libreswan", "raw rsa private exponent", "\tPrivateExponent: 0x5c2fQk115a1b2c3d", "0x5c2fQk115a1b2c3d", "PrivateExponent:"),
	s("libreswan", "raw rsa prime", "\tPrime1: 0xQk116e4f5a6b7", "0xQk116e4f5a6b7", "Prime1:"),

	s("libreswan", "ipsec.secrets ppks", `@east @west : PPKS "PPK_ID_1" "Qk169Ppk quantum"`, `"Qk169Ppk quantum"`, "PPKS"),
	s("edgeos", "json pre-shared-secret", `        "pre-shared-secret": "Qk170EdgeJson"`, "Qk170EdgeJson", "pre-shared-secret"),
	s("stormshield", "ppk_secret", "CONFIG IPSEC PPK ADD ppk_id=toto ppk_secret=0xQk171abcd global=1", "0xQk171abcd", "global=1"),

	// ---- FortiGate
	s("fortigate", "psksecret ENC", "        set psksecret ENC Qk117Rm9ydGlQU0s=", "Qk117Rm9ydGlQU0s=", "set psksecret ENC"),
	s("fortigate", "psksecret plain", "        set psksecret Qk118Plain", "Qk118Plain", "set psksecret"),
	s("fortigate", "psksecret-remote", "        set psksecret-remote ENC Qk119Remote", "Qk119Remote", "set psksecret-remote"),
	s("fortigate", "admin password ENC", "        set password ENC SH2Qk120abcdefghijklmnop", "SH2Qk120abcdefghijklmnop", "set password ENC"),
	s("fortigate", "user passwd ENC", "        set passwd ENC Qk121Passwd", "Qk121Passwd", "set passwd"),
	s("fortigate", "ppk-secret", "        set ppk-secret ENC Qk122Ppk", "Qk122Ppk", "set ppk-secret"),
	s("fortigate", "radius secret", "        set secret ENC Qk123Rad", "Qk123Rad", "set secret"),
	s("fortigate", "group-authentication-secret", "        set group-authentication-secret ENC Qk172Grp", "Qk172Grp", "set group-authentication-secret"),
	s("fortigate", "authpasswd xauth", "        set authpasswd ENC Qk124Xauth", "Qk124Xauth", "set authpasswd"),
	s("fortigate", "snmp auth-pwd", "        set auth-pwd ENC Qk125Snmp", "Qk125Snmp", "set auth-pwd"),
	{Vendor: "fortigate", Name: "ike debug isakmp sa key", Line: "ike 0:TO-HQ:4: ISAKMP SA 8c7f1a2b3c4d5e6f/0a1b2c3d4e5f6071 key 16:36D0E15B15C8A6B4D3EC6A55BEB4A4B2", Secrets: []string{"36D0E15B15C8A6B4D3EC6A55BEB4A4B2"}, Keep: "ISAKMP SA", Log: true},
	{Vendor: "fortigate", Name: "ike debug ipsec sa keys", Line: "ike 0:TO-HQ:4:TO-HQ:5: IPsec SA dec spi 0b3c5f8a key 16:ABCDEF0123456789ABCDEF0123456789 auth 20:0123456789ABCDEF0123456789ABCDEF01234567", Secrets: []string{"ABCDEF0123456789ABCDEF0123456789", "0123456789ABCDEF0123456789ABCDEF01234567"}, Keep: "IPsec SA dec spi 0b3c5f8a", Log: true},
	{Vendor: "fortigate", Name: "ike debug SK_ei", Line: "ike 0:vpn1:22: SK_ei 32:5F1E3D2C1B0A99887766554433221100FFEEDDCCBBAA", Secrets: []string{"5F1E3D2C1B0A99887766554433221100FFEEDDCCBBAA"}, Keep: "SK_ei", Log: true},
	{Vendor: "fortigate", Name: "ike debug SK_ai", Line: "ike 0:vpn1:22: SK_ai 32:AA11BB22CC33DD44EE55FF66AA77BB88", Secrets: []string{"AA11BB22CC33DD44EE55FF66AA77BB88"}, Keep: "SK_ai", Log: true},
	{Vendor: "fortigate", Name: "ike debug dec payload", Line: "ike 0:vpn1:22: dec 0A0B0C0D0E0F10111213141516171819202122232425262728293031", Secrets: []string{"0A0B0C0D0E0F10111213141516171819202122232425262728293031"}, Keep: "dec", Log: true},

	// ---- Palo Alto PAN-OS
	s("panos", "xml pre-shared-key", "<pre-shared-key><key>-AQ==Qk126lJRa3RhbmNlVHJpY2s=</key></pre-shared-key>", "-AQ==Qk126lJRa3RhbmNlVHJpY2s=", "<pre-shared-key>"),
	s("panos", "xml secret", "            <secret>Qk127XmlSecret</secret>", "Qk127XmlSecret", "<secret>"),
	s("panos", "xml phash", "          <phash>$1$Qk128ab$cdefghijklmnop</phash>", "$1$Qk128ab$cdefghijklmnop", "<phash>"),
	s("panos", "set pre-shared-key key", "set network ike gateway GW-HQ authentication pre-shared-key key Qk129Pan", "Qk129Pan", "authentication pre-shared-key key"),
	s("panos", "set snmp community", "set deviceconfig system snmp-setting access-setting version v2c snmp-community-string Qk130Snmp", "Qk130Snmp", "snmp-community-string"),
	s("panos", "set radius secret", "set shared server-profile radius RAD server s1 secret Qk131Rad", "Qk131Rad", "server s1 secret"),
	s("panos", "set phash", "set mgt-config users admin phash Qk132Phash", "Qk132Phash", "users admin phash"),

	// ---- Juniper Junos
	s("junos", "curly pre-shared-key", `    pre-shared-key ascii-text "$9$Qk133AbCdEfGhIj"; ## SECRET-DATA`, "$9$Qk133AbCdEfGhIj", "pre-shared-key ascii-text"),
	s("junos", "curly secret", `        secret "$9$Qk134KlMnOp"; ## SECRET-DATA`, "$9$Qk134KlMnOp", "SECRET-DATA"),
	s("junos", "curly encrypted-password", `        encrypted-password "$6$Qk135salt$hashhashhash"; ## SECRET-DATA`, "$6$Qk135salt$hashhashhash", "encrypted-password"),
	s("junos", "set pre-shared-key", `set security ike policy IKE-POL pre-shared-key ascii-text "$9$Qk136QrStUv"`, "$9$Qk136QrStUv", "pre-shared-key ascii-text"),
	s("junos", "set encrypted-password", `set system root-authentication encrypted-password "$6$Qk137s$hashvalue"`, "$6$Qk137s$hashvalue", "root-authentication"),
	s("junos", "set snmp community", "set snmp community Qk138Junos authorization read-only", "Qk138Junos", "authorization read-only"),
	s("junos", "curly community", "    community Qk139Comm {", "Qk139Comm", "community"),
	s("junos", "pre-shared-key hexadecimal", `    pre-shared-key hexadecimal "Qk140Hex0a1b2c"; ## SECRET-DATA`, "Qk140Hex0a1b2c", "hexadecimal"),
	s("junos", "authentication-key", `        authentication-key "$9$Qk141WxYz"; ## SECRET-DATA`, "$9$Qk141WxYz", "authentication-key"),

	// ---- pfSense / OPNsense config.xml, Ubiquiti EdgeOS / VyOS, Cisco IOS XR, Windows
	s("pfsense", "config.xml pre-shared-key", "\t\t\t<pre-shared-key>Qk163Pf</pre-shared-key>", "Qk163Pf", "<pre-shared-key>"),
	s("edgeos", "set pre-shared-secret", "set vpn ipsec site-to-site peer 192.0.2.1 authentication pre-shared-secret Qk164Edge", "Qk164Edge", "authentication pre-shared-secret"),
	s("edgeos", "curly pre-shared-secret", "            pre-shared-secret Qk165Curly", "Qk165Curly", "pre-shared-secret"),
	s("iosxr", "keyring pre-shared-key password", "  pre-shared-key password Qk166Xr", "Qk166Xr", "pre-shared-key password"),
	s("iosxr", "keyring pre-shared-key clear", "  pre-shared-key clear Qk167XrClear", "Qk167XrClear", "pre-shared-key clear"),
	s("windows", "Add-VpnConnection L2tpPsk", `Add-VpnConnection -Name HQ -ServerAddress vpn.example -TunnelType L2tp -L2tpPsk "Qk168Win" -Force`, "Qk168Win", "-Force"),

	s("ios", "aaa group server-private key", " server-private 10.1.1.40 key Qk178Priv", "Qk178Priv", "server-private 10.1.1.40 key"),
	s("fortigate", "radius secondary-secret", "        set secondary-secret ENC Qk179Sec2", "Qk179Sec2", "set secondary-secret"),
	s("openbsd", "ipsec.conf psk", `ike esp from 10.1.0.0/16 to 10.2.0.0/16 peer 192.0.2.1 psk "Qk180Bsd"`, "Qk180Bsd", "peer 192.0.2.1 psk"),
	s("terraform", "aws tunnel preshared key", `  tunnel1_preshared_key = "Qk181Tf"`, "Qk181Tf", "tunnel1_preshared_key"),
	s("terraform", "azurerm shared_key", `  shared_key = "Qk182Az"`, "Qk182Az", "shared_key"),
	s("terraform", "google shared_secret", `  shared_secret = "Qk183Gcp"`, "Qk183Gcp", "shared_secret"),

	// ---- Juniper ScreenOS
	s("screenos", "ike gateway preshare", `set ike gateway "GW-HQ" address 192.0.2.9 Main outgoing-interface "ethernet0/0" preshare "Qk142Screen==" proposal "pre-g2-3des-sha"`, "Qk142Screen==", "proposal"),
	s("screenos", "admin password", `set admin password "Qk143nKVUM2rwMUzPcrkG5sWIHdCtqkAibn"`, "Qk143nKVUM2rwMUzPcrkG5sWIHdCtqkAibn", "set admin password"),

	// ---- MikroTik RouterOS
	s("mikrotik", "ipsec identity secret", `/ip ipsec identity add peer=hq secret=Qk144Mt`, "Qk144Mt", "peer=hq"),
	s("mikrotik", "ipsec peer secret old", `add address=192.0.2.1/32 secret="Qk145Mt quoted" generate-policy=port-strict`, "Qk145Mt quoted", "generate-policy=port-strict"),
	s("mikrotik", "ppp secret password", `/ppp secret add name=user1 password=Qk146Mt service=l2tp`, "Qk146Mt", "service=l2tp"),
	{Vendor: "mikrotik", Name: "xauth password", Line: `add auth-method=pre-shared-key-xauth peer=p1 secret=Qk147a username=u1 password=Qk147b`, Secrets: []string{"Qk147a", "Qk147b"}, Keep: "username=u1"},
	s("mikrotik", "wpa2 psk", `set [ find default=yes ] wpa2-pre-shared-key=Qk148Wifi`, "Qk148Wifi", "find default=yes"),
	{Vendor: "mikrotik", Name: "snmp v3 passwords", Line: `add name=nms authentication-password=Qk149Auth encryption-password=Qk149Enc`, Secrets: []string{"Qk149Auth", "Qk149Enc"}, Keep: "name=nms"},

	// ---- Yamaha RTX
	s("yamaha", "ipsec ike pre-shared-key text", "ipsec ike pre-shared-key 1 text Qk150Rtx", "Qk150Rtx", "ipsec ike pre-shared-key 1 text"),
	s("yamaha", "ipsec ike pre-shared-key hex", "ipsec ike pre-shared-key 2 0xQk151aabbcc", "0xQk151aabbcc", "pre-shared-key 2"),
	s("yamaha", "pp auth myname", "pp auth myname rtxuser Qk152Pp", "Qk152Pp", "pp auth myname rtxuser"),
	s("yamaha", "xauth myname", "ipsec ike xauth myname xuser Qk153X", "Qk153X", "xauth myname xuser"),

	// ---- Cloud
	s("azure", "powershell shared key", `New-AzVirtualNetworkGatewayConnection -Name C1 -ResourceGroupName RG -SharedKey 'Qk154Az'`, "Qk154Az", "-SharedKey"),
	s("azure", "az cli shared-key", "az network vpn-connection create --name c1 --shared-key Qk155Az --vnet-gateway1 gw", "Qk155Az", "--vnet-gateway1 gw"),
	s("azure", "az shared-key update", "az network vpn-connection shared-key update --connection-name c1 --value Qk156Az", "Qk156Az", "--value"),
	s("azure", "json sharedKey", `    "sharedKey": "Qk157Json",`, "Qk157Json", `"sharedKey"`),
	s("gcp", "gcloud shared-secret", "gcloud compute vpn-tunnels create t1 --peer-address=192.0.2.1 --shared-secret=Qk158Gcp --ike-version=2", "Qk158Gcp", "--ike-version=2"),
	s("aws", "downloaded config psk", "  - Pre-Shared Key           : Qk159Aws", "Qk159Aws", "Pre-Shared Key"),
	s("aws", "json PreSharedKey", `{"PreSharedKey": "Qk160AwsJson", "TunnelInsideCidr": "169.254.10.0/30"}`, "Qk160AwsJson", "TunnelInsideCidr"),
	s("alibaba", "IkeConfig Psk", `aliyun vpc CreateVpnConnection --IkeConfig '{"Psk":"Qk161Ali","IkeVersion":"ikev2"}'`, "Qk161Ali", "IkeVersion"),
	s("alibaba", "escaped json Psk", `"IkeConfig": "{\"Psk\":\"Qk162AliEsc\",\"IkeVersion\":\"ikev1\"}"`, "Qk162AliEsc", "IkeVersion"),

	s("huawei", "ike peer pre-shared-key cipher", " pre-shared-key cipher %^%#Qk186HwCipher%^%#", "%^%#Qk186HwCipher%^%#", "pre-shared-key cipher"),
	s("huawei", "ike peer pre-shared-key simple", " pre-shared-key simple Qk187HwSimple", "Qk187HwSimple", "pre-shared-key simple"),
	s("h3c", "keychain key cipher", " pre-shared-key address 192.0.2.1 255.255.255.255 key cipher $c$3$Qk188H3c==", "$c$3$Qk188H3c==", "255.255.255.255 key"),
	s("vyos", "1.4 authentication psk secret", "set vpn ipsec authentication psk PEER1 secret Qk189Vyos", "Qk189Vyos", "set vpn ipsec authentication psk"),
	s("vyos", "1.4 psk tree secret", "        secret Qk190VyosTree", "Qk190VyosTree", "secret"),
	s("aws", "generic XML pre_shared_key", "      <pre_shared_key>Qk191AwsXml</pre_shared_key>", "Qk191AwsXml", "<pre_shared_key>"),
	s("other", "quoted key with spaces", ` pre-shared-key "Qk192 two words"`, "Qk192 two words", "pre-shared-key"),
	s("other", "yaml psk variable", "ipsec_psk: Qk193Yaml", "Qk193Yaml", "ipsec_psk:"),

	s("windows", "RRAS S2S -SharedSecret", "Add-VpnS2SInterface -Name Azure -Destination 192.0.2.1 -Protocol IKEv2 -AuthenticationMethod PSKOnly -SharedSecret Qk194Rras", "Qk194Rras", "-AuthenticationMethod PSKOnly"),
	s("openwrt", "uci option pre_shared_key", "\toption pre_shared_key 'Qk195Uci'", "Qk195Uci", "option pre_shared_key"),

	// ---- IPsec SA keys as the kernel shows them
	s("linux", "ip xfrm state enc", "\tenc cbc(aes) 0x9f8e7d6c5b4a39281706f5e4d3c2b1a0", "0x9f8e7d6c5b4a39281706f5e4d3c2b1a0", "enc cbc(aes)"),
	s("linux", "ip xfrm state auth-trunc", "\tauth-trunc hmac(sha256) 0x0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0 128", "0x0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", "hmac(sha256)"),
	s("linux", "ip xfrm state aead", "\taead rfc4106(gcm(aes)) 0xa0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3 128", "0xa0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3", "rfc4106(gcm(aes))"),
	s("ipsec-tools", "setkey -D encryption key", "\tE: aes-cbc  3a8f2b9c 1d4e5f60 71829304 a5b6c7d8", "3a8f2b9c 1d4e5f60 71829304 a5b6c7d8", "E: aes-cbc"),
	s("ipsec-tools", "setkey -D auth key", "\tA: hmac-sha1  1a2b3c4d 5e6f7a8b 9c0d1e2f 3a4b5c6d 7e8f9a0b", "1a2b3c4d 5e6f7a8b 9c0d1e2f 3a4b5c6d 7e8f9a0b", "A: hmac-sha1"),

	// ---- Session keys in verbose debugs
	{Vendor: "strongswan", Name: "dump row of a key", Line: "Dec  6 10:00:01 gw charon: 14[IKE]    0: 7F 3A 9C 12 45 66 78 9A 7F 3A 9C 12 45 66 78 9A  .:..Efx..:..Efx.", Secrets: []string{"7F 3A 9C 12 45 66 78 9A 7F 3A 9C 12 45 66 78 9A"}, Keep: "14[IKE]", Log: true},
	{Vendor: "strongswan", Name: "dump row last short", Line: "14[IKE]   16: DE AD BE EF                                      ....", Secrets: []string{"DE AD BE EF"}, Keep: "14[IKE]", Log: true},
	s("strongswan", "dump row no prefix", "   32: C0 FF EE 11 22 33 44 55 66 77 88 99 AA BB CC DD  ...\"3DUfw......", "C0 FF EE 11 22 33 44 55 66 77 88 99 AA BB CC DD", ""),
	{Vendor: "libreswan", Name: "dump row", Line: "Dec  6 10:00:01 west pluto[2034]: |   5e 1f 3d 2c  1b 0a 99 88  77 66 55 44  33 22 11 00   ^.=,....wfUD3\".", Secrets: []string{"5e 1f 3d 2c  1b 0a 99 88"}, Keep: "pluto[2034]:", Log: true},
	{Vendor: "libreswan", Name: "dump row plain", Line: "|   a1 b2 c3 d4  e5 f6 07 18", Secrets: []string{"a1 b2 c3 d4  e5 f6 07 18"}, Keep: "|", Log: true},
	s("asa", "debug data row", "      21 2c 4e 78 91 2c fa 6b 57 98 33 ba 27 e1 4c 74", "21 2c 4e 78 91 2c fa 6b 57 98 33 ba 27 e1 4c 74", ""),
	s("pem", "private key body", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCQk174Yq3Lmz", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCQk174Yq3Lmz", ""),
	s("fortigate", "wrapped key tail", "9A8B7C6D5E4F", "9A8B7C6D5E4F", ""),
	s("pem", "private key last line", "kT9wQ2p+Zx3Lm8vR/Yb5c==", "kT9wQ2p+Zx3Lm8vR/Yb5c==", ""),
	s("fortigate", "wrapped hex continuation", "0020002800400050000002402010000800B0001800C7080800100078", "0020002800400050000002402010000800B0001800C7080800100078", ""),
	s("other", "SKEYID_d inline", "SKEYID_d: 4f2a9c1d8e7b6a5f4e3d2c1b0a998877", "4f2a9c1d8e7b6a5f4e3d2c1b0a998877", "SKEYID_d"),
	{Vendor: "libreswan", Name: "SK_d inline", Line: "| SK_d = 0x9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", Secrets: []string{"0x9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"}, Keep: "SK_d", Log: true},
	s("other", "shared DH secret inline", "shared Diffie Hellman secret: a1b2c3d4e5f60718293a4b5c6d7e8f90", "a1b2c3d4e5f60718293a4b5c6d7e8f90", "shared Diffie Hellman secret"),
	s("other", "SKEYSEED spaced hex", "SKEYSEED = 01 23 45 67 89 ab cd ef fe dc ba 98", "01 23 45 67 89 ab cd ef fe dc ba 98", "SKEYSEED"),
	s("other", "encryption key inline", "encryption initiator key: 00112233445566778899aabbccddeeff", "00112233445566778899aabbccddeeff", "encryption initiator key"),
}

// Unchanged lists lines that name secrets or look like them but hold
// none: redaction must leave them exactly as they are.
var Unchanged = []string{
	"crypto isakmp key",
	" authentication pre-share",
	" authentication local pre-share",
	" authentication remote pre-share",
	" ikev1 pre-shared-key *****",
	" ikev2 remote-authentication pre-shared-key *****",
	" ikev2 local-authentication pre-shared-key",
	" pre-shared-key *****",
	"        set psksecret ENC",
	"ISAKMP:(0:1:SW:1):found peer pre-shared key matching 192.1.1.42",
	"ISAKMP:(0:0:N/A:0):Looking for a matching key for 192.1.1.42 in default",
	"ISAKMP:(1002):SKEYID state generated",
	"   #pkts encaps: 294486, #pkts encrypt: 294485, #pkts digest: 294485",
	"authentication method: Pre-Shared Key",
	"      Encr: AES-CBC, keysize: 256, PRF: SHA512, Hash: SHA512, DH Grp:21, Auth sign: PSK, Auth verify: PSK",
	"IKE Neg Mode : Main                   Auth Mode    : preSharedKeys",
	"Key: ** ** ** ** **  (confidential)   ** ** ** ** **",
	"SPI: 6b ce fd 8a d5 30 9b 02 0c f3 87 52 4a 87 6e 77 ",
	"IPv4 Crypto ISAKMP SA",
	"Check the user name and password the client sends",
	"Password:",
	"    leftauth=secret",
	"set vpn ipsec site-to-site peer 192.0.2.1 authentication mode pre-shared-secret",
	"        set password-policy enable",
	"        set authmethod psk",
	"    rightauth=psk",
	"    authby=secret",
	"    auth = psk",
	"conn net-net",
	"Dec  6 10:00:01 gw charon: 14[CHD] encryption initiator key => 16 bytes @ 0x55d5c3a1b2c0",
	"Dec  6 10:00:01 gw charon: 14[IKE] secret => 32 bytes @ 0x55d5c3a1b2c0",
	"ike 0:vpn1:22: XAUTH succeeded",
	"ike 0:dialup:2: XAUTH user \"bob\" authenticated",
	"Dec  6 10:00:01 gw charon: 14[IKE] Sk_ei secret => 32 bytes @ 0x7f3a9c1245aa",
	"Dec  6 10:00:01 gw charon: 14[IKE] authentication of 'moon' (myself) with pre-shared key successful",
	"Dec  6 10:00:01 gw charon: 11[CFG] loaded IKE secret for %any",
	"Dec  6 10:00:01 west pluto[2034]: \"west-east\" #1: authenticated peer using preloaded certificate and authby=secret",
	"ike 0:TO-HQ:4: out 12F2CBED073D6DBA00000000000000000110020000000000000001",
	"ike 0:vpn1:22: PSK authentication succeeded",
	"crypto isakmp keepalive 10 3",
	"crypto ikev2 keyring KR-HQ",
	" tunnel key 100",
	"service password-encryption",
	"password encryption aes",
	"XAUTH: bad password supplied",
	"%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 40.10.1.1 failed its sanity check or is malformed",
	"Vlan 16: 20",
	"  Total 10 20 30",
	"Dec  6 10:00:01 gw charon: 14[IKE] received AUTHENTICATION_FAILED notify error",
	"  Gi0/1: 10 20 30",
	"set peer 40.10.1.1",
	" set transform-set TS",
	"R1#show crypto isakmp sa",
	"-----BEGIN ENCRYPTED PRIVATE KEY-----",
	"  GigabitEthernet0/1",
	"  294486",
	"  decade",
	"TenGigabitEthernet0/0/0",
	"A matching crypto isakmp key command is found for the remote peer (the IP address of the peer).",
	"where the Server is retransmitting the XAUTH username and password query.",
	"Lines to redact include: `crypto isakmp key [0|6] KEY address ...`, keyring",
	"`ikev2 local-authentication pre-shared-key KEY`, `ikev2 remote-authentication pre-shared-key KEY`,",
	"  secret leaks from any integration.",
	"ISAKMP:(1002):Old State = IKE_I_MM1  New State = IKE_I_MM2",
	"On the peer, check the keyring / `crypto isakmp key` (IOS) for our exact address",
	"check `pre-shared-key` and `ikev1 pre-shared-key` (ASA) on both ends",
}

// Dressed is one way a paste shows a line.
type Dressed struct {
	Name string
	Line string
}

// Dress returns the ways chat clients, terminals and web pages hand a
// shape's line over: as is, markdown-escaped, in ANSI colours (around the
// first word and around the secret), with a no-break space before the
// secret, and in inline code. The secrets themselves are never changed:
// a test greps for them as written.
func Dress(sh Shape) []Dressed {
	line := sh.Line
	out := []Dressed{{"plain", line}}
	// markdown: escape the punctuation of the words around the secrets
	out = append(out, Dressed{"markdown-escaped", outsideSecrets(line, sh.Secrets, func(t string) string {
		var b strings.Builder
		for _, c := range t {
			if strings.ContainsRune(`-_*#.!()[]{}<>+|~`, c) {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		}
		return b.String()
	})})
	out = append(out, Dressed{"ansi", ansi(line, sh.Secrets)})
	out = append(out, Dressed{"no-break space", nbsp(line, sh.Secrets)})
	out = append(out, Dressed{"bold", outsideSecrets(line, sh.Secrets, func(t string) string {
		return strings.Replace(t, "key", "**key**", 1)
	})})
	return out
}

// outsideSecrets applies f to the parts of line that are no secret.
func outsideSecrets(line string, secrets []string, f func(string) string) string {
	var b strings.Builder
	for line != "" {
		at, sec := -1, ""
		for _, s := range secrets {
			if i := strings.Index(line, s); i >= 0 && (at < 0 || i < at) {
				at, sec = i, s
			}
		}
		if at < 0 {
			b.WriteString(f(line))
			break
		}
		b.WriteString(f(line[:at]))
		b.WriteString(sec)
		line = line[at+len(sec):]
	}
	return b.String()
}

// ansi colours the line's first word and every secret.
func ansi(line string, secrets []string) string {
	for _, s := range secrets {
		line = strings.Replace(line, s, "\x1b[1;31m"+s+"\x1b[0m", 1)
	}
	t := strings.TrimLeft(line, " \t")
	ind := line[:len(line)-len(t)]
	if w, rest, ok := strings.Cut(t, " "); ok && !strings.Contains(w, "\x1b") {
		return ind + "\x1b[33m" + w + "\x1b[0m " + rest
	}
	return line
}

// nbsp puts a no-break space instead of the blank before the first secret.
func nbsp(line string, secrets []string) string {
	for _, s := range secrets {
		if i := strings.Index(line, s); i > 0 && line[i-1] == ' ' {
			return line[:i-1] + "\u00a0" + line[i:]
		}
	}
	return line
}

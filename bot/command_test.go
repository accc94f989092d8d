package bot_test

import (
	"testing"

	"github.com/tunneldoc/tunneldoc/bot"
)

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       bot.Command
		wantErr    bool
	}{
		{name: "empty mention", text: "<@UBOT>", want: bot.Command{Kind: bot.CmdEmpty}},
		{name: "help", text: "<@UBOT> help", want: bot.Command{Kind: bot.CmdHelp}},
		{name: "status", text: "<@UBOT|tunneldoc> status", want: bot.Command{Kind: bot.CmdStatus}},
		{name: "check", text: "<@UBOT> check tunnel 90.1.1.1", want: bot.Command{Kind: bot.CmdCheck, Peer: "90.1.1.1"}},
		{name: "check on device", text: "<@UBOT> check tunnel 90.1.1.1 on fw-hq", want: bot.Command{Kind: bot.CmdCheck, Peer: "90.1.1.1", Device: "fw-hq"}},
		{name: "check ipv6", text: "check 2001:db8::1 on fw-hq", want: bot.Command{Kind: bot.CmdCheck, Peer: "2001:db8::1", Device: "fw-hq"}},
		{name: "check hostname linked by slack", text: "<@UBOT> check tunnel <http://vpn.example.com|vpn.example.com>", want: bot.Command{Kind: bot.CmdCheck, Peer: "vpn.example.com"}},
		{name: "check no peer", text: "<@UBOT> check tunnel", want: bot.Command{Kind: bot.CmdCheck}, wantErr: true},
		{name: "check bad peer", text: "<@UBOT> check tunnel $(reboot)", want: bot.Command{Kind: bot.CmdCheck}, wantErr: true},
		{name: "check bad device", text: "check tunnel 1.2.3.4 on fw;hq", want: bot.Command{Kind: bot.CmdCheck, Peer: "1.2.3.4"}, wantErr: true},
		{name: "check trailing words", text: "check tunnel 1.2.3.4 please now", want: bot.Command{Kind: bot.CmdCheck, Peer: "1.2.3.4"}, wantErr: true},
		{name: "diagnose fenced", text: "<@UBOT> diagnose\n```\nHUB# show crypto isakmp sa\n30.3.1.1 40.10.1.1 MM_NO_STATE\n```",
			want: bot.Command{Kind: bot.CmdDiagnose, Text: "HUB# show crypto isakmp sa\n30.3.1.1 40.10.1.1 MM_NO_STATE"}},
		{name: "diagnose glued fence", text: "diagnose ```ISAKMP:(0):no offers accepted!```",
			want: bot.Command{Kind: bot.CmdDiagnose, Text: "ISAKMP:(0):no offers accepted!"}},
		{name: "diagnose with peer", text: "diagnose 40.10.1.1\nISAKMP:(0):no offers accepted!",
			want: bot.Command{Kind: bot.CmdDiagnose, Peer: "40.10.1.1", Text: "ISAKMP:(0):no offers accepted!"}},
		{name: "diagnose peer keyword", text: "diagnose peer 40.10.1.1 ISAKMP:(0):no offers accepted!",
			want: bot.Command{Kind: bot.CmdDiagnose, Peer: "40.10.1.1", Text: "ISAKMP:(0):no offers accepted!"}},
		{name: "slack escapes undone", text: "<@UBOT> diagnose\nlocal ident (addr/mask/prot/port): (3.1.1.0/255.255.255.0/0/0) &lt;x&gt; &amp;",
			want: bot.Command{Kind: bot.CmdDiagnose, Text: "local ident (addr/mask/prot/port): (3.1.1.0/255.255.255.0/0/0) <x> &"}},
		{name: "bare paste", text: "<@UBOT> HUB#sh crypto isakmp sa\ndst src state\n30.3.1.1 40.10.1.1 MM_NO_STATE 0 0 ACTIVE",
			want: bot.Command{Kind: bot.CmdPaste, Text: "HUB#sh crypto isakmp sa\ndst src state\n30.3.1.1 40.10.1.1 MM_NO_STATE 0 0 ACTIVE"}},
		{name: "one-line paste", text: "<@UBOT> %ASA-5-713904: IP = 40.10.1.1, Received encrypted packet with no matching SA",
			want: bot.Command{Kind: bot.CmdPaste, Text: "%ASA-5-713904: IP = 40.10.1.1, Received encrypted packet with no matching SA"}},
		{name: "unknown words", text: "<@UBOT> make coffee", want: bot.Command{Kind: bot.CmdUnknown, Text: "make coffee"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := bot.ParseCommand(tc.text)
			if (got.Err != "") != tc.wantErr {
				t.Fatalf("Err = %q; want error %v", got.Err, tc.wantErr)
			}
			got.Err = ""
			if got != tc.want {
				t.Fatalf("ParseCommand(%q)\n got %+v\nwant %+v", tc.text, got, tc.want)
			}
		})
	}
}

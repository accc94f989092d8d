package redis

import (
	"strings"
	"testing"
)

func TestUniversalOptionsFromURL(t *testing.T) {
	for _, tc := range []struct {
		url        string
		addrs      string
		master     string
		db         int
		tls        bool
		cluster    bool
		wantErr    bool
		noPassword bool
	}{
		{url: "redis://localhost:6379/2", addrs: "localhost:6379", db: 2, noPassword: true},
		{url: "rediss://:s3cret@redis.example:6380/0", addrs: "redis.example:6380", tls: true},
		{url: "redis://:s3cret@n1:7000?addr=n2:7000&addr=n3:7000", addrs: "n1:7000,n2:7000,n3:7000", cluster: true},
		{url: "redis://:s3cret@s1:26379/1?master_name=mymaster&addr=s2:26379", addrs: "s1:26379,s2:26379", master: "mymaster", db: 1},
		{url: "http://nope", wantErr: true},
		{url: "redis://host:6379/notanumber", wantErr: true},
	} {
		t.Run(tc.url, func(t *testing.T) {
			o, err := universalOptions(tc.url)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err != nil {
				if strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("error leaks the password: %v", err)
				}
				return
			}
			if got := strings.Join(o.Addrs, ","); got != tc.addrs {
				t.Errorf("addrs = %s; want %s", got, tc.addrs)
			}
			if o.MasterName != tc.master || o.DB != tc.db || (o.TLSConfig != nil) != tc.tls || o.IsClusterMode != tc.cluster {
				t.Errorf("options = master %q db %d tls %v cluster %v", o.MasterName, o.DB, o.TLSConfig != nil, o.IsClusterMode)
			}
			if !tc.noPassword && o.Password != "s3cret" {
				t.Errorf("password not taken from the URL")
			}
		})
	}
	if d := Describe("redis://:s3cret@host:6379/1?addr=b:1"); strings.Contains(d, "s3cret") || !strings.Contains(d, "host:6379/1") {
		t.Errorf("Describe = %q", d)
	}
}

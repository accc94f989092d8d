package store_test

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// resp sends one command over raw RESP, so the test inspects Redis without
// a second client library.
func resp(t *testing.T, addr string, args ...string) []string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	line = strings.TrimRight(line, "\r\n")
	switch line[0] {
	case ':', '+':
		return []string{line[1:]}
	case '*':
		n, _ := strconv.Atoi(line[1:])
		out := make([]string, 0, n)
		for range n {
			if _, err := r.ReadString('\n'); err != nil { // $len
				t.Fatal(err)
			}
			v, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.TrimRight(v, "\r\n"))
		}
		return out
	}
	t.Fatalf("unexpected reply %q", line)
	return nil
}

func redisKeys(t *testing.T, addr string) []string { return resp(t, addr, "KEYS", "*") }

func redisTTL(t *testing.T, addr, key string) int {
	n, _ := strconv.Atoi(resp(t, addr, "TTL", key)[0])
	return n
}

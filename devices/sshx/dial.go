package sshx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Defaults used when a Target leaves a timeout at zero.
const (
	DefaultConnectTimeout   = 10 * time.Second
	DefaultHandshakeTimeout = 20 * time.Second
)

// Credentials are resolved secrets for one login. They live only for the
// dial; callers build them from references right before dialing.
type Credentials struct {
	Password      string // password and keyboard-interactive; "" = not offered
	PrivateKeyPEM []byte // OpenSSH/PEM private key; nil = not offered
	KeyPassphrase string // for an encrypted PrivateKeyPEM
	AgentSocket   string // ssh-agent socket (SSH_AUTH_SOCK); "" = not used
}

// Algorithms lists extra algorithms to offer on top of the modern defaults.
// Only legacy ones make sense here (diffie-hellman-group14-sha1, ssh-rsa,
// aes128-cbc, ...): old IOS and ASA images speak nothing else.
type Algorithms struct {
	KeyExchanges []string
	Ciphers      []string
	MACs         []string
	HostKeys     []string
}

// Target is one device to dial.
type Target struct {
	Name            string // inventory name, used in messages
	Addr            string // host:port
	User            string
	Credentials     Credentials
	KnownHostsFile  string
	TrustOnFirstUse bool // add an unknown key to KnownHostsFile instead of refusing
	Algorithms      Algorithms
	// ConnectTimeout bounds the TCP connect; HandshakeTimeout bounds key
	// exchange plus authentication, enforced on the connection itself.
	ConnectTimeout   time.Duration
	HandshakeTimeout time.Duration
	Jump             *Target // optional jump host dialed first
}

func (t *Target) connectTimeout() time.Duration {
	if t.ConnectTimeout > 0 {
		return t.ConnectTimeout
	}
	return DefaultConnectTimeout
}

func (t *Target) handshakeTimeout() time.Duration {
	if t.HandshakeTimeout > 0 {
		return t.HandshakeTimeout
	}
	return DefaultHandshakeTimeout
}

// CheckAlgorithm reports whether name is an algorithm of the given class
// ("key_exchanges", "ciphers", "macs", "host_keys") that this package can
// offer. The inventory validates its overrides with it.
func CheckAlgorithm(class, name string) error {
	sup, ins := ssh.SupportedAlgorithms(), ssh.InsecureAlgorithms()
	var all []string
	switch class {
	case "key_exchanges":
		all = append(sup.KeyExchanges, ins.KeyExchanges...)
	case "ciphers":
		all = append(sup.Ciphers, ins.Ciphers...)
	case "macs":
		all = append(sup.MACs, ins.MACs...)
	case "host_keys":
		all = append(sup.HostKeys, ins.HostKeys...)
	default:
		return fmt.Errorf("unknown algorithm class %q (want key_exchanges, ciphers, macs or host_keys)", class)
	}
	if slices.Contains(all, name) {
		return nil
	}
	return fmt.Errorf("%s: %q is not one of %v", class, name, all)
}

// Client is one authenticated SSH connection to a device.
type Client struct {
	target Target
	client *ssh.Client
	jump   *Client
	stop   func() bool // detaches the context watcher
	once   sync.Once
}

// Dial connects, checks the host key and logs in. ctx bounds the whole
// life of the returned Client: when it ends, the connection is closed.
func Dial(ctx context.Context, t Target) (*Client, error) {
	if t.Addr == "" || t.User == "" {
		return nil, &Error{Kind: BadConfig, Device: t.Name, Addr: t.Addr, Msg: fmt.Sprintf("%s: an address and a username are needed to connect", t.Name)}
	}
	if t.KnownHostsFile == "" {
		return nil, &Error{Kind: BadConfig, Device: t.Name, Addr: t.Addr,
			Msg: fmt.Sprintf("no known_hosts file configured for %s: set known_hosts in the inventory (tunneldoc never skips host key checks)", t.Name)}
	}
	var jump *Client
	var conn net.Conn
	var err error
	if t.Jump != nil {
		jump, err = Dial(ctx, *t.Jump)
		if err != nil {
			return nil, fmt.Errorf("jump host for %s: %w", t.Name, err)
		}
		dctx, cancel := context.WithTimeout(ctx, t.connectTimeout())
		conn, err = jump.client.DialContext(dctx, "tcp", t.Addr)
		cancel()
		if err != nil {
			jump.Close()
			timedOut := errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil
			return nil, classifyDial(&t, fmt.Errorf("through jump host %s: %w", t.Jump.Name, err), timedOut)
		}
	} else {
		d := net.Dialer{Timeout: t.connectTimeout()}
		conn, err = d.DialContext(ctx, "tcp", t.Addr)
		if err != nil {
			if ctx.Err() != nil {
				return nil, canceled(&t, ctx.Err())
			}
			return nil, classifyDial(&t, err, false)
		}
	}
	c, err := handshake(ctx, t, conn)
	if err != nil {
		conn.Close()
		if jump != nil {
			jump.Close()
		}
		return nil, err
	}
	c.jump = jump
	c.stop = context.AfterFunc(ctx, func() { c.closeConn() })
	return c, nil
}

func canceled(t *Target, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: Timeout, Device: t.Name, Addr: t.Addr, Err: err, Msg: fmt.Sprintf("gave up on %s: the time allowed for this check ran out", t.where())}
	}
	return &Error{Kind: Canceled, Device: t.Name, Addr: t.Addr, Err: err, Msg: fmt.Sprintf("check of %s canceled", t.where())}
}

// handshake runs key exchange and authentication on conn with a deadline
// enforced by closing conn: ClientConfig.Timeout covers only the connect,
// and a jump-host channel does not support SetDeadline.
func handshake(ctx context.Context, t Target, conn net.Conn) (*Client, error) {
	var timedOut atomic.Bool
	timer := time.AfterFunc(t.handshakeTimeout(), func() {
		timedOut.Store(true)
		conn.Close()
	})
	defer timer.Stop()
	stopCtx := context.AfterFunc(ctx, func() { conn.Close() })
	defer stopCtx()
	_ = conn.SetDeadline(time.Now().Add(t.handshakeTimeout()))

	hk, err := newHostKeyChecker(&t)
	if err != nil {
		return nil, err
	}
	auth, methods, closeAuth, err := authMethods(&t)
	if err != nil {
		return nil, err
	}
	defer closeAuth()
	sup := ssh.SupportedAlgorithms()
	cfg := &ssh.ClientConfig{
		User:              t.User,
		Auth:              auth,
		HostKeyCallback:   hk.callback,
		HostKeyAlgorithms: hk.algorithms(append(sup.HostKeys, t.Algorithms.HostKeys...)),
		Timeout:           t.connectTimeout(),
		Config: ssh.Config{
			KeyExchanges: append(sup.KeyExchanges, t.Algorithms.KeyExchanges...),
			Ciphers:      append(sup.Ciphers, t.Algorithms.Ciphers...),
			MACs:         append(sup.MACs, t.Algorithms.MACs...),
		},
	}
	sc, chans, reqs, err := ssh.NewClientConn(conn, t.Addr, cfg)
	if err != nil {
		if ctx.Err() != nil && !timedOut.Load() {
			return nil, canceled(&t, ctx.Err())
		}
		deadline := errors.Is(err, os.ErrDeadlineExceeded) || strings.Contains(err.Error(), "i/o timeout")
		return nil, classifyHandshake(&t, err, hk.refused, timedOut.Load() || deadline, methods)
	}
	if !timer.Stop() && timedOut.Load() {
		sc.Close()
		return nil, classifyHandshake(&t, os.ErrDeadlineExceeded, nil, true, methods)
	}
	_ = conn.SetDeadline(time.Time{})
	return &Client{target: t, client: ssh.NewClient(sc, chans, reqs)}, nil
}

// authMethods builds the login methods in the order devices expect them:
// public key first (cheap to refuse), then keyboard-interactive (most Cisco
// AAA setups), then password.
func authMethods(t *Target) ([]ssh.AuthMethod, []string, func(), error) {
	var methods []ssh.AuthMethod
	var names []string
	closeAll := func() {}
	cr := t.Credentials
	if len(cr.PrivateKeyPEM) > 0 {
		var signer ssh.Signer
		var err error
		if cr.KeyPassphrase != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase(cr.PrivateKeyPEM, []byte(cr.KeyPassphrase))
		} else {
			signer, err = ssh.ParsePrivateKey(cr.PrivateKeyPEM)
		}
		if err != nil {
			return nil, nil, closeAll, &Error{Kind: CredentialsMissing, Device: t.Name, Addr: t.Addr, Err: err,
				Msg: fmt.Sprintf("the private key for %s cannot be used: %v (an encrypted key needs its passphrase reference)", t.Name, err)}
		}
		methods = append(methods, ssh.PublicKeys(signer))
		names = append(names, "publickey")
	}
	if cr.AgentSocket != "" {
		ac, err := net.Dial("unix", cr.AgentSocket)
		if err != nil {
			return nil, nil, closeAll, &Error{Kind: CredentialsMissing, Device: t.Name, Addr: t.Addr, Err: err,
				Msg: fmt.Sprintf("the inventory says to use ssh-agent for %s, but the agent at SSH_AUTH_SOCK=%s does not answer: %v", t.Name, cr.AgentSocket, err)}
		}
		closeAll = func() { ac.Close() }
		methods = append(methods, ssh.PublicKeysCallback(agent.NewClient(ac).Signers))
		names = append(names, "publickey (ssh-agent)")
	}
	if cr.Password != "" {
		pw := cr.Password
		methods = append(methods, ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
			answers := make([]string, len(questions))
			for i := range questions {
				answers[i] = pw
			}
			return answers, nil
		}))
		methods = append(methods, ssh.Password(pw))
		names = append(names, "keyboard-interactive", "password")
	}
	if len(methods) == 0 {
		return nil, nil, closeAll, &Error{Kind: CredentialsMissing, Device: t.Name, Addr: t.Addr,
			Msg: fmt.Sprintf("no credentials for %s: give the device a password_env, password_file, key_file or agent reference in the inventory", t.Name)}
	}
	return methods, names, closeAll, nil
}

// Close closes the connection (and the jump host's, if any). Safe to call
// more than once.
func (c *Client) Close() error {
	if c.stop != nil {
		c.stop()
	}
	return c.closeConn()
}

// closeConn closes the connections once; the context watcher calls it
// directly because it must not touch c.stop.
func (c *Client) closeConn() error {
	var err error
	c.once.Do(func() {
		err = c.client.Close()
		if c.jump != nil {
			c.jump.Close()
		}
	})
	return err
}

// Target returns what the client was dialed with.
func (c *Client) Target() Target { return c.target }

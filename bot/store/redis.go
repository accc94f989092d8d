package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the Store on a redis.UniversalClient.
type Redis struct {
	rdb    redis.UniversalClient
	prefix string
	opts   Options
}

// NewRedis wraps a client; prefix "" means "tunneldoc:".
func NewRedis(rdb redis.UniversalClient, prefix string, opts Options) *Redis {
	if prefix == "" {
		prefix = "tunneldoc:"
	}
	return &Redis{rdb: rdb, prefix: prefix, opts: opts.withDefaults()}
}

// OpenURL connects to REDIS_URL. redis:// and rediss:// URLs name one
// server; add addr=host:port query parameters for a Cluster seed list, or
// master_name=NAME (host and addr= name the Sentinels, whose credentials
// the master shares) for Sentinel. It does not ping: call Ping to learn
// whether the server answers.
func OpenURL(rawURL string, opts Options) (*Redis, error) {
	uo, err := universalOptions(rawURL)
	if err != nil {
		return nil, err
	}
	return NewRedis(redis.NewUniversalClient(uo), "", opts), nil
}

func universalOptions(rawURL string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", redactURLError(err))
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		fo, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL (sentinel): %w", redactURLError(err))
		}
		// The URL's user info authenticates to the Sentinels; the usual
		// deployment gives the master the same credentials.
		user, pass := fo.Username, fo.Password
		if user == "" && pass == "" {
			user, pass = fo.SentinelUsername, fo.SentinelPassword
		}
		return &redis.UniversalOptions{
			Addrs: fo.SentinelAddrs, MasterName: fo.MasterName, DB: fo.DB,
			Username: user, Password: pass, TLSConfig: fo.TLSConfig,
			SentinelUsername: fo.SentinelUsername, SentinelPassword: fo.SentinelPassword,
		}, nil
	case q.Has("addr"):
		co, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL (cluster): %w", redactURLError(err))
		}
		return &redis.UniversalOptions{
			Addrs: co.Addrs, Username: co.Username, Password: co.Password, TLSConfig: co.TLSConfig,
			IsClusterMode: true,
		}, nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", redactURLError(err))
	}
	return &redis.UniversalOptions{
		Addrs: []string{o.Addr}, DB: o.DB, Username: o.Username, Password: o.Password,
		TLSConfig: o.TLSConfig, Protocol: o.Protocol,
	}, nil
}

// redactURLError drops the URL from url.Error: it may hold a password.
func redactURLError(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func (r *Redis) key(parts ...string) string {
	k := r.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// FirstDelivery implements Store with SET NX EX.
func (r *Redis) FirstDelivery(ctx context.Context, eventID string, ttl time.Duration) (bool, error) {
	if eventID == "" {
		return true, nil
	}
	ok, err := r.rdb.SetNX(ctx, r.key("event", eventID), "1", ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redis dedup %s: %w", eventID, err)
	}
	return ok, nil
}

func (r *Redis) load(ctx context.Context, c redis.Cmdable, id string) (Incident, error) {
	b, err := c.Get(ctx, r.key("incident", id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Incident{}, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Incident{}, fmt.Errorf("redis get incident %s: %w", id, err)
	}
	var in Incident
	if err := json.Unmarshal(b, &in); err != nil {
		return Incident{}, fmt.Errorf("redis incident %s: %w", id, err)
	}
	return in, nil
}

// writeBody queues the incident body. It is the only key written inside
// a MULTI, so transactions never span hash slots on Redis Cluster.
func (r *Redis) writeBody(ctx context.Context, p redis.Pipeliner, in Incident) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode incident %s: %w", in.ID, err)
	}
	p.Set(ctx, r.key("incident", in.ID), b, r.opts.ttlFor(in))
	return nil
}

// writeIndexes refreshes the thread index and the open list after the body
// was written; each is a single-key command.
func (r *Redis) writeIndexes(ctx context.Context, in Incident) error {
	ttl := r.opts.ttlFor(in)
	openKey := r.key("open")
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, r.key("thread", in.Channel, in.ThreadTS), in.ID, ttl)
		if isOpen(in) {
			p.ZAdd(ctx, openKey, redis.Z{Score: float64(in.LastSeen.Unix()), Member: in.ID})
			p.Expire(ctx, openKey, r.opts.OpenTTL)
		} else {
			p.ZRem(ctx, openKey, in.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis index incident %s: %w", in.ID, err)
	}
	return nil
}

// releaseTunnel deletes the tunnel key only if it still names id.
var releaseTunnel = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Open implements Store: body first, then the SET NX claim on the tunnel.
func (r *Redis) Open(ctx context.Context, in Incident) (Incident, bool, error) {
	if err := validateNew(in); err != nil {
		return Incident{}, false, err
	}
	tk := r.key("tunnel", in.Tunnel)
	// Bounded: each round either returns or finds a stale claim it removed.
	for range 3 {
		if cur, ok, err := r.ByTunnel(ctx, in.Tunnel); err != nil {
			return Incident{}, false, err
		} else if ok {
			return cur, false, nil
		}
		nin := prepareNew(in, r.opts.Now())
		if _, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error { return r.writeBody(ctx, p, nin) }); err != nil {
			return Incident{}, false, fmt.Errorf("redis create incident: %w", err)
		}
		claimed, err := r.rdb.SetNX(ctx, tk, nin.ID, r.opts.OpenTTL).Result()
		if err != nil {
			return Incident{}, false, fmt.Errorf("redis claim tunnel %s: %w", in.Tunnel, err)
		}
		if claimed {
			return nin, true, r.writeIndexes(ctx, nin)
		}
		// Lost the race: drop our body, take the winner's.
		r.rdb.Del(ctx, r.key("incident", nin.ID))
	}
	return Incident{}, false, fmt.Errorf("redis claim tunnel %s: contended", in.Tunnel)
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, id string) (Incident, error) {
	return r.load(ctx, r.rdb, id)
}

// ByTunnel implements Store.
func (r *Redis) ByTunnel(ctx context.Context, tunnel string) (Incident, bool, error) {
	tk := r.key("tunnel", tunnel)
	id, err := r.rdb.Get(ctx, tk).Result()
	if errors.Is(err, redis.Nil) {
		return Incident{}, false, nil
	}
	if err != nil {
		return Incident{}, false, fmt.Errorf("redis tunnel %s: %w", tunnel, err)
	}
	in, err := r.load(ctx, r.rdb, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !isOpen(in)) {
		// A stale claim (body expired or resolved without release).
		releaseTunnel.Run(ctx, r.rdb, []string{tk}, id)
		return Incident{}, false, nil
	}
	if err != nil {
		return Incident{}, false, err
	}
	return in, true, nil
}

// ByThread implements Store.
func (r *Redis) ByThread(ctx context.Context, channel, threadTS string) (Incident, bool, error) {
	id, err := r.rdb.Get(ctx, r.key("thread", channel, threadTS)).Result()
	if errors.Is(err, redis.Nil) {
		return Incident{}, false, nil
	}
	if err != nil {
		return Incident{}, false, fmt.Errorf("redis thread: %w", err)
	}
	in, err := r.load(ctx, r.rdb, id)
	if errors.Is(err, ErrNotFound) {
		return Incident{}, false, nil
	}
	if err != nil {
		return Incident{}, false, err
	}
	return in, true, nil
}

// Update implements Store with WATCH/MULTI on the incident key, retried a
// bounded number of times when another writer got there first.
func (r *Redis) Update(ctx context.Context, id string, fn Update) (Incident, error) {
	ik := r.key("incident", id)
	var out Incident
	for range 10 {
		err := r.rdb.Watch(ctx, func(tx *redis.Tx) error {
			in, err := r.load(ctx, tx, id)
			if err != nil {
				return err
			}
			fn(&in)
			in.ID = id
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error { return r.writeBody(ctx, p, in) })
			out = in
			return err
		}, ik)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return Incident{}, fmt.Errorf("redis update %s: %w", id, err)
		}
		if err := r.writeIndexes(ctx, out); err != nil {
			return out, err
		}
		tk := r.key("tunnel", out.Tunnel)
		if isOpen(out) {
			// Keep the claim alive as long as the incident.
			r.rdb.Expire(ctx, tk, r.opts.OpenTTL)
		} else if err := releaseTunnel.Run(ctx, r.rdb, []string{tk}, id).Err(); err != nil && !errors.Is(err, redis.Nil) {
			return out, fmt.Errorf("redis release tunnel %s: %w", out.Tunnel, err)
		}
		return out, nil
	}
	return Incident{}, fmt.Errorf("redis update %s: too much contention", id)
}

// ListOpen implements Store.
func (r *Redis) ListOpen(ctx context.Context) ([]Incident, error) {
	openKey := r.key("open")
	ids, err := r.rdb.ZRevRange(ctx, openKey, 0, 199).Result()
	if err != nil {
		return nil, fmt.Errorf("redis list open: %w", err)
	}
	var out []Incident
	for _, id := range ids {
		in, err := r.load(ctx, r.rdb, id)
		if errors.Is(err, ErrNotFound) {
			r.rdb.ZRem(ctx, openKey, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		if isOpen(in) {
			out = append(out, in)
		}
	}
	sortByLastSeen(out)
	return out, nil
}

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// Close implements Store.
func (r *Redis) Close() error { return r.rdb.Close() }

// Describe names the server(s) without credentials, for logs.
func Describe(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable REDIS_URL)"
	}
	db := u.Path
	if db == "" || db == "/" {
		db = "/0"
	}
	return u.Scheme + "://" + u.Host + db + extraAddrs(u)
}

func extraAddrs(u *url.URL) string {
	n := len(u.Query()["addr"])
	if n == 0 {
		return ""
	}
	return " (+" + strconv.Itoa(n) + " addrs)"
}

var _ Store = (*Redis)(nil)

// slogPrintf adapts go-redis's internal logger to slog.
type slogPrintf struct{ log *slog.Logger }

func (s slogPrintf) Printf(ctx context.Context, format string, v ...any) {
	s.log.WarnContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}

// SetLogger routes go-redis's own messages (pool dial failures during an
// outage) into log instead of the standard logger. It is process-wide.
func SetLogger(log *slog.Logger) {
	if log != nil {
		redis.SetLogger(slogPrintf{log: log})
	}
}

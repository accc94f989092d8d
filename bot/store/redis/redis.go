package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tunneldoc/tunneldoc/bot/store"
)

// Store is the store.Store and store.MonitorState on a
// goredis.UniversalClient.
type Store struct {
	rdb    goredis.UniversalClient
	prefix string
	opts   store.Options
	// countError is told the method name of every failed Redis operation;
	// nil counts nothing.
	countError func(op string)
	// countFull is told the method name of every operation refused
	// because Redis is full (by Redis or while backing off); nil: none.
	countFull func(op string)
}

// New wraps a client; prefix "" means "tunneldoc:".
func New(rdb goredis.UniversalClient, prefix string, opts store.Options) *Store {
	if prefix == "" {
		prefix = "tunneldoc:"
	}
	opts = opts.WithDefaults()
	rdb.AddHook(newBackoff(opts.Clock))
	return &Store{rdb: rdb, prefix: prefix, opts: opts}
}

// CountErrors makes count be told the method name ("Open", "ListOpen",
// "AcquireLease", ...) of every failed Redis operation. This is the one
// place Redis failures are counted: a not-found answer and a caller's
// cancellation are not Redis failing.
func (r *Store) CountErrors(count func(op string)) { r.countError = count }

// CountFull makes count be told the method name of every operation
// refused because Redis is out of memory (store.ErrFull), also counted
// as an error.
func (r *Store) CountFull(count func(op string)) { r.countFull = count }

// count is deferred by every exported method with its named error result.
func (r *Store) count(op string, err *error) {
	if *err == nil || r.countError == nil || errors.Is(*err, store.ErrNotFound) || errors.Is(*err, context.Canceled) {
		return
	}
	r.countError(op)
	if r.countFull != nil && errors.Is(*err, store.ErrFull) {
		r.countFull(op)
	}
}

// OpenURL connects to REDIS_URL. redis:// and rediss:// URLs name one
// server; add addr=host:port query parameters for a Cluster seed list, or
// master_name=NAME (host and addr= name the Sentinels, whose credentials
// the master shares) for Sentinel. It does not ping: call Ping to learn
// whether the server answers.
func OpenURL(rawURL string, opts store.Options) (*Store, error) {
	uo, err := universalOptions(rawURL)
	if err != nil {
		return nil, err
	}
	return New(goredis.NewUniversalClient(uo), "", opts), nil
}

func universalOptions(rawURL string) (*goredis.UniversalOptions, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", redactURLError(err))
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		fo, err := goredis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL (sentinel): %w", redactURLError(err))
		}
		// The URL's user info authenticates to the Sentinels; the usual
		// deployment gives the master the same credentials.
		user, pass := fo.Username, fo.Password
		if user == "" && pass == "" {
			user, pass = fo.SentinelUsername, fo.SentinelPassword
		}
		return &goredis.UniversalOptions{
			Addrs: fo.SentinelAddrs, MasterName: fo.MasterName, DB: fo.DB,
			Username: user, Password: pass, TLSConfig: fo.TLSConfig,
			SentinelUsername: fo.SentinelUsername, SentinelPassword: fo.SentinelPassword,
		}, nil
	case q.Has("addr"):
		co, err := goredis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL (cluster): %w", redactURLError(err))
		}
		return &goredis.UniversalOptions{
			Addrs: co.Addrs, Username: co.Username, Password: co.Password, TLSConfig: co.TLSConfig,
			IsClusterMode: true,
		}, nil
	}
	o, err := goredis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", redactURLError(err))
	}
	return &goredis.UniversalOptions{
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

func (r *Store) key(parts ...string) string {
	k := r.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// FirstDelivery implements store.Store with SET NX EX.
func (r *Store) FirstDelivery(ctx context.Context, eventID string, ttl time.Duration) (_ bool, err error) {
	defer r.count("FirstDelivery", &err)
	if eventID == "" {
		return true, nil
	}
	ok, err := r.rdb.SetNX(ctx, r.key("event", eventID), "1", ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redis dedup %s: %w", eventID, err)
	}
	return ok, nil
}

func (r *Store) load(ctx context.Context, c goredis.Cmdable, id string) (store.Incident, error) {
	b, err := c.Get(ctx, r.key("incident", id)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return store.Incident{}, fmt.Errorf("%s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Incident{}, fmt.Errorf("redis get incident %s: %w", id, err)
	}
	var in store.Incident
	if err := json.Unmarshal(b, &in); err != nil {
		return store.Incident{}, fmt.Errorf("redis incident %s: %w", id, err)
	}
	return in, nil
}

// writeBody queues the incident body. It is the only key written inside
// a MULTI, so transactions never span hash slots on Redis Cluster.
func (r *Store) writeBody(ctx context.Context, p goredis.Pipeliner, in store.Incident) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode incident %s: %w", in.ID, err)
	}
	p.Set(ctx, r.key("incident", in.ID), b, r.opts.TTL(in))
	return nil
}

// writeIndexes refreshes the thread index and the open list after the body
// was written; each is a single-key command.
func (r *Store) writeIndexes(ctx context.Context, in store.Incident) error {
	ttl := r.opts.TTL(in)
	openKey := r.key("open")
	_, err := r.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.Set(ctx, r.key("thread", in.Channel, in.ThreadTS), in.ID, ttl)
		if in.IsOpen() {
			p.ZAdd(ctx, openKey, goredis.Z{Score: float64(in.LastSeen.Unix()), Member: in.ID})
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
var releaseTunnel = goredis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Open implements store.Store: body first, then the SET NX claim on the tunnel.
func (r *Store) Open(ctx context.Context, in store.Incident) (_ store.Incident, _ bool, err error) {
	defer r.count("Open", &err)
	if err := store.ValidateNew(in); err != nil {
		return store.Incident{}, false, err
	}
	tk := r.key("tunnel", in.Tunnel)
	// Bounded: each round either returns or finds a stale claim it removed.
	for range 3 {
		if cur, ok, err := r.byTunnel(ctx, in.Tunnel); err != nil {
			return store.Incident{}, false, err
		} else if ok {
			return cur, false, nil
		}
		nin := store.PrepareNew(in, r.opts.Clock.Now())
		if _, err := r.rdb.Pipelined(ctx, func(p goredis.Pipeliner) error { return r.writeBody(ctx, p, nin) }); err != nil {
			return store.Incident{}, false, fmt.Errorf("redis create incident: %w", err)
		}
		claimed, err := r.rdb.SetNX(ctx, tk, nin.ID, r.opts.OpenTTL).Result()
		if err != nil {
			return store.Incident{}, false, fmt.Errorf("redis claim tunnel %s: %w", in.Tunnel, err)
		}
		if claimed {
			return nin, true, r.writeIndexes(ctx, nin)
		}
		// Lost the race: drop our body, take the winner's.
		r.rdb.Del(ctx, r.key("incident", nin.ID))
	}
	return store.Incident{}, false, fmt.Errorf("redis claim tunnel %s: contended", in.Tunnel)
}

// Get implements store.Store.
func (r *Store) Get(ctx context.Context, id string) (_ store.Incident, err error) {
	defer r.count("Get", &err)
	return r.load(ctx, r.rdb, id)
}

// ByTunnel implements store.Store.
func (r *Store) ByTunnel(ctx context.Context, tunnel string) (_ store.Incident, _ bool, err error) {
	defer r.count("ByTunnel", &err)
	return r.byTunnel(ctx, tunnel)
}

func (r *Store) byTunnel(ctx context.Context, tunnel string) (store.Incident, bool, error) {
	tk := r.key("tunnel", tunnel)
	id, err := r.rdb.Get(ctx, tk).Result()
	if errors.Is(err, goredis.Nil) {
		return store.Incident{}, false, nil
	}
	if err != nil {
		return store.Incident{}, false, fmt.Errorf("redis tunnel %s: %w", tunnel, err)
	}
	in, err := r.load(ctx, r.rdb, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !in.IsOpen()) {
		// A stale claim (body expired or resolved without release).
		releaseTunnel.Run(ctx, r.rdb, []string{tk}, id)
		return store.Incident{}, false, nil
	}
	if err != nil {
		return store.Incident{}, false, err
	}
	return in, true, nil
}

// ByThread implements store.Store.
func (r *Store) ByThread(ctx context.Context, channel, threadTS string) (_ store.Incident, _ bool, err error) {
	defer r.count("ByThread", &err)
	id, err := r.rdb.Get(ctx, r.key("thread", channel, threadTS)).Result()
	if errors.Is(err, goredis.Nil) {
		return store.Incident{}, false, nil
	}
	if err != nil {
		return store.Incident{}, false, fmt.Errorf("redis thread: %w", err)
	}
	in, err := r.load(ctx, r.rdb, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Incident{}, false, nil
	}
	if err != nil {
		return store.Incident{}, false, err
	}
	return in, true, nil
}

// Update implements store.Store with WATCH/MULTI on the incident key, retried a
// bounded number of times when another writer got there first.
func (r *Store) Update(ctx context.Context, id string, fn store.Update) (_ store.Incident, err error) {
	defer r.count("Update", &err)
	ik := r.key("incident", id)
	var out store.Incident
	for range 10 {
		err := r.rdb.Watch(ctx, func(tx *goredis.Tx) error {
			in, err := r.load(ctx, tx, id)
			if err != nil {
				return err
			}
			fn(&in)
			in.ID = id
			_, err = tx.TxPipelined(ctx, func(p goredis.Pipeliner) error { return r.writeBody(ctx, p, in) })
			out = in
			return err
		}, ik)
		if errors.Is(err, goredis.TxFailedErr) {
			continue
		}
		if err != nil {
			return store.Incident{}, fmt.Errorf("redis update %s: %w", id, err)
		}
		if err := r.writeIndexes(ctx, out); err != nil {
			return out, err
		}
		tk := r.key("tunnel", out.Tunnel)
		if out.IsOpen() {
			// Keep the claim alive as long as the incident.
			r.rdb.Expire(ctx, tk, r.opts.OpenTTL)
		} else if err := releaseTunnel.Run(ctx, r.rdb, []string{tk}, id).Err(); err != nil && !errors.Is(err, goredis.Nil) {
			return out, fmt.Errorf("redis release tunnel %s: %w", out.Tunnel, err)
		}
		return out, nil
	}
	return store.Incident{}, fmt.Errorf("redis update %s: too much contention", id)
}

// ListOpen implements store.Store.
func (r *Store) ListOpen(ctx context.Context) (_ []store.Incident, err error) {
	defer r.count("ListOpen", &err)
	openKey := r.key("open")
	ids, err := r.rdb.ZRevRange(ctx, openKey, 0, 199).Result()
	if err != nil {
		return nil, fmt.Errorf("redis list open: %w", err)
	}
	var out []store.Incident
	for _, id := range ids {
		in, err := r.load(ctx, r.rdb, id)
		if errors.Is(err, store.ErrNotFound) {
			r.rdb.ZRem(ctx, openKey, id)
			continue
		}
		if err != nil {
			return nil, err
		}
		if in.IsOpen() {
			out = append(out, in)
		}
	}
	store.SortByLastSeen(out)
	return out, nil
}

// Ping implements store.Store.
func (r *Store) Ping(ctx context.Context) (err error) {
	defer r.count("Ping", &err)
	if err := r.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// Close implements store.Store.
func (r *Store) Close() error { return r.rdb.Close() }

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

var _ store.Store = (*Store)(nil)

// slogPrintf adapts go-redis's internal logger to slog.
type slogPrintf struct{ log *slog.Logger }

func (s slogPrintf) Printf(ctx context.Context, format string, v ...any) {
	s.log.WarnContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}

// SetLogger routes go-redis's own messages (pool dial failures during an
// outage) into log instead of the standard logger. It is process-wide.
func SetLogger(log *slog.Logger) {
	if log != nil {
		goredis.SetLogger(slogPrintf{log: log})
	}
}

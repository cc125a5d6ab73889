package store

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgConns is a small connection pool: at most max connections, idle ones
// reused, broken ones dropped. (pgxpool needs a module this build does
// not pin.)
type pgConns struct {
	cfg       *pgx.ConnConfig
	idle      chan *pgx.Conn // idle connections
	slots     chan struct{}  // one token per open or opening connection
	done      chan struct{}  // closed by close
	closeOnce sync.Once
}

// errPoolClosed is returned by acquire after close.
var errPoolClosed = errors.New("connection pool closed")

func newPGConns(cfg *pgx.ConnConfig, max int) *pgConns {
	return &pgConns{cfg: cfg, idle: make(chan *pgx.Conn, max), slots: make(chan struct{}, max), done: make(chan struct{})}
}

// acquire returns an idle connection or opens one, waiting when max are
// in use.
func (p *pgConns) acquire(ctx context.Context) (*pgx.Conn, error) {
	for {
		select {
		case <-p.done:
			return nil, errPoolClosed
		case c := <-p.idle:
			if c.IsClosed() {
				<-p.slots
				continue
			}
			return c, nil
		default:
		}
		select {
		case <-p.done:
			return nil, errPoolClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		case c := <-p.idle:
			if c.IsClosed() {
				<-p.slots
				continue
			}
			return c, nil
		case p.slots <- struct{}{}:
			c, err := pgx.ConnectConfig(ctx, p.cfg)
			if err != nil {
				<-p.slots
				return nil, err
			}
			return c, nil
		}
	}
}

// tryAcquire returns an idle connection, or opens one if fewer than max
// exist; nil if every connection is in use. It never waits for another
// user to release one.
func (p *pgConns) tryAcquire(ctx context.Context) *pgx.Conn {
	for {
		select {
		case <-p.done:
			return nil
		case c := <-p.idle:
			if c.IsClosed() {
				<-p.slots
				continue
			}
			return c
		default:
		}
		select {
		case p.slots <- struct{}{}:
			c, err := pgx.ConnectConfig(ctx, p.cfg)
			if err != nil {
				<-p.slots
				return nil
			}
			return c
		default:
			return nil
		}
	}
}

// release returns c to the pool, or closes it if it is broken, was left
// inside a transaction, or the pool is closed.
func (p *pgConns) release(c *pgx.Conn) {
	select {
	case <-p.done:
	default:
		if !c.IsClosed() && !c.PgConn().IsBusy() && c.PgConn().TxStatus() == 'I' {
			p.idle <- c // never blocks: at most max connections exist
			return
		}
	}
	p.drop(c)
}

func (p *pgConns) drop(c *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.Close(ctx) //nolint:errcheck // dropping the connection
	<-p.slots
}

// with runs fn on a pooled connection.
func (p *pgConns) with(ctx context.Context, fn func(*pgx.Conn) error) error {
	c, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer p.release(c)
	return fn(c)
}

// tx runs fn in a transaction on a pooled connection, committing if fn
// returns nil.
func (p *pgConns) tx(ctx context.Context, opts pgx.TxOptions, fn func(pgx.Tx) error) error {
	return p.with(ctx, func(c *pgx.Conn) error { return pgx.BeginTxFunc(ctx, c, opts, fn) })
}

// close closes the idle connections; those in use close on release.
func (p *pgConns) close() {
	p.closeOnce.Do(func() { close(p.done) })
	for {
		select {
		case c := <-p.idle:
			p.drop(c)
		default:
			return
		}
	}
}

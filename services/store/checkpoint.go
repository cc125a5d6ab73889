package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
)

// walBackstopPages is the writer's own automatic checkpoint threshold
// (4 KiB pages): it only acts when the background checkpointer has fallen
// that far behind.
const walBackstopPages = 10000

// checkpointEvery is how many written articles wake the checkpointer.
const checkpointEvery = 200

// checkpointer copies the write-ahead log back into the database on its
// own connection after every checkpointEvery articles written, so the
// writer's commits do not stop to do it (SQLite would otherwise checkpoint
// inside the commit that crosses 1,000 pages). A PASSIVE checkpoint never
// blocks readers or the writer; what it cannot copy yet waits for the next
// one.
type checkpointer struct {
	db      *sql.DB
	log     *zap.Logger
	written atomic.Int64 // articles written since the last wake
	kick    chan struct{}
	stop    chan struct{}
	done    sync.WaitGroup
}

func startCheckpointer(db *sql.DB, log *zap.Logger) *checkpointer {
	c := &checkpointer{db: db, log: log, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c
}

// Written counts n articles committed and, every checkpointEvery, asks
// for a checkpoint without waiting for it.
func (c *checkpointer) Written(n int) {
	if c.written.Add(int64(n)) < checkpointEvery {
		return
	}
	c.written.Store(0)
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer c.done.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
			var busy, frames, copied int
			err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
			if err != nil {
				c.log.Warn("wal checkpoint failed", zap.Error(err))
			}
		}
	}
}

// Close stops the checkpointer and closes its connection.
func (c *checkpointer) Close() error {
	close(c.stop)
	c.done.Wait()
	return c.db.Close()
}

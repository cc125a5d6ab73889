package e2e_test

import (
	"syscall"
	"testing"
	"time"
)

// TestNATSLosesItsStore: the NATS server comes back on an empty store in
// the middle of a run (streams, consumers, key-value buckets and every
// message in flight gone). The stages declare what they need again, the
// feed poller, its state gone too, reads the feed anew, and every article
// the site published ends up stored exactly once.
func TestNATSLosesItsStore(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level test skipped in -short mode")
	}
	const articles = 60
	site := startSite(t, articles, 200*time.Millisecond) // over 12 s
	c := startCluster(t, site, []string{"fetch", "clean", "extract", "store"})

	db := c.openStore(t)
	eventually(t, time.Minute, "some articles stored", storedAtLeast(db, site, 10))

	c.nats.kill(syscall.SIGTERM)
	c.writeNATSConf(t, "js-empty")
	c.nats.start(t)
	eventually(t, 30*time.Second, "nats back on an empty store", c.natsUp)

	eventually(t, 2*time.Minute, "all articles stored", storedAtLeast(db, site, articles))
	checkStored(t, db, site, articles)
}

package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// ErrDisallowed means robots.txt forbids the fetcher a URL.
var ErrDisallowed = errors.New("disallowed by robots.txt")

// robotsTTL is how long a host's robots.txt is trusted.
const robotsTTL = time.Hour

// robotsCache keeps each host's robots.txt for robotsTTL.
type robotsCache struct {
	mu    sync.Mutex
	hosts map[string]*robotsEntry
}

type robotsEntry struct {
	once    sync.Once
	data    *robotstxt.RobotsData
	expires time.Time
}

// rules returns the robots.txt of u's host, fetching it through get when
// it is not cached. A robots.txt that cannot be had allows everything
// (network error, 4xx), except a 5xx, which disallows everything until the
// entry expires, as Google does.
func (c *robotsCache) rules(ctx context.Context, u *url.URL, get func(ctx context.Context, u string) (int, []byte, error)) *robotstxt.RobotsData {
	key := u.Scheme + "://" + u.Host
	c.mu.Lock()
	e, ok := c.hosts[key]
	if !ok || time.Now().After(e.expires) {
		e = &robotsEntry{expires: time.Now().Add(robotsTTL)}
		c.hosts[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		status, body, err := get(ctx, key+"/robots.txt")
		if err != nil {
			status, body = http.StatusNotFound, nil
		}
		data, err := robotstxt.FromStatusAndBytes(status, body)
		if err != nil {
			data, _ = robotstxt.FromStatusAndBytes(http.StatusNotFound, nil)
		}
		e.data = data
	})
	return e.data
}

package fetch

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Kinds of source.
const (
	KindFeed    = "feed"
	KindSitemap = "sitemap"
	KindURL     = "url"
	KindSite    = "site"
)

// DefaultInterval is a source's poll interval when the config gives none.
const DefaultInterval = 5 * time.Minute

// Source is a place coverage comes from: exactly one of Feed (RSS, Atom,
// JSON Feed), Sitemap (urlset, index, news sitemap, .xml.gz), URL (one
// page) and Site (a homepage: its autodiscovered feeds and the sitemaps of
// its robots.txt).
type Source struct {
	Name     string        `yaml:"name"`
	Feed     string        `yaml:"feed"`
	Sitemap  string        `yaml:"sitemap"`
	URL      string        `yaml:"url"`
	Site     string        `yaml:"site"`
	Interval time.Duration `yaml:"interval"`
}

// Kind is KindFeed, KindSitemap, KindURL or KindSite.
func (s Source) Kind() string {
	switch {
	case s.Feed != "":
		return KindFeed
	case s.Sitemap != "":
		return KindSitemap
	case s.Site != "":
		return KindSite
	}
	return KindURL
}

// Location is the source's URL, whatever its kind.
func (s Source) Location() string { return s.Feed + s.Sitemap + s.URL + s.Site }

// Every is the poll interval.
func (s Source) Every() time.Duration {
	if s.Interval <= 0 {
		return DefaultInterval
	}
	return s.Interval
}

// ValidateSources checks a source list; key prefixes errors ("sources").
func ValidateSources(key string, sources []Source) error {
	var errs []error
	names := map[string]bool{}
	for i, s := range sources {
		k := fmt.Sprintf("%s[%d]", key, i)
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("%s.name: must not be empty", k))
		case names[s.Name]:
			errs = append(errs, fmt.Errorf("%s.name: %q is used twice", k, s.Name))
		case !validKey(s.Name):
			errs = append(errs, fmt.Errorf("%s.name: %q may hold only letters, digits, '-', '_' and '.'", k, s.Name))
		}
		names[s.Name] = true
		set := 0
		for _, v := range []string{s.Feed, s.Sitemap, s.URL, s.Site} {
			if v != "" {
				set++
			}
		}
		if set != 1 {
			errs = append(errs, fmt.Errorf("%s: exactly one of feed, sitemap, url, site must be set", k))
		} else if u, err := url.Parse(s.Location()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s.%s: %q is not an http(s) url", k, s.Kind(), s.Location()))
		}
		if s.Interval != 0 && s.Interval < time.Second {
			errs = append(errs, fmt.Errorf("%s.interval: %s is shorter than 1s", k, s.Interval))
		}
	}
	return errors.Join(errs...)
}

// validKey reports whether s can be a JetStream KV key.
func validKey(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return s != "" && s[0] != '.' && s[len(s)-1] != '.'
}

package proto

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// never the page; NormalizeURL drops them.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gclsrc": true, "msclkid": true,
	"yclid": true, "igshid": true, "mc_cid": true, "mc_eid": true, "_ga": true,
	"_gl": true, "ref_src": true, "ocid": true, "cmpid": true, "ito": true,
	"spm": true, "share": true, "smid": true, "ns_mchannel": true, "ns_source": true,
	"ns_campaign": true, "ns_linkname": true, "ns_fee": true,
}

// NormalizeURL returns the canonical form of an absolute http(s) URL used for
// article identity: lowercase scheme and host, no default port, no fragment,
// no tracking parameters, remaining query parameters sorted, and an empty
// path written as "/". Other schemes (file, urn) are returned trimmed.
func NormalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("normalize url %q: %w", raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" {
			return "", fmt.Errorf("normalize url %q: not absolute", raw)
		}
		return raw, nil
	}
	if u.Host == "" {
		return "", fmt.Errorf("normalize url %q: no host", raw)
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimRight(host, ".")
	if host == "" {
		return "", fmt.Errorf("normalize url %q: no host", raw)
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment = ""
	u.RawFragment = ""
	if u.Path == "" {
		u.Path = "/"
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if lk == "" || strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
			q.Del(k)
		}
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			if v != "" {
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	u.RawQuery = b.String()
	u.ForceQuery = false
	return u.String(), nil
}

// ArticleID is the stable identity of an article: the first 16 bytes, in
// hex, of the SHA-256 of its normalized canonical URL. A URL that cannot be
// normalized is hashed as given.
func ArticleID(canonicalURL string) string {
	if n, err := NormalizeURL(canonicalURL); err == nil {
		canonicalURL = n
	}
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:16])
}

// ContentHash is the hex SHA-256 of b.
func ContentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// FileURL is the URL given to a file ingested without one: it names the
// file's content, so ingesting the same file twice is one article.
func FileURL(content []byte) string {
	return "urn:newsflow:file:" + ContentHash(content)[:32]
}

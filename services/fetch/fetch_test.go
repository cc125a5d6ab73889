package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
	"golang.org/x/text/encoding/charmap"

	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/proto"
)

func testConfig() Config {
	c := DefaultConfig()
	c.AllowPrivate = true
	c.PerHostRPS = 1000
	c.MaxBodyBytes = 64 << 10
	c.Timeout = 2 * time.Second
	return c
}

func discovered(u string) *proto.Discovered {
	return &proto.Discovered{Envelope: proto.Envelope{Schema: proto.SchemaDiscovered, URL: u, ArticleID: proto.ArticleID(u)}}
}

func TestFetch(t *testing.T) {
	ru, _ := charmap.Windows1251.NewEncoder().Bytes([]byte("<html><head><meta charset=windows-1251><title>Саммит</title></head><body><p>Переговоры прошли в столице.</p></body></html>"))
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") == "" {
			t.Error("no user agent sent")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<html><body><p>Leaders met at the summit.</p></body></html>"))
	})
	mux.HandleFunc("/ru", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write(ru)
	})
	mux.HandleFunc("/text", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("A plain report.\n\nSecond paragraph."))
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok?utm_source=x", http.StatusFound)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		http.Error(w, "busy", http.StatusTooManyRequests)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusBadGateway) })
	mux.HandleFunc("/pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write([]byte("%PDF-1.4"))
	})
	mux.HandleFunc("/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(strings.Repeat("<p>filler text</p>", 10000)))
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := New(testConfig(), nil, zaptest.NewLogger(t))

	tests := []struct {
		path      string
		wantText  string
		wantKind  string
		permanent bool
		transient bool
		retryAt   time.Duration
	}{
		{path: "/ok", wantText: "Leaders met at the summit.", wantKind: proto.KindHTML},
		{path: "/ru", wantText: "Переговоры прошли в столице.", wantKind: proto.KindHTML},
		{path: "/text", wantText: "Second paragraph.", wantKind: proto.KindText},
		{path: "/moved", wantText: "Leaders met", wantKind: proto.KindHTML},
		{path: "/gone", permanent: true},
		{path: "/busy", transient: true, retryAt: 7 * time.Second},
		{path: "/broken", transient: true},
		{path: "/pdf", permanent: true},
		{path: "/huge", permanent: true},
		{path: "/hang", transient: true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			out, err := f.Fetch(context.Background(), discovered(srv.URL+tt.path))
			if tt.permanent || tt.transient {
				if err == nil {
					t.Fatalf("Fetch(%s) = nil error; want failure", tt.path)
				}
				if got := pipeline.IsPermanent(err); got != tt.permanent {
					t.Errorf("Fetch(%s) permanent = %v (%v); want %v", tt.path, got, err, tt.permanent)
				}
				if tt.retryAt > 0 && pipeline.RetryDelay(err) != tt.retryAt {
					t.Errorf("Fetch(%s) retry after = %s; want %s", tt.path, pipeline.RetryDelay(err), tt.retryAt)
				}
				return
			}
			if err != nil {
				t.Fatalf("Fetch(%s): %v", tt.path, err)
			}
			body, err := out.RawBody(0)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(body), tt.wantText) || out.Kind != tt.wantKind {
				t.Errorf("Fetch(%s) = kind %s body %q; want kind %s containing %q", tt.path, out.Kind, body, tt.wantKind, tt.wantText)
			}
			if !strings.HasSuffix(out.ContentType, "charset=utf-8") || out.Schema != proto.SchemaFetched || out.ContentHash == "" {
				t.Errorf("Fetch(%s) = content type %q, schema %q, hash %q", tt.path, out.ContentType, out.Schema, out.ContentHash)
			}
		})
	}
	t.Run("redirect final url is normalized", func(t *testing.T) {
		out, err := f.Fetch(context.Background(), discovered(srv.URL+"/moved"))
		if err != nil {
			t.Fatal(err)
		}
		if out.FinalURL != srv.URL+"/ok" {
			t.Errorf("FinalURL = %q; want %q", out.FinalURL, srv.URL+"/ok")
		}
	})
}

func TestPrivateAddressesRefusedByDefault(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<p>internal</p>"))
	}))
	defer srv.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL, http.StatusFound)
	}))
	defer redirector.Close()

	cfg := testConfig()
	cfg.AllowPrivate = false
	f := New(cfg, nil, zaptest.NewLogger(t))
	for _, u := range []string{srv.URL, "http://localhost:" + srv.URL[strings.LastIndex(srv.URL, ":")+1:], "http://[::1]:1/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://2130706433/", "http://0177.0.0.1/", "http://[::ffff:127.0.0.1]/"} {
		_, err := f.Fetch(context.Background(), discovered(u))
		if !errors.Is(err, ErrForbiddenAddress) || !pipeline.IsPermanent(err) {
			t.Errorf("Fetch(%s) = %v; want a permanent ErrForbiddenAddress", u, err)
		}
	}
	// A public-looking start that redirects to loopback is refused too.
	f2 := New(cfg, nil, zaptest.NewLogger(t))
	if _, err := f2.Fetch(context.Background(), discovered(redirector.URL)); !errors.Is(err, ErrForbiddenAddress) {
		t.Errorf("Fetch(redirect to loopback) = %v; want ErrForbiddenAddress", err)
	}
}

func TestIsPublic(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"8.8.8.8", true}, {"2a00:1450::1", true},
		{"127.0.0.1", false}, {"::1", false}, {"10.1.2.3", false}, {"172.16.0.1", false},
		{"192.168.1.1", false}, {"169.254.169.254", false}, {"fe80::1", false}, {"fc00::1", false},
		{"::ffff:10.0.0.1", false}, {"0.0.0.0", false}, {"100.64.0.1", false}, {"224.0.0.1", false},
	}
	for _, tt := range tests {
		if got := IsPublic(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("IsPublic(%s) = %v; want %v", tt.ip, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	if got := retryAfter("120"); got != 2*time.Minute {
		t.Errorf("retryAfter(120) = %s", got)
	}
	if got := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); got < 59*time.Minute {
		t.Errorf("retryAfter(date in 1h) = %s", got)
	}
	if got := retryAfter("soon"); got != 0 {
		t.Errorf("retryAfter(soon) = %s", got)
	}
}

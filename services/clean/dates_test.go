package clean

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsflow/newsflow/proto"
)

func TestURLDate(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		{"https://news.example/2031/04/07/crane-returns", "2031-04-07"},
		{"https://news.example/world/2031/4/7/crane", "2031-04-07"},
		{"https://news.example/2031-04-07-crane-returns.html", "2031-04-07"},
		{"https://news.example/world/crane-returns-20310407", "2031-04-07"},
		{"https://news.example/20310407/crane.html", "2031-04-07"},
		{"https://news.example/2031/04/crane-returns", ""},              // no day
		{"https://news.example/2031/02/30/crane", ""},                   // no such day
		{"https://news.example/2031/04-07/crane", ""},                   // mixed separators
		{"https://news.example.cn/2031-04/07/c_1130.htm", "2031-04-07"}, // a Chinese agency's form
		{"https://paper.example.cn/n1/2031/0407/c1002-4023.html", "2031-04-07"},
		{"https://news.example/2031-4/7/crane", ""},                // that form only with two digits
		{"https://news.example/article/1203104071234", ""},         // digits inside an id
		{"https://news.example/2035/01/01/from-the-future", ""},    // after now
		{"https://news.example/crane?date=2031-04-07", ""},         // query, not path
		{"https://news.example/1985/04/07/archive-before-web", ""}, // before 1990
	}
	for _, tt := range tests {
		got := ""
		if d, ok := urlDate(tt.url, testNow); ok {
			got = d.Format(time.DateOnly)
		}
		if got != tt.want {
			t.Errorf("urlDate(%q) = %q; want %q", tt.url, got, tt.want)
		}
	}
}

func TestVisibleDate(t *testing.T) {
	cet := time.FixedZone("", 3600)
	tests := []struct {
		text string
		loc  *time.Location
		want string // RFC 3339, or a day for a day-only date; "" for none
	}{
		{"21 April 2031, 10:00", nil, "2031-04-21T10:00:00Z"},
		{"21 May 2031, 10:00", nil, ""}, // after now
		{"Published 21.04.2031", nil, "2031-04-21"},
		{"3. März 2031, 14:30 Uhr", cet, "2031-03-03T14:30:00+01:00"},
		{"April 9th, 2031 at 8:15 pm", nil, "2031-04-09T20:15:00Z"},
		{"Apr. 9, 2031", nil, "2031-04-09"},
		{"17 de febrero de 2031", nil, "2031-02-17"},
		{"06 dicembre 2030", nil, "2030-12-06"},
		{"9 апреля 2031", nil, "2031-04-09"},
		{"2031-04-09", nil, "2031-04-09"},
		{"posted 2 hours ago", nil, ""},
		{"31.02.2031", nil, ""},                                                // no such day
		{"Stardate 41153.7", nil, ""},                                          // no date at all
		{"Updated: 12.04.2031, first published 02.04.2031", nil, "2031-04-12"}, // the first one shown
	}
	for _, tt := range tests {
		got := ""
		if c, ok := visibleDate(tt.text, tt.loc, testNow); ok {
			if c.dateOnly {
				got = c.t.Format(time.DateOnly)
			} else {
				got = c.t.Format(time.RFC3339)
			}
		}
		if got != tt.want {
			t.Errorf("visibleDate(%q) = %q; want %q", tt.text, got, tt.want)
		}
	}
}

func TestBestPublished(t *testing.T) {
	utc := time.Date(2031, 4, 9, 22, 30, 0, 0, time.UTC)
	local := utc.In(time.FixedZone("", 2*3600))
	day := time.Date(2031, 4, 10, 0, 0, 0, 0, time.UTC)
	t.Run("first source wins", func(t *testing.T) {
		other := utc.Add(-48 * time.Hour)
		got, ok := bestPublished([]dateCand{{t: utc, src: srcJSONLD, zoned: true}, {t: other, src: srcOG, zoned: true}})
		if !ok || !got.t.Equal(utc) || got.src != srcJSONLD {
			t.Errorf("got %v from %s; want %v from json-ld", got.t, got.src, utc)
		}
	})
	t.Run("a day yields to a full time on that day", func(t *testing.T) {
		got, ok := bestPublished([]dateCand{{t: day, src: srcJSONLD, dateOnly: true}, {t: local, src: srcOG, zoned: true}})
		if !ok || got.src != srcOG || got.t.Format(time.RFC3339) != "2031-04-10T00:30:00+02:00" {
			t.Errorf("got %s from %s; want 2031-04-10T00:30:00+02:00 from og", got.t.Format(time.RFC3339), got.src)
		}
	})
	t.Run("a UTC instant takes the local offset another source states", func(t *testing.T) {
		got, ok := bestPublished([]dateCand{{t: utc, src: srcJSONLD, zoned: true}, {t: local, src: srcOG, zoned: true}})
		if !ok || got.src != srcJSONLD || got.t.Format(time.RFC3339) != "2031-04-10T00:30:00+02:00" {
			t.Errorf("got %s from %s; want 2031-04-10T00:30:00+02:00 from json-ld", got.t.Format(time.RFC3339), got.src)
		}
	})
	t.Run("none", func(t *testing.T) {
		if _, ok := bestPublished(nil); ok {
			t.Error("bestPublished(nil) found a date")
		}
	})
}

func TestPageOffsetAndLocalize(t *testing.T) {
	loc, ok := pageOffset([]string{"2031-04-09T22:30:00Z", "", "2031-04-10T08:00:00-05:00", "2031-04-10", "2031-04-10T09:00:00-05:00", "2031-04-10T09:00:00+01:00"}, testNow)
	if !ok {
		t.Fatal("pageOffset found no offset")
	}
	utc := time.Date(2031, 4, 10, 3, 40, 0, 0, time.UTC)
	if got := localize(utc, true, loc).Format(time.RFC3339); got != "2031-04-09T22:40:00-05:00" {
		t.Errorf("localize = %s; want 2031-04-09T22:40:00-05:00 (the most common offset)", got)
	}
	if got := localize(utc, false, loc); !got.Equal(utc) || got.Location() != time.UTC {
		t.Errorf("a time without a stated zone moved to %s", got.Format(time.RFC3339))
	}
	if _, ok := pageOffset([]string{"2031-04-09T22:30:00Z", "2031-04-09 10:00:00"}, testNow); ok {
		t.Error("pageOffset found an offset on a page that states none but UTC")
	}
	for s, want := range map[string]bool{"2031-04-09T22:30:00Z": true, "2031-04-09T22:30:00+0200": true,
		"Wed, 09 Apr 2031 22:30:00 GMT": true, "2031-04-09T22:30:00": false, "2031-04-09": false} {
		if hasZone(s) != want {
			t.Errorf("hasZone(%q) = %v; want %v", s, !want, want)
		}
	}
}

func TestClockOffset(t *testing.T) {
	at := time.Date(2031, 3, 5, 2, 47, 13, 0, time.UTC)
	tests := []struct {
		src  string
		want string // the offset found, "" for none
	}{
		{`var d = "2031-03-04 21:47:13";`, "-05:00"},
		{`"created":"2031-03-05T08:17:13"`, "+05:30"},
		{`<span>2031-03-04 21:47:13.250</span>`, "-05:00"},
		{`"2031-03-04 21:47:13-05:00"`, ""}, // states its offset: not a local reading
		{`"2031-03-04T21:47:13Z"`, ""},      // UTC
		{`"2031-03-04 21:47:13 GMT"`, ""},   // UTC
		{`"2031-03-05 02:47:13"`, ""},       // the same reading: no offset
		{`"2031-03-04 21:40:13"`, ""},       // not a quarter-hour offset
		{`"2031-03-03 21:47:13"`, ""},       // more than a day off
		{`"2031-03-04 21:47"`, ""},          // no seconds
		{`no dates here`, ""},
	}
	for _, tt := range tests {
		loc, ok := clockOffset([]byte(tt.src), at)
		got := ""
		if ok {
			got = at.In(loc).Format("-07:00")
		}
		if got != tt.want {
			t.Errorf("clockOffset(%s) = %q; want %q", tt.src, got, tt.want)
		}
	}
	if _, ok := clockOffset([]byte(`"2031-03-04 21:47:13"`), at.In(time.FixedZone("", 3600))); ok {
		t.Error("a time stated in an offset other than UTC took another")
	}
	if _, ok := clockOffset([]byte(`"2031-03-04 21:47:00"`), time.Date(2031, 3, 5, 2, 47, 0, 0, time.UTC)); ok {
		t.Error("a time on the minute took an offset from a clock reading")
	}
}

// TestPublishedSources runs whole pages through the cleaner, one per rule
// of the publication time.
func TestPublishedSources(t *testing.T) {
	c := newTestCleaner(t)
	tests := []struct {
		file, url string
		want      string // RFC 3339; "" for no date from the rule
		src       string
		notSrc    string
	}{
		// JSON-LD states UTC, its dateModified the page's offset.
		{"dates_utc_local.html", "https://ferries.example/night-ferry", "2031-03-01T22:40:00-05:00", srcJSONLD, ""},
		// JSON-LD states UTC, a script the publisher's clock reading.
		{"dates_script_clock.html", "https://harbour.example/crane", "2031-03-04T21:47:13-05:00", srcJSONLD, ""},
		// No metadata: the itemprop element's text, not the header clock.
		{"dates_shown_text.html", "https://stadt.example/bruecke", "2031-03-03T14:30:00Z", srcText, ""},
		// Date-classed elements that agree.
		{"dates_class_agree.html", "https://orchards.example/cherries", "2031-04-09T20:15:00Z", srcText, ""},
		// Date-classed elements that disagree are a list of other stories.
		{"dates_class_disagree.html", "https://library.example/hours", "", "", srcText},
		// The address gives the day, a date-marked element its time.
		{"dates_url_and_shown.html", "https://reka.example/2031/04/07/parom", "2031-04-07T09:40:00Z", srcText, ""},
		// An element dating another day does not move the address's day.
		{"dates_url_and_shown.html", "https://reka.example/2031/04/06/parom", "2031-04-06T00:00:00Z", srcURL, ""},
		// Only the canonical address dates the page.
		{"dates_url_only.html", "https://portnews.example/story/88123", "2031-04-07T00:00:00Z", srcURL, ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.Clean(context.Background(), &proto.Fetched{Envelope: proto.Envelope{URL: tt.url}, Kind: proto.KindHTML, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			src := out.Meta.Sources["published_at"]
			if tt.notSrc != "" {
				if src == tt.notSrc {
					t.Errorf("published_at came from %s (%s); want another source", src, fmtTime(out.Meta.PublishedAt))
				}
				return
			}
			if got := fmtTime(out.Meta.PublishedAt); got != tt.want || src != tt.src {
				t.Errorf("PublishedAt = %q from %q; want %q from %q", got, src, tt.want, tt.src)
			}
		})
	}
}

func TestFeedDateBeatsAddressDate(t *testing.T) {
	feed := time.Date(2031, 4, 7, 14, 30, 0, 0, time.FixedZone("", 2*3600))
	f := fixture{file: "dates_url_only.html", kind: proto.KindHTML, url: "https://portnews.example/story/88123",
		hints: proto.Hints{PublishedAt: &feed}}
	out := mustClean(t, newTestCleaner(t), f)
	if got := out.Meta.PublishedAt; got == nil || !got.Equal(feed) || out.Meta.Sources["published_at"] != srcHints {
		t.Errorf("published_at = %v from %q; want the feed's %v from %q", got, out.Meta.Sources["published_at"], feed, srcHints)
	}
}

// mustClean cleans the fixture f or fails the test.
func mustClean(t *testing.T, c *Cleaner, f fixture) *proto.Cleaned {
	t.Helper()
	out, err := c.Clean(context.Background(), MustFetched(t, f))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTextDateFromAddress(t *testing.T) {
	c := newTestCleaner(t)
	f := fixture{file: "summit_lines.txt", kind: proto.KindText, url: "https://wire.example/2031/04/07/summit-talks"}
	out := mustClean(t, c, f)
	if got := fmtTime(out.Meta.PublishedAt); got != "2031-04-07T00:00:00Z" || out.Meta.Sources["published_at"] != srcURL {
		t.Errorf("published_at = %s from %q; want the address's day", got, out.Meta.Sources["published_at"])
	}
	feed := time.Date(2031, 4, 7, 9, 30, 0, 0, time.UTC)
	f.hints.PublishedAt = &feed
	out = mustClean(t, c, f)
	if got := out.Meta.PublishedAt; got == nil || !got.Equal(feed) {
		t.Errorf("published_at = %v; want the feed's %v over the address", got, feed)
	}
	f.url = "https://wire.example/summit-talks"
	f.hints.PublishedAt = nil
	out = mustClean(t, c, f)
	if out.Meta.PublishedAt != nil {
		t.Errorf("published_at = %v for a text and an address without a date", out.Meta.PublishedAt)
	}
}

// TestChinesePage: a Chinese page's title suffix after "_", its byline in
// the text ("作者：…", not "本报记者"), and the agency's URL date form.
func TestChinesePage(t *testing.T) {
	c := newTestCleaner(t)
	f := fixture{file: "zh_summit.html", kind: proto.KindHTML, url: "https://news.example.cn/2031-04/16/c_123.htm"}
	out := mustClean(t, c, f)
	if out.Meta.Title != "中俄元首举行会谈" {
		t.Errorf("title = %q; want the headline without the channel and site", out.Meta.Title)
	}
	if !slices.Equal(out.Meta.Authors, []string{"王小明"}) || out.Meta.Sources["authors"] != srcText {
		t.Errorf("authors = %q from %q; want [王小明] from the text", out.Meta.Authors, out.Meta.Sources["authors"])
	}
	if got := fmtTime(out.Meta.PublishedAt); !strings.HasPrefix(got, "2031-04-16") {
		t.Errorf("published_at = %s; want 2031-04-16", got)
	}
	for src, want := range map[string][]string{
		"作者：王小明　来源：示例网":       {"王小明"},
		"记者 李华、张伟 报道":         {"李华", "张伟"},
		"作者：本报记者":             nil,
		"两国元首共同会见记者。":         nil,
		"记者会上，发言人表示":          nil,
		"<span>作者:陈静</span>":  {"陈静"},
		"作者：王小明来源示例网，责任编辑：赵六": nil,
	} {
		if got := hanBylineNames([]byte(src)); !slices.Equal(got, want) {
			t.Errorf("hanBylineNames(%q) = %q; want %q", src, got, want)
		}
	}
}

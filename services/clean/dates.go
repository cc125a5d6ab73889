package clean

import (
	"bytes"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// srcURL marks a date read from the page's address.
const srcURL = "url"

// dateCand is one parseable date a page gives for a field.
type dateCand struct {
	t        time.Time
	src      string
	dateOnly bool // the source gave a day without a time of day
	zoned    bool // the source stated an offset (or UTC)
}

// bestPublished picks the publication time among the page's candidates,
// which come in order of trust: the first one wins, except that a day
// without a time yields to a full time on that same day, and an instant
// stated in UTC is given in the offset of another source that states the
// same instant in a local offset: that is the page's own time zone.
func bestPublished(cands []dateCand) (dateCand, bool) {
	var full []dateCand
	for _, c := range cands {
		if !c.dateOnly {
			full = append(full, c)
		}
	}
	var best dateCand
	found := false
	for _, c := range cands {
		if c.dateOnly && dayCovered(c.t, full) {
			continue
		}
		best, found = c, true
		break
	}
	if !found {
		return best, false
	}
	if !best.dateOnly {
		if _, off := best.t.Zone(); off == 0 {
			for _, c := range full {
				if _, o := c.t.Zone(); o != 0 && c.t.Equal(best.t) {
					best.t = best.t.In(c.t.Location())
					break
				}
			}
		}
	}
	return best, true
}

// dayCovered reports whether one of the full times falls on day d, in its
// own offset or in UTC.
func dayCovered(d time.Time, full []dateCand) bool {
	day := d.Format(time.DateOnly)
	for _, c := range full {
		if c.t.Format(time.DateOnly) == day || c.t.UTC().Format(time.DateOnly) == day {
			return true
		}
	}
	return false
}

// isDateOnly reports whether a metadata date string carries no time of day.
func isDateOnly(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) <= 10 && !strings.ContainsAny(s, ":T")
}

// urlDateRe finds a date in a URL path: /2024/05/21/, /2024-05-21-slug,
// /20240521/ or -20240521 at the end of a slug, /2024-05/21/ and
// /2024/0521/.
var urlDateRe = regexp.MustCompile(`(?:^|[/_-])((?:19|20)\d\d)([/_-]?)(0?[1-9]|1[0-2])([/_-]?)(0?[1-9]|[12]\d|3[01])(?:$|[/_.-])`)

// urlDate returns the publication day a URL's path spells out, if any.
// Separated forms (2024/05/21) may drop leading zeros; the packed form
// (20240521) must be exactly eight digits.
func urlDate(raw string, now time.Time) (time.Time, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Path == "" {
		return time.Time{}, false
	}
	for _, m := range urlDateRe.FindAllStringSubmatch(u.Path, -1) {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[3])
		d, _ := strconv.Atoi(m[5])
		// 2024/05-21 is no date; but Chinese sites write 2024-05/21
		// and 2024/0521, with two-digit months and days.
		chinese := (m[2] == "-" && m[4] == "/" || m[2] == "/" && m[4] == "") && len(m[3]) == 2 && len(m[5]) == 2
		if m[2] != m[4] && !chinese {
			continue
		}
		if m[2] == "" && m[4] == "" && (len(m[3]) != 2 || len(m[5]) != 2) {
			continue
		}
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Day() != d || t.Year() < 1990 || t.After(now.Add(48*time.Hour)) {
			continue
		}
		return t, true
	}
	return time.Time{}, false
}

// pageURLDate reads a publication day from the page's address, then from
// the canonical and og:url addresses it declares.
func pageURLDate(info *pageInfo, base *url.URL, now time.Time) (time.Time, bool) {
	var urls []string
	if base != nil {
		urls = append(urls, base.String())
	}
	urls = append(urls, info.canonical)
	if v, _ := info.meta("og:url"); v != "" {
		urls = append(urls, v)
	}
	for _, u := range urls {
		if t, ok := urlDate(u, now); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// explicitZoneRe matches a date string that ends in a stated offset or UTC.
var explicitZoneRe = regexp.MustCompile(`(?i)(?:z|[+-]\d\d:?\d\d|\bgmt|\butc)$`)

// hasZone reports whether a metadata date states its offset; a time
// without one was read as UTC and must not be moved to another zone.
func hasZone(s string) bool {
	return explicitZoneRe.MatchString(strings.TrimSpace(s)) && !isDateOnly(s)
}

// pageOffset returns the local offset the page states on its own dates:
// the most common non-zero offset among them. ok is false when no date
// on the page carries one.
func pageOffset(vals []string, now time.Time) (*time.Location, bool) {
	count := map[int]int{}
	best, n := 0, 0
	for _, v := range vals {
		if !hasZone(v) {
			continue
		}
		t, ok := parseTime(v, now)
		if !ok {
			continue
		}
		if _, off := t.Zone(); off != 0 {
			count[off]++
			if count[off] > n {
				best, n = off, count[off]
			}
		}
	}
	if n == 0 {
		return nil, false
	}
	return time.FixedZone("", best), true
}

// clockOffset finds the page's offset from t, an instant it states in UTC,
// written elsewhere in its source as a local clock reading without an
// offset (a script's `publication_date = "2024-05-21 13:05:09"`): the
// difference is the publisher's offset. Only a reading to the second, at
// a whole quarter-hour offset within a day of t, counts; a t on the minute
// is too common a reading to tell anything.
func clockOffset(src []byte, t time.Time) (*time.Location, bool) {
	if _, off := t.Zone(); off != 0 || t.Second() == 0 {
		return nil, false
	}
	t = t.UTC()
	for _, d := range []time.Time{t.AddDate(0, 0, -1), t, t.AddDate(0, 0, 1)} {
		day := []byte(d.Format(time.DateOnly))
		for i := 0; ; {
			j := bytes.Index(src[i:], day)
			if j < 0 {
				break
			}
			k := i + j + len(day)
			i = k
			if k+9 > len(src) || (src[k] != ' ' && src[k] != 'T') || statesZone(src[k+9:]) {
				continue
			}
			local, err := time.Parse(time.DateTime, string(day)+" "+string(src[k+1:k+9]))
			if err != nil {
				continue
			}
			off := local.Sub(t)
			if off == 0 || off%(15*time.Minute) != 0 || off < -12*time.Hour || off > 14*time.Hour {
				continue
			}
			return time.FixedZone("", int(off/time.Second)), true
		}
	}
	return nil, false
}

// statesZone reports whether b, what follows a clock reading (after any
// fraction of a second), states an offset or UTC: then the reading is no
// local one.
func statesZone(b []byte) bool {
	if len(b) > 1 && (b[0] == '.' || b[0] == ',') && b[1] >= '0' && b[1] <= '9' {
		b = b[1:]
		for len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
			b = b[1:]
		}
	}
	b = bytes.TrimLeft(b, " ")
	return len(b) > 0 && (b[0] == 'Z' || b[0] == 'z' || b[0] == '+' || b[0] == '-' ||
		bytes.HasPrefix(b, []byte("GMT")) || bytes.HasPrefix(b, []byte("UTC")))
}

// localize gives a time the page stated in UTC in the offset the page's
// other dates state (its own time zone). The instant is unchanged; only
// its calendar day and clock reading follow the publisher's.
func localize(t time.Time, zoned bool, pageLoc *time.Location) time.Time {
	if !zoned || pageLoc == nil {
		return t
	}
	if _, off := t.Zone(); off != 0 {
		return t
	}
	return t.In(pageLoc)
}

// monthNames maps month names and their common abbreviations, in the
// languages the pipeline sees most, to month numbers.
var monthNames = map[string]int{}

func init() {
	for i, names := range [12]string{
		"january jan januar janvier enero gennaio janeiro januari jänner janv ene genn gen января январь stycznia",
		"february feb februar février fevrier febrero febbraio fevereiro februari févr fevr feb febr февраля февраль lutego",
		"march mar märz maerz mars marzo março maart mrz мар марта март marca",
		"april apr avril abril aprile avr abr aprila апреля апрель kwietnia",
		"may mai mayo maggio maio mei mag мая май maja",
		"june jun juni juin junio giugno junho giu июня июнь czerwca",
		"july jul juli juillet julio luglio julho juil lug июля июль lipca",
		"august aug août aout agosto augustus ago авг августа август sierpnia",
		"september sep sept septembre septiembre settembre setembro set сен сентября сентябрь września",
		"october oct okt oktober octobre octubre ottobre outubro ott out окт октября октябрь października",
		"november nov novembre noviembre novembro ноя ноября ноябрь listopada",
		"december dec dez dezember décembre decembre diciembre dicembre dezembro dic déc дек декабря декабрь grudnia",
	} {
		for _, n := range strings.Fields(names) {
			monthNames[n] = i + 1
		}
	}
	words := make([]string, 0, len(monthNames))
	for n := range monthNames {
		words = append(words, regexp.QuoteMeta(n))
	}
	slices.Sort(words)
	weekday := `(?:` + strings.Join(weekdayNames, "|") + `)[\s,.]+`
	authorDateTail = regexp.MustCompile(`(?i)[\s,|·•–-]+(?:` + weekday + `)?(?:` + strings.Join(words, "|") + `)\.?\s+\d.*$` +
		`|[\s,|·•–-]+` + weekday + `\d.*$`)
}

// authorDateTail cuts a date that starts with a month name or a weekday
// ("Jane Doe March 25, 2031", "Jane Doe - Apr 3", "Jane Doe Thursday,
// November 9", "Jana Roth Donnerstag, 9. November") off the end of a
// byline.
var authorDateTail *regexp.Regexp

// weekdayNames are whole weekday names (abbreviations such as "Sun" are
// also names), in the languages of monthNames.
var weekdayNames = strings.Fields(`monday tuesday wednesday thursday friday saturday sunday
	montag dienstag mittwoch donnerstag freitag samstag sonntag
	lundi mardi mercredi jeudi vendredi samedi dimanche
	lunes martes miércoles jueves viernes sábado domingo
	lunedì martedì mercoledì giovedì venerdì sabato domenica
	понедельник вторник среда четверг пятница суббота воскресенье`)

const monthWord = `(\p{L}{3,10})\.?`

var (
	// 21.05.2024, 21. 5. 2024
	visDMYDots = regexp.MustCompile(`\b(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d\d)\b`)
	// 2024-05-21
	visISO = regexp.MustCompile(`\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b`)
	// 21 May 2024, 21. Mai 2024, 21 de mayo de 2024
	visDayMonth = regexp.MustCompile(`(?i)\b(\d{1,2})(?:\.|st|nd|rd|th|er)?\s+(?:de\s+)?` + monthWord + `,?\s+(?:de\s+)?((?:19|20)\d\d)\b`)
	// May 21, 2024
	visMonthDay = regexp.MustCompile(`(?i)` + monthWord + `\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b`)
	// a time of day right after the date: 10:00, 10.00 Uhr, 10h00
	visClock = regexp.MustCompile(`(?i)^[,\s]*(?:um\s+|at\s+|à\s+|a las\s+|-\s*|\|\s*)?(\d{1,2})[:h.](\d\d)(?:\s*(am|pm|a\.m\.|p\.m\.))?`)
)

// visibleDate reads a date a page shows as text ("21 May 2024, 10:00",
// "21.05.2024", "May 21, 2024", "2024-05-21"), the earliest-placed one in
// s. The time of day is kept when it follows the date; a date without
// one is a day only. Times are read in loc (the page's offset) or UTC.
func visibleDate(s string, loc *time.Location, now time.Time) (dateCand, bool) {
	if loc == nil {
		loc = time.UTC
	}
	type hit struct {
		pos, end, y, m, d int
	}
	var hits []hit
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	for _, m := range visDMYDots.FindAllStringSubmatchIndex(s, -1) {
		hits = append(hits, hit{m[0], m[1], atoi(s[m[6]:m[7]]), atoi(s[m[4]:m[5]]), atoi(s[m[2]:m[3]])})
	}
	for _, m := range visISO.FindAllStringSubmatchIndex(s, -1) {
		hits = append(hits, hit{m[0], m[1], atoi(s[m[2]:m[3]]), atoi(s[m[4]:m[5]]), atoi(s[m[6]:m[7]])})
	}
	for _, m := range visDayMonth.FindAllStringSubmatchIndex(s, -1) {
		if mo := monthNames[strings.ToLower(s[m[4]:m[5]])]; mo > 0 {
			hits = append(hits, hit{m[0], m[1], atoi(s[m[6]:m[7]]), mo, atoi(s[m[2]:m[3]])})
		}
	}
	for _, m := range visMonthDay.FindAllStringSubmatchIndex(s, -1) {
		if mo := monthNames[strings.ToLower(s[m[2]:m[3]])]; mo > 0 {
			hits = append(hits, hit{m[0], m[1], atoi(s[m[6]:m[7]]), mo, atoi(s[m[4]:m[5]])})
		}
	}
	var best *hit
	for i := range hits {
		h := &hits[i]
		t := time.Date(h.y, time.Month(h.m), h.d, 0, 0, 0, 0, time.UTC)
		if h.m < 1 || h.m > 12 || t.Day() != h.d || t.Year() < 1990 || t.After(now.Add(48*time.Hour)) {
			continue
		}
		if best == nil || h.pos < best.pos {
			best = h
		}
	}
	if best == nil {
		return dateCand{}, false
	}
	c := dateCand{t: time.Date(best.y, time.Month(best.m), best.d, 0, 0, 0, 0, time.UTC), src: srcText, dateOnly: true}
	if m := visClock.FindStringSubmatch(s[best.end:]); m != nil {
		hh, mm := atoi(m[1]), atoi(m[2])
		switch strings.ToLower(strings.ReplaceAll(m[3], ".", "")) {
		case "pm":
			if hh < 12 {
				hh += 12
			}
		case "am":
			if hh == 12 {
				hh = 0
			}
		}
		if hh < 24 && mm < 60 {
			c.t = time.Date(best.y, time.Month(best.m), best.d, hh, mm, 0, 0, loc)
			c.dateOnly = false
		}
	}
	return c, true
}

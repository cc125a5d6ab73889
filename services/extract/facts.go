package extract

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/newsflow/newsflow/proto"
)

// Fact kinds.
const (
	FactMoney    = "money"
	FactPercent  = "percent"
	FactQuantity = "quantity"
	FactDate     = "date"
)

var (
	numRe = `\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`
	// "$240 billion", "US$ 3.5bn", "€3 million", "£10", "¥5 billion".
	moneySymbolRe = regexp.MustCompile(`(?i)(US\$|\$|€|£|¥)\s?(` + numRe + `)(?:\s?(trillion|billion|million|thousand|tn|bn|mn|mln|m|k)\b)?`)
	// "240 billion dollars", "3 million euros", "5 billion yuan".
	moneyWordRe = regexp.MustCompile(`(?i)\b(` + numRe + `)\s?(trillion|billion|million|thousand|tn|bn|mn|mln)?\s(u\.?s\.?\s|chinese\s|russian\s)?(dollars?|euros?|pounds?(?:\ssterling)?|yuan|renminbi|roubles?|rubles?|usd|eur|gbp|cny|rmb|rub)\b`)
	// "240 миллиардов долларов", "1,5 трлн рублей", "300 млн долл.": a
	// period after the currency only ends an abbreviation.
	moneyRuRe = regexp.MustCompile(`(\d+(?:[.,]\d+)?)\s?(трлн|триллион[а-я]*|млрд|миллиард[а-я]*|млн|миллион[а-я]*|тыс\.?|тысяч[а-я]*)?\.?\s(доллар[а-я]*|долл\.?|евро|рубл[а-я]*|руб\.?|юан[а-я]*)`)
	// "2401亿美元", "5万亿元".
	moneyZhRe = regexp.MustCompile(`(\d+(?:\.\d+)?)\s?(万亿|亿|万|千)?(美元|欧元|英镑|人民币|元|卢布)`)

	// "50 billion cubic metres", "107 million tonnes", "38 bcm",
	// "1.2 million barrels a day", "2,000 km", "1.5 GW".
	quantityRe = regexp.MustCompile(`(?i)\b(` + numRe + `)\s?(trillion|billion|million|thousand|bn|mn|mln)?\s?(?:metric\s)?` +
		`(tonnes?|tons?|barrels?(?:\s(?:a|per)\sday)?|bpd|cubic\s(?:metres|meters|metre|meter)|bcm|` +
		`square\s(?:kilometres|kilometers|miles)|km2|km²|kilometres?|kilometers?|km|miles?|kilograms?|kg|litres?|liters?|` +
		`hectares?|megawatts?|gigawatts?|mw|gw|(?:kilo|mega|giga|tera)watt[- ]hours?|kwh|mwh|gwh|twh)\b`)
	// "38 млрд кубометров", "107 млн тонн", "4000 км".
	quantityRuRe = regexp.MustCompile(`(\d+(?:[.,]\d+)?)\s?(трлн|млрд|млн|тыс\.?)?\s?(тонн[а-я]*|кубометр[а-я]*|кубических\sметр[а-я]*|куб\.\sм|баррел[а-я]*|километр[а-я]*|км|гектар[а-я]*)`)
	// "380亿立方米", "1亿吨", "4000公里".
	quantityZhRe = regexp.MustCompile(`(\d+(?:\.\d+)?)\s?(万亿|亿|万|千)?(吨|立方米|桶|公里|千米|公顷)`)

	percentRe = regexp.MustCompile(`(?i)(\d+(?:[.,]\d+)?)\s?(%|％|\s?percent\b|\s?per\scent\b|\s?процент[а-я]*)`)

	monthNames = `(January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)`
	// "May 16", "May 16-17", "May 16, 2024".
	dateMDYRe = regexp.MustCompile(`\b` + monthNames + `\s(\d{1,2})(?:st|nd|rd|th)?(?:\s?[-–]\s?\d{1,2})?(?:,?\s(\d{4}))?\b`)
	// "16 May 2024", "16-17 May".
	dateDMYRe = regexp.MustCompile(`\b(\d{1,2})(?:\s?[-–]\s?\d{1,2})?\s` + monthNames + `(?:\s(\d{4}))?\b`)
	// "May 2024".
	dateMYRe = regexp.MustCompile(`\b` + monthNames + `\s(\d{4})\b`)
	// "2024-05-16".
	dateISORe = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	// "16 мая 2024 года", "16-17 мая".
	dateRuRe = regexp.MustCompile(`(\d{1,2})(?:\s?[-–]\s?\d{1,2})?\s(января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)(?:\s(\d{4}))?`)
	// "2024年5月16日", "5月16日".
	dateZhRe = regexp.MustCompile(`(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日`)
)

var scales = map[string]float64{
	"trillion": 1e12, "tn": 1e12, "трлн": 1e12, "триллион": 1e12, "万亿": 1e12,
	"billion": 1e9, "bn": 1e9, "млрд": 1e9, "миллиард": 1e9, "亿": 1e8,
	"million": 1e6, "mn": 1e6, "mln": 1e6, "m": 1e6, "млн": 1e6, "миллион": 1e6, "万": 1e4,
	"thousand": 1e3, "k": 1e3, "тыс": 1e3, "тысяч": 1e3, "千": 1e3,
}

func scaleOf(s string) float64 {
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if s == "" {
		return 1
	}
	if v, ok := scales[s]; ok {
		return v
	}
	for _, stem := range []string{"триллион", "миллиард", "миллион", "тысяч"} {
		if strings.HasPrefix(s, stem) {
			return scales[stem]
		}
	}
	return 1
}

func currencyOf(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "$" || s == "us$" || strings.HasPrefix(s, "dollar") || s == "usd" || strings.HasPrefix(s, "долл") || s == "美元":
		return "USD"
	case s == "€" || strings.HasPrefix(s, "euro") || s == "eur" || s == "евро" || s == "欧元":
		return "EUR"
	case s == "£" || strings.HasPrefix(s, "pound") || s == "gbp" || s == "英镑":
		return "GBP"
	// ¥ is both yen and yuan; news that writes ¥ for yen usually says so
	// ("¥5 billion yen" is caught by the word form first).
	case s == "¥" || s == "yuan" || s == "renminbi" || s == "cny" || s == "rmb" || strings.HasPrefix(s, "юан") || s == "人民币" || s == "元":
		return "CNY"
	case strings.HasPrefix(s, "rouble") || strings.HasPrefix(s, "ruble") || s == "rub" || strings.HasPrefix(s, "руб") || s == "卢布":
		return "RUB"
	}
	return ""
}

// parseNumber reads "240", "1,200.5" (English separators) or, when comma
// is true, "1,5" (decimal comma).
func parseNumber(s string, comma bool) (float64, bool) {
	if comma {
		s = strings.ReplaceAll(s, ",", ".")
	} else {
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// spans remembers the byte ranges already taken by a fact, so that one
// piece of text yields one fact.
type spans [][2]int

func (s *spans) take(a, b int) bool {
	for _, x := range *s {
		if a < x[1] && x[0] < b {
			return false
		}
	}
	*s = append(*s, [2]int{a, b})
	return true
}

// factRule is one pattern: its regexp, a cheap test of a lowercased
// paragraph that must pass before the regexp runs (regexps are most of
// the stage's cost), and how a match becomes a fact.
type factRule struct {
	re    *regexp.Regexp
	maybe func(lower string) bool
	build func(p string, m []int, year int) (proto.Fact, bool)
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func hasMonth(lower string) bool {
	return containsAny(lower, "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}

func money(numGroup, scaleGroup, curGroup int, comma bool) func(string, []int, int) (proto.Fact, bool) {
	return amount(FactMoney, numGroup, scaleGroup, curGroup, comma, func(s string) (string, float64, bool) {
		return currencyOf(s), 1, true
	})
}

func quantity(numGroup, scaleGroup, unitGroup int, comma bool) func(string, []int, int) (proto.Fact, bool) {
	return amount(FactQuantity, numGroup, scaleGroup, unitGroup, comma, func(s string) (string, float64, bool) {
		u := strings.ToLower(s)
		for _, q := range quantityUnits {
			if strings.HasPrefix(u, q.prefix) {
				return q.unit, q.factor, true
			}
		}
		return "", 0, false
	})
}

// amount builds a fact of kind from a number, its scale word ("billion")
// and its unit as written, which unit names and gives the factor to.
func amount(kind string, numGroup, scaleGroup, unitGroup int, comma bool, unit func(string) (string, float64, bool)) func(string, []int, int) (proto.Fact, bool) {
	return func(p string, m []int, _ int) (proto.Fact, bool) {
		v, ok := parseNumber(sub(p, m, numGroup), comma)
		if !ok {
			return proto.Fact{}, false
		}
		u, factor, ok := unit(sub(p, m, unitGroup))
		if !ok {
			return proto.Fact{}, false
		}
		return proto.Fact{Kind: kind, Value: v * scaleOf(sub(p, m, scaleGroup)) * factor, Unit: u}, true
	}
}

// quantityUnits normalises a unit as written (lower case, first match
// wins) to its symbol and the factor to it: "bcm" is 1e9 "m3".
var quantityUnits = []struct {
	prefix, unit string
	factor       float64
}{
	{"barrels a day", "bbl/d", 1}, {"barrel a day", "bbl/d", 1}, {"barrels per day", "bbl/d", 1}, {"bpd", "bbl/d", 1},
	{"barrel", "bbl", 1}, {"баррел", "bbl", 1}, {"桶", "bbl", 1},
	{"tonne", "t", 1}, {"ton", "t", 1}, {"тонн", "t", 1}, {"吨", "t", 1},
	{"cubic", "m3", 1}, {"кубометр", "m3", 1}, {"кубических", "m3", 1}, {"куб.", "m3", 1}, {"立方米", "m3", 1},
	{"bcm", "m3", 1e9},
	{"square", "km2", 1}, {"km2", "km2", 1}, {"km²", "km2", 1},
	{"kilomet", "km", 1}, {"km", "km", 1}, {"километр", "km", 1}, {"км", "km", 1}, {"公里", "km", 1}, {"千米", "km", 1},
	{"mile", "mi", 1}, {"kilogram", "kg", 1}, {"kg", "kg", 1}, {"litre", "l", 1}, {"liter", "l", 1},
	{"hectare", "ha", 1}, {"гектар", "ha", 1}, {"公顷", "ha", 1},
	{"megawatt-hour", "MWh", 1}, {"megawatt hour", "MWh", 1}, {"kilowatt", "kWh", 1}, {"gigawatt-hour", "GWh", 1},
	{"gigawatt hour", "GWh", 1}, {"terawatt", "TWh", 1}, {"kwh", "kWh", 1}, {"mwh", "MWh", 1}, {"gwh", "GWh", 1},
	{"twh", "TWh", 1}, {"megawatt", "MW", 1}, {"mw", "MW", 1}, {"gigawatt", "GW", 1}, {"gw", "GW", 1},
}

func date(yGroup, mGroup, dGroup int, monthByName bool) func(string, []int, int) (proto.Fact, bool) {
	return func(p string, m []int, year int) (proto.Fact, bool) {
		mo := 0
		if monthByName {
			mo = monthOf(sub(p, m, mGroup))
		} else {
			mo = atoi(sub(p, m, mGroup))
		}
		d := 0
		if dGroup > 0 {
			d = atoi(sub(p, m, dGroup))
			if d == 0 {
				return proto.Fact{}, false
			}
		}
		return dateFact(atoi(sub(p, m, yGroup)), mo, d, year)
	}
}

// factRules in priority order: where two overlap, the first wins.
var factRules = []factRule{
	{moneyWordRe, func(l string) bool {
		return containsAny(l, "dollar", "euro", "pound", "yuan", "renminbi", "rouble", "ruble", "usd", "eur", "gbp", "cny", "rmb", "rub")
	}, money(1, 2, 4, false)},
	{moneySymbolRe, func(l string) bool { return strings.ContainsAny(l, "$€£¥") }, money(2, 3, 1, false)},
	{moneyRuRe, func(l string) bool { return containsAny(l, "дол", "евро", "руб", "юан") }, money(1, 2, 3, true)},
	{moneyZhRe, func(l string) bool { return containsAny(l, "元", "卢布") }, money(1, 2, 3, false)},
	{percentRe, func(l string) bool { return containsAny(l, "%", "％", "percent", "per cent", "процент") },
		func(p string, m []int, _ int) (proto.Fact, bool) {
			n := sub(p, m, 1)
			v, ok := parseNumber(n, strings.Contains(n, ","))
			return proto.Fact{Kind: FactPercent, Value: v, Unit: "%"}, ok
		}},
	{quantityRe, func(l string) bool {
		return containsAny(l, "ton", "barrel", "bpd", "cubic", "bcm", "km", "kilomet", "mile", "kg", "kilogram", "litre", "liter",
			"hectare", "watt", "mw", "gw", "kwh", "twh")
	}, quantity(1, 2, 3, false)},
	{quantityRuRe, func(l string) bool {
		return containsAny(l, "тонн", "куб", "баррел", "километр", "км", "гектар")
	}, quantity(1, 2, 3, true)},
	{quantityZhRe, func(l string) bool { return containsAny(l, "吨", "立方米", "桶", "公里", "千米", "公顷") }, quantity(1, 2, 3, false)},
	{dateISORe, func(l string) bool { return strings.Contains(l, "-") }, date(1, 2, 3, false)},
	{dateMDYRe, hasMonth, date(3, 1, 2, true)},
	{dateDMYRe, hasMonth, date(3, 2, 1, true)},
	{dateMYRe, hasMonth, date(2, 1, 0, true)},
	{dateRuRe, func(l string) bool {
		return containsAny(l, "январ", "феврал", "март", "апрел", "мая", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр")
	}, date(3, 2, 1, true)},
	{dateZhRe, func(l string) bool { return strings.Contains(l, "月") }, date(1, 2, 3, false)},
}

// maxFacts bounds the facts taken from one article (a table of figures
// is not a list of facts, and the bound keeps the work linear).
const maxFacts = 100

// Facts extracts money amounts, percentages, quantities with units and
// dates from text. published supplies the year of dates that lack one
// (nil if unknown). Identical facts are reported once, in text order; at
// most maxFacts are looked at.
//
// Facts are encoded as follows:
//
//   - money: Text is the matched text, Value the amount in units of the
//     currency ("$240 billion" → 2.4e11), Unit the ISO 4217 code ("USD").
//   - percent: Value is the number (12.5), Unit is "%".
//   - quantity: Value is the amount in Unit, a symbol: t, m3, bbl,
//     bbl/d, km, km2, mi, kg, l, ha, MW, GW, kWh, MWh, GWh, TWh ("38 bcm"
//     → 3.8e10 m3, "107 million tonnes" → 1.07e8 t).
//   - date: Unit is the ISO 8601 date the text names ("2024-05-16"; a month
//     alone is "2024-05"), Value its Unix time at 00:00 UTC. A date without
//     a year takes the year of the article's publication; with no
//     publication date either, Unit is "--05-16" (ISO 8601 without year)
//     and Value 0. A range ("May 16-17") resolves to its first day.
func Facts(text string, published *time.Time) []proto.Fact {
	year := 0
	if published != nil && !published.IsZero() {
		year = published.Year()
	}
	type located struct {
		at int
		f  proto.Fact
	}
	var found []located
	seen := map[proto.Fact]bool{}
	// Every rule needs a digit, and no fact spans paragraphs: look at the
	// lines with digits only.
	for base := 0; base < len(text); {
		end := strings.IndexByte(text[base:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += base
		}
		line := text[base:end]
		lbase := base
		base = end + 1
		if !strings.ContainsAny(line, "0123456789") {
			continue
		}
		// Every fact has a digit and is short: look only at the text
		// around the digits, not at the whole paragraph.
		for _, w := range digitWindows(line) {
			p := line[w[0]:w[1]]
			pbase := lbase + w[0]
			lower := strings.ToLower(p)
			var taken spans
			var here []located
			for _, r := range factRules {
				if !r.maybe(lower) {
					continue
				}
				for _, m := range r.re.FindAllStringSubmatchIndex(p, maxFacts) {
					f, ok := r.build(p, m, year)
					if !ok || !taken.take(m[0], m[1]) {
						continue
					}
					f.Text = p[m[0]:m[1]]
					here = append(here, located{pbase + m[0], f})
				}
			}
			sort.SliceStable(here, func(i, j int) bool { return here[i].at < here[j].at })
			found = append(found, here...)
		}
		if len(found) >= maxFacts {
			found = found[:maxFacts]
			break
		}
	}
	var out []proto.Fact
	for _, l := range found {
		if seen[l.f] {
			continue
		}
		seen[l.f] = true
		out = append(out, l.f)
	}
	return out
}

// Reach of a fact around its digits, in bytes: "US$ 3", "September
// 16th", "240 billion U.S. dollars", "2401亿美元".
const (
	factBefore = 24
	factAfter  = 48
)

// digitWindows returns the ranges of s within reach of a digit, widened to
// whole words and merged where they touch, in order.
func digitWindows(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			continue
		}
		a, b := max(0, i-factBefore), min(len(s), i+factAfter)
		for a > 0 && s[a-1] != ' ' {
			a--
		}
		for b < len(s) && s[b] != ' ' {
			b++
		}
		if n := len(out); n > 0 && a <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], b)
		} else {
			out = append(out, [2]int{a, b})
		}
		i = max(i, b-factAfter) // skip digits already covered by this window's reach
	}
	return out
}

// sub returns submatch i of m in text, or "" if it did not participate.
func sub(text string, m []int, i int) string {
	if 2*i+1 >= len(m) || m[2*i] < 0 {
		return ""
	}
	return text[m[2*i]:m[2*i+1]]
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

var months = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
	"январ": 1, "феврал": 2, "марта": 3, "апрел": 4, "мая": 5, "июня": 6,
	"июля": 7, "август": 8, "сентяб": 9, "октяб": 10, "ноябр": 11, "декаб": 12,
}

func monthOf(s string) int {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	for k, v := range months {
		if strings.HasPrefix(s, k) {
			return v
		}
	}
	return 0
}

// dateFact builds a date fact for y-mo-d (d = 0: the month only; y = 0:
// take defYear, or none).
func dateFact(y, mo, d, defYear int) (proto.Fact, bool) {
	if mo < 1 || mo > 12 || d < 0 || d > 31 {
		return proto.Fact{}, false
	}
	if y == 0 {
		y = defYear
	}
	if y == 0 {
		if d == 0 {
			return proto.Fact{}, false
		}
		return proto.Fact{Kind: FactDate, Unit: "--" + pad2(mo) + "-" + pad2(d)}, true
	}
	if y < 1000 || y > 9999 {
		return proto.Fact{}, false
	}
	day := d
	if day == 0 {
		day = 1
	}
	t := time.Date(y, time.Month(mo), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day { // 31 June and the like
		return proto.Fact{}, false
	}
	iso := t.Format("2006-01-02")
	if d == 0 {
		iso = t.Format("2006-01")
	}
	return proto.Fact{Kind: FactDate, Value: float64(t.Unix()), Unit: iso}, true
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

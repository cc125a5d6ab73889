// Command benchclean measures the clean stage on public evaluation sets
// (trafilatura-eval, fundus-parser-testdata, readability-test-pages,
// htmldate-eval) and prints its scores beside those of go-trafilatura and
// go-readability run on the same pages in the same run, with the speed and
// memory of each on one core.
//
//	go run ./services/clean/cmd/benchclean [-data DIR] [-sets a,b] [-limit N] [-misses newsflow]
//
// DIR defaults to $BENCH_DATA, else ../shared/bench. Each extractor runs in
// its own child process with GOMAXPROCS=1, so its speed and memory are
// measured alone.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/segmentio/encoding/json"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, errNoData) {
			fmt.Fprintf(os.Stdout, "benchclean: skipped: %v (set -data or BENCH_DATA to the bench directory)\n", err)
			return
		}
		fmt.Fprintln(os.Stderr, "benchclean:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("benchclean", flag.ContinueOnError)
	def := os.Getenv("BENCH_DATA")
	if def == "" {
		def = "../shared/bench"
	}
	dir := fs.String("data", def, "the evaluation data `dir` (default $BENCH_DATA, else ../shared/bench)")
	setList := fs.String("sets", strings.Join(allSets, ","), "comma-separated `sets` to run")
	exList := fs.String("extractors", strings.Join(allExtractors, ","), "comma-separated `extractors` to compare")
	limit := fs.Int("limit", 0, "use only the first `n` pages of each set (0: all)")
	dump := fs.String("dump", "", "write every page's outputs and gold values as JSON lines to `file`")
	misses := fs.String("misses", "", "list the pages where `extractor` got the title, authors or date wrong")
	child := fs.String("child", "", "internal: run one extractor and print its outputs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sets := splitList(*setList)
	if err := checkData(*dir, sets); err != nil {
		return err
	}
	pages, err := loadSets(*dir, sets, *limit)
	if err != nil {
		return err
	}
	if *child != "" {
		return runChild(*child, pages, stdout)
	}

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	results := map[string]map[string]output{} // extractor -> set/id -> output
	stats := map[string]runStats{}
	extractors := splitList(*exList)
	for _, ex := range extractors {
		if _, err := newExtractor(ex); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "benchclean: running %s on %d pages (one core)...\n", ex, len(pages))
		cmd := exec.Command(exe, "-child", ex, "-data", *dir, "-sets", *setList, "-limit", strconv.Itoa(*limit))
		cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("%s: %w", ex, err)
		}
		results[ex] = map[string]output{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			line := sc.Bytes()
			if bytes.HasPrefix(line, []byte(`{"stats"`)) {
				var v map[string]runStats
				if err := json.Unmarshal(line, &v); err != nil {
					return err
				}
				stats[ex] = v["stats"]
				continue
			}
			var o output
			if err := json.Unmarshal(line, &o); err != nil {
				return fmt.Errorf("%s output: %w", ex, err)
			}
			results[ex][o.Set+"/"+o.ID] = o
		}
		if err := sc.Err(); err != nil {
			return err
		}
	}

	if *dump != "" {
		if err := writeDump(*dump, pages, extractors, results); err != nil {
			return err
		}
	}
	report(stdout, *dir, sets, pages, extractors, results, stats)
	if *misses != "" {
		if _, ok := results[*misses]; !ok {
			return fmt.Errorf("-misses %s: that extractor did not run", *misses)
		}
		listMisses(stdout, pages, results[*misses])
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func writeDump(path string, pages []page, extractors []string, results map[string]map[string]output) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, p := range pages {
		row := map[string]any{"set": p.Set, "id": p.ID, "url": p.URL, "gold": p.Gold}
		for _, ex := range extractors {
			row[ex] = results[ex][p.Set+"/"+p.ID]
		}
		if err := enc.Encode(row); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// report prints the score tables, one per set, and the speed table.
func report(w io.Writer, dir string, sets []string, pages []page, extractors []string,
	results map[string]map[string]output, stats map[string]runStats) {
	fmt.Fprintf(w, "clean benchmark on %s\n", dir)
	for _, set := range sets {
		sc := map[string]*scores{}
		var exs []string
		for _, ex := range extractors {
			if covers(ex, set) {
				exs = append(exs, ex)
			}
		}
		if len(exs) == 0 {
			continue
		}
		for _, ex := range exs {
			s := &scores{}
			for _, p := range pages {
				if p.Set == set {
					s.scorePage(p, results[ex][p.Set+"/"+p.ID])
				}
			}
			sc[ex] = s
		}
		n := sc[exs[0]].Pages
		fmt.Fprintln(w)
		switch set {
		case setTrafilatura:
			fmt.Fprintf(w, "## trafilatura-eval (%d pages; with/without snippets, micro-averaged)\n", n)
			fmt.Fprintf(w, "%-12s %9s %9s %9s %9s %9s %9s %9s %7s\n", "extractor", "precision", "recall", "accuracy", "F1", "title", "author", "date", "errors")
			for _, ex := range exs {
				s := sc[ex]
				fmt.Fprintf(w, "%-12s %9.3f %9.3f %9.3f %9.3f %9s %9s %9s %7d\n", ex, s.Snippets.precision(), s.Snippets.recall(),
					s.Snippets.accuracy(), s.Snippets.f1(), rate(s.Title), rate(s.Author), rate(s.Date), s.Errors)
			}
		case setFundus, setReadability:
			name := "fundus-parser-testdata"
			if set == setReadability {
				name = "readability-test-pages"
			}
			fmt.Fprintf(w, "## %s (%d pages; body = mean token F1; fields = exact-match accuracy)\n", name, n)
			fmt.Fprintf(w, "%-12s %9s %9s %9s %9s %9s %7s\n", "extractor", "body F1", "title", "authors", "date", "datetime", "errors")
			for _, ex := range exs {
				s := sc[ex]
				fmt.Fprintf(w, "%-12s %9.3f %9s %9s %9s %9s %7d\n", ex, s.BodyF1.value(), rate(s.Title), rate(s.Author),
					rate(s.Date), rate(s.DateTime), s.Errors)
			}
		case setHtmldate:
			fmt.Fprintf(w, "## htmldate-eval (%d pages, mediacloud 2020; publication day)\n", n)
			fmt.Fprintf(w, "%-12s %9s %9s %9s %9s\n", "extractor", "precision", "recall", "accuracy", "F1")
			for _, ex := range exs {
				d := sc[ex].Dates
				fmt.Fprintf(w, "%-12s %9.3f %9.3f %9.3f %9.3f\n", ex, d.precision(), d.recall(), d.accuracy(), d.f1())
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "## speed and memory (each extractor alone in its own process, GOMAXPROCS=1, the pages it is scored on)")
	fmt.Fprintf(w, "%-12s %7s %9s %8s %9s %11s %9s %9s %10s %10s\n", "extractor", "pages", "ms/page", "pages/s", "max ms", "alloc/page", "mallocs", "base RSS", "peak RSS", "vs trafil.")
	tr, haveTr := stats[exTrafilatura]
	for _, ex := range extractors {
		st, ok := stats[ex]
		if !ok || st.Pages == 0 {
			continue
		}
		ms := float64(st.Nanos) / 1e6 / float64(st.Pages)
		vs := "-"
		if haveTr && tr.Nanos > 0 && st.Pages == tr.Pages {
			vs = fmt.Sprintf("%.2fx", float64(tr.Nanos)/float64(st.Nanos)*float64(st.Pages)/float64(tr.Pages))
		}
		fmt.Fprintf(w, "%-12s %7d %9.2f %8.1f %9.1f %11s %9d %9s %10s %10s\n", ex, st.Pages, ms, 1000/ms, st.MaxPageMs,
			mib(float64(st.AllocBytes)/float64(st.Pages)), st.Mallocs/uint64(st.Pages), mib(float64(st.BaseRSS)), mib(float64(st.PeakRSS)), vs)
	}
	fmt.Fprintln(w, "(vs trafil. = speed relative to go-trafilatura alone on the same pages: above 1.00x is faster)")
}

func rate(h hit) string {
	if h.Total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", h.rate())
}

func mib(b float64) string { return fmt.Sprintf("%.2fMB", b/(1<<20)) }

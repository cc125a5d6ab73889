// Command benchner scores entity recognition on the open English NER sets
// of the benchmark data (DIR/ner/...): newsflow's entity finder beside
// prose/v3 alone, in the same run, with exact-span, exact-type micro
// precision, recall and F1 per type (PER, ORG, LOC) and the speed of each.
//
//	go run ./services/extract/cmd/benchner -data DIR
//
// DIR defaults to $BENCH_DATA, else ../shared/bench. When the data is
// absent it says so and exits 0.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// sets are the evaluation sets, in report order: the development set used
// for tuning first, then the test sets.
var sets = []struct {
	name, file string
	format     string // "uner" (IOB2 with # text lines) or "conll-io"
	role       string
}{
	{"uner-en-ewt-dev", "en_ewt-ud-dev.iob2", "uner", "dev (tuning)"},
	{"uner-en-pud", "en_pud-ud-test.iob2", "uner", "test"},
	{"uner-en-ewt-test", "en_ewt-ud-test.iob2", "uner", "test"},
	{"wikigold", "wikigold.conll.txt", "conll-io", "test"},
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchner:", err)
		os.Exit(1)
	}
}

func run(args []string, w io.Writer) error {
	fl := flag.NewFlagSet("benchner", flag.ContinueOnError)
	def := os.Getenv("BENCH_DATA")
	if def == "" {
		def = filepath.Join("..", "shared", "bench")
	}
	dir := fl.String("data", def, "benchmark data directory (holds ner/); default $BENCH_DATA or ../shared/bench")
	only := fl.String("sets", "", "comma-separated set names to run (default: all present)")
	showErrs := fl.Int("errors", 0, "print up to this many newsflow errors per set (false positives and misses)")
	rounds := fl.Int("rounds", 3, "timing rounds per system and set (the fastest is reported)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	root := filepath.Join(*dir, "ner")
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(w, "benchner: no NER benchmark data at %s (set -data or BENCH_DATA); nothing to do\n", root)
		return nil
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*only, ",") {
		if s = strings.TrimSpace(s); s != "" {
			want[s] = true
		}
	}
	systems, err := newSystems()
	if err != nil {
		return err
	}
	ran := 0
	for _, s := range sets {
		if len(want) > 0 && !want[s.name] {
			continue
		}
		path := filepath.Join(root, s.name, s.file)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(w, "%s: absent (%s), skipped\n\n", s.name, path)
			continue
		}
		if err != nil {
			return err
		}
		var docs []doc
		if s.format == "uner" {
			docs, err = readUNER(f)
		} else {
			docs, err = readConllIO(f)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		ran++
		report(w, s.name+" ["+s.role+"]", docs, systems, *rounds, *showErrs)
	}
	if ran == 0 {
		fmt.Fprintf(w, "benchner: no NER sets found under %s; nothing to do\n", root)
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/newsflow/newsflow/internal/ops"
	"github.com/newsflow/newsflow/proto"
)

func cmdReplay(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlagSet("replay", "")
	var c common
	c.register(fs, false)
	var o ops.ReplayOptions
	var since, until string
	fs.StringVar(&o.Subject, "subject", proto.SubjectFetched, "stored `subject` to reprocess: news.fetched (clean, extract, store), news.cleaned (extract, store) or news.extracted (store)")
	fs.StringVar(&since, "since", "", "start at messages stored since `time` (RFC 3339, YYYY-MM-DD, or a duration ago such as 24h)")
	fs.Uint64Var(&o.FromSeq, "from-seq", 0, "start at stream sequence `n`")
	fs.StringVar(&until, "until", "", "stop before messages stored at or after `time`")
	fs.StringVar(&o.Source, "source", "", "replay only articles of source `name`")
	fs.Float64Var(&o.Rate, "rate", 0, "at most `n` messages per second (0: as fast as the replay lane takes them)")
	fs.IntVar(&o.Window, "window", ops.DefaultReplayWindow, "pause while more than `n` replayed messages wait for the workers")
	fs.BoolVar(&o.ChangedOnly, "changed-only", false, "skip articles whose input and stage versions are unchanged since they were stored")
	fs.BoolVar(&o.Restart, "restart", false, "start over, even if the same replay was interrupted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("replay takes no arguments, got %q", fs.Args())
	}
	var err error
	if o.Since, err = parseSince(since); err != nil {
		return fmt.Errorf("replay: -since: %w", err)
	}
	if o.Until, err = parseSince(until); err != nil {
		return fmt.Errorf("replay: -until: %w", err)
	}
	_, b, err := c.connect(ctx, true)
	if err != nil {
		return err
	}
	defer b.Close()
	rep := newReplayReporter(stdout)
	o.Progress = rep.update
	start := time.Now()
	p, err := ops.Replay(ctx, b, o)
	rep.close()
	if err != nil {
		if errors.Is(err, ops.ErrInterrupted) {
			fmt.Fprintf(stdout, "replay %s run %d interrupted: %d of %d done, %d published, %d skipped\n", p.Key, p.Run, p.Done, p.Total, p.Published, p.Skipped)
		}
		return err
	}
	d := time.Since(start)
	resumed := ""
	if p.Resumed {
		resumed = " (resumed)"
	}
	fmt.Fprintf(stdout, "replay %s run %d%s finished: %d messages of %s, %d published to %s, %d skipped, in %s (%.0f/s)\n",
		p.Key, p.Run, resumed, p.Done, p.Subject, p.Published, "the replay lane", p.Skipped, d.Round(time.Millisecond), float64(p.Done)/max(d.Seconds(), 1e-3))
	return nil
}

// parseSince reads RFC 3339, a date, or a duration before now.
func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil && !strings.HasPrefix(s, "-") {
		return time.Now().Add(-d), nil
	}
	return parseTime(s)
}

// replayReporter shows a replay's progress: a bar on a terminal, a line
// every few seconds otherwise.
type replayReporter struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	last  time.Time
	start time.Time
	total uint64
}

func newReplayReporter(w io.Writer) *replayReporter {
	r := &replayReporter{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok && isTerminal(f) && isTerminal(os.Stderr) {
		r.w = os.Stderr
	}
	return r
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (r *replayReporter) update(p ops.ReplayProgress) {
	if r.w == os.Stderr {
		if r.bar == nil || r.total != p.Total {
			r.total = p.Total
			if r.bar == nil {
				r.bar = progressbar.NewOptions64(int64(p.Total),
					progressbar.OptionSetWriter(os.Stderr),
					progressbar.OptionSetDescription("replay "+p.Subject),
					progressbar.OptionShowCount(),
					progressbar.OptionShowIts(),
					progressbar.OptionSetItsString("msg"),
					progressbar.OptionSetPredictTime(true),
					progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionFullWidth(),
				)
			} else {
				r.bar.ChangeMax64(int64(p.Total))
			}
		}
		_ = r.bar.Set64(int64(p.Done))
		return
	}
	if time.Since(r.last) < 2*time.Second && !p.Finished {
		return
	}
	r.last = time.Now()
	el := time.Since(r.start).Seconds()
	rate := float64(p.Done) / max(el, 1e-3)
	eta := "-"
	if rate > 0 && p.Total >= p.Done {
		eta = (time.Duration(float64(p.Total-p.Done)/rate) * time.Second).Round(time.Second).String()
	}
	pct := 100.0
	if p.Total > 0 {
		pct = 100 * float64(p.Done) / float64(p.Total)
	}
	fmt.Fprintf(r.w, "replay %s: %d/%d (%.0f%%) %.0f msg/s eta %s, %d published, %d skipped\n", p.Subject, p.Done, p.Total, pct, rate, eta, p.Published, p.Skipped)
}

func (r *replayReporter) close() {
	if r.bar != nil {
		_ = r.bar.Finish()
		fmt.Fprintln(os.Stderr)
	}
}

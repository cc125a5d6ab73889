package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/segmentio/encoding/json"

	"github.com/newsflow/newsflow/internal/ops"
)

const dlqUsage = `Usage: newsflow dlq list|show|redrive|purge [flags]

  list      the dead letters, oldest first, with their reason and attempts
  show      one dead letter (-seq N) with its original message, as JSON
  redrive   send dead letters back to their original subject after a fix
            (-seq N, -stage S, or -all), and delete them from the queue
  purge     delete dead letters (-seq N, -stage S, or -all)

Flags:
`

func cmdDLQ(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stdout, dlqUsage)
		return fmt.Errorf("dlq: name a subcommand: list, show, redrive or purge")
	}
	sub := args[0]
	switch sub {
	case "list", "show", "redrive", "purge":
	default:
		return fmt.Errorf("dlq: unknown subcommand %q (want list, show, redrive or purge)", sub)
	}
	fs := newFlagSet("dlq "+sub, "")
	var c common
	c.register(fs, false)
	var sel ops.DLQSelector
	fs.StringVar(&sel.Stage, "stage", "", "only dead letters of `stage` (fetch, clean, extract, store, or <stage>-replay)")
	fs.Uint64Var(&sel.Seq, "seq", 0, "the dead letter at NEWS_DLQ sequence `n` (see dlq list)")
	fs.BoolVar(&sel.All, "all", false, "every dead letter (redrive, purge)")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	limit := fs.Int("limit", 0, "list at most `n` (0: all)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("dlq %s takes no arguments, got %q", sub, fs.Args())
	}
	_, b, err := c.connect(ctx, true)
	if err != nil {
		return err
	}
	defer b.Close()
	switch sub {
	case "list":
		list, err := ops.ListDeadLetters(ctx, b.JS, sel.Stage, *limit)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(map[string]any{"dead_letters": list})
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "SEQ\tSTAGE\tSUBJECT\tATTEMPTS\tFAILED\tARTICLE\tERROR\n")
		for _, e := range list {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", e.Seq, e.Stage, e.Subject, e.Attempts,
				e.FailedAt.UTC().Format(time.RFC3339), e.ArticleID, oneLine(e.Error, 100))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d dead letters\n", len(list))
		return nil
	case "show":
		if sel.Seq == 0 {
			return fmt.Errorf("dlq show: give -seq N (see dlq list)")
		}
		e, err := ops.GetDeadLetter(ctx, b.JS, sel.Seq)
		if err != nil {
			return err
		}
		out := struct {
			*ops.DeadLetterEntry
			Data json.RawMessage `json:"data"`
		}{e, e.Data}
		if !json.Valid(e.Data) {
			out.Data, _ = json.Marshal(string(e.Data))
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "redrive":
		res, err := ops.Redrive(ctx, b, sel)
		for _, r := range res {
			fmt.Fprintf(stdout, "redriven %d (%s) to %s\n", r.Seq, r.Stage, r.Subject)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d dead letters sent back\n", len(res))
		return nil
	default:
		n, err := ops.Purge(ctx, b.JS, sel)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d dead letters purged\n", n)
		return nil
	}
}

// oneLine squeezes s onto one line of at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

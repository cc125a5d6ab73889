package e2e_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// Cost classes of a CPU sample, by what its stack is doing.
const (
	costStage     = "stage"     // a stage's handler: fetch, clean, extract, store
	costMessaging = "messaging" // NATS client and server, message encoding, the consume loop
	costGC        = "gc"        // the garbage collector's background work
	costOther     = "other"     // feed polling, HTTP, the scheduler, …
)

// classify names the cost class of one sample's stack. Message encoding is
// looked for first because the runner encodes outputs on the stage's
// goroutine; the NATS frames next, because publishing happens there too.
func classify(stack []string) string {
	has := func(sub string) bool {
		for _, f := range stack {
			if strings.Contains(f, sub) {
				return true
			}
		}
		return false
	}
	switch {
	case has("newsflow/proto.Marshal"), has("newsflow/proto.Unmarshal"),
		has("nats-io/nats-server/"), has("nats-io/nats.go"):
		return costMessaging
	case has("internal/pipeline.safeCall"):
		return costStage
	case has("newsflow/internal/pipeline."), has("newsflow/internal/bus."):
		return costMessaging
	case has("runtime.gcBgMarkWorker"), has("runtime.bgsweep"), has("runtime.bgscavenge"):
		return costGC
	}
	return costOther
}

// costShares sums a CPU profile's sampled time per cost class, in seconds.
func costShares(p *profile.Profile) map[string]float64 {
	out := map[string]float64{}
	vi := len(p.SampleType) - 1 // cpu nanoseconds
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			vi = i
		}
	}
	stack := make([]string, 0, 64)
	for _, s := range p.Sample {
		stack = stack[:0]
		for _, loc := range s.Location {
			for _, ln := range loc.Line {
				if ln.Function != nil {
					stack = append(stack, ln.Function.Name)
				}
			}
		}
		out[classify(stack)] += float64(s.Value[vi]) / 1e9
	}
	return out
}

// cpuProfiles takes a CPU profile of every process in procs (nil entries
// are skipped) over the same window of secs seconds. The returned function
// waits for them and returns their summed cost shares.
func cpuProfiles(b *testing.B, procs []*proc, secs int) func() map[string]float64 {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		shares = map[string]float64{}
	)
	for _, p := range procs {
		if p == nil {
			continue
		}
		wg.Go(func() {
			// E2E_PROFILE_AFTER=S starts the window S seconds into the phase.
			if d, err := strconv.Atoi(os.Getenv("E2E_PROFILE_AFTER")); err == nil {
				time.Sleep(time.Duration(d) * time.Second) // a schedule, not a wait for results
			}
			raw, err := fetchProfile(p, secs)
			if err == nil && os.Getenv("E2E_CPUPROFILE") != "" {
				err = os.WriteFile(os.Getenv("E2E_CPUPROFILE")+"-"+p.name+".pprof", raw, 0o644)
			}
			var prof *profile.Profile
			if err == nil {
				prof, err = profile.Parse(bytes.NewReader(raw))
			}
			if err != nil {
				b.Errorf("cpu profile of %s: %v", p.name, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for k, v := range costShares(prof) {
				shares[k] += v
			}
		})
	}
	return func() map[string]float64 {
		wg.Wait()
		return shares
	}
}

func fetchProfile(p *proc, secs int) ([]byte, error) {
	c := http.Client{Timeout: time.Duration(secs+30) * time.Second}
	resp, err := c.Get("http://" + p.metrics + "/debug/pprof/profile?seconds=" + strconv.Itoa(secs))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET profile: %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}

func TestClassify(t *testing.T) {
	tests := []struct {
		stack []string
		want  string
	}{
		{[]string{"regexp.(*Regexp).doExecute", "github.com/newsflow/newsflow/services/clean.(*Cleaner).Clean", "github.com/newsflow/newsflow/internal/pipeline.safeCall"}, costStage},
		{[]string{"github.com/segmentio/encoding/json.Marshal", "github.com/newsflow/newsflow/proto.Marshal", "github.com/newsflow/newsflow/internal/pipeline.(*runner).publish"}, costMessaging},
		{[]string{"syscall.Syscall6", "github.com/nats-io/nats-server/v2/server.(*fileStore).StoreMsg"}, costMessaging},
		{[]string{"github.com/newsflow/newsflow/internal/pipeline.(*runner).settle"}, costMessaging},
		{[]string{"runtime.scanObject", "runtime.gcDrain", "runtime.gcBgMarkWorker"}, costGC},
		{[]string{"github.com/mmcdole/gofeed.(*Parser).Parse", "github.com/newsflow/newsflow/services/fetch.(*Poller).poll"}, costOther},
	}
	for _, tt := range tests {
		if got := classify(tt.stack); got != tt.want {
			t.Errorf("classify(%q) = %s; want %s", tt.stack, got, tt.want)
		}
	}
}

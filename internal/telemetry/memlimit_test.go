package telemetry

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"go.uber.org/zap"
)

func TestParseMemoryLimit(t *testing.T) {
	good := map[string]MemoryLimit{
		"":          {},
		"off":       {},
		"OFF":       {},
		"320MiB":    {Bytes: 320 << 20},
		"1GiB":      {Bytes: 1 << 30},
		"1.5 GiB":   {Bytes: 3 << 29},
		"500MB":     {Bytes: 500e6},
		"268435456": {Bytes: 268435456},
		"90%":       {Percent: 90},
		"12.5 %":    {Percent: 12.5},
	}
	for in, want := range good {
		got, err := ParseMemoryLimit(in)
		if err != nil || got != want {
			t.Errorf("ParseMemoryLimit(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"lots", "-1GiB", "0", "0%", "120%", "NaN", "1MiB", "1e30TiB", "5 parsecs", "%"} {
		if got, err := ParseMemoryLimit(in); err == nil {
			t.Errorf("ParseMemoryLimit(%q) = %+v; want an error", in, got)
		}
	}
}

func TestContainerMemory(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	v2 := file("v2", "1073741824\n")
	v2max := file("v2max", "max\n")
	v1none := file("v1none", "9223372036854771712\n")
	missing := filepath.Join(dir, "missing")
	cases := []struct {
		files []string
		want  int64
	}{
		{[]string{v2}, 1 << 30},
		{[]string{missing, v2}, 1 << 30},
		{[]string{v2max, v2}, 0},
		{[]string{v1none}, 0},
		{[]string{missing}, 0},
	}
	for i, c := range cases {
		if got := containerMemory(c.files); got != c.want {
			t.Errorf("case %d: containerMemory = %d, want %d", i, got, c.want)
		}
	}
	if got := (MemoryLimit{Percent: 90}).Resolve(1 << 30); got != 966367641 {
		t.Errorf("90%% of 1GiB = %d", got)
	}
	if got := (MemoryLimit{Percent: 90}).Resolve(0); got != 0 {
		t.Errorf("90%% of no limit = %d, want none", got)
	}
	if got := (MemoryLimit{Bytes: 1 << 28}).Resolve(1 << 30); got != 1<<28 {
		t.Errorf("an amount resolved to %d", got)
	}
}

func TestApplyMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })
	t.Setenv("GOMEMLIMIT", "")
	if n, err := ApplyMemoryLimit("320MiB", zap.NewNop()); err != nil || n != 320<<20 || debug.SetMemoryLimit(-1) != 320<<20 {
		t.Errorf("ApplyMemoryLimit(320MiB) = %d, %v; runtime limit %d", n, err, debug.SetMemoryLimit(-1))
	}
	if _, err := ApplyMemoryLimit("lots", zap.NewNop()); err == nil {
		t.Error("a bad limit applied")
	}
	// GOMEMLIMIT wins: the runtime's limit is left as it is.
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "1GiB")
	if n, err := ApplyMemoryLimit("320MiB", zap.NewNop()); err != nil || n != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set, ApplyMemoryLimit = %d, %v; want the runtime's limit untouched", n, err)
	}
}

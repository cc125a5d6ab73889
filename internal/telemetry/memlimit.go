package telemetry

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// MemoryLimit is a soft limit on the memory the Go runtime uses
// (runtime/debug.SetMemoryLimit): the garbage collector runs more often as
// the process nears it, instead of letting the heap grow to twice what is
// live. Either Bytes or Percent (of the container's memory limit) is set;
// the zero value is no limit.
type MemoryLimit struct {
	Bytes   int64
	Percent float64
}

// memoryUnits are the suffixes ParseMemoryLimit accepts, longest first.
var memoryUnits = []struct {
	suffix string
	scale  float64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1},
}

// ParseMemoryLimit reads a memory limit: an amount with an optional unit
// ("320MiB", "1GiB", "500MB", "268435456"), a share of the container's
// memory limit ("90%"), or "" / "off" for none.
func ParseMemoryLimit(s string) (MemoryLimit, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") {
		return MemoryLimit{}, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(v > 0 && v <= 100) {
			return MemoryLimit{}, fmt.Errorf("%q: a share must be above 0%% and at most 100%%", s)
		}
		return MemoryLimit{Percent: v}, nil
	}
	num, scale := s, 1.0
	for _, u := range memoryUnits {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, scale = strings.TrimSpace(n), u.scale
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || v <= 0 || v*scale >= math.MaxInt64 {
		return MemoryLimit{}, fmt.Errorf("%q is not an amount of memory such as 320MiB or 1GiB, a share such as 90%%, or off", s)
	}
	if v*scale < 16<<20 {
		return MemoryLimit{}, fmt.Errorf("%q is below the 16MiB a process needs", s)
	}
	return MemoryLimit{Bytes: int64(v * scale)}, nil
}

// cgroupMemoryFiles hold a container's memory limit: cgroup v2, then v1.
var cgroupMemoryFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// containerMemory returns the memory limit of the cgroup the process runs
// in, or 0 when there is none.
func containerMemory(files []string) int64 {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		// "max" (v2) or a page-rounded MaxInt64 (v1) means no limit.
		if err != nil || v <= 0 || v >= math.MaxInt64/2 {
			return 0
		}
		return v
	}
	return 0
}

// Resolve returns the limit in bytes, given the container's memory limit
// (0 for none); 0 means no limit.
func (m MemoryLimit) Resolve(container int64) int64 {
	if m.Percent > 0 {
		return int64(float64(container) * m.Percent / 100)
	}
	return m.Bytes
}

// ApplyMemoryLimit sets the runtime's soft memory limit from spec (see
// ParseMemoryLimit) and returns it in bytes (0: none set). GOMEMLIMIT in
// the environment, which the runtime has already applied, takes precedence.
func ApplyMemoryLimit(spec string, log *zap.Logger) (int64, error) {
	m, err := ParseMemoryLimit(spec)
	if err != nil {
		return 0, err
	}
	if env := os.Getenv("GOMEMLIMIT"); env != "" {
		log.Info("memory limit from GOMEMLIMIT", zap.String("gomemlimit", env))
		return debug.SetMemoryLimit(-1), nil
	}
	n := m.Resolve(containerMemory(cgroupMemoryFiles))
	if n <= 0 {
		if m.Percent > 0 {
			log.Info("no container memory limit: no soft memory limit set", zap.Float64("percent", m.Percent))
		}
		return 0, nil
	}
	debug.SetMemoryLimit(n)
	log.Info("soft memory limit set", zap.Int64("bytes", n))
	return n, nil
}

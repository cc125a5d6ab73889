// Package version identifies the build and the code that produced a message.
package version

import (
	"runtime/debug"
	"strings"
	"sync"
)

// Version and Commit are stamped at build time with
// -ldflags "-X github.com/newsflow/newsflow/internal/version.Version=… -X …Commit=…".
var (
	Version = "dev"
	Commit  = ""
)

// Build returns the version, with the VCS revision when known. Every
// message is stamped with it, so the build information is read once.
func Build() string { return build() }

var build = sync.OnceValue(func() string {
	commit := Commit
	if commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" && len(s.Value) >= 12 {
					commit = s.Value[:12]
				}
			}
		}
	}
	if commit == "" {
		return Version
	}
	return Version + "+" + commit
})

// Stamp returns the pipeline_version of a message produced by stage at
// algorithm version algo from an input whose pipeline_version was in:
// "newsflow <build> fetch/1 clean/1 extract/1". Each stage appends its own
// step, replacing an older step of the same stage, so the string names
// every algorithm the article went through.
func Stamp(in, stage, algo string) string {
	fields := strings.Fields(in)
	if len(fields) >= 2 && fields[0] == "newsflow" {
		fields = fields[2:] // the build that made the input
	}
	var steps []string
	for _, f := range fields {
		if !strings.HasPrefix(f, stage+"/") {
			steps = append(steps, f)
		}
	}
	steps = append(steps, stage+"/"+algo)
	return "newsflow " + Build() + " " + strings.Join(steps, " ")
}

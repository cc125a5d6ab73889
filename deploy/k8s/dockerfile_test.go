package k8s

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDockerfile checks the image recipe against the build and the
// manifests: pinned bases, a static non-root binary, the same version
// stamping as `make build`, and the topics where the ConfigMap expects them.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repo, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	args := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^ARG (\w+)=(\S+)$`).FindAllStringSubmatch(df, -1) {
		args[m[1]] = m[2]
	}
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, found %d FROM lines", len(froms))
	}
	var last string
	for _, m := range froms {
		image := regexp.MustCompile(`\$\{(\w+)\}`).ReplaceAllStringFunc(m[1], func(v string) string { return args[v[2:len(v)-1]] })
		checkImage(t, "Dockerfile FROM "+m[1], image)
		last = image
	}
	if !strings.Contains(last, "distroless/static") || !strings.HasSuffix(last, ":nonroot") && !strings.Contains(last, ":nonroot@") {
		t.Errorf("runtime base %s: want distroless/static, nonroot", last)
	}
	for _, want := range []string{"CGO_ENABLED=0", "USER 65532:65532", "COPY --from=build /src/topics " + imageTopics, `ENTRYPOINT ["/usr/local/bin/newsflow"]`} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile: no %q", want)
		}
	}
	mk, err := os.ReadFile(filepath.Join(repo, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	stamped := func(s string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`-X (\S+?)=`).FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if got, want := stamped(df), stamped(string(mk)); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("Dockerfile stamps %v; make build stamps %v", got, want)
	}
}

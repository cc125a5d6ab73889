package k8s

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsyaml "sigs.k8s.io/yaml"
)

// TestKubectlKustomize renders every overlay with `kubectl kustomize`, as
// operators do, and checks that it yields the same objects as the Go API.
func TestKubectlKustomize(t *testing.T) {
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not on PATH: `kubectl kustomize` of the overlays not checked (the Go API render is)")
	}
	for _, o := range overlays(t) {
		t.Run(o.name, func(t *testing.T) {
			out, err := exec.Command(kubectl, "kustomize", o.dir).Output()
			if err != nil {
				msg := err.Error()
				if ee, ok := err.(*exec.ExitError); ok {
					msg += ": " + strings.TrimSpace(string(ee.Stderr))
				}
				t.Fatalf("kubectl kustomize %s: %s", o.dir, msg)
			}
			var ids []string
			for _, doc := range splitYAML(out) {
				var u unstructured.Unstructured
				if err := sigsyaml.Unmarshal(doc, &u.Object); err != nil {
					t.Fatalf("kubectl kustomize %s: %v", filepath.Base(o.dir), err)
				}
				ids = append(ids, u.GetKind()+"/"+u.GetNamespace()+"/"+u.GetName())
			}
			slices.Sort(ids)
			if want := render(t, o.dir).ids; !slices.Equal(ids, want) {
				t.Errorf("kubectl kustomize renders\n%s\nthe Go API renders\n%s", strings.Join(ids, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

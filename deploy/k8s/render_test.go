package k8s

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

// overlay is a kustomization to render and what the checks expect of it.
type overlay struct {
	name string
	dir  string
	// keda: every stage must have a ScaledObject.
	keda bool
	// monitoring: the ServiceMonitor component is in.
	monitoring bool
	// externalSecrets are Secrets the operator creates before applying.
	externalSecrets []string
}

// overlays returns the overlays of the repository, plus prod with the
// optional monitoring component, rendered from a kustomization in a
// temporary directory.
func overlays(t *testing.T) []overlay {
	t.Helper()
	abs, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	// kustomize takes only relative paths to other kustomizations.
	withMonitoring := t.TempDir()
	rel, err := filepath.Rel(withMonitoring, abs)
	if err != nil {
		t.Fatal(err)
	}
	k := fmt.Sprintf("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: newsflow\nresources:\n  - %s\ncomponents:\n  - %s\n",
		filepath.ToSlash(filepath.Join(rel, "overlays", "prod")), filepath.ToSlash(filepath.Join(rel, "components", "monitoring")))
	if err := os.WriteFile(filepath.Join(withMonitoring, "kustomization.yaml"), []byte(k), 0o644); err != nil {
		t.Fatal(err)
	}
	return []overlay{
		{name: "dev", dir: filepath.Join("overlays", "dev")},
		{name: "prod", dir: filepath.Join("overlays", "prod"), keda: true, externalSecrets: []string{"newsflow"}},
		{name: "prod+monitoring", dir: withMonitoring, keda: true, monitoring: true, externalSecrets: []string{"newsflow"}},
	}
}

// manifests are the decoded objects of one rendered overlay.
type manifests struct {
	namespaces      []*corev1.Namespace
	serviceAccounts []*corev1.ServiceAccount
	services        []*corev1.Service
	configMaps      []*corev1.ConfigMap
	secrets         []*corev1.Secret
	deployments     []*appsv1.Deployment
	statefulSets    []*appsv1.StatefulSet
	pdbs            []*policyv1.PodDisruptionBudget
	hpas            []*autoscalingv2.HorizontalPodAutoscaler
	netpols         []*networkingv1.NetworkPolicy
	scaledObjects   []*scaledObject
	serviceMonitors []*serviceMonitor
	// ids are kind/namespace/name of every object, sorted.
	ids []string
}

// scaledObject is the part of KEDA's keda.sh/v1alpha1 ScaledObject the
// manifests use; decoding is strict, so an unknown or misspelt field fails.
type scaledObject struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       struct {
		ScaleTargetRef struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Name       string `json:"name"`
		} `json:"scaleTargetRef"`
		MinReplicaCount *int32 `json:"minReplicaCount"`
		MaxReplicaCount *int32 `json:"maxReplicaCount"`
		PollingInterval *int32 `json:"pollingInterval"`
		CooldownPeriod  *int32 `json:"cooldownPeriod"`
		Advanced        *struct {
			HorizontalPodAutoscalerConfig *struct {
				Behavior *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior"`
			} `json:"horizontalPodAutoscalerConfig"`
		} `json:"advanced"`
		Triggers []struct {
			Type     string            `json:"type"`
			Name     string            `json:"name"`
			Metadata map[string]string `json:"metadata"`
		} `json:"triggers"`
	} `json:"spec"`
}

// serviceMonitor is the part of the Prometheus Operator's
// monitoring.coreos.com/v1 ServiceMonitor the manifests use.
type serviceMonitor struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
	Spec       struct {
		Selector        metav1.LabelSelector `json:"selector"`
		PodTargetLabels []string             `json:"podTargetLabels"`
		Endpoints       []struct {
			Port          string `json:"port"`
			Path          string `json:"path"`
			Interval      string `json:"interval"`
			ScrapeTimeout string `json:"scrapeTimeout"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// render builds the kustomization in dir with kustomize's Go API, as
// `kubectl kustomize dir` does, and strictly decodes every object.
func render(t *testing.T, dir string) *manifests {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme, autoscalingv2.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	dec := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
	m := &manifests{}
	for _, r := range rm.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			t.Fatalf("%s: %v", r.CurId(), err)
		}
		var u unstructured.Unstructured
		if err := sigsyaml.Unmarshal(y, &u.Object); err != nil {
			t.Fatalf("%s: %v", r.CurId(), err)
		}
		id := u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
		m.ids = append(m.ids, id)
		switch u.GetAPIVersion() {
		case "keda.sh/v1alpha1", "monitoring.coreos.com/v1":
			m.addCustom(t, id, u.GetKind(), y)
			continue
		}
		obj, _, err := dec.Decode(y, nil, nil)
		if err != nil {
			t.Errorf("%s: strict decode: %v", id, err)
			continue
		}
		switch o := obj.(type) {
		case *corev1.Namespace:
			m.namespaces = append(m.namespaces, o)
		case *corev1.ServiceAccount:
			m.serviceAccounts = append(m.serviceAccounts, o)
		case *corev1.Service:
			m.services = append(m.services, o)
		case *corev1.ConfigMap:
			m.configMaps = append(m.configMaps, o)
		case *corev1.Secret:
			m.secrets = append(m.secrets, o)
		case *appsv1.Deployment:
			m.deployments = append(m.deployments, o)
		case *appsv1.StatefulSet:
			m.statefulSets = append(m.statefulSets, o)
		case *policyv1.PodDisruptionBudget:
			m.pdbs = append(m.pdbs, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			m.hpas = append(m.hpas, o)
		case *networkingv1.NetworkPolicy:
			m.netpols = append(m.netpols, o)
		default:
			t.Errorf("%s: a kind the checks do not know (%T): add it to render", id, obj)
		}
	}
	sort.Strings(m.ids)
	return m
}

func (m *manifests) addCustom(t *testing.T, id, kind string, y []byte) {
	t.Helper()
	switch kind {
	case "ScaledObject":
		so := new(scaledObject)
		if err := sigsyaml.UnmarshalStrict(y, so); err != nil {
			t.Errorf("%s: strict decode: %v", id, err)
			return
		}
		m.scaledObjects = append(m.scaledObjects, so)
	case "ServiceMonitor":
		sm := new(serviceMonitor)
		if err := sigsyaml.UnmarshalStrict(y, sm); err != nil {
			t.Errorf("%s: strict decode: %v", id, err)
			return
		}
		m.serviceMonitors = append(m.serviceMonitors, sm)
	default:
		t.Errorf("%s: a custom kind the checks do not know", id)
	}
}

// workload is a Deployment or StatefulSet, seen through its pod template.
type workload struct {
	kind, name string
	replicas   *int32
	selector   *metav1.LabelSelector
	template   *corev1.PodTemplateSpec
}

func (w workload) String() string { return w.kind + "/" + w.name }

func (m *manifests) workloads() []workload {
	var out []workload
	for _, d := range m.deployments {
		out = append(out, workload{"Deployment", d.Name, d.Spec.Replicas, d.Spec.Selector, &d.Spec.Template})
	}
	for _, s := range m.statefulSets {
		out = append(out, workload{"StatefulSet", s.Name, s.Spec.Replicas, s.Spec.Selector, &s.Spec.Template})
	}
	return out
}

func (m *manifests) deployment(name string) *appsv1.Deployment {
	for _, d := range m.deployments {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func (m *manifests) statefulSet(name string) *appsv1.StatefulSet {
	for _, s := range m.statefulSets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func (m *manifests) configMap(name string) *corev1.ConfigMap {
	for _, c := range m.configMaps {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (m *manifests) secret(name string) *corev1.Secret {
	for _, s := range m.secrets {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// volumeConfigMap returns the ConfigMap that the pod's volume named volume
// mounts.
func (m *manifests) volumeConfigMap(t *testing.T, owner string, pod *corev1.PodSpec, volume string) *corev1.ConfigMap {
	t.Helper()
	for _, v := range pod.Volumes {
		if v.Name == volume && v.ConfigMap != nil {
			cm := m.configMap(v.ConfigMap.Name)
			if cm == nil {
				t.Fatalf("%s: volume %s names ConfigMap %s, which is not rendered", owner, volume, v.ConfigMap.Name)
			}
			return cm
		}
	}
	t.Fatalf("%s: no ConfigMap volume named %s", owner, volume)
	return nil
}

// splitYAML splits a multi-document YAML stream.
func splitYAML(b []byte) [][]byte {
	var out [][]byte
	for _, doc := range bytes.Split(b, []byte("\n---\n")) {
		if s := strings.TrimSpace(string(doc)); s != "" && s != "---" {
			out = append(out, doc)
		}
	}
	return out
}

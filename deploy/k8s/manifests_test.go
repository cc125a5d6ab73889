package k8s

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// stages are the pipeline's stage Deployments; api runs `newsflow serve`.
var stages = []string{"fetch", "clean", "extract", "store"}

// TestOverlays renders every overlay and checks the invariants operators
// rely on: hardened, probed, resourced pods; a PDB per workload; secrets
// and config that exist; autoscaling on the code's own streams.
func TestOverlays(t *testing.T) {
	for _, o := range overlays(t) {
		t.Run(o.name, func(t *testing.T) {
			m := render(t, o.dir)
			if t.Failed() {
				return
			}
			t.Run("pods", func(t *testing.T) { checkPods(t, m) })
			t.Run("pdb", func(t *testing.T) { checkPDBs(t, m) })
			t.Run("references", func(t *testing.T) { checkReferences(t, m, o) })
			t.Run("newsflow", func(t *testing.T) { checkNewsflow(t, m) })
			t.Run("config", func(t *testing.T) { checkConfig(t, m) })
			t.Run("nats", func(t *testing.T) { checkNATS(t, m) })
			t.Run("autoscaling", func(t *testing.T) { checkAutoscaling(t, m, o) })
			t.Run("networkpolicy", func(t *testing.T) { checkNetworkPolicies(t, m) })
			t.Run("monitoring", func(t *testing.T) { checkMonitoring(t, m, o) })
		})
	}
}

// checkPods: every container has requests, limits, liveness and readiness
// probes and a restrictive security context; no pod has host access, a
// service-account token or a mutable image tag; pods spread across nodes.
func checkPods(t *testing.T, m *manifests) {
	if len(m.workloads()) == 0 {
		t.Fatal("no Deployments or StatefulSets rendered")
	}
	for _, w := range m.workloads() {
		pod := &w.template.Spec
		if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
			t.Errorf("%s: automountServiceAccountToken must be false", w)
		}
		if pod.HostNetwork || pod.HostPID || pod.HostIPC || pod.HostUsers != nil && *pod.HostUsers {
			t.Errorf("%s: uses the host's network, PID, IPC or user namespace", w)
		}
		psc := pod.SecurityContext
		switch {
		case psc == nil:
			t.Errorf("%s: no pod securityContext", w)
		default:
			if psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
				t.Errorf("%s: runAsNonRoot must be true", w)
			}
			if psc.RunAsUser == nil || *psc.RunAsUser == 0 {
				t.Errorf("%s: runAsUser must be set and not 0", w)
			}
			if psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("%s: seccompProfile must be RuntimeDefault", w)
			}
		}
		for _, v := range pod.Volumes {
			if v.HostPath != nil {
				t.Errorf("%s: hostPath volume %s", w, v.Name)
			}
		}
		if !spreadsAcrossNodes(pod, w.template.Labels) {
			t.Errorf("%s: no topologySpreadConstraint on kubernetes.io/hostname selecting its own pods", w)
		}
		if pod.TerminationGracePeriodSeconds == nil {
			t.Errorf("%s: no terminationGracePeriodSeconds", w)
		}
		containers := append(slices.Clone(pod.InitContainers), pod.Containers...)
		for _, c := range containers {
			where := fmt.Sprintf("%s container %s", w, c.Name)
			checkImage(t, where, c.Image)
			checkResources(t, where, c.Resources)
			if c.LivenessProbe == nil || c.ReadinessProbe == nil {
				t.Errorf("%s: needs liveness and readiness probes", where)
			}
			checkContainerSecurity(t, where, c.SecurityContext)
			for _, p := range c.Ports {
				if p.HostPort != 0 {
					t.Errorf("%s: hostPort %d", where, p.HostPort)
				}
			}
		}
	}
}

func spreadsAcrossNodes(pod *corev1.PodSpec, podLabels map[string]string) bool {
	for _, c := range pod.TopologySpreadConstraints {
		if c.TopologyKey != "kubernetes.io/hostname" || c.LabelSelector == nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
		if err == nil && !sel.Empty() && sel.Matches(labels.Set(podLabels)) {
			return true
		}
	}
	return false
}

// checkImage refuses untagged and "latest" images: a rollout must name the
// release it runs.
func checkImage(t *testing.T, where, image string) {
	t.Helper()
	if strings.Contains(image, "@sha256:") {
		return
	}
	tag := ""
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		tag = image[i+1:]
	}
	if tag == "" || tag == "latest" {
		t.Errorf("%s: image %q needs a pinned tag (not latest)", where, image)
	}
}

func checkResources(t *testing.T, where string, r corev1.ResourceRequirements) {
	t.Helper()
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := r.Requests[name]
		lim, okLim := r.Limits[name]
		if !okReq || !okLim || req.IsZero() || lim.IsZero() {
			t.Errorf("%s: needs a %s request and limit", where, name)
			continue
		}
		if req.Cmp(lim) > 0 {
			t.Errorf("%s: %s request %s is over its limit %s", where, name, req.String(), lim.String())
		}
	}
}

func checkContainerSecurity(t *testing.T, where string, sc *corev1.SecurityContext) {
	t.Helper()
	if sc == nil {
		t.Errorf("%s: no securityContext", where)
		return
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Errorf("%s: privileged", where)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: allowPrivilegeEscalation must be false", where)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: readOnlyRootFilesystem must be true", where)
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("%s: capabilities must drop ALL", where)
	} else if len(sc.Capabilities.Add) > 0 {
		t.Errorf("%s: adds capabilities %v", where, sc.Capabilities.Add)
	}
	if sc.RunAsUser != nil && *sc.RunAsUser == 0 {
		t.Errorf("%s: runs as root", where)
	}
	if sc.ProcMount != nil && *sc.ProcMount != corev1.DefaultProcMount {
		t.Errorf("%s: procMount %s", where, *sc.ProcMount)
	}
}

// checkPDBs: every workload has exactly one PodDisruptionBudget that
// selects its pods and allows a drain to make progress.
func checkPDBs(t *testing.T, m *manifests) {
	for _, w := range m.workloads() {
		var found []string
		for _, p := range m.pdbs {
			sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
			if err != nil {
				t.Fatalf("PodDisruptionBudget/%s: %v", p.Name, err)
			}
			if !sel.Empty() && sel.Matches(labels.Set(w.template.Labels)) {
				found = append(found, p.Name)
				if p.Spec.MinAvailable != nil && w.replicas != nil && p.Spec.MinAvailable.IntValue() >= int(*w.replicas) {
					t.Errorf("PodDisruptionBudget/%s: minAvailable %s blocks every eviction of %s (%d replicas)", p.Name, p.Spec.MinAvailable, w, *w.replicas)
				}
			}
		}
		if len(found) != 1 {
			t.Errorf("%s: want one PodDisruptionBudget selecting its pods, found %v", w, found)
		}
	}
}

// checkReferences: the ConfigMaps, Secrets and ServiceAccounts pods name
// are rendered (or are Secrets the operator creates), and every Service
// selects some pods.
func checkReferences(t *testing.T, m *manifests, o overlay) {
	secretExists := func(name string) bool { return m.secret(name) != nil || slices.Contains(o.externalSecrets, name) }
	for _, w := range m.workloads() {
		pod := &w.template.Spec
		if sa := pod.ServiceAccountName; sa != "" && !slices.ContainsFunc(m.serviceAccounts, func(s *corev1.ServiceAccount) bool { return s.Name == sa }) {
			t.Errorf("%s: ServiceAccount %s is not rendered", w, sa)
		}
		for _, v := range pod.Volumes {
			if v.ConfigMap != nil && m.configMap(v.ConfigMap.Name) == nil {
				t.Errorf("%s: volume %s: ConfigMap %s is not rendered", w, v.Name, v.ConfigMap.Name)
			}
			if v.Secret != nil && !secretExists(v.Secret.SecretName) {
				t.Errorf("%s: volume %s: Secret %s is not rendered", w, v.Name, v.Secret.SecretName)
			}
		}
		for _, c := range pod.Containers {
			for _, e := range c.Env {
				if e.ValueFrom == nil {
					continue
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil {
					optional := r.Optional != nil && *r.Optional
					if !secretExists(r.Name) && !optional {
						t.Errorf("%s: env %s: Secret %s is not rendered", w, e.Name, r.Name)
					} else if s := m.secret(r.Name); s != nil {
						if _, ok := s.Data[r.Key]; !ok && !optional {
							t.Errorf("%s: env %s: Secret %s has no key %s", w, e.Name, r.Name, r.Key)
						}
					}
				}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
					if cm := m.configMap(r.Name); cm == nil {
						t.Errorf("%s: env %s: ConfigMap %s is not rendered", w, e.Name, r.Name)
					} else if _, ok := cm.Data[r.Key]; !ok {
						t.Errorf("%s: env %s: ConfigMap %s has no key %s", w, e.Name, r.Name, r.Key)
					}
				}
			}
			for _, ef := range c.EnvFrom {
				if ef.ConfigMapRef != nil && m.configMap(ef.ConfigMapRef.Name) == nil {
					t.Errorf("%s: envFrom ConfigMap %s is not rendered", w, ef.ConfigMapRef.Name)
				}
			}
		}
	}
	for _, s := range m.services {
		if len(s.Spec.Selector) == 0 {
			t.Errorf("Service/%s: no selector", s.Name)
			continue
		}
		if !slices.ContainsFunc(m.workloads(), func(w workload) bool {
			return labels.SelectorFromSet(s.Spec.Selector).Matches(labels.Set(w.template.Labels))
		}) {
			t.Errorf("Service/%s: selects no pods", s.Name)
		}
	}
	for _, n := range m.namespaces {
		if n.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
			t.Errorf("Namespace/%s: want pod-security.kubernetes.io/enforce=restricted", n.Name)
		}
	}
}

// checkAutoscaling: with KEDA, every stage has a ScaledObject whose
// nats-jetstream trigger reads the stage's own consumer on the stream the
// code declares for the stage's input subject; the api has a CPU HPA.
func checkAutoscaling(t *testing.T, m *manifests, o overlay) {
	top := codeTopology(t)
	scaled := map[string]bool{}
	knownMeta := []string{"natsServerMonitoringEndpoint", "account", "stream", "consumer", "lagThreshold", "activationLagThreshold", "useHttps"}
	for _, so := range m.scaledObjects {
		where := "ScaledObject/" + so.Metadata.Name
		if so.APIVersion != "keda.sh/v1alpha1" {
			t.Errorf("%s: apiVersion %s", where, so.APIVersion)
		}
		ref := so.Spec.ScaleTargetRef
		if ref.Kind != "" && ref.Kind != "Deployment" || m.deployment(ref.Name) == nil {
			t.Errorf("%s: scaleTargetRef %s/%s is not a rendered Deployment", where, ref.Kind, ref.Name)
			continue
		}
		want, ok := top[ref.Name]
		if !ok {
			t.Errorf("%s: scales %s, which is not a stage of the code (%v)", where, ref.Name, keys(top))
			continue
		}
		scaled[ref.Name] = true
		mn, mx := so.Spec.MinReplicaCount, so.Spec.MaxReplicaCount
		if mn == nil || mx == nil || *mn < 1 || *mx < *mn {
			t.Errorf("%s: want 1 <= minReplicaCount <= maxReplicaCount", where)
		}
		var got []consumer
		for i, tr := range so.Spec.Triggers {
			tw := fmt.Sprintf("%s trigger %d", where, i)
			if tr.Type != "nats-jetstream" {
				t.Errorf("%s: type %q, want nats-jetstream", tw, tr.Type)
				continue
			}
			md := tr.Metadata
			for k := range md {
				if !slices.Contains(knownMeta, k) {
					t.Errorf("%s: unknown metadata %q (known: %v)", tw, k, knownMeta)
				}
			}
			got = append(got, consumer{stream: md["stream"], name: md["consumer"]})
			var lag int
			if _, err := fmt.Sscanf(md["lagThreshold"], "%d", &lag); err != nil || lag < 1 {
				t.Errorf("%s: lagThreshold %q is not a positive integer", tw, md["lagThreshold"])
			}
			checkMonitoringEndpoint(t, m, tw, md["natsServerMonitoringEndpoint"])
			if acc := natsAccount(t, m); md["account"] != acc {
				t.Errorf("%s: account %q; the NATS config puts the newsflow user in account %q", tw, md["account"], acc)
			}
		}
		slices.SortFunc(got, compareConsumers)
		if !slices.Equal(got, want) {
			t.Errorf("%s: triggers read the consumers %v; the code's %s stage consumes %v", where, got, ref.Name, want)
		}
		d := m.deployment(ref.Name)
		if d.Spec.Replicas != nil {
			t.Errorf("%s: Deployment/%s sets replicas: every apply would fight the autoscaler", where, d.Name)
		}
	}
	if o.keda {
		for _, s := range stages {
			if !scaled[s] {
				t.Errorf("stage %s has no ScaledObject", s)
			}
		}
		hpa := slices.IndexFunc(m.hpas, func(h *autoscalingv2.HorizontalPodAutoscaler) bool { return h.Spec.ScaleTargetRef.Name == "api" })
		if hpa < 0 {
			t.Errorf("api has no HorizontalPodAutoscaler")
		} else if h := m.hpas[hpa]; len(h.Spec.Metrics) == 0 || h.Spec.Metrics[0].Resource == nil || h.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU {
			t.Errorf("HorizontalPodAutoscaler/%s: want a CPU resource metric", h.Name)
		}
	} else if len(m.scaledObjects) > 0 {
		t.Errorf("overlay without KEDA renders ScaledObjects")
	}
	if len(top) != len(stages) {
		t.Errorf("the code declares stages %v; the manifests deploy %v", keys(top), stages)
	}
}

// checkMonitoringEndpoint: KEDA runs in its own namespace, so the endpoint
// is the fully qualified headless NATS Service, in the namespace NATS is
// rendered into, on the monitoring port.
func checkMonitoringEndpoint(t *testing.T, m *manifests, where, ep string) {
	t.Helper()
	sts := m.statefulSet("nats")
	if sts == nil {
		t.Fatalf("no nats StatefulSet")
	}
	want := fmt.Sprintf("%s.%s.svc.cluster.local:%d", sts.Spec.ServiceName, sts.Namespace, containerPort(t, sts.Spec.Template.Spec.Containers[0], "monitor"))
	if ep != want {
		t.Errorf("%s: natsServerMonitoringEndpoint %q, want %q", where, ep, want)
	}
}

// checkNetworkPolicies evaluates the policies against the pods' labels:
// default deny; only store and api may leave on 5432; only api accepts
// traffic from anywhere; only fetch reaches IP blocks, none of them private
// or link-local; every stage and the api reach NATS.
func checkNetworkPolicies(t *testing.T, m *manifests) {
	podsOf := func(p *networkingv1.NetworkPolicy) []workload {
		sel, err := metav1.LabelSelectorAsSelector(&p.Spec.PodSelector)
		if err != nil {
			t.Fatalf("NetworkPolicy/%s: %v", p.Name, err)
		}
		var out []workload
		for _, w := range m.workloads() {
			if sel.Matches(labels.Set(w.template.Labels)) {
				out = append(out, w)
			}
		}
		return out
	}
	component := func(w workload) string { return w.template.Labels["app.kubernetes.io/component"] }
	var denyAll bool
	natsReach := map[string]bool{}
	for _, p := range m.netpols {
		where := "NetworkPolicy/" + p.Name
		selected := podsOf(p)
		if len(p.Spec.PodSelector.MatchLabels) == 0 && len(p.Spec.PodSelector.MatchExpressions) == 0 &&
			len(p.Spec.Ingress) == 0 && len(p.Spec.Egress) == 0 &&
			slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeIngress) && slices.Contains(p.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) {
			denyAll = true
		}
		for _, r := range p.Spec.Egress {
			if allowsPort(r.Ports, 5432) {
				for _, w := range selected {
					if w.template.Labels["app.kubernetes.io/name"] == "newsflow" && component(w) != "store" && component(w) != "api" {
						t.Errorf("%s: lets %s reach PostgreSQL (5432)", where, w)
					}
				}
			}
			if len(r.To) == 0 && !(len(r.Ports) > 0 && onlyPorts(r.Ports, 53, 5432)) {
				t.Errorf("%s: egress to anywhere on ports %v", where, r.Ports)
			}
			for _, peer := range r.To {
				if peer.IPBlock != nil {
					for _, w := range selected {
						if component(w) != "fetch" {
							t.Errorf("%s: IP-block egress for %s; only fetch goes to the internet", where, w)
						}
					}
					checkPublicOnly(t, where, peer.IPBlock)
				}
				if peer.PodSelector != nil && peer.PodSelector.MatchLabels["app.kubernetes.io/name"] == "nats" && allowsPort(r.Ports, 4222) {
					for _, w := range selected {
						natsReach[w.name] = true
					}
				}
			}
		}
		for _, r := range p.Spec.Ingress {
			if len(r.From) == 0 {
				for _, w := range selected {
					if component(w) != "api" {
						t.Errorf("%s: %s accepts traffic from anywhere; only the api may", where, w)
					}
				}
			}
		}
	}
	if !denyAll {
		t.Errorf("no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)")
	}
	for _, s := range append(slices.Clone(stages), "api") {
		if !natsReach[s] {
			t.Errorf("%s may not reach NATS on 4222", s)
		}
	}
}

func allowsPort(ports []networkingv1.NetworkPolicyPort, port int) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		if p.Port == nil || p.Port.IntValue() == port || p.EndPort != nil && p.Port.IntValue() <= port && port <= int(*p.EndPort) {
			return true
		}
	}
	return false
}

func onlyPorts(ports []networkingv1.NetworkPolicyPort, allowed ...int) bool {
	for _, p := range ports {
		if p.Port == nil || p.EndPort != nil || !slices.Contains(allowed, p.Port.IntValue()) {
			return false
		}
	}
	return true
}

// checkPublicOnly: an IP block must leave out the private, loopback,
// link-local (cloud metadata) and shared ranges of its family.
func checkPublicOnly(t *testing.T, where string, b *networkingv1.IPBlock) {
	t.Helper()
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	probes := []string{"10.1.2.3", "172.20.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.10"}
	if cidr.Addr().Is6() {
		probes = []string{"::1", "fd00:ec2::254", "fe80::1"}
	}
	for _, s := range probes {
		a := netip.MustParseAddr(s)
		if !cidr.Contains(a) {
			continue
		}
		excluded := false
		for _, e := range b.Except {
			if p, err := netip.ParsePrefix(e); err == nil && p.Contains(a) {
				excluded = true
			}
		}
		if !excluded {
			t.Errorf("%s: ipBlock %s lets fetch reach %s", where, b.CIDR, s)
		}
	}
}

func containerPort(t *testing.T, c corev1.Container, name string) int32 {
	t.Helper()
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	t.Fatalf("container %s: no port named %s", c.Name, name)
	return 0
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

package k8s

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/services/extract"
	"github.com/newsflow/newsflow/services/fetch"
)

// binaryConfig is cmd/newsflow's Config, built from the sections' own
// types. clean, store and http are mirrored (the clean package pulls in the
// whole extractor; store and http are declared in package main);
// TestBinaryConfigMirror keeps the mirror honest.
type binaryConfig struct {
	Topic   extract.Topic  `yaml:"topic"`
	Sources []fetch.Source `yaml:"sources"`
	Fetch   fetch.Config   `yaml:"fetch"`
	Clean   struct {
		MaxBodyBytes int64 `yaml:"max_body_bytes"`
	} `yaml:"clean"`
	Pipeline pipeline.Config `yaml:"pipeline"`
	NATS     bus.Config      `yaml:"nats"`
	Store    struct {
		DSN string `yaml:"dsn"`
	} `yaml:"store"`
	HTTP struct {
		Addr     string `yaml:"addr"`
		APIToken string `yaml:"api_token"`
		Pprof    bool   `yaml:"pprof"`
	} `yaml:"http"`
	Log     telemetry.LogConfig `yaml:"log"`
	Runtime struct {
		MemoryLimit string `yaml:"memory_limit"`
	} `yaml:"runtime"`
}

// flagEnv are the NEWSFLOW_ variables that stand for flags, not keys.
var flagEnv = []string{"NEWSFLOW_CONFIG", "NEWSFLOW_DATA"}

// envKeys returns the NEWSFLOW_* variables the binary accepts, with the
// kind of each, derived from the config's YAML tags as the binary does.
func envKeys() map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if !f.IsExported() || tag == "" || tag == "-" {
				continue
			}
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				walk(f.Type, prefix+tag+"_")
				continue
			}
			out["NEWSFLOW_"+strings.ToUpper(prefix+tag)] = f.Type
		}
	}
	walk(reflect.TypeOf(binaryConfig{}), "")
	return out
}

// checkEnvValue parses v as the binary would for a field of type typ.
func checkEnvValue(typ reflect.Type, v string) error {
	if typ == reflect.TypeOf(time.Duration(0)) {
		_, err := time.ParseDuration(v)
		return err
	}
	var err error
	switch typ.Kind() {
	case reflect.String:
	case reflect.Bool:
		_, err = strconv.ParseBool(v)
	case reflect.Int, reflect.Int32, reflect.Int64:
		_, err = strconv.ParseInt(v, 10, 64)
	case reflect.Float64:
		_, err = strconv.ParseFloat(v, 64)
	default:
		err = fmt.Errorf("a %s cannot be set from the environment", typ)
	}
	return err
}

// exampleKeys returns the dotted key paths of newsflow.example.yaml, down
// to the sections' keys (topic.keywords' phrases are values, not keys).
func exampleKeys(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "newsflow.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return keyPaths(t, b)
}

func keyPaths(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	var root map[string]any
	if err := yaml.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for section, v := range root {
		out[section] = true
		if m, ok := v.(map[string]any); ok {
			for k := range m {
				out[section+"."+k] = true
			}
		}
	}
	return out
}

// newsflowContainer returns the Deployment's one container.
func newsflowContainer(t *testing.T, d *appsv1.Deployment) corev1.Container {
	t.Helper()
	if n := len(d.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("Deployment/%s: %d containers, want 1", d.Name, n)
	}
	return d.Spec.Template.Spec.Containers[0]
}

// checkNewsflow: the stage and api Deployments run the binary's own
// subcommands and flags, all from one image; probes, ports and the -http
// address agree; only store and api get the database; the grace period
// covers the drain.
func checkNewsflow(t *testing.T, m *manifests) {
	commands, flags := binaryFlags(t)
	keys := envKeys()
	cfg := loadConfigMap(t, m)
	var image string
	for _, name := range append(slices.Clone(stages), "api") {
		d := m.deployment(name)
		if d == nil {
			t.Errorf("no Deployment %s", name)
			continue
		}
		where := "Deployment/" + name
		c := newsflowContainer(t, d)
		if !strings.Contains(c.Image, "/") {
			t.Errorf("%s: image %q names no registry (did the kustomize images transformer apply?)", where, c.Image)
		}
		if image == "" {
			image = c.Image
		} else if c.Image != image {
			t.Errorf("%s: image %s; the others run %s (one image for every stage)", where, c.Image, image)
		}
		want := name
		if name == "api" {
			want = "serve"
		}
		args := c.Args
		if len(c.Command) > 0 {
			t.Errorf("%s: sets command %v; the image's entrypoint is the binary", where, c.Command)
		}
		if len(args) == 0 || args[0] != want || !slices.Contains(commands, args[0]) {
			t.Errorf("%s: args %v; want the %q subcommand (the binary has %v)", where, args, want, commands)
			continue
		}
		opts := map[string]string{}
		for i := 1; i < len(args); i++ {
			f := strings.TrimLeft(args[i], "-")
			if !strings.HasPrefix(args[i], "-") {
				t.Errorf("%s: stray argument %q", where, args[i])
				continue
			}
			name, val, ok := strings.Cut(f, "=")
			if !ok && i+1 < len(args) {
				i++
				val = args[i]
			}
			if !slices.Contains(flags, name) {
				t.Errorf("%s: flag -%s is not one of the binary's %v", where, name, flags)
			}
			opts[name] = val
		}
		// The HTTP listener is where the probes and Prometheus look.
		_, port, err := net.SplitHostPort(opts["http"])
		if err != nil {
			t.Errorf("%s: -http %q: %v", where, opts["http"], err)
		}
		httpPort := containerPort(t, c, "http")
		if port != strconv.Itoa(int(httpPort)) {
			t.Errorf("%s: -http %s but containerPort http is %d", where, opts["http"], httpPort)
		}
		probes := map[string]*corev1.Probe{"/healthz": c.LivenessProbe, "/readyz": c.ReadinessProbe}
		if c.StartupProbe != nil {
			probes["/healthz "] = c.StartupProbe
		}
		for p, pr := range probes {
			if pr == nil || pr.HTTPGet == nil || pr.HTTPGet.Path != strings.TrimSpace(p) ||
				pr.HTTPGet.Port.String() != "http" && pr.HTTPGet.Port.IntValue() != int(httpPort) {
				t.Errorf("%s: want an HTTP probe of %s on the http port", where, strings.TrimSpace(p))
			}
		}
		checkMounts(t, where, d, opts)
		// Environment: only the binary's keys; credentials where needed.
		env := map[string]corev1.EnvVar{}
		for i, e := range c.Env {
			env[e.Name] = e
			if strings.HasPrefix(e.Name, "NEWSFLOW_") {
				typ, ok := keys[e.Name]
				if !ok && !slices.Contains(flagEnv, e.Name) {
					t.Errorf("%s: env %s is not a config key: the binary refuses it", where, e.Name)
				} else if ok && e.ValueFrom == nil {
					if err := checkEnvValue(typ, e.Value); err != nil {
						t.Errorf("%s: env %s=%q: %v", where, e.Name, e.Value, err)
					}
				}
			}
			for _, ref := range regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).FindAllStringSubmatch(e.Value, -1) {
				if !slices.ContainsFunc(c.Env[:i], func(p corev1.EnvVar) bool { return p.Name == ref[1] }) {
					t.Errorf("%s: env %s refers to $(%s), which is not defined before it", where, e.Name, ref[1])
				}
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.ConfigMapRef == nil {
				continue
			}
			if cm := m.configMap(ef.ConfigMapRef.Name); cm != nil {
				for k, v := range cm.Data {
					typ, ok := keys[k]
					if !ok {
						t.Errorf("%s: envFrom %s: %s is not a config key: the binary refuses it", where, cm.Name, k)
					} else if err := checkEnvValue(typ, v); err != nil {
						t.Errorf("%s: envFrom %s: %s=%q: %v", where, cm.Name, k, v, err)
					}
				}
			}
		}
		_, hasDSN := env["NEWSFLOW_STORE_DSN"]
		if needs := name == "store" || name == "api"; hasDSN != needs {
			t.Errorf("%s: NEWSFLOW_STORE_DSN set = %v; only store and api get the database", where, hasDSN)
		}
		if _, ok := env["NEWSFLOW_NATS_URL"]; name != "api" && !ok {
			t.Errorf("%s: no NEWSFLOW_NATS_URL: a stage needs an external NATS", where)
		} else if ok {
			checkNATSURL(t, m, where, env)
		}
		// Draining: the handler timeout plus the HTTP server's 10s shutdown
		// (plus the preStop pause) must fit in the grace period.
		grace := time.Duration(*d.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
		drain := 10 * time.Second
		if name != "api" {
			drain += cfg.Pipeline.WithDefaults().HandlerTimeout
		}
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
			drain += time.Duration(c.Lifecycle.PreStop.Sleep.Seconds) * time.Second
		}
		if grace <= drain {
			t.Errorf("%s: terminationGracePeriodSeconds %s does not exceed the drain time %s", where, grace, drain)
		}
		if s := d.Spec.Strategy; s.RollingUpdate == nil || s.RollingUpdate.MaxUnavailable == nil || s.RollingUpdate.MaxUnavailable.IntValue() != 0 {
			t.Errorf("%s: rolling updates must start a new pod before stopping one (maxUnavailable: 0)", where)
		}
	}
}

// checkMounts: the config directory holds the newsflow-config ConfigMap,
// and the data directory is writable (the root filesystem is not).
func checkMounts(t *testing.T, where string, d *appsv1.Deployment, opts map[string]string) {
	t.Helper()
	c := d.Spec.Template.Spec.Containers[0]
	mounts := map[string]corev1.VolumeMount{}
	for _, vm := range c.VolumeMounts {
		mounts[vm.MountPath] = vm
	}
	vols := map[string]corev1.Volume{}
	for _, v := range d.Spec.Template.Spec.Volumes {
		vols[v.Name] = v
	}
	cm, ok := mounts[path.Dir(opts["config"])]
	if !ok || vols[cm.Name].ConfigMap == nil || !strings.HasPrefix(vols[cm.Name].ConfigMap.Name, "newsflow-config") {
		t.Errorf("%s: -config %s is not in a mounted newsflow-config ConfigMap", where, opts["config"])
	}
	dm, ok := mounts[opts["data"]]
	if !ok || dm.ReadOnly || vols[dm.Name].EmptyDir == nil {
		t.Errorf("%s: -data %s must be a writable emptyDir mount", where, opts["data"])
	}
}

// checkNATSURL: the URL reaches the nats Service's client port as the user
// the NATS config declares, with the password from the same Secret key the
// servers read.
func checkNATSURL(t *testing.T, m *manifests, where string, env map[string]corev1.EnvVar) {
	t.Helper()
	raw := env["NEWSFLOW_NATS_URL"].Value
	u, err := url.Parse(raw)
	if err != nil {
		t.Errorf("%s: NEWSFLOW_NATS_URL %q: %v", where, raw, err)
		return
	}
	svc := slices.IndexFunc(m.services, func(s *corev1.Service) bool { return s.Name == u.Hostname() })
	if u.Scheme != "nats" || svc < 0 || !slices.ContainsFunc(m.services[svc].Spec.Ports, func(p corev1.ServicePort) bool { return strconv.Itoa(int(p.Port)) == u.Port() }) {
		t.Errorf("%s: NEWSFLOW_NATS_URL %q does not name a rendered Service and port", where, raw)
	}
	opts := natsOptions(t, m)
	if !slices.ContainsFunc(opts.Users, func(us *server.User) bool { return us.Username == u.User.Username() }) {
		t.Errorf("%s: NEWSFLOW_NATS_URL user %q is not a NATS user", where, u.User.Username())
	}
	pw, _ := u.User.Password()
	ref := strings.TrimSuffix(strings.TrimPrefix(pw, "$("), ")")
	sts := m.statefulSet("nats")
	serverRef := slices.IndexFunc(sts.Spec.Template.Spec.Containers[0].Env, func(e corev1.EnvVar) bool { return e.Name == "NATS_PASSWORD" })
	if e, ok := env[ref]; !ok || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || serverRef < 0 ||
		!reflect.DeepEqual(e.ValueFrom.SecretKeyRef, sts.Spec.Template.Spec.Containers[0].Env[serverRef].ValueFrom.SecretKeyRef) {
		t.Errorf("%s: the NATS password must come from the Secret key the NATS servers use", where)
	}
}

// loadConfigMap decodes the newsflow config file the stages mount, with
// unknown keys refused, as the binary loads it.
func loadConfigMap(t *testing.T, m *manifests) binaryConfig {
	t.Helper()
	d := m.deployment("fetch")
	if d == nil {
		t.Fatal("no fetch Deployment")
	}
	cm := m.volumeConfigMap(t, "Deployment/fetch", &d.Spec.Template.Spec, "config")
	data, ok := cm.Data["newsflow.yaml"]
	if !ok {
		t.Fatalf("ConfigMap/%s: no newsflow.yaml", cm.Name)
	}
	var cfg binaryConfig
	dec := yaml.NewDecoder(strings.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf("ConfigMap/%s newsflow.yaml: %v", cm.Name, err)
	}
	return cfg
}

// checkConfig: the config file's keys are the documented ones, each section
// is valid by its own package's rules, the exemplars exist in the image,
// fetch refuses private addresses, and streams get as many replicas as
// there are NATS nodes.
func checkConfig(t *testing.T, m *manifests) {
	cfg := loadConfigMap(t, m)
	d := m.deployment("fetch")
	cm := m.volumeConfigMap(t, "Deployment/fetch", &d.Spec.Template.Spec, "config")
	documented := exampleKeys(t)
	for k := range keyPaths(t, []byte(cm.Data["newsflow.yaml"])) {
		if !documented[k] {
			t.Errorf("ConfigMap/%s: key %s is not in newsflow.example.yaml", cm.Name, k)
		}
	}
	tc := extract.Config{Topic: cfg.Topic}
	errs := []error{tc.Validate(), cfg.Fetch.Validate(), fetch.ValidateSources("sources", cfg.Sources),
		cfg.Pipeline.Validate(), cfg.Log.Validate()}
	for _, err := range errs {
		if err != nil {
			t.Errorf("ConfigMap/%s: %v", cm.Name, err)
		}
	}
	if cfg.Fetch.AllowPrivate {
		t.Errorf("ConfigMap/%s: fetch.allow_private must be false in a cluster", cm.Name)
	}
	if m, err := telemetry.ParseMemoryLimit(cfg.Runtime.MemoryLimit); err != nil || m.Percent == 0 {
		t.Errorf("ConfigMap/%s: runtime.memory_limit %q must be a share of the container's limit (%v)", cm.Name, cfg.Runtime.MemoryLimit, err)
	}
	if cfg.Clean.MaxBodyBytes < 0 {
		t.Errorf("ConfigMap/%s: clean.max_body_bytes is negative", cm.Name)
	}
	for _, p := range cfg.Topic.Exemplars {
		if rel, ok := strings.CutPrefix(p, imageTopics+"/"); ok {
			if _, err := os.Stat(filepath.Join(repo, "topics", rel)); err != nil {
				t.Errorf("ConfigMap/%s: exemplar %s: the image copies topics/ there, and %v", cm.Name, p, err)
			}
		} else if filepath.IsAbs(p) {
			t.Errorf("ConfigMap/%s: exemplar %s is neither in the image (%s) nor in the ConfigMap", cm.Name, p, imageTopics)
		} else if _, ok := cm.Data[p]; !ok {
			t.Errorf("ConfigMap/%s: exemplar %s is not a key of the ConfigMap (mounted next to the config)", cm.Name, p)
		}
	}
	// NEWSFLOW_NATS_REPLICAS, where set, wins over the file.
	replicas := cfg.NATS.Replicas
	for _, c := range m.configMaps {
		if v, ok := c.Data["NEWSFLOW_NATS_REPLICAS"]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("ConfigMap/%s: NEWSFLOW_NATS_REPLICAS=%q", c.Name, v)
			}
			replicas = n
		}
	}
	if sts := m.statefulSet("nats"); sts == nil || sts.Spec.Replicas == nil || int(*sts.Spec.Replicas) != replicas {
		t.Errorf("streams are declared with %d replicas; want one per NATS node", replicas)
	}
}

// imageTopics is where the Dockerfile puts the repository's topics/.
const imageTopics = "/usr/share/newsflow/topics"

// natsOptions parses the NATS config the StatefulSet mounts, as the server
// does, with the environment the pod gives it.
func natsOptions(t *testing.T, m *manifests) *server.Options {
	t.Helper()
	sts := m.statefulSet("nats")
	if sts == nil {
		t.Fatal("no nats StatefulSet")
	}
	cm := m.volumeConfigMap(t, "StatefulSet/nats", &sts.Spec.Template.Spec, "config")
	f := filepath.Join(t.TempDir(), "nats.conf")
	if err := os.WriteFile(f, []byte(cm.Data["nats.conf"]), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SERVER_NAME", sts.Name+"-0")
	t.Setenv("NATS_PASSWORD", "secret")
	opts, err := server.ProcessConfigFile(f)
	if err != nil {
		t.Fatalf("ConfigMap/%s nats.conf: %v", cm.Name, err)
	}
	return opts
}

// natsAccount is the account of the newsflow user ("$G" without accounts).
func natsAccount(t *testing.T, m *manifests) string {
	t.Helper()
	for _, u := range natsOptions(t, m).Users {
		if u.Username == "newsflow" && u.Account != nil {
			return u.Account.Name
		}
	}
	return "$G"
}

// checkNATS: the server config matches the StatefulSet: a route per node
// through the headless Service, JetStream on, newsflow's payload limit,
// ports, storage within the volume, lame duck within the grace period.
func checkNATS(t *testing.T, m *manifests) {
	sts := m.statefulSet("nats")
	if sts == nil {
		t.Fatal("no nats StatefulSet")
	}
	opts := natsOptions(t, m)
	c := sts.Spec.Template.Spec.Containers[0]
	n := int(*sts.Spec.Replicas)
	if !opts.JetStream {
		t.Errorf("JetStream is off")
	}
	if opts.ServerName != sts.Name+"-0" {
		t.Errorf("server_name = %q; want the pod name (KEDA finds the consumer leader by it)", opts.ServerName)
	}
	if opts.MaxPayload != bus.MaxPayload {
		t.Errorf("max_payload = %d; want internal/bus.MaxPayload %d", opts.MaxPayload, bus.MaxPayload)
	}
	if opts.Port != int(containerPort(t, c, "client")) || opts.HTTPPort != int(containerPort(t, c, "monitor")) {
		t.Errorf("ports: client %d, monitor %d; the container declares %d and %d", opts.Port, opts.HTTPPort, containerPort(t, c, "client"), containerPort(t, c, "monitor"))
	}
	var routes []string
	for _, r := range opts.Routes {
		routes = append(routes, r.Host)
	}
	var want []string
	if n > 1 {
		for i := range n {
			want = append(want, fmt.Sprintf("%s-%d.%s:%d", sts.Name, i, sts.Spec.ServiceName, containerPort(t, c, "cluster")))
		}
		if opts.Cluster.Port != int(containerPort(t, c, "cluster")) {
			t.Errorf("cluster port %d; the container declares %d", opts.Cluster.Port, containerPort(t, c, "cluster"))
		}
	}
	if !slices.Equal(routes, want) {
		t.Errorf("routes %v; want one per node: %v", routes, want)
	}
	headless := slices.IndexFunc(m.services, func(s *corev1.Service) bool { return s.Name == sts.Spec.ServiceName })
	if headless < 0 {
		t.Errorf("no Service %s (the StatefulSet's serviceName)", sts.Spec.ServiceName)
	} else if s := m.services[headless]; s.Spec.ClusterIP != corev1.ClusterIPNone || !s.Spec.PublishNotReadyAddresses {
		t.Errorf("Service/%s: want clusterIP None and publishNotReadyAddresses (routes resolve before readiness)", s.Name)
	}
	if len(sts.Spec.VolumeClaimTemplates) != 1 {
		t.Fatalf("want one volumeClaimTemplate")
	}
	vol := sts.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests[corev1.ResourceStorage]
	if opts.JetStreamMaxStore <= 0 || opts.JetStreamMaxStore >= vol.Value() {
		t.Errorf("jetstream max_file_store %d must be set and below the volume's %s", opts.JetStreamMaxStore, vol.String())
	}
	if !slices.ContainsFunc(c.VolumeMounts, func(vm corev1.VolumeMount) bool {
		return vm.Name == sts.Spec.VolumeClaimTemplates[0].Name && strings.HasPrefix(opts.StoreDir, vm.MountPath)
	}) {
		t.Errorf("jetstream store_dir %s is not on the volume", opts.StoreDir)
	}
	grace := time.Duration(*sts.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	if ld := opts.LameDuckDuration + opts.LameDuckGracePeriod; ld >= grace {
		t.Errorf("lame duck %s does not fit in terminationGracePeriodSeconds %s", ld, grace)
	}
	if slices.ContainsFunc(opts.Users, func(u *server.User) bool { return u.Password != "secret" }) {
		t.Errorf("every NATS password must come from the environment (the Secret)")
	}
}

// checkMonitoring: every newsflow pod is annotated for scraping on its HTTP
// port; with the monitoring component, the ServiceMonitor reaches every
// newsflow pod and the dashboard charts only metrics the code exports.
func checkMonitoring(t *testing.T, m *manifests, o overlay) {
	for _, d := range m.deployments {
		if d.Spec.Template.Labels["app.kubernetes.io/name"] != "newsflow" {
			continue
		}
		a := d.Spec.Template.Annotations
		port := containerPort(t, d.Spec.Template.Spec.Containers[0], "http")
		if a["prometheus.io/scrape"] != "true" || a["prometheus.io/port"] != strconv.Itoa(int(port)) || a["prometheus.io/path"] != "/metrics" {
			t.Errorf("Deployment/%s: want prometheus.io/scrape, port %d and path /metrics annotations", d.Name, port)
		}
	}
	if !o.monitoring {
		if len(m.serviceMonitors) > 0 {
			t.Errorf("ServiceMonitor rendered without the monitoring component")
		}
		return
	}
	if len(m.serviceMonitors) != 1 {
		t.Fatalf("want one ServiceMonitor, got %d", len(m.serviceMonitors))
	}
	sm := m.serviceMonitors[0]
	sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil {
		t.Fatal(err)
	}
	var svc *corev1.Service
	for _, s := range m.services {
		if sel.Matches(labels.Set(s.Labels)) {
			svc = s
		}
	}
	if svc == nil {
		t.Fatalf("ServiceMonitor/%s selects no Service", sm.Metadata.Name)
	}
	for _, e := range sm.Spec.Endpoints {
		if !slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == e.Port }) {
			t.Errorf("ServiceMonitor/%s: endpoint port %q is not a port of Service/%s", sm.Metadata.Name, e.Port, svc.Name)
		}
		if e.Path != "/metrics" {
			t.Errorf("ServiceMonitor/%s: path %q", sm.Metadata.Name, e.Path)
		}
	}
	for _, name := range append(slices.Clone(stages), "api") {
		if d := m.deployment(name); d != nil && !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
			t.Errorf("Service/%s does not select the %s pods", svc.Name, name)
		}
	}
	dash := m.configMap("newsflow-dashboard")
	if dash == nil {
		t.Fatal("no newsflow-dashboard ConfigMap")
	}
	checkDashboard(t, []byte(dash.Data["newsflow.json"]))
}

// checkDashboard: valid JSON, and every newsflow_* series it queries is a
// metric the runtime registers.
func checkDashboard(t *testing.T, b []byte) {
	t.Helper()
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	exported := exportedMetrics()
	seen := map[string]bool{}
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("dashboard panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			for _, name := range regexp.MustCompile(`newsflow_[a-z_]+`).FindAllString(tg.Expr, -1) {
				base := name
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					if b, ok := strings.CutSuffix(name, suf); ok && exported[b] {
						base = b
					}
				}
				if !exported[base] {
					t.Errorf("dashboard panel %q queries %s, which the code does not export (%v)", p.Title, name, keys(exported))
				}
				seen[base] = true
			}
		}
	}
	for name := range exported {
		if !seen[name] {
			t.Errorf("dashboard charts no panel of %s", name)
		}
	}
}

// exportedMetrics returns the names of the stage metrics the runtime
// registers.
func exportedMetrics() map[string]bool {
	descs := make(chan *prometheus.Desc, 64)
	go func() {
		m := telemetry.NewStageMetrics(prometheus.NewRegistry())
		for _, c := range []prometheus.Collector{m.In, m.Out, m.Handled, m.Duration, m.InFlight} {
			c.Describe(descs)
		}
		close(descs)
	}()
	out := map[string]bool{}
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range descs {
		if s := fq.FindStringSubmatch(d.String()); s != nil {
			out[s[1]] = true
		}
	}
	return out
}

// TestBinaryConfigMirror: binaryConfig's sections are those of
// cmd/newsflow's Config, with the same keys for the store and http
// sections declared there.
func TestBinaryConfigMirror(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repo, "cmd/newsflow/config.go"))
	if err != nil {
		t.Fatal(err)
	}
	tags := regexp.MustCompile("(?m)^\\s+\\w+\\s+[\\w.\\[\\]]+\\s+`yaml:\"(\\w+)\"`")
	var got []string
	for _, s := range tags.FindAllSubmatch(src, -1) {
		got = append(got, string(s[1]))
	}
	var want []string
	var walk func(t reflect.Type)
	walk = func(typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			want = append(want, strings.Split(f.Tag.Get("yaml"), ",")[0])
			if f.Name == "Store" || f.Name == "HTTP" || f.Name == "Runtime" { // declared in package main
				walk(f.Type)
			}
		}
	}
	walk(reflect.TypeOf(binaryConfig{}))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("cmd/newsflow/config.go declares keys %v; binaryConfig has %v", got, want)
	}
	if !bytes.Contains(src, []byte("dec.KnownFields(true)")) {
		t.Errorf("the binary no longer refuses unknown keys: loadConfigMap must follow its rules")
	}
}

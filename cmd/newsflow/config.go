package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/newsflow/newsflow"
	"github.com/newsflow/newsflow/internal/bus"
	"github.com/newsflow/newsflow/internal/pipeline"
	"github.com/newsflow/newsflow/internal/telemetry"
	"github.com/newsflow/newsflow/services/clean"
	"github.com/newsflow/newsflow/services/extract"
	"github.com/newsflow/newsflow/services/fetch"
)

// Config is the whole configuration: one YAML file, NEWSFLOW_* environment
// overrides, and flags over both.
type Config struct {
	Topic    extract.Topic       `yaml:"topic"`
	Sources  []fetch.Source      `yaml:"sources"`
	Fetch    fetch.Config        `yaml:"fetch"`
	Clean    clean.Config        `yaml:"clean"`
	Pipeline pipeline.Config     `yaml:"pipeline"`
	NATS     bus.Config          `yaml:"nats"`
	Store    StoreConfig         `yaml:"store"`
	HTTP     HTTPConfig          `yaml:"http"`
	Log      telemetry.LogConfig `yaml:"log"`
	Runtime  RuntimeConfig       `yaml:"runtime"`

	// dir is the directory relative exemplar paths are read from; exemplars
	// is where they are read (the disk, or the binary for the default).
	dir       string
	exemplars fs.FS
}

// StoreConfig says where articles are kept.
type StoreConfig struct {
	// DSN is sqlite:PATH (relative to the data directory) or postgres://…
	DSN string `yaml:"dsn"`
}

// HTTPConfig is the API and web page's listener.
type HTTPConfig struct {
	Addr string `yaml:"addr"`
	// APIToken, if set, is required on /api/ requests as
	// "Authorization: Bearer <token>". The API is read-only either way.
	APIToken string `yaml:"api_token"`
	// Pprof serves Go's runtime profiles under /debug/pprof/ (CPU, heap,
	// goroutines) for diagnosing a slow or growing process. Off by default:
	// enable it only on a private listener.
	Pprof bool `yaml:"pprof"`
}

// RuntimeConfig tunes the process.
type RuntimeConfig struct {
	// MemoryLimit is the Go runtime's soft memory limit: an amount
	// ("320MiB"), a share of the container's memory limit ("90%"), or off.
	// GOMEMLIMIT in the environment takes precedence.
	MemoryLimit string `yaml:"memory_limit"`
}

// defaultConfig holds the defaults of every field the file leaves out.
func defaultConfig() Config {
	return Config{
		Topic:    extract.Topic{Threshold: 0.35},
		Fetch:    fetch.DefaultConfig(),
		Clean:    clean.Config{MaxBodyBytes: 10 << 20},
		Pipeline: pipeline.Config{}.WithDefaults(),
		NATS:     bus.Config{Replicas: 1},
		Store:    StoreConfig{DSN: "sqlite:newsflow.db"},
		HTTP:     HTTPConfig{Addr: "127.0.0.1:8080"},
		Runtime:  RuntimeConfig{MemoryLimit: "320MiB"},
	}
}

// loadConfig reads path (the built-in newsflow.example.yaml when path is
// empty) over the defaults, then applies environ's NEWSFLOW_* variables.
// Unknown keys and bad values are errors that name the key.
func loadConfig(path string, environ []string) (Config, error) {
	cfg := defaultConfig()
	data := newsflow.DefaultConfig
	cfg.exemplars = newsflow.Topics
	name := "newsflow.example.yaml (built in)"
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		data, name = b, path
		abs, err := filepath.Abs(filepath.Dir(path))
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		cfg.dir, cfg.exemplars = abs, os.DirFS(abs)
	}
	if err := decodeConfig(&cfg, data); err != nil {
		return cfg, fmt.Errorf("config %s: %w", name, err)
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// decodeConfig reads YAML over cfg; unknown keys are errors naming the key.
func decodeConfig(cfg *Config, data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return withKeys(data, err)
	}
	return nil
}

// yamlLine matches the "line N:" yaml.v3 puts before each problem.
var yamlLine = regexp.MustCompile(`line (\d+): `)

// withKeys adds the dotted key path to each "line N:" of a YAML error, so
// that a bad value names its key ("fetch.timeout (line 4): …").
func withKeys(data []byte, err error) error {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return err
	}
	keys := map[int]string{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if path != "" {
					k = path + "." + k
				}
				keys[n.Content[i].Line] = k
				walk(n.Content[i+1], k)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(&root, "")
	msg := yamlLine.ReplaceAllStringFunc(err.Error(), func(m string) string {
		n, _ := strconv.Atoi(yamlLine.FindStringSubmatch(m)[1])
		if k, ok := keys[n]; ok {
			return fmt.Sprintf("%s (line %d): ", k, n)
		}
		return m
	})
	return errors.New(msg)
}

// envPrefix starts every environment override.
const envPrefix = "NEWSFLOW_"

// flagEnv are NEWSFLOW_ variables that stand for command-line flags, not
// config keys.
var flagEnv = map[string]bool{"NEWSFLOW_CONFIG": true, "NEWSFLOW_DATA": true}

// applyEnv sets every scalar config field named by a NEWSFLOW_<PATH>
// variable, PATH being the field's YAML path in upper case joined by "_"
// (NEWSFLOW_FETCH_ALLOW_PRIVATE=true).
func applyEnv(cfg *Config, environ []string) error {
	fields := map[string]reflect.Value{}
	collectFields(reflect.ValueOf(cfg).Elem(), "", fields)
	var errs []error
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, envPrefix) || flagEnv[k] {
			continue
		}
		path := strings.ToLower(strings.TrimPrefix(k, envPrefix))
		f, ok := fields[path]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: no such config key", k))
			continue
		}
		if err := setScalar(f, v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
	}
	return errors.Join(errs...)
}

func collectFields(v reflect.Value, prefix string, out map[string]reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := strings.Split(sf.Tag.Get("yaml"), ",")[0]
		if !sf.IsExported() || tag == "" || tag == "-" {
			continue
		}
		path := prefix + tag
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeOf(time.Duration(0)) {
			collectFields(fv, path+"_", out)
			continue
		}
		out[path] = fv
	}
}

func setScalar(f reflect.Value, s string) error {
	if f.Type() == reflect.TypeOf(time.Duration(0)) {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration", s)
		}
		f.SetInt(int64(d))
		return nil
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", s)
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not an integer", s)
		}
		f.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		f.SetFloat(n)
	default:
		return errors.New("cannot be set from the environment; use the config file")
	}
	return nil
}

// Validate checks every section and names the key of each problem.
func (c *Config) Validate() error {
	errs := []error{c.Fetch.Validate(), c.Pipeline.Validate(), c.NATS.Validate(), c.Log.Validate()}
	if err := c.Clean.Validate(); err != nil {
		errs = append(errs, err)
	}
	tc := extract.Config{Topic: c.Topic}
	if err := tc.Validate(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, fetch.ValidateSources("sources", c.Sources))
	if !strings.HasPrefix(c.Store.DSN, "sqlite:") && !strings.HasPrefix(c.Store.DSN, "postgres://") && !strings.HasPrefix(c.Store.DSN, "postgresql://") {
		errs = append(errs, fmt.Errorf("store.dsn: %q is neither sqlite:PATH nor postgres://…", c.Store.DSN))
	}
	if _, err := telemetry.ParseMemoryLimit(c.Runtime.MemoryLimit); err != nil {
		errs = append(errs, fmt.Errorf("runtime.memory_limit: %w", err))
	}
	if c.HTTP.Addr == "" {
		errs = append(errs, errors.New("http.addr: must not be empty"))
	}
	return errors.Join(errs...)
}

// storeDSN resolves a relative sqlite path against the data directory.
func (c *Config) storeDSN(dataDir string) string {
	p, ok := strings.CutPrefix(c.Store.DSN, "sqlite:")
	if !ok || filepath.IsAbs(p) || p == ":memory:" {
		return c.Store.DSN
	}
	return "sqlite:" + filepath.Join(dataDir, p)
}

// exemplarTexts reads the topic's exemplar documents.
func (c *Config) exemplarTexts() ([]string, error) {
	var out []string
	for _, p := range c.Topic.Exemplars {
		var b []byte
		var err error
		if filepath.IsAbs(p) {
			b, err = os.ReadFile(p)
		} else {
			b, err = fs.ReadFile(c.exemplars, filepath.ToSlash(filepath.Clean(p)))
		}
		if err != nil {
			return nil, fmt.Errorf("topic.exemplars: %w", err)
		}
		out = append(out, string(b))
	}
	return out, nil
}

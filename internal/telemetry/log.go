// Package telemetry is what every component shares for being observed:
// the zap logger and its field keys, the Prometheus registry and metrics of
// the consume loop, and the /metrics, /healthz and /readyz endpoints.
package telemetry

import (
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Field keys, the same in every component's logs.
const (
	KeyStage     = "stage"
	KeyComponent = "component"
	KeySubject   = "subject"
	KeyStream    = "stream"
	KeyConsumer  = "consumer"
	KeySeq       = "seq"
	KeyAttempt   = "attempt"
	KeyArticleID = "article_id"
	KeyURL       = "url"
	KeySchema    = "schema"
	KeySource    = "source"
	KeyDuration  = "duration"
)

// Field helpers keep the keys above in one place.
func Stage(s string) zap.Field           { return zap.String(KeyStage, s) }
func Component(s string) zap.Field       { return zap.String(KeyComponent, s) }
func Subject(s string) zap.Field         { return zap.String(KeySubject, s) }
func Seq(n uint64) zap.Field             { return zap.Uint64(KeySeq, n) }
func Attempt(n uint64) zap.Field         { return zap.Uint64(KeyAttempt, n) }
func ArticleID(s string) zap.Field       { return zap.String(KeyArticleID, s) }
func URL(s string) zap.Field             { return zap.String(KeyURL, s) }
func Source(s string) zap.Field          { return zap.String(KeySource, s) }
func Duration(d time.Duration) zap.Field { return zap.Duration(KeyDuration, d) }

// LogConfig selects the logger's level and format.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // json, console, or "" for console on a terminal and json otherwise
}

// Validate reports an unknown level or format.
func (c LogConfig) Validate() error {
	if _, err := zapcore.ParseLevel(c.levelOrDefault()); err != nil {
		return fmt.Errorf("log.level: %q is not one of debug, info, warn, error", c.Level)
	}
	switch c.Format {
	case "", "json", "console":
		return nil
	}
	return fmt.Errorf("log.format: %q is not one of json, console", c.Format)
}

func (c LogConfig) levelOrDefault() string {
	if c.Level == "" {
		return "info"
	}
	return c.Level
}

// NewLogger builds the process logger: JSON to stderr, or a console
// encoder when stderr is a terminal (or Format says so).
func NewLogger(c LogConfig) (*zap.Logger, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	lvl, _ := zapcore.ParseLevel(c.levelOrDefault())
	format := c.Format
	if format == "" {
		format = "json"
		if IsTerminal(os.Stderr) {
			format = "console"
		}
	}
	var cfg zap.Config
	if format == "console" {
		cfg = zap.NewDevelopmentConfig()
		cfg.DisableStacktrace = true
	} else {
		cfg = zap.NewProductionConfig()
		cfg.EncoderConfig.TimeKey = "ts"
		cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
		cfg.Sampling = nil
	}
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.OutputPaths = []string{"stderr"}
	cfg.ErrorOutputPaths = []string{"stderr"}
	return cfg.Build()
}

// IsTerminal reports whether f is a character device, such as a terminal.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

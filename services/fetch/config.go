package fetch

import (
	"errors"
	"fmt"
	"time"
)

// Config is the fetch section of the configuration.
type Config struct {
	// UserAgent is sent with every request.
	UserAgent string `yaml:"user_agent"`
	// PerHostRPS limits requests per second to one host.
	PerHostRPS float64 `yaml:"per_host_rps"`
	// AllowPrivate lets the fetcher reach loopback, private and link-local
	// addresses. Tests need it; production must not.
	AllowPrivate bool `yaml:"allow_private"`
	// MaxBodyBytes caps a page's size after decompression.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// Timeout bounds one request, body included.
	Timeout time.Duration `yaml:"timeout"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		UserAgent:    "newsflow/1.0 (+https://github.com/newsflow/newsflow)",
		PerHostRPS:   1,
		MaxBodyBytes: 5 << 20,
		Timeout:      30 * time.Second,
	}
}

// Validate checks the config and names the key of each problem.
func (c Config) Validate() error {
	var errs []error
	if c.UserAgent == "" {
		errs = append(errs, errors.New("fetch.user_agent: must not be empty"))
	}
	if c.PerHostRPS <= 0 || c.PerHostRPS > 1000 {
		errs = append(errs, fmt.Errorf("fetch.per_host_rps: %g is not in (0, 1000]", c.PerHostRPS))
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 64<<20 {
		errs = append(errs, fmt.Errorf("fetch.max_body_bytes: %d is not in [1024, %d]", c.MaxBodyBytes, 64<<20))
	}
	if c.Timeout < time.Second || c.Timeout > 10*time.Minute {
		errs = append(errs, fmt.Errorf("fetch.timeout: %s is not in [1s, 10m]", c.Timeout))
	}
	return errors.Join(errs...)
}

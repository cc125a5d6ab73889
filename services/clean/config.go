package clean

import (
	"errors"
	"fmt"
)

// DefaultMaxBodyBytes is the default limit on a page body after
// decompression.
const DefaultMaxBodyBytes = 10 << 20

// Config configures the clean stage.
type Config struct {
	// MaxBodyBytes refuses bodies over this size after decompression;
	// 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
}

// Validate reports every problem with the config at once.
func (c *Config) Validate() error {
	var errs []error
	if c.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("clean: max_body_bytes must not be negative, got %d", c.MaxBodyBytes))
	}
	return errors.Join(errs...)
}

// withDefaults returns c with zero values replaced by defaults.
func (c Config) withDefaults() Config {
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return c
}

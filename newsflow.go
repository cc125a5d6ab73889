// Package newsflow holds what the binary carries from the repository root:
// the default configuration and the default topic's exemplar documents.
// The code lives in cmd/newsflow, proto, services and internal.
package newsflow

import (
	"embed"
	_ "embed"
)

// DefaultConfig is newsflow.example.yaml, the configuration used when no
// -config is given.
//
//go:embed newsflow.example.yaml
var DefaultConfig []byte

// Topics holds the exemplar documents the default configuration names.
//
//go:embed topics
var Topics embed.FS

package e2e_test

import "github.com/segmentio/encoding/json"

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

package clean

import "testing"

func TestUnwrapScript(t *testing.T) {
	for in, want := range map[string]string{
		` {"a":1} `:                        `{"a":1}`,
		"<![CDATA[\n{\"a\":1}\n]]>":        `{"a":1}`,
		"//<![CDATA[\n{\"a\":1}\n//]]>":    `{"a":1}`,
		"<!--\n{\"a\":1}\n-->":             `{"a":1}`,
		"<![CDATA[ <!-- {\"a\":1} --> ]]>": `{"a":1}`,
	} {
		if got := unwrapScript(in); got != want {
			t.Errorf("unwrapScript(%q) = %q; want %q", in, got, want)
		}
	}
}

package clean

import (
	"fmt"
	"strings"
	"testing"
)

func TestTitleOutvoted(t *testing.T) {
	body := `<body><article><h1>%s</h1><p>` + strings.Join(storyParas, "</p><p>") + `</p></article></body></html>`
	tests := []struct {
		name, head, h1, want, src string
	}{
		{"a description in the headline field loses to the h1 the title confirms",
			`<title>Lamp fund - Reef Encyclopedia</title><script type="application/ld+json">{"@type":"Article","headline":"fund for lamps on the outer reefs"}</script>`,
			"Lamp fund", "Lamp fund", srcHTML},
		{"the headline stays when the title agrees with it",
			`<title>Reef states agree lamp fund after long talks | Ledger</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"Reef states agree lamp fund after long talks"}</script>`,
			"Lamp fund agreed", "Reef states agree lamp fund after long talks", srcJSONLD},
		{"a headline cut with an ellipsis still agrees with the h1",
			`<title>Reef states agree lamp fund | Ledger</title><script type="application/ld+json">{"@type":"NewsArticle","headline":"Reef states agree lamp fund..."}</script>`,
			"Reef states agree lamp fund", "Reef states agree lamp fund...", srcJSONLD},
		{"JSON-LD inside a CDATA section is read",
			`<title>Harbour page</title><script type="application/ld+json">//<![CDATA[
{"@type":"NewsArticle","headline":"Reef states agree lamp fund","datePublished":"2031-04-15T11:00:00+02:00"}
//]]></script>`,
			"Reef states agree lamp fund", "Reef states agree lamp fund", srcJSONLD},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := cleanPage(t, `<!DOCTYPE html><html><head>`+tt.head+`</head>`+fmt.Sprintf(body, tt.h1))
			if out.Meta.Title != tt.want || out.Meta.Sources["title"] != tt.src {
				t.Errorf("title = %q from %q; want %q from %q", out.Meta.Title, out.Meta.Sources["title"], tt.want, tt.src)
			}
		})
	}
}

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

//go:build tools

// Package deps pins modules that code in progress will import.
package deps

import (
	_ "github.com/andybalholm/brotli"
	_ "github.com/chromedp/chromedp"
	_ "github.com/go-shiori/go-readability"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/jdkato/prose/v3"
	_ "github.com/markusmobius/go-htmldate"
	_ "github.com/mmcdole/gofeed"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/temoto/robotstxt"
)

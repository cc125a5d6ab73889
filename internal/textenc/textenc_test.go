package textenc

import (
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func mustEncode(t *testing.T, enc interface{ Bytes([]byte) ([]byte, error) }, s string) []byte {
	t.Helper()
	b, err := enc.Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestToUTF8(t *testing.T) {
	ru := "Переговоры в столице прошли в тёплой обстановке."
	zh := "两国领导人在首都举行会谈。"
	w1251 := mustEncode(t, charmap.Windows1251.NewEncoder(), ru)
	gbk := mustEncode(t, simplifiedchinese.GBK.NewEncoder(), zh)
	tests := []struct {
		name        string
		in          []byte
		contentType string
		html        bool
		want        string
		wantCharset string
	}{
		{"utf-8 plain", []byte("Hello, world"), "", false, "Hello, world", "utf-8"},
		{"bom stripped", []byte("\xef\xbb\xbfHi"), "", false, "Hi", "utf-8"},
		{"header charset", w1251, "text/plain; charset=windows-1251", false, ru, "windows-1251"},
		{"gbk header", gbk, "text/html; charset=GBK", true, zh, "gbk"},
		{"meta charset", append([]byte(`<html><head><meta charset="windows-1251"></head><body>`), w1251...), "text/html", true,
			`<html><head><meta charset="windows-1251"></head><body>` + ru, "windows-1251"},
		{"undeclared cyrillic", w1251, "", false, ru, "windows-1251"},
		{"undeclared latin-1", []byte("caf\xe9 cr\xe8me br\xfbl\xe9e \x93quoted\x94"), "", false, "café crème brûlée “quoted”", "windows-1252"},
		{"utf-8 wins over a stale header", []byte("Zürich"), "text/html; charset=windows-1251", true, "Zürich", "utf-8"},
		{"utf-16 bom", []byte("\xff\xfeh\x00i\x00"), "", false, "hi", "utf-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cs := ToUTF8(tt.in, tt.contentType, tt.html)
			if string(got) != tt.want || cs != tt.wantCharset {
				t.Errorf("ToUTF8 = %q, %q; want %q, %q", got, cs, tt.want, tt.wantCharset)
			}
		})
	}
}

package extract

import (
	"os"
	"testing"
)

func mustRead(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct {
		name string
		text string
		hint string
		want string
	}{
		{name: "empty", text: "", want: Undetermined},
		{name: "punctuation", text: "!!! ... 123 456", want: Undetermined},
		{name: "one letter", text: "a", want: Undetermined},
		{name: "english paragraph", text: mustRead(t, "testdata/football.txt"), want: "en"},
		{name: "english article", text: mustRead(t, "testdata/summit.txt"), want: "en"},
		{name: "english headline", text: "Putin visited China", want: "en"},
		{name: "english headline 2", text: "Xi hosts Putin for talks in Beijing", want: "en"},
		{name: "english headline hint wins tie", text: "Putin China", hint: "en-GB", want: "en"},
		{name: "two names no hint", text: "Putin China", want: Undetermined},
		{name: "russian paragraph", text: mustRead(t, "testdata/summit_ru.txt"), want: "ru"},
		{name: "russian headline", text: "Путин прибыл в Пекин", want: "ru"},
		{name: "ukrainian", text: "Президент України заявив, що переговори з партнерами тривають і що їхня підтримка є дуже важливою.", want: "uk"},
		{name: "bulgarian", text: "Президентът каза, че ще се срещне с премиера, за да обсъдят бюджета, който беше приет от парламента.", want: "bg"},
		{name: "chinese paragraph", text: mustRead(t, "testdata/summit_zh.txt"), want: "zh"},
		{name: "chinese headline", text: "普京访问中国", want: "zh"},
		{name: "chinese with latin name", text: "普京与习近平在北京会谈 APEC", want: "zh"},
		{name: "japanese", text: "プーチン大統領は中国を訪問しました", want: "ja"},
		{name: "german", text: "Der russische Präsident ist am Donnerstag zu einem Staatsbesuch in China eingetroffen und wurde von Xi empfangen.", want: "de"},
		{name: "french", text: "Le président russe est arrivé jeudi en Chine pour une visite d'État de deux jours, la première depuis sa réélection.", want: "fr"},
		{name: "spanish", text: "El presidente ruso llegó el jueves a China para una visita de Estado de dos días, la primera desde su reelección.", want: "es"},
		{name: "hint does not override text", text: mustRead(t, "testdata/football.txt"), hint: "ru", want: "en"},
		{name: "invalid utf8", text: "\xff\xfe\xfd", want: Undetermined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectLanguage(tt.text, tt.hint); got != tt.want {
				t.Errorf("DetectLanguage(%.40q, %q) = %q; want %q", tt.text, tt.hint, got, tt.want)
			}
		})
	}
}

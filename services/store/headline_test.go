package store

import "testing"

func TestHeadline(t *testing.T) {
	long := "Ferry crews on the northern route agreed a new rota with the operator after weeks of talks over night shifts and pay, the union said on Friday."
	tests := []struct{ title, summary, want string }{
		{"Barrier holds", "Anything.", "Barrier holds"},
		{"  ", "The barrier held. Crews checked the gates at dawn.", "The barrier held …"},
		{"", "", "Untitled"},
		{"", "渡轮恢复夜间航班。市长在码头迎接。", "渡轮恢复夜间航班 …"},
		{"", "Only one sentence.", "Only one sentence."},
		{"", "渡轮恢复夜间航班。", "渡轮恢复夜间航班。"},
		{"", "Short lead without a stop", "Short lead without a stop"},
		{"", long, "Ferry crews on the northern route agreed a new rota with the operator after weeks of …"},
	}
	for _, tt := range tests {
		if got := Headline(tt.title, tt.summary); got != tt.want {
			t.Errorf("Headline(%q, %q) = %q; want %q", tt.title, tt.summary, got, tt.want)
		}
	}
}

package extract

import (
	"fmt"
	"testing"
	"time"

	"github.com/newsflow/newsflow/proto"
)

func TestFacts(t *testing.T) {
	pub := time.Date(2024, 5, 17, 9, 30, 0, 0, time.UTC)
	may16 := float64(time.Date(2024, 5, 16, 0, 0, 0, 0, time.UTC).Unix())
	tests := []struct {
		name      string
		text      string
		published *time.Time
		want      []proto.Fact
	}{
		{name: "empty", text: "", want: nil},
		{name: "garbage", text: "$ € % 亿 мая ¥¥ ..%% May", want: nil},
		{name: "dollars symbol", text: "Trade reached $240 billion last year.",
			want: []proto.Fact{{Kind: FactMoney, Text: "$240 billion", Value: 2.4e11, Unit: "USD"}}},
		{name: "euros", text: "a grant of €3 million and £1.5bn",
			want: []proto.Fact{{Kind: FactMoney, Text: "€3 million", Value: 3e6, Unit: "EUR"}, {Kind: FactMoney, Text: "£1.5bn", Value: 1.5e9, Unit: "GBP"}}},
		{name: "dollars word", text: "worth 240 billion dollars in all",
			want: []proto.Fact{{Kind: FactMoney, Text: "240 billion dollars", Value: 2.4e11, Unit: "USD"}}},
		{name: "thousands separators", text: "It cost $1,250,000.",
			want: []proto.Fact{{Kind: FactMoney, Text: "$1,250,000", Value: 1.25e6, Unit: "USD"}}},
		{name: "yuan", text: "loans of 5 billion yuan",
			want: []proto.Fact{{Kind: FactMoney, Text: "5 billion yuan", Value: 5e9, Unit: "CNY"}}},
		{name: "currency with its country", text: "loans of 10 billion Chinese yuan and 3 million Russian roubles",
			want: []proto.Fact{{Kind: FactMoney, Text: "10 billion Chinese yuan", Value: 1e10, Unit: "CNY"},
				{Kind: FactMoney, Text: "3 million Russian roubles", Value: 3e6, Unit: "RUB"}}},
		{name: "quantities", text: "The line carried 22.7 bcm, or 22.7 billion cubic metres, and 1.2 million barrels a day over 4,209 km.",
			want: []proto.Fact{{Kind: FactQuantity, Text: "22.7 bcm", Value: 2.27e10, Unit: "m3"},
				{Kind: FactQuantity, Text: "22.7 billion cubic metres", Value: 2.27e10, Unit: "m3"},
				{Kind: FactQuantity, Text: "1.2 million barrels a day", Value: 1.2e6, Unit: "bbl/d"},
				{Kind: FactQuantity, Text: "4,209 km", Value: 4209, Unit: "km"}}},
		{name: "quantities of energy and land", text: "a 1.5 GW plant made 12 TWh on 300,000 hectares; 50,000 tons shipped",
			want: []proto.Fact{{Kind: FactQuantity, Text: "1.5 GW", Value: 1.5, Unit: "GW"},
				{Kind: FactQuantity, Text: "12 TWh", Value: 12, Unit: "TWh"},
				{Kind: FactQuantity, Text: "300,000 hectares", Value: 3e5, Unit: "ha"},
				{Kind: FactQuantity, Text: "50,000 tons", Value: 5e4, Unit: "t"}}},
		{name: "russian quantities", text: "поставки составили 22,7 млрд кубометров газа и 107 млн тонн нефти",
			want: []proto.Fact{{Kind: FactQuantity, Text: "22,7 млрд кубометров", Value: 2.27e10, Unit: "m3"},
				{Kind: FactQuantity, Text: "107 млн тонн", Value: 1.07e8, Unit: "t"}}},
		{name: "chinese quantities", text: "每年输送3000万吨原油和380亿立方米天然气",
			want: []proto.Fact{{Kind: FactQuantity, Text: "3000万吨", Value: 3e7, Unit: "t"},
				{Kind: FactQuantity, Text: "380亿立方米", Value: 3.8e10, Unit: "m3"}}},
		{name: "numbers without units", text: "In 2023, 40 people met 3 times at 7 sites.", want: nil},
		{name: "russian money", text: "товарооборот составил 240 миллиардов долларов",
			want: []proto.Fact{{Kind: FactMoney, Text: "240 миллиардов долларов", Value: 2.4e11, Unit: "USD"}}},
		{name: "russian money ending a sentence", text: "Товарооборот составил 240 миллиардов долларов. Это рекорд.",
			want: []proto.Fact{{Kind: FactMoney, Text: "240 миллиардов долларов", Value: 2.4e11, Unit: "USD"}}},
		{name: "russian abbreviated currency", text: "кредит на 300 млн долл. выдан",
			want: []proto.Fact{{Kind: FactMoney, Text: "300 млн долл.", Value: 3e8, Unit: "USD"}}},
		{name: "russian decimal comma", text: "около 1,5 трлн рублей",
			want: []proto.Fact{{Kind: FactMoney, Text: "1,5 трлн рублей", Value: 1.5e12, Unit: "RUB"}}},
		{name: "chinese money", text: "贸易额达到2401亿美元。",
			want: []proto.Fact{{Kind: FactMoney, Text: "2401亿美元", Value: 2.401e11, Unit: "USD"}}},
		{name: "percent sign", text: "up 12.5% on the year",
			want: []proto.Fact{{Kind: FactPercent, Text: "12.5%", Value: 12.5, Unit: "%"}}},
		{name: "percent word", text: "up 12.5 percent, or 3 per cent",
			want: []proto.Fact{{Kind: FactPercent, Text: "12.5 percent", Value: 12.5, Unit: "%"}, {Kind: FactPercent, Text: "3 per cent", Value: 3, Unit: "%"}}},
		{name: "russian percent", text: "рост на 26,3 процента",
			want: []proto.Fact{{Kind: FactPercent, Text: "26,3 процента", Value: 26.3, Unit: "%"}}},
		{name: "date without year", text: "He arrived on May 16.", published: &pub,
			want: []proto.Fact{{Kind: FactDate, Text: "May 16", Value: may16, Unit: "2024-05-16"}}},
		{name: "date range", text: "The visit on May 16-17 was short.", published: &pub,
			want: []proto.Fact{{Kind: FactDate, Text: "May 16-17", Value: may16, Unit: "2024-05-16"}}},
		{name: "day month year", text: "Signed on 16 May 2024 in Beijing.",
			want: []proto.Fact{{Kind: FactDate, Text: "16 May 2024", Value: may16, Unit: "2024-05-16"}}},
		{name: "month day year", text: "Signed on May 16, 2024.",
			want: []proto.Fact{{Kind: FactDate, Text: "May 16, 2024", Value: may16, Unit: "2024-05-16"}}},
		{name: "no year no publication", text: "He arrived on May 16.",
			want: []proto.Fact{{Kind: FactDate, Text: "May 16", Value: 0, Unit: "--05-16"}}},
		{name: "month and year", text: "Xi visited Moscow in March 2023.",
			want: []proto.Fact{{Kind: FactDate, Text: "March 2023", Value: float64(time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC).Unix()), Unit: "2023-03"}}},
		{name: "iso", text: "published 2024-05-16 at noon",
			want: []proto.Fact{{Kind: FactDate, Text: "2024-05-16", Value: may16, Unit: "2024-05-16"}}},
		{name: "russian date", text: "визит 16 мая 2024 года",
			want: []proto.Fact{{Kind: FactDate, Text: "16 мая 2024", Value: may16, Unit: "2024-05-16"}}},
		{name: "chinese date", text: "2024年5月16日，普京抵达北京",
			want: []proto.Fact{{Kind: FactDate, Text: "2024年5月16日", Value: may16, Unit: "2024-05-16"}}},
		{name: "impossible date", text: "on June 31, 2024", want: nil},
		{name: "modal may", text: "he may 16 times say no", want: nil},
		{name: "duplicates once", text: "$5 billion here and $5 billion there",
			want: []proto.Fact{{Kind: FactMoney, Text: "$5 billion", Value: 5e9, Unit: "USD"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Facts(tt.text, tt.published)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Facts(%q) = %+v; want %+v", tt.text, got, tt.want)
			}
		})
	}
}

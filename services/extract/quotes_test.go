package extract

import (
	"fmt"
	"testing"

	"github.com/newsflow/newsflow/proto"
)

func TestQuotes(t *testing.T) {
	f := mustFinder(t)
	tests := []struct {
		name string
		text string
		want []proto.Quote
	}{
		{name: "empty", text: "", want: nil},
		{name: "unbalanced", text: `He said "this never ends and goes on`, want: nil},
		{name: "only marks", text: `“”""«»`, want: nil},
		{name: "scare quotes skipped", text: `They called it an “unlimited friendship” again.`, want: nil},
		{name: "a title is no quotation", text: `The Harbour Courier ran a long piece entitled “Ferries and the island economy: a lifeline in winter” on Monday.`, want: nil},
		{name: "a Russian title is no quotation", text: `Газета опубликовала статью под названием «Паром и экономика острова зимой» в понедельник.`, want: nil},
		{name: "a Chinese title is no quotation", text: `报纸发表了题为“渡轮与岛屿经济的冬季生命线问题”的文章。`, want: nil},
		{
			name: "a named speaker keeps a quotation after a naming word",
			text: `Ilsa Brandt called the crossing “the lifeline of every island family” on Monday.`,
			want: []proto.Quote{{Text: "the lifeline of every island family", Speaker: "Ilsa Brandt"}},
		},
		{
			name: "reported speech, then the words",
			text: `Mayor Ilsa Brandt noted that the ferry had never missed a winter. The crossing is “the lifeline of every island family.” “We will keep it running,” she added.`,
			want: []proto.Quote{
				{Text: "the lifeline of every island family.", Speaker: "Ilsa Brandt"},
				{Text: "We will keep it running", Speaker: "Ilsa Brandt"},
			},
		},
		{
			name: "reported speech in another paragraph",
			text: "Mayor Ilsa Brandt noted that the ferry had never missed a winter.\n\nThe crossing is “the lifeline of every island family,” a sign on the pier says.\n\nIt is “the lifeline of every island family and more.”",
			want: []proto.Quote{
				{Text: "the lifeline of every island family", Speaker: ""},
				{Text: "the lifeline of every island family and more.", Speaker: ""},
			},
		},
		{
			name: "said, adding",
			text: `“The ferry is safe,” Ilsa Brandt said, adding: “We checked every hull.”`,
			want: []proto.Quote{
				{Text: "The ferry is safe", Speaker: "Ilsa Brandt"},
				{Text: "We checked every hull.", Speaker: "Ilsa Brandt"},
			},
		},
		{
			name: "quoted as saying",
			text: `The agency quoted Ilsa Brandt as saying that "the ferry will run all winter".`,
			want: []proto.Quote{{Text: "the ferry will run all winter", Speaker: "Ilsa Brandt"}},
		},
		{name: "quoted names and titles skipped", text: `The “Northern Sea Route Plan” joins the “Great Ferry Of The North” project.`, want: nil},
		{
			name: "a quotation inside a quotation",
			text: `The paper quoted a skipper: “Harbour towns and their “ferry wars” will not end soon.”`,
			want: []proto.Quote{{Text: "Harbour towns and their “ferry wars” will not end soon.", Speaker: ""}},
		},
		{
			name: "a stray opening mark",
			text: `“We will “keep the ferry running all winter,” Ilsa Brandt said.`,
			want: []proto.Quote{{Text: "We will “keep the ferry running all winter", Speaker: "Ilsa Brandt"}},
		},
		{
			name: "name said after",
			text: `“Our relations are not directed against anyone,” Putin said on Thursday.`,
			want: []proto.Quote{{Text: "Our relations are not directed against anyone", Speaker: "Vladimir Putin"}},
		},
		{
			name: "said name after",
			text: `"Moscow needs Beijing far more than Beijing needs Moscow," said Maria Ivanova, an economist.`,
			want: []proto.Quote{{Text: "Moscow needs Beijing far more than Beijing needs Moscow", Speaker: "Maria Ivanova"}},
		},
		{
			name: "name said before",
			text: `Xi Jinping said: "We will stand together as good neighbours."`,
			want: []proto.Quote{{Text: "We will stand together as good neighbours.", Speaker: "Xi Jinping"}},
		},
		{
			name: "a colon introduces the next quotation",
			text: `“The ferry will run all winter,” he said. Mayor Ilsa Brandt said: “We found the money for it.”`,
			want: []proto.Quote{
				{Text: "The ferry will run all winter", Speaker: ""},
				{Text: "We found the money for it.", Speaker: "Ilsa Brandt"},
			},
		},
		{
			name: "chinese speaker before the colon",
			text: `普京表示：“我们将继续在各个领域发展合作。”习近平说：“两国关系处于历史最好水平。”`,
			want: []proto.Quote{
				{Text: "我们将继续在各个领域发展合作。", Speaker: "Vladimir Putin"},
				{Text: "两国关系处于历史最好水平。", Speaker: "Xi Jinping"},
			},
		},
		{
			name: "according to",
			text: `According to Sergei Lavrov, "the talks went very well indeed".`,
			want: []proto.Quote{{Text: "the talks went very well indeed", Speaker: "Sergei Lavrov"}},
		},
		{
			name: "pronoun",
			text: `Antony Blinken flew to Beijing. “China cannot have it both ways,” he said.`,
			want: []proto.Quote{{Text: "China cannot have it both ways", Speaker: "Antony Blinken"}},
		},
		{
			name: "organisation",
			text: `“The visit was a great success for both sides,” the Kremlin said.`,
			want: []proto.Quote{{Text: "The visit was a great success for both sides", Speaker: "Kremlin"}},
		},
		{
			name: "no speaker",
			text: `“They want the benefits without the costs,” one diplomat said.`,
			want: []proto.Quote{{Text: "They want the benefits without the costs", Speaker: ""}},
		},
		{
			name: "russian",
			text: `«Отношения между нашими странами не направлены против третьих стран», — заявил Путин.`,
			want: []proto.Quote{{Text: "Отношения между нашими странами не направлены против третьих стран", Speaker: "Vladimir Putin"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Quotes(tt.text, f.find(tt.text))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Quotes(%q) = %+v; want %+v", tt.text, got, tt.want)
			}
		})
	}
}

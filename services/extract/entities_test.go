package extract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/proto"
)

func mustFinder(tb testing.TB) *entityFinder {
	tb.Helper()
	g, err := parseGazetteer(aliasesTSV)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := newEntityFinder()
	if err != nil {
		tb.Fatal(err)
	}
	_ = g
	return f
}

func TestParseGazetteer(t *testing.T) {
	tests := []struct {
		name    string
		tsv     string
		wantErr bool
	}{
		{name: "embedded", tsv: aliasesTSV},
		{name: "empty", tsv: ""},
		{name: "comments", tsv: "# x\n\n"},
		{name: "no aliases column", tsv: "Vladimir Putin\tperson\n"},
		{name: "no type", tsv: "Vladimir Putin\n", wantErr: true},
		{name: "bad type", tsv: "Vladimir Putin\tpeople\tPutin\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseGazetteer(tt.tsv)
			if (err != nil) != tt.wantErr {
				t.Errorf("parseGazetteer() error = %v; want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestEntities(t *testing.T) {
	f := mustFinder(t)
	tests := []struct {
		name string
		text string
		want []proto.Entity // the first len(want) entities, in order
		has  []proto.Entity // present anywhere
		not  []string       // names that must not appear
	}{
		{name: "empty", text: ""},
		{name: "garbage", text: "\xff\xfe !!! 123 ... “ ” « »"},
		{
			name: "aliases merge",
			text: "Russian President Vladimir Putin met President Xi in Beijing. Putin said Xi Jinping was a friend. Mr. Putin left.",
			want: []proto.Entity{{Name: "Vladimir Putin", Type: TypePerson, Count: 3}, {Name: "Xi Jinping", Type: TypePerson, Count: 2}},
			has:  []proto.Entity{{Name: "Beijing", Type: TypePlace, Count: 1}},
			not:  []string{"President", "Russian President", "Mr"},
		},
		{
			name: "us forms",
			text: "The US and the U.S. Treasury and the United States agreed; we told us nothing.",
			has:  []proto.Entity{{Name: "United States", Type: TypePlace, Count: 3}},
		},
		{
			name: "russian inflections",
			text: "Визит Путина в Китай. Путин прибыл в Пекин, где Си Цзиньпин встретил его. Отношения России и Китая крепнут. Россией довольны.",
			has: []proto.Entity{
				{Name: "Vladimir Putin", Type: TypePerson, Count: 2},
				{Name: "China", Type: TypePlace, Count: 2},
				{Name: "Russia", Type: TypePlace, Count: 2},
				{Name: "Beijing", Type: TypePlace, Count: 1},
				{Name: "Xi Jinping", Type: TypePerson, Count: 1},
			},
		},
		{
			name: "chinese",
			text: "习近平在北京会见普京。中国和俄罗斯发表联合声明，美国表示关注。",
			has: []proto.Entity{
				{Name: "Xi Jinping", Type: TypePerson, Count: 1},
				{Name: "Vladimir Putin", Type: TypePerson, Count: 1},
				{Name: "Beijing", Type: TypePlace, Count: 1},
				{Name: "China", Type: TypePlace, Count: 1},
				{Name: "Russia", Type: TypePlace, Count: 1},
				{Name: "United States", Type: TypePlace, Count: 1},
			},
		},
		{
			name: "neighbours and partners in Russian",
			text: "Александр Лукашенко и Касым-Жомарт Токаев обсудили Евразийский экономический союз. Беларусь и Казахстан входят в ЕАЭС. Решение Госдумы поддержал Юрий Ушаков. Встреча прошла в Доме народных собраний.",
			has: []proto.Entity{
				{Name: "Alexander Lukashenko", Type: TypePerson, Count: 1},
				{Name: "Kassym-Jomart Tokayev", Type: TypePerson, Count: 1},
				{Name: "Eurasian Economic Union", Type: TypeOrg, Count: 2},
				{Name: "Belarus", Type: TypePlace, Count: 1},
				{Name: "Kazakhstan", Type: TypePlace, Count: 1},
				{Name: "State Duma", Type: TypeOrg, Count: 1},
				{Name: "Yuri Ushakov", Type: TypePerson, Count: 1},
				{Name: "Great Hall of the People", Type: TypePlace, Count: 1},
			},
		},
		{
			name: "chinese country pairs with Russia",
			text: "中俄关系处于历史最好水平。俄乌冲突仍在继续，俄美对话中断。美国与俄罗斯的关系也受到关注。",
			want: []proto.Entity{
				{Name: "Russia", Type: TypePlace, Count: 4},
				{Name: "United States", Type: TypePlace, Count: 2},
				{Name: "China", Type: TypePlace, Count: 1},
				{Name: "Ukraine", Type: TypePlace, Count: 1},
			},
		},
		{
			name: "cities of the topic in their cases",
			text: "Саммит пройдёт в Казани, а форум — в Санкт-Петербурге. Delegates then flew from St. Petersburg to Shanghai.",
			has: []proto.Entity{
				{Name: "Kazan", Type: TypePlace, Count: 1},
				{Name: "Saint Petersburg", Type: TypePlace, Count: 2},
				{Name: "Shanghai", Type: TypePlace, Count: 1},
			},
		},
		{
			name: "foreign ministries and the state council",
			text: "МИД России и МИД КНР провели консультации. Премьер Госсовета КНР выступил в Вашингтоне. 俄罗斯外交部和中国外交部保持沟通。",
			has: []proto.Entity{
				{Name: "Russian Foreign Ministry", Type: TypeOrg, Count: 2},
				{Name: "Chinese Foreign Ministry", Type: TypeOrg, Count: 2},
				{Name: "State Council of China", Type: TypeOrg, Count: 1},
				{Name: "Washington", Type: TypePlace, Count: 1},
			},
		},
		{
			name: "the leadership compound in three languages",
			text: "Xi hosted Putin at Zhongnanhai. Си Цзиньпин принял Путина в Чжуннаньхае. 习近平在中南海与普京散步。",
			has: []proto.Entity{
				{Name: "Zhongnanhai", Type: TypePlace, Count: 3},
				{Name: "Vladimir Putin", Type: TypePerson, Count: 3},
			},
		},
		{
			name: "the longest Chinese form wins",
			text: "卢卡申科在人民大会堂会见代表。白俄罗斯和蒙古国出席。中石油与俄罗斯石油公司签署协议。内蒙古官员参加。",
			has: []proto.Entity{
				{Name: "Alexander Lukashenko", Type: TypePerson, Count: 1},
				{Name: "Great Hall of the People", Type: TypePlace, Count: 1},
				{Name: "Belarus", Type: TypePlace, Count: 1},
				{Name: "Mongolia", Type: TypePlace, Count: 1},
				{Name: "China National Petroleum Corporation", Type: TypeOrg, Count: 1},
				{Name: "Rosneft", Type: TypeOrg, Count: 1},
			},
			not: []string{"Russia"},
		},
		{
			name: "heuristic people and surnames",
			text: "Analyst Selim Ardahan wrote the report. Ardahan said trade would grow. Later Mr. Ardahan added more.",
			want: []proto.Entity{{Name: "Selim Ardahan", Type: TypePerson, Count: 3}},
			not:  []string{"Ardahan", "Later"},
		},
		{
			name: "speech verb person",
			text: "Trade will grow, said Maria Ivanova, an economist. Ivanova expects more.",
			has:  []proto.Entity{{Name: "Maria Ivanova", Type: TypePerson, Count: 2}},
		},
		{
			name: "secretary of state title dropped",
			text: "Secretary of State John Smith flew to Paris.",
			has:  []proto.Entity{{Name: "John Smith", Type: TypePerson, Count: 1}},
			not:  []string{"Secretary of State John Smith", "Secretary"},
		},
		{
			name: "organisations",
			text: "Acme Widgets Inc said on Monday that the Bank of England and the Foreign Ministry had been told.",
			has: []proto.Entity{
				{Name: "Acme Widgets Inc", Type: TypeOrg, Count: 1},
				{Name: "Bank of England", Type: TypeOrg, Count: 1},
				{Name: "Foreign Ministry", Type: TypeOrg, Count: 1},
			},
			not: []string{"Monday"},
		},
		{
			name: "capitalised ordinary words are not names",
			text: "Superb Value and a Framework Contract. The Warranty is FREE. Quick Dispatch for the Household. Newsgroups galore.",
			not:  []string{"Superb Value", "Value", "Framework Contract", "Warranty", "FREE", "Quick Dispatch", "Household", "Newsgroups"},
		},
		{
			name: "lone unknown proper nouns by shape",
			text: "Sales rose at PayPal on Friday, officials in Kyzylstan told reporters, and Okonjo nodded. We saw the Bridies too.",
			has: []proto.Entity{
				{Name: "PayPal", Type: TypeOrg, Count: 1},
				{Name: "Kyzylstan", Type: TypePlace, Count: 1},
				{Name: "Okonjo", Type: TypePerson, Count: 1},
			},
			not: []string{"Bridies", "Friday"},
		},
		{
			name: "company forms and initials",
			text: "Shares of Zentrox Corp. fell and Baxley, Inc. said so, according to Lorna T. Fairweather.",
			has: []proto.Entity{
				{Name: "Zentrox Corp.", Type: TypeOrg, Count: 1},
				{Name: "Baxley, Inc.", Type: TypeOrg, Count: 1},
				{Name: "Lorna T. Fairweather", Type: TypePerson, Count: 1},
			},
		},
		{
			name: "particles, storms, trailing places",
			text: "Cleric Muqtada al-Sadr spoke as Hurricane Katrina hit. Katrina moved on. We drove to Tarvola California.",
			has: []proto.Entity{
				{Name: "Muqtada al-Sadr", Type: TypePerson, Count: 1},
				{Name: "Tarvola", Type: TypePlace, Count: 1},
				{Name: "California", Type: TypePlace, Count: 1},
			},
			not: []string{"Katrina", "Hurricane Katrina", "Tarvola California"},
		},
		{
			name: "glued punctuation",
			text: "The office in Baltimore,MD is near the Symphony Hall...all of it.",
			has:  []proto.Entity{{Name: "Baltimore", Type: TypePlace, Count: 1}},
			not:  []string{"Baltimore,MD", "Hall...all"},
		},
		{
			name: "given names from the open lists, surnames and possessives",
			text: "Phillip called. Arafat 's death changed things. Later Vernon met Tanaka in Osaka.",
			has: []proto.Entity{
				{Name: "Phillip", Type: TypePerson, Count: 1},
				{Name: "Arafat", Type: TypePerson, Count: 1},
				{Name: "Vernon", Type: TypePerson, Count: 1},
				{Name: "Tanaka", Type: TypePerson, Count: 1},
				{Name: "Osaka", Type: TypePlace, Count: 1},
			},
		},
		{
			name: "a period glued to the last word is not part of the name",
			text: "Some 14 people were hurt in Kirkuk, Tikrit, and Ude.",
			has:  []proto.Entity{{Name: "Ude", Type: TypePlace, Count: 1}},
			not:  []string{"Ude."},
		},
		{
			name: "place before a title, role nouns, lists",
			text: "Moscow Mayor Sergei Sobyanin opened it. The singer Zoltrax sang. Okafor, Lindqvist and Brandt staffed it, Okafor said.",
			has: []proto.Entity{
				{Name: "Moscow", Type: TypePlace, Count: 1},
				{Name: "Sergei Sobyanin", Type: TypePerson, Count: 1},
				{Name: "Zoltrax", Type: TypePerson, Count: 1},
				{Name: "Okafor", Type: TypePerson, Count: 2},
				{Name: "Lindqvist", Type: TypePerson, Count: 1},
				{Name: "Brandt", Type: TypePerson, Count: 1},
			},
			not: []string{"Moscow Mayor Sergei Sobyanin"},
		},
		{
			name: "institutions joined by and, acronyms in brackets",
			text: "The Department of Housing and Urban Development and the Qarvel Housing Action Center (QHAC) met.",
			has: []proto.Entity{
				{Name: "Department of Housing and Urban Development", Type: TypeOrg, Count: 1},
				{Name: "Qarvel Housing Action Center", Type: TypeOrg, Count: 1},
				{Name: "QHAC", Type: TypeOrg, Count: 1},
			},
		},
		{
			name: "unknown capitalised phrases and planets are not names",
			text: "We ordered the Family Platter. Venus and Saturn are bright. The games are on Sundays.",
			not:  []string{"Family Platter", "Venus", "Saturn", "Sundays"},
		},
		{
			name: "datelines and places in lower case",
			text: "OSLO (Reuters) - A visitor staying in malaysia wrote from turkey.",
			has: []proto.Entity{
				{Name: "Oslo", Type: TypePlace, Count: 1},
				{Name: "Malaysia", Type: TypePlace, Count: 1},
			},
			not: []string{"OSLO", "turkey", "Turkey"},
		},
		{
			name: "a known person closing an organisation's name holds its title",
			text: "He met the Premier of the State Council of the People's Republic of China Li Qiang on Tuesday.",
			has: []proto.Entity{
				{Name: "Li Qiang", Type: TypePerson, Count: 1},
				{Name: "State Council of China", Type: TypeOrg, Count: 1},
			},
			not: []string{"State Council of the People's Republic of China Li Qiang"},
		},
		{
			name: "an alias with a comma of its own",
			text: "Both praised the One Belt, One Road initiative. Ports, roads, and rail were discussed.",
			has:  []proto.Entity{{Name: "Belt and Road Initiative", Type: TypeOrg, Count: 1}},
			not:  []string{"One Road", "One Belt"},
		},
		{
			name: "a pipeline named in two languages",
			text: "Gas through Power of Siberia rose again. Поставки по «Силе Сибири» выросли.",
			has:  []proto.Entity{{Name: "Power of Siberia", Type: TypePlace, Count: 2}},
		},
		{
			name: "a short dateline with a dash",
			text: "ROME — The festival of lanterns opened on Friday along the river.",
			has:  []proto.Entity{{Name: "Rome", Type: TypePlace, Count: 1}},
			not:  []string{"ROME"},
		},
		{
			name: "saints' places, numerals, credentials",
			text: "We moved to St. Thomas and then St. Louis under Part VII with Oswin Talbrook, MD, a professor.",
			has: []proto.Entity{
				{Name: "St. Thomas", Type: TypePlace, Count: 1},
				{Name: "St. Louis", Type: TypePlace, Count: 1},
				{Name: "Oswin Talbrook", Type: TypePerson, Count: 1},
			},
			not: []string{"Thomas", "Louis", "VII", "MD"},
		},
		{
			name: "a name before a hyphen",
			text: "The Moscow-based firm blamed Hezbollah-linked groups.",
			has: []proto.Entity{
				{Name: "Moscow", Type: TypePlace, Count: 1},
				{Name: "Hezbollah", Type: TypeOrg, Count: 1},
			},
		},
		{
			name: "no false us",
			text: "Tell us what you think. Bus routes change.",
			not:  []string{"United States"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Entities(f.find(tt.text))
			if len(got) < len(tt.want) || fmt.Sprint(got[:len(tt.want)]) != fmt.Sprint(tt.want) {
				t.Errorf("Entities(%q) = %+v; want it to start with %+v", tt.text, got, tt.want)
			}
			for _, h := range tt.has {
				found := false
				for _, g := range got {
					if g == h {
						found = true
					}
				}
				if !found {
					t.Errorf("Entities(%q) = %+v; want %+v among them", tt.text, got, h)
				}
			}
			for _, n := range tt.not {
				for _, g := range got {
					if g.Name == n {
						t.Errorf("Entities(%q) = %+v; want no %q", tt.text, got, n)
					}
				}
			}
			for i := 1; i < len(got); i++ {
				if got[i].Count > got[i-1].Count {
					t.Errorf("Entities not sorted by count: %+v", got)
				}
			}
		})
	}
}

func TestEntitiesOrgAfterPlace(t *testing.T) {
	f := mustFinder(t)
	text := "He spoke at the Harbin Institute of Technology. Alexandra Prokopenko of the Carnegie Russia Eurasia Center said so. Doctor of Sciences Selim Ardahan agreed. Minister of Foreign Affairs Sergei Lavrov came."
	got := Entities(f.find(text))
	for _, want := range []proto.Entity{
		{Name: "Harbin Institute of Technology", Type: TypeOrg, Count: 1},
		{Name: "Carnegie Russia Eurasia Center", Type: TypeOrg, Count: 1},
		{Name: "Selim Ardahan", Type: TypePerson, Count: 1},
		{Name: "Sergei Lavrov", Type: TypePerson, Count: 1},
	} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("Entities(%q) = %+v; want %+v among them", text, got, want)
		}
	}
	for _, g := range got {
		if g.Name == "Harbin" || g.Name == "Russia" || g.Name == "Affairs" {
			t.Errorf("Entities(%q) = %+v; want no %q", text, got, g.Name)
		}
	}
}

func TestUnglueKeepsOffsets(t *testing.T) {
	for _, in := range []string{"", ",", "a,b", "Dover,DE 19901", "Hall...all", "x...", "...y", "A/B", "Bob\"<b@x.org>", "é,é"} {
		out := unglue(in)
		if len(out) != len(in) {
			t.Errorf("unglue(%q) = %q: length %d, want %d", in, out, len(out), len(in))
		}
	}
	if got := unglue("Baltimore,MD"); got != "Baltimore MD" {
		t.Errorf("unglue(Baltimore,MD) = %q", got)
	}
}

// TestEnglishSpans checks the spans and types of the English pass on
// organisation and person patterns of news text.
func TestEnglishSpans(t *testing.T) {
	f, err := NewEntityFinder()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string // "span|type", in text order
	}{
		{"A report by the Institute for the Study of War was cited by the Democratic Republic of the Congo.",
			[]string{"Institute for the Study of War|org", "Democratic Republic of the Congo|place"}},
		{"She taught at the University of Texas at Austin and at Imperial College London.",
			[]string{"University of Texas at Austin|org", "Imperial College London|org"}},
		{"Workers at Minsk Tractor Works met members of the Texas Legislature and the Syrian Observatory for Human Rights.",
			[]string{"Minsk Tractor Works|org", "Texas Legislature|org", "Syrian Observatory for Human Rights|org"}},
		{"Shares of the carmaker Zotye fell after Zotye's chief executive resigned.",
			[]string{"Zotye|org", "Zotye|org"}},
		{"Bush nominated A. Noel Kramer, and J.K. Rowling came; Virginia Tech declined.",
			[]string{"A. Noel Kramer|person", "J.K. Rowling|person", "Virginia Tech|org"}},
		{"P.S. Tom, please call.", []string{"Tom|person"}},
		{"Critics of the Bush administration look to bin Laden, the Google-Mozilla deal and the Moscow Patriarchate.",
			[]string{"Bush|person", "bin Laden|person", "Google|org", "Mozilla|org", "Moscow Patriarchate|org"}},
		{"Her pay now comes from The Mozilla Foundation.", []string{"The Mozilla Foundation|org"}},
		{"The U.S. Federal Reserve held rates while Shares of Apple Inc. fell.",
			[]string{"U.S.|place", "Federal Reserve|org", "Apple Inc.|org"}},
		{"Gazprom Neft joined the People's Party rally near Air China offices.",
			[]string{"Gazprom Neft|org", "People's Party|org", "Air China|org"}},
		{"Talks with Foreign Minister Wang Yi.", []string{"Wang Yi|person"}},
		{"Sydney Varkonyi met Lincoln Tchadee before the Dallas Cowboys played.",
			[]string{"Sydney Varkonyi|person", "Lincoln Tchadee|person", "Dallas Cowboys|org"}},
		{"Marcus Washington flew to Washington.",
			[]string{"Marcus Washington|person", "Washington|place"}},
		{"British Airways and Turkish Airlines cut flights; Russian President Vladimir Putin flew with China Eastern.",
			[]string{"British Airways|org", "Turkish Airlines|org", "Vladimir Putin|person", "China Eastern|org"}},
		{"Economist Marta Vell and Historian Ivo Brandt disagreed.",
			[]string{"Marta Vell|person", "Ivo Brandt|person"}},
		{"Oskar Brandvik spoke to Tarvik, then flew to Velmora.",
			[]string{"Oskar Brandvik|person", "Velmora|place"}},
		{"Marta Lindqvist Jr. and Anders Holm Sr. spoke after Teo Varga Jr.",
			[]string{"Marta Lindqvist Jr.|person", "Anders Holm Sr.|person", "Teo Varga Jr.|person"}},
		{"Vice President Han Zheng met Roman Brodsky; Han Chinese and Roman Catholic voters were polled.",
			[]string{"Han Zheng|person", "Roman Brodsky|person"}},
		{"According to Okonjo, the plan failed, and Tsvangaro, the opposition leader, agreed.",
			[]string{"Okonjo|person", "Tsvangaro|person"}},
		{"Dostrovsky was arrested after Queen Victoria left the Bolshoi Theatre.",
			[]string{"Dostrovsky|person", "Victoria|person", "Bolshoi Theatre|place"}},
		{"Barcelona beat Real Madrid before he played for Chelsea.",
			[]string{"Barcelona|org", "Real Madrid|org", "Chelsea|org"}},
		{"Under Peter I, the navy grew; when Catherine I died, Tsar Peter II ruled and Emperor Nicholas I of Russia followed.",
			[]string{"Peter I|person", "Catherine I|person", "Peter II|person", "Nicholas I|person", "Russia|place"}},
		{"I told Peter I was late.", []string{"Peter|person"}},
		{"Tarvenko, whose fighters held the pass, praised the talks in Velmora.", []string{"Tarvenko|person", "Velmora|place"}},
		{"Sheikh Mohammed bin Rashid Al Maktoum met Ban Ki-moon on the Moon.",
			[]string{"Mohammed bin Rashid Al Maktoum|person", "Ban Ki-moon|person"}},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range f.Find(tt.text) {
			if m.Type == TypePlace && m.Name == "Bush" {
				continue
			}
			got = append(got, tt.text[m.Start:m.End]+"|"+m.Type)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Find(%q) = %q; want %q", tt.text, got, tt.want)
		}
	}
}

// TestArticleNotInName checks that a capitalised article is part of the
// span but not of the name.
func TestArticleNotInName(t *testing.T) {
	f, err := NewEntityFinder()
	if err != nil {
		t.Fatal(err)
	}
	ms := f.Find("Her pay now comes from The Mozilla Foundation.")
	if len(ms) != 1 || ms[0].Name != "Mozilla Foundation" {
		t.Errorf("Find = %+v; want one mention named Mozilla Foundation", ms)
	}
}

// TestTagOnDemand checks that the tagger runs only where the rules ask
// for a tag: a sentence of lower-case words stays untagged, and a word
// opening a sentence is tagged with its neighbours.
func TestTagOnDemand(t *testing.T) {
	e, err := newEnglish()
	if err != nil {
		t.Fatal(err)
	}
	text := "the quick brown fox jumps over the lazy dog and runs far away from the farm. Mensah visited the old mill yesterday with Kwame Boateng."
	ws, cs := e.find(text)
	for _, w := range ws {
		if w.start < strings.Index(text, "Mensah") && w.tagged {
			t.Errorf("%q in a lower-case sentence tagged %q, want it untagged", w.text, w.tag)
		}
	}
	var names []string
	for _, c := range cs {
		if c.typ != "" {
			names = append(names, surface(text, ws, c.i, c.j)+"|"+c.typ)
		}
	}
	if fmt.Sprint(names) != "[Mensah|person Kwame Boateng|person]" {
		t.Errorf("names %q; want Mensah and Kwame Boateng, people", names)
	}
	k := 0
	for ws[k].text != "Mensah" {
		k++
	}
	if !ws[k].tagged || ws[k].tag != "NNP" || !ws[k+1].tagged {
		t.Errorf("%q opening a sentence: tag %q (tagged %v), next word tagged %v; want NNP and both tagged", ws[k].text, ws[k].tag, ws[k].tagged, ws[k+1].tagged)
	}
	if got := e.tagAt(ws, len(ws)); got != "" {
		t.Errorf("tagAt past the end = %q, want empty", got)
	}
}

// TestOrgRules checks the organisation rules of the English pass, one
// case or more per rule, on invented names.
func TestOrgRules(t *testing.T) {
	f, err := NewEntityFinder()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		text string
		want []string // "span|type" of the mentions, in text order
	}{
		{"acronym defined in brackets",
			"The Northvale Water Supply Authority (NWSA) raised prices on Monday. Critics said NWSA had no plan.",
			[]string{"Northvale Water Supply Authority|org", "NWSA|org", "NWSA|org"}},
		{"long acronym defined, then before a title",
			`The Greater Ashcombe Tenants Action Center (GATENAC) sued the city; "we will win," said Rosa Kemp, GATENAC Executive Director.`,
			[]string{"Greater Ashcombe Tenants Action Center|org", "GATENAC|org", "Rosa Kemp|person", "GATENAC|org"}},
		{"legal forms close a name",
			"ORLAN TEXTILES PVT. LTD. signed with Kestrel Co. Ltd. and Vesta Foods S.A. in Adelaide.",
			[]string{"ORLAN TEXTILES PVT. LTD.|org", "Kestrel Co. Ltd.|org", "Vesta Foods S.A.|org", "Adelaide|place"}},
		{"ordinary words after a closing word",
			"Please sign the Halvorsen Corporation Guaranty by Friday.",
			[]string{"Halvorsen Corporation|org"}},
		{"organisation before a title",
			"FBI Director Carl Mendes spoke to Microsoft Managing Director Jo Pell.",
			[]string{"FBI|org", "Carl Mendes|person", "Microsoft|org", "Jo Pell|person"}},
		{"administration named after its head",
			"The Hartwell Administration cut taxes, unlike the Veterans Administration.",
			[]string{"Hartwell|person", "Veterans Administration|org"}},
		{"kind of organisation before an ordinary word",
			"The deal was signed by the mapping company Compass.",
			[]string{"Compass|org"}},
		{"objects of a takeover",
			"Last year Google acquired Zentrio, Pablix and Quorra.",
			[]string{"Google|org", "Zentrio|org", "Pablix|org", "Quorra|org"}},
		{"examples of a kind of organisation",
			"Chocolate companies like Ferrandi Berger and Koenig compete with banks such as Merrow.",
			[]string{"Ferrandi Berger|org", "Koenig|org", "Merrow|org"}},
		{"a stake in a company",
			"The fund bought a stake in Tarvola last week.",
			[]string{"Tarvola|org"}},
		{"apposition with one of the companies",
			"She met Vendrill, one of the companies hoping to fly tourists.",
			[]string{"Vendrill|org"}},
		{"group names with an article",
			"Rebels of al-Nusra attacked, the cleric Aziz al-Rawi said, and al-Rawi said more.",
			[]string{"al-Nusra|org", "Aziz al-Rawi|person", "al-Rawi|person"}},
		{"a name that owns with its",
			"On Monday Tarvola shut its plant near Adelaide.",
			[]string{"Tarvola|org", "Adelaide|place"}},
		{"a list joined by a slash",
			"He worked for Google / Vendrill for years.",
			[]string{"Google|org", "Vendrill|org"}},
		{"camel case opening a sentence",
			"NetVox released a router. McKinlay said it was slow.",
			[]string{"NetVox|org", "McKinlay|person"}},
		{"a newspaper named after its place",
			"Harlow told the Toronto Star and the Kansas City Star that Toronto would win; the North Star shone.",
			[]string{"Harlow|person", "Toronto Star|org", "Kansas City Star|org", "Toronto|place"}},
		{"an endowment and a forum",
			"Analysts at the Carnegie Endowment for International Peace spoke at the World Economic Forum.",
			[]string{"Carnegie Endowment for International Peace|org", "World Economic Forum|org"}},
		{"trade words after a name",
			"Calls now go to Hallam Motorsports and Ashby Horse Transport, not to Public Transport.",
			[]string{"Hallam Motorsports|org", "Ashby Horse Transport|org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range f.Find(tt.text) {
				got = append(got, tt.text[m.Start:m.End]+"|"+m.Type)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Find(%q) = %q; want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestLegalForm(t *testing.T) {
	for _, tt := range []struct {
		w    string
		want bool
	}{
		{"Inc.", true}, {"LTD", true}, {"Pvt.", true}, {"GmbH", true}, {"S.A.", true}, {"AG", true},
		{"SA", false}, {"NV", false}, {"Spa", false}, {"Limited", false}, {"inc", false}, {"", false},
	} {
		if got := legalForm(tt.w); got != tt.want {
			t.Errorf("legalForm(%q) = %v; want %v", tt.w, got, tt.want)
		}
	}
}

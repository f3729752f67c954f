package bot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/qingchuan/xfbot/bot"
)

func trend(n int) bot.Chart {
	ch := bot.Chart{Title: "近12个月", Kind: "line"}
	in, out := bot.Series{Name: "新增"}, bot.Series{Name: "化解"}
	for i := 0; i < n; i++ {
		ch.Categories = append(ch.Categories, fmt.Sprintf("2026-%02d", i+1))
		in.Values = append(in.Values, float64(i))
		out.Values = append(out.Values, float64(2*i))
	}
	ch.Series = []bot.Series{in, out}
	return ch
}

// TestCardCharts renders KPI rows and charts as card JSON 2.0: the chart
// component with a VChart spec, at most five, and the same figures as text.
func TestCardCharts(t *testing.T) {
	c := bot.Card{Title: "月度统计", KPIs: []bot.Field{{Label: "存量", Value: "12"}, {Label: "增量", Value: "3"},
		{Label: "化解率", Value: "40.0%"}, {Label: "按期办结率", Value: "—"}}}
	for i := 0; i < 7; i++ {
		c.Charts = append(c.Charts, trend(12))
	}
	c.Charts[1].Kind = "bar"
	js, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var card struct {
		Body struct {
			Elements []map[string]any `json:"elements"`
		} `json:"body"`
	}
	if err := json.Unmarshal([]byte(js), &card); err != nil {
		t.Fatal(err)
	}
	var charts, kpis int
	for _, el := range card.Body.Elements {
		switch el["tag"] {
		case "chart":
			charts++
			spec := el["chart_spec"].(map[string]any)
			if vals := spec["data"].(map[string]any)["values"].([]any); len(vals) != 24 {
				t.Errorf("chart has %d values, want 12 months × 2 series", len(vals))
			}
			if spec["yField"] != "y" || spec["seriesField"] != "s" {
				t.Errorf("spec fields: %v", spec)
			}
		case "column_set":
			if el["flex_mode"] == "trisect" {
				kpis++
			}
		}
	}
	if charts != bot.MaxCharts || kpis != 2 {
		t.Errorf("%d charts (want %d), %d KPI rows (want 2)", charts, bot.MaxCharts, kpis)
	}
	if !strings.Contains(js, `"xField":["x","s"]`) {
		t.Errorf("the bar chart is not grouped: %s", js)
	}
	text := c.Text()
	for _, want := range []string{"化解率：40.0%", "〔近12个月〕", "新增：2026-01 0，2026-02 1", "化解：2026-01 0，2026-02 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

// TestCardTooBigDropsChartsFirst: a card over 30 KB loses its charts before
// any text.
func TestCardTooBigDropsChartsFirst(t *testing.T) {
	c := bot.Card{Title: "大", Sections: []string{strings.Repeat("案", 3000)}}
	for i := 0; i < 5; i++ {
		c.Charts = append(c.Charts, trend(400))
	}
	js, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if len(js) > bot.MaxCardBytes {
		t.Fatalf("card is %d bytes", len(js))
	}
	if !strings.Contains(js, strings.Repeat("案", 3000)) {
		t.Error("the text was cut while charts could go")
	}
	if n := strings.Count(js, `"tag":"chart"`); n >= 5 {
		t.Errorf("%d charts kept", n)
	}
}

package bot

import (
	"fmt"
	"strings"
)

// MaxCharts is Feishu's limit of chart components in one card.
const MaxCharts = 5

// Chart is a card JSON 2.0 chart component (a VChart spec): bars or a line
// over categories, one series per name.
type Chart struct {
	Title  string
	Kind   string // "bar" (grouped) or "line"
	Aspect string // "16:9" (default), "2:1", "4:3", "1:1"
	// Categories are the x values in order; Series the named y values, each
	// as long as Categories.
	Categories []string
	Series     []Series
}

// Series is one named row of values of a chart.
type Series struct {
	Name   string
	Values []float64
}

type chartJSON struct {
	Tag        string        `json:"tag"`
	ElementID  string        `json:"element_id"`
	Aspect     string        `json:"aspect_ratio"`
	ColorTheme string        `json:"color_theme"`
	Spec       chartSpecJSON `json:"chart_spec"`
}

type chartSpecJSON struct {
	Type        string          `json:"type"`
	Title       chartTitleJSON  `json:"title"`
	Data        chartDataJSON   `json:"data"`
	XField      any             `json:"xField"`
	YField      string          `json:"yField"`
	SeriesField string          `json:"seriesField"`
	Legends     chartLegendJSON `json:"legends"`
	Label       chartFlagJSON   `json:"label"`
	Point       *chartFlagJSON  `json:"point,omitempty"`
}

type (
	chartTitleJSON struct {
		Text string `json:"text"`
	}
	chartDataJSON struct {
		Values []chartValueJSON `json:"values"`
	}
	chartValueJSON struct {
		X string  `json:"x"`
		S string  `json:"s"`
		Y float64 `json:"y"`
	}
	chartLegendJSON struct {
		Visible bool   `json:"visible"`
		Orient  string `json:"orient"`
	}
	chartFlagJSON struct {
		Visible bool `json:"visible"`
	}
)

func (ch Chart) tree(i int) chartJSON {
	spec := chartSpecJSON{Type: orDefault(ch.Kind, "bar"), Title: chartTitleJSON{Text: ch.Title},
		YField: "y", SeriesField: "s", Legends: chartLegendJSON{Visible: len(ch.Series) > 1, Orient: "bottom"}}
	for _, s := range ch.Series {
		for j, x := range ch.Categories {
			if j < len(s.Values) {
				spec.Data.Values = append(spec.Data.Values, chartValueJSON{X: x, S: s.Name, Y: s.Values[j]})
			}
		}
	}
	if spec.Type == "bar" {
		spec.XField = []string{"x", "s"} // grouped bars
		spec.Label.Visible = len(ch.Categories) <= 12
	} else {
		spec.XField = "x"
		spec.Point = &chartFlagJSON{Visible: true}
	}
	return chartJSON{Tag: "chart", ElementID: fmt.Sprintf("chart_%d", i), Aspect: orDefault(ch.Aspect, "16:9"),
		ColorTheme: "brand", Spec: spec}
}

// Text is the chart as a small table, for the console and the text fallback.
func (ch Chart) Text() string {
	var b strings.Builder
	b.WriteString("〔" + ch.Title + "〕")
	for _, s := range ch.Series {
		b.WriteString("\n" + s.Name + "：")
		for j, x := range ch.Categories {
			if j < len(s.Values) {
				if j > 0 {
					b.WriteString("，")
				}
				fmt.Fprintf(&b, "%s %s", x, trimFloat(s.Values[j]))
			}
		}
	}
	return b.String()
}

func trimFloat(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}

// kpiRow shows up to three figures large and centred.
func kpiRow(ks []Field) columnSetJSON {
	cols := make([]columnJSON, 0, 3)
	for _, k := range ks {
		cols = append(cols, columnJSON{Tag: "column", Width: "weighted", Weight: 1, Elements: []any{
			kpiJSON{Tag: "markdown", Content: "**" + escapeMD(k.Label) + "**\n" + escapeMD(orDefault(k.Value, "—")), TextAlign: "center"},
		}})
	}
	for len(cols) < 3 {
		cols = append(cols, columnJSON{Tag: "column", Width: "weighted", Weight: 1, Elements: []any{}})
	}
	return columnSetJSON{Tag: "column_set", FlexMode: "trisect", Columns: cols}
}

type kpiJSON struct {
	Tag       string `json:"tag"`
	Content   string `json:"content"`
	TextAlign string `json:"text_align"`
}

// 虚构数据：本文件中的人名、电话、地名均为虚构（petition-domain §5）。
package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkImport10k: a generated sheet of 10,000 rows read, previewed
// (matched against the ledger) and applied (200 rows per Commit, each row
// through CreateCase, AddProgress and AddChanges with its index keys, the
// search index and SamePetitioner), against miniredis or, with
// XFBOT_TEST_REDIS_ADDR, the real Redis. The issue asks for under a minute.
func BenchmarkImport10k(b *testing.B) {
	var rows [][]any
	areas := []string{"云溪街道", "桂园街道", "新港街道", "石桥镇", "白沙镇"}
	for i := 1; i <= 10000; i++ {
		rows = append(rows, []any{fmt.Sprintf("QC-%05d", i), fmt.Sprintf("张某%d", i), fmt.Sprintf("1990000%04d", i%10000), "",
			fmt.Sprintf("虚构事项第%d号", i), areas[i%len(areas)], "区住建局", "", "", 45900 + i%150, "", "已约谈，情绪平稳", []string{"否", "是"}[i%7/6], ""})
	}
	data := ledger(b, header, rows...)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		im := newImporter(b)
		im.now = time.Date(2026, 3, 16, 9, 0, 0, 0, loc)
		b.StartTimer()
		start := time.Now()
		plan, text := im.preview(member, "万行台账.xlsx", data)
		previewed := time.Since(start)
		if !strings.Contains(text, "新建 10000 件") {
			b.Fatalf("preview: %.300s", text)
		}
		_, msgs := im.confirm(member, plan)
		if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1].Text, "新建 10000 件") {
			b.Fatalf("apply: %+v", msgs)
		}
		b.ReportMetric(previewed.Seconds(), "preview-s")
		b.ReportMetric(time.Since(start).Seconds(), "total-s")
		if cs := im.cases(); len(cs) != 10000 {
			b.Fatalf("%d cases", len(cs))
		}
		_ = context.Background()
	}
}

package store_test

import (
	"context"
	"testing"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

func numbersOf(cs []*xfbot.Case) []xfbot.CaseNo {
	var out []xfbot.CaseNo
	for _, c := range cs {
		out = append(out, c.No)
	}
	return out
}

// A case in two indexes of one group (a town that is both the 主责单位 and
// the 属地 of a case in its liaison's scope) keeps its due day in the
// union: the group's union of the liaison's scope must not add the scores,
// or an overdue case scores past every range and drops out of 逾期.
func TestUnionKeepsDueDay(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	both := newCase("镇里的案件", today.AddDays(-5))
	both.Unit, both.Area = "青峰镇", "青峰镇"
	other := newCase("别处的案件", today.AddDays(-3))
	other.Unit, other.Area = "区住建局", "青峰镇"
	later := newCase("未到期", today.AddDays(10))
	later.Unit, later.Area = "青峰镇", "云溪街道"
	nb, no, nl := create(t, st, both), create(t, st, other), create(t, st, later)
	scope := []store.Cond{{Field: store.FieldUnit, Values: []string{"青峰镇"}}, {Field: store.FieldArea, Values: []string{"青峰镇"}}}
	cs, total, err := st.List(ctx, store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1), Limit: 10, Where: [][]store.Cond{scope}})
	if err != nil || total != 2 || len(cs) != 2 || cs[0].No != nb || cs[1].No != no {
		t.Errorf("overdue in the scope: %v (%d), %v; want %s, %s", numbersOf(cs), total, err, nb, no)
	}
	cs, total, _ = st.List(ctx, store.Query{Index: store.IndexOpen(), Limit: 10, Where: [][]store.Cond{scope}})
	if total != 3 || len(cs) != 3 || cs[0].No != nb || cs[2].No != nl {
		t.Errorf("the scope by due day: %v (%d)", numbersOf(cs), total)
	}
}

package demo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/demo"
)

// TestCases checks the synthetic petitioners: every ID number passes the
// check that 新建 … 身份证: applies (birth date and GB 11643 check character)
// yet carries the non-existent region 990000, and every phone is in the
// 1990000xxxx block, so the demo never makes a real person's number.
func TestCases(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	today := xfbot.Date{Year: 2026, Month: 3, Day: 16}
	calc := func(c *xfbot.Case) xfbot.Date { return c.AcceptedOn.AddDays(xfbot.StatutoryDays) }
	for _, seed := range []uint64{1, 42, 20260316} {
		cs := demo.Cases(120, today, loc, seed, calc)
		if len(cs) != 120 {
			t.Fatalf("seed %d: %d cases, want 120", seed, len(cs))
		}
		checks := map[byte]bool{}
		for i, c := range cs {
			p := c.Case.Petitioner
			id, err := xfbot.ParseIDCard(p.IDCard)
			if err != nil {
				t.Errorf("seed %d case %d: ID %s refused: %v", seed, i, p.IDCard, err)
				continue
			}
			if id != p.IDCard || !strings.HasPrefix(id, "990000") || len(id) != 18 {
				t.Errorf("seed %d case %d: ID %s, want 18 characters from region 990000", seed, i, p.IDCard)
			}
			checks[id[17]] = true
			if !strings.HasPrefix(p.Phone, "1990000") || len(p.Phone) != 11 {
				t.Errorf("seed %d case %d: phone %s, want the 1990000xxxx block", seed, i, p.Phone)
			}
		}
		// A fixed last character would be the old wrong check digit.
		if len(checks) < 3 {
			t.Errorf("seed %d: check characters %v: computed ones vary", seed, checks)
		}
	}
	t.Run("Deterministic", func(t *testing.T) {
		a, b := demo.Cases(20, today, loc, 7, calc), demo.Cases(20, today, loc, 7, calc)
		for i := range a {
			if a[i].Case.Petitioner != b[i].Case.Petitioner || a[i].Case.Title != b[i].Case.Title {
				t.Fatalf("case %d differs between two runs with one seed", i)
			}
		}
	})
}

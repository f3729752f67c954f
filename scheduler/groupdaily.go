package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/store"
)

// GroupDaily is the task-force group's daily notice (schedule.group_daily):
// the cases that became overdue since the last notice, and the overdue count
// by unit. It names cases by number and title only: nothing personal reaches
// the group. Each case is announced once (its ledger field is written with
// the message); on non-working days nothing is sent and the next working
// day's notice catches up.
type GroupDaily struct {
	Store       *store.Store
	Calendar    *xfbot.Calendar
	Thresholds  xfbot.Thresholds
	GroupChatID string
	Location    *time.Location
	Logger      *slog.Logger
}

// Run sends the notice as of now.
func (g *GroupDaily) Run(ctx context.Context, now time.Time) error {
	if g.GroupChatID == "" {
		return nil
	}
	loc := g.Location
	if loc == nil {
		loc = time.UTC
	}
	today := xfbot.DateOf(now, loc)
	if !g.Calendar.IsWorkday(today) {
		return nil
	}
	th := g.Thresholds.OrDefault()
	nos, err := g.Store.Range(ctx, store.Query{Index: store.IndexOpen(), DueTo: today.AddDays(-1)})
	if err != nil {
		return err
	}
	var overdue []*xfbot.Case
	for i := 0; i < len(nos); i += page {
		cs, err := g.Store.Cases(ctx, nos[i:min(i+page, len(nos))])
		if err != nil {
			return err
		}
		overdue = append(overdue, cs...)
	}
	for attempt := 1; ; attempt++ {
		nos := make([]xfbot.CaseNo, len(overdue))
		for i, c := range overdue {
			nos[i] = c.No
		}
		ledgers, err := g.Store.Ledgers(ctx, nos)
		if err != nil {
			return err
		}
		var fresh []*xfbot.Case
		byUnit := map[string][2]int{} // red, black
		tx := g.Store.NewTx()
		for _, c := range overdue {
			u := c.Unit
			if u == "" {
				u = "（未定主责单位）"
			}
			n := byUnit[u]
			if th.Level(c.Due, today) == xfbot.LevelBlack {
				n[1]++
			} else {
				n[0]++
			}
			byUnit[u] = n
			field := "grp:overdue:" + c.Due.String()
			if _, done := ledgers[c.No][field]; !done {
				fresh = append(fresh, c)
				tx.MarkSent(c.No, field, today.String())
			}
		}
		if len(fresh) == 0 {
			return nil // nothing new: no message
		}
		v := bot.View{Audience: xfbot.GroupAudience, ChatID: g.GroupChatID, Today: today, Thresholds: th, Loc: loc}
		card := &bot.Card{Title: fmt.Sprintf("超期通报 · %s", today), Color: "red",
			Subtitle: fmt.Sprintf("新增超期 %d 件，在办超期共 %d 件", len(fresh), len(overdue))}
		var lines []string
		for _, c := range fresh {
			lines = append(lines, bot.Escape(bot.CaseLine(c, v)))
		}
		card.Sections = append(card.Sections, "**新增超期**\n"+strings.Join(lines, "\n"))
		units := make([]string, 0, len(byUnit))
		for u := range byUnit {
			units = append(units, u)
		}
		sort.Slice(units, func(i, j int) bool {
			a, b := byUnit[units[i]], byUnit[units[j]]
			if a[0]+a[1] != b[0]+b[1] {
				return a[0]+a[1] > b[0]+b[1]
			}
			return units[i] < units[j]
		})
		var rows []string
		for _, u := range units {
			n := byUnit[u]
			row := fmt.Sprintf("%s 🔴%d", u, n[0])
			if n[1] > 0 {
				row += fmt.Sprintf(" ⚫%d", n[1])
			}
			rows = append(rows, bot.Escape(row))
		}
		card.Sections = append(card.Sections, "**按主责单位**\n"+strings.Join(rows, "\n"))
		_, card = bot.ForGroup("", card)
		js, err := card.JSON()
		if err != nil {
			return err
		}
		tx.Enqueue(store.OutboundMessage{ID: uuidOf("grp:" + today.String() + ":" + fmt.Sprint(len(fresh)) + ":" + string(fresh[0].No)),
			Kind: store.KindSend, ReceiveIDType: "chat_id", ReceiveID: g.GroupChatID, ChatID: g.GroupChatID,
			MsgType: "interactive", Content: js, Text: card.Text(), EnqueuedAt: now})
		_, err = g.Store.Commit(ctx, tx)
		if err == nil || !errors.Is(err, store.ErrAlreadySent) || attempt == commitRetries {
			return err
		}
	}
}

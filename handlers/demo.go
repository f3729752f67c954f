package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
	"github.com/qingchuan/xfbot/demo"
	"github.com/qingchuan/xfbot/store"
)

// demoCases is the size of the demo ledger (petition-domain §5: about 120).
const demoCases = 120

// demo loads the synthetic data set into the console's ledger. It writes
// through the store directly, one case per commit, because one command makes
// many cases; it refuses outside the console and when already loaded.
func (h *Handlers) demo(ctx context.Context, req *bot.Request) (*bot.Reply, error) {
	if !h.Demo {
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "演示数据只能在本地控制台载入，不能写进正式台账。")
	}
	people := demo.People()
	if m, err := h.member(ctx, people[0].Member.OpenID); err != nil {
		return nil, err
	} else if m != nil {
		return nil, xfbot.Errorf(xfbot.EINVALID, "演示数据已经载入过了。发送“列表”查看。")
	}
	tx := h.Store.NewTx()
	for _, p := range people {
		tx.PutMember(p.Member)
	}
	if _, err := h.Store.Commit(ctx, tx); err != nil {
		return nil, err
	}
	today := req.Today()
	cases := demo.Cases(demoCases, today, req.Loc, uint64(req.Time.Unix()), func(c *xfbot.Case) xfbot.Date { return c.DueAsOf(h.Calendar, today) })
	for _, dc := range cases {
		c := dc.Case
		tx := h.Store.NewTx()
		tx.CreateCase(&c, c.CreatedAt.In(req.Loc).Year())
		for _, p := range dc.Progress {
			tx.AddProgress(c.No, p)
		}
		if _, err := h.Store.Commit(ctx, tx); err != nil && !errors.Is(err, store.ErrDuplicate) {
			return nil, err
		}
	}
	msg := fmt.Sprintf("✅ 已载入虚构演示数据：%d 名成员（领导 6 人、专班成员 9 人、各单位联络员），%d 件案件，覆盖各类别与各预警等级。\n"+
		"试试：列表 逾期、列表 临期、列表 单位:区住建局、查看 <案件号>；用 :user 周某 切换到领导身份，:group 切换到群聊看脱敏效果。", len(people), len(cases))
	return &bot.Reply{Text: msg}, nil
}

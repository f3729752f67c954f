package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingchuan/xfbot"
)

// 撤销 reverses the sender's own last write on a case within ten minutes:
// the case, its timeline and its figures are as before; 历史 keeps both.
func TestUndo(t *testing.T) {
	h := newHarness(t)
	no := h.newCase("回迁房延期交付 单位:区住建局 属地:云溪街道 信访人:张建国")
	h.reply(admin, "指派 "+string(no)+" @赵建", msg{mentions: []xfbot.Person{member}})
	before := h.load(no)
	stats := func() map[string]string {
		m, err := h.rdb.HGetAll(context.Background(), "{"+h.prefix+"}:v1:stat:m:2026-03").Result()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	figures := stats()

	wantIn(t, h.reply(member, "化解 "+string(no)+" 已签订息诉罢访协议"), "已化解")
	if h.load(no).Status != xfbot.StatusResolved {
		t.Fatal("not resolved")
	}
	h.now = h.now.Add(3 * time.Minute)
	r := h.reply(member, "撤销")
	wantIn(t, r, "已撤销 09:00 的“化解”，案件恢复到此前的状态", "已发出的通知不会撤回")
	after := h.load(no)
	if after.Status != before.Status || after.Owner != before.Owner || after.Version != before.Version+2 {
		t.Errorf("after undo: %s %v v%d; want %s %v v%d", after.Status, after.Owner, after.Version, before.Status, before.Owner, before.Version+2)
	}
	if got := stats(); !sameCounts(got, figures) {
		t.Errorf("figures after undo %v, want %v", got, figures)
	}
	wantIn(t, h.reply(member, "历史 "+string(no)), "化解", "撤销")
	// Once only: the undo itself is not undone.
	wantIn(t, h.reply(member, "撤销"), "没有可以撤销的操作")

	// A progress entry: the entry goes too.
	h.reply(member, "进展 "+string(no)+" 已与开发商约谈")
	wantIn(t, h.reply(member, "撤销"), "“进展”", "删去 1 条记录")
	l, _ := h.st.Load(context.Background(), "", no)
	for _, p := range l.Recent {
		if p.Text == "已与开发商约谈" {
			t.Errorf("the undone entry is still on the timeline")
		}
	}

	// Someone else wrote since: refused.
	h.reply(member, "进展 "+string(no)+" 第二次约谈")
	h.reply(member2, "进展 "+string(no)+" 钱秀兰补充")
	wantIn(t, h.reply(member, "撤销"), "又有了新的修改，不能再撤销")
	// Too late: after ten minutes the note is gone.
	h.reply(member2, "甄别 "+string(no)+" 合理")
	h.rdb.Del(context.Background(), "{"+h.prefix+"}:v1:undo:"+member2.OpenID) // as its TTL does after 10 minutes
	wantIn(t, h.reply(member2, "撤销"), "没有可以撤销的操作")
	// 销号 and 重开 are not undoable.
	h.reply(admin, "重开 "+string(no)+" 测试")
	wantNotIn(t, h.reply(admin, "撤销"), "已撤销")
	wantIn(t, h.reply(viewer, "撤销"), "观察员")
}

func sameCounts(a, b map[string]string) bool {
	for k, v := range a {
		if v != b[k] && !(v == "0" && b[k] == "") {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

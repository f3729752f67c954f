package handlers_test

import "testing"

// TestSwitchAndCityAlone: in a deployment of one district, with no city
// view, 切换 says there is nothing to switch and 全市 is refused.
func TestSwitchAndCityAlone(t *testing.T) {
	h := newHarness(t)
	wantIn(t, h.reply(member, "切换 河口区"), "只服务一个区")
	wantIn(t, h.reply(member, "switch"), "只服务一个区")
	wantIn(t, h.reply(member, "全市 统计"), "只向市级用户开放", "统计")
	wantIn(t, h.reply(member, "city monthly"), "只向市级用户开放")
}

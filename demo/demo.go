// Package demo makes the synthetic data set of petition-domain.md §5: a
// fictional district (青川区), its units, leaders, task-force members and
// about a hundred and twenty cases spread over every category and warning
// level. 虚构数据: no real person, ID number or phone number appears. ID
// numbers use the non-existent region code 990000 (so no real person's
// number is made) with a real birth date and the GB 11643 check character,
// so that they pass xfbot.ParseIDCard as a typed number must; phone numbers
// the 1990000xxxx block.
//
// The console's 演示数据 loads it; benchmarks use it to fill large ledgers.
package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
)

// Units and areas of the fictional district.
var (
	Areas = []string{"云溪街道", "桂园街道", "新港街道", "石桥镇", "白沙镇", "柳湾镇", "河口街道", "青峰镇"}
	Units = []string{"区住建局", "区人社局", "区自然资源局", "区城管局", "区教育局", "区卫健委", "区农业农村局",
		"市生态环境局青川分局", "区国资办", "区房管中心", "区司法局"}
)

// Person is a demo user with a role.
type Person struct {
	Member xfbot.Member
	Title  string // 职务, for leaders
}

// People returns the demo leaders, the lead, nine inspectors and one liaison
// per unit. Open ids are stable ("ou_demo_…") so the console can switch to them.
func People() []Person {
	var ps []Person
	add := func(id, name string, role xfbot.Role, unit, title string) {
		ps = append(ps, Person{Member: xfbot.Member{OpenID: "ou_demo_" + id, Name: name, Role: role, Unit: unit}, Title: title})
	}
	add("lead", "陈某", xfbot.RoleAdmin, "", "专班负责人")
	for i, l := range []struct{ id, name, title string }{
		{"zhou", "周某", "区委副书记"}, {"wu", "吴某", "常务副区长"}, {"zheng", "郑某", "副区长"},
		{"wang", "王某", "副区长"}, {"feng", "冯某", "区委常委"}, {"chu", "褚某", "副区长"},
	} {
		_ = i
		add(l.id, l.name, xfbot.RoleLeader, "", l.title)
	}
	for i, n := range []string{"赵建", "钱秀兰", "孙文海", "李春", "刘玉梅", "何志明", "吕桂英", "施海", "张明"} {
		add(fmt.Sprintf("m%d", i+1), n, xfbot.RoleMember, "", "信访督查专员")
	}
	for i, u := range Units {
		add(fmt.Sprintf("liaison%d", i+1), "联络员"+u, xfbot.RoleLiaison, u, "单位联络员")
	}
	add("viewer", "观察员甲", xfbot.RoleViewer, "", "观察员")
	return ps
}

var templates = []struct {
	cat    xfbot.Category
	weight int
	titles []string
	units  []string
}{
	{"land_demolition", 20, []string{"回迁安置房延期交付", "拆迁补偿标准低于邻村", "宅基地面积认定争议"}, []string{"区自然资源局", "区房管中心"}},
	{"labor_social", 20, []string{"工地欠薪", "工伤认定争议", "社保断缴补缴", "退休待遇核定"}, []string{"区人社局"}},
	{"urban_mgmt", 15, []string{"违建久拖未拆", "小区噪声扰民", "物业维修基金使用"}, []string{"区城管局", "区住建局"}},
	{"housing", 10, []string{"公租房资格被取消", "保障房分配排序", "房屋漏水返修"}, []string{"区房管中心", "区住建局"}},
	{"rural_agri", 10, []string{"土地承包经营权纠纷", "村集体收益分配", "村务公开"}, []string{"区农业农村局"}},
	{"law_litigation", 8, []string{"不服民事判决", "执行不到位"}, []string{"区司法局"}},
	{"enterprise_restructure", 7, []string{"改制职工身份置换补偿", "工龄认定", "医保接续"}, []string{"区国资办", "区人社局"}},
	{"edu_medical", 5, []string{"入学划片", "医疗纠纷赔偿", "民办学校退费"}, []string{"区教育局", "区卫健委"}},
	{"environment", 5, []string{"养殖场异味", "工厂夜间噪声", "河道污染"}, []string{"市生态环境局青川分局"}},
}

var (
	surnames   = []rune("张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高")
	givenChars = []rune("建秀文海春兰志玉桂明华英国平芳军红梅")
	progressT  = []string{
		"会同%s约谈相关方，明确下一步办理时限。",
		"上门走访，信访人情绪平稳，同意等待评估结果。",
		"召开协调会，%s提出解决方案，已向信访人解释政策。",
		"已申请临时救助2000元，帮扶措施落实到位。",
		"督查发现属地联系人未明确，限5个工作日整改。",
	}
)

// Case is a generated case with its timeline.
type Case struct {
	Case     xfbot.Case
	Progress []xfbot.Progress
}

// Cases generates n cases registered before today, deterministic for a seed.
// Deadlines follow §5: about 55 % green, 15 % yellow, 10 % orange, 15 % red,
// 5 % black, plus a few extended, resolved and closed cases. calc computes a
// case's due date from its fields (the handlers' rule).
func Cases(n int, today xfbot.Date, loc *time.Location, seed uint64, calc func(*xfbot.Case) xfbot.Date) []Case {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	people := People()
	var members, leaders []xfbot.Member
	for _, p := range people {
		switch p.Member.Role {
		case xfbot.RoleMember:
			members = append(members, p.Member)
		case xfbot.RoleLeader:
			leaders = append(leaders, p.Member)
		}
	}
	total := 0
	for _, t := range templates {
		total += t.weight
	}
	out := make([]Case, 0, n)
	for i := 0; i < n; i++ {
		w := r.IntN(total)
		t := templates[0]
		for _, x := range templates {
			if w < x.weight {
				t = x
				break
			}
			w -= x.weight
		}
		// Days left on the statutory deadline, drawn to cover every level.
		var left int
		switch p := r.IntN(100); {
		case p < 55:
			left = 8 + r.IntN(50)
		case p < 70:
			left = 4 + r.IntN(4)
		case p < 80:
			left = r.IntN(4)
		case p < 95:
			left = -1 - r.IntN(30)
		default:
			left = -31 - r.IntN(60)
		}
		accepted := today.AddDays(left - xfbot.StatutoryDays)
		name := string(surnames[r.IntN(len(surnames))]) + string(givenChars[r.IntN(len(givenChars))])
		if r.IntN(2) == 0 {
			name += string(givenChars[r.IntN(len(givenChars))])
		}
		area := Areas[r.IntN(len(Areas))]
		created := accepted.Time(loc).Add(time.Duration(9+r.IntN(8))*time.Hour + time.Duration(r.IntN(60))*time.Minute)
		m := members[r.IntN(len(members))]
		c := xfbot.Case{
			Title:      strings.TrimSuffix(area, "街道") + t.titles[r.IntN(len(t.titles))],
			Category:   t.cat,
			Unit:       t.units[r.IntN(len(t.units))],
			Area:       area,
			Petitioner: xfbot.Petitioner{Name: name, Phone: fmt.Sprintf("1990000%04d", r.IntN(10000)), IDCard: idCard(fmt.Sprintf("990000%04d%02d%02d%03d", 1950+r.IntN(50), 1+r.IntN(12), 1+r.IntN(28), r.IntN(1000)))},
			Accusation: r.IntN(10) == 0,
			Status:     xfbot.StatusHandling,
			AcceptedOn: accepted,
			CreatedBy:  m.Person(),
			CreatedAt:  created,
			UpdatedAt:  created,
		}
		if r.IntN(10) < 8 {
			c.Owner = m.Person()
		}
		if r.IntN(10) < 4 {
			c.Leader = leaders[r.IntN(len(leaders))].Person()
		}
		switch p := r.IntN(100); {
		case p < 30:
			c.Screening = xfbot.ScreenReasonable
		case p < 65:
			c.Screening = xfbot.ScreenPartly
		case p < 85:
			c.Screening = xfbot.ScreenUnreasonable
		default:
			c.Screening = xfbot.ScreenExcessive
		}
		c.Hardship = r.IntN(5) == 0
		switch i % 40 {
		case 7:
			c.ExtensionDays, c.ExtensionReason = 20, "需第三方评估，负责人已批准并告知信访人"
		case 11, 23:
			c.Status, c.Result, c.ResolvedOn = xfbot.StatusResolved, "已签订息诉罢访协议，补偿款已到位", today.AddDays(-r.IntN(10))
		case 17:
			c.Status, c.Result, c.ResolvedOn, c.ClosedOn = xfbot.StatusClosed, "问题已解决，回访满意", today.AddDays(-40), today.AddDays(-5)
		case 29:
			c.Status = xfbot.StatusMonitoring
		}
		c.Due = calc(&c)
		var progs []xfbot.Progress
		for j, k := 0, r.IntN(5); j < k; j++ {
			at := created.Add(time.Duration(j+1) * 72 * time.Hour)
			if !at.Before(today.Time(loc)) {
				break
			}
			text := progressT[r.IntN(len(progressT))]
			if strings.Contains(text, "%s") {
				text = fmt.Sprintf(text, c.Unit)
			}
			kind := xfbot.KindProgress
			if r.IntN(3) == 0 {
				kind = xfbot.KindVisit
				c.LastContactAt = at
			}
			progs = append(progs, xfbot.Progress{At: at, Author: m.Person(), Kind: kind, Text: text})
			c.LastProgressAt = at
			c.UpdatedAt = at
		}
		c.Progresses = len(progs)
		out = append(out, Case{Case: c, Progress: progs})
	}
	return out
}

// idCard appends the GB 11643-1999 check character to the first 17
// characters of an ID number.
func idCard(first17 string) string {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

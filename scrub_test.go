package xfbot_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

var (
	he = &xfbot.Case{No: "XF-2026-0012", Unit: "区住建局", Area: "城关街道",
		Petitioner: xfbot.Petitioner{Name: "何春明", Phone: "13987654321", IDCard: "99000019650312001X"}}
	accused = &xfbot.Case{No: "XF-2026-0013", Unit: "区住建局", Area: "城关街道", Accusation: true,
		Petitioner: xfbot.Petitioner{Name: "何春明", Phone: "13987654321"}}

	group   = xfbot.GroupAudience
	viewerA = xfbot.Audience{Role: xfbot.RoleViewer}
	nobody  = xfbot.Audience{}
	liaiA   = xfbot.Audience{Role: xfbot.RoleLiaison, Unit: "区住建局"}
	adminA  = xfbot.Audience{Role: xfbot.RoleAdmin}
	memberA = xfbot.Audience{Role: xfbot.RoleMember}
	leadA   = xfbot.Audience{Role: xfbot.RoleLeader}
	fullA   = xfbot.Audience{Full: true}
)

func TestMaskText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		c    *xfbot.Case
		aud  xfbot.Audience
		want string
	}{
		// Mobiles, every way they are written.
		{"MobilePlain", "电话13812345678", nil, group, "电话138****5678"},
		{"MobileSpaces", "电话 138 1234 5678 已通知", nil, group, "电话 138****5678 已通知"},
		{"MobileDashes", "138-1234-5678", nil, group, "138****5678"},
		{"Mobile3_8", "138 12345678", nil, group, "138****5678"},
		{"MobilePlus86", "+86 138 1234 5678", nil, group, "138****5678"},
		{"MobilePlus86Joined", "手机+8613812345678。", nil, group, "手机138****5678。"},
		{"Mobile86NoPlus", "86-13812345678", nil, group, "138****5678"},
		{"MobileFullWidth", "电话：１３８１２３４５６７８", nil, group, "电话：138****5678"},
		{"MobileFullWidthPlus", "＋８６　１３８　１２３４　５６７８", nil, group, "138****5678"},
		{"MobileFullWidthDash", "１３８－１２３４－５６７８", nil, group, "138****5678"},
		{"MobileInParentheses", "已电话联系何春明（13987654321）", he, group, "已电话联系何某（139****4321）"},
		{"TwoMobiles", "13812345678、13987654321", nil, group, "138****5678、139****4321"},
		{"TwoMobilesSpaced", "138 1234 5678 139 8765 4321", nil, group, "138****5678 139****4321"},
		{"TwoElevenDigitRunsSpaced", "13812345678 13987654321", nil, group, "138****5678 139****4321"},
		{"DateThenMobile", "2026-03-16 138 1234 5678", nil, group, "2026-03-16 138****5678"},
		{"AmbiguousAreaCodeOrMobile", "0316 138 1234 5678", nil, group, "0316 138****5678"},
		{"MobileAfterCaseNo", "XF-2026-0012 13812345678", nil, group, "XF-2026-0012 138****5678"},
		// Landlines.
		{"LandlineDash", "座机0755-88881234", nil, group, "座机075****1234"},
		{"LandlineBeijing", "010-88881234", nil, group, "010****1234"},
		{"LandlineWhole", "075588881234", nil, group, "075****1234"},
		{"LandlineSpaces", "0755 8888 1234", nil, group, "075****1234"},
		{"LandlineParentheses", "(0755)88881234", nil, group, "075****1234"},
		{"LandlineFullWidthParentheses", "（0755）8888-1234转", nil, group, "075****1234转"},
		{"LandlineSevenDigits", "0755-8888123", nil, group, "075****8123"},
		{"LandlineKeptForStaff", "0755-88881234", nil, memberA, "0755-88881234"},
		// ID numbers.
		{"ID18", "身份证990000196503120011", nil, group, "身份证[身份证号]"},
		{"ID18X", "身份证号99000019650312001X。", nil, group, "身份证号[身份证号]。"},
		{"ID18LowerX", "99000019650312001x", nil, group, "[身份证号]"},
		{"ID18FullWidthX", "９９００００１９６５０３１２００１Ｘ", nil, group, "[身份证号]"},
		{"ID18Spaced684", "990000 19650312 001X", nil, group, "[身份证号]"},
		{"ID18Dashed", "990000-19650312-0011", nil, group, "[身份证号]"},
		{"ID18Quads", "9900 0019 6503 1200 11", nil, group, "[身份证号]"},
		{"ID15", "旧证990000650312001", nil, group, "旧证[身份证号]"},
		{"ID15Spaced", "990000 650312 001", nil, group, "[身份证号]"},
		{"IDLastFourForAdmin", "身份证990000 19650312 001x", nil, adminA, "身份证**************001X"},
		{"IDHiddenForLiaison", "990000196503120011", nil, liaiA, "[身份证号]"},
		// Near misses stay as written.
		{"CaseNumbers", "见XF-2026-0012、JF-2026-0003、LX-2026-0002", nil, group, "见XF-2026-0012、JF-2026-0003、LX-2026-0002"},
		{"Dates", "2026-12-01 至 20261201", nil, group, "2026-12-01 至 20261201"},
		{"AmountEightDigits", "补偿13812345元", nil, group, "补偿13812345元"},
		{"AmountTenDigits", "合计1381234567元", nil, group, "合计1381234567元"},
		{"Postcode", "邮编518000", nil, group, "邮编518000"},
		{"TwelveDigitSerial", "编号202603160001", nil, group, "编号202603160001"},
		{"BankCard19", "卡号6222021234567890123", nil, group, "卡号6222021234567890123"},
		{"BankCardSpaced", "6222 0212 3456 7890 123", nil, group, "6222 0212 3456 7890 123"},
		{"MobileInsideLongerRun", "138123456789", nil, group, "138123456789"},
		{"Times", "09:30—11:45 约谈", nil, group, "09:30—11:45 约谈"},
		{"EighteenDigitsBadMonth", "990000196513120011", nil, group, "990000196513120011"},
		{"TenDigitStartingWithOne", "1381234567", nil, group, "1381234567"},
		{"ElevenDigitsNotMobile", "12812345678", nil, group, "12812345678"},
		// Names and audiences.
		{"NameMaskedInGroup", "何春明来访，何春明情绪稳定", he, group, "何某来访，何某情绪稳定"},
		{"NameMaskedForViewer", "约谈何春明 13987654321", he, viewerA, "约谈何某 139****4321"},
		{"NameMaskedForNonMember", "何春明", he, nobody, "何某"},
		{"NameKeptForLiaison", "约谈何春明 13987654321", he, liaiA, "约谈何春明 139****4321"},
		{"AdminSeesAll", "约谈何春明 13987654321 990000196503120011", he, adminA, "约谈何春明 13987654321 **************0011"},
		{"LeaderSeesAll", "何春明13987654321", he, leadA, "何春明13987654321"},
		{"FullUnchanged", "何春明 13987654321 990000196503120011", he, fullA, "何春明 13987654321 990000196503120011"},
		{"NoCaseNoName", "何春明 13987654321", nil, group, "何春明 139****4321"},
		{"OneCharNameIgnored", "何来访", &xfbot.Case{Petitioner: xfbot.Petitioner{Name: "何"}}, group, "何来访"},
		{"CompoundSurname", "欧阳娜娜已签字", &xfbot.Case{Petitioner: xfbot.Petitioner{Name: "欧阳娜娜"}}, group, "欧阳某已签字"},
		// Accusations: no name, no contact data, wherever the accuser must stay unknown.
		{"AccusationGroup", "何春明（13987654321）举报", accused, group, "匿名信访人（[电话]）举报"},
		{"AccusationLiaison", "何春明 13987654321 990000196503120011", accused, liaiA, "匿名信访人 [电话] [身份证号]"},
		{"AccusationMemberOfAccusedUnit", "何春明13987654321", accused, xfbot.Audience{Role: xfbot.RoleMember, Unit: "城关街道"}, "匿名信访人[电话]"},
		{"AccusationMemberOtherUnit", "何春明13987654321", accused, xfbot.Audience{Role: xfbot.RoleMember, Unit: "区教育局"}, "何春明13987654321"},
		{"AccusationAdmin", "何春明13987654321", accused, xfbot.Audience{Role: xfbot.RoleAdmin, Unit: "区住建局"}, "何春明13987654321"},
		{"AccusationFull", "何春明13987654321", accused, fullA, "何春明13987654321"},
		// Odd input.
		{"Empty", "", he, group, ""},
		{"NoDigitsNoName", "已约谈开发商", he, group, "已约谈开发商"},
		{"InvalidUTF8Kept", "\xff13812345678\xfe", nil, group, "\xff138****5678\xfe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := xfbot.MaskText(tt.in, tt.c, tt.aud); got != tt.want {
				t.Errorf("MaskText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestContainsPersonalData(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"已电话联系何春明（13987654321）", true},
		{"座机 0755-8888 1234", true},
		{"身份证 990000 19650312 001X", true},
		{"旧证990000650312001", true},
		{"ＸＦ－２０２６－００１２ 已约谈", false},
		{"补偿13812345元，邮编518000，2026-12-01", false},
		{"卡号6222021234567890123", false},
		{"", false},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := xfbot.ContainsPersonalData(tt.in); got != tt.want {
				t.Errorf("ContainsPersonalData(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestMaskTextLeavesNoNumber: whatever surrounds them, a group never reads a
// whole mobile or ID number the text carried.
func TestMaskTextLeavesNoNumber(t *testing.T) {
	numbers := []string{"13987654321", "139 8765 4321", "+86 139-8765-4321", "１３９８７６５４３２１", "990000196503120011", "990000 19650312 001X", "0755-88881234"}
	// Digits glued to digits make another number (a 15-digit run is no
	// mobile): the surroundings end in something else.
	common := []string{"", "何春明", "（", "）", " ", "，", "电话", "\n", "元", "-"}
	lefts := append([]string{"2026-03-16 ", "XF-2026-0012：", "X"}, common...)
	rights := append([]string{" 2026-03-16", "，XF-2026-0012"}, common...)
	for _, n := range numbers {
		for _, l := range lefts {
			for _, r := range rights {
				in := l + n + r
				got := xfbot.MaskText(in, he, group)
				for _, whole := range []string{"13987654321", "98765432", "990000196503120011", "19650312", "88881234"} {
					if strings.Contains(strings.NewReplacer(" ", "", "-", "").Replace(xfbot.Normalize(got)), whole) {
						t.Errorf("MaskText(%q) = %q still holds %s", in, got, whole)
					}
				}
			}
		}
	}
}

// progressEntry is a 300-character progress entry with a mobile, an ID
// number and the petitioner's name among ordinary words and figures.
var progressEntry = func() string {
	s := "2026-03-16 上午，包案人会同城关街道、区住建局工作人员到何春明家中走访，当面听取诉求。何春明反映回迁安置房延期交付，" +
		"要求按合同支付逾期补偿13812345元。已电话联系何春明（13987654321），告知下一步安排；其身份证号990000196503120011已核对。" +
		"开发商承诺于2026-04-30前交房，街道负责跟踪，案件 XF-2026-0012 继续办理，邮编518000，下次约谈定于 09:30。"
	for xfbot.RuneLen(s) < 300 {
		s += "情况稳定，继续跟进。"
	}
	return string([]rune(s)[:300])
}()

func BenchmarkMaskText(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		xfbot.MaskText(progressEntry, he, group)
	}
}

func BenchmarkMaskTextNothingFound(b *testing.B) {
	s := strings.Repeat("已约谈开发商，情况稳定。", 25)
	b.ReportAllocs()
	for b.Loop() {
		xfbot.MaskText(s, he, memberA)
	}
}

func BenchmarkContainsPersonalData(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		xfbot.ContainsPersonalData(progressEntry)
	}
}

package xfbot_test

import (
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestMaskPetitioner(t *testing.T) {
	full := xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "99000019650312001X"}
	tests := []struct {
		name string
		p    xfbot.Petitioner
		acc  bool
		aud  xfbot.Audience
		want xfbot.Petitioner
	}{
		{"GroupHidesAll", full, false, xfbot.GroupAudience, xfbot.Petitioner{Name: "张某", Phone: "138****5678"}},
		{"GroupIgnoresAdminRole", full, false, xfbot.Audience{Group: true, Role: xfbot.RoleAdmin}, xfbot.Petitioner{Name: "张某", Phone: "138****5678"}},
		{"GroupAccusationAnonymousNoPhone", full, true, xfbot.GroupAudience, xfbot.Petitioner{Name: "匿名信访人"}},
		{"AdminPrivateFullButID", full, false, xfbot.Audience{Role: xfbot.RoleAdmin}, xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "**************001X"}},
		{"MemberPrivate", full, false, xfbot.Audience{Role: xfbot.RoleMember}, xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "**************001X"}},
		{"LeaderPrivate", full, true, xfbot.Audience{Role: xfbot.RoleLeader}, xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "**************001X"}},
		{"AccusationLiaisonOtherUnitAnonymous", full, true, xfbot.Audience{Role: xfbot.RoleLiaison, Unit: "区教育局"}, xfbot.Petitioner{Name: "匿名信访人"}},
		{"AccusationLiaisonAccusedUnitAnonymous", full, true, xfbot.Audience{Role: xfbot.RoleLiaison, Unit: "区住建局"}, xfbot.Petitioner{Name: "匿名信访人"}},
		{"AccusationViewerAnonymous", full, true, xfbot.Audience{Role: xfbot.RoleViewer}, xfbot.Petitioner{Name: "匿名信访人"}},
		{"AccusationNonMemberAnonymous", full, true, xfbot.Audience{}, xfbot.Petitioner{Name: "匿名信访人"}},
		{"AccusationMemberFromAccusedUnit", full, true, xfbot.Audience{Role: xfbot.RoleMember, Unit: "区住建局"}, xfbot.Petitioner{Name: "匿名信访人"}},
		{"AccusationMemberFromAccusedArea", full, true, xfbot.Audience{Role: xfbot.RoleMember, Unit: "城关街道"}, xfbot.Petitioner{Name: "匿名信访人"}},
		{"AccusationLeaderFromAccusedUnit", full, true, xfbot.Audience{Role: xfbot.RoleLeader, Unit: "区住建局"}, xfbot.Petitioner{Name: "匿名信访人"}},
		{"AccusationMemberFromAccusedUnitUnderItsFormerName", full, true, xfbot.Audience{Role: xfbot.RoleMember, Unit: "区住房和城乡建设局", UnitFormer: []string{"区住建局"}}, xfbot.Petitioner{Name: "匿名信访人"}},
		{"AccusationMemberOtherUnit", full, true, xfbot.Audience{Role: xfbot.RoleMember, Unit: "区教育局"}, xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "**************001X"}},
		{"AccusationAdminOfAccusedUnitAsToday", full, true, xfbot.Audience{Role: xfbot.RoleAdmin, Unit: "区住建局"}, xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "**************001X"}},
		{"NotAccusationMemberOfUnitAsToday", full, false, xfbot.Audience{Role: xfbot.RoleMember, Unit: "区住建局"}, xfbot.Petitioner{Name: "张建国", Phone: "13812345678", IDCard: "**************001X"}},
		{"AccusationNoNameStaysEmpty", xfbot.Petitioner{Phone: "13812345678"}, true, xfbot.GroupAudience, xfbot.Petitioner{}},
		{"LiaisonNoID", full, false, xfbot.Audience{Role: xfbot.RoleLiaison}, xfbot.Petitioner{Name: "张建国", Phone: "138****5678"}},
		{"ViewerMasked", full, false, xfbot.Audience{Role: xfbot.RoleViewer}, xfbot.Petitioner{Name: "张某", Phone: "138****5678"}},
		{"NonMemberMasked", full, false, xfbot.Audience{}, xfbot.Petitioner{Name: "张某", Phone: "138****5678"}},
		{"EmptyStaysEmpty", xfbot.Petitioner{}, true, xfbot.GroupAudience, xfbot.Petitioner{}},
		{"CompoundSurname", xfbot.Petitioner{Name: "欧阳娜娜"}, false, xfbot.GroupAudience, xfbot.Petitioner{Name: "欧阳某"}},
		{"AlreadyMasked", xfbot.Petitioner{Name: "李某某"}, false, xfbot.GroupAudience, xfbot.Petitioner{Name: "李某"}},
		{"Landline", xfbot.Petitioner{Phone: "0755-8888123"}, false, xfbot.GroupAudience, xfbot.Petitioner{Phone: "075****8123"}},
		{"FullExportEverything", full, false, xfbot.Audience{Full: true}, full},
		{"FullExportNamesAccuser", full, true, xfbot.Audience{Full: true}, full},
		{"FullWinsOverGroupAndViewer", full, true, xfbot.Audience{Full: true, Group: true, Role: xfbot.RoleViewer}, full},
		{"FullExportKeepsRawFormat", xfbot.Petitioner{Name: " 李四 ", Phone: "+86 138 1234 5678", IDCard: "990000196503120011"}, false, xfbot.Audience{Full: true}, xfbot.Petitioner{Name: " 李四 ", Phone: "+86 138 1234 5678", IDCard: "990000196503120011"}},
		{"FullEmptyStaysEmpty", xfbot.Petitioner{}, false, xfbot.Audience{Full: true}, xfbot.Petitioner{}},
		{"FullWidthPhone", xfbot.Petitioner{Phone: "１３８１２３４５６７８"}, false, xfbot.GroupAudience, xfbot.Petitioner{Phone: "138****5678"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &xfbot.Case{Unit: "区住建局", Area: "城关街道", Petitioner: tt.p, Accusation: tt.acc}
			if got := xfbot.MaskPetitioner(c, tt.aud); got != tt.want {
				t.Errorf("MaskPetitioner() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"张三": "张某", "张": "张某", "司马光": "司马某", "司马": "司某", " 王五 ": "王某", "": "", "Tom": "T某"} {
		if got := xfbot.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{"13812345678": "138****5678", "138 1234 5678": "138****5678", "+86 13812345678": "138****5678", "1234": "****", "12345678": "******78", "": "", "abc": ""} {
		if got := xfbot.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskIDCard(t *testing.T) {
	for in, want := range map[string]string{"99000019650312001X": "**************001X", "123": "****", "": ""} {
		if got := xfbot.MaskIDCard(in); got != want {
			t.Errorf("MaskIDCard(%q) = %q, want %q", in, got, want)
		}
	}
}

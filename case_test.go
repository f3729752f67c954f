package xfbot_test

import (
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestParseCaseNo(t *testing.T) {
	tests := []struct {
		name, in string
		want     xfbot.CaseNo
		ok       bool
	}{
		{"Canonical", "XF-2026-0012", "XF-2026-0012", true},
		{"LowerCase", "xf-2026-0012", "XF-2026-0012", true},
		{"NoLeadingZeros", "XF-2026-12", "XF-2026-0012", true},
		{"NoDashes", "XF20260012", "XF-2026-0012", true},
		{"FullWidth", "ＸＦ－２０２６－００１２", "XF-2026-0012", true},
		{"Spaces", "  XF-2026-0012 ", "XF-2026-0012", true},
		{"FiveDigits", "XF-2026-12345", "XF-2026-12345", true},
		{"Empty", "", "", false},
		{"NoPrefix", "2026-0012", "", false},
		{"ZeroSerial", "XF-2026-0000", "", false},
		{"BadYear", "XF-26-0012", "", false},
		{"Letters", "XF-2026-00A2", "", false},
		{"Emoji", "XF-2026-😀", "", false},
		{"Negative", "XF-2026--12", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := xfbot.ParseCaseNo(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("ParseCaseNo(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
			if err != nil && xfbot.ErrorCode(err) != xfbot.EINVALID {
				t.Fatalf("error code = %q, want %q", xfbot.ErrorCode(err), xfbot.EINVALID)
			}
		})
	}
	if y := xfbot.CaseNo("XF-2026-0012").Year(); y != 2026 {
		t.Errorf("Year() = %d, want 2026", y)
	}
}

func TestParseCategory(t *testing.T) {
	for in, want := range map[string]xfbot.Category{"征地拆迁": "land_demolition", "征地": "land_demolition", "劳动": "labor_social", "housing": "housing", "其他": "other"} {
		got, err := xfbot.ParseCategory(in)
		if err != nil || got != want {
			t.Errorf("ParseCategory(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := xfbot.ParseCategory("火星"); err == nil {
		t.Error("ParseCategory(火星) succeeded, want an error listing the categories")
	} else if msg := xfbot.ErrorMessage(err); !contains(msg, "征地拆迁") {
		t.Errorf("error %q does not list the categories", msg)
	}
}

func TestParseScreening(t *testing.T) {
	for in, want := range map[string]xfbot.Screening{"合理": xfbot.ScreenReasonable, "部分合理": xfbot.ScreenPartly, "无理": xfbot.ScreenUnreasonable, "过度": xfbot.ScreenExcessive, "过度诉求": xfbot.ScreenExcessive} {
		if got, ok := xfbot.ParseScreening(in); !ok || got != want {
			t.Errorf("ParseScreening(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := xfbot.ParseScreening("还行"); ok {
		t.Error("ParseScreening(还行) succeeded")
	}
}

func TestMemberPermissions(t *testing.T) {
	c := &xfbot.Case{Unit: "区住建局", Area: "云溪街道", Leader: xfbot.Person{OpenID: "ou_lead"}}
	tests := []struct {
		name              string
		m                 xfbot.Member
		see, edit, manage bool
	}{
		{"Admin", xfbot.Member{Role: xfbot.RoleAdmin}, true, true, true},
		{"Member", xfbot.Member{Role: xfbot.RoleMember}, true, true, false},
		{"WatchingLeader", xfbot.Member{OpenID: "ou_lead", Role: xfbot.RoleLeader}, true, true, false},
		{"OtherLeader", xfbot.Member{OpenID: "ou_other", Role: xfbot.RoleLeader}, true, false, false},
		{"OwnUnitLiaison", xfbot.Member{Role: xfbot.RoleLiaison, Unit: "区住建局"}, true, true, false},
		{"AreaLiaison", xfbot.Member{Role: xfbot.RoleLiaison, Unit: "云溪街道"}, true, true, false},
		{"OtherLiaison", xfbot.Member{Role: xfbot.RoleLiaison, Unit: "区教育局"}, false, false, false},
		{"Viewer", xfbot.Member{Role: xfbot.RoleViewer}, true, false, false},
		{"Stranger", xfbot.Member{}, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.CanSee(c); got != tt.see {
				t.Errorf("CanSee = %v, want %v", got, tt.see)
			}
			if got := tt.m.CanEdit(c); got != tt.edit {
				t.Errorf("CanEdit = %v, want %v", got, tt.edit)
			}
			if got := tt.m.CanManage(); got != tt.manage {
				t.Errorf("CanManage = %v, want %v", got, tt.manage)
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]xfbot.Role{"领导": xfbot.RoleLeader, "专班成员": xfbot.RoleMember, "督查专员": xfbot.RoleMember, "管理员": xfbot.RoleAdmin, "联络员": xfbot.RoleLiaison, "viewer": xfbot.RoleViewer} {
		if got, ok := xfbot.ParseRole(in); !ok || got != want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	t.Run("AppError", func(t *testing.T) {
		err := xfbot.Errorf(xfbot.ENOTFOUND, "没有 %s", "X")
		if xfbot.ErrorCode(err) != xfbot.ENOTFOUND || xfbot.ErrorMessage(err) != "没有 X" {
			t.Fatalf("got %q %q", xfbot.ErrorCode(err), xfbot.ErrorMessage(err))
		}
	})
	t.Run("InternalHidden", func(t *testing.T) {
		err := errorString("redis: connection refused 10.0.0.1")
		if xfbot.ErrorCode(err) != xfbot.EINTERNAL || contains(xfbot.ErrorMessage(err), "redis") {
			t.Fatalf("internal error leaked: %q", xfbot.ErrorMessage(err))
		}
	})
	t.Run("DateError", func(t *testing.T) {
		_, err := xfbot.ParseDate("2026-13-40")
		if msg := xfbot.ErrorMessage(err); !contains(msg, "2026-13-40") || xfbot.ErrorCode(err) != xfbot.EINVALID {
			t.Fatalf("date error not shown to the user: %q", msg)
		}
	})
}

type errorString string

func (e errorString) Error() string { return string(e) }

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestParseCaseNoIn(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"12", "XF-2026-0012"}, {"0012", "XF-2026-0012"}, {"１２", "XF-2026-0012"}, {"XF-2025-0003", "XF-2025-0003"}, {"xf20250003", "XF-2025-0003"},
	} {
		if got, err := xfbot.ParseCaseNoIn(tt.in, 2026); err != nil || string(got) != tt.want {
			t.Errorf("ParseCaseNoIn(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"0", "1234567", "12a", "第12号"} {
		if _, err := xfbot.ParseCaseNoIn(bad, 2026); err == nil {
			t.Errorf("ParseCaseNoIn(%q) accepted", bad)
		}
	}
}

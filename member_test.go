package xfbot_test

import (
	"slices"
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestLeaders(t *testing.T) {
	ms := []xfbot.Member{
		{OpenID: "ou_zhou", Name: "周某", Role: xfbot.RoleLeader},
		{OpenID: "ou_zhao", Name: "赵建", Role: xfbot.RoleMember},
		{OpenID: "ou_wu", Name: "吴某", Role: xfbot.RoleLeader},
	}
	tests := []struct {
		name       string
		configured []string
		want       []string
	}{
		{"members only", nil, []string{"ou_zhou", "ou_wu"}},
		{"configured without a record", []string{"ou_cfg"}, []string{"ou_zhou", "ou_wu", "ou_cfg"}},
		{"a record of another role says otherwise", []string{"ou_zhao"}, []string{"ou_zhou", "ou_wu"}},
		{"a configured leader member is listed once", []string{"ou_wu", "ou_cfg", "ou_cfg"}, []string{"ou_zhou", "ou_wu", "ou_cfg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range xfbot.Leaders(ms, tt.configured) {
				got = append(got, p.OpenID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

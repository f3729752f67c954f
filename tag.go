package xfbot

import "strings"

// Tag marks a case for the task force's attention (petition-domain §3.3).
type Tag string

const (
	TagBacklog  Tag = "backlog"   // 积案
	TagKey      Tag = "key"       // 重点事项
	TagBone     Tag = "bone"      // 骨头案
	TagNail     Tag = "nail"      // 钉子案
	TagThreeOld Tag = "three_old" // 三老
	TagRepeat   Tag = "repeat"    // 重复信访
	TagBeyond   Tag = "beyond"    // 越级访: went past the district (to the city, province or Beijing)
)

// Tags lists the tags with their Chinese names.
var Tags = []struct {
	Tag   Tag
	Label string
}{{TagBacklog, "积案"}, {TagKey, "重点"}, {TagBone, "骨头案"}, {TagNail, "钉子案"}, {TagThreeOld, "三老"}, {TagRepeat, "重复信访"}, {TagBeyond, "越级访"}}

// Label is the Chinese name of t.
func (t Tag) Label() string {
	for _, x := range Tags {
		if x.Tag == t {
			return x.Label
		}
	}
	return string(t)
}

// ParseTag accepts the Chinese name or the code.
func ParseTag(s string) (Tag, error) {
	s = strings.TrimSpace(s)
	for _, x := range Tags {
		if s == x.Label || s == string(x.Tag) || s == x.Label+"事项" {
			return x.Tag, nil
		}
	}
	var ls []string
	for _, x := range Tags {
		ls = append(ls, x.Label)
	}
	return "", Errorf(EINVALID, "标签“%s”不认识，可选：%s。", Echo(s, 10), strings.Join(ls, "、"))
}

// HasTag reports whether c carries t.
func (c *Case) HasTag(t Tag) bool {
	for _, x := range c.Tags {
		if x == t {
			return true
		}
	}
	return false
}

// Paused reports whether the case's clock is stopped now.
func (c *Case) Paused() bool {
	return len(c.Pauses) > 0 && c.Pauses[len(c.Pauses)-1].To.IsZero()
}

// PausesAsOf returns the pauses with an open one closed at today, as the
// deadline engine takes them: a running pause keeps pushing the deadline.
func (c *Case) PausesAsOf(today Date) []Pause {
	if len(c.Pauses) == 0 {
		return nil
	}
	out := append([]Pause(nil), c.Pauses...)
	if last := &out[len(out)-1]; last.To.IsZero() {
		last.To = today
	}
	return out
}

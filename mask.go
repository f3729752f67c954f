package xfbot

import "strings"

// Audience is who will read a rendering of a case: the kind of chat it lands
// in and the role of the reader. In a group the reader is everyone in it.
type Audience struct {
	Group bool // any group chat, whoever asked
	Role  Role // the reader's role (p2p); ignored for groups
	// Full means nothing is masked: the full export of the ledger, which an
	// admin asks for, confirms and is audited for. It wins over Group and
	// Role; nothing else sets it.
	Full bool
	// Unit is the reader's own unit: a liaison's unit, or the unit a
	// task-force member was seconded from; "" when none. A reader whose unit
	// is an accusation's Unit or Area never sees the accuser (条例第三十条).
	Unit       string
	UnitFormer []string // the unit's other names (Member.UnitFormer)
}

// InUnit reports whether name is the reader's own unit under any of its
// names (Member.InUnit).
func (a Audience) InUnit(name string) bool {
	return Member{Unit: a.Unit, UnitFormer: a.UnitFormer}.InUnit(name)
}

// GroupAudience is the audience of every group chat.
var GroupAudience = Audience{Group: true}

// compound surnames that must stay whole when a name is masked (欧阳某, not 欧某).
var compoundSurnames = []string{
	"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
	"宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "独孤", "南宫", "西门", "端木",
}

// MaskPetitioner is the one place that decides what of a case's petitioner's
// personal data a reader sees (petition-domain §3.2):
//
//   - group chats, viewers and anyone not a member: name as surname + 某 (张某),
//     phone as 138****5678, no ID number;
//   - a liaison in private: full name, masked phone, no ID number;
//   - admins, task-force members and leaders in private: full name and phone,
//     ID number with only the last four characters visible;
//   - a full export (Audience.Full): everything as stored, the ID number whole,
//     an accuser named.
//
// An accusation (检举控告类, 条例第三十条) shows no contact data and no name
// (匿名信访人) in any group, to any liaison, and to a reader whose
// Audience.Unit is the case's Unit or Area; admins and the members and leaders
// of other units see it as any other case in private.
//
// A field that is empty stays empty.
func MaskPetitioner(c *Case, a Audience) Petitioner {
	p := c.Petitioner
	switch {
	case a.Full:
		return p
	case hidesAccuser(c, a):
		if p.Name == "" {
			return Petitioner{}
		}
		return Petitioner{Name: anonymous}
	case a.Group || a.Role == RoleViewer || a.Role == "":
		return Petitioner{Name: MaskName(p.Name), Phone: MaskPhone(p.Phone)}
	case a.Role == RoleLiaison:
		return Petitioner{Name: p.Name, Phone: MaskPhone(p.Phone)}
	default:
		return Petitioner{Name: p.Name, Phone: p.Phone, IDCard: MaskIDCard(p.IDCard)}
	}
}

// anonymous is how an accuser is shown to whoever may not know him.
const anonymous = "匿名信访人"

// hidesAccuser reports whether c is an accusation whose accuser a must not
// know: any group, viewer, non-member or liaison, and a reader from the
// accused unit or locality. Admins are never from a unit for this rule: the
// task-force lead must be able to protect the accuser.
func hidesAccuser(c *Case, a Audience) bool {
	if c == nil || !c.Accusation || a.Full {
		return false
	}
	if a.Group || a.Role == RoleViewer || a.Role == "" || a.Role == RoleLiaison {
		return true
	}
	if a.Role == RoleAdmin || a.Unit == "" {
		return false
	}
	return a.InUnit(c.Unit) || a.InUnit(c.Area)
}

// MaskName keeps the surname and replaces the given name with 某: 张三 → 张某,
// 欧阳娜娜 → 欧阳某. A name already masked (张某某) is returned as 张某.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	for _, s := range compoundSurnames {
		if strings.HasPrefix(name, s) && RuneLen(name) > 2 {
			return s + "某"
		}
	}
	return string([]rune(name)[0]) + "某"
}

// MaskPhone shows the first three and the last four digits of a mobile number
// (138****5678). Anything shorter shows only its last two characters, so that a
// landline or a typo never appears whole.
func MaskPhone(phone string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, Normalize(phone))
	if len(d) == 13 && strings.HasPrefix(d, "86") {
		d = d[2:] // +86 country code
	}
	switch {
	case d == "":
		return ""
	case len(d) >= 11:
		return d[:3] + "****" + d[len(d)-4:]
	case len(d) > 4:
		return strings.Repeat("*", len(d)-2) + d[len(d)-2:]
	default:
		return "****"
	}
}

// MaskIDCard shows only the last four characters of an ID number.
func MaskIDCard(id string) string {
	id = strings.TrimSpace(id)
	if id == "" {
		return ""
	}
	r := []rune(id)
	if len(r) <= 4 {
		return "****"
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

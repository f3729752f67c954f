package xfbot

import (
	"reflect"
	"slices"
	"strings"
)

// Role is what a member may do. A user who is not a member may only ask for help.
type Role string

const (
	RoleAdmin   Role = "admin"   // 管理员 / 专班负责人: everything, manages members
	RoleMember  Role = "member"  // 专班成员 (信访督查专员): registers and updates cases
	RoleLeader  Role = "leader"  // 区领导 (包案领导): reads all, updates the cases they watch
	RoleLiaison Role = "liaison" // 单位联络员: reads and updates own unit's cases only
	RoleViewer  Role = "viewer"  // 观察员: reads, always masked
)

// Roles lists the roles with their Chinese names, in order of power.
var Roles = []struct {
	Role  Role
	Label string
	Alias []string
}{
	{RoleAdmin, "管理员", []string{"负责人", "专班负责人", "lead"}},
	{RoleMember, "专班成员", []string{"成员", "督查专员", "专员", "inspector", "staff"}},
	{RoleLeader, "领导", []string{"区领导", "包案领导"}},
	{RoleLiaison, "联络员", []string{"单位联络员"}},
	{RoleViewer, "观察员", []string{"只读"}},
}

// Label is the Chinese name of r.
func (r Role) Label() string {
	for _, x := range Roles {
		if x.Role == r {
			return x.Label
		}
	}
	if r == "" {
		return "非成员"
	}
	return string(r)
}

// ParseRole accepts the Chinese name, an alias or the code.
func ParseRole(s string) (Role, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, x := range Roles {
		if s == string(x.Role) || s == x.Label {
			return x.Role, true
		}
		for _, a := range x.Alias {
			if s == a {
				return x.Role, true
			}
		}
	}
	return "", false
}

// Member is a Feishu user known to the bot, with one role. A liaison belongs
// to a unit and sees only the cases whose 主责单位 or 属地 is that unit.
type Member struct {
	OpenID string
	Name   string
	Role   Role
	Unit   string
	// UnitFormer are the other names the unit's registry record answers
	// to on the ledger (the names it had before 改名, the records merged
	// into it by 合并): cases, 督查单 and figures written under them are the
	// unit's. 改名 and 合并 keep it, and the start brings it up to date
	// (store.SyncMemberUnits). Use InUnit, never compare Unit alone.
	UnitFormer []string

	// For leaders: 职务 and 分管工作 for the public reception notice, and how
	// often they must receive petitioners, in months (0: every month).
	Title          string
	Duties         string
	ReceptionEvery int

	// The roster (roster.go), for the seconded members: the secondment's
	// dates, the 督查专员 flag, the current leave, and how they left. A
	// record without these (written before the roster) is 在岗.
	Joined     Date
	PlannedEnd Date
	Inspector  bool
	Leave      Leave
	Out        MemberStatus // Recalled or Returned once they left; "" while on the roster
	Left       Date         // the day they left
	FormerRole Role         // the role they held until they left (Role is then "")
}

// Leaders are the district leaders: the members with the leader role, then
// each configured open_id that has no member record (a member record of
// another role says otherwise), each once, in that order.
func Leaders(ms []Member, configured []string) []Person {
	var out []Person
	known := map[string]bool{}
	for _, m := range ms {
		known[m.OpenID] = true
		if m.Role == RoleLeader {
			out = append(out, m.Person())
		}
	}
	for _, id := range configured {
		if !known[id] {
			known[id] = true
			out = append(out, Person{OpenID: id})
		}
	}
	return out
}

// Person returns m as a case participant.
func (m Member) Person() Person { return Person{OpenID: m.OpenID, Name: m.Name} }

// IsMember reports whether m is any kind of member.
func (m Member) IsMember() bool { return m.Role != "" }

// CanWrite reports whether m may change cases at all.
func (m Member) CanWrite() bool {
	switch m.Role {
	case RoleAdmin, RoleMember, RoleLeader, RoleLiaison:
		return true
	}
	return false
}

// InUnit reports whether name (a case's 主责单位 or 属地, a 督查单's unit, a
// 会诊's invited unit) is m's own unit under any of its names: the one
// rule of "the liaison's own unit".
func (m Member) InUnit(name string) bool {
	return name != "" && m.Unit != "" && (name == m.Unit || slices.Contains(m.UnitFormer, name))
}

// UnitNames are the names m's unit's cases may be stored under: Unit, then
// the former ones; nil when m has no unit.
func (m Member) UnitNames() []string {
	if m.Unit == "" {
		return nil
	}
	return append([]string{m.Unit}, m.UnitFormer...)
}

// Audience is m reading in a private chat.
func (m Member) Audience() Audience {
	return Audience{Role: m.Role, Unit: m.Unit, UnitFormer: m.UnitFormer}
}

// CanSee reports whether m may read c.
func (m Member) CanSee(c *Case) bool {
	switch m.Role {
	case RoleAdmin, RoleMember, RoleLeader, RoleViewer:
		return true
	case RoleLiaison:
		return m.InUnit(c.Unit) || m.InUnit(c.Area)
	}
	return false
}

// CanEdit reports whether m may change c: admins and task-force members any
// case, a leader the cases they watch or own, a liaison the own unit's cases.
func (m Member) CanEdit(c *Case) bool {
	switch m.Role {
	case RoleAdmin, RoleMember:
		return true
	case RoleLeader:
		return c.Leader.OpenID == m.OpenID || c.Owner.OpenID == m.OpenID
	case RoleLiaison:
		return m.CanSee(c)
	}
	return false
}

// CanManage reports whether m may administer members and sign off cases.
func (m Member) CanManage() bool { return m.Role == RoleAdmin }

// Equal reports whether m and o are the same record.
func (m Member) Equal(o Member) bool {
	if !slices.Equal(m.UnitFormer, o.UnitFormer) {
		return false
	}
	m.UnitFormer, o.UnitFormer = nil, nil
	return reflect.DeepEqual(m, o)
}

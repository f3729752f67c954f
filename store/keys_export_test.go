package store

import "github.com/qingchuan/xfbot"

// For the black-box tests: the deadline index's sorted sets, as a test
// that empties or fills the index by hand needs them.

// DeadlineKeys are st's deadline index's sets, dl:0 to dl:63.
func DeadlineKeys(st *Store) []string { return st.k.deadlineKeys() }

// DeadlineKeyOf is the set of st's index that holds member.
func DeadlineKeyOf(st *Store, member string) string { return st.k.deadlineKey(member) }

// ActivityKeyOf is the set of st's activity index that holds case no.
func ActivityKeyOf(st *Store, no xfbot.CaseNo) string { return st.k.activityKey(no) }

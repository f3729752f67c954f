// Package xfbot is the domain of the petition conflict-resolution task force
// (信访矛盾化解专班) case ledger: cases, progress, members and roles, deadlines,
// warning levels and the masking of petitioners' personal data.
//
// It is pure Go. It imports none of the project's other packages, no Redis and no
// Lark: store/ (Redis), bot/ (Feishu), handlers/ (commands) and scheduler/ (jobs)
// depend on it, never the other way round. Time is always a parameter.
package xfbot

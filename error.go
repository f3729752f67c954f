package xfbot

import (
	"errors"
	"fmt"
)

// Application error codes. An *Error carries text meant for the user (Chinese,
// saying what was wrong and how to write it); any other error is internal and
// is logged, never shown.
const (
	ECONFLICT  = "conflict"  // the case changed underneath; retry
	EFORBIDDEN = "forbidden" // the user's role does not allow this
	EINTERNAL  = "internal"  // anything unexpected
	EINVALID   = "invalid"   // bad input: the message says how to write it
	ENOTFOUND  = "not_found" // no such case, member, ...
)

// Error is an application error whose Message is safe to show to the user.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("xfbot error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted user message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	var de *DateError
	if errors.As(err, &de) {
		return EINVALID // a date the user typed
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing text of err. Internal errors get a
// generic apology so that nothing internal leaks into a chat.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	var de *DateError
	if errors.As(err, &de) {
		return de.Error()
	}
	return "系统内部错误，已记录，请稍后重试；如多次出现请联系管理员。"
}

package xfbot

import (
	"strconv"
	"strings"
)

// Excel's 1900 date system: serial 1 is 1900-01-01 and, for Lotus's sake,
// 1900-02-29 (serial 60) exists; from serial 61 on, day n is 1899-12-30 + n.
// Ledgers hold dates from this century, so the serials before 61 are refused
// rather than given Lotus's calendar.
const (
	excelEpochDay = -25569 // 1899-12-30 as a DayNumber
	minSerial     = 61
	maxSerial     = 109573 // 2199-12-31, maxParseYear
)

// ParseSheetDate reads a date cell of a spreadsheet: an Excel serial
// (45052, 45052.5: the time of day is dropped), a date with a time of day
// (2023-05-06 00:00:00, 2023/5/6 10:30), or what ParseDate reads
// (2023.5.6, 2023年5月6日, 20230506, full-width digits). The error is a
// *DateError.
func ParseSheetDate(s string) (Date, error) {
	t := strings.TrimSpace(Normalize(s))
	if t == "" {
		return Date{}, &DateError{Input: s}
	}
	if n, ok := excelSerial(t); ok {
		if n < minSerial || n > maxSerial {
			return Date{}, &DateError{Input: s, reason: "不是日期，也不是 Excel 日期序号"}
		}
		return DateFromDayNumber(excelEpochDay + n), nil
	}
	// A time of day after the date: 2023-05-06 00:00:00, 2023-05-06T08:00.
	if i := strings.IndexAny(t, " T"); i > 0 && looksLikeClock(strings.TrimSpace(t[i+1:])) {
		t = strings.TrimSpace(t[:i])
	}
	t = strings.TrimSuffix(t, ".") // 2023.5.6.
	d, err := ParseDate(t)
	if err != nil {
		if de, ok := err.(*DateError); ok {
			de.Input = strings.TrimSpace(s)
		}
		return Date{}, err
	}
	return d, nil
}

// excelSerial reads an integer of at most six digits, or one with a
// fraction (the time of day), as a serial; an eight-digit 20230506 is a date.
func excelSerial(t string) (int, bool) {
	whole, frac, dot := strings.Cut(t, ".")
	if len(whole) == 0 || len(whole) > 6 || !allDigits(whole) || (dot && !allDigits(frac)) {
		return 0, false
	}
	if dot && strings.Count(t, ".") > 1 {
		return 0, false
	}
	n, err := strconv.Atoi(whole)
	return n, err == nil
}

// looksLikeClock reports whether s is a time of day: 00:00, 8:30:15, 10:30:00.000.
func looksLikeClock(s string) bool {
	if s == "" {
		return false
	}
	parts := strings.Split(strings.SplitN(s, ".", 2)[0], ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if len(p) < 1 || len(p) > 2 || !allDigits(p) {
			return false
		}
	}
	return true
}

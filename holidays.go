package xfbot

// DefaultHolidayTables returns the built-in holiday arrangements for 2026 and
// 2027. They are only the default: config may replace them (and must add each
// new year, since the State Council publishes the next year's arrangement every
// November). A fresh slice is returned each call so callers may edit it.
func DefaultHolidayTables() []HolidayTable {
	return []HolidayTable{
		// 2026: 国务院办公厅关于2026年部分节假日安排的通知, dated 2025-11-04 and
		// published by Xinhua the same day; checked day by day against that text.
		// The document number 国办发明电〔2025〕7号 is as given to us and was not
		// seen in the text we checked: verify it before citing it anywhere.
		{
			Year: 2026,
			Holidays: []string{
				"2026-01-01..2026-01-03", // 元旦 (周四至周六)
				"2026-02-15..2026-02-23", // 春节 (腊月二十八至正月初七，共9天)
				"2026-04-04..2026-04-06", // 清明节
				"2026-05-01..2026-05-05", // 劳动节
				"2026-06-19..2026-06-21", // 端午节
				"2026-09-25..2026-09-27", // 中秋节
				"2026-10-01..2026-10-07", // 国庆节
			},
			Workdays: []string{
				"2026-01-04", // 周日，元旦调休
				"2026-02-14", // 周六，春节调休
				"2026-02-28", // 周六，春节调休
				"2026-05-09", // 周六，劳动节调休
				"2026-09-20", // 周日，国庆节调休
				"2026-10-10", // 周六，国庆节调休
			},
		},
		// 2027: TO VERIFY against 国务院办公厅关于2027年部分节假日安排的通知
		// (expected November 2026). We could not read the notice itself; these
		// days are transcribed from the holiday data added as "2027年法定假日" in
		// the lunar-go library v1.4.7 (released 2026-11-06). They agree with
		// the lunar calendar (除夕 2027-02-05, 春节 02-06, 清明 04-05, 端午 06-09,
		// 中秋 09-15) and with the 2024 rules (春节、劳动节、国庆节 joined with
		// weekends by 调休; 端午、中秋 on a Wednesday stand alone). Treat the
		// table as provisional until someone has compared it with the notice.
		{
			Year: 2027,
			Holidays: []string{
				"2027-01-01..2027-01-03", // 元旦 (周五至周日)
				"2027-02-05..2027-02-13", // 春节 (除夕至正月初八，共9天)
				"2027-04-03..2027-04-05", // 清明节
				"2027-05-01..2027-05-05", // 劳动节
				"2027-06-09",             // 端午节 (周三，不调休)
				"2027-09-15",             // 中秋节 (周三，不调休)
				"2027-10-01..2027-10-07", // 国庆节
			},
			Workdays: []string{
				"2027-01-31", // 周日，春节调休
				"2027-02-14", // 周日，春节调休
				"2027-05-08", // 周六，劳动节调休
				"2027-09-26", // 周日，国庆节调休
				"2027-10-09", // 周六，国庆节调休
			},
		},
	}
}

// Package xlsx writes the ledger (台账) as an Excel workbook: xfbot's adapter
// for github.com/xuri/excelize/v2.
//
// # Contract
//
// WriteLedger takes the cases from a callback, one at a time, and streams
// every sheet with excelize's StreamWriter, which spills rows to a temporary
// file beyond 16 MB: memory stays flat whatever the size of the ledger, and
// nothing is written to w until every case is in, so a failed export leaves w
// untouched. The workbook has three sheets:
//
//	台账  row 1 the title (Options.Title, merged across; absent when empty),
//	      then the header, then one row per case; header frozen, as are the
//	      序号 and 案件号 columns
//	进展  the whole timeline of every case: 案件号, 时间, 类型, 记录人, 内容;
//	      beyond Excel's 1,048,576 rows it continues on 进展2, 进展3…
//	统计  Options.Stats as given, the first row as header
//
// Petitioners' data pass through xfbot.MaskPetitioner with Options.Audience:
// a masked export shows 张某 and 138****5678 and leaves 身份证号 empty;
// xfbot.Audience{Full: true} exports them whole. Free text (titles, progress,
// results) is exported as written. Dates are text (YYYY-MM-DD), times text
// in Options.Location (YYYY-MM-DD HH:MM), counts numbers; every text is an
// inline string, never a formula.
package xlsx

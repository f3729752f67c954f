// Package sheet reads a case ledger someone kept in a spreadsheet (.xlsx or
// .csv, the latter in UTF-8 or in the GB18030/GBK that Excel writes on a
// Chinese Windows) into records, one per data row, with the problems of
// each row and a report of what every column was taken for.
//
// It is pure: bytes in, records out, no store, no Lark, no clock. Deciding
// what a record becomes (a new case, a change of an existing one, a row
// refused by the ledger's rules) is the caller's.
//
// What real ledgers do and Read copes with:
//   - the header is not on line 1 (a title row, a blank row, a unit's name
//     above it): the header is the line among the first 30 that names the
//     most known columns (Headers), and it must name the matter (信访事项
//     or one of its variants);
//   - several sheets: each is read on its own; a sheet with no ledger header
//     (统计, 说明) is listed as skipped, not an error;
//   - merged cells: the value of a merged range is every cell's in it (a
//     属地 merged down ten rows belongs to the ten cases); a line whose only
//     values come from merges is blank;
//   - dates as Excel serials (45052) or as text (2023.5.6, 2023年5月6日):
//     cells are read raw and dates parsed by xfbot.ParseSheetDate;
//   - full-width digits and letters (１３８，ＸＦ): folded by xfbot.Normalize
//     in numbers, dates and phones, never in free text;
//   - masked phones (138****5678): kept as unknown, with a note;
//   - an ID number Excel turned into a number (9.9E+17): its last digits
//     are gone, the row says so.
package sheet

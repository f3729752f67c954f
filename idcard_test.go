package xfbot_test

import (
	"strings"
	"testing"

	"github.com/qingchuan/xfbot"
)

func TestParseIDCard(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the number as stored; "" when refused
		msg  string // part of the refusal
	}{
		{"Valid", "440304200002291236", "440304200002291236", ""},
		{"ValidX", "99000019650312001X", "99000019650312001X", ""},
		{"LowerX", "99000019650312001x", "99000019650312001X", ""},
		{"FullWidth", "４４０３０４２００００２２９１２３６", "440304200002291236", ""},
		{"FullWidthX", "９９００００１９６５０３１２００１ｘ", "99000019650312001X", ""},
		{"Spaces", " 440304 20000229 1236 ", "440304200002291236", ""},
		{"Dashes", "440304-20000229-1236", "440304200002291236", ""},
		{"IdeographicSpace", "440304　20000229　1236", "440304200002291236", ""},
		{"Year1900", "990000190001010016", "990000190001010016", ""},
		{"LeapDay2024", "990000202402290018", "990000202402290018", ""},
		{"Old15", "440304650312123", "440304650312123", ""},
		{"Old15Spaced", "440304 650312 123", "440304650312123", ""},

		{"BadCheckDigit", "440304200002291235", "", "最后一位校验码不对"},
		{"BadCheckDigitX", "990000196503120011", "", "校验码不对"},
		{"Before1900", "990000189912310011", "", "早于 1900 年"},
		{"NotALeapYear", "990000190002290013", "", "不是有效日期"},
		{"Month13", "990000196513120011", "", "出生日期"},
		{"Day00", "990000196503000011", "", "出生日期"},
		{"Old15BadDate", "440304651332123", "", "15 位旧号码"},
		{"Old15WithX", "44030465031212X", "", "没有 X"},
		{"XInside", "4403042000X2291236", "", "X 只能是最后一位"},
		{"Letters", "44030420000229123A", "", "只能是数字"},
		{"Chinese", "身份证440304200002291236", "", "只能是数字"},
		{"TooShort", "4403042000022912", "", "您写了 16 位"},
		{"TooLong", "4403042000022912361", "", "您写了 19 位"},
		{"Empty", "  ", "", "身份证号是空的"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := xfbot.ParseIDCard(tt.in)
			if tt.msg == "" {
				if err != nil || got != tt.want {
					t.Fatalf("ParseIDCard(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseIDCard(%q) = %q, want a refusal", tt.in, got)
			}
			if xfbot.ErrorCode(err) != xfbot.EINVALID {
				t.Errorf("code %q, want %q", xfbot.ErrorCode(err), xfbot.EINVALID)
			}
			msg := xfbot.ErrorMessage(err)
			if !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not say %q", msg, tt.msg)
			}
			// Never the number back: at most its last four characters.
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, xfbot.Normalize(tt.in))
			if len(digits) > 4 && strings.Contains(msg, digits[:5]) {
				t.Errorf("message %q echoes the number", msg)
			}
			if len(digits) > 8 && strings.Contains(msg, digits[len(digits)-8:len(digits)-3]) {
				t.Errorf("message %q shows more than the last four characters", msg)
			}
		})
	}
}

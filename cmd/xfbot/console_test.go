package main

import (
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is the console's stdout, read while the console writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// consoleDriver types into a running console one line at a time and reads
// what each line printed, up to the next prompt.
type consoleDriver struct {
	t    *testing.T
	in   *io.PipeWriter
	out  *lockedBuffer
	seen int // bytes of out already returned
	done chan error
}

const consolePrompt = "]> "

func startConsole(t *testing.T, environ []string) *consoleDriver {
	t.Helper()
	pr, pw := io.Pipe()
	d := &consoleDriver{t: t, in: pw, out: &lockedBuffer{}, done: make(chan error, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	go func() { d.done <- run(ctx, []string{"console"}, pr, d.out, io.Discard, environ) }()
	t.Cleanup(func() {
		_ = pw.Close()
		if err := <-d.done; err != nil {
			t.Errorf("console: %v", err)
		}
		cancel()
	})
	d.wait()
	return d
}

// wait returns what the console printed since the last call, once it shows
// its prompt again.
func (d *consoleDriver) wait() string {
	d.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s := d.out.String()
		if rest := s[d.seen:]; strings.HasSuffix(rest, consolePrompt) {
			d.seen = len(s)
			return rest
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("the console did not prompt again; output:\n%s", s[d.seen:])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (d *consoleDriver) say(line string) string {
	d.t.Helper()
	if _, err := io.WriteString(d.in, line+"\n"); err != nil {
		d.t.Fatal(err)
	}
	return d.wait()
}

var caseNoRe = regexp.MustCompile(`XF-\d{4}-\d{4,6}`)

func TestConsoleClickPressesThatCasesCard(t *testing.T) {
	d := startConsole(t, nil)
	d.say(":time 2026-03-16 09:05")
	d.say("演示数据")
	out := d.say(":run overdue")

	// The console admin's reminder card: the cases that have buttons, and
	// the buttons each has. Other people's cards are printed after it.
	i := strings.Index(out, "→ 私聊 "+consoleAdmin)
	if i < 0 {
		t.Fatalf("no reminder for the console admin:\n%s", out)
	}
	// The scan sends to people in no fixed order: the admin's card ends at
	// the next message printed, or at the prompt.
	mine := out[i+len("→ 私聊 "+consoleAdmin):]
	if j := strings.Index(mine, "→ "); j >= 0 {
		mine = mine[:j]
	}
	if !strings.Contains(out, "→ 私聊 ou_demo") {
		t.Fatalf("nobody but the admin was reminded: the test would not tell the cards apart:\n%s", out)
	}
	var withAck, noExtend []string
	var no string
	for _, line := range strings.Split(mine, "\n") {
		if m := caseNoRe.FindString(line); m != "" {
			no = m
		}
		if strings.Contains(line, "[已阅]") {
			withAck = append(withAck, no)
			if !strings.Contains(line, "[申请延期]") {
				noExtend = append(noExtend, no)
			}
		}
	}
	if len(withAck) < 3 || len(noExtend) < 1 {
		t.Fatalf("want 3 cases with 已阅 (one without 申请延期) on the admin's card:\n%s", mine)
	}
	first, second := withAck[0], withAck[1]

	t.Run("PressesTheButtonOfThatCase", func(t *testing.T) {
		got := d.say(":click 已阅 " + second)
		if !strings.Contains(got, second) || strings.Contains(got, first) || strings.Contains(got, "没有发给您") {
			t.Errorf(":click 已阅 %s answered:\n%s", second, got)
		}
	})
	t.Run("RefusesAButtonThatCardLacks", func(t *testing.T) {
		got := d.say(":click 申请延期 " + noExtend[0])
		if !strings.Contains(got, "最近一张 "+noExtend[0]+" 的卡片上没有“申请延期”按钮") || !strings.Contains(got, "已阅") {
			t.Errorf("answered:\n%s", got)
		}
	})
	t.Run("RefusesACaseNotShown", func(t *testing.T) {
		got := d.say(":click 已阅 XF-2026-9999")
		if !strings.Contains(got, "还没有显示过 XF-2026-9999") {
			t.Errorf("answered:\n%s", got)
		}
	})
	t.Run("AsksForTheCaseWhenTheCardHasSeveral", func(t *testing.T) {
		got := d.say(":click 明天再提醒")
		if !strings.Contains(got, "请写明案件号") {
			t.Errorf("answered:\n%s", got)
		}
	})
	t.Run("TheLatestCardOfTheCaseCounts", func(t *testing.T) {
		// 刷新 shows the case card, which has no 已阅: it is now the last
		// card shown for the case.
		third := withAck[2]
		if got := d.say(":click 刷新 " + third); !strings.Contains(got, "→ 卡片更新") || !strings.Contains(got, third) {
			t.Fatalf(":click 刷新 %s answered:\n%s", third, got)
		}
		got := d.say(":click 已阅 " + third)
		if !strings.Contains(got, "最近一张 "+third+" 的卡片上没有“已阅”按钮") || !strings.Contains(got, "刷新") {
			t.Errorf("answered:\n%s", got)
		}
	})
	t.Run("FixedButtonsNeedNoCard", func(t *testing.T) {
		got := d.say(":click 添加进展 XF-2026-0001 已电话联系信访人")
		if strings.Contains(got, "还没有显示过") || strings.Contains(got, "没有“") {
			t.Errorf("answered:\n%s", got)
		}
		if got := d.say("查看 XF-2026-0001"); !strings.Contains(got, "已电话联系信访人") {
			t.Errorf("the progress was not recorded:\n%s", got)
		}
	})
}

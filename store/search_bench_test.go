package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// A ledger of varied cases for the search benchmarks: titles from places and
// matters, people with names, phones and (half of them) ID numbers, two
// progress entries each, spread over 30 units and 20 localities.
var (
	benchPlaces  = strings.Fields("桂园 春风 云溪 金湖 东门 西岭 南山 北港 梅林 翠竹 松坪 荔湾 碧波 华侨 新村 长岭 石桥 龙井 凤凰 白沙 黄岗 青石 红岭 紫荆 玉兰 樱花 桃源 杏林 柳堤 枫叶")
	benchMatters = strings.Fields("回迁安置房延期交付 拖欠农民工工资 征地补偿款未到位 物业收费纠纷 违建拆除争议 噪音扰民 医疗费用报销 学位分配 低保资格认定 企业改制职工安置 养老保险补缴 宅基地确权 环境污染投诉 房屋质量问题 停车位产权纠纷")
	benchNotes   = []string{"已与开发商约谈，明确月底前交房。", "街道组织协调会，各方同意先行垫付。", "主责单位上门走访，信访人情绪平稳。", "已函告区人社局，督促限期答复。", "委托第三方评估，结果预计下月出具。"}
	benchSurname = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	benchGiven   = []rune("建国华明秀英丽军伟芳娜敏静强磊洋艳勇杰娟涛超兰霞平刚桂英文辉鹏红玲燕飞波斌宇浩凯")
)

func benchCase(i int, r *rand.Rand) *xfbot.Case {
	place := benchPlaces[r.IntN(len(benchPlaces))]
	matter := benchMatters[r.IntN(len(benchMatters))]
	c := newCase(place+"社区"+matter, today.AddDays(1+i%200))
	c.No = xfbot.FormatCaseNo(2026, i+1)
	c.Unit = "区单位" + strconv.Itoa(r.IntN(30))
	c.Area = place + "街道"
	if i%20 == 0 {
		c.Area = benchPlaces[r.IntN(20)] + "街道"
	}
	c.CreatedAt = now.Add(time.Duration(i-200_000) * time.Minute)
	name := string(benchSurname[r.IntN(len(benchSurname))]) + string(benchGiven[r.IntN(len(benchGiven))])
	if r.IntN(2) == 0 {
		name += string(benchGiven[r.IntN(len(benchGiven))])
	}
	c.Petitioner = xfbot.Petitioner{Name: name, Phone: fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))}
	if i%2 == 0 {
		c.Petitioner.IDCard = withCheck(fmt.Sprintf("%06d19%02d%02d%02d%03d", 110101+r.IntN(800000), 40+r.IntN(60), 1+r.IntN(12), 1+r.IntN(28), r.IntN(1000)))
	}
	return c
}

// withCheck appends the GB 11643 check character to 17 digits.
func withCheck(d string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, x := range w {
		sum += int(d[i]-'0') * x
	}
	return d + string("10X98765432"[sum%11])
}

// evalStats is the server's count and total time (µs) of EVALSHA calls.
func evalStats(tb testing.TB, rdb *redis.Client) (calls, usec int64) {
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, "cmdstat_evalsha:"); ok {
			for _, f := range strings.Split(v, ",") {
				k, x, _ := strings.Cut(f, "=")
				n, _ := strconv.ParseInt(x, 10, 64)
				switch k {
				case "calls":
					calls = n
				case "usec":
					usec = n
				}
			}
		}
	}
	return calls, usec
}

// fillSearch registers n varied cases with two progress entries each
// through Commit (16 writers), unless the prefix holds them already.
func fillSearch(tb testing.TB, rdb *redis.Client, st *store.Store, prefix string, n int) {
	ctx := context.Background()
	marker := "{" + prefix + "}:bench:filled"
	if v, _ := rdb.Get(ctx, marker).Int(); v == n {
		return
	}
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := range work {
				r := rand.New(rand.NewPCG(uint64(i), 7))
				c := benchCase(i, r)
				tx := st.NewTx()
				tx.CreateCase(c, 2026)
				for p := 0; p < 2; p++ {
					tx.AddProgress(store.NoPlaceholder, xfbot.Progress{At: now, Kind: xfbot.KindProgress, Text: benchNotes[r.IntN(len(benchNotes))]})
				}
				if _, err := st.Commit(ctx, tx); err != nil {
					tb.Error(err)
					return
				}
			}
		}(w)
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	rdb.Set(ctx, marker, n, 0)
}

// BenchmarkSearch measures store.Search (one script, the page's records
// included) over 100,000 varied cases, for each kind of query 搜索 makes.
// The fixture stays under its prefix between runs (bench_search_100000);
// BenchmarkSearchMemory removes it.
func BenchmarkSearch(b *testing.B) {
	rdb := realRedis(b)
	defer rdb.Close()
	const n = 100_000
	prefix := "bench_search_" + strconv.Itoa(n)
	st := store.New(rdb, prefix)
	fillSearch(b, rdb, st, prefix, n)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(uint64(4242), 7))
	c := benchCase(4242, r) // a case of the fixture: its name, phone and ID
	admin := xfbot.Audience{Role: xfbot.RoleAdmin}
	for _, tc := range []struct {
		name, typed string
		a           xfbot.Audience
	}{
		{"Name", c.Petitioner.Name, admin},
		{"PhoneTail4", c.Petitioner.Phone[7:], admin},
		{"PhoneMiddle7", c.Petitioner.Phone[2:9], admin},
		{"PhoneWhole", c.Petitioner.Phone, admin},
		{"ID", benchCase(4242, rand.New(rand.NewPCG(4242, 7))).Petitioner.IDCard, admin},
		{"WordCommon", "社区", admin},    // every case
		{"WordMatter", "回迁安置房", admin}, // one matter in fifteen
		{"WordRare", "桂园社区回迁", admin},  // one place and one matter: 1 case in 450
		{"Liaison", "回迁", xfbot.Audience{Role: xfbot.RoleLiaison, Unit: "区单位7"}},
		{"Serial", "4243", admin},
	} {
		q, err := xfbot.ParseSearch(tc.typed, 2026)
		if err != nil {
			b.Fatalf("%s %q: %v", tc.name, tc.typed, err)
		}
		sq := store.SearchQuery{Terms: st.Indexer().Terms(q, tc.a), Limit: 20}
		if q.No != "" {
			sq.Nos = []xfbot.CaseNo{q.No}
		}
		if tc.a.Role == xfbot.RoleLiaison {
			sq.Within = []string{tc.a.Unit}
		}
		b.Run(tc.name, func(b *testing.B) {
			var total int
			c0, u0 := evalStats(b, rdb)
			for i := 0; i < b.N; i++ {
				res, err := st.Search(ctx, sq)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total + len(res.Named)
			}
			if total == 0 {
				b.Fatalf("%s %q found nothing", tc.name, tc.typed)
			}
			c1, u1 := evalStats(b, rdb)
			b.ReportMetric(float64(total), "matches")
			if c1 > c0 { // the script's own time in Redis (other clients' EVALSHAs meanwhile included)
				b.ReportMetric(float64(u1-u0)/float64(c1-c0), "redis-µs/op")
			}
		})
	}
}

// BenchmarkSearchMemory reports the bytes per case the search index adds
// (used_memory before and after deleting its keys) over the fixture of
// BenchmarkSearch, and removes the fixture.
func BenchmarkSearchMemory(b *testing.B) {
	rdb := realRedis(b)
	defer rdb.Close()
	const n = 100_000
	prefix := "bench_search_" + strconv.Itoa(n)
	st := store.New(rdb, prefix)
	fillSearch(b, rdb, st, prefix, n)
	defer cleanup(b, rdb, prefix)
	ctx := context.Background()
	used := func() int64 {
		info, err := rdb.Info(ctx, "memory").Result()
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
		b.Fatal("no used_memory")
		return 0
	}
	var keys []string
	iter := rdb.Scan(ctx, 0, "{"+prefix+"}:v1:q:*", 5000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	before := used()
	for i := 0; i < len(keys); i += 1000 {
		rdb.Del(ctx, keys[i:min(i+1000, len(keys))]...) // DEL, not UNLINK: freed before the next reading
	}
	after := used()
	b.ReportMetric(float64(before-after)/n, "index-B/case")
	b.ReportMetric(float64(len(keys)), "index-keys")
	b.ReportMetric(float64(before)/n, "all-B/case")
	for i := 0; i < b.N; i++ {
	}
}

package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// MaxCommandRunes bounds one command. Longer messages are refused whole with a
// reply that says so; nothing of them is stored.
const MaxCommandRunes = 2000

// conflictRetries is how often a command is re-run on a fresh read when two
// people change one case at the same moment.
const conflictRetries = 3

// Handler handles one request. Its reply (and the write it carries) is
// committed by the mux, atomically with the event's dedupe marker.
type Handler interface {
	Handle(ctx context.Context, req *Request) (*Reply, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, req *Request) (*Reply, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, req *Request) (*Reply, error) { return f(ctx, req) }

// Route is one command in the routing table. Help and usage errors are
// generated from the same fields.
//
// A route with Subs is a command group (接访, 来信, 成员 …): the word after
// the verb picks a subcommand, which is a route of its own with its usage,
// example, role rule and handler. A subcommand inherits the group's rule
// (Write, Admin, Staff, Private, Public, Refusal) on top of its own.
type Route struct {
	Verb    string   // the Chinese command word (of a subcommand: the word after the group's verb)
	Aliases []string // English and other aliases
	Args    string   // usage of the arguments, e.g. "<案件号> <内容>"
	Summary string
	Example string
	Section string // help section (a subcommand's is its group's)

	Case bool // the first word is a case number; the case is loaded into req.Case
	// Registry: the handler resolves names (units, localities, categories);
	// the registry is read with the request (Request.Registry), so that
	// the command stays one read and one commit.
	Registry bool
	// Members: the handler reads every member record (to tell approvers,
	// a unit's liaisons): read with the request (Request.Members).
	Members bool
	// Plan: the handler reads the case's plan (方案): read with the
	// request (Request.Plans).
	Plan bool
	// Named: the command names records by number in its words (案件:XF-…,
	// 接访:JF-…, 接访 记录 JF-…); those written in full are read with the
	// request (Request.NamedCase, NamedReception).
	Named bool
	// Preload adds to what is read with the request what the handler will
	// decide on and the words alone tell (新建: the petitioner, for the
	// repeat-petition lookup, Request.Petitioner). It must not fail: what
	// it cannot tell, the handler reads itself.
	Preload func(req *Request, spec *store.LoadSpec)
	Write   bool // changes the ledger: refused to read-only roles
	// Undo: a write of the named case alone, which its author may reverse
	// with 撤销 within store.UndoWindow (not 销号, 重开, nor writes that
	// change other records or tell others what they must do).
	Undo   bool
	Admin  bool // admins only
	Staff  bool // the task force's own work: admins and task-force members only
	Public bool // also for non-members (帮助)
	// Private refuses the route, typed or as a card's button, in a group
	// chat: its replies carry free text about a petitioner that no mask can
	// vouch for.
	Private bool
	// Refusal is what a member refused by the Admin or Staff rule reads
	// instead of the generic refusal: who does it, and what to do instead.
	Refusal string

	Handler Handler // nil for a command group

	// Subs are a command group's subcommands. Their words (and aliases) are
	// unique within the group; registering one twice panics.
	Subs []Route
	// Bare marks the subcommand run when the group's verb comes alone
	// (接访 → 接访 本月).
	Bare bool
	// Fallback marks the subcommand that takes the words when the next one
	// is no subcommand word (来信 @领导 …, 接访 2026-04): it gets every word
	// after the group's verb, and its usage omits its own word. Its handler
	// returns ErrNoSubcommand when the words are not its either; the group
	// then answers with its subcommands.
	Fallback bool

	parent   *Route
	subs     []*Route
	byWord   map[string]*Route
	bare     *Route
	fallback *Route
}

// ErrNoSubcommand is what a Fallback subcommand returns for words that are
// not its: the mux answers that the group has no such subcommand.
var ErrNoSubcommand = errors.New("bot: no such subcommand")

// Name is the command as typed: the verb, or "接访 安排" for a subcommand.
func (r *Route) Name() string {
	if r.parent != nil {
		return r.parent.Verb + " " + r.Verb
	}
	return r.Verb
}

// Parent is the command group of a subcommand (nil for a command).
func (r *Route) Parent() *Route { return r.parent }

// Subcommands are a command group's subcommands, in registration order.
func (r *Route) Subcommands() []*Route { return r.subs }

// Sub finds a group's subcommand by its typed word or alias
// (case-insensitive, full-width tolerant).
func (r *Route) Sub(word string) *Route {
	return r.byWord[strings.ToLower(xfbot.Normalize(word))]
}

// Usage is the route's usage line. A group's names its subcommands.
func (r *Route) Usage() string {
	switch {
	case r.parent != nil && r.Fallback:
		return strings.TrimSpace(r.parent.Verb + " " + r.Args)
	case r.parent != nil:
		return strings.TrimSpace(r.Name() + " " + r.Args)
	case len(r.subs) > 0:
		words := make([]string, len(r.subs))
		for i, s := range r.subs {
			words[i] = s.Verb
		}
		return r.Verb + " " + strings.Join(words, "|")
	}
	return strings.TrimSpace(r.Verb + " " + r.Args)
}

// ActionRoute is one card action. A button is a command: Verb names the
// command it stands for ("来信 批示" for a subcommand), and the action is
// checked by that route's role rule (Write, Admin, Staff, Private, Public),
// so that a forged callback gets what the typed command would. Case actions
// carry the case number in the button value under "no".
type ActionRoute struct {
	Name    string
	Verb    string // the command this action stands for; must be registered first
	Case    bool
	Handler Handler

	route *Route
}

// MuxOptions configure a Mux.
type MuxOptions struct {
	Admins   []string // open_ids that are always admins (from config)
	Leaders  []string // open_ids that are leaders even without a member record (from config)
	Location *time.Location
	Metrics  *Metrics
	Logger   *slog.Logger
	// LightGroupReplies: in a group, a write answers with one line (✅ 已记录
	// 进展 XF-…) instead of the whole case card, and a write that replies
	// to a case card updates that card in place; 查看 and every read still
	// show the card, private chats always do (group.replies: light).
	LightGroupReplies bool
}

// Mux routes requests to handlers and commits their replies: the one place
// that checks roles, loads the case a command names, turns errors into
// Chinese replies, and queues every reply in the outbox atomically with the
// event's dedupe marker and the handler's write.
type Mux struct {
	st      *store.Store
	routes  []*Route
	byWord  map[string]*Route
	actions map[string]*ActionRoute
	admins  map[string]bool
	leaders []string
	loc     *time.Location
	metrics *Metrics
	log     *slog.Logger
	light   bool // MuxOptions.LightGroupReplies
}

// NewMux returns an empty mux committing to st.
func NewMux(st *store.Store, opt MuxOptions) *Mux {
	m := &Mux{st: st, byWord: map[string]*Route{}, actions: map[string]*ActionRoute{}, admins: map[string]bool{},
		loc: opt.Location, metrics: opt.Metrics, log: opt.Logger, light: opt.LightGroupReplies}
	for _, a := range opt.Admins {
		m.admins[a] = true
	}
	m.leaders = append([]string(nil), opt.Leaders...)
	if m.loc == nil {
		m.loc = time.UTC
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	return m
}

// Location is the ledger's time zone.
func (m *Mux) Location() *time.Location { return m.loc }

// Leaders are the open_ids configured as leaders (MuxOptions.Leaders).
func (m *Mux) Leaders() []string { return append([]string(nil), m.leaders...) }

// Admins are the open_ids configured as admins (MuxOptions.Admins), sorted:
// the task-force lead, who approves extensions and hears of deadline changes.
func (m *Mux) Admins() []string {
	out := make([]string, 0, len(m.admins))
	for id := range m.admins {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Handle registers a route (and its subcommands). Registering a word twice
// is a programming error and panics at start-up, like net/http.
func (m *Mux) Handle(r Route) {
	rt := &r
	for _, w := range append([]string{r.Verb}, r.Aliases...) {
		w = strings.ToLower(w)
		if _, dup := m.byWord[w]; dup {
			panic("bot: command word registered twice: " + w)
		}
		m.byWord[w] = rt
	}
	if len(r.Subs) > 0 {
		if r.Handler != nil || r.Case {
			panic("bot: command group " + r.Verb + " has a handler or a case of its own; its subcommands do")
		}
		rt.byWord = map[string]*Route{}
		for _, sr := range r.Subs {
			rt.attach(sr)
		}
		rt.Subs = nil // the table lives in subs: one copy
	} else if r.Handler == nil {
		panic("bot: command " + r.Verb + " has no handler")
	}
	m.routes = append(m.routes, rt)
}

// attach adds a subcommand to the group r, which it inherits the rule of.
func (r *Route) attach(sr Route) {
	s := &sr
	switch {
	case s.Verb == "":
		panic("bot: command group " + r.Verb + " has a subcommand without a word")
	case len(s.Subs) > 0:
		panic("bot: subcommand " + r.Verb + " " + s.Verb + " has subcommands of its own")
	case s.Handler == nil:
		panic("bot: subcommand " + r.Verb + " " + s.Verb + " has no handler")
	case s.Bare && r.bare != nil:
		panic("bot: command group " + r.Verb + " has two Bare subcommands: " + r.bare.Verb + ", " + s.Verb)
	case s.Fallback && r.fallback != nil:
		panic("bot: command group " + r.Verb + " has two Fallback subcommands: " + r.fallback.Verb + ", " + s.Verb)
	}
	for _, w := range append([]string{s.Verb}, s.Aliases...) {
		w = strings.ToLower(xfbot.Normalize(w))
		if _, dup := r.byWord[w]; dup {
			panic("bot: subcommand word registered twice: " + r.Verb + " " + w)
		}
		r.byWord[w] = s
	}
	s.parent, s.Section = r, r.Section
	s.Write, s.Admin, s.Staff, s.Private = s.Write || r.Write, s.Admin || r.Admin, s.Staff || r.Staff, s.Private || r.Private
	s.Public = s.Public || r.Public
	if s.Refusal == "" {
		s.Refusal = r.Refusal
	}
	if s.Bare {
		r.bare = s
	}
	if s.Fallback {
		r.fallback = s
	}
	r.subs = append(r.subs, s)
}

// HandleAction registers a card action. Its Verb must name a registered
// command or subcommand ("排班 确认"; a programming error panics at
// start-up): the action inherits that route's role rule.
func (m *Mux) HandleAction(r ActionRoute) {
	if _, dup := m.actions[r.Name]; dup {
		panic("bot: card action registered twice: " + r.Name)
	}
	if r.route = m.Find(r.Verb); r.route == nil || r.route.Name() != r.Verb {
		panic("bot: card action " + r.Name + " stands for no registered command: " + r.Verb)
	}
	m.actions[r.Name] = &r
}

// ActionVerb is the command a card action stands for ("" for none).
func (m *Mux) ActionVerb(name string) string {
	if ar := m.actions[name]; ar != nil {
		return ar.Verb
	}
	return ""
}

// Routes returns the routing table in registration order (for help).
func (m *Mux) Routes() []*Route { return m.routes }

// Lookup finds the route for a typed word (case-insensitive, full-width
// tolerant, a leading "/" ignored).
func (m *Mux) Lookup(word string) *Route {
	return m.byWord[strings.ToLower(strings.TrimPrefix(xfbot.Normalize(word), "/"))]
}

// Find finds a command or a subcommand by what is typed: "接访", "接访 安排",
// "reception schedule". A group named with a word that is none of its
// subcommands is not found.
func (m *Mux) Find(name string) *Route {
	first, rest := splitVerb(name)
	rt := m.Lookup(first)
	if rt == nil {
		return nil
	}
	if word, after := splitVerb(rest); word != "" {
		if strings.TrimSpace(after) != "" {
			return nil
		}
		return rt.Sub(word)
	}
	return rt
}

// ActionResponse is what a card callback returns to Feishu: a toast and,
// optionally, the card that replaces the clicked one.
type ActionResponse struct {
	Toast     string
	ToastKind string // info, success, error, warning
	Card      *Card
}

// ServeMessage handles a chat command end to end. It returns an error only
// when the outcome could not be made durable (Redis unreachable); the
// transport then refuses the event so that Feishu delivers it again.
func (m *Mux) ServeMessage(ctx context.Context, req *Request) error {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		verb, rt, reply, err := m.runMessage(ctx, req)
		if errors.Is(err, errStore) {
			m.metrics.Command(verb, "store_error", time.Since(start))
			return err
		}
		if unconfirmed(req, err) {
			return errReroute
		}
		res := "ok"
		if err != nil {
			res = xfbot.ErrorCode(err)
			reply = m.errorReply(req, verb, rt, err)
		}
		if reply == nil {
			m.metrics.Command(verb, "ignored", time.Since(start))
			return nil
		}
		err = m.commit(ctx, req, reply, false)
		switch {
		case err == nil:
			m.metrics.Command(verb, res, time.Since(start))
			return nil
		case errors.Is(err, store.ErrDuplicate):
			m.metrics.Command(verb, "duplicate", time.Since(start))
			return nil
		case xfbot.ErrorCode(err) == xfbot.ECONFLICT && attempt < conflictRetries:
			continue // someone else changed the case: decide again on a fresh read
		case xfbot.ErrorCode(err) == xfbot.ECONFLICT, xfbot.ErrorCode(err) == xfbot.EINVALID:
			// Someone else kept changing the case, or the commit's own
			// check refused it (a leader's slot already taken): the
			// sender reads why, and nothing of the command is written.
			code := xfbot.ErrorCode(err)
			reply = m.errorReply(req, verb, rt, err)
			if err = m.commit(ctx, req, reply, false); err == nil || errors.Is(err, store.ErrDuplicate) {
				m.metrics.Command(verb, code, time.Since(start))
				return nil
			}
		}
		m.metrics.Command(verb, "store_error", time.Since(start))
		return err
	}
}

// ServeAction handles a card callback. Its reply is returned (Feishu shows
// the toast and swaps the card at once) rather than queued; notices and the
// write are committed first, with the dedupe marker.
func (m *Mux) ServeAction(ctx context.Context, req *Request) (*ActionResponse, error) {
	start := time.Now()
	name := ""
	if req.Action != nil {
		name = req.Action.Name
	}
	ar := m.actions[name]
	if ar == nil && req.route != nil {
		return nil, errReroute // the district that sent the card may know it
	}
	if ar == nil {
		m.metrics.Command("card:"+name, "unknown", time.Since(start))
		return &ActionResponse{Toast: "这个按钮已失效，请发送“查看 案件号”获取新卡片。", ToastKind: "warning"}, nil
	}
	req.Verb = "card:" + name
	// A card is rendered for one audience; clicked anywhere else (forwarded
	// to a group, say) it is treated as a group, so it never unmasks.
	req.Group = req.Action.Value["g"] != "0" || req.Action.Value["c"] != req.ChatID
	for attempt := 1; ; attempt++ {
		reply, err := m.runAction(ctx, req, ar)
		if errors.Is(err, errStore) {
			m.metrics.Command(req.Verb, "store_error", time.Since(start))
			return nil, err
		}
		if unconfirmed(req, err) {
			return nil, errReroute
		}
		if err != nil {
			m.metrics.Command(req.Verb, xfbot.ErrorCode(err), time.Since(start))
			if xfbot.ErrorCode(err) == xfbot.EINTERNAL {
				m.log.Error("card action failed", "action", name, "event", req.EventID, "err", err)
			}
			toast := xfbot.ErrorMessage(err)
			if req.Group {
				toast, _ = ForGroup(toast, nil)
			}
			return &ActionResponse{Toast: toast, ToastKind: "error"}, nil
		}
		err = m.commit(ctx, req, reply, true)
		switch {
		case err == nil:
			m.metrics.Command(req.Verb, "ok", time.Since(start))
			return actionResponse(req, reply), nil
		case errors.Is(err, store.ErrDuplicate), errors.Is(err, store.ErrAlreadySent):
			// The same event again, or the same confirmation pressed twice at
			// one instant: what it asked for is done, once.
			m.metrics.Command(req.Verb, "duplicate", time.Since(start))
			return &ActionResponse{Toast: "已处理。", ToastKind: "info", Card: reply.Card}, nil
		case xfbot.ErrorCode(err) == xfbot.ECONFLICT && attempt < conflictRetries:
			continue
		case xfbot.ErrorCode(err) == xfbot.ECONFLICT, xfbot.ErrorCode(err) == xfbot.EINVALID:
			toast := xfbot.ErrorMessage(err)
			if req.Group {
				toast, _ = ForGroup(toast, nil)
			}
			return &ActionResponse{Toast: toast, ToastKind: "warning"}, nil
		}
		m.metrics.Command(req.Verb, "store_error", time.Since(start))
		return nil, err
	}
}

// unconfirmed reports whether req was sent here on a guess that its
// outcome err did not confirm: refused by the check, or answered on a path
// that read nothing (an input refused before the load). Such a request is
// neither committed nor answered here.
func unconfirmed(req *Request, err error) bool {
	return req.route != nil && (errors.Is(err, errReroute) || !req.route.done)
}

func (m *Mux) runAction(ctx context.Context, req *Request, ar *ActionRoute) (reply *Reply, err error) {
	defer func() {
		if p := recover(); p != nil {
			m.log.Error("panic in card action", "action", ar.Name, "panic", p, "stack", string(debug.Stack()))
			reply, err = nil, fmt.Errorf("bot: panic in %s: %v", ar.Name, p)
		}
	}()
	return m.run(ctx, req, ar.Case, ar.route, ar.Handler)
}

func actionResponse(req *Request, r *Reply) *ActionResponse {
	resp := &ActionResponse{Toast: r.Toast, ToastKind: "success", Card: r.Card}
	if resp.Toast == "" && r.Card == nil {
		resp.Toast = r.Text
	}
	if req.Group {
		resp.Toast, resp.Card = ForGroup(resp.Toast, resp.Card)
	}
	return resp
}

var errStore = errors.New("bot: store unavailable")

// fullCaseNo and fullReceptionID are numbers written in full, as a
// command's words name other records (Route.Named); at most maxNamed of
// each are read with a request.
var (
	fullCaseNo      = regexp.MustCompile(`XF-\d{4}-\d{4,6}`)
	fullReceptionID = regexp.MustCompile(`JF-\d{4}-\d{4,6}`)
)

const maxNamed = 50

// runMessage routes a typed command: the verb, then, for a command group,
// the subcommand by the next word. It returns the command's name (for
// metrics and logs) and the route whose usage a usage error shows (nil for
// none).
func (m *Mux) runMessage(ctx context.Context, req *Request) (verb string, rt *Route, reply *Reply, err error) {
	defer func() {
		if p := recover(); p != nil {
			m.log.Error("panic in handler", "verb", verb, "panic", p, "stack", string(debug.Stack()))
			reply, err = nil, fmt.Errorf("bot: panic in %s: %v", verb, p)
		}
	}()
	if req.Text == nonTextCommand {
		return "non-text", nil, nil, errNonText()
	}
	// Feishu's JSON carries valid UTF-8; anything else (the console, a
	// broken client) is made valid once, here, rather than echoed back.
	req.Text = strings.ToValidUTF8(req.Text, "\uFFFD")
	text := strings.TrimSpace(req.Text)
	if xfbot.RuneLen(text) > MaxCommandRunes {
		return "-", nil, nil, xfbot.Errorf(xfbot.EINVALID, "消息太长（%d 字），一条命令请控制在 %d 字以内；较长的进展可以分几次记录。", xfbot.RuneLen(text), MaxCommandRunes)
	}
	// A reply to a case card (Feishu's reply: parent_id) acts on its case.
	onCard, err := m.replyCases(ctx, req)
	if err != nil {
		return "-", nil, nil, err
	}
	if req.File != nil { // a file or image: the import, an attachment, or a refusal (attach.go)
		ok := false
		if text, ok, err = m.fileCommand(ctx, req, onCard, text); err != nil || !ok {
			return "file", nil, nil, err
		}
		if text == nonTextCommand {
			return "non-text", nil, nil, errNonText()
		}
		onCard = nil
	}
	if len(onCard) > 0 {
		text = replyVerb(text)
		if len(onCard) == 1 {
			req.onCard = onCard[0]
		}
	}
	first, rest := splitVerb(text)
	if first == "" {
		first = "帮助"
	}
	if rt = m.Lookup(first); rt == nil {
		switch {
		case len(onCard) == 0:
			return "unknown", nil, nil, m.unknownVerb(first)
		case len(onCard) > 1 && !isCaseNo(first):
			return "进展", nil, nil, xfbot.Errorf(xfbot.EINVALID, "这张卡片列出 %d 件案件（%s 等），回复时请写明是哪一件，例如“进展 %s 已与开发商约谈”。",
				len(onCard), onCard[0], onCard[0])
		}
		// Plain text answering the card: 进展 on its case (or on the case
		// the text starts with).
		first, rest, rt = "进展", text, m.Lookup("进展")
		if rt == nil {
			return "unknown", nil, nil, m.unknownVerb(first)
		}
	}
	req.Verb, req.Sub = rt.Verb, ""
	if g := rt; len(g.subs) > 0 {
		word, after := splitVerb(rest)
		switch rt = g.Sub(word); {
		case rt != nil:
			rest = after
		case word == "" && g.bare != nil:
			rt = g.bare
		case g.fallback != nil:
			rt = g.fallback // it takes every word after the verb
		default:
			return g.Verb, nil, nil, unknownSub(g, word)
		}
		req.Sub = rt.Verb
	}
	if len(onCard) == 1 && rt.Case {
		// The card names the case: a command that takes one gets it, unless
		// the text names one itself.
		if w, _ := splitVerb(rest); !isCaseNo(w) {
			rest = string(onCard[0]) + " " + rest
		}
	}
	req.Args = splitArgs(rest)
	reply, err = m.run(ctx, req, rt.Case, rt, rt.Handler)
	if errors.Is(err, ErrNoSubcommand) && rt.parent != nil {
		return rt.parent.Verb, nil, nil, unknownSub(rt.parent, req.Args.Word(0))
	}
	return rt.Name(), rt, reply, err
}

// Run routes text as if req's sender had typed it in req's chat: the same
// lookup, role rules (Write, Admin, Staff, Private: a card clicked in a
// group is a group's), case loading, checks and handler as a typed
// message, but nothing is committed or sent: the reply, with its Tx and
// notices, is returned for the caller to commit with its own write. It is
// how a card button of one feature runs a command of another ("a button
// is a command": 会诊's 转为措施 runs 方案 措施 as the clicking user). req is
// not changed; the command sees its Sender, Time, chat, EventID and
// Mentions, and no Action. An invalid input's error carries the command's
// usage and example, as a typed command's reply would.
func (m *Mux) Run(ctx context.Context, req *Request, text string) (*Reply, error) {
	cp := *req
	cp.Text, cp.Action = text, nil
	cp.route = nil // req's district is confirmed: it runs the handler calling Run
	cp.Verb, cp.Sub, cp.Args, cp.Member, cp.Case, cp.Recent = "", "", Args{}, xfbot.Member{}, nil, nil
	_, rt, reply, err := m.runMessage(ctx, &cp)
	if err != nil && xfbot.ErrorCode(err) == xfbot.EINVALID && rt != nil {
		msg := xfbot.ErrorMessage(err) + "\n用法：" + rt.Usage()
		if rt.Example != "" {
			msg += "\n例如：" + rt.Example
		}
		return nil, xfbot.Errorf(xfbot.EINVALID, "%s", msg)
	}
	return reply, err
}

// replyCases are the cases of the card req replies to (its parent, else
// its thread's root): none for a new message, a card callback, or a reply
// to anything but a case card.
func (m *Mux) replyCases(ctx context.Context, req *Request) ([]xfbot.CaseNo, error) {
	if req.Action != nil || (req.ParentID == "" && req.RootID == "") {
		return nil, nil
	}
	nos, id, err := m.st.MessageCases(ctx, req.ParentID, req.RootID)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errStore, err)
	}
	req.cardMessage = id
	return nos, nil
}

// cardAbout reports whether card is about case no alone (a case card, not
// a list): the one a reply to a case card may replace in place.
func cardAbout(card *Card, no xfbot.CaseNo) bool {
	cs := CardCases(card)
	return len(cs) == 1 && cs[0] == string(no)
}

// lightLine is a write's one-line answer in a group: what happened, and
// the case it happened to (from the card), masked like everything the
// group reads.
func lightLine(text string, card *Card) string {
	line := strings.TrimSpace(strings.SplitN(text, "\n", 2)[0])
	if cs := CardCases(card); len(cs) == 1 && !strings.Contains(line, cs[0]) {
		line += " " + cs[0]
	}
	if !strings.HasPrefix(line, "✅") && !strings.HasPrefix(line, "⚠") {
		line = "✅ " + line
	}
	return line
}

// replyVerbs are the prefixes a reply to a card may start with to choose
// what it records ("下访：上门走访……").
var replyVerbs = []string{"进展", "下访", "化解", "回访", "稳控"}

// replyVerb turns "下访：内容" into "下访 内容".
func replyVerb(text string) string {
	for _, v := range replyVerbs {
		if rest, ok := strings.CutPrefix(text, v); ok {
			for _, sep := range []string{"：", ":"} {
				if r, ok := strings.CutPrefix(rest, sep); ok {
					return v + " " + strings.TrimSpace(r)
				}
			}
		}
	}
	return text
}

// isCaseNo reports whether w is a whole case number (XF-2026-0012): a bare
// serial after a verb replying to a card is an argument (延期 20 …), never
// read as a case.
func isCaseNo(w string) bool {
	_, err := xfbot.ParseCaseNo(w)
	return err == nil
}

// unknownSub answers a word after a group's verb that is none of its
// subcommands: it names them, and the closest one if the word is near.
func unknownSub(g *Route, word string) error {
	words := make([]string, 0, len(g.subs))
	best, bestD := "", 1<<30
	lw := strings.ToLower(xfbot.Normalize(word))
	for _, s := range g.subs {
		if !s.Fallback || s.Bare {
			words = append(words, s.Verb)
		}
		for _, w := range append([]string{s.Verb}, s.Aliases...) {
			if d := xfbot.EditDistance(lw, strings.ToLower(w)); d < bestD {
				best, bestD = s.Name(), d
			}
		}
	}
	list := strings.Join(words, "、")
	if g.fallback != nil && !g.fallback.Bare {
		list += "，或 " + strings.Fields(g.fallback.Args + " " + g.fallback.Verb)[0]
	}
	msg := fmt.Sprintf("“%s”后面应写 %s", g.Verb, list)
	switch {
	case word == "":
		msg += "。"
	case bestD <= 1 && xfbot.RuneLen(word) > 1:
		msg += fmt.Sprintf("；没有“%s %s”，您是不是想用“%s”？", g.Verb, xfbot.Echo(word, 10), best)
	default:
		msg += fmt.Sprintf("；没有“%s %s”。", g.Verb, xfbot.Echo(word, 10))
	}
	if len(g.subs) == 1 { // the one way to say it
		msg += "\n用法：" + g.subs[0].Usage()
		if g.subs[0].Example != "" {
			msg += "\n例如：" + g.subs[0].Example
		}
		return xfbot.Errorf(xfbot.EINVALID, "%s", msg)
	}
	return xfbot.Errorf(xfbot.EINVALID, "%s\n发送“帮助 %s”查看每个子命令的用法和例子。", msg, g.Verb)
}

// run loads what the request needs, checks the role by rt's rule (the
// command's, or the command a card action stands for) and calls h.
func (m *Mux) run(ctx context.Context, req *Request, wantCase bool, rt *Route, h Handler) (*Reply, error) {
	write, admin, public := rt.Write, rt.Admin, rt.Public
	req.write, req.undo = write, rt.Undo
	var no xfbot.CaseNo
	if wantCase {
		raw := ""
		if req.Action != nil {
			raw = req.Action.Value["no"]
		} else {
			raw = req.Args.Word(0)
		}
		if raw == "" {
			return nil, xfbot.Errorf(xfbot.EINVALID, "缺少案件号。")
		}
		var err error
		if no, err = xfbot.ParseCaseNoIn(raw, xfbot.DateOf(req.Time, m.loc).Year); err != nil {
			return nil, err
		}
	}
	req.Loc = m.loc
	spec := store.LoadSpec{OpenID: req.Sender.OpenID, No: no, Registry: rt.Registry, Members: rt.Members, Plan: rt.Plan}
	for _, p := range req.Mentions {
		if p.OpenID != "" && !slices.Contains(spec.Mentions, p.OpenID) {
			spec.Mentions = append(spec.Mentions, p.OpenID)
		}
	}
	if rt.Named {
		for _, s := range fullCaseNo.FindAllString(req.Text, maxNamed) {
			if n := xfbot.CaseNo(s); n != no && !slices.Contains(spec.Cases, n) {
				spec.Cases = append(spec.Cases, n)
			}
		}
		for _, s := range fullReceptionID.FindAllString(req.Text, maxNamed) {
			if id := xfbot.ReceptionID(s); !slices.Contains(spec.Receptions, id) {
				spec.Receptions = append(spec.Receptions, id)
			}
		}
	}
	if rt.Preload != nil {
		rt.Preload(req, &spec)
	}
	if req.route != nil {
		spec.Tenants = &req.route.query
	}
	l, err := m.st.LoadFor(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errStore, err)
	}
	if req.route != nil {
		// Sent here on a guess: what the load read must route here too
		// before anything is decided (Tenants.route).
		if err := req.route.verify(l.Tenants); err != nil {
			return nil, err
		}
		req.route.done = true
	}
	req.Registry, req.mentioned = l.Registry, l.Mentioned
	req.members, req.membersOK = l.Members, rt.Members
	req.plans, req.plansOK = l.Plans, rt.Plan && no != "" && l.Case != nil
	req.named, req.namedRcp = l.Cases, l.Receptions
	req.petitioner = l.Petitioner
	req.Member = xfbot.Member{OpenID: req.Sender.OpenID, Name: req.Sender.Name}
	if l.Member != nil {
		req.Member = *l.Member
		if req.Member.Name == "" {
			req.Member.Name = req.Sender.Name
		}
	}
	if m.admins[req.Sender.OpenID] {
		req.Member.Role = xfbot.RoleAdmin
	} else if req.Member.Role == "" && slices.Contains(m.leaders, req.Sender.OpenID) {
		req.Member.Role = xfbot.RoleLeader
	}
	name := rt.Name()
	quoted := name
	if rt.parent != nil {
		quoted = "“" + name + "”"
	}
	switch {
	case !public && !req.Member.IsMember() && req.Tenancy != nil && req.Tenancy.City:
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您是市级用户：可以发送“全市 统计”“全市 月报”查看各区的数字。案件由各区专班办理，市级不查看案件和信访人信息。")
	case !public && !req.Member.IsMember():
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您还不是专班成员，暂时不能使用这个命令。请联系专班管理员发送“成员 添加 @您 专班成员”把您加入。")
	case rt.Private && inGroup(req):
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "“%s”只能在私聊中使用：内容可能含有信访人信息，请在与机器人的私聊中办理。", name)
	case rt.Staff && !isStaff(req.Member) && rt.Refusal != "":
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "%s", rt.Refusal)
	case rt.Staff && !isStaff(req.Member):
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "%s由专班成员办理，您的角色是%s。", quoted, req.Member.Role.Label())
	case write && !req.Member.CanWrite():
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您的角色是%s，只能查看，不能修改。", req.Member.Role.Label())
	case admin && !req.Member.CanManage() && rt.Refusal != "":
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "%s", rt.Refusal)
	case admin && !req.Member.CanManage():
		return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "只有专班管理员可以执行“%s”。", name)
	}
	if wantCase {
		if l.Case == nil {
			return nil, xfbot.Errorf(xfbot.ENOTFOUND, "没有找到案件 %s，请检查案件号；发送“列表”可查看在办案件。", no)
		}
		if !req.Member.CanSee(l.Case) {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "案件 %s 不属于您所在单位，无权查看。", no)
		}
		if write && !req.Member.CanEdit(l.Case) {
			return nil, xfbot.Errorf(xfbot.EFORBIDDEN, "您只能修改本单位或您包保的案件，%s 不在其中。", no)
		}
		req.Case, req.Recent = l.Case, l.Recent
	}
	return h.Handle(ctx, req)
}

// isStaff: the task force itself, admins and task-force members.
func isStaff(m xfbot.Member) bool { return m.Role == xfbot.RoleAdmin || m.Role == xfbot.RoleMember }

// inGroup tells whether a request is in a group chat, for the Private rule.
// A message says so itself. A card callback does not say where it was
// clicked; the card's value does where it was rendered (g) and for which
// chat (c): rendered for a group, or clicked in another chat than its own
// (forwarded), it is a group's. A card that says neither was sent to a
// private chat by the handler that made it (the letter cards are).
func inGroup(req *Request) bool {
	if req.Action == nil {
		return req.Group
	}
	v := req.Action.Value
	return v["g"] == "1" || (v["c"] != "" && v["c"] != req.ChatID)
}

// commit queues the reply (unless it is returned to a card callback) and
// commits it with the handler's write and the dedupe marker. A conflict re-runs
// the whole request on a fresh read.
func (m *Mux) commit(ctx context.Context, req *Request, reply *Reply, isAction bool) error {
	tx := reply.Tx
	if tx == nil {
		tx = m.st.NewTx()
	}
	tx.DedupeID = req.EventID
	if req.undo && req.Case != nil {
		verb := req.Verb
		if req.Sub != "" {
			verb += " " + req.Sub
		}
		tx.RecordUndo(req.Sender.OpenID, verb, req.Time, req.Case) // kept only if tx updates that case
	}
	n := 0
	enqueue := func(om store.OutboundMessage) {
		om.ID = messageUUID(req.EventID, n)
		om.EnqueuedAt = req.Time
		n++
		tx.Enqueue(om)
	}
	if !isAction {
		text, card := reply.Text, reply.Card
		if req.Group {
			text, card = ForGroup(text, card)
		}
		if m.light && req.Group && req.write && card != nil && text != "" {
			// One line in the busy group; the card it came from, if any, shows the rest.
			if req.onCard != "" && req.cardMessage != "" && cardAbout(card, req.onCard) {
				if om, ok := render("", card); ok && om.MsgType == "interactive" {
					om.Kind, om.ReplyTo, om.ChatID, om.Cases = store.KindPatch, req.cardMessage, req.ChatID, nil
					enqueue(om)
				}
			}
			text, card = lightLine(text, card), nil
		}
		if om, ok := render(text, card); ok {
			om.Kind, om.ReplyTo, om.ChatID = store.KindReply, req.MessageID, req.ChatID
			if req.MessageID == "" { // a request with nothing to reply to
				om.Kind, om.ReceiveIDType, om.ReceiveID = store.KindSend, "chat_id", req.ChatID
			}
			enqueue(om)
		}
	}
	for _, nt := range reply.Notices {
		text, card := nt.Text, nt.Card
		if nt.ChatID != "" {
			text, card = ForGroup(text, card)
		}
		om, ok := render(text, card)
		if !ok {
			continue
		}
		om.Kind = store.KindSend
		if nt.ChatID != "" {
			om.ReceiveIDType, om.ReceiveID, om.ChatID = "chat_id", nt.ChatID, nt.ChatID
		} else {
			om.ReceiveIDType, om.ReceiveID = "open_id", nt.OpenID
		}
		enqueue(om)
	}
	_, err := m.st.Commit(ctx, tx)
	return err
}

// ForGroup is the last guard of what goes to a group chat: whatever the
// renderings did, no phone or ID number typed into free text leaves whole
// (xfbot.MaskText with the group's audience over the text and every string
// of the card, before either is encoded). Names are masked where the case is
// known, by the renderings themselves.
func ForGroup(text string, card *Card) (string, *Card) {
	g := func(s string) string { return xfbot.MaskText(s, nil, xfbot.GroupAudience) }
	return g(text), card.Map(g)
}

// render turns text and/or a card into an outbound message body.
func render(text string, card *Card) (store.OutboundMessage, bool) {
	if card != nil {
		js, err := card.JSON()
		if err == nil {
			t := card.Text()
			if text != "" {
				t = text + "\n" + t
			}
			return store.OutboundMessage{MsgType: "interactive", Content: js, Text: t, Cases: CardCases(card)}, true
		}
		text = strings.TrimSpace(text + "\n" + card.Text())
	}
	if text == "" {
		return store.OutboundMessage{}, false
	}
	return store.OutboundMessage{MsgType: "text", Content: TextContent(text), Text: text}, true
}

// messageUUID derives the Feishu idempotency uuid of the n-th message queued
// for an event: a handler re-run after a conflict queues the same ids.
func messageUUID(eventID string, n int) string {
	if eventID == "" {
		eventID = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	sum := sha256.Sum256([]byte(eventID + "#" + strconv.Itoa(n)))
	return hex.EncodeToString(sum[:16])
}

// errorReply turns an error into the reply the user reads. Invalid input gets
// the route's usage and example; internal errors are logged, never shown.
func (m *Mux) errorReply(req *Request, verb string, rt *Route, err error) *Reply {
	code := xfbot.ErrorCode(err)
	if code == xfbot.EINTERNAL {
		m.log.Error("command failed", "verb", verb, "event", req.EventID, "user", req.Sender.OpenID, "err", err)
	}
	msg := xfbot.ErrorMessage(err)
	if code == xfbot.EINVALID && rt != nil {
		// A subcommand's own usage, not its group's.
		msg += "\n用法：" + rt.Usage()
		if rt.Example != "" {
			msg += "\n例如：" + rt.Example
		}
	}
	return &Reply{Text: msg}
}

// unknownVerb answers a word that is no command, suggesting the closest one.
func (m *Mux) unknownVerb(word string) error {
	best, bestD := "", 1<<30
	words := make([]string, 0, len(m.byWord))
	for w := range m.byWord {
		words = append(words, w)
	}
	sort.Strings(words)
	lw := strings.ToLower(word)
	for _, w := range words {
		d := xfbot.EditDistance(lw, w)
		if strings.HasPrefix(w, lw) || strings.HasPrefix(lw, w) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = m.byWord[w].Verb, d
		}
	}
	limit := 1
	if xfbot.RuneLen(word) > 3 {
		limit = 2
	}
	if best != "" && bestD <= limit {
		return xfbot.Errorf(xfbot.EINVALID, "没有“%s”这个命令。您是不是想用“%s”？\n用法：%s\n发送“帮助”查看全部命令。", xfbot.Echo(word, 20), best, m.Lookup(best).Usage())
	}
	return xfbot.Errorf(xfbot.EINVALID, "没有“%s”这个命令。发送“帮助”查看全部命令。", xfbot.Echo(word, 20))
}

// splitVerb separates the first word (the verb) from the rest.
func splitVerb(text string) (string, string) {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\u3000", " "))
	for i, r := range text {
		if r == ' ' || r == '\n' || r == '\t' {
			return text[:i], text[i:]
		}
	}
	return text, ""
}

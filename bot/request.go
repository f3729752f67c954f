package bot

import (
	"strings"
	"time"
	"unicode"

	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/store"
)

// Via tells where a request came from.
const (
	ViaChat    = "chat"    // a message in Feishu
	ViaCard    = "card"    // a card button or form
	ViaConsole = "console" // the local console
)

// Request is one command or card action, in our own terms: the Lark SDK's
// types stop at the transports. The transport fills the first block; the mux
// fills the rest before the handler runs.
type Request struct {
	EventID   string // Feishu event id: the dedupe key
	MessageID string // the message to reply to (or the card's message)
	// ParentID is the message this one replies to (Feishu's reply,
	// message.parent_id), "" for a new message: replying to a case card
	// acts on its case.
	ParentID string
	RootID   string // the thread's first message (message.root_id)
	ChatID   string
	Group    bool         // a group chat (masking applies), false for p2p
	Sender   xfbot.Person // open_id, and the name when known
	Text     string       // the command text, bot mention removed
	Mentions []xfbot.Person
	Action   *Action // a card callback, nil for a message
	File     *File   // a file or image sent (its message is MessageID), nil otherwise
	Time     time.Time
	Via      string
	Loc      *time.Location // the ledger's time zone (set by the mux)

	Verb   string       // the route's verb, even when an alias was typed
	Sub    string       // the subcommand of a command group ("安排" of 接访), "" for none
	Args   Args         // the words after the verb (after the subcommand's word, if typed)
	Member xfbot.Member // role "" for a non-member
	Case   *xfbot.Case  // the case named by the first argument (routes with Case)
	Recent []xfbot.Progress
	// Registry is the registry, read with the request for a route that
	// resolves names (Route.Registry); nil otherwise.
	Registry *xfbot.Registry
	// Tenancy is what routing among the districts of one Feishu app
	// decided (Tenants); nil when the app serves one district only.
	Tenancy *Tenancy

	mentioned map[string]*xfbot.Member // the Mentions' member records, read with the request
	members   []xfbot.Member           // every member record, read with the request (Route.Members)
	membersOK bool
	plans     *xfbot.Plans // the case's plan, read with the request (Route.Plan)
	plansOK   bool
	named     map[xfbot.CaseNo]*xfbot.Case // the cases the words name in full, read with the request (Route.Named)
	namedRcp  map[xfbot.ReceptionID]*store.ReceptionView
	// petitioner is the repeat-petition lookup read with the request
	// (Route.Preload), nil when none was.
	petitioner *store.PetitionerMatch

	write       bool         // the route writes (set by the mux)
	undo        bool         // its write may be reversed with 撤销 (Route.Undo)
	onCard      xfbot.CaseNo // the case of the card this message replies to
	cardMessage string       // that card's message id
	route       *routeCheck  // the routing the mux's load is to confirm (Tenants), nil for none
}

// MentionedMember is the member record of an @-mentioned person, read
// with the request: known reports whether it was (a person not mentioned,
// or a request the mux did not load), and m is nil when they are no member.
func (r *Request) MentionedMember(openID string) (m *xfbot.Member, known bool) {
	m, known = r.mentioned[openID]
	return m, known
}

// Members are every member record, read with the request for a route with
// Members; ok is false when they were not.
func (r *Request) Members() (ms []xfbot.Member, ok bool) { return r.members, r.membersOK }

// Plans is the plan of the request's case, read with the request for a
// route with Plan (nil: the case has none); ok is false when it was not.
func (r *Request) Plans() (ps *xfbot.Plans, ok bool) { return r.plans, r.plansOK }

// NamedCase is a case the command's words name in full (XF-2026-0012),
// read with the request for a route with Named: known reports whether it
// was, and c is nil when there is no such case.
func (r *Request) NamedCase(no xfbot.CaseNo) (c *xfbot.Case, known bool) {
	c, known = r.named[no]
	return c, known
}

// NamedReception is NamedCase for a reception (JF-2026-0003).
func (r *Request) NamedReception(id xfbot.ReceptionID) (v *store.ReceptionView, known bool) {
	v, known = r.namedRcp[id]
	return v, known
}

// File is a file or an image a user sent: Feishu's file_key or image_key
// (of the message MessageID), its name (a file's; "" for an image) and
// its kind. The mux routes it as the command FileCommand, or as 附件 of a
// case when it comes with one (AttachVerb).
type File struct {
	Key  string
	Name string
	Kind xfbot.AttachmentKind // AttachFile ("" reads as a file) or AttachImage
}

// Image reports whether f is an image message's image.
func (f *File) Image() bool { return f != nil && f.Kind == xfbot.AttachImage }

// FileCommand is the command a file sent in a private chat stands for:
// the import of a spreadsheet ledger.
const FileCommand = "导入台账"

// Action is a card callback: the button's action name and value, and the form
// inputs when a form was submitted.
type Action struct {
	Name  string
	Value map[string]string
	Form  map[string]string
}

// Audience is who reads the reply: everyone in a group, or the sender.
func (r *Request) Audience() xfbot.Audience {
	if r.Group {
		return xfbot.GroupAudience
	}
	return r.Member.Audience()
}

// Today is the request's day in the ledger's time zone.
func (r *Request) Today() xfbot.Date {
	if r.Loc == nil {
		return xfbot.DateOf(r.Time, time.UTC)
	}
	return xfbot.DateOf(r.Time, r.Loc)
}

// Actor is the member as a case participant, with the best name known.
func (r *Request) Actor() xfbot.Person {
	p := r.Sender
	if r.Member.Name != "" {
		p.Name = r.Member.Name
	}
	return p
}

// Reply is what a handler returns. Text or Card (or both: Text then becomes the
// console's and the fallback's wording) answers the request; Tx is the write
// to commit together with the reply; Notices go to other chats; Toast is
// shown to whoever clicked a card button.
type Reply struct {
	Text    string
	Card    *Card
	Toast   string
	Tx      *store.Tx
	Notices []Notice
}

// Notice is a message to another chat or a person, sent with the reply.
type Notice struct {
	ChatID string // a group chat id, or
	OpenID string // a person (direct message)
	Text   string
	Card   *Card
}

// Args are the words after the verb. Words split on any white space
// (full-width too); Raw keeps the text as typed, for free text.
type Args struct {
	Raw   string
	Words []string
}

func splitArgs(raw string) Args {
	raw = strings.TrimSpace(strings.ReplaceAll(raw, "\u3000", " "))
	return Args{Raw: raw, Words: strings.FieldsFunc(raw, unicode.IsSpace)}
}

// Len is the number of words.
func (a Args) Len() int { return len(a.Words) }

// Word returns word i, or "".
func (a Args) Word(i int) string {
	if i < len(a.Words) {
		return a.Words[i]
	}
	return ""
}

// Rest returns the text from word i on, as typed (inner spacing kept).
func (a Args) Rest(i int) string {
	s := a.Raw
	for j := 0; j < i; j++ {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		k := strings.IndexFunc(s, unicode.IsSpace)
		if k < 0 {
			return ""
		}
		s = s[k:]
	}
	return strings.TrimSpace(s)
}

// Petitioner is the repeat-petition lookup read with the request
// (Route.Preload; store.SamePetitionerFrom), nil when none was.
func (r *Request) Petitioner() *store.PetitionerMatch { return r.petitioner }

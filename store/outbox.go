package store

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// OutboundMessage is one message queued for Feishu in the outbox stream. Every
// message the bot sends, a reply, a card, a reminder or a digest, is one of
// these, written in the same Commit as the change it reports.
type OutboundMessage struct {
	// ID is the Feishu idempotency uuid (≤ 50 characters): derived from the
	// event and the message's position, so a retried handler queues the same
	// id and Feishu delivers it at most once within an hour.
	ID string `json:"id"`
	// Kind is "send" (new message to ReceiveID), "reply" (to message ReplyTo)
	// or "patch" (replace the card of message ReplyTo).
	Kind          string `json:"kind"`
	ReceiveIDType string `json:"rtype,omitempty"` // open_id or chat_id, for send
	ReceiveID     string `json:"rid,omitempty"`
	ReplyTo       string `json:"reply_to,omitempty"`
	// MsgType is "text" or "interactive"; Content the JSON string Feishu takes.
	MsgType string `json:"type"`
	Content string `json:"content"`
	// Text is the plain-text rendering of the same content: what the console
	// prints, and what is sent instead when Feishu rejects a card.
	Text string `json:"text,omitempty"`
	// ChatID is where the message lands (for rate limiting replies per chat).
	ChatID     string    `json:"chat,omitempty"`
	EnqueuedAt time.Time `json:"at"`
	// Cases are the cases a card is about (its buttons' case numbers): once
	// sent, its message id names them, so that a reply to the card acts on
	// its case (MessageCases).
	Cases []string `json:"cases,omitempty"`
}

// MessageUUID derives a message's Feishu idempotency uuid (32 hex
// characters) from what identifies it: the same reminder, digest or export
// result queued twice gets the same uuid, and Feishu delivers it once.
func MessageUUID(identity string) string {
	sum := sha256.Sum256([]byte(identity))
	return hex.EncodeToString(sum[:16])
}

// Message kinds.
const (
	KindSend  = "send"
	KindReply = "reply"
	KindPatch = "patch"
)

// Package larktest is a fake Feishu (Lark) Open Platform for end-to-end tests
// that drive the real oapi-sdk-go v3 client against it.
//
// A Server plays three roles on one httptest server:
//
//   - Open API: the tenant token endpoint, message create / reply / patch and
//     file upload, at the paths the SDK uses. It validates requests the way
//     Feishu does (bearer token, content is a JSON string, per-type content
//     rules, 30 KB card limit, uuid idempotency for an hour, optional per-chat
//     and per-app rate limits; uploads of at most 30 MB, not empty; a file
//     message must name a file_key uploaded here) and records every
//     successful message as a Sent and every upload as a File.
//     Point the SDK at it with lark.WithOpenBaseUrl(srv.URL()).
//   - Long-connection gateway: /callback/ws/endpoint and /ws speak the SDK's
//     pbbp2 frames, so larkws.NewClient(..., larkws.WithDomain(srv.URL()))
//     connects to it; PushEvent delivers an event and returns the client's ack.
//     Events pushed (or passed to ObserveEvent) teach the server which chat
//     a message is in, so replies to it are attributed to that chat.
//   - Webhook helpers: Encrypt, Sign and NewWebhookRequest produce requests
//     signed and encrypted exactly as Feishu does, for bots in webhook mode.
//
// MessageEvent, CardActionEvent and URLVerification build event payloads in
// the official envelope shapes, usable with either transport.
//
// Contract:
//
//   - Only successful message calls are recorded; rejected ones are counted
//     (RateLimited, DuplicateUUIDs) or visible to the client only.
//   - Responses are answered with the HTTP status and code Feishu uses, so a
//     bot sees the same resp.Code / resp.ApiResp.StatusCode it would in
//     production. Injected faults with code 0 answer a non-JSON body, which
//     the SDK turns into a Go error, like an outage at Feishu's gateway.
//   - The issued tenant token depends only on the app credentials. The SDK
//     caches tokens in a process-global cache keyed by app id alone, so a
//     second Server in the same test binary must accept the token the first
//     one issued; a random token per server would fail with 99991663.
//   - The gateway serves one connection at a time; a new connection replaces
//     (closes) the previous one.
//   - All methods are safe for concurrent use. Time comes from WithClock.
//
// The SDK's ws client races with itself under the race detector, so tests
// that run it in-process should be built with //go:build !race.
package larktest

package larktest

import (
	"mime"
	"net/http"
	"strconv"
)

// Resource is a file a user sent in a message, which the bot downloads
// through GET /open-apis/im/v1/messages/:message_id/resources/:file_key
// ?type=file (the SDK's Im.MessageResource.Get).
type Resource struct {
	MessageID string
	FileKey   string
	Name      string
	Data      []byte
}

// Feishu's codes of the message resource API.
const (
	codeResourceParam    = 234001 // Invalid request param (type missing or not file/image)
	codeResourceNotFound = 234003 // File not in msg: the key is not of that message
)

// AddResource makes a file downloadable as a resource of its message: what
// Feishu keeps of a file message a user sent (see Events' FileMessage).
func (s *Server) AddResource(r Resource) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resources == nil {
		s.resources = map[string]Resource{}
	}
	s.resources[r.MessageID+"/"+r.FileKey] = r
}

// Downloads is how many resources were served.
func (s *Server) Downloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads
}

func (s *Server) routeResources(mux *http.ServeMux) {
	mux.HandleFunc("GET /open-apis/im/v1/messages/{message_id}/resources/{file_key}", s.auth(s.handleResource))
}

// handleResource answers as Feishu does: the bytes with a
// Content-Disposition naming the file, or a JSON error.
func (s *Server) handleResource(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	switch r.URL.Query().Get("type") {
	case "file", "image":
	default:
		writeError(w, apiError{http.StatusBadRequest, codeResourceParam, "Invalid request param: type must be file or image."})
		return
	}
	s.mu.Lock()
	res, ok := s.resources[r.PathValue("message_id")+"/"+r.PathValue("file_key")]
	if ok {
		s.downloads++
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, apiError{http.StatusBadRequest, codeResourceNotFound, "File not in msg."})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": res.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(res.Data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Data)
}

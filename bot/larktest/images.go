package larktest

import (
	"bytes"
	"io"
	"net/http"
)

// Image is one image uploaded through POST /open-apis/im/v1/images (the
// SDK's Im.Image.Create): a multipart form with image_type ("message" for
// an image to send in a message, "avatar") and image, at most 10 MB and
// not empty, answered with {"image_key": "img_v3_…"}.
type Image struct {
	Key  string // the image_key returned
	Type string // image_type
	Data []byte
}

// Feishu's limit and code of im/v1/images.
const (
	imageLimit             = 10 << 20
	codeImageBadParam      = 234001 // Invalid request param
	codeImageUnknownFormat = 234011 // Can't recognize image format
)

// Images are the images uploaded, oldest first.
func (s *Server) Images() []Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Image(nil), s.images...)
}

func (s *Server) routeImages(mux *http.ServeMux) {
	mux.HandleFunc("POST /open-apis/im/v1/images", s.auth(s.handleImage))
}

// imageMagic are the formats Feishu recognises (JPEG, PNG, WEBP, GIF,
// TIFF, BMP, ICO), by their first bytes.
var imageMagic = [][]byte{{0xFF, 0xD8, 0xFF}, []byte("\x89PNG"), []byte("RIFF"), []byte("GIF8"), []byte("II*\x00"), []byte("MM\x00*"), []byte("BM"), {0, 0, 1, 0}}

func (s *Server) handleImage(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.fault(); ok {
		writeError(w, e)
		return
	}
	bad := apiError{http.StatusBadRequest, codeImageBadParam, "Invalid request param."}
	r.Body = http.MaxBytesReader(w, r.Body, imageLimit+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeError(w, bad)
		return
	}
	f, _, err := r.FormFile("image")
	if err != nil {
		writeError(w, bad)
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	typ := r.FormValue("image_type")
	if err != nil || len(data) == 0 || len(data) > imageLimit || !oneOf(typ, "message", "avatar") {
		writeError(w, bad)
		return
	}
	known := false
	for _, m := range imageMagic {
		known = known || bytes.HasPrefix(data, m)
	}
	if !known {
		writeError(w, apiError{http.StatusBadRequest, codeImageUnknownFormat, "Can't recognize image format."})
		return
	}
	key := newID("img_v3_")
	s.mu.Lock()
	s.images = append(s.images, Image{Key: key, Type: typ, Data: data})
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"image_key": key}})
}

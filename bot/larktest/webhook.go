package larktest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Encrypt encrypts a webhook body as Feishu does when an Encrypt Key is
// set: AES-256-CBC with key SHA256(encryptKey), PKCS#7 padding and a random
// IV, sent as base64(IV || ciphertext).
func Encrypt(encryptKey string, plaintext []byte) (string, error) {
	key := sha256.Sum256([]byte(encryptKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return "", err
	}
	pad := aes.BlockSize - len(plaintext)%aes.BlockSize
	buf := make([]byte, aes.BlockSize+len(plaintext)+pad)
	iv := buf[:aes.BlockSize]
	if _, err := rand.Read(iv); err != nil {
		return "", err
	}
	ct := buf[aes.BlockSize:]
	copy(ct, plaintext)
	copy(ct[len(plaintext):], bytes.Repeat([]byte{byte(pad)}, pad))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(ct, ct)
	return base64.StdEncoding.EncodeToString(buf), nil
}

// Sign is the X-Lark-Signature of a webhook request: the lowercase hex
// SHA-256 of timestamp, nonce, encryptKey and the raw body, concatenated.
func Sign(timestamp, nonce, encryptKey string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(timestamp + nonce + encryptKey))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// NewWebhookRequest builds the POST Feishu sends to a webhook url for
// event. With an encryptKey the body is {"encrypt":"…"}; without one it is
// event itself. The signature headers are always set; receivers check them
// only when they have an encryptKey.
func NewWebhookRequest(url, encryptKey string, event []byte, ts time.Time) (*http.Request, error) {
	body := event
	if encryptKey != "" {
		enc, err := Encrypt(encryptKey, event)
		if err != nil {
			return nil, err
		}
		if body, err = json.Marshal(map[string]string{"encrypt": enc}); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	tsStr, nonce := strconv.FormatInt(ts.Unix(), 10), newID("")
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Lark-Request-Timestamp", tsStr)
	req.Header.Set("X-Lark-Request-Nonce", nonce)
	req.Header.Set("X-Lark-Signature", Sign(tsStr, nonce, encryptKey, body))
	req.Header.Set("X-Request-Id", newID(""))
	return req, nil
}

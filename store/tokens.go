package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Token is an API token's identity; the secret itself is never stored.
type Token struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateToken makes a token and returns its secret, which is shown once.
func CreateToken(ctx context.Context, db DB, name, role string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	secret := "lr_" + base64.RawURLEncoding.EncodeToString(b)
	_, err := db.Exec(ctx, `INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, $3)`, name, role, hashToken(secret))
	return secret, err
}

// ErrBadToken means the token is unknown or revoked.
var ErrBadToken = errors.New("unknown or revoked token")

// Authenticate resolves a bearer secret to its token.
func Authenticate(ctx context.Context, db DB, secret string) (*Token, error) {
	t := &Token{}
	err := db.QueryRow(ctx, `SELECT id, name, role, created_at, revoked_at FROM api_tokens
WHERE token_hash = $1 AND revoked_at IS NULL`, hashToken(secret)).Scan(&t.ID, &t.Name, &t.Role, &t.CreatedAt, &t.RevokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrBadToken
	}
	return t, err
}

// RevokeToken ends a token by name.
func RevokeToken(ctx context.Context, db DB, name string) error {
	tag, err := db.Exec(ctx, `UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL`, name)
	if err == nil && tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return err
}

// ListTokens lists tokens without secrets.
func ListTokens(ctx context.Context, db DB) ([]Token, error) {
	rows, err := db.Query(ctx, `SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Token])
}

package main

import (
	"context"

	"gloss/server/internal/store"
)

func openPostgres(ctx context.Context, dsn string) (store.Store, error) {
	return store.OpenPostgres(ctx, dsn)
}

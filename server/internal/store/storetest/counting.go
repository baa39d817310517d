package storetest

import (
	"context"
	"sync/atomic"

	"gloss/server/internal/store"
)

// SnapshotCounter is a store.Store that counts the snapshots read through
// it: how tests see whether a room was opened (each opening reads one) or
// a page was served from a cache.
type SnapshotCounter struct {
	store.Store
	Snapshots atomic.Int64
}

// Snapshot implements store.Store.
func (c *SnapshotCounter) Snapshot(ctx context.Context, doc int64) (store.Snapshot, error) {
	c.Snapshots.Add(1)
	return c.Store.Snapshot(ctx, doc)
}

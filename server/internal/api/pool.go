package api

import "sync"

// syncPool adapts sync.Pool to websocket.BufferPool.
type syncPool struct{ p sync.Pool }

func (s *syncPool) Get() interface{}  { return s.p.Get() }
func (s *syncPool) Put(v interface{}) { s.p.Put(v) }

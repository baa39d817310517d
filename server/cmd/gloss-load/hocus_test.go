package main

import (
	"encoding/hex"
	"slices"
	"testing"
)

// TestHocusUpdates checks the Yjs side of the Hocuspocus wire: the update
// a load client sends is read back as its op, and an update merged by
// Yjs itself (Y.mergeUpdates of three clients' map sets, one of them
// setting a key twice, so with an origin and a deletion: made with yjs
// 13.6 in Node) yields every op in it, in order.
func TestHocusUpdates(t *testing.T) {
	type op struct {
		sender int
		at     int64
	}
	read := func(msg []byte) (msgKind, []op) {
		var ops []op
		k := (&hocusWire{}).classify(msg, func(s int, at int64) { ops = append(ops, op{s, at}) })
		return k, ops
	}

	w := &hocusWire{}
	c := &loadClient{idx: 4}
	w.hello(c, 12, "token")
	c.step = 3
	id := "s4_1700000000000000000_3"
	if k, ops := read(w.update(c, id)); k != msgOp || !slices.Equal(ops, []op{{4, 1700000000000000000}}) {
		t.Errorf("own update read as %v %v", k, ops)
	}

	merged, err := hex.DecodeString("030209002801016d017801770973395f323030305f3088090001770973395f323030315f310206002801016d046b365f3001770973365f313030305f302801016d046b365f3101770973365f313030315f310205002801016d046b355f3001770973355f313030305f302801016d046b355f3101770973355f313030315f310109010001")
	if err != nil {
		t.Fatal(err)
	}
	msg := appendVarString(nil, "d12")
	msg = append(msg, hpSync, yjsUpdate)
	msg = appendVarBytes(msg, merged)
	want := []op{{9, 2000}, {9, 2001}, {6, 1000}, {6, 1001}, {5, 1000}, {5, 1001}}
	if k, ops := read(msg); k != msgOp || !slices.Equal(ops, want) {
		t.Errorf("merged update read as %v %v, want %v", k, ops, want)
	}

	for _, tc := range []struct {
		name string
		msg  []byte
		want msgKind
	}{
		{"ack", append(appendVarString(nil, "d12"), hpSyncStatus, 1), msgAck},
		{"refused", append(appendVarString(nil, "d12"), hpSyncStatus, 0), msgRefused},
		{"step 2", append(appendVarString(nil, "d12"), hpSyncReply, yjsStep2, 2, 0, 0), msgWelcome},
		{"cut short", msg[:len(msg)-9], msgOther},
		{"empty", nil, msgOther},
	} {
		if k, _ := read(tc.msg); k != tc.want {
			t.Errorf("%s: kind %v, want %v", tc.name, k, tc.want)
		}
	}
}

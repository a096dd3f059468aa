// gob_sizes prints how many bytes the course's Go harness spends on typical Raft and KV
// messages and persisted states, encoded as labrpc and a student's persist() encode them:
// encoding/gob, with a new encoder for every message (labrpc's Call and a typical
// persist() each make one, so every message carries its type definitions). The Rust side
// of the comparison is `cargo run -p lab3-raft --example wire_sizes`; the lab guides give
// both and their ratios. Run: go run scripts/wire-sizes/gob_sizes.go
package main

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"math/rand"
)

type RequestVoteArgs struct{ Term, CandidateId, LastLogIndex, LastLogTerm int }
type RequestVoteReply struct {
	Term        int
	VoteGranted bool
}
type LogEntry struct {
	Term    int
	Command interface{}
}
type AppendEntriesArgs struct {
	Term, LeaderId, PrevLogIndex, PrevLogTerm int
	Entries                                   []LogEntry
	LeaderCommit                              int
}
type AppendEntriesReply struct {
	Term                int
	Success             bool
	XTerm, XIndex, XLen int
}
type InstallSnapshotArgs struct {
	Term, LeaderId, LastIncludedIndex, LastIncludedTerm int
	Data                                                []byte
}
type InstallSnapshotReply struct{ Term int }
type GetArgs struct{ Key string }
type GetReply struct{ Err, Value string }
type PutAppendArgs struct {
	Key, Value string
	ClientId   int64
	Seq        int64
}
type PutAppendReply struct{ Err string }

// One message, as labrpc sends it: a new encoder, one value.
func size(v interface{}) int {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		panic(err)
	}
	return b.Len()
}

// Several values through one new encoder, as persist() and the tester's snapshots do.
func sizes(vs ...interface{}) int {
	var b bytes.Buffer
	e := gob.NewEncoder(&b)
	for _, v := range vs {
		if err := e.Encode(v); err != nil {
			panic(err)
		}
	}
	return b.Len()
}

func entries(n int, cmd func() interface{}) []LogEntry {
	es := make([]LogEntry, n)
	for i := range es {
		es[i] = LogEntry{Term: 3, Command: cmd()}
	}
	return es
}

func randstring(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rand.Intn(36)]
	}
	return string(b)
}

func main() {
	gob.Register(0)
	gob.Register("")
	rand.Seed(1)
	bigInt := func() interface{} { return rand.Int() }
	small := func() interface{} { return 100 + rand.Intn(900) }
	ae := func(n int, cmd func() interface{}) AppendEntriesArgs {
		return AppendEntriesArgs{Term: 3, LeaderId: 1, PrevLogIndex: 120, PrevLogTerm: 3, Entries: entries(n, cmd), LeaderCommit: 120}
	}
	xlog := func(n int) []interface{} {
		xs := make([]interface{}, n+1) // index 0 is nil, as in config.go
		for i := 1; i <= n; i++ {
			xs[i] = rand.Int()
		}
		return xs
	}
	rows := []struct {
		name string
		n    int
	}{
		{"RequestVote args", size(RequestVoteArgs{3, 1, 120, 3})},
		{"RequestVote reply", size(RequestVoteReply{3, true})},
		{"AppendEntries heartbeat args", size(ae(0, bigInt))},
		{"AppendEntries reply", size(AppendEntriesReply{3, true, -1, 0, 0})},
		{"AppendEntries args, 1 entry (random int)", size(ae(1, bigInt))},
		{"AppendEntries args, 10 entries (random ints)", size(ae(10, bigInt))},
		{"AppendEntries args, 10 entries (small ints)", size(ae(10, small))},
		{"AppendEntries args, 1 entry (5000-byte string)", size(ae(1, func() interface{} { return randstring(5000) }))},
		{"InstallSnapshot args, 100-byte snapshot", size(InstallSnapshotArgs{3, 1, 120, 3, make([]byte, 100)})},
		{"persisted Raft state, 10 entries (random ints)", sizes(3, 1, entries(10, bigInt), 110, 3)},
		{"persisted Raft state, 100 entries (random ints)", sizes(3, 1, entries(100, bigInt), 110, 3)},
		{"3D tester snapshot through index 9", sizes(9, xlog(9))},
		{"3D tester snapshot through index 99", sizes(99, xlog(99))},
		{"KV Get args (key of 1 byte)", size(GetArgs{"x"})},
		{"KV Get reply (value of 10 bytes)", size(GetReply{"OK", "0123456789"})},
		{"KV PutAppend args (1-byte key, 10-byte value)", size(PutAppendArgs{"x", "0123456789", rand.Int63(), 17})},
		{"KV PutAppend reply", size(PutAppendReply{"OK"})},
		{"KV snapshot: 1 key, 1 client", sizes(map[string]string{"x": "1"}, map[int64]int64{rand.Int63(): 400}, 800)},
		{"KV snapshot: 30 keys of 1000 bytes, 3 clients", sizes(func() map[string]string {
			m := map[string]string{}
			for i := 0; i < 30; i++ {
				m[fmt.Sprint(i)] = randstring(1000)
			}
			return m
		}(), map[int64]int64{rand.Int63(): 30, rand.Int63(): 40, rand.Int63(): 50}, 200)},
	}
	for _, r := range rows {
		fmt.Printf("%-50s %6d\n", r.name, r.n)
	}
}

// loadgen holds many LiveKit students as audio-only subscribers for bench/big_lecture.py --client go.
//
// The students' tokens come from Lectern's own join API (the bench fetches them); this program only
// connects them, a batch at a time, reads and discards the RTP of every track they subscribe to, and
// disconnects them all at once when told. It stands for 300 devices elsewhere at a fraction of the
// CPU of the Python rtc SDK, whose clients decode the audio and handle every other participant's
// events in Python.
//
// stdin: one JSON line {"url": ..., "timeout": seconds}; then a JSON line per batch, [{"identity",
// "token"}, ...] (the tokens live two minutes: the bench asks the join API for each batch as it comes);
// then the line "leave". stdout: JSON lines {"connected": identity, "at": unix seconds} and
// {"failed": identity, "error": ...}, {"batch_done": students held} after each batch, then
// {"left_at": unix seconds, "subscribed": tracks, "packets": RTP packets read} and {"disconnected": n}.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
)

type student struct {
	Identity string `json:"identity"`
	Token    string `json:"token"`
}

type plan struct {
	URL     string  `json:"url"`
	Timeout float64 `json:"timeout"`
}

var (
	outMu sync.Mutex
	out   = json.NewEncoder(os.Stdout)
)

func emit(v map[string]any) {
	outMu.Lock()
	defer outMu.Unlock()
	_ = out.Encode(v)
}

func now() float64 { return float64(time.Now().UnixNano()) / 1e9 }

var subscribed, packets atomic.Int64

// discard reads a subscribed track's packets as a player would receive them, without decoding.
func discard(track *webrtc.TrackRemote, _ *lksdk.RemoteTrackPublication, _ *lksdk.RemoteParticipant) {
	subscribed.Add(1)
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := track.Read(buf); err != nil {
				return
			}
			packets.Add(1)
		}
	}()
}

func connect(url string, s student, timeout time.Duration) (*lksdk.Room, error) {
	type result struct {
		room *lksdk.Room
		err  error
	}
	done := make(chan result, 1)
	go func() {
		callback := &lksdk.RoomCallback{ParticipantCallback: lksdk.ParticipantCallback{OnTrackSubscribed: discard}}
		room, err := lksdk.ConnectToRoomWithToken(url, s.Token, callback, lksdk.WithAutoSubscribe(true))
		done <- result{room, err}
	}()
	select {
	case r := <-done:
		return r.room, r.err
	case <-time.After(timeout):
		go func() { // a late connection is closed, not kept
			if r := <-done; r.room != nil {
				r.room.Disconnect()
			}
		}()
		return nil, fmt.Errorf("no connection within %s", timeout)
	}
}

func main() {
	lksdk.SetLogger(logger.GetDiscardLogger())
	in := bufio.NewReader(os.Stdin)
	var p plan
	line, err := in.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &p)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: no plan on stdin:", err)
		os.Exit(2)
	}
	timeout := time.Duration(p.Timeout * float64(time.Second))
	var rooms []*lksdk.Room
	for {
		line, err := in.ReadBytes('\n')
		if err != nil || string(line) == "leave\n" {
			break
		}
		var batch []student
		if err := json.Unmarshal(line, &batch); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen: bad batch:", err)
			os.Exit(2)
		}
		connected := make([]*lksdk.Room, len(batch))
		var wg sync.WaitGroup
		for i, s := range batch {
			wg.Add(1)
			go func(i int, s student) {
				defer wg.Done()
				for attempt := 0; attempt < 2; attempt++ { // a loaded machine times a transport out now and then
					room, err := connect(p.URL, s, timeout)
					if err == nil {
						connected[i] = room
						emit(map[string]any{"connected": s.Identity, "at": now()})
						return
					}
					emit(map[string]any{"failed": s.Identity, "error": err.Error()})
				}
			}(i, s)
		}
		wg.Wait()
		for _, room := range connected {
			if room != nil {
				rooms = append(rooms, room)
			}
		}
		emit(map[string]any{"batch_done": len(rooms)})
	}
	emit(map[string]any{"left_at": now(), "subscribed": subscribed.Load(), "packets": packets.Load()})
	var wg sync.WaitGroup
	for _, room := range rooms {
		wg.Add(1)
		go func(room *lksdk.Room) {
			defer wg.Done()
			room.Disconnect()
		}(room)
	}
	wg.Wait()
	emit(map[string]any{"disconnected": len(rooms)})
}

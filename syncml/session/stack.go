package session

// stackReserve is the stack frame reserveStack takes. An exchange of a
// Server runs in less than 8 KiB of goroutine stack, with hooks that log
// through slog in less than 16 KiB; with the frames net/http has below
// ServeHTTP, a frame of 12 KiB makes the runtime give the goroutine a
// 16 KiB stack at once (the largest size it keeps cached per processor).
const stackReserve = 12 << 10

// reserveStack makes sure the calling goroutine has room for an exchange
// before the exchange starts. net/http serves each connection on a new
// goroutine, which starts with a stack of a few KiB; a stack that runs
// out is copied to one twice its size, and each copy walks every frame on
// it. An exchange that grew its stack as it went deeper copied it three
// times, the last ones deep in the decoder, for about a tenth of the
// server's time when every device comes on a new connection (as devices
// do). Calling this first grows the stack in one copy of a few shallow
// frames; on a goroutine whose stack is large enough already it costs the
// clearing of its frame. The array is read at an index the compiler
// cannot know, so that the frame is not optimized away.
//
//go:noinline
func reserveStack(i int) byte {
	var frame [stackReserve]byte
	frame[i%stackReserve] = byte(i)
	return frame[(i>>1)%stackReserve]
}

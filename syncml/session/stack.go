package session

// stackReserve is the stack frame reserveStack takes. An exchange of a
// Server runs in less than 8 KiB of goroutine stack, with hooks that log
// through slog in less than 16 KiB. A stack that runs out grows to the
// smallest power of two holding what is in use, the frame that ran out
// and a guard of under 1 KiB; a frame of 8 KiB gives 16 KiB (the largest
// size the runtime keeps cached per processor) whatever is in use below
// it, from none to about 7 KiB. net/http calls ServeHTTP with about 3 KiB
// in use (dmserver's mux and ServeHTTP's own frame included); with a
// frame of 12 KiB, 320 to 384 bytes more below it gave a 32 KiB stack.
const stackReserve = 8 << 10

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
// cannot know, so that the frame is not optimized away; the index is
// unsigned, so that any i is in range.
//
//go:noinline
func reserveStack(i int) byte {
	var frame [stackReserve]byte
	frame[uint(i)%stackReserve] = byte(i)
	return frame[uint(i>>1)%stackReserve]
}

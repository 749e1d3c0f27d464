// Package fuzzsteady makes the coverage of a fuzz target's input depend
// on the input alone, for the module's fuzz targets (in package fuzz and
// beside their packages).
//
// The Go fuzzer keeps an input when its run covers code (or a count of a
// block, rounded down to a power of two) that no input before it did,
// then runs it again, shortened, while it still covers as much. A run
// whose coverage depends on more than its input wastes that work and
// keeps inputs that find nothing. What made it so, measured with the
// coverage of one input run several times in a process:
//
//   - sync.Pools (syncml's buffers and scanners, reconcile's runs,
//     encoding/json's, fmt's): a garbage collection empties them at any
//     point of a run, a goroutine moved to another P misses what the
//     last P put, and what a run finds in them (a buffer, and its
//     capacity) was left by the inputs run before;
//   - syncml.Marshal's memory of the last large message (a message of
//     64 KiB or more makes the next one take another path);
//   - for the targets that write files, the random names of temporary
//     files and directories, and the time of day (left to the targets).
//
// Target and Input take the first two away. What stays varies with no
// input but a few counters: the runtime's random source refilled now and
// then (maps draw their seeds from it), random temporary file names, and
// caches filled once per process (reflection's, encoding/json's).
package fuzzsteady

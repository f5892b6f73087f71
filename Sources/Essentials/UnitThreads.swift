/// How many threads run a loop of whole work items at once (attention's `(batch, head)` units):
/// all of them when the items split evenly among the threads or are many (at least 8 per thread,
/// where an uneven remainder idles a thread for at most an eighth of the loop), else one — the
/// caller then threads the work inside each item instead. Three units on two threads would leave
/// one thread idle for a third of the loop.
public enum UnitThreads {
    /// Threads for `units` items on `workers` threads (1 when either is 1 or less).
    public static func count(units: Int, workers: Int) -> Int {
        guard workers > 1, units > 1 else { return 1 }
        return units % workers == 0 || units >= 8 * workers ? min(workers, units) : 1
    }
}

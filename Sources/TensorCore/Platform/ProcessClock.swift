import Foundation

/// Wall-clock and process CPU time, read together so a stretch of work can say how many cores it
/// kept busy: `cores = ΔCPU / Δwall` (2.0 means both cores of this machine all the time). CPU time
/// counts every thread of the process, threads spinning while they wait for work included.
public struct ProcessClock: Sendable {
    public var wallSeconds: Double
    public var cpuSeconds: Double

    /// The clocks now: monotonic wall time and `CLOCK_PROCESS_CPUTIME_ID`.
    public static var now: ProcessClock {
        var wall = timespec(), cpu = timespec()
        clock_gettime(CLOCK_MONOTONIC, &wall)
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu)
        return ProcessClock(wallSeconds: seconds(wall), cpuSeconds: seconds(cpu))
    }

    private static func seconds(_ t: timespec) -> Double { Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9 }
}

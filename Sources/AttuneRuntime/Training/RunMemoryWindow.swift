import Foundation
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

/// The peak resident memory of one training run inside a long session.
///
/// A process's peak (`VmHWM`) only rises, so a session that trains full fine-tuning and then LoRA
/// would report full's peak for both. At the start of a run this hands freed heap pages back to
/// the system — the tensor buffer pool's free buffers (`TensorStorage.releasePooledBuffers`) and
/// glibc's free heap pages (`malloc_trim(0)`), which would otherwise count as resident — and resets the peak to the current resident set (`5` written to
/// `/proc/self/clear_refs`, Linux ≥ 4.0). What `peakMiB` reads at the end is then this run's
/// peak: the model and everything the session holds, plus what the run itself allocated — the
/// figure a separate process would show, without starting one.
struct RunMemoryWindow {
    /// Whether the reset worked; when not (no procfs, no permission) the peak is the process's.
    let isolated: Bool

    /// Starts the window: trim, then reset the peak.
    static func start() -> RunMemoryWindow {
        TensorStorage.releasePooledBuffers()
        trimHeap()
        let reset = (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .ascii)) != nil
        return RunMemoryWindow(isolated: reset)
    }

    /// glibc's `malloc_trim(0)`, looked up at run time (Swift's Glibc module does not export
    /// `<malloc.h>`); nothing where the C library has no such function.
    private static func trimHeap() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        // The C library this process already has (RTLD_NOLOAD: never loads a second copy).
        guard let libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD) else { return }
        defer { dlclose(libc) }
        guard let symbol = dlsym(libc, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }

    /// Peak resident memory since `start()` in MiB (the process's peak when the reset failed).
    var peakMiB: Double? {
        ProcessMemory.peakResidentBytes.map { Double($0) / 1_048_576 }
    }
}

import AttuneRuntime
import Foundation

/// Ctrl-C: a SIGINT handler that asks the running command to stop at its next safe point. It is
/// installed without `SA_RESTART`, so a read waiting at the prompt returns with `EINTR` and the
/// REPL clears the line instead of quitting.
enum SignalHandling {
    static func installInterruptHandler() {
        _ = StopFlag.shared  // initialise before the handler can run
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in StopFlag.shared.request() }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }
}

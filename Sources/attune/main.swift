import AttuneRuntime
import Foundation
import TensorCore

// OpenBLAS picks its kernels when it loads; on CPUs it misdetects, come back with the right ones.
BLASCore.reexecWithBetterCoreIfNeeded()

let status = CommandLineInterface.main(arguments: Array(CommandLine.arguments.dropFirst()))
exit(status)

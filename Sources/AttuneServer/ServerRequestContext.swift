import Hummingbird
import NIOCore

/// Hummingbird's request context plus the connection, so a generation can stop as soon as its
/// client goes away (`channel.closeFuture`), even before a write fails.
struct ServerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        channel = source.channel
    }
}

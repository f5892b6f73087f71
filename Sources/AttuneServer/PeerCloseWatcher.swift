import NIOCore

/// Closes the connection as soon as the client closes its side. Hummingbird keeps a half-closed
/// connection open (to finish the response), so without this a client that went away mid-stream
/// would only be noticed at the next failed write; closing fires `closeFuture`, which stops the
/// request's generation at its next token and frees its slot. (Like nginx, which treats a
/// client's FIN as an abort.)
final class PeerCloseWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Never

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

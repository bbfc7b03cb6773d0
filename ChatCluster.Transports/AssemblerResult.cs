namespace ChatCluster.Transports;

public enum AssemblerResultKind { Incomplete, Message, Control, Error }

/// <summary>
/// What <see cref="WebSocketMessageAssembler.Push"/> produced. Message: a whole Text or Binary message.
/// Control: a Ping, Pong or Close frame, passed on as received. Error: close with <see cref="CloseCode"/>.
/// </summary>
public readonly record struct AssemblerResult(AssemblerResultKind Kind, WebSocketOpcode Opcode, byte[] Payload, ushort CloseCode)
{
    public static AssemblerResult Incomplete => default;

    public static AssemblerResult Message(WebSocketOpcode opcode, byte[] payload) =>
        new(AssemblerResultKind.Message, opcode, payload, 0);

    public static AssemblerResult Control(WebSocketOpcode opcode, byte[] payload) =>
        new(AssemblerResultKind.Control, opcode, payload, 0);

    public static AssemblerResult Error(ushort closeCode) =>
        new(AssemblerResultKind.Error, default, [], closeCode);
}

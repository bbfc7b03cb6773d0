using System.Buffers;
using System.Text.Json;
using ChatCluster.Transports;
using ChatCluster.Transports.Primus;

namespace ChatCluster.Fuzz;

/// <summary>
/// The codecs a client's bytes reach first, each as a function of one input. A target throws
/// <see cref="FuzzInvariantException"/> when a rule of the codec is broken; any other exception it lets out is a
/// crash (on the node it would kill a connection or worse). The first input byte chooses how the rest is split into
/// reads, so every target also sees its input in awkward pieces, as a socket delivers it.
/// </summary>
public static class FuzzTargets
{
    public const int MaxLineBytes = 256;
    public const int MaxMessageBytes = 4096;
    public const int MaxFragments = 64;
    private const string PrimusPath = "/primus";

    /// <summary>The targets by name (the names of the corpus folders).</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["line-framer"] = LineFramer,
        ["primus-codec"] = PrimusCodec,
        ["ws-frames"] = WebSocketFrames,
        ["upgrade-request"] = UpgradeRequest,
        ["json-request"] = JsonRequest,
    };

    /// <summary>TCP: the line framer fed in pieces, then every line through the request parser.</summary>
    public static void LineFramer(byte[] input)
    {
        var (pieces, data) = Split(input);
        var framer = new ChatCluster.Transports.LineFramer(MaxLineBytes);
        var pending = Array.Empty<byte>();
        foreach (var piece in pieces(data))
        {
            pending = [.. pending, .. piece];
            var buffer = new ReadOnlySequence<byte>(pending);
            while (true)
            {
                var status = framer.TryRead(ref buffer, out var line, out var received);
                if (status == LineStatus.NeedMore) break;
                if (status == LineStatus.Line)
                {
                    if (line is null || line.Length > MaxLineBytes) // each byte decodes to at most one char (invalid bytes to U+FFFD)
                        throw new FuzzInvariantException($"line of {line?.Length} chars passed a {MaxLineBytes}-byte cap");
                    TcpRequestParser.Parse(line);
                }
                else if (received <= MaxLineBytes) throw new FuzzInvariantException($"TooLong for {received} bytes");
            }
            pending = buffer.ToArray();
            // The framer's promise to the TCP handler: it never needs more than max + 1 bytes kept.
            if (pending.Length > MaxLineBytes + 1) throw new FuzzInvariantException($"{pending.Length} bytes left unconsumed");
        }
    }

    /// <summary>Websocket text and binary messages: Primus decoding, then the request shape.</summary>
    public static void PrimusCodec(byte[] input)
    {
        var inbound = ChatCluster.Transports.Primus.PrimusCodec.Decode(input);
        if (inbound.Kind == PrimusInboundKind.Refused && string.IsNullOrEmpty(inbound.Error)) throw new FuzzInvariantException("refusal without text");
        if (inbound.Kind == PrimusInboundKind.Request && inbound.Request is null) throw new FuzzInvariantException("request kind without request");
        var binary = ChatCluster.Transports.Primus.PrimusCodec.DecodeBinary(input, echoMaxBytes: 64);
        if (input.Length > 64 && binary.Kind != PrimusInboundKind.Refused) throw new FuzzInvariantException("large binary message echoed");
    }

    /// <summary>Websocket framing and assembly: frames parsed from pieces, assembled under the size and fragment caps.</summary>
    public static void WebSocketFrames(byte[] input)
    {
        var (pieces, data) = Split(input);
        var assembler = new WebSocketMessageAssembler(MaxMessageBytes, MaxFragments);
        var pending = Array.Empty<byte>();
        foreach (var piece in pieces(data))
        {
            pending = [.. pending, .. piece];
            var buffer = new ReadOnlySequence<byte>(pending);
            while (true)
            {
                var before = buffer.Length;
                var status = WebSocketFrameCodec.TryParse(ref buffer, MaxMessageBytes, out var frame, out var code);
                if (status == FrameParseStatus.NeedMore)
                {
                    if (buffer.Length != before) throw new FuzzInvariantException("NeedMore consumed input");
                    break;
                }
                if (status == FrameParseStatus.Error)
                {
                    if (code is not (WebSocketCloseCodes.ProtocolError or WebSocketCloseCodes.MessageTooBig)) throw new FuzzInvariantException($"frame error {code}");
                    return; // the connection closes here
                }
                if (buffer.Length >= before) throw new FuzzInvariantException("a frame consumed nothing");
                var result = assembler.Push(frame);
                if (assembler.AllocatedBytes > MaxMessageBytes) throw new FuzzInvariantException($"{assembler.AllocatedBytes} bytes held, cap {MaxMessageBytes}");
                if (result.Kind == AssemblerResultKind.Message && result.Payload.Length > MaxMessageBytes) throw new FuzzInvariantException("message over the cap");
                if (result.Kind == AssemblerResultKind.Control && result.Opcode == WebSocketOpcode.Close)
                    WebSocketFrameCodec.TryReadClose(result.Payload, out _);
                if (result.Kind == AssemblerResultKind.Error) return;
            }
            pending = buffer.ToArray();
            if (pending.Length > MaxMessageBytes + 14) throw new FuzzInvariantException($"{pending.Length} bytes buffered for one frame");
        }
    }

    /// <summary>The websocket fast path's handshake sniffer, fed a growing prefix as a socket would.</summary>
    public static void UpgradeRequest(byte[] input)
    {
        var (pieces, data) = Split(input);
        var seen = Array.Empty<byte>();
        foreach (var piece in pieces(data))
        {
            seen = [.. seen, .. piece];
            var status = WebSocketUpgradeRequest.TryParse(new ReadOnlySequence<byte>(seen), PrimusPath, out var request, out var length);
            if (status == UpgradeSniff.Upgrade)
            {
                if (request is null || length <= 0 || length > seen.Length) throw new FuzzInvariantException($"upgrade of length {length} in {seen.Length} bytes");
                if (!WebSocketHandshake.IsValidKey(request.Key)) throw new FuzzInvariantException("upgrade with an invalid key");
                WebSocketHandshake.ComputeAccept(request.Key);
                return;
            }
            if (status == UpgradeSniff.NotOurs) return;
        }
    }

    /// <summary>JSON as every transport parses it (TCP JSON lines, websocket frames, HTTP bodies): only JsonException may escape.</summary>
    public static void JsonRequest(byte[] input)
    {
        System.Text.Json.Nodes.JsonNode? node;
        try
        {
            node = JsonText.Parse(input);
        }
        catch (JsonException)
        {
            return;
        }
        catch (ArgumentException)
        {
            return; // invalid UTF-8 (the websocket path checks UTF-8 before; TCP lines are decoded leniently)
        }
        var serialized = JsonText.Serialize(node);
        JsonText.Parse(serialized); // what we write must parse again
        if (node is System.Text.Json.Nodes.JsonObject obj) ChatCluster.Transports.Primus.PrimusCodec.ToRequest(obj);
        JsonText.IsTruthy(node);
        JsonText.ToJsString(node);
    }

    // First byte: how to cut the rest into reads (whole, single bytes, or pieces of 1 + b % 16 bytes).
    private static (Func<byte[], IEnumerable<byte[]>> Pieces, byte[] Data) Split(byte[] input)
    {
        if (input.Length == 0) return (_ => [], input);
        var mode = input[0];
        var data = input[1..];
        return (mode % 3) switch
        {
            0 => (d => [d], data),
            1 => (d => d.Select(b => new[] { b }), data),
            _ => (d => d.Chunk(1 + mode / 3 % 16), data),
        };
    }
}

/// <summary>A codec broke one of its own rules (not merely refused bad input).</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);

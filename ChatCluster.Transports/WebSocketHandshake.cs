using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace ChatCluster.Transports;

/// <summary>The server's part of the RFC 6455 opening handshake (section 4.2.2).</summary>
public static class WebSocketHandshake
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int KeyLength = 24; // base64 of 16 bytes: 22 significant characters + "=="

    private static readonly SearchValues<char> Base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    /// <summary>The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key.</summary>
    public static string ComputeAccept(string secWebSocketKey)
    {
        ArgumentNullException.ThrowIfNull(secWebSocketKey);
        int inputLength = Encoding.UTF8.GetByteCount(secWebSocketKey) + AcceptGuid.Length;
        // Valid keys are 24 bytes; the heap path only serves callers that skipped IsValidKey.
        Span<byte> input = inputLength <= 256 ? stackalloc byte[inputLength] : new byte[inputLength];
        int written = Encoding.UTF8.GetBytes(secWebSocketKey, input);
        Encoding.ASCII.GetBytes(AcceptGuid, input[written..]);

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>The server's 101 answer, as the ws library (ActionHero's Primus) words it.</summary>
    public static void WriteSwitchingProtocols(IBufferWriter<byte> output, string secWebSocketKey)
    {
        var text = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
            + ComputeAccept(secWebSocketKey) + "\r\n\r\n";
        var span = output.GetSpan(text.Length);
        var written = Encoding.ASCII.GetBytes(text, span);
        output.Advance(written);
    }

    /// <summary>True iff <paramref name="key"/> is base64 of 16 bytes, as the ws library requires.</summary>
    public static bool IsValidKey(string? key) =>
        key is { Length: KeyLength }
        && key.EndsWith("==", StringComparison.Ordinal)
        && !key.AsSpan(0, KeyLength - 2).ContainsAnyExcept(Base64Chars);
}

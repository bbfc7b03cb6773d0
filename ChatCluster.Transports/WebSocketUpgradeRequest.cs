using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace ChatCluster.Transports;

/// <summary>What the first bytes of a web-port connection are, as far as the websocket fast path is concerned.</summary>
public enum UpgradeSniff
{
    /// <summary>A prefix of a websocket upgrade to the Primus path: read more.</summary>
    NeedMore,
    /// <summary>Anything else (other paths, other methods, unusual or invalid headers): Kestrel's HTTP stack answers it.</summary>
    NotOurs,
    /// <summary>A clean websocket upgrade to the Primus path.</summary>
    Upgrade,
}

/// <summary>
/// A websocket opening handshake (RFC 6455 section 4.2.1) read straight off the socket, so that the Primus
/// endpoint can take the connection without an HTTP request object. Only the common, unambiguous shape is
/// accepted; everything else (duplicate or folded headers, a body, percent-encoded paths, a missing Host,
/// bad keys, the spec URL) is <see cref="UpgradeSniff.NotOurs"/> and goes to Kestrel, which answers it as before.
/// </summary>
public sealed record WebSocketUpgradeRequest(string Key, string? SessionId)
{
    /// <summary>The Origin header (sent by browsers), or null.</summary>
    public string? Origin { get; init; }

    /// <summary>Larger handshakes are left to Kestrel (its own header limits apply).</summary>
    public const int MaxHeaderBytes = 8192;

    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>
    /// Reads the handshake at the start of <paramref name="buffer"/>. On <see cref="UpgradeSniff.Upgrade"/>,
    /// <paramref name="headerLength"/> is the number of bytes it took (frames may follow).
    /// </summary>
    public static UpgradeSniff TryParse(ReadOnlySequence<byte> buffer, string primusPath, out WebSocketUpgradeRequest? request, out long headerLength,
        string sessionKey = SessionFingerprint.DefaultKey)
    {
        request = null;
        headerLength = 0;
        // Decide on the request line's prefix early, so that ordinary HTTP requests pass at their first bytes.
        var prefix = "GET "u8.Length + primusPath.Length;
        Span<byte> start = stackalloc byte[Math.Min(prefix, 256)];
        var have = (int)Math.Min(buffer.Length, start.Length);
        buffer.Slice(0, have).CopyTo(start);
        if (prefix > start.Length || !IsPrefixOfRequestLine(start[..have], primusPath)) return UpgradeSniff.NotOurs;

        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> head, HeaderEnd, advancePastDelimiter: true))
            return buffer.Length >= MaxHeaderBytes ? UpgradeSniff.NotOurs : UpgradeSniff.NeedMore;
        if (head.Length + HeaderEnd.Length > MaxHeaderBytes) return UpgradeSniff.NotOurs;

        Span<byte> bytes = stackalloc byte[(int)head.Length];
        head.CopyTo(bytes);
        if (!TryParseHead(bytes, primusPath, sessionKey, out request)) return UpgradeSniff.NotOurs;
        headerLength = reader.Consumed;
        return UpgradeSniff.Upgrade;
    }

    private static bool IsPrefixOfRequestLine(ReadOnlySpan<byte> start, string primusPath)
    {
        ReadOnlySpan<byte> get = "GET "u8;
        for (var i = 0; i < start.Length; i++)
        {
            var expected = i < get.Length ? get[i] : (byte)primusPath[i - get.Length];
            if (start[i] != expected) return false;
        }
        return true;
    }

    private static bool TryParseHead(ReadOnlySpan<byte> head, string primusPath, string sessionKey, out WebSocketUpgradeRequest? request)
    {
        request = null;
        var lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = lineEnd < 0 ? head : head[..lineEnd];
        if (!TryParseRequestLine(requestLine, primusPath, out var query)) return false;

        string? key = null, version = null, origin = null, cookies = null;
        bool host = false, upgrade = false, connectionUpgrade = false;
        var rest = lineEnd < 0 ? ReadOnlySpan<byte>.Empty : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlySpan<byte>.Empty : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            // Folded lines, names with spaces, control bytes or non-ASCII: leave it to Kestrel.
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t' || !IsToken(line[..colon]) || !IsPlainValue(line[(colon + 1)..])) return false;
            var name = line[..colon];
            var value = Encoding.ASCII.GetString(line[(colon + 1)..]).Trim(' ', '\t');
            if (Is(name, "host"u8)) { if (host) return false; host = true; }
            else if (Is(name, "upgrade"u8)) { if (upgrade) return false; upgrade = value.Equals("websocket", StringComparison.OrdinalIgnoreCase); if (!upgrade) return false; }
            else if (Is(name, "connection"u8)) connectionUpgrade |= HasToken(value, "upgrade");
            else if (Is(name, "sec-websocket-key"u8)) { if (key is not null) return false; key = value; }
            else if (Is(name, "sec-websocket-version"u8)) { if (version is not null) return false; version = value; }
            else if (Is(name, "origin"u8)) { if (origin is not null) return false; origin = value; }
            else if (Is(name, "cookie"u8)) cookies = cookies is null ? value : cookies + "; " + value;
            else if (Is(name, "content-length"u8) || Is(name, "transfer-encoding"u8)) return false;
        }
        if (!host || !upgrade || !connectionUpgrade || version != "13" || !WebSocketHandshake.IsValidKey(key)) return false;
        string? fromQuery = null;
        if (query.Length > 0)
        {
            // As Kestrel's Request.Query: decoded, repeated values joined by commas.
            if (QueryHelpers.ParseQuery(query).TryGetValue(sessionKey, out var values) && values.ToString() is { Length: > 0 } joined)
                fromQuery = joined;
        }
        request = new WebSocketUpgradeRequest(key!, SessionFingerprint.Choose(fromQuery, cookies, sessionKey)) { Origin = origin };
        return true;
    }

    // "GET <path>[?query] HTTP/1.1", the path under the Primus path (prefix match, as the HTTP route) but not its spec.
    private static bool TryParseRequestLine(ReadOnlySpan<byte> line, string primusPath, out string query)
    {
        query = "";
        ReadOnlySpan<byte> tail = " HTTP/1.1"u8;
        if (!line.StartsWith("GET "u8) || !line.EndsWith(tail)) return false;
        var target = line["GET "u8.Length..^tail.Length];
        if (target.IsEmpty || target[0] != (byte)'/' || target.IndexOfAny((byte)' ', (byte)'#') >= 0 || !IsPlainValue(target)) return false;
        var q = target.IndexOf((byte)'?');
        var rawPath = q < 0 ? target : target[..q];
        if (rawPath.Contains((byte)'%')) return false; // Kestrel decodes paths; leave encoded ones to it
        var path = Encoding.ASCII.GetString(rawPath);
        if (!path.StartsWith(primusPath, StringComparison.Ordinal) || path == primusPath + "/spec") return false;
        if (q >= 0) query = Encoding.ASCII.GetString(target[q..]);
        return true;
    }

    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lower)
    {
        if (name.Length != lower.Length) return false;
        for (var i = 0; i < name.Length; i++)
            if ((name[i] | 0x20) != lower[i]) return false;
        return true;
    }

    private static bool HasToken(string value, string token)
    {
        foreach (var part in value.Split(','))
            if (part.Trim(' ', '\t').Equals(token, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static bool IsToken(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
            if (b <= 32 || b >= 127 || b is (byte)'(' or (byte)')' or (byte)',' or (byte)'/' or (byte)':' or (byte)';' or (byte)'<'
                or (byte)'=' or (byte)'>' or (byte)'?' or (byte)'@' or (byte)'[' or (byte)'\\' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'"')
                return false;
        return true;
    }

    private static bool IsPlainValue(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
            if ((b < 32 && b != (byte)'\t') || b >= 127) return false;
        return true;
    }
}

using System.Buffers.Text;

namespace ChatCluster.Bench.Load;

/// <summary>
/// The say body every load message carries: <c>~L~&lt;sender&gt;~&lt;sendTimeMicros&gt;~&lt;pad&gt;</c>, the same
/// marker as the shared Node generator (ahload.js). Receivers find it in the raw bytes of a frame or line,
/// so no JSON is parsed per delivery.
/// </summary>
public static class BodyMarker
{
    /// <summary>The three bytes that start every load body.</summary>
    public static ReadOnlySpan<byte> Marker => "~L~"u8;

    /// <summary>Upper bound of the body size without padding: marker, two 20-digit numbers, two '~'.</summary>
    public const int MaxUnpaddedLength = 3 + 20 + 1 + 20 + 1;

    /// <summary>Writes the body into <paramref name="dest"/>; returns the bytes written. Padding is 'x' repeated.</summary>
    public static int Write(Span<byte> dest, int sender, long sendTimeMicros, int padBytes)
    {
        Marker.CopyTo(dest);
        int n = 3;
        Utf8Formatter.TryFormat(sender, dest[n..], out int w);
        n += w;
        dest[n++] = (byte)'~';
        Utf8Formatter.TryFormat(sendTimeMicros, dest[n..], out w);
        n += w;
        dest[n++] = (byte)'~';
        if (padBytes > 0)
        {
            dest.Slice(n, padBytes).Fill((byte)'x');
            n += padBytes;
        }
        return n;
    }

    /// <summary>
    /// Reads sender and send time right after a marker found at <paramref name="markerIndex"/>. False when the
    /// digits are not followed by '~' (a truncated or foreign text).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, int markerIndex, out int sender, out long sendTimeMicros)
    {
        sender = 0;
        sendTimeMicros = 0;
        int i = markerIndex + 3;
        long s = 0;
        int digits = 0;
        while (i < data.Length && (uint)(data[i] - '0') <= 9) { s = s * 10 + (data[i] - '0'); i++; digits++; }
        if (digits == 0 || i >= data.Length || data[i] != '~' || s > int.MaxValue) return false;
        i++;
        long t = 0;
        digits = 0;
        while (i < data.Length && (uint)(data[i] - '0') <= 9) { t = t * 10 + (data[i] - '0'); i++; digits++; }
        if (digits == 0 || i >= data.Length || data[i] != '~') return false;
        sender = (int)s;
        sendTimeMicros = t;
        return true;
    }

    /// <summary>Index of the first marker in <paramref name="data"/>, or -1 (vectorized search).</summary>
    public static int Find(ReadOnlySpan<byte> data) => data.IndexOf(Marker);
}

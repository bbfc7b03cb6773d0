using System.Buffers;
using System.Text;

namespace ChatCluster.Transports;

public enum LineStatus { NeedMore, Line, TooLong }

/// <summary>
/// Input framing of ActionHero v20's TCP socket server (spec section 5), plus a cap on line size.
/// Both '\r' and '\n' end a line (ActionHero rewrites every '\r' to '\n'), so "\r\n" yields the line
/// and an empty line, and empty lines are skipped.
/// </summary>
/// <remarks>
/// Mutable struct: keep it in a field (not a readonly one) and call it through that field.
/// ActionHero has no cap on an undelimited stream; we do, so one client cannot grow our buffer
/// without bound. After a <see cref="LineStatus.TooLong"/> the connection stays usable.
/// </remarks>
public struct LineFramer
{
    private static ReadOnlySpan<byte> Delimiters => "\r\n"u8;

    private readonly int _maxLineBytes;

    // Set once unterminated input passed the limit: everything up to the next delimiter is dropped
    // unseen (only counted), so the caller never has to buffer more than maxLineBytes + 1 bytes of it.
    // The TooLong comes when the line ends, with its full length, as ActionHero reports it.
    private bool _discarding;
    private long _discarded;

    public LineFramer(int maxLineBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        _maxLineBytes = maxLineBytes;
        _discarding = false;
        _discarded = 0;
    }

    public readonly int MaxLineBytes => _maxLineBytes;

    public LineStatus TryRead(ref ReadOnlySequence<byte> buffer, out string? line, out long receivedBytes)
    {
        // default(LineFramer) would silently reject every line as too long.
        if (_maxLineBytes <= 0)
            throw new InvalidOperationException("LineFramer was not constructed with a maxLineBytes limit.");

        line = null;
        receivedBytes = 0;
        var reader = new SequenceReader<byte>(buffer);

        if (_discarding)
        {
            if (!reader.TryAdvanceToAny(Delimiters, advancePastDelimiter: false))
            {
                _discarded += buffer.Length;
                buffer = buffer.Slice(buffer.End);
                return LineStatus.NeedMore;
            }
            receivedBytes = _discarded + reader.Consumed;
            reader.Advance(1);
            buffer = buffer.Slice(reader.Position);
            _discarding = false;
            _discarded = 0;
            return LineStatus.TooLong;
        }

        while (reader.TryReadToAny(out ReadOnlySequence<byte> candidate, Delimiters, advancePastDelimiter: true))
        {
            if (candidate.IsEmpty)
                continue;

            buffer = buffer.Slice(reader.Position);
            if (candidate.Length > _maxLineBytes)
            {
                receivedBytes = candidate.Length;
                return LineStatus.TooLong;
            }
            line = Decode(candidate);
            return LineStatus.Line;
        }

        // Only an unterminated tail is left; empty lines before it are consumed too.
        buffer = buffer.Slice(reader.Position);
        if (buffer.Length > _maxLineBytes)
        {
            _discarded = buffer.Length;
            buffer = buffer.Slice(buffer.End);
            _discarding = true;
        }
        return LineStatus.NeedMore;
    }

    // Encoding.UTF8 replaces invalid bytes with U+FFFD. A line split across segments is copied to the
    // stack when small, which avoids the Decoder the multi-segment overload allocates.
    private static string Decode(in ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
            return Encoding.UTF8.GetString(bytes.FirstSpan);
        if (bytes.Length > 512)
            return Encoding.UTF8.GetString(bytes);
        Span<byte> copy = stackalloc byte[(int)bytes.Length];
        bytes.CopyTo(copy);
        return Encoding.UTF8.GetString(copy);
    }

    /// <summary>
    /// ActionHero destroys the connection when a whole received chunk is Ctrl-D (0x04) or telnet's
    /// Ctrl-C (IAC IP IAC DO TM). Check each chunk as received, before framing it.
    /// </summary>
    public static bool IsBreak(ReadOnlySequence<byte> chunk)
    {
        ReadOnlySpan<byte> ctrlD = [0x04];
        ReadOnlySpan<byte> ctrlC = [0xFF, 0xF4, 0xFF, 0xFD, 0x06];
        if (chunk.Length != ctrlD.Length && chunk.Length != ctrlC.Length)
            return false;
        Span<byte> copy = stackalloc byte[5];
        copy = copy[..(int)chunk.Length];
        chunk.CopyTo(copy);
        return copy.SequenceEqual(ctrlD) || copy.SequenceEqual(ctrlC);
    }
}

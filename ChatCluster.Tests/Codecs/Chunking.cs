using System.Buffers;

namespace ChatCluster.Tests.Codecs;

/// <summary>
/// Turns input into multi-segment sequences, so every codec is also fed split reads: one segment per
/// byte (as SignalR's tests do) and random re-splits with fixed seeds (as akka.net's Rechunker does).
/// </summary>
internal static class Chunking
{
    public const string Whole = "whole";
    public const string PerByte = "per-byte";

    // Fixed seeds keep failures reproducible; each name is also a valid mode.
    public static readonly string[] Modes = [Whole, PerByte, "random-7", "random-42", "random-1234"];

    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> data, string mode)
    {
        var pieces = new List<byte[]>();
        switch (mode)
        {
            case Whole:
                pieces.Add(data.ToArray());
                break;
            case PerByte:
                foreach (var b in data)
                    pieces.Add([b]);
                break;
            default:
                var random = new Random(int.Parse(mode["random-".Length..]));
                for (int offset = 0; offset < data.Length;)
                {
                    // Length 0 puts empty segments in the middle, which a reader must also survive.
                    int length = Math.Min(random.Next(0, 6), data.Length - offset);
                    pieces.Add(data.Slice(offset, length).ToArray());
                    offset += length;
                }
                break;
        }
        return FromPieces(pieces);
    }

    /// <summary>Cuts <paramref name="data"/> into consecutive chunks at random places (fixed seed).</summary>
    public static List<byte[]> RandomChunks(byte[] data, int seed, int maxChunk)
    {
        var random = new Random(seed);
        var chunks = new List<byte[]>();
        for (int offset = 0; offset < data.Length;)
        {
            int length = Math.Min(random.Next(1, maxChunk + 1), data.Length - offset);
            chunks.Add(data[offset..(offset + length)]);
            offset += length;
        }
        return chunks;
    }

    public static TheoryData<string, string> WithModes(IEnumerable<string> caseNames)
    {
        var data = new TheoryData<string, string>();
        foreach (var name in caseNames)
        foreach (var mode in Modes)
            data.Add(name, mode);
        return data;
    }

    private static ReadOnlySequence<byte> FromPieces(List<byte[]> pieces)
    {
        if (pieces.Count == 0)
            return ReadOnlySequence<byte>.Empty;
        var first = new Segment(pieces[0], 0);
        var last = first;
        for (int i = 1; i < pieces.Count; i++)
            last = last.Append(pieces[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

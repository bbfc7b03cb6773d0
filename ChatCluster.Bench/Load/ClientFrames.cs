using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ChatCluster.Bench.Load;

/// <summary>
/// Client side of RFC 6455 framing (the server side lives in ChatCluster.Transports): masked FIN frames
/// out, unmasked frames in.
/// </summary>
public static class ClientFrames
{
    public const byte OpText = 1, OpBinary = 2, OpClose = 8, OpPing = 9, OpPong = 10, OpContinuation = 0;

    /// <summary>Header bytes of a masked client frame: 2/4/10 plus the 4-byte key.</summary>
    public static int HeaderSize(int payloadLength) => (payloadLength <= 125 ? 2 : payloadLength <= ushort.MaxValue ? 4 : 10) + 4;

    /// <summary>
    /// Writes the header of a masked FIN frame whose payload already sits (unmasked) at
    /// <c>dest[HeaderSize(len)..]</c>, then masks that payload in place. Returns the frame length.
    /// </summary>
    public static int WrapMasked(Span<byte> dest, byte opcode, int payloadLength, uint maskKey)
    {
        int h = HeaderSize(payloadLength);
        dest[0] = (byte)(0x80 | opcode);
        if (payloadLength <= 125) dest[1] = (byte)(0x80 | payloadLength);
        else if (payloadLength <= ushort.MaxValue) { dest[1] = 0x80 | 126; BinaryPrimitives.WriteUInt16BigEndian(dest[2..], (ushort)payloadLength); }
        else { dest[1] = 0x80 | 127; BinaryPrimitives.WriteUInt64BigEndian(dest[2..], (ulong)payloadLength); }
        MemoryMarshal.Write(dest.Slice(h - 4, 4), in maskKey);
        Mask(dest.Slice(h, payloadLength), maskKey);
        return h + payloadLength;
    }

    /// <summary>A whole masked frame from a payload (setup path; allocates).</summary>
    public static byte[] Masked(byte opcode, ReadOnlySpan<byte> payload, uint maskKey)
    {
        var frame = new byte[HeaderSize(payload.Length) + payload.Length];
        payload.CopyTo(frame.AsSpan(HeaderSize(payload.Length)));
        WrapMasked(frame, opcode, payload.Length, maskKey);
        return frame;
    }

    /// <summary>XOR with the key in wire order, four bytes at a time.</summary>
    public static void Mask(Span<byte> data, uint maskKey)
    {
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            ulong key64 = maskKey | ((ulong)maskKey << 32);
            var w = data.Slice(i, 8);
            MemoryMarshal.Write(w, MemoryMarshal.Read<ulong>(w) ^ key64);
        }
        Span<byte> k = stackalloc byte[4];
        MemoryMarshal.Write(k, in maskKey);
        for (; i < data.Length; i++) data[i] ^= k[i & 3];
    }

    /// <summary>
    /// Parses one server frame header at the front of <paramref name="data"/>. Returns false when more bytes
    /// are needed; otherwise the header length, payload length, opcode and FIN bit. A masked server frame
    /// (not allowed) is reported with <paramref name="masked"/> so the caller can unmask or fail.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> data, out int headerLength, out long payloadLength, out byte opcode, out bool fin, out bool masked)
    {
        headerLength = 0; payloadLength = 0; opcode = 0; fin = false; masked = false;
        if (data.Length < 2) return false;
        fin = (data[0] & 0x80) != 0;
        opcode = (byte)(data[0] & 0x0F);
        masked = (data[1] & 0x80) != 0;
        int len7 = data[1] & 0x7F;
        int h = 2;
        if (len7 == 126)
        {
            if (data.Length < 4) return false;
            payloadLength = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            h = 4;
        }
        else if (len7 == 127)
        {
            if (data.Length < 10) return false;
            payloadLength = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
            h = 10;
        }
        else payloadLength = len7;
        if (masked) h += 4;
        if (data.Length < h) return false;
        headerLength = h;
        return true;
    }
}

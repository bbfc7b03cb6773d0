using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace ChatCluster.Bench.Load;

/// <summary>
/// The client side of RFC 6455 (the server side lives in ChatCluster.Transports), written once for the load tool
/// and the tests: the upgrade request, masked frames out, frame headers in. <see cref="WrapMasked"/> is the load
/// tool's allocation-free path; <see cref="Frame"/> also writes what a browser never sends (reserved bits, unknown
/// opcodes, unmasked or non-minimal lengths) for the tests of the server's codec.
/// </summary>
public static class ClientFrames
{
    public const byte OpText = 1, OpBinary = 2, OpClose = 8, OpPing = 9, OpPong = 10, OpContinuation = 0;

    /// <summary>How <see cref="Frame"/> writes the payload length: the shortest form, or a longer one on purpose.</summary>
    public enum LengthForm { Shortest, Bits16, Bits64 }

    /// <summary>The key <see cref="Frame"/> masks with unless it is given one.</summary>
    public static readonly byte[] DefaultMask = [0x37, 0xFA, 0x21, 0x3D];

    /// <summary>The HTTP/1.1 upgrade request of a websocket client, byte for byte.</summary>
    public static byte[] UpgradeRequest(string host, string pathAndQuery, string key, string? origin = null) =>
        Encoding.ASCII.GetBytes(
            $"GET {pathAndQuery} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n" + (origin is null ? "" : $"Origin: {origin}\r\n") + "\r\n");

    /// <summary>Header bytes of a masked client frame: 2/4/10 plus the 4-byte key.</summary>
    public static int HeaderSize(int payloadLength) => LengthBytes(LengthForm.Shortest, payloadLength) + 4;

    /// <summary>
    /// Writes the header of a masked FIN frame whose payload already sits (unmasked) at
    /// <c>dest[HeaderSize(len)..]</c>, then masks that payload in place. Returns the frame length.
    /// </summary>
    public static int WrapMasked(Span<byte> dest, byte opcode, int payloadLength, uint maskKey)
    {
        int h = WriteLength(dest, (byte)(0x80 | opcode), payloadLength, LengthForm.Shortest, masked: true);
        MemoryMarshal.Write(dest.Slice(h, 4), in maskKey);
        Mask(dest.Slice(h + 4, payloadLength), maskKey);
        return h + 4 + payloadLength;
    }

    /// <summary>A whole masked FIN frame from a payload (setup path; allocates).</summary>
    public static byte[] Masked(byte opcode, ReadOnlySpan<byte> payload, uint maskKey)
    {
        var frame = new byte[HeaderSize(payload.Length) + payload.Length];
        payload.CopyTo(frame.AsSpan(HeaderSize(payload.Length)));
        WrapMasked(frame, opcode, payload.Length, maskKey);
        return frame;
    }

    /// <summary>
    /// Any client frame: <paramref name="firstByte"/> (FIN, RSV bits, opcode) as given, the length in
    /// <paramref name="form"/>, the payload masked with <paramref name="mask"/> (four key bytes in wire order;
    /// <see cref="DefaultMask"/> when null) or, with <paramref name="masked"/> false, as it is.
    /// </summary>
    public static byte[] Frame(byte firstByte, ReadOnlySpan<byte> payload, LengthForm form = LengthForm.Shortest, byte[]? mask = null, bool masked = true)
    {
        var frame = new byte[LengthBytes(form, payload.Length) + (masked ? 4 : 0) + payload.Length];
        int h = WriteLength(frame, firstByte, payload.Length, form, masked);
        if (!masked)
        {
            payload.CopyTo(frame.AsSpan(h));
            return frame;
        }
        (mask ?? DefaultMask).AsSpan(0, 4).CopyTo(frame.AsSpan(h));
        payload.CopyTo(frame.AsSpan(h + 4));
        Mask(frame.AsSpan(h + 4), MemoryMarshal.Read<uint>(frame.AsSpan(h, 4)));
        return frame;
    }

    /// <summary>A masked FIN text frame, as a browser sends it.</summary>
    public static byte[] Text(string text) => Frame((byte)(0x80 | OpText), Encoding.UTF8.GetBytes(text));

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

    private static int LengthBytes(LengthForm form, int payloadLength) => Resolve(form, payloadLength) switch
    {
        LengthForm.Shortest => 2,
        LengthForm.Bits16 => 4,
        _ => 10,
    };

    private static LengthForm Resolve(LengthForm form, int payloadLength) =>
        form != LengthForm.Shortest ? form : payloadLength switch { <= 125 => LengthForm.Shortest, <= ushort.MaxValue => LengthForm.Bits16, _ => LengthForm.Bits64 };

    // The first byte and the length field; returns where the mask key (or the unmasked payload) starts.
    private static int WriteLength(Span<byte> dest, byte firstByte, int payloadLength, LengthForm form, bool masked)
    {
        dest[0] = firstByte;
        byte maskBit = masked ? (byte)0x80 : (byte)0;
        switch (Resolve(form, payloadLength))
        {
            case LengthForm.Shortest:
                dest[1] = (byte)(maskBit | payloadLength);
                return 2;
            case LengthForm.Bits16:
                dest[1] = (byte)(maskBit | 126);
                BinaryPrimitives.WriteUInt16BigEndian(dest[2..], (ushort)payloadLength);
                return 4;
            default:
                dest[1] = (byte)(maskBit | 127);
                BinaryPrimitives.WriteUInt64BigEndian(dest[2..], (ulong)payloadLength);
                return 10;
        }
    }
}

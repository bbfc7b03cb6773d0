using System.Buffers.Binary;
using System.Text;

namespace ChatCluster.Tests.Codecs;

/// <summary>Builds client-to-server frames the way a browser does: masked, with a chosen length form.</summary>
internal static class ClientFrames
{
    public static readonly byte[] DefaultMask = [0x37, 0xFA, 0x21, 0x3D];

    public enum LengthForm { Shortest, Bits16, Bits64 }

    public static byte[] Masked(byte firstByte, byte[] payload, LengthForm form = LengthForm.Shortest, byte[]? mask = null)
    {
        mask ??= DefaultMask;
        if (form == LengthForm.Shortest)
            form = payload.Length switch { <= 125 => LengthForm.Shortest, <= ushort.MaxValue => LengthForm.Bits16, _ => LengthForm.Bits64 };

        var frame = new List<byte> { firstByte };
        switch (form)
        {
            case LengthForm.Shortest:
                frame.Add((byte)(0x80 | payload.Length));
                break;
            case LengthForm.Bits16:
                frame.Add(0x80 | 126);
                frame.AddRange(BigEndian16((ushort)payload.Length));
                break;
            default:
                frame.Add(0x80 | 127);
                var length = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
                frame.AddRange(length);
                break;
        }
        frame.AddRange(mask);
        for (int i = 0; i < payload.Length; i++)
            frame.Add((byte)(payload[i] ^ mask[i % 4]));
        return [.. frame];
    }

    public static byte[] Text(string text) => Masked(0x81, Encoding.UTF8.GetBytes(text));

    public static byte[] Pattern(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
            data[i] = (byte)(i * 31 + 7);
        return data;
    }

    public static byte[] BigEndian16(ushort value) => [(byte)(value >> 8), (byte)value];
}

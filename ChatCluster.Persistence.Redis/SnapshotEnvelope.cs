using System.Text;

namespace ChatCluster.Persistence.Redis;

/// <summary>
/// The member stored in <c>{prefix}snapshot:{pid}</c>: a snapshot with its metadata and how to deserialize it.
/// Binary format, little-endian (<see cref="BinaryWriter"/>), version 1:
/// <code>
///   byte    format version (1)
///   string  persistenceId      (7-bit-encoded length + UTF-8, as BinaryWriter.Write(string))
///   int64   sequenceNr
///   int64   timestamp          (DateTime.Ticks, UTC, from the SnapshotMetadata)
///   int32   serializerId       (Akka serializer of the payload)
///   string  manifest           (Akka manifest of the payload, "" when the serializer needs none)
///   int32   payload length N
///   byte[N] payload
/// </code>
/// Extend by appending fields and bumping the version; readers reject versions they do not know.
/// The header comes first so that loads and criteria deletes can filter on it without touching the payload.
/// </summary>
public sealed record SnapshotEnvelope(string PersistenceId, long SequenceNr, long TimestampTicks, int SerializerId, string Manifest, byte[] Payload)
{
    public const byte FormatVersion = 1;

    public byte[] ToBytes()
    {
        using var ms = new MemoryStream(64 + Payload.Length);
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(FormatVersion);
            w.Write(PersistenceId);
            w.Write(SequenceNr);
            w.Write(TimestampTicks);
            w.Write(SerializerId);
            w.Write(Manifest);
            w.Write(Payload.Length);
            w.Write(Payload);
        }
        return ms.ToArray();
    }

    /// <summary>Reads a whole envelope; <paramref name="key"/> is only for the error message.</summary>
    public static SnapshotEnvelope FromBytes(byte[] bytes, string key)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            var version = r.ReadByte();
            if (version != FormatVersion)
                throw new InvalidDataException($"unknown snapshot envelope version {version} (this build reads {FormatVersion})");
            var pid = r.ReadString();
            var seqNr = r.ReadInt64();
            var ticks = r.ReadInt64();
            var serializerId = r.ReadInt32();
            var manifest = r.ReadString();
            var length = r.ReadInt32();
            var payload = r.ReadBytes(length);
            if (payload.Length != length)
                throw new InvalidDataException($"payload truncated: {payload.Length} of {length} bytes");
            return new SnapshotEnvelope(pid, seqNr, ticks, serializerId, manifest, payload);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or DecoderFallbackException or FormatException)
        {
            throw new RedisPersistenceException($"a snapshot in '{key}' is not a valid snapshot envelope: {e.Message}", e);
        }
    }
}

using Akka.Actor;
using Akka.Serialization;

namespace ChatCluster.Tests.Persistence;

/// <summary>An event the journal must reject: its serializer (<see cref="ThrowingSerializer"/>) always throws.</summary>
public sealed record NotSerializablePayload(string Text);

/// <summary>Bound to <see cref="NotSerializablePayload"/> in <see cref="RedisPersistenceConfig"/>; fails every call.</summary>
public sealed class ThrowingSerializer : Serializer
{
    public ThrowingSerializer(ExtendedActorSystem system) : base(system) { }

    public override int Identifier => 4790;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) =>
        throw new InvalidOperationException($"ThrowingSerializer refuses {obj.GetType().Name} by design");

    public override object FromBinary(byte[] bytes, Type? type) =>
        throw new InvalidOperationException("ThrowingSerializer never wrote anything to read");
}

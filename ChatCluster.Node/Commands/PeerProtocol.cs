using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Serialization;

namespace ChatCluster.Node.Commands;

/// <summary>Marker of ccm's node-to-node messages; bound to <see cref="PeerMessageSerializer"/> in base.conf.</summary>
public interface IPeerMessage;

/// <summary>
/// What one node's command handlers ask another node's <see cref="PeerActor"/> (<c>/user/ccm-peer</c>): facts only that
/// node has (its connections) and actions only it can take (remove one of its connections from a room, drain itself).
/// </summary>
public static class PeerProtocol
{
    public const string Connection = "connection";
    public const string Locate = "locate";
    public const string LeaveRoom = "leave-room";
    public const string Drain = "drain";

    public sealed record Query(string Kind, JsonObject Args) : IPeerMessage;

    /// <summary><paramref name="Found"/> is false when the node does not hold what was asked for.</summary>
    public sealed record Answer(bool Found, JsonObject Data, string? Error) : IPeerMessage;
}

/// <summary>JSON for the two peer messages, with fixed manifests "Q" and "A" (never change them once shipped).</summary>
public sealed class PeerMessageSerializer : SerializerWithStringManifest
{
    public PeerMessageSerializer(ExtendedActorSystem system) : base(system)
    {
    }

    public override int Identifier => 4712;

    public override string Manifest(object o) => o switch
    {
        PeerProtocol.Query => "Q",
        PeerProtocol.Answer => "A",
        _ => throw new ArgumentException($"not a ccm peer message: {o.GetType()}"),
    };

    public override byte[] ToBinary(object obj)
    {
        JsonObject json = obj switch
        {
            PeerProtocol.Query q => new JsonObject { ["kind"] = q.Kind, ["args"] = q.Args.DeepClone() },
            PeerProtocol.Answer a => new JsonObject { ["found"] = a.Found, ["data"] = a.Data.DeepClone(), ["error"] = a.Error },
            _ => throw new ArgumentException($"not a ccm peer message: {obj.GetType()}"),
        };
        return Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var json = JsonNode.Parse(bytes) as JsonObject ?? throw new System.Runtime.Serialization.SerializationException("ccm peer message is not a JSON object");
        return manifest switch
        {
            "Q" => new PeerProtocol.Query((string?)json["kind"] ?? "", Obj(json["args"])),
            "A" => new PeerProtocol.Answer((bool?)json["found"] ?? false, Obj(json["data"]), (string?)json["error"]),
            _ => throw new System.Runtime.Serialization.SerializationException($"unknown ccm peer manifest {manifest}"),
        };
    }

    private static JsonObject Obj(JsonNode? node) => node is JsonObject o ? (JsonObject)o.DeepClone() : new JsonObject();
}

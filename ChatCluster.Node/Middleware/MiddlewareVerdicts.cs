using System.Text.Json.Nodes;

namespace ChatCluster.Node.Middleware;

/// <summary>The answer of a join or leave hook: go on, or refuse with a text the client sees as the verb's error.</summary>
public readonly record struct RoomVerdict(string? Refusal)
{
    public static readonly RoomVerdict Allow = new(null);

    public static RoomVerdict Refuse(string error) => new(error ?? throw new ArgumentNullException(nameof(error)));

    public bool Allowed => Refusal is null;
}

public enum SayVerdictKind
{
    /// <summary>Go on with this payload (possibly rewritten or with added fields).</summary>
    Deliver,
    /// <summary>onSayReceive: nobody gets the message; say: this recipient gets nothing. No error.</summary>
    Silence,
    /// <summary>onSayReceive only: the sender gets this error and nothing is sent.</summary>
    Refuse,
}

/// <summary>The answer of an onSayReceive or say hook. A value, never an exception or a null element.</summary>
public readonly record struct SayVerdict(SayVerdictKind Kind, JsonObject? Payload, string? Refusal)
{
    public static readonly SayVerdict Silence = new(SayVerdictKind.Silence, null, null);

    public static SayVerdict Deliver(JsonObject payload) => new(SayVerdictKind.Deliver, payload ?? throw new ArgumentNullException(nameof(payload)), null);

    public static SayVerdict Refuse(string error) => new(SayVerdictKind.Refuse, null, error ?? throw new ArgumentNullException(nameof(error)));
}

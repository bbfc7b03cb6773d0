using System.Text.Json.Nodes;
using ChatCluster.Node.Middleware;

namespace EmbeddedHost;

/// <summary>An onSayReceive middleware: messages written in capitals reach the room in lower case.</summary>
public static class NoShouting
{
    public static readonly ChatMiddleware Middleware = new("no-shouting")
    {
        OnSayReceive = (_, _, payload) =>
        {
            if (payload["message"] is JsonValue value && value.TryGetValue<string>(out var message)
                && message.Any(char.IsLetter) && message == message.ToUpperInvariant())
                payload["message"] = message.ToLowerInvariant();
            return ValueTask.FromResult(SayVerdict.Deliver(payload));
        },
    };
}

using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace ChatCluster.Node.Actions;

/// <summary>A finished action: the response object (with <c>error</c> on failure), the HTTP status, and the connection property changes.</summary>
public sealed record ActionResult(JsonObject Response, int HttpStatus, ImmutableDictionary<string, JsonNode?> Changes)
{
    public static ActionResult Error(string message, int httpStatus) =>
        new(new JsonObject { ["error"] = message }, httpStatus, ImmutableDictionary<string, JsonNode?>.Empty);
}

using System.Text.Json.Nodes;

namespace ChatCluster.Node.Actions;

/// <summary>
/// One input of an action: required inputs that are missing (or empty) fail with
/// "&lt;name&gt; is a required parameter for this action"; a default fills a missing optional input; a
/// validator returns null when the value is fine, else the error text.
/// </summary>
public sealed record ActionInput(string Name)
{
    public bool Required { get; init; }

    public JsonNode? Default { get; init; }

    public Func<JsonNode?, string?>? Validator { get; init; }
}

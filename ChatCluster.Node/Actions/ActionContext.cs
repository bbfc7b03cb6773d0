using System.Collections.Immutable;
using System.Text.Json.Nodes;
using ChatCluster.Node.Api;
using ChatCluster.Node.Core;

namespace ChatCluster.Node.Actions;

/// <summary>
/// What an action run sees: its params (inputs validated, defaults applied), the calling connection (a
/// snapshot), the chat API, and a way to set properties on the connection (ActionHero's
/// <c>connection.set</c>); they are applied to the connection before the response is sent.
/// </summary>
public sealed class ActionContext
{
    private ImmutableDictionary<string, JsonNode?> _changes = ImmutableDictionary<string, JsonNode?>.Empty;

    public ActionContext(JsonObject parameters, ConnectionView connection, ChatApi chat, ActionServices services)
    {
        Params = parameters;
        Connection = connection;
        Chat = chat;
        Services = services;
    }

    public JsonObject Params { get; }

    public ConnectionView Connection { get; }

    public ChatApi Chat { get; }

    public ActionServices Services { get; }

    /// <summary>The property changes made by this run, in order.</summary>
    public ImmutableDictionary<string, JsonNode?> Changes => _changes;

    public string? Param(string name) => Params[name] is JsonNode n ? ChatCluster.Transports.JsonText.ToJsString(n) : null;

    public void Set(string key, JsonNode? value) => _changes = _changes.SetItem(key, value?.DeepClone());
}

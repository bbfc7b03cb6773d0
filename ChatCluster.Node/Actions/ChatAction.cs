using System.Text.Json.Nodes;

namespace ChatCluster.Node.Actions;

/// <summary>
/// A server-side command clients call over TCP, websocket and HTTP (ActionHero's action): a name, a
/// description, typed inputs, and an async run that returns the response object. Throwing a
/// <see cref="ActionException"/> (or any exception) answers with <c>{error: message}</c>.
/// </summary>
public abstract class ChatAction
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public virtual IReadOnlyList<ActionInput> Inputs => Array.Empty<ActionInput>();

    public abstract Task<JsonObject> RunAsync(ActionContext context);
}

/// <summary>An action's refusal; the message is what the client sees under <c>error</c>.</summary>
public sealed class ActionException(string message, int httpStatus = 500) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;
}

using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Node.Api;
using ChatCluster.Node.Core;
using ChatCluster.Transports;
using Microsoft.Extensions.Logging;

namespace ChatCluster.Node.Actions;

/// <summary>
/// Runs one action call the same way for every transport: find the action (<c>params.action</c>, optional
/// <c>apiVersion</c> 1), check inputs (required / default / validator), run, and turn any failure into an
/// <c>{error}</c> response with ActionHero's texts and HTTP statuses (404 unknown, 422 bad params, 500 failure).
/// </summary>
public sealed class ActionRunner
{
    private readonly ActionRegistry _registry;
    private readonly ChatApi _chat;
    private readonly ActionServices _services;

    public ActionRunner(ActionRegistry registry, ChatApi chat, ActionServices services)
    {
        _registry = registry;
        _chat = chat;
        _services = services;
    }

    public ActionRegistry Registry => _registry;

    /// <summary>Told the name and run time of every action that ran (the metrics' action duration); null: nobody listens.</summary>
    public Action<string, TimeSpan>? Completed { get; set; }

    public ActionServices Services => _services;

    public async Task<ActionResult> RunAsync(JsonObject parameters, ConnectionView connection)
    {
        var name = JsonText.ToJsString(parameters["action"]);
        var version = parameters["apiVersion"];
        if (name is null || !_registry.TryGet(name, out var action) || (version is not null && JsonText.ToJsString(version) != "1"))
            return ActionResult.Error(ChatErrors.UnknownAction, 404);

        var p = (JsonObject)parameters.DeepClone();
        foreach (var input in action.Inputs)
        {
            var value = p[input.Name];
            var missing = value is null || (value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0);
            if (missing)
            {
                if (input.Required) return ActionResult.Error(ChatErrors.MissingParam(input.Name), 422);
                if (input.Default is not null) p[input.Name] = input.Default.DeepClone();
                continue;
            }
            if (input.Validator?.Invoke(value) is { } invalid) return ActionResult.Error(invalid, 422);
        }

        var context = new ActionContext(p, connection, _chat, _services);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var response = await action.RunAsync(context).ConfigureAwait(false);
            return new ActionResult(response, 200, context.Changes);
        }
        catch (ActionException e)
        {
            return ActionResult.Error(e.Message, e.HttpStatus);
        }
        catch (ChatException e)
        {
            return ActionResult.Error(e.Message, 500);
        }
        catch (Exception e)
        {
            // The details stay in the log: an exception's text is no message for clients.
            _services.Logger.LogError(e, "action {Action} failed for connection {Connection}", name, connection.Id);
            return ActionResult.Error(ChatErrors.InternalError, 500);
        }
        finally
        {
            Completed?.Invoke(name, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }
}

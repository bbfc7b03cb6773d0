using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Node.Core;
using ChatCluster.Node.Web;
using ChatCluster.Transports;

namespace ChatCluster.Node.Connections;

/// <summary>
/// The connection's rulebook (spec sections 4-6): what each request of an ActionHero 20 socket or 29 websocket client
/// means, as plain functions of the request, the connection's state and its transport's dialect. The actor runs
/// the step; nothing here sends, waits or reads the clock.
/// </summary>
public static class VerbRules
{
    /// <summary>The messageId this request is answered with (and TCP pushes carry afterwards); null: a fresh uuid.</summary>
    public static string? MessageId(ClientRequest request, ConnectionState state, ClientDialect dialect) => dialect.MessageIds switch
    {
        // v20: the sticky param wins, else a fresh uuid for this request.
        MessageIdRule.StickyParam => state.Params["messageId"] is JsonNode id ? JsonText.Serialize(id) : null,
        // v29 websocket: the frame's own; a falsy one (null here) gets a uuid.
        _ => request.MessageIdJson,
    };

    /// <summary>The state a request starts from: v29 resets params on every frame (same instance when nothing changes).</summary>
    public static ConnectionState Received(ConnectionState state, ClientDialect dialect) =>
        dialect.MessageIds == MessageIdRule.PerFrame && state.Params.Count > 0 ? state with { Params = new JsonObject() } : state;

    /// <summary>What to do with one request.</summary>
    public static VerbStep Decide(ClientRequest r, ConnectionState s, ClientDialect dialect)
    {
        // The history extension (docs/history.md) on both dialects, before a TCP line could be taken for an action.
        if (r.Verb == HistoryVerbs.RoomHistory) return History(r, s, dialect);
        if (!dialect.Verbs.Contains(r.Verb))
        {
            if (r.Verb == "file") return File(r, s, dialect);
            if (dialect.UnknownVerbs == UnknownVerbRule.LineIsAction) return TcpAction(r, s);
            if (r.Verb == "action") return Action(r.Json ?? new JsonObject(), s, s);
            return VerbStep.Refuse(ChatErrors.VerbNotFound(r.Verb));
        }
        switch (r.Verb)
        {
            case "quit":
            case "exit":
                return VerbStep.Close;
            case "detailsView":
                return VerbStep.Reply(VerbResultJson.Details(s.Id, s.Fingerprint, s.RemoteIp, s.RemotePort, s.Params,
                    s.ConnectedAt, s.Rooms, s.TotalActions, s.PendingActions));
            case "documentation":
                // v20 documents the actions; v29's websocket answers with a TypeError [observed].
                return dialect.Documents ? VerbStep.Document : VerbStep.Refuse(ChatErrors.DocumentationUnavailable);
            case "paramAdd":
                var (key, value) = Verbs.ParamAdd(r.Args);
                if (key is null || !(Verbs.GlobalSafeParams.Contains(key) || s.Settings.IsActionInput(key))) return VerbStep.Reply(null);
                var added = Copy(s.Params);
                if (value is null) added.Remove(key);
                else added[key] = value;
                return VerbStep.Reply(null, s with { Params = added });
            case "paramDelete":
                if (r.Arg(0) is not { } deleted || !s.Params.ContainsKey(deleted)) return VerbStep.Reply(null);
                var remaining = Copy(s.Params);
                remaining.Remove(deleted);
                return VerbStep.Reply(null, s with { Params = remaining });
            case "paramView":
                return VerbStep.Reply(r.Arg(0) is { } viewed && s.Params[viewed] is JsonNode v ? JsonText.Serialize(v) : null);
            case "paramsView":
                return VerbStep.Reply(JsonText.Serialize(s.Params));
            case "paramsDelete":
                return VerbStep.Reply(null, s with { Params = new JsonObject() });
            case "roomAdd":
                // A room given as an object, array or boolean names no room [observed: "room does not exist"].
                if (r.Arg(0) is not { } joining || (r.FirstArgIsNotString && r.FirstArgKind != JsonValueKind.Number))
                    return VerbStep.Refuse(ChatErrors.RoomNotExist);
                if (s.IsIn(joining)) return VerbStep.Refuse(ChatErrors.AlreadyInRoom(joining));
                // Positions and recovery (docs/history.md); a stock join has none and stays ActionHero's.
                var (join, badJoin) = HistoryVerbs.ParseJoin(r, UsesWords(dialect));
                return badJoin is not null ? VerbStep.Refuse(badJoin) : VerbStep.CheckJoin(joining, join);
            case "roomLeave":
                return InRoom(r, s) is { } leaving ? VerbStep.CheckLeave(leaving) : VerbStep.Refuse(ChatErrors.NotInRoom(Verbs.RoomText(r.Arg(0))));
            case "roomView":
                // ActionHero checks the connection's own rooms first: a room it is not in is "not in this room",
                // whether or not it exists [observed].
                return InRoom(r, s) is { } viewing ? VerbStep.ViewRoom(viewing) : VerbStep.Refuse(ChatErrors.NotInRoom(Verbs.RoomText(r.Arg(0))));
            case "say":
                var room = r.Arg(0);
                var message = r.JoinFrom(1);
                if (room is null || r.FirstArgIsFalsy || message.Length == 0) return VerbStep.Refuse(ChatErrors.RoomAndMessageRequired);
                if (r.FirstArgIsNotString || !s.IsIn(room)) return VerbStep.Refuse(ChatErrors.NotInRoom(room));
                return VerbStep.Say(room, message);
        }
        // A verb in the dialect's set without a rule here: a programming error, answered as one.
        return VerbStep.Refuse(ChatErrors.VerbNotFound(r.Verb));
    }

    /// <summary>
    /// Server-side <c>chatRoom.addMember</c> / <c>removeMember</c> for this connection: ActionHero's checks, then the
    /// verb's path (the actor answers the caller instead of the client).
    /// </summary>
    public static VerbStep DecideChange(string room, bool join, ConnectionState s)
    {
        if (join) return s.IsIn(room) ? VerbStep.Refuse(ChatErrors.AlreadyInRoom(room)) : VerbStep.CheckJoin(room);
        return s.IsIn(room) ? VerbStep.CheckLeave(room) : VerbStep.Refuse(ChatErrors.NotInRoom(room));
    }

    /// <summary>How the <c>file</c> verb is answered once the file was looked up.</summary>
    public static FileAnswer FileAnswer(ClientDialect dialect, PublicLookup lookup, PublicFileContent? content, long maxBytes)
    {
        var error = lookup switch
        {
            PublicLookup.Found => null,
            PublicLookup.TooLarge => ChatErrors.FileTooLarge(maxBytes),
            _ => dialect.Files == FileRule.StickyParamRawBytes ? ChatErrors.FileNotFoundV20 : ChatErrors.FileNotFound,
        };
        if (dialect.Files == FileRule.StickyParamRawBytes)
        {
            // v20: the file's bytes as they are (no JSON, no delimiter); an error as a bare JSON string line.
            return error is null
                ? new FileAnswer(content!.Bytes, null, null)
                : new FileAnswer(null, System.Text.Encoding.UTF8.GetBytes(JsonText.Quote(error)), null);
        }
        var response = error is null
            ? new JsonObject
            {
                ["content"] = System.Text.Encoding.UTF8.GetString(content!.Bytes),
                ["mime"] = content.Mime,
                ["length"] = content.Bytes.Length,
                // A JavaScript Date as JSON: ISO 8601, UTC, milliseconds.
                ["lastModified"] = content.LastModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            }
            : new JsonObject
            {
                // ActionHero's shape for a failed file request [observed].
                ["error"] = error,
                ["content"] = null,
                ["mime"] = "text/html",
                ["length"] = error.Length,
            };
        return new FileAnswer(null, null, response);
    }

    // The room a leave / view names, when the connection is in it (a non-string JSON value names no joined room).
    // A room's last messages, for its members only.
    private static VerbStep History(ClientRequest r, ConnectionState s, ClientDialect dialect)
    {
        if (InRoom(r, s) is not { } room) return VerbStep.Refuse(ChatErrors.NotInRoom(Verbs.RoomText(r.Arg(0))));
        var (read, bad) = HistoryVerbs.ParseHistory(r, UsesWords(dialect), s.Id, room);
        return bad is not null ? VerbStep.Refuse(bad) : VerbStep.ReadHistory(read!);
    }

    // The extension's options are words after the room on a TCP line, fields of the frame on a websocket.
    private static bool UsesWords(ClientDialect dialect) => dialect.UnknownVerbs == UnknownVerbRule.LineIsAction;

    private static string? InRoom(ClientRequest r, ConnectionState s) =>
        r.Arg(0) is { } room && !r.FirstArgIsNotString && s.IsIn(room) ? room : null;

    // The name comes from the frame's `file` (websocket) or the first word, kept as the sticky `file` param (TCP v20).
    private static VerbStep File(ClientRequest r, ConnectionState s, ClientDialect dialect)
    {
        if (dialect.Files == FileRule.FrameFieldAsJson)
        {
            var name = r.DataJson is { } data && JsonText.Parse(data) is JsonObject frame && frame["file"] is JsonValue v
                && v.TryGetValue<string>(out var n) ? n : null;
            return VerbStep.ReadFile(name);
        }
        var next = s;
        if (r.Arg(0) is { } word)
        {
            var p = Copy(s.Params);
            p["file"] = word;
            next = s with { Params = p };
        }
        var sticky = next.Params["file"] is JsonValue f && f.TryGetValue<string>(out var named) ? named : null;
        return VerbStep.ReadFile(sticky, ReferenceEquals(next, s) ? null : next);
    }

    // TCP: a word that is no verb is an action. A JSON line replaces the sticky params with its own "params" and may
    // name the action; anything else makes the first word the sticky action.
    private static VerbStep TcpAction(ClientRequest r, ConnectionState s)
    {
        JsonNode? parsed = null;
        try
        {
            parsed = JsonText.Parse(r.RawLine ?? r.Verb);
        }
        catch (JsonLoneSurrogateException e)
        {
            // Valid JSON to ActionHero (JavaScript strings may hold lone surrogates), but not text we can hold: say so
            // in the shape of an action's error, as the line was meant as one.
            return VerbStep.RefuseAction(e.Message);
        }
        catch (JsonException)
        {
        }
        var parameters = s.Params;
        string? messageId = null;
        if (parsed is JsonObject line)
        {
            if (line["params"] is JsonObject p) parameters = (JsonObject)p.DeepClone();
            if (line["action"] is JsonNode a)
            {
                if (ReferenceEquals(parameters, s.Params)) parameters = Copy(s.Params);
                parameters["action"] = a.DeepClone();
            }
            if (parameters["messageId"] is JsonNode id) messageId = JsonText.Serialize(id);
        }
        else if (!JsonText.IsTruthy(parsed))
        {
            parameters = Copy(s.Params);
            parameters["action"] = r.Verb; // not JSON, or a falsy JSON value [observed]
        }
        return Action(parameters, ReferenceEquals(parameters, s.Params) ? s : s with { Params = parameters }, s, messageId);
    }

    // Actions run concurrently, at most chatcluster.actions.max-pending at a time; a refused one still counts in
    // totalActions (as ActionHero's).
    private static VerbStep Action(JsonObject parameters, ConnectionState next, ConnectionState s, string? messageId = null)
    {
        if (s.PendingActions + 1 > s.Settings.MaxPendingActions)
            return VerbStep.RefuseAction(ChatErrors.TooManyPendingActions, next with { TotalActions = s.TotalActions + 1 }, messageId);
        return VerbStep.RunAction(parameters, next with { TotalActions = s.TotalActions + 1, PendingActions = s.PendingActions + 1 }, messageId);
    }

    private static JsonObject Copy(JsonObject parameters) => (JsonObject)parameters.DeepClone();
}

/// <summary>
/// The answer to a <c>file</c> request: exactly one of <paramref name="Unframed"/> (v20: the bytes as they are),
/// <paramref name="Line"/> (v20: an error as a JSON string) or <paramref name="Response"/> (v29: an action's JSON).
/// </summary>
public readonly record struct FileAnswer(byte[]? Unframed, byte[]? Line, JsonObject? Response);

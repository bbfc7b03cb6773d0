using System.Text.Json.Nodes;
using ChatCluster.Transports;

namespace ChatCluster.Node.Connections;

/// <summary>What the connection does next for one request (see <see cref="VerbStep"/>). A closed set: a new verb that
/// needs something new (e.g. a room's history) is one more kind here and one more case where the actor runs steps.</summary>
public enum VerbStepKind : byte
{
    /// <summary><c>{"status":"OK",…}</c> with <see cref="VerbStep.Text"/> as <c>data</c> (JSON text; none when null).</summary>
    Reply,

    /// <summary>The verb's error: <see cref="VerbStep.Text"/> is a <c>ChatErrors</c> text.</summary>
    Refuse,

    /// <summary>Join middleware for <see cref="VerbStep.Room"/>, then the room (answered <c>true</c> once it has the member).</summary>
    CheckJoin,

    /// <summary>Leave middleware for <see cref="VerbStep.Room"/>, then the room.</summary>
    CheckLeave,

    /// <summary>Ask <see cref="VerbStep.Room"/> for its members.</summary>
    ViewRoom,

    /// <summary>Say <see cref="VerbStep.Text"/> in <see cref="VerbStep.Room"/>: onSayReceive middleware (if any), then the room.</summary>
    Say,

    /// <summary>Run the action <see cref="VerbStep.Params"/> name (a copy is run; actions run concurrently).</summary>
    RunAction,

    /// <summary>An action-shaped error <c>{"error":…}</c>: <see cref="VerbStep.Text"/>.</summary>
    RefuseAction,

    /// <summary>The <c>file</c> verb: read <see cref="VerbStep.Text"/> (null: no name) from the public folder.</summary>
    ReadFile,

    /// <summary>The actions' documentation.</summary>
    Document,

    /// <summary><c>quit</c> / <c>exit</c>: goodbye and close.</summary>
    Close,

    /// <summary>Read a room's history (the extension of docs/history.md): <see cref="VerbStep.Read"/> for the room.</summary>
    ReadHistory,
}

/// <summary>
/// One decision of <see cref="VerbRules"/>: what to do, with what, and the connection's state afterwards
/// (<see cref="Next"/>, null when unchanged). A struct built by the factories below: deciding a <c>say</c> allocates
/// nothing.
/// </summary>
public readonly struct VerbStep
{
    private VerbStep(VerbStepKind kind, string? text = null, string? room = null, JsonObject? parameters = null,
        string? messageIdJson = null, ConnectionState? next = null, HistoryVerbs.JoinOptions? join = null,
        Messages.RoomProtocol.ReadHistory? read = null)
    {
        Kind = kind;
        Join = join;
        Read = read;
        Text = text;
        Room = room;
        Params = parameters;
        MessageIdJson = messageIdJson;
        Next = next;
    }

    public VerbStepKind Kind { get; }

    /// <summary>Reply: the data JSON; Refuse / RefuseAction: the error; Say: the message; ReadFile: the name.</summary>
    public string? Text { get; }

    public string? Room { get; }

    /// <summary>RunAction: the params to run the action with.</summary>
    public JsonObject? Params { get; }

    /// <summary>RunAction / RefuseAction from a TCP JSON line whose params name a messageId: the id to answer with from now on.</summary>
    public string? MessageIdJson { get; }

    /// <summary>CheckJoin: the positions-and-history options of the join; null for ActionHero's join.</summary>
    public HistoryVerbs.JoinOptions? Join { get; }

    /// <summary>ReadHistory: the question for the room.</summary>
    public Messages.RoomProtocol.ReadHistory? Read { get; }

    /// <summary>The connection's state after this step; null when the step does not change it.</summary>
    public ConnectionState? Next { get; }

    public static VerbStep Reply(string? dataJson, ConnectionState? next = null) => new(VerbStepKind.Reply, text: dataJson, next: next);

    public static VerbStep Refuse(string error) => new(VerbStepKind.Refuse, text: error);

    public static VerbStep CheckJoin(string room, HistoryVerbs.JoinOptions? join = null) => new(VerbStepKind.CheckJoin, room: room, join: join);

    public static VerbStep ReadHistory(Messages.RoomProtocol.ReadHistory read) => new(VerbStepKind.ReadHistory, room: read.Room, read: read);

    public static VerbStep CheckLeave(string room) => new(VerbStepKind.CheckLeave, room: room);

    public static VerbStep ViewRoom(string room) => new(VerbStepKind.ViewRoom, room: room);

    public static VerbStep Say(string room, string message) => new(VerbStepKind.Say, text: message, room: room);

    public static VerbStep RunAction(JsonObject parameters, ConnectionState next, string? messageIdJson = null) =>
        new(VerbStepKind.RunAction, parameters: parameters, messageIdJson: messageIdJson, next: next);

    public static VerbStep RefuseAction(string error, ConnectionState? next = null, string? messageIdJson = null) =>
        new(VerbStepKind.RefuseAction, text: error, messageIdJson: messageIdJson, next: next);

    public static VerbStep ReadFile(string? name, ConnectionState? next = null) => new(VerbStepKind.ReadFile, text: name, next: next);

    public static readonly VerbStep Document = new(VerbStepKind.Document);

    public static readonly VerbStep Close = new(VerbStepKind.Close);

    /// <summary>For test tables and logs: the kind and what it carries (the next state by what verbs change).</summary>
    public override string ToString()
    {
        var s = Kind.ToString();
        if (Room is not null) s += " room=" + Room;
        if (Join is not null) s += " join=" + Join;
        if (Read is not null) s += " read=" + Read;
        if (Text is not null) s += " text=" + Text;
        if (Params is not null) s += " params=" + JsonText.Serialize(Params);
        if (MessageIdJson is not null) s += " messageId=" + MessageIdJson;
        if (Next is { } n)
            s += $" next(params={JsonText.Serialize(n.Params)}, rooms=[{string.Join(",", n.Rooms)}], actions={n.TotalActions}/{n.PendingActions})";
        return s;
    }
}

using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Node.Connections;
using ChatCluster.Node.Web;
using ChatCluster.Transports;
using ChatCluster.Transports.Primus;

namespace ChatCluster.Tests.Unit;

/// <summary>
/// The connection's rulebook as named tables: request + state + dialect → step, for every verb of ActionHero 20's
/// socket (<see cref="Tcp"/>) and 29's websocket (<see cref="Ws"/>), refusals included. Requests come from the real
/// decoders (a TCP line, a Primus frame), so a case reads as what a client sends.
/// </summary>
public sealed class VerbRulesTests
{
    private static readonly ClientDialect Tcp = ClientDialect.Tcp;
    private static readonly ClientDialect Ws = ClientDialect.WebSocket;

    // Two actions may run at once; "name" is some action's input (paramAdd keeps it), "colour" is nobody's.
    private static readonly VerbSettings Settings = new(MaxPendingActions: 2, IsActionInput: name => name == "name");

    private static ConnectionState S(string rooms = "", string parameters = "{}", int total = 0, int pending = 0) =>
        ConnectionState.New("c1", "f1", "127.0.0.1", 5000, 1000, Settings) with
        {
            Rooms = rooms.Length == 0 ? ImmutableArray<string>.Empty : rooms.Split(',').ToImmutableArray(),
            Params = (JsonObject)JsonNode.Parse(parameters)!,
            TotalActions = total,
            PendingActions = pending,
        };

    private static ClientRequest Line(string line) => TcpRequestParser.Parse(line);

    private static ClientRequest Frame(string json) => PrimusCodec.Decode(Encoding.UTF8.GetBytes(json)).Request!;

    private static JsonObject O(string json) => (JsonObject)JsonNode.Parse(json)!;

    private const string Details =
        """{"id":"c1","fingerprint":"f1","remoteIP":"127.0.0.1","remotePort":5000,"params":{},"connectedAt":1000,"rooms":["r1"],"totalActions":0,"pendingActions":0}""";

    public static TheoryData<string, ClientDialect, ConnectionState, ClientRequest, VerbStep> SocketCases => new()
    {
        { "quit closes", Tcp, S(), Line("quit"), VerbStep.Close },
        { "exit closes", Tcp, S(), Line("exit"), VerbStep.Close },
        { "detailsView shows the connection", Tcp, S("r1"), Line("detailsView"), VerbStep.Reply(Details) },
        { "documentation documents the actions", Tcp, S(), Line("documentation"), VerbStep.Document },
        { "paramAdd key=value keeps a global safe param", Tcp, S(), Line("paramAdd messageId=5"), VerbStep.Reply(null, S(parameters: """{"messageId":"5"}""")) },
        { "paramAdd key value keeps an action's input", Tcp, S(), Line("paramAdd name bob"), VerbStep.Reply(null, S(parameters: """{"name":"bob"}""")) },
        { "paramAdd key=value splits on the first '=' only", Tcp, S(), Line("paramAdd name=a=b"), VerbStep.Reply(null, S(parameters: """{"name":"a"}""")) },
        { "paramAdd of a param no action takes is OK and keeps nothing", Tcp, S(), Line("paramAdd colour red"), VerbStep.Reply(null) },
        { "paramAdd without a value removes the param", Tcp, S(parameters: """{"file":"a"}"""), Line("paramAdd file"), VerbStep.Reply(null, S()) },
        { "paramAdd without a key is OK", Tcp, S(), Line("paramAdd"), VerbStep.Reply(null) },
        { "paramDelete removes one param", Tcp, S(parameters: """{"file":"a","name":"b"}"""), Line("paramDelete file"), VerbStep.Reply(null, S(parameters: """{"name":"b"}""")) },
        { "paramDelete of a missing param changes nothing", Tcp, S(parameters: """{"name":"b"}"""), Line("paramDelete file"), VerbStep.Reply(null) },
        { "paramView shows one param", Tcp, S(parameters: """{"name":"b"}"""), Line("paramView name"), VerbStep.Reply("\"b\"") },
        { "paramView of a missing param has no data", Tcp, S(), Line("paramView name"), VerbStep.Reply(null) },
        { "paramsView shows every param", Tcp, S(parameters: """{"name":"b","file":"x"}"""), Line("paramsView"), VerbStep.Reply("""{"name":"b","file":"x"}""") },
        { "paramsDelete empties the params", Tcp, S(parameters: """{"name":"b"}"""), Line("paramsDelete"), VerbStep.Reply(null, S()) },
        { "roomAdd of a new room checks the join", Tcp, S("r1"), Line("roomAdd r2"), VerbStep.CheckJoin("r2") },
        { "roomAdd of a joined room refuses", Tcp, S("r1"), Line("roomAdd r1"), VerbStep.Refuse(ChatErrors.AlreadyInRoom("r1")) },
        { "roomAdd without a room: room does not exist", Tcp, S(), Line("roomAdd"), VerbStep.Refuse(ChatErrors.RoomNotExist) },
        { "roomAdd with positions opts in (history)", Tcp, S("r1"), Line("roomAdd r2 positions"), VerbStep.CheckJoin("r2", new HistoryVerbs.JoinOptions(true, null)) },
        { "roomAdd since without an epoch is refused (history)", Tcp, S(), Line("roomAdd r2 since 5"), VerbStep.Refuse(HistoryVerbs.ParseJoin(Line("roomAdd r2 since 5"), true).Error!) },
        { "roomHistory of a joined room reads it, not an action (history)", Tcp, S("r1"), Line("roomHistory r1 5"),
            VerbStep.ReadHistory(new RoomProtocol.ReadHistory("r1", "c1", 5, null)) },
        { "roomHistory of another room: not in this room (history)", Tcp, S("r1"), Line("roomHistory r2"), VerbStep.Refuse(ChatErrors.NotInRoom("r2")) },
        { "roomLeave of a joined room checks the leave", Tcp, S("r1"), Line("roomLeave r1"), VerbStep.CheckLeave("r1") },
        { "roomLeave of another room refuses", Tcp, S("r1"), Line("roomLeave r2"), VerbStep.Refuse(ChatErrors.NotInRoom("r2")) },
        { "roomLeave without a room names undefined", Tcp, S("r1"), Line("roomLeave"), VerbStep.Refuse(ChatErrors.NotInRoom("undefined")) },
        { "roomView of a joined room asks the room", Tcp, S("r1"), Line("roomView r1"), VerbStep.ViewRoom("r1") },
        { "roomView of another room refuses, existing or not", Tcp, S("r1"), Line("roomView r2"), VerbStep.Refuse(ChatErrors.NotInRoom("r2")) },
        { "say in a joined room says the rest of the line", Tcp, S("r1"), Line("say r1 hello  world"), VerbStep.Say("r1", "hello  world") },
        { "say in another room refuses", Tcp, S("r1"), Line("say r2 hi"), VerbStep.Refuse(ChatErrors.NotInRoom("r2")) },
        { "say without a message refuses", Tcp, S("r1"), Line("say r1"), VerbStep.Refuse(ChatErrors.RoomAndMessageRequired) },
        { "say with nothing refuses", Tcp, S("r1"), Line("say"), VerbStep.Refuse(ChatErrors.RoomAndMessageRequired) },
        { "a word that is no verb becomes the sticky action", Tcp, S(), Line("status"),
            VerbStep.RunAction(O("""{"action":"status"}"""), S(parameters: """{"action":"status"}""", total: 1, pending: 1)) },
        { "a JSON line replaces the params and names the action and messageId", Tcp, S(parameters: """{"name":"old"}"""),
            Line("""{"action":"status","params":{"messageId":7}}"""),
            VerbStep.RunAction(O("""{"messageId":7,"action":"status"}"""), S(parameters: """{"messageId":7,"action":"status"}""", total: 1, pending: 1), "7") },
        { "a JSON line without params keeps the sticky ones", Tcp, S(parameters: """{"name":"b"}"""), Line("""{"action":"status"}"""),
            VerbStep.RunAction(O("""{"name":"b","action":"status"}"""), S(parameters: """{"name":"b","action":"status"}""", total: 1, pending: 1)) },
        { "a truthy JSON value reruns the sticky action", Tcp, S(parameters: """{"action":"status"}"""), Line("5"),
            VerbStep.RunAction(O("""{"action":"status"}"""), S(parameters: """{"action":"status"}""", total: 1, pending: 1)) },
        { "a lone surrogate in a JSON line is refused as an action", Tcp, S(), Line("""{"action":"\ud800"}"""), VerbStep.RefuseAction(ChatErrors.JsonLoneSurrogate) },
        { "past max pending actions the action is refused but counted", Tcp, S(total: 5, pending: 2), Line("status"),
            VerbStep.RefuseAction(ChatErrors.TooManyPendingActions, S(parameters: """{"action":"status"}""", total: 6, pending: 2)) },
        { "file names the sticky file param", Tcp, S(), Line("file index.html"), VerbStep.ReadFile("index.html", S(parameters: """{"file":"index.html"}""")) },
        { "file without a name reads the sticky one", Tcp, S(parameters: """{"file":"a.txt"}"""), Line("file"), VerbStep.ReadFile("a.txt") },
        { "file without any name reads nothing", Tcp, S(), Line("file"), VerbStep.ReadFile(null) },
    };

    public static TheoryData<string, ClientDialect, ConnectionState, ClientRequest, VerbStep> WebSocketCases => new()
    {
        { "quit closes", Ws, S(), Frame("""{"event":"quit"}"""), VerbStep.Close },
        { "exit closes", Ws, S(), Frame("""{"event":"exit"}"""), VerbStep.Close },
        { "detailsView shows the connection", Ws, S("r1"), Frame("""{"event":"detailsView"}"""), VerbStep.Reply(Details) },
        { "documentation is a TypeError on v29", Ws, S(), Frame("""{"event":"documentation"}"""), VerbStep.Refuse(ChatErrors.DocumentationUnavailable) },
        { "paramAdd is no websocket verb", Ws, S(), Frame("""{"event":"paramAdd","room":"name=b"}"""), VerbStep.Refuse(ChatErrors.VerbNotFound("paramAdd")) },
        { "paramsView is no websocket verb", Ws, S(), Frame("""{"event":"paramsView"}"""), VerbStep.Refuse(ChatErrors.VerbNotFound("paramsView")) },
        { "an unknown event is not found", Ws, S(), Frame("""{"event":"status"}"""), VerbStep.Refuse(ChatErrors.VerbNotFound("status")) },
        { "a frame without event is not found (undefined)", Ws, S(), Frame("""{"room":"r1"}"""), VerbStep.Refuse(ChatErrors.VerbNotFound("undefined")) },
        { "roomAdd of a new room checks the join", Ws, S(), Frame("""{"event":"roomAdd","room":"r2"}"""), VerbStep.CheckJoin("r2") },
        { "roomAdd with a number names the room by its text", Ws, S(), Frame("""{"event":"roomAdd","room":5}"""), VerbStep.CheckJoin("5") },
        { "roomAdd with an object names no room", Ws, S(), Frame("""{"event":"roomAdd","room":{"a":1}}"""), VerbStep.Refuse(ChatErrors.RoomNotExist) },
        { "roomAdd with true names no room", Ws, S(), Frame("""{"event":"roomAdd","room":true}"""), VerbStep.Refuse(ChatErrors.RoomNotExist) },
        { "roomAdd without a room: room does not exist", Ws, S(), Frame("""{"event":"roomAdd"}"""), VerbStep.Refuse(ChatErrors.RoomNotExist) },
        { "roomAdd with positions:true opts in (history)", Ws, S(), Frame("""{"event":"roomAdd","room":"r2","positions":true}"""),
            VerbStep.CheckJoin("r2", new HistoryVerbs.JoinOptions(true, null)) },
        { "roomAdd with a positions flag that is not a boolean (history)", Ws, S(), Frame("""{"event":"roomAdd","room":"r2","positions":"yes"}"""),
            VerbStep.Refuse(ChatErrors.PositionsFlagInvalid) },
        { "roomHistory with a limit (history)", Ws, S("r1"), Frame("""{"event":"roomHistory","room":"r1","limit":2}"""),
            VerbStep.ReadHistory(new RoomProtocol.ReadHistory("r1", "c1", 2, null)) },
        { "roomHistory of a room not joined (history)", Ws, S(), Frame("""{"event":"roomHistory","room":"r1"}"""), VerbStep.Refuse(ChatErrors.NotInRoom("r1")) },
        { "roomAdd of a joined room refuses", Ws, S("r1"), Frame("""{"event":"roomAdd","room":"r1"}"""), VerbStep.Refuse(ChatErrors.AlreadyInRoom("r1")) },
        { "roomLeave of a joined room checks the leave", Ws, S("r1"), Frame("""{"event":"roomLeave","room":"r1"}"""), VerbStep.CheckLeave("r1") },
        { "roomLeave with a number never names a joined room", Ws, S("5"), Frame("""{"event":"roomLeave","room":5}"""), VerbStep.Refuse(ChatErrors.NotInRoom("5")) },
        { "roomLeave of another room refuses", Ws, S("r1"), Frame("""{"event":"roomLeave","room":"r2"}"""), VerbStep.Refuse(ChatErrors.NotInRoom("r2")) },
        { "roomView of a joined room asks the room", Ws, S("r1"), Frame("""{"event":"roomView","room":"r1"}"""), VerbStep.ViewRoom("r1") },
        { "roomView without a room names undefined", Ws, S("r1"), Frame("""{"event":"roomView"}"""), VerbStep.Refuse(ChatErrors.NotInRoom("undefined")) },
        { "say in a joined room", Ws, S("r1"), Frame("""{"event":"say","room":"r1","message":"hi there"}"""), VerbStep.Say("r1", "hi there") },
        { "say in another room refuses", Ws, S("r1"), Frame("""{"event":"say","room":"r2","message":"hi"}"""), VerbStep.Refuse(ChatErrors.NotInRoom("r2")) },
        { "say to room 0 needs a room", Ws, S("0"), Frame("""{"event":"say","room":0,"message":"hi"}"""), VerbStep.Refuse(ChatErrors.RoomAndMessageRequired) },
        { "say with an empty message refuses", Ws, S("r1"), Frame("""{"event":"say","room":"r1","message":""}"""), VerbStep.Refuse(ChatErrors.RoomAndMessageRequired) },
        { "say without a message refuses", Ws, S("r1"), Frame("""{"event":"say","room":"r1"}"""), VerbStep.Refuse(ChatErrors.RoomAndMessageRequired) },
        { "say with a number as room is not in it", Ws, S("7"), Frame("""{"event":"say","room":7,"message":"hi"}"""), VerbStep.Refuse(ChatErrors.NotInRoom("7")) },
        { "the action event runs the frame's params", Ws, S(), Frame("""{"event":"action","params":{"action":"status"}}"""),
            VerbStep.RunAction(O("""{"action":"status"}"""), S(total: 1, pending: 1)) },
        { "the action event without params runs none", Ws, S(), Frame("""{"event":"action"}"""), VerbStep.RunAction(O("{}"), S(total: 1, pending: 1)) },
        { "past max pending actions the action is refused but counted", Ws, S(pending: 2), Frame("""{"event":"action","params":{"action":"status"}}"""),
            VerbStep.RefuseAction(ChatErrors.TooManyPendingActions, S(total: 1, pending: 2)) },
        { "file names the frame's file", Ws, S(), Frame("""{"event":"file","file":"index.html"}"""), VerbStep.ReadFile("index.html") },
        { "file without a name reads nothing", Ws, S(), Frame("""{"event":"file"}"""), VerbStep.ReadFile(null) },
        { "file with a number as name reads nothing", Ws, S(), Frame("""{"event":"file","file":3}"""), VerbStep.ReadFile(null) },
    };

    [Theory]
    [MemberData(nameof(SocketCases))]
    [MemberData(nameof(WebSocketCases))]
    public void Decide_should_turn_each_request_into_its_step(string name, ClientDialect dialect, ConnectionState state, ClientRequest request, VerbStep expected)
    {
        var step = VerbRules.Decide(request, state, dialect);
        Assert.True(expected.ToString() == step.ToString(), $"{dialect} {name}:\n  expected {expected}\n  actual   {step}");
    }

    [Theory]
    [MemberData(nameof(SocketCases))]
    [MemberData(nameof(WebSocketCases))]
    public void Decide_should_never_change_the_state_it_was_given(string name, ClientDialect dialect, ConnectionState state, ClientRequest request, VerbStep _)
    {
        var before = JsonText.Serialize(state.Params) + string.Join(",", state.Rooms) + state.TotalActions + "/" + state.PendingActions;
        VerbRules.Decide(request, state, dialect);
        Assert.True(before == JsonText.Serialize(state.Params) + string.Join(",", state.Rooms) + state.TotalActions + "/" + state.PendingActions, name);
    }

    // ---- messageId: which id a request is answered with (null: a fresh uuid) ----

    public static TheoryData<string, ClientDialect, string, ClientRequest, string?> MessageIdCases => new()
    {
        { "v20 without a sticky messageId: fresh", Tcp, "{}", Line("roomAdd r1"), null },
        { "v20 sticky messageId param wins", Tcp, """{"messageId":"m1"}""", Line("roomAdd r1"), "\"m1\"" },
        { "v20 numeric sticky messageId stays a number", Tcp, """{"messageId":5}""", Line("roomAdd r1"), "5" },
        { "v29 the frame's messageId", Ws, "{}", Frame("""{"event":"roomAdd","room":"r1","messageId":"a"}"""), "\"a\"" },
        { "v29 numeric messageId stays a number", Ws, "{}", Frame("""{"event":"roomAdd","room":"r1","messageId":5}"""), "5" },
        { "v29 falsy messageId: fresh", Ws, "{}", Frame("""{"event":"roomAdd","room":"r1","messageId":0}"""), null },
        { "v29 without messageId: fresh", Ws, "{}", Frame("""{"event":"roomAdd","room":"r1"}"""), null },
        { "v29 ignores params", Ws, """{"messageId":"m1"}""", Frame("""{"event":"roomAdd","room":"r1"}"""), null },
    };

    [Theory]
    [MemberData(nameof(MessageIdCases))]
    public void MessageId_should_follow_the_dialect(string name, ClientDialect dialect, string parameters, ClientRequest request, string? expected)
    {
        Assert.True(expected == VerbRules.MessageId(request, S(parameters: parameters), dialect), name);
    }

    [Fact]
    public void Received_should_reset_params_per_frame_on_v29_only()
    {
        var withParams = S(parameters: """{"name":"b"}""");
        Assert.Equal("{}", JsonText.Serialize(VerbRules.Received(withParams, Ws).Params));
        Assert.Same(withParams, VerbRules.Received(withParams, Tcp));
        var empty = S();
        Assert.Same(empty, VerbRules.Received(empty, Ws)); // nothing to reset: no new state per frame
    }

    // ---- server-side addMember / removeMember ----

    public static TheoryData<string, string, bool, VerbStep> ChangeCases => new()
    {
        { "add to a new room checks the join", "", true, VerbStep.CheckJoin("r1") },
        { "add to a joined room refuses", "r1", true, VerbStep.Refuse(ChatErrors.AlreadyInRoom("r1")) },
        { "remove from a joined room checks the leave", "r1", false, VerbStep.CheckLeave("r1") },
        { "remove from another room refuses", "r2", false, VerbStep.Refuse(ChatErrors.NotInRoom("r1")) },
    };

    [Theory]
    [MemberData(nameof(ChangeCases))]
    public void DecideChange_should_check_membership_as_ActionHero(string name, string rooms, bool join, VerbStep expected)
    {
        var step = VerbRules.DecideChange("r1", join, S(rooms));
        Assert.True(expected.ToString() == step.ToString(), $"{name}: expected {expected}, actual {step}");
    }

    // ---- the file verb's answer ----

    private static readonly PublicFileContent Hello = new("hi"u8.ToArray(), "text/plain", new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero));

    public static TheoryData<string, ClientDialect, PublicLookup, string> FileCases => new()
    {
        { "v20 found: the bytes as they are", Tcp, PublicLookup.Found, "unframed hi" },
        { "v20 not found: a JSON string line", Tcp, PublicLookup.NotFound, "line \"That file is not found\"" },
        { "v20 too large: a JSON string line", Tcp, PublicLookup.TooLarge, "line \"that file is too large (the limit is 10 bytes)\"" },
        { "v29 found: content, mime, length, lastModified", Ws, PublicLookup.Found,
            """response {"content":"hi","mime":"text/plain","length":2,"lastModified":"2026-01-02T03:04:05.678Z"}""" },
        { "v29 not found: ActionHero's error shape", Ws, PublicLookup.NotFound,
            """response {"error":"that file is not found","content":null,"mime":"text/html","length":22}""" },
        { "v29 too large", Ws, PublicLookup.TooLarge,
            """response {"error":"that file is too large (the limit is 10 bytes)","content":null,"mime":"text/html","length":46}""" },
    };

    [Theory]
    [MemberData(nameof(FileCases))]
    public void FileAnswer_should_follow_the_dialect(string name, ClientDialect dialect, PublicLookup lookup, string expected)
    {
        var answer = VerbRules.FileAnswer(dialect, lookup, lookup == PublicLookup.Found ? Hello : null, 10);
        var actual = answer switch
        {
            { Unframed: { } bytes } => "unframed " + Encoding.UTF8.GetString(bytes),
            { Line: { } line } => "line " + Encoding.UTF8.GetString(line),
            _ => "response " + JsonText.Serialize(answer.Response),
        };
        Assert.True(expected == actual, $"{name}: {actual}");
    }

    // ---- what differs between the dialects besides the verbs ----

    [Fact]
    public void Dialects_should_greet_and_answer_long_lines_as_their_ActionHero()
    {
        var settings = new TransportSettings("tcp hello", 10, "ws hello", "/primus", 10, TimeSpan.FromSeconds(1), 10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        Assert.Equal("tcp hello", Tcp.Welcome(settings));
        Assert.Equal("ws hello", Ws.Welcome(settings));
        Assert.Equal("""{"status":"error","error":"x","context":"response","messageId":"m"}""", Encoding.UTF8.GetString(Tcp.LineTooLong("x", "\"m\"")));
    }

    // ---- the hot path ----

    [Fact]
    public void Deciding_a_say_should_allocate_nothing()
    {
        var state = S("r1,r2");
        var tcp = Line("say r2 hello");
        var ws = Frame("""{"event":"say","room":"r2","message":"hello"}""");
        for (var i = 0; i < 100; i++) // warm up: tiering, static constructors
        {
            VerbRules.Decide(tcp, state, Tcp);
            VerbRules.Decide(ws, state, Ws);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            VerbRules.Decide(tcp, state, Tcp);
            VerbRules.Decide(ws, state, Ws);
            VerbRules.Received(state, Ws);
            VerbRules.MessageId(ws, state, Ws);
        }
        // 4,000 calls: one allocated object per call would be 24 bytes or more each; what a runtime allocates once
        // (a tier-up) is far less than one byte per call.
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4000, $"{allocated} bytes for 4,000 calls");
        Assert.Equal(VerbStepKind.Say, VerbRules.Decide(ws, state, Ws).Kind);
    }
}

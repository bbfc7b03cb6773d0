using System.Text.Json.Nodes;
using ChatCluster.Tests.Support;
using static ChatCluster.Tests.Support.WireText;

namespace ChatCluster.Tests.Wire;

/// <summary>
/// What only the TCP line protocol has (ActionHero v20 socket server, spec sections 4 and 5) over real sockets:
/// line splitting, params and messageId rules, actions as lines, file, documentation, sendMessage. The verbs both
/// transports share are in <see cref="VerbParityTests"/>.
/// </summary>
public sealed class TcpVerbTests : IClassFixture<NodeFixture>
{
    private const string UnknownAction = "{\"error\":\"unknown action or invalid apiVersion\",\"context\":\"response\",\"messageId\":\"<uuid>\"}";
    private static readonly string OkNoData = WireDialect.Tcp.Ok(null, WireDialect.AnyUuid);
    private static readonly string OkTrue = WireDialect.Tcp.Ok("true", WireDialect.AnyUuid);

    private readonly NodeFixture _node;

    public TcpVerbTests(NodeFixture node) => _node = node;

    private async Task<TcpTestClient> Client() => await (await _node.Tcp()).Welcomed();

    private static async Task<string> Line(TcpTestClient c, string request)
    {
        await c.SendLineAsync(request);
        return await c.ReadLineAsync();
    }

    private static string Error(string text) => WireDialect.Tcp.VerbError(text, "", WireDialect.AnyUuid);

    private static string ErrorWithId(string text, string id) => WireDialect.Tcp.VerbError(text, "", "\"" + id + "\"");

    // ---------------------------------------------------------------- welcome, detailsView, messageId

    [Fact]
    public async Task DetailsView_ignores_extra_words_and_lists_joined_rooms()
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client();
        Assert.Equal(OkTrue, Mask(await Line(c, $"roomAdd {room}")));

        var json = Parse(await Line(c, "detailsView extra words"));
        Assert.Equal("OK", (string?)json["status"]);
        Assert.Equal($"[\"{room}\"]", json["data"]!["rooms"]!.ToJsonString());
    }

    [Fact]
    public async Task Verbs_are_case_sensitive_and_a_leading_space_makes_an_empty_verb()
    {
        await using var c = await Client();
        Assert.Equal(UnknownAction, Mask(await Line(c, "DETAILSVIEW")));
        Assert.Equal(UnknownAction, Mask(await Line(c, " detailsView")));
    }

    [Fact]
    public async Task Every_request_gets_a_fresh_uuid_messageId()
    {
        await using var c = await Client();
        var ids = new List<string>();
        foreach (var request in new[] { "detailsView", "detailsView", "paramsView", "roomView nosuch", "hello" })
        {
            var id = (string?)Parse(await Line(c, request))["messageId"];
            Assert.True(IsUuidV4(id), $"{request}: {id}");
            ids.Add(id!);
        }
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task ParamAdd_messageId_takes_effect_from_the_next_request_and_sticks()
    {
        await using var c = await Client();
        var addReply = await Line(c, "paramAdd messageId=abc");
        Assert.Equal(OkNoData, Mask(addReply));
        Assert.NotEqual("abc", (string?)Parse(addReply)["messageId"]);

        var details = Parse(await Line(c, "detailsView"));
        Assert.Equal("abc", (string?)details["messageId"]);
        Assert.Equal("{\"messageId\":\"abc\"}", details["data"]!["params"]!.ToJsonString());

        // sticky: every later reply carries it, verbs, errors and actions alike
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"abc\"}", await Line(c, "paramAdd file x.txt"));
        Assert.Equal(ErrorWithId("room does not exist", "abc"), await Line(c, "roomAdd nosuch-room-xyz"));
        Assert.Equal(ErrorWithId("unknown action or invalid apiVersion", "abc"), await Line(c, "hello"));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":\"abc\",\"messageId\":\"abc\"}", await Line(c, "paramView messageId"));
    }

    // ---------------------------------------------------------------- params

    [Fact]
    public async Task ParamAdd_of_an_unknown_key_is_silently_dropped_and_action_inputs_are_kept()
    {
        await using var c = await Client();
        Assert.Equal(OkNoData, Mask(await Line(c, "paramAdd foo=bar")));
        Assert.Equal(OkNoData, Mask(await Line(c, "paramAdd name x"))); // "name" is an input of createChatRoom
        Assert.Equal(OkNoData, Mask(await Line(c, "paramView foo")));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"name\":\"x\"},\"messageId\":\"<uuid>\"}", Mask(await Line(c, "paramsView")));
    }

    [Fact]
    public async Task ParamAdd_accepts_the_key_value_form_and_the_key_equals_value_form()
    {
        await using var c = await Client();
        Assert.Equal(OkNoData, Mask(await Line(c, "paramAdd file nope.txt")));
        Assert.Equal(OkNoData, Mask(await Line(c, "paramAdd apiVersion=1=2")));
        Assert.Equal(OkNoData, Mask(await Line(c, "paramAdd callback=cb")));
        Assert.Equal(OkNoData, Mask(await Line(c, "paramAdd action")));
        Assert.Equal(OkNoData, Mask(await Line(c, "paramAdd")));

        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":\"nope.txt\",\"messageId\":\"<uuid>\"}", Mask(await Line(c, "paramView file")));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":\"1\",\"messageId\":\"<uuid>\"}", Mask(await Line(c, "paramView apiVersion")));
        // insertion order; "action" had no value (undefined), so it is not there
        Assert.Equal(
            "{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"file\":\"nope.txt\",\"apiVersion\":\"1\",\"callback\":\"cb\"},\"messageId\":\"<uuid>\"}",
            Mask(await Line(c, "paramsView")));
    }

    [Fact]
    public async Task ParamView_of_an_absent_key_or_no_key_has_no_data_key()
    {
        await using var c = await Client();
        Assert.Equal(OkNoData, Mask(await Line(c, "paramView nothere")));
        Assert.Equal(OkNoData, Mask(await Line(c, "paramView")));
        Assert.Equal(OkNoData, Mask(await Line(c, "paramAdd callback=here")));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":\"here\",\"messageId\":\"<uuid>\"}", Mask(await Line(c, "paramView callback")));
    }

    [Fact]
    public async Task ParamDelete_removes_one_key_and_the_reply_still_carries_the_deleted_messageId()
    {
        await using var c = await Client();
        await Line(c, "paramAdd messageId=abc");
        await Line(c, "paramAdd file=f.txt");
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"abc\"}", await Line(c, "paramDelete messageId"));

        var view = await Line(c, "paramsView");
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"file\":\"f.txt\"},\"messageId\":\"<uuid>\"}", Mask(view));
        Assert.True(IsUuidV4((string?)Parse(view)["messageId"]));

        Assert.Equal(OkNoData, Mask(await Line(c, "paramDelete nothere")));
        Assert.Equal(OkNoData, Mask(await Line(c, "paramDelete")));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":\"f.txt\",\"messageId\":\"<uuid>\"}", Mask(await Line(c, "paramView file")));
    }

    [Fact]
    public async Task ParamsDelete_clears_every_param()
    {
        await using var c = await Client();
        await Line(c, "paramAdd messageId=m1");
        await Line(c, "paramAdd file=f.txt");
        Assert.Equal(
            "{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"messageId\":\"m1\",\"file\":\"f.txt\"},\"messageId\":\"m1\"}",
            await Line(c, "paramsView"));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"m1\"}", await Line(c, "paramsDelete"));
        var view = await Line(c, "paramsView");
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":{},\"messageId\":\"<uuid>\"}", Mask(view));
        Assert.True(IsUuidV4((string?)Parse(view)["messageId"]));
    }

    // ---------------------------------------------------------------- rooms

    [Fact]
    public async Task Words_are_split_on_single_spaces_so_extra_spaces_name_an_empty_room()
    {
        await using var c = await Client();
        Assert.Equal(Error("room does not exist"), Mask(await Line(c, "roomAdd   defaultRoom")));
        Assert.Equal("[]", Parse(await Line(c, "detailsView"))["data"]!["rooms"]!.ToJsonString());
    }

    // ---------------------------------------------------------------- say

    [Fact]
    public async Task Say_reply_comes_before_the_chat_line_on_the_senders_socket()
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client();
        Assert.Equal(OkTrue, Mask(await Line(c, $"roomAdd {room}")));
        for (var i = 0; i < 300; i++)
        {
            await c.SendLineAsync($"say {room} n{i}");
            var first = await c.ReadLineAsync();
            var second = await c.ReadLineAsync();
            Assert.True(Mask(first) == OkNoData, $"say #{i}: the first line after the say is not its OK reply but {first}");
            Assert.Equal($"n{i}", (string?)Parse(second)["message"]);
        }
    }

    [Fact]
    public async Task Say_preserves_runs_of_spaces_in_the_message()
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client();
        Assert.Equal(OkTrue, Mask(await Line(c, $"roomAdd {room}")));
        await c.SendLineAsync($"say {room}   two  spaces ");
        var (reply, chat) = await c.ReadReplyAndChatAsync();
        Assert.Equal(OkNoData, Mask(reply));
        Assert.Equal("  two  spaces ", (string?)Parse(chat)["message"]);
        await c.SendLineAsync($"say {room} hello   world");
        (reply, chat) = await c.ReadReplyAndChatAsync();
        Assert.Equal(OkNoData, Mask(reply));
        Assert.Equal("hello   world", (string?)Parse(chat)["message"]);
    }

    [Fact]
    public async Task Say_keeps_json_looking_messages_as_strings()
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client();
        Assert.Equal(OkTrue, Mask(await Line(c, $"roomAdd {room}")));
        await c.SendLineAsync($"say {room} {{\"a\":1}}");
        var (reply, chat) = await c.ReadReplyAndChatAsync();
        Assert.Equal(OkNoData, Mask(reply));
        Assert.StartsWith("{\"message\":\"{\\\"a\\\":1}\",", chat);
        await c.SendLineAsync($"say {room} 0");
        (reply, chat) = await c.ReadReplyAndChatAsync();
        Assert.Equal(OkNoData, Mask(reply));
        Assert.StartsWith("{\"message\":\"0\",", chat);
    }

    [Fact]
    public async Task Say_with_an_empty_message_or_an_empty_room_word_is_refused()
    {
        var room = await _node.NewRoomAsync();
        await using var c = await Client();
        Assert.Equal(OkTrue, Mask(await Line(c, $"roomAdd {room}")));
        var required = Error("both room and message are required");
        Assert.Equal(required, Mask(await Line(c, $"say {room} ")));
        Assert.Equal(required, Mask(await Line(c, $"say  {room} hi")));
        Assert.True(await c.IsSilentAsync(), "no chat line may follow a refused say");
    }

    // ---------------------------------------------------------------- actions, file, documentation

    [Fact]
    public async Task An_unknown_word_is_an_unknown_action()
    {
        await using var c = await Client();
        var reply = await Line(c, "hello world");
        Assert.Equal(UnknownAction, Mask(reply));
        Assert.True(IsUuidV4((string?)Parse(reply)["messageId"]));
        // the first word became the sticky action
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"action\":\"hello\"},\"messageId\":\"<uuid>\"}", Mask(await Line(c, "paramsView")));
    }

    [Fact]
    public async Task A_json_line_replaces_the_params_and_its_messageId_sticks()
    {
        await using var c = await Client();
        await Line(c, "paramAdd file=f.txt");
        Assert.Equal(ErrorWithId("unknown action or invalid apiVersion", "jm1"),
            await Line(c, "{\"action\":\"nope\",\"params\":{\"messageId\":\"jm1\"}}"));
        Assert.Equal(
            "{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"messageId\":\"jm1\",\"action\":\"nope\"},\"messageId\":\"jm1\"}",
            await Line(c, "paramsView"));
        Assert.Equal(ErrorWithId("unknown action or invalid apiVersion", "jm1"), await Line(c, "hello"));
        Assert.Equal(
            "{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"messageId\":\"jm1\",\"action\":\"hello\"},\"messageId\":\"jm1\"}",
            await Line(c, "paramsView"));
    }

    [Fact]
    public async Task A_json_line_without_params_keeps_the_sticky_params()
    {
        await using var c = await Client();
        await Line(c, "paramAdd messageId=s1");
        Assert.Equal(ErrorWithId("unknown action or invalid apiVersion", "s1"), await Line(c, "{\"action\":\"nope\"}"));
        Assert.Equal(
            "{\"status\":\"OK\",\"context\":\"response\",\"data\":{\"messageId\":\"s1\",\"action\":\"nope\"},\"messageId\":\"s1\"}",
            await Line(c, "paramsView"));
    }

    [Fact]
    public async Task File_that_does_not_exist_answers_the_bare_v20_string()
    {
        await using var c = await Client();
        Assert.Equal("\"That file is not found\"", await Line(c, "file x"));
        Assert.Equal("\"That file is not found\"", await Line(c, "file"));
        Assert.Equal("OK", (string?)Parse(await Line(c, "detailsView"))["status"]);
    }

    [Fact]
    public async Task Documentation_answers_OK_with_the_v20_documentation_of_the_actions()
    {
        await using var c = await Client();
        var reply = Parse(await Line(c, "documentation"));
        Assert.Equal("OK", (string?)reply["status"]);
        var create = reply["data"]!["createChatRoom"]!["1"]!;
        Assert.Equal("createChatRoom", (string?)create["name"]);
        Assert.Equal(1, (int)create["version"]!);
        Assert.True((bool)create["inputs"]!["name"]!["required"]!);
    }

    // ---------------------------------------------------------------- server API pushes

    [Fact]
    public async Task Server_sendMessage_adds_a_messageId_only_to_response_context()
    {
        await using var c = await Client();
        var details = Parse(await Line(c, "detailsView"));
        var id = (string)details["data"]!["id"]!;
        var lastMessageId = (string)details["messageId"]!;

        Assert.True(await _node.Node.Api.SendMessageAsync(id, new JsonObject { ["message"] = "hi", ["context"] = "user" }));
        Assert.Equal("{\"message\":\"hi\",\"context\":\"user\"}", await c.ReadLineAsync());

        Assert.True(await _node.Node.Api.SendMessageAsync(id, new JsonObject { ["b"] = 2 }));
        Assert.Equal("{\"b\":2}", await c.ReadLineAsync());

        Assert.True(await _node.Node.Api.SendMessageAsync(id, new JsonObject { ["a"] = 1, ["context"] = "response" }));
        Assert.Equal($"{{\"a\":1,\"context\":\"response\",\"messageId\":\"{lastMessageId}\"}}", await c.ReadLineAsync());

        Assert.True(await _node.Node.Api.SendMessageAsync(id, new JsonObject { ["a"] = 1, ["context"] = "response", ["messageId"] = "own" }));
        Assert.Equal("{\"a\":1,\"context\":\"response\",\"messageId\":\"own\"}", await c.ReadLineAsync());

        Assert.False(await _node.Node.Api.SendMessageAsync(Guid.NewGuid().ToString(), new JsonObject { ["a"] = 1 }));
    }

}

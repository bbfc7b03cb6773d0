using System.Text;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Transports;

namespace ChatCluster.Tests.Codecs;

/// <summary>Exact envelope bytes of both transports (spec sections 3, 5, 6).</summary>
public sealed class ResponseFormatTests
{
    private static string S(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void Socket_format_should_write_v20_envelopes()
    {
        var f = TcpResponseFormat.Instance;
        Assert.Equal("{\"welcome\":\"Hello! Welcome to the actionhero api\",\"context\":\"api\"}", S(f.Welcome("Hello! Welcome to the actionhero api")));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"data\":true,\"messageId\":\"m\"}", S(f.VerbOk("true", "\"m\"")));
        Assert.Equal("{\"status\":\"OK\",\"context\":\"response\",\"messageId\":\"m\"}", S(f.VerbOk(null, "\"m\"")));
        Assert.Equal("{\"error\":\"room does not exist\",\"context\":\"response\",\"messageId\":\"m\"}", S(f.VerbError(ChatErrors.RoomNotExist, "\"m\"", "{}")));
        Assert.Equal("{\"status\":\"error\",\"error\":\"data length is too big (10 received/20 max)\",\"context\":\"response\",\"messageId\":\"m\"}",
            S(f.LineTooLong(ChatErrors.DataLengthTooLarge(10, 20), "\"m\"")));
        Assert.Equal("{\"status\":\"Bye!\",\"context\":\"api\"}", S(TcpResponseFormat.Goodbye));
    }

    [Fact]
    public void Websocket_format_should_prefix_errors_and_echo_data()
    {
        var f = WebSocketResponseFormat.Instance;
        Assert.Equal("{\"status\":\"Error: connection not in this room (anotherRoom)\",\"error\":\"Error: connection not in this room (anotherRoom)\",\"context\":\"response\",\"data\":{\"message\":\"not a member\"},\"messageId\":5}",
            S(f.VerbError(ChatErrors.NotInRoom("anotherRoom"), "5", "{\"message\":\"not a member\"}")));
        Assert.Equal("{\"status\":\"TypeError: Cannot read properties of undefined (reading 'documentation')\",\"error\":\"TypeError: Cannot read properties of undefined (reading 'documentation')\",\"context\":\"response\",\"data\":{},\"messageId\":9}",
            S(f.VerbError(ChatErrors.DocumentationUnavailable, "9", "{}")));
        Assert.Equal("\"primus::server::close\"", S(WebSocketResponseFormat.ServerClose));
    }

    [Fact]
    public void Action_reply_should_put_context_and_message_id_last()
    {
        var reply = TcpResponseFormat.Instance.ActionReply(new JsonObject { ["name"] = "r", ["didCreate"] = true }, "13");
        Assert.Equal("{\"name\":\"r\",\"didCreate\":true,\"context\":\"response\",\"messageId\":13}", S(reply));
    }

    public static TheoryData<string, string, string, string> Pushes => new()
    {
        // name, message, websocket bytes, socket bytes
        { "no context", "{\"a\":1}", "{\"a\":1,\"context\":\"response\",\"messageId\":7}", "{\"a\":1}" },
        { "response context", "{\"a\":1,\"context\":\"response\"}", "{\"a\":1,\"context\":\"response\",\"messageId\":7}", "{\"a\":1,\"context\":\"response\",\"messageId\":7}" },
        { "alert", "{\"a\":1,\"context\":\"alert\"}", "{\"a\":1,\"context\":\"alert\"}", "{\"a\":1,\"context\":\"alert\"}" },
        { "own id kept", "{\"context\":\"response\",\"messageId\":1}", "{\"context\":\"response\",\"messageId\":1}", "{\"context\":\"response\",\"messageId\":1}" },
    };

    [Theory]
    [MemberData(nameof(Pushes))]
    public void Push_should_follow_each_transports_send_message_rules(string name, string message, string websocket, string socket)
    {
        _ = name;
        Assert.Equal(websocket, S(WebSocketResponseFormat.Instance.Push(JsonNode.Parse(message)!.AsObject(), "7")));
        Assert.Equal(socket, S(TcpResponseFormat.Instance.Push(JsonNode.Parse(message)!.AsObject(), "7")));
    }

    [Fact]
    public void Chat_payload_should_be_encoded_in_actionhero_key_order_without_escaping_unicode()
    {
        var bytes = ChatPayloadEncoder.Encode(new ChatPayload("défaut", "c1", JsonText.Quote("with \"quotes\" and é ☃ <b>"), 1795562319890));
        Assert.Equal("{\"message\":\"with \\\"quotes\\\" and é ☃ <b>\",\"room\":\"défaut\",\"from\":\"c1\",\"context\":\"user\",\"sentAt\":1795562319890}", S(bytes));
    }

    [Theory]
    [InlineData("say r a   b", "say", "r|a|||b")]
    [InlineData("roomAdd   otherRoom", "roomAdd", "||otherRoom")]
    [InlineData("detailsView", "detailsView", "")]
    [InlineData(" detailsView", "", "detailsView")]
    public void Socket_parser_should_split_on_single_spaces(string line, string verb, string args)
    {
        var r = TcpRequestParser.Parse(line);
        Assert.Equal(verb, r.Verb);
        Assert.Equal(args.Length == 0 ? Array.Empty<string>() : args.Split('|'), r.Args);
    }
}

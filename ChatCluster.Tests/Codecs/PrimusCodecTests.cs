using System.Text;
using ChatCluster.Transports;
using ChatCluster.Transports.Primus;

namespace ChatCluster.Tests.Codecs;

/// <summary>Websocket text message → request, as ActionHero 29's handleData does it (cases from the wire).</summary>
public sealed class PrimusCodecTests
{
    // name, frame, verb, args (| separated, ~ for null), messageId JSON (null = none), data JSON
    public static TheoryData<string, string, string, string, string?, string> Requests => new()
    {
        { "roomAdd", "{\"event\":\"roomAdd\",\"room\":\"defaultRoom\",\"messageId\":2}", "roomAdd", "defaultRoom", "2", "{}" },
        { "string id", "{\"event\":\"detailsView\",\"messageId\":\"abc\"}", "detailsView", "", "\"abc\"", "{}" },
        { "falsy id 0", "{\"event\":\"detailsView\",\"messageId\":0}", "detailsView", "", null, "{}" },
        { "null id", "{\"event\":\"detailsView\",\"messageId\":null}", "detailsView", "", null, "{}" },
        { "object id", "{\"event\":\"detailsView\",\"messageId\":{\"x\":1}}", "detailsView", "", "{\"x\":1}", "{}" },
        { "say", "{\"event\":\"say\",\"room\":\"r\",\"message\":\"hi\",\"messageId\":4}", "say", "r|hi", "4", "{\"message\":\"hi\"}" },
        { "say object", "{\"event\":\"say\",\"room\":\"r\",\"message\":{\"x\":1}}", "say", "r|[object Object]", null, "{\"message\":{\"x\":1}}" },
        { "say array", "{\"event\":\"say\",\"room\":\"r\",\"message\":[1,2,\"a\"]}", "say", "r|1,2,a", null, "{\"message\":[1,2,\"a\"]}" },
        { "say numbers", "{\"event\":\"say\",\"room\":\"r\",\"message\":1.5}", "say", "r|1.5", null, "{\"message\":1.5}" },
        { "say null", "{\"event\":\"say\",\"room\":\"r\",\"message\":null}", "say", "r|~", null, "{\"message\":null}" },
        { "falsy room stays", "{\"event\":\"say\",\"room\":\"\",\"message\":\"m\"}", "say", "|m", null, "{\"room\":\"\",\"message\":\"m\"}" },
        { "words by position", "{\"event\":\"say\",\"x\":\"anotherRoom\",\"message\":\"hi\"}", "say", "anotherRoom|hi", null, "{\"x\":\"anotherRoom\",\"message\":\"hi\"}" },
        { "no event", "{\"messageId\":8}", "undefined", "", "8", "{}" },
        { "null event", "{\"event\":null}", "null", "", null, "{}" },
        { "number event", "{\"event\":5}", "5", "", null, "{}" },
        { "bogus keeps extras", "{\"event\":\"bogus\",\"room\":\"r\",\"x\":1}", "bogus", "r|1", null, "{\"x\":1}" },
        { "number frame", "5", "undefined", "", null, "5" },
        { "string frame", "\"hello\"", "undefined", "", null, "\"hello\"" },
        { "null frame", "null", "undefined", "", null, "null" },
        { "client ping is data", "\"primus::ping::1\"", "undefined", "", null, "\"primus::ping::1\"" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Decode_should_build_request(string name, string frame, string verb, string args, string? messageId, string data)
    {
        var inbound = PrimusCodec.Decode(Encoding.UTF8.GetBytes(frame));
        Assert.True(inbound.Kind == PrimusInboundKind.Request, name);
        var r = inbound.Request!;
        Assert.Equal(verb, r.Verb);
        var expectedArgs = args.Length == 0 ? Array.Empty<string?>() : args.Split('|').Select(a => a == "~" ? null : a).ToArray();
        Assert.Equal(expectedArgs, r.Args);
        Assert.Equal(messageId, r.MessageIdJson);
        Assert.Equal(data, r.DataJson);
    }

    [Theory]
    [InlineData("\"primus::pong::1795560530901\"", PrimusInboundKind.Pong)]
    [InlineData("\"primus::id::\"", PrimusInboundKind.IdRequest)]
    [InlineData("not json{", PrimusInboundKind.Ignored)]
    [InlineData("", PrimusInboundKind.Ignored)]
    [InlineData("{}{}", PrimusInboundKind.Ignored)]
    public void Decode_should_recognise_control_and_garbage(string frame, PrimusInboundKind kind) =>
        Assert.Equal(kind, PrimusCodec.Decode(Encoding.UTF8.GetBytes(frame)).Kind);

    [Fact]
    public void Decode_should_take_action_params()
    {
        var r = PrimusCodec.Decode("{\"event\":\"action\",\"params\":{\"action\":\"createChatRoom\",\"name\":\"x\"},\"messageId\":13}"u8).Request!;
        Assert.Equal("action", r.Verb);
        Assert.Equal("13", r.MessageIdJson);
        Assert.Equal("{\"action\":\"createChatRoom\",\"name\":\"x\"}", JsonText.Serialize(r.Json));
    }

    [Fact]
    public void Binary_message_should_become_node_buffer_data()
    {
        var r = PrimusCodec.DecodeBinary(new byte[] { 222, 173, 0, 255 }).Request!;
        Assert.Equal("undefined", r.Verb);
        Assert.Equal("{\"type\":\"Buffer\",\"data\":[222,173,0,255]}", r.DataJson);
    }

    [Fact]
    public void Control_strings_should_be_exact()
    {
        Assert.Equal("\"primus::ping::1795560530901\"", Encoding.UTF8.GetString(PrimusCodec.Ping(1795560530901)));
        Assert.Equal("\"primus::id::abc\"", Encoding.UTF8.GetString(PrimusCodec.Id("abc")));
        Assert.Equal("{\"pingInterval\":30000,\"pathname\":\"/primus\",\"version\":\"8.0.9\",\"parser\":\"json\",\"transformer\":\"websockets\"}",
            PrimusCodec.Spec(30000, "/primus"));
    }
}

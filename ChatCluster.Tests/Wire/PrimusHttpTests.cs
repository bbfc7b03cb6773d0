using System.Net;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>Plain HTTP on the websocket port, as Primus 8 answers it (probe findings 6).</summary>
public sealed class PrimusHttpTests : IClassFixture<NodeFixture>, IDisposable
{
    private readonly NodeFixture _node;
    private readonly HttpClient _http;

    public PrimusHttpTests(NodeFixture node)
    {
        _node = node;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.WebPort}"), Timeout = Timeouts.Expect };
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task The_primus_spec_should_be_primus_8s_json_with_the_configured_ping_interval()
    {
        using var response = await _http.GetAsync("/primus/spec");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("{\"pingInterval\":30000,\"pathname\":\"/primus\",\"version\":\"8.0.9\",\"parser\":\"json\",\"transformer\":\"websockets\"}", body);
        Assert.Equal(104, response.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData("/primus")]
    [InlineData("/primus/")]
    [InlineData("/primus/anything")]
    [InlineData("/primus?x=1")]
    public async Task A_request_without_upgrade_should_be_426_upgrade_required(string path)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal((HttpStatusCode)426, response.StatusCode);
        Assert.Equal("Upgrade Required", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store, no-cache, must-revalidate, max-age=0", response.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal("no-cache", response.Headers.NonValidated["Pragma"].ToString());
    }
}

/// <summary>The spec follows <c>chatcluster.websocket.ping-interval</c>.</summary>
public sealed class PrimusSpecConfigTests : IClassFixture<FastHeartbeatFixture>
{
    private readonly FastHeartbeatFixture _node;

    public PrimusSpecConfigTests(FastHeartbeatFixture node) => _node = node;

    [Fact]
    public async Task The_primus_spec_should_report_the_configured_ping_interval()
    {
        using var http = new HttpClient { Timeout = Timeouts.Expect };
        var body = await http.GetStringAsync($"http://127.0.0.1:{_node.WebPort}/primus/spec");
        Assert.Equal($"{{\"pingInterval\":{FastHeartbeatFixture.PingIntervalMs},\"pathname\":\"/primus\",\"version\":\"8.0.9\",\"parser\":\"json\",\"transformer\":\"websockets\"}}", body);
    }
}

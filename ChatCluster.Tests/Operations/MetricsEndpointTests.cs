using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Operations;

/// <summary>/metrics and /healthz on a running node's management port, with real clients on its real sockets.</summary>
public sealed class MetricsEndpointTests : IClassFixture<NodeFixture>
{
    private readonly NodeFixture _node;

    public MetricsEndpointTests(NodeFixture node) => _node = node;

    private int Port => _node.Node.ManagementPort;

    [Fact]
    public async Task Metrics_should_parse_as_prometheus_text_and_list_the_chatcluster_instruments()
    {
        var (status, body) = await Management.GetAsync(Port, "/metrics");
        Assert.Equal(200, status);
        var samples = Management.Parse(body);
        foreach (var name in new[]
                 {
                     "chatcluster_connections_active", "chatcluster_cluster_members", "chatcluster_rooms_hosted", "chatcluster_room_members",
                     "chatcluster_messages_received_total", "chatcluster_messages_delivered_total", "chatcluster_bytes_out_bytes_total",
                     "chatcluster_outbound_overflows_total", "chatcluster_middleware_refusals_total", "chatcluster_middleware_silences_total",
                 })
            Assert.Contains(samples.Keys, k => k.StartsWith(name, StringComparison.Ordinal));
        Assert.Equal(1, Management.Sum(samples, "chatcluster_cluster_members", "status=\"up\""));
    }

    [Fact]
    public async Task Counters_should_move_when_clients_connect_and_chat()
    {
        var room = await _node.NewRoomAsync();
        var before = await Management.ScrapeAsync(Port);
        await using (var a = await (await _node.Tcp()).Welcomed())
        await using (var b = await (await _node.Tcp()).Welcomed())
        {
            await a.RequestAsync("roomAdd " + room);
            await b.RequestAsync("roomAdd " + room);
            await a.RequestAsync($"say {room} hello");
            await b.ReadUntilAsync(m => (string?)m["message"] == "hello");
            await Eventually.TrueAsync(async () =>
            {
                var now = await Management.ScrapeAsync(Port);
                return Management.Sum(now, "chatcluster_connections_opened_total", "transport=\"socket\"") >= Management.Sum(before, "chatcluster_connections_opened_total", "transport=\"socket\"") + 2
                    && Management.Sum(now, "chatcluster_connections_active", "transport=\"socket\"") >= 2
                    && Management.Sum(now, "chatcluster_messages_received_total") >= Management.Sum(before, "chatcluster_messages_received_total") + 1
                    && Management.Sum(now, "chatcluster_messages_delivered_total") >= Management.Sum(before, "chatcluster_messages_delivered_total") + 2
                    && Management.Sum(now, "chatcluster_bytes_out_bytes_total") > Management.Sum(before, "chatcluster_bytes_out_bytes_total")
                    && Management.Sum(now, "chatcluster_room_members") >= 2;
            }, "opened, active, received, delivered, bytes out and members moved");
        }
        await Eventually.TrueAsync(async () =>
        {
            var now = await Management.ScrapeAsync(Port);
            return Management.Sum(now, "chatcluster_connections_closed_total", "transport=\"socket\"") >= Management.Sum(before, "chatcluster_connections_closed_total", "transport=\"socket\"") + 2
                && Management.Sum(now, "chatcluster_connection_duration_seconds_count", "transport=\"socket\"") >= Management.Sum(before, "chatcluster_connection_duration_seconds_count", "transport=\"socket\"") + 2;
        }, "closed connections counted with their duration");
    }

    [Fact]
    public async Task Health_should_be_live_and_ready_on_a_started_node()
    {
        var live = await Management.GetAsync(Port, "/healthz/live");
        var ready = await Management.GetAsync(Port, "/healthz/ready");
        Assert.Equal((200, "Healthy: process up\n"), live);
        Assert.Equal((200, "Healthy: ready\n"), ready);
    }

    [Fact]
    public async Task Management_port_should_not_be_the_public_web_port()
    {
        Assert.NotEqual(_node.WebPort, Port);
        using var http = new HttpClient();
        var response = await http.GetAsync($"http://127.0.0.1:{_node.WebPort}/metrics");
        Assert.Equal(404, (int)response.StatusCode);
    }
}

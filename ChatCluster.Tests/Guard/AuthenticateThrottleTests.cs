using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Guard;

/// <summary>One user; failed authentications delay the next attempt by 400 ms, doubling, at most 1.6 s.</summary>
public sealed class ThrottleNodeFixture : NodeFixture
{
    public const string Token = "carol-token";
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(400);

    protected override IReadOnlyList<string> Overrides => new[]
    {
        $"chatcluster.auth.tokens {{ carol = \"{Token}\" }}",
        $"chatcluster.auth.authenticate {{ first-delay = {FirstDelay.TotalMilliseconds}ms, max-delay = 1600ms, max-wait = 20s }}",
    };
}

/// <summary>
/// authenticate is slowed down after failures, per connection and per address (issue 12, item 2: ~5,000 guesses a
/// second on one connection before). Only lower bounds on time are asserted: a busy machine makes things slower, never
/// faster. Each test uses its own loopback address, so the address counts of one test do not slow the other.
/// </summary>
public sealed class AuthenticateThrottleTests : IClassFixture<ThrottleNodeFixture>
{
    private readonly ThrottleNodeFixture _node;

    public AuthenticateThrottleTests(ThrottleNodeFixture node) => _node = node;

    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(50); // timer granularity

    [Fact]
    public async Task Failed_authentications_should_slow_down_the_connection_and_its_address()
    {
        await using var guesser = await WireClient.ConnectAsync(_node, Transport.Tcp);
        // The server counts a wait from the failure it recorded, which happened after the previous guess was sent: so
        // each answer is measured from the previous guess's send (a busy client cannot make the wait look shorter).
        var clock = Stopwatch.StartNew();
        var sent = new List<TimeSpan>();
        var answered = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add(clock.Elapsed);
            var reply = await guesser.ActionAsync("authenticate", new JsonObject { ["token"] = "guess-" + i });
            answered.Add(clock.Elapsed);
            Assert.Equal(ChatErrors.InvalidCredentials, (string?)reply["error"]);
        }
        // 1st: no wait; 2nd: 400 ms; 3rd: 800 ms.
        var second = answered[1] - sent[0];
        var third = answered[2] - sent[1];
        Assert.True(second >= ThrottleNodeFixture.FirstDelay - Slack, $"2nd guess answered {second.TotalMilliseconds} ms after the 1st was sent");
        Assert.True(third >= 2 * ThrottleNodeFixture.FirstDelay - Slack, $"3rd guess answered {third.TotalMilliseconds} ms after the 2nd was sent");

        // A fresh connection from the same address waits too (the address has failed 3 times: 1.6 s), and the right
        // token still works after its wait.
        await using var fresh = await WireClient.ConnectAsync(_node, Transport.Ws);
        var ok = await fresh.ActionAsync("authenticate", new JsonObject { ["token"] = ThrottleNodeFixture.Token });
        Assert.Equal(true, (bool?)ok["authenticated"]);
        var fromLastGuess = clock.Elapsed - sent[2];
        Assert.True(fromLastGuess >= 4 * ThrottleNodeFixture.FirstDelay - Slack,
            $"a new connection from the address was answered {fromLastGuess.TotalMilliseconds} ms after the last guess was sent");
    }

    [Fact]
    public async Task A_wrong_http_token_should_slow_down_the_next_request_with_a_token()
    {
        // 127.0.0.2: an address of its own (Linux routes all of 127/8 to loopback).
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{_node.WebPort}"), Timeout = Timeouts.Expect };
        async Task<(HttpStatusCode, TimeSpan)> StatusWithAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/status");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(request);
            return (response.StatusCode, clock.Elapsed);
        }

        // Measured from the wrong request's send: the server's wait runs from the failure it recorded after that.
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, (await StatusWithAsync("nope")).Item1);
        var (status, _) = await StatusWithAsync(ThrottleNodeFixture.Token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(clock.Elapsed >= ThrottleNodeFixture.FirstDelay - Slack,
            $"the request after a wrong token was answered {clock.Elapsed.TotalMilliseconds} ms after the wrong one was sent");
    }
}

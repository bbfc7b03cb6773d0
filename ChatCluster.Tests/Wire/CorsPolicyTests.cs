using System.Net;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>A node that allows one origin, with credentials.</summary>
public sealed class CredentialedCorsFixture : NodeFixture
{
    public const string Allowed = "https://app.example";

    protected override IReadOnlyList<string> Overrides => new[]
    {
        $"chatcluster.web.cors.allowed-origins = [\"{Allowed}\"]",
        "chatcluster.web.cors.allow-credentials = on",
    };
}

/// <summary>CORS with explicit origins and credentials: the allowed origin is echoed with credentials, others get no CORS headers.</summary>
public sealed class CorsPolicyTests : IClassFixture<CredentialedCorsFixture>, IDisposable
{
    private readonly CredentialedCorsFixture _node;
    private readonly HttpClient _http;

    public CorsPolicyTests(CredentialedCorsFixture node)
    {
        _node = node;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.WebPort}"), Timeout = Timeouts.Expect };
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> PreflightAsync(string origin, string room)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, $"/api/createChatRoom?name={room}");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        return await _http.SendAsync(request);
    }

    [Fact]
    public async Task The_allowed_origin_is_echoed_with_credentials()
    {
        var room = "cred-" + Guid.NewGuid().ToString("N")[..8];
        using var response = await PreflightAsync(CredentialedCorsFixture.Allowed, room);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(CredentialedCorsFixture.Allowed, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.DoesNotContain(room, await _node.Node.Api.ListAsync());
    }

    [Fact]
    public async Task Another_origin_gets_no_cors_headers_and_runs_nothing()
    {
        var room = "cred-" + Guid.NewGuid().ToString("N")[..8];
        using var response = await PreflightAsync("https://evil.example", room);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.DoesNotContain(room, await _node.Node.Api.ListAsync());
    }
}

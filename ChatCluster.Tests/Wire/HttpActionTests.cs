using System.Net;
using System.Text;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>A node of its own for the HTTP action tests.</summary>
public sealed class HttpActionNodeFixture : NodeFixture
{
}

/// <summary>Actions over HTTP on the web port (findings 6): status codes and bodies.</summary>
public sealed class HttpActionTests : IClassFixture<HttpActionNodeFixture>, IDisposable
{
    private readonly HttpActionNodeFixture _node;
    private readonly HttpClient _http;

    public HttpActionTests(HttpActionNodeFixture node)
    {
        _node = node;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{node.WebPort}"), Timeout = Timeouts.Expect };
    }

    public void Dispose() => _http.Dispose();

    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<(HttpStatusCode Status, string Body, string? ContentType)> Read(HttpResponseMessage response)
    {
        using (response)
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private static void AssertStatus(HttpStatusCode expected, HttpStatusCode actual, string body) =>
        Assert.True(expected == actual, $"expected {(int)expected} {expected}, got {(int)actual} {actual} with body {body}");


    [Fact]
    public async Task Get_api_action_path_should_create_the_room()
    {
        var name = Unique("h");
        var (status, body, type) = await Read(await _http.GetAsync($"/api/createChatRoom?name={name}"));
        AssertStatus(HttpStatusCode.OK, status, body);
        Assert.Equal($"{{\"name\":\"{name}\",\"didCreate\":true}}", body);
        Assert.Equal("application/json", type);
        Assert.True(await _node.Node.Api.ExistsAsync(name));

        var (again, againBody, _) = await Read(await _http.GetAsync($"/api/createChatRoom?name={name}"));
        AssertStatus(HttpStatusCode.OK, again, againBody);
        Assert.Equal($"{{\"name\":\"{name}\",\"didCreate\":false}}", againBody);
    }

    [Fact]
    public async Task Get_api_with_action_in_the_query_should_run_the_action()
    {
        var name = Unique("h2");
        var (status, body, _) = await Read(await _http.GetAsync($"/api?action=createChatRoom&name={name}"));
        AssertStatus(HttpStatusCode.OK, status, body);
        Assert.Equal($"{{\"name\":\"{name}\",\"didCreate\":true}}", body);
        Assert.True(await _node.Node.Api.ExistsAsync(name));
    }

    [Fact]
    public async Task A_missing_param_should_answer_422()
    {
        var (status, body, type) = await Read(await _http.GetAsync("/api/createChatRoom"));
        AssertStatus(HttpStatusCode.UnprocessableEntity, status, body);
        Assert.Equal("{\"error\":\"name is a required parameter for this action\"}", body);
        Assert.Equal("application/json", type);
    }

    [Theory]
    [InlineData("/api/nope")]
    [InlineData("/api?action=nope")]
    [InlineData("/api")]
    public async Task An_unknown_action_should_answer_404(string path)
    {
        var (status, body, _) = await Read(await _http.GetAsync(path));
        AssertStatus(HttpStatusCode.NotFound, status, body);
        Assert.Equal("{\"error\":\"unknown action or invalid apiVersion\"}", body);
    }

    [Fact]
    public async Task Post_with_a_json_body_should_run_the_action()
    {
        var name = Unique("p");
        using var content = new StringContent($"{{\"name\":\"{name}\"}}", Encoding.UTF8, "application/json");
        var (status, body, _) = await Read(await _http.PostAsync("/api/createChatRoom", content));
        AssertStatus(HttpStatusCode.OK, status, body);
        Assert.Equal($"{{\"name\":\"{name}\",\"didCreate\":true}}", body);
        Assert.True(await _node.Node.Api.ExistsAsync(name));

        var name2 = Unique("p2");
        using var named = new StringContent($"{{\"action\":\"createChatRoom\",\"name\":\"{name2}\"}}", Encoding.UTF8, "application/json");
        var (status2, body2, _) = await Read(await _http.PostAsync("/api", named));
        AssertStatus(HttpStatusCode.OK, status2, body2);
        Assert.Equal($"{{\"name\":\"{name2}\",\"didCreate\":true}}", body2);
    }

    [Fact]
    public async Task Post_without_the_required_param_should_answer_422()
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        var (status, body, _) = await Read(await _http.PostAsync("/api/createChatRoom", content));
        AssertStatus(HttpStatusCode.UnprocessableEntity, status, body);
        Assert.Equal("{\"error\":\"name is a required parameter for this action\"}", body);
    }

    [Fact]
    public async Task Get_status_should_answer_the_status_object_without_context()
    {
        var (status, body, _) = await Read(await _http.GetAsync("/api/status"));
        AssertStatus(HttpStatusCode.OK, status, body);
        var json = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        Assert.False(string.IsNullOrEmpty((string?)json["id"]), body);
        Assert.True(json.ContainsKey("uptime"), body);
        Assert.False(json.ContainsKey("context"), body);
        Assert.False(json.ContainsKey("messageId"), body);
    }

    /// <summary>
    /// The same GET requests with an explicit <c>Content-Length: 0</c> (which the bug above does not hit), so
    /// routing, params and status codes stay covered while the skipped plain-GET tests wait for the fix.
    /// </summary>
    [Theory]
    [InlineData("/api/createChatRoom?name={name}", 200, "{\"name\":\"{name}\",\"didCreate\":true}")]
    [InlineData("/api?action=createChatRoom&name={name}", 200, "{\"name\":\"{name}\",\"didCreate\":true}")]
    [InlineData("/api/createChatRoom", 422, "{\"error\":\"name is a required parameter for this action\"}")]
    [InlineData("/api/nope", 404, "{\"error\":\"unknown action or invalid apiVersion\"}")]
    [InlineData("/api?action=nope", 404, "{\"error\":\"unknown action or invalid apiVersion\"}")]
    [InlineData("/api", 404, "{\"error\":\"unknown action or invalid apiVersion\"}")]
    public async Task Get_with_an_explicit_empty_body_should_route_like_ActionHero(string path, int expectedStatus, string expectedBody)
    {
        var name = Unique("g");
        using var request = new HttpRequestMessage(HttpMethod.Get, path.Replace("{name}", name, StringComparison.Ordinal))
        {
            Content = new ByteArrayContent(Array.Empty<byte>()),
        };
        var (status, body, type) = await Read(await _http.SendAsync(request));
        AssertStatus((HttpStatusCode)expectedStatus, status, body);
        Assert.Equal(expectedBody.Replace("{name}", name, StringComparison.Ordinal), body);
        Assert.Equal("application/json", type);
        if (expectedStatus == 200) Assert.True(await _node.Node.Api.ExistsAsync(name));
    }
}

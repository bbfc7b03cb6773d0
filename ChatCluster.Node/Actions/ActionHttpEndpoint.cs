using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatCluster.Node.Middleware;
using ChatCluster.Transports;
using Microsoft.AspNetCore.Http;

namespace ChatCluster.Node.Actions;

/// <summary>
/// Actions over HTTP on the web port: <c>/api/&lt;action&gt;</c> and <c>/api?action=&lt;name&gt;</c>, params from the
/// query string and a JSON (or form) body. The body of the answer is the action's response as ActionHero's web
/// server writes it (no context, no messageId); errors carry their status: 404 unknown action, 422 bad params.
/// </summary>
public sealed class ActionHttpEndpoint
{
    private const long MaxBodyBytes = 1 << 20;
    private readonly ActionRunner _runner;

    public ActionHttpEndpoint(ActionRunner runner) => _runner = runner;

    public static bool Matches(PathString path) => path.StartsWithSegments("/api", StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext context)
    {
        var parameters = new JsonObject();
        foreach (var (key, value) in context.Request.Query) parameters[key] = value.ToString();
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync();
            foreach (var (key, value) in form) parameters[key] = value.ToString();
        }
        else if (HasBody(context.Request) && IsJson(context.Request.ContentType))
        {
            if (context.Request.ContentLength > MaxBodyBytes)
            {
                await Write(context, 413, new JsonObject { ["error"] = $"request body is larger than {MaxBodyBytes} bytes" });
                return;
            }
            try
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                if (buffer.Length > MaxBodyBytes)
                {
                    await Write(context, 413, new JsonObject { ["error"] = $"request body is larger than {MaxBodyBytes} bytes" });
                    return;
                }
                if (buffer.Length > 0 && JsonText.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is JsonObject body)
                    foreach (var (key, value) in body) parameters[key] = value?.DeepClone();
            }
            catch (JsonException e)
            {
                await Write(context, 400, new JsonObject { ["error"] = "invalid JSON body: " + e.Message });
                return;
            }
        }

        var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length >= 2) parameters["action"] = Uri.UnescapeDataString(segments[1]);

        var id = Guid.NewGuid().ToString();
        var remote = context.Connection.RemoteIpAddress;
        var view = new ConnectionView(id, "web", remote is null ? "unknown" : (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString(),
            context.Connection.RemotePort, id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ImmutableArray<string>.Empty,
            ImmutableDictionary<string, JsonNode?>.Empty);
        var result = await _runner.RunAsync(parameters, view);
        await Write(context, result.HttpStatus, result.Response);
    }

    // A GET from curl or HttpClient has neither Content-Length nor Transfer-Encoding: no body to read.
    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static bool IsJson(string? contentType) =>
        contentType is null || contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);

    private static async Task Write(HttpContext context, int status, JsonObject body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, JsonText.SerializerOptions);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }
}

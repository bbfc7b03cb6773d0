using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Node.Actions.BuiltIn;
using ChatCluster.Node.Core;
using ChatCluster.Node.Middleware;
using ChatCluster.Transports;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ChatCluster.Node.Actions;

/// <summary>
/// Actions over HTTP on the web port: <c>/api/&lt;action&gt;</c> and <c>/api?action=&lt;name&gt;</c>, params from the
/// query string and a JSON (or form) body. The body of the answer is the action's response as ActionHero's web
/// server writes it (no context, no messageId); errors carry their status: 404 unknown action, 422 bad params,
/// 400 malformed input.
/// </summary>
/// <remarks>
/// Actions run for GET, POST, PUT, PATCH and DELETE only. OPTIONS is answered (204, <c>Allow</c>) and runs nothing: a
/// browser sends it on its own as a CORS preflight, so running the action would let any web page act through a
/// visitor's browser. An HTTP request has no connection that could have authenticated, so it may carry a token
/// (<c>Authorization: Bearer &lt;token&gt;</c> or a <c>token</c> param); a valid one marks the request's connection as
/// the <c>authenticate</c> action would, a bad one is refused with 401, both under the same throttle.
/// </remarks>
public sealed class ActionHttpEndpoint
{
    /// <summary>The connection type of an HTTP request (one request, one connection).</summary>
    public const string ConnectionType = "web";

    private const long MaxBodyBytes = 1 << 20;
    private const string AllowedMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    private const string BearerPrefix = "Bearer ";
    private const string TokenParam = "token";
    private readonly ActionRunner _runner;

    public ActionHttpEndpoint(ActionRunner runner) => _runner = runner;

    public static bool Matches(PathString path) => path.StartsWithSegments("/api", StringComparison.Ordinal);

    /// <summary>The methods that run an action.</summary>
    public static bool RunsActions(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method)
        || HttpMethods.IsDelete(method);

    public async Task HandleAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (!RunsActions(method))
        {
            context.Response.Headers.Allow = AllowedMethods;
            if (HttpMethods.IsOptions(method))
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
            await Write(context, StatusCodes.Status405MethodNotAllowed, Error(ChatErrors.MethodNotAllowed));
            return;
        }

        JsonObject parameters;
        try
        {
            var read = await ReadParamsAsync(context);
            if (read.Error is { } refusal)
            {
                await Write(context, refusal.Status, Error(refusal.Text));
                return;
            }
            parameters = read.Parameters!;
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException)
        {
            // Kestrel's refusals while reading (bad chunk framing — an overflowing chunk size surfaces as an IOException
            // around an OverflowException —, more than 1,024 form fields, a body cut short): the client's fault, so 400,
            // unless the client is gone already.
            if (!context.RequestAborted.IsCancellationRequested)
                await Write(context, StatusCodes.Status400BadRequest, Error(ChatErrors.MalformedHttpRequest));
            return;
        }

        var segments = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length >= 2) parameters["action"] = Uri.UnescapeDataString(segments[1]);

        var id = Guid.NewGuid().ToString();
        var remote = context.Connection.RemoteIpAddress;
        var address = remote is null ? "unknown" : (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString();
        var properties = ImmutableDictionary<string, JsonNode?>.Empty;
        if (Credential(context.Request, parameters) is { } token)
        {
            string? user;
            try
            {
                user = await _runner.Services.AuthThrottle.CheckAsync(null, address, () => _runner.Services.Auth.UserFor(token));
            }
            catch (ActionException e)
            {
                await Write(context, e.HttpStatus, Error(e.Message));
                return;
            }
            if (user is null)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Write(context, StatusCodes.Status401Unauthorized, Error(ChatErrors.InvalidCredentials));
                return;
            }
            properties = properties.SetItem(AuthenticateAction.AuthenticatedProperty, true).SetItem(AuthenticateAction.UserProperty, user);
        }

        var view = new ConnectionView(id, ConnectionType, address, context.Connection.RemotePort, id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ImmutableArray<string>.Empty, properties);
        var result = await _runner.RunAsync(parameters, view);
        await Write(context, result.HttpStatus, result.Response);
    }

    private readonly record struct Refusal(int Status, string Text);

    private readonly record struct ReadParams(JsonObject? Parameters, Refusal? Error);

    private static async Task<ReadParams> ReadParamsAsync(HttpContext context)
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
                return new ReadParams(null, new Refusal(StatusCodes.Status413PayloadTooLarge, ChatErrors.RequestBodyTooLarge(MaxBodyBytes)));
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            if (buffer.Length > MaxBodyBytes)
                return new ReadParams(null, new Refusal(StatusCodes.Status413PayloadTooLarge, ChatErrors.RequestBodyTooLarge(MaxBodyBytes)));
            try
            {
                if (buffer.Length > 0 && JsonText.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is JsonObject body)
                    foreach (var (key, value) in body) parameters[key] = value?.DeepClone();
            }
            catch (JsonLoneSurrogateException e)
            {
                return new ReadParams(null, new Refusal(StatusCodes.Status400BadRequest, e.Message));
            }
            catch (JsonException e)
            {
                return new ReadParams(null, new Refusal(StatusCodes.Status400BadRequest, ChatErrors.InvalidJsonBody(e.Message)));
            }
        }
        return new ReadParams(parameters, null);
    }

    // The token of an HTTP request: a bearer header, else a `token` param — except for the authenticate action, whose
    // own input it is (it checks the token itself; checking it here too would count one guess twice).
    private static string? Credential(HttpRequest request, JsonObject parameters)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)) return header[BearerPrefix.Length..].Trim();
        if (JsonText.ToJsString(parameters["action"]) == "authenticate") return null;
        return parameters[TokenParam] is JsonNode t && JsonText.ToJsString(t) is { Length: > 0 } token ? token : null;
    }

    private static JsonObject Error(string text) => new() { ["error"] = text };

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

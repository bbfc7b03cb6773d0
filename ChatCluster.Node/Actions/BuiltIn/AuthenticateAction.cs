using System.Text.Json.Nodes;
using ChatCluster.Messages;

namespace ChatCluster.Node.Actions.BuiltIn;

/// <summary>
/// The first half of ActionHero's authenticated-room recipe: check a token from <c>chatcluster.auth.tokens</c>
/// and mark the connection (<c>authenticated = true</c>, <c>user = name</c>). The token is never logged. Failed
/// attempts slow down the next ones from the same connection and address (<see cref="AuthThrottle"/>).
/// </summary>
public sealed class AuthenticateAction : ChatAction
{
    public const string AuthenticatedProperty = "authenticated";
    public const string UserProperty = "user";

    public override string Name => "authenticate";

    public override string Description => "Authenticate the connection with a token; unlocks protected rooms.";

    public override IReadOnlyList<ActionInput> Inputs { get; } = new[] { new ActionInput("token") { Required = true } };

    public override async Task<JsonObject> RunAsync(ActionContext context)
    {
        var connection = context.Connection;
        var token = context.Param("token")!;
        var user = await context.Services.AuthThrottle.CheckAsync(
            connection.Type == ActionHttpEndpoint.ConnectionType ? null : connection.Id, connection.RemoteIp,
            () => context.Services.Auth.UserFor(token)).ConfigureAwait(false);
        if (user is null) throw new ActionException(ChatErrors.InvalidCredentials, 401);
        context.Set(AuthenticatedProperty, true);
        context.Set(UserProperty, user);
        return new JsonObject { ["authenticated"] = true, ["user"] = user };
    }
}

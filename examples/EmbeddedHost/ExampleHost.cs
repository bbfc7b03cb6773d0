using ChatCluster.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EmbeddedHost;

/// <summary>
/// An application's own ASP.NET Core host with a ChatCluster node inside: the node's options come from the command
/// line (the same options as the ChatCluster.Host executable), the application adds a chat middleware, an action and
/// an endpoint of its own. Ctrl-C drains the node (goodbyes, rooms handed over) before the host stops.
/// </summary>
public static class ExampleHost
{
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddChatCluster(chat => chat
            .AddMiddleware(registry => registry.Add(NoShouting.Middleware))
            .AddActions(registry => registry.Add(new ServerTimeAction()))
            .Node = NodeCommand.Parse(args, out _));
        var app = builder.Build();
        // The application's own endpoint, on the node's web port behind /primus, /api/ and the public files.
        app.MapGet("/hello", () => "hello from the embedding host");
        return app;
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ChatCluster.Transports;

namespace ChatCluster.Node.Web;

/// <summary>
/// The browser client library, written here (Client/*.js, embedded in the assembly) and filled in at start the way
/// ActionHero renders its client: <c>GET /primus/primus.js</c> is the Primus client alone;
/// <c>/public/javascript/ActionheroWebsocketClient.js</c> carries the Primus client too, so one script tag is enough.
/// </summary>
public static class ClientLibrary
{
    /// <summary>Where ActionHero serves its client, relative to the public folder.</summary>
    public const string ClientPath = "javascript/ActionheroWebsocketClient.js";

    /// <summary>The Primus client's name under the Primus path.</summary>
    public const string PrimusFile = "primus.js";

    /// <summary>The Primus client for a server with this Primus path and ping interval.</summary>
    public static string Primus(string primusPath, TimeSpan pingInterval) =>
        Resource("primus-client.js")
            .Replace("'%%PATHNAME%%'", JsonText.Quote(primusPath), StringComparison.Ordinal)
            // As Primus: a client that hears no ping for 1.5 intervals takes the link for dead.
            .Replace("%%PING_TIMEOUT%%", ((long)(pingInterval.TotalMilliseconds * 1.5)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>The self-contained ActionheroWebsocketClient (Primus client first).</summary>
    public static string WebsocketClient(string primusPath, TimeSpan pingInterval, string apiPath, string cookieKey)
    {
        // url null: the client takes the origin it was loaded from (see actionhero-client.js).
        var defaults = new JsonObject { ["apiPath"] = apiPath, ["cookieKey"] = cookieKey, ["url"] = null };
        return Primus(primusPath, pingInterval) + "\n"
            + Resource("actionhero-client.js").Replace("%%DEFAULTS%%", defaults.ToJsonString(), StringComparison.Ordinal);
    }

    private static string Resource(string name)
    {
        var assembly = typeof(ClientLibrary).Assembly;
        using var stream = assembly.GetManifestResourceStream("ChatCluster.Node.Web.Client." + name)
            ?? throw new InvalidOperationException($"embedded resource Web/Client/{name} is missing from {assembly.GetName().Name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

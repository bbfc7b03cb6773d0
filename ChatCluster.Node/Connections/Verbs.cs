namespace ChatCluster.Node.Connections;

/// <summary>The verbs each transport allows, and the pure rules of their arguments (spec section 4).</summary>
public static class Verbs
{
    public static readonly HashSet<string> Socket = new(StringComparer.Ordinal)
    {
        "quit", "exit", "documentation", "paramAdd", "paramDelete", "paramView", "paramsView", "paramsDelete",
        "roomAdd", "roomLeave", "roomView", "detailsView", "say",
    };

    public static readonly HashSet<string> WebSocket = new(StringComparer.Ordinal)
    {
        "quit", "exit", "documentation", "roomAdd", "roomLeave", "roomView", "detailsView", "say",
    };

    /// <summary>ActionHero's globalSafeParams; paramAdd stores only these and the inputs of known actions.</summary>
    public static readonly HashSet<string> GlobalSafeParams = new(StringComparer.Ordinal)
    {
        "file", "apiVersion", "callback", "action", "messageId",
    };

    public static HashSet<string> For(string transportType) => transportType == "socket" ? Socket : WebSocket;

    /// <summary>
    /// <c>paramAdd key=value</c> (split on '=', only the first two parts) or <c>paramAdd key value</c>.
    /// A null value means JavaScript's undefined: the key ends up absent.
    /// </summary>
    public static (string? Key, string? Value) ParamAdd(IReadOnlyList<string?> args)
    {
        var first = args.Count > 0 ? args[0] : null;
        if (first is null) return (null, null);
        if (first.Contains('='))
        {
            var parts = first.Split('=');
            return (parts[0], parts[1]);
        }
        return (first, args.Count > 1 ? args[1] : null);
    }

    /// <summary>The room named in an error text: JavaScript prints a missing room as "undefined".</summary>
    public static string RoomText(string? room) => room ?? "undefined";
}
